package tests

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// These benchmarks compare MyRedis with real Redis (make bench-pubsub, also
// part of make bench). Each starts both servers, measures each benchRuns
// times, the two back to back in each run so that a slow spell of the shared
// machine hits both alike, and reports the medians and the median of the
// per-run ratios as custom metrics and a table. The work is fixed, not scaled
// by b.N: run them with -benchtime 1x.

// benchRuns is how many times each figure is measured on each server.
const benchRuns = 7

// benchTimeout bounds one measurement: every connection's deadline.
const benchTimeout = 60 * time.Second

// BenchmarkPubSubFanout: one publisher pipelines small PUBLISH commands to
// one channel with 50 RESP2 subscribers, each on its own connection. The
// figure is messages delivered per second: all subscribers' messages over the
// time from the first PUBLISH until the last subscriber has the last message.
func BenchmarkPubSubFanout(b *testing.B) {
	compareServers(b, "msg/s", measureFanout)
}

// BenchmarkMultiExec: 50 clients each pipeline 16 transactions (MULTI, three
// SETs, EXEC) per round trip, like redis-benchmark -c 50 -P 16. The figure is
// transactions per second.
func BenchmarkMultiExec(b *testing.B) {
	compareServers(b, "tx/s", measureMultiExec)
}

// compareServers runs measure benchRuns times on MyRedis and, when installed,
// real Redis, then reports the medians (metrics myredis_<unit>, redis_<unit>)
// and the median of the per-run ratios (ratio), and logs them as a table,
// with the server's CPU time per operation (user + system, from /proc),
// which this shared machine's noise disturbs much less than throughput.
// With two or more CPUs the servers run on CPU 0 and the benchmark's own
// process on the others, as scripts/bench.sh does: the servers are started
// pinned (they inherit this process's affinity), so MyRedis's Go runtime
// sizes itself for the one CPU it gets.
func compareServers(b *testing.B, unit string, measure func(b *testing.B, s *server) (rate, ops float64)) {
	n := runtime.NumCPU()
	if n >= 2 {
		old := setAffinity(b, os.Getpid(), "0")
		b.Cleanup(func() { setAffinity(b, os.Getpid(), old) })
	}
	servers := []*server{startServer(b)}
	if haveRedis() {
		servers = append(servers, startRedis(b))
	} else {
		b.Log("redis-server not installed: MyRedis only")
	}
	if n >= 2 {
		setAffinity(b, os.Getpid(), "1-"+strconv.Itoa(n-1))
	}
	runs := make([][]float64, len(servers))
	cpuPerOp := make([][]float64, len(servers)) // microseconds
	b.ResetTimer()
	for r := range benchRuns {
		for j := range servers {
			i := (j + r) % len(servers) // alternate which goes first
			before := cpuTime(b, servers[i].pid())
			rate, ops := measure(b, servers[i])
			runs[i] = append(runs[i], rate)
			cpuPerOp[i] = append(cpuPerOp[i], (cpuTime(b, servers[i].pid())-before).Seconds()*1e6/ops)
		}
	}
	b.StopTimer()
	b.ReportMetric(0, "ns/op") // the time per op means nothing here

	var table strings.Builder
	fmt.Fprintf(&table, "\n%-28s %14s %14s %7s\n", b.Name(), "myredis", "redis", "ratio")
	var ratios []float64
	for r := range benchRuns {
		fmt.Fprintf(&table, "%-28s", fmt.Sprintf("  run %d", r+1))
		for i := range servers {
			fmt.Fprintf(&table, " %14.0f", runs[i][r])
		}
		if len(servers) == 2 {
			ratios = append(ratios, runs[0][r]/runs[1][r])
			fmt.Fprintf(&table, " %7.2f", ratios[r])
		}
		table.WriteString("\n")
	}
	medians := make([]float64, len(servers))
	for i, s := range servers {
		medians[i] = median(slices.Clone(runs[i]))
		b.ReportMetric(medians[i], s.name+"_"+unit)
	}
	if len(servers) == 1 {
		fmt.Fprintf(&table, "%-28s %14.0f %14s %7s\n", "median "+unit, medians[0], "-", "-")
	} else {
		ratio := median(ratios)
		b.ReportMetric(ratio, "ratio")
		fmt.Fprintf(&table, "%-28s %14.0f %14.0f %7.2f\n", "median "+unit, medians[0], medians[1], ratio)
	}
	fmt.Fprintf(&table, "%-28s", "median server CPU us/op")
	for i := range servers {
		fmt.Fprintf(&table, " %14.2f", median(cpuPerOp[i]))
	}
	b.Log(table.String())
}

// cpuTime returns the CPU time (user + system) process pid has used.
func cpuTime(b *testing.B, pid int) time.Duration {
	b.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		b.Fatal(err)
	}
	// The fields after the command name, which is in parentheses:
	// utime and stime are the 12th and 13th, in clock ticks (100 a second).
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/%d/stat: %q", pid, data)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// median returns the median of xs (the mean of the middle two for an even
// count). xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// setAffinity pins every thread of process pid to the CPU list cpus (taskset
// syntax, e.g. "0" or "1-3") and returns the previous list. Threads created
// later inherit it. Without taskset it logs and does nothing.
func setAffinity(b *testing.B, pid int, cpus string) string {
	b.Helper()
	out, err := exec.Command("taskset", "-a", "-c", "-p", cpus, strconv.Itoa(pid)).Output()
	if err != nil {
		b.Logf("taskset %s %d: %v (not pinned)", cpus, pid, err)
		return cpus
	}
	// The first line is "pid N's current affinity list: 0,1".
	first, _, _ := strings.Cut(string(out), "\n")
	_, old, _ := strings.Cut(first, ": ")
	return strings.TrimSpace(old)
}

