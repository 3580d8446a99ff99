package tests

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkTrackingGet (make bench-tracking): 50 RESP3 connections each
// pipeline 16 GETs per round trip, like redis-benchmark -c 50 -P 16 -t get
// (which cannot turn tracking on), over 1,000 keys of 3 bytes, first with
// tracking off, then with every connection's CLIENT TRACKING ON, so that
// every read is remembered. Nothing writes: the figure is the cost of
// remembering, not of invalidating. Each run measures both modes on both
// servers, back to back; the table gives the medians of GET/s, each
// server's on/off ratio, and the ratio of those ratios (MyRedis's over
// Redis's: 1.0 means tracking costs MyRedis what it costs Redis).
func BenchmarkTrackingGet(b *testing.B) {
	const keys = 1000
	n := runtime.NumCPU()
	if n >= 2 {
		old := setAffinity(b, os.Getpid(), "0")
		b.Cleanup(func() { setAffinity(b, os.Getpid(), old) })
	}
	servers := []*server{startServer(b)}
	if haveRedis() {
		servers = append(servers, startRedis(b))
	}
	if n >= 2 {
		setAffinity(b, os.Getpid(), "1-"+strconv.Itoa(n-1))
	}
	for _, s := range servers {
		c := s.dial(b)
		for k := range keys {
			c.mustDo("+OK\r\n", "SET", "key:"+strconv.Itoa(k), "xxx")
		}
	}
	// rates[server][mode][run]; mode 0 off, 1 on.
	rates := make([][2][]float64, len(servers))
	b.ResetTimer()
	for r := range benchRuns {
		for j := range servers {
			i := (j + r) % len(servers)
			for mode := range 2 {
				rates[i][mode] = append(rates[i][mode], measureTrackedGets(b, servers[i], mode == 1, keys))
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(0, "ns/op")

	var t strings.Builder
	fmt.Fprintf(&t, "\n%-10s %12s %12s %9s\n", "GET -P16", "off GET/s", "on GET/s", "on/off")
	ratio := make([]float64, len(servers))
	for i, s := range servers {
		off, on := median(slices.Clone(rates[i][0])), median(slices.Clone(rates[i][1]))
		var perRun []float64
		for r := range benchRuns {
			perRun = append(perRun, rates[i][1][r]/rates[i][0][r])
		}
		ratio[i] = median(perRun)
		fmt.Fprintf(&t, "%-10s %12.0f %12.0f %9.3f\n", s.name, off, on, ratio[i])
		b.ReportMetric(off, s.name+"_off_GET/s")
		b.ReportMetric(on, s.name+"_on_GET/s")
	}
	if len(servers) == 2 {
		var offRatios, onRatios []float64
		for r := range benchRuns {
			offRatios = append(offRatios, rates[0][0][r]/rates[1][0][r])
			onRatios = append(onRatios, rates[0][1][r]/rates[1][1][r])
		}
		fmt.Fprintf(&t, "myredis/redis, tracking off: %.3f   on: %.3f\n", median(offRatios), median(onRatios))
		fmt.Fprintf(&t, "ratio of ratios (myredis on/off over redis on/off): %.3f\n", ratio[0]/ratio[1])
		b.ReportMetric(ratio[0]/ratio[1], "ratio_of_ratios")
	}
	b.Log(t.String())
}

// measureTrackedGets is one measurement: GET/s of 50 RESP3 connections
// pipelining 16 GETs a round trip, with tracking on or off.
func measureTrackedGets(b *testing.B, s *server, tracking bool, keys int) float64 {
	const (
		clients = 50
		depth   = 16
		rounds  = 1000
	)
	deadline := time.Now().Add(benchTimeout)
	conns := make([]*rawConn, clients)
	for i := range conns {
		c := s.dial(b)
		defer c.c.Close()
		c.do("HELLO", "3")
		if tracking {
			c.mustDo("+OK\r\n", "CLIENT", "TRACKING", "ON")
		}
		c.c.SetDeadline(deadline)
		conns[i] = c
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := time.Now()
	for i, c := range conns {
		batches := make([][]byte, 16) // rotating batches, so reads spread over the keys
		for j := range batches {
			for d := range depth {
				k := (i*131 + j*depth + d) % keys
				batches[j] = append(batches[j], encodeCommand([]string{"GET", "key:" + strconv.Itoa(k)})...)
			}
		}
		replies := newStreamCheck([]byte("$3\r\nxxx\r\n"))
		wg.Go(func() {
			for r := range rounds {
				if _, err := c.c.Write(batches[r%len(batches)]); err != nil {
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
	if tracking { // every connection's reads were remembered
		if info := conns[0].do("INFO", "stats"); !strings.Contains(info, "tracking_total_keys:") ||
			strings.Contains(info, "tracking_total_keys:0\r\n") {
			b.Fatalf("%s: tracking remembered nothing", s.name)
		}
	}
	return float64(clients*depth*rounds) / elapsed.Seconds()
}
