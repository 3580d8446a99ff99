package server

import (
	"runtime/metrics"
	"sync"
	"time"
)

// sampler keeps the recent history INFO's instantaneous figures and
// used_memory_peak are computed from, as Redis does: a sample every 100 ms,
// rates averaged over the last 16 samples.
type sampler struct {
	mu      sync.Mutex
	ops     [16]int64 // total commands at each sample, a ring
	at      [16]time.Time
	next    int
	filled  int
	peakMem uint64
}

const sampleEvery = 100 * time.Millisecond

// heapBytes reads the live heap size without stopping the world.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// run samples until done is closed.
func (sm *sampler) run(ops func() int64, done <-chan struct{}) {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			sm.record(now, ops(), heapBytes())
		}
	}
}

func (sm *sampler) record(now time.Time, ops int64, heap uint64) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	sm.ops[sm.next], sm.at[sm.next] = ops, now
	sm.next = (sm.next + 1) % len(sm.ops)
	sm.filled = min(sm.filled+1, len(sm.ops))
	sm.peakMem = max(sm.peakMem, heap)
}

// opsPerSec is the command rate over the sampled window.
func (sm *sampler) opsPerSec() int64 {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if sm.filled < 2 {
		return 0
	}
	newest := (sm.next - 1 + len(sm.ops)) % len(sm.ops)
	oldest := (sm.next - sm.filled + len(sm.ops)) % len(sm.ops)
	elapsed := sm.at[newest].Sub(sm.at[oldest]).Seconds()
	if elapsed <= 0 {
		return 0
	}
	return int64(float64(sm.ops[newest]-sm.ops[oldest]) / elapsed)
}

// peak returns the largest heap size sampled, or now if that is larger.
func (sm *sampler) peak(now uint64) uint64 {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	sm.peakMem = max(sm.peakMem, now)
	return sm.peakMem
}