// measureFanout is one run of BenchmarkPubSubFanout against s; it returns
// messages delivered per second, and how many.
func measureFanout(b *testing.B, s *server) (rate, ops float64) {
	const (
		subscribers = 50
		messages    = 200_000
		batch       = 100 // PUBLISH commands per write
		window      = 8   // batches written but not yet acknowledged
		channel     = "bench:fanout"
		payload     = "0123456789abcdef"
	)
	deadline := time.Now().Add(benchTimeout)
	frame := encodeCommand([]string{"message", channel, payload}) // the push is a RESP2 array of bulks
	subs := make([]*rawConn, subscribers)
	for i := range subs {
		subs[i] = s.dial(b)
		defer subs[i].c.Close()
		if got := subs[i].do("SUBSCRIBE", channel); !strings.HasPrefix(got, "*3\r\n$9\r\nsubscribe\r\n") {
			b.Fatalf("%s: SUBSCRIBE: %q", s.name, got)
		}
		subs[i].c.SetReadDeadline(deadline)
	}
	pub := s.dial(b)
	defer pub.c.Close()
	pub.c.SetDeadline(deadline)

	var wg sync.WaitGroup
	doneAt := make([]time.Time, subscribers)
	errs := make(chan error, subscribers+1)
	for i, sub := range subs {
		wg.Go(func() {
			if err := newStreamCheck(frame).expect(sub.r, messages); err != nil {
				errs <- fmt.Errorf("%s: subscriber %d: %w", s.name, i, err)
				return
			}
			doneAt[i] = time.Now()
		})
	}
	// Each PUBLISH is answered with the number of receivers; the reader
	// returns one window slot per acknowledged batch.
	acked := make(chan struct{}, window)
	wg.Go(func() {
		replies := newStreamCheck([]byte(":" + strconv.Itoa(subscribers) + "\r\n"))
		for range messages / batch {
			if err := replies.expect(pub.r, batch); err != nil {
				errs <- fmt.Errorf("%s: PUBLISH replies: %w", s.name, err)
				return
			}
			acked <- struct{}{}
		}
	})

	cmds := bytes.Repeat(encodeCommand([]string{"PUBLISH", channel, payload}), batch)
	start := time.Now()
	for i := range messages / batch {
		if i >= window {
			select {
			case <-acked:
			case <-time.After(time.Until(deadline)):
				b.Fatalf("%s: no PUBLISH replies", s.name)
			}
		}
		if _, err := pub.c.Write(cmds); err != nil {
			b.Fatalf("%s: publish: %v", s.name, err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	ops = float64(subscribers * messages)
	return ops / slices.MaxFunc(doneAt, time.Time.Compare).Sub(start).Seconds(), ops
}

// A streamCheck reads a stream that must be one unit repeated, comparing in
// large chunks so that checking costs little next to the server's work. Not
// safe for concurrent use.
type streamCheck struct {
	unit    []byte
	pattern []byte // unit repeated: a chunk read at any phase fits
	buf     []byte
}

// streamChunk is the largest read of a streamCheck.
const streamChunk = 64 << 10

// newStreamCheck returns a streamCheck for copies of unit.
func newStreamCheck(unit []byte) *streamCheck {
	return &streamCheck{
		unit:    unit,
		pattern: bytes.Repeat(unit, streamChunk/len(unit)+2),
		buf:     make([]byte, streamChunk),
	}
}

// expect reads exactly n copies of the unit from r and fails on any other
// byte or a read error.
func (c *streamCheck) expect(r io.Reader, n int) error {
	for pos, total := 0, n*len(c.unit); pos < total; {
		m, err := r.Read(c.buf[:min(streamChunk, total-pos)])
		if m > 0 {
			phase := pos % len(c.unit)
			if !bytes.Equal(c.buf[:m], c.pattern[phase:phase+m]) {
				return fmt.Errorf("unexpected bytes at offset %d: %q", pos, c.buf[:min(m, 200)])
			}
			pos += m
		}
		if err != nil {
			return fmt.Errorf("after %d of %d bytes: %w", pos, total, err)
		}
	}
	return nil
}

// measureMultiExec is one run of BenchmarkMultiExec against s; it returns
// transactions per second, and how many.
func measureMultiExec(b *testing.B, s *server) (rate, ops float64) {
	const (
		clients = 50
		depth   = 16  // transactions per round trip
		rounds  = 400 // round trips per client
	)
	deadline := time.Now().Add(benchTimeout)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	conns := make([]*rawConn, clients)
	for i := range conns {
		conns[i] = s.dial(b)
		defer conns[i].c.Close()
		conns[i].c.SetDeadline(deadline)
	}
	oneReply := []byte("+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n+OK\r\n+OK\r\n")
	start := time.Now()
	for i, c := range conns {
		var req []byte
		for _, cmd := range [][]string{{"MULTI"}, {"SET", fmt.Sprintf("tx:%d:a", i), "xxx"},
			{"SET", fmt.Sprintf("tx:%d:b", i), "xxx"}, {"SET", fmt.Sprintf("tx:%d:c", i), "xxx"}, {"EXEC"}} {
			req = append(req, encodeCommand(cmd)...)
		}
		req = bytes.Repeat(req, depth)
		replies := newStreamCheck(oneReply)
		wg.Go(func() {
			for range rounds {
				if _, err := c.c.Write(req); err != nil {
					errs <- fmt.Errorf("%s: client %d: %w", s.name, i, err)
					return
				}
				if err := replies.expect(c.r, depth); err != nil {
					errs <- fmt.Errorf("%s: client %d: %w", s.name, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	ops = float64(clients * depth * rounds)
	return ops / elapsed.Seconds(), ops
}
