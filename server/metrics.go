package server

import (
	"runtime/metrics"
	"sync"
	"time"
)

// sampler keeps the recent history INFO's instantaneous figures are
// computed from, as Redis does: a sample every 100 ms, rates averaged over
// the last 16 samples. (used_memory_peak is the keyspace's: MemPeak.)
type sampler struct {
	mu     sync.Mutex
	totals [16]totals // the counters at each sample, a ring
	at     [16]time.Time
	next   int
	filled int
}

// totals are the server's running counters a sample reads.
type totals struct {
	ops, netIn, netOut int64
}

const sampleEvery = 100 * time.Millisecond

// memSample names the runtime metrics INFO's memory section reads.
var memSample = [...]string{
	"/memory/classes/heap/objects:bytes",  // live and not yet swept objects
	"/memory/classes/heap/unused:bytes",   // in spans in use, free
	"/memory/classes/heap/released:bytes", // returned to the operating system
	"/memory/classes/total:bytes",         // all the memory the runtime mapped
}

// goMemory is the Go runtime's view of the heap, read without stopping
// the world.
type goMemory struct {
	objects, unused, released, total uint64
}

func readGoMemory() goMemory {
	s := make([]metrics.Sample, len(memSample))
	for i, name := range memSample {
		s[i].Name = name
	}
	metrics.Read(s)
	v := func(i int) uint64 {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[i].Value.Uint64()
	}
	return goMemory{objects: v(0), unused: v(1), released: v(2), total: v(3)}
}

// heapBytes reads the live heap size without stopping the world.
func heapBytes() uint64 { return readGoMemory().objects }

// run samples until done is closed.
func (sm *sampler) run(read func() totals, done <-chan struct{}) {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			sm.record(now, read())
		}
	}
}

func (sm *sampler) record(now time.Time, t totals) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	sm.totals[sm.next], sm.at[sm.next] = t, now
	sm.next = (sm.next + 1) % len(sm.totals)
	sm.filled = min(sm.filled+1, len(sm.totals))
}

// rates returns the commands per second and the network input and output
// bytes per second over the sampled window; zeros before two samples.
func (sm *sampler) rates() (ops, in, out float64) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if sm.filled < 2 {
		return 0, 0, 0
	}
	newest := (sm.next - 1 + len(sm.totals)) % len(sm.totals)
	oldest := (sm.next - sm.filled + len(sm.totals)) % len(sm.totals)
	elapsed := sm.at[newest].Sub(sm.at[oldest]).Seconds()
	if elapsed <= 0 {
		return 0, 0, 0
	}
	a, b := sm.totals[oldest], sm.totals[newest]
	return float64(b.ops-a.ops) / elapsed, float64(b.netIn-a.netIn) / elapsed, float64(b.netOut-a.netOut) / elapsed
}

// opsPerSec is the command rate over the sampled window.
func (sm *sampler) opsPerSec() int64 {
	ops, _, _ := sm.rates()
	return int64(ops)
}
