// Command benchevict drives the cache workload of make bench-evict against
// one server: each of -clients connections GETs a key drawn from a Zipf
// distribution (exponent -s) over -keys keys and, on a miss, SETs it to a
// -size byte value. After -warmup requests it measures -requests more and
// prints one line: hit ratio, requests per second, the server's CPU time
// (user + system) per command over the measured requests when -pid names
// it, and the server's evicted_keys, used_memory and maxmemory from INFO.
// It is bounded by the request counts and by -timeout.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	keys := flag.Int("keys", 600000, "number of distinct keys")
	s := flag.Float64("s", 0.99, "Zipf exponent")
	size := flag.Int("size", 1024, "value size in bytes")
	clients := flag.Int("clients", 50, "connections")
	warmup := flag.Int("warmup", 200000, "requests before measuring")
	requests := flag.Int("requests", 300000, "requests measured")
	timeout := flag.Duration("timeout", 120*time.Second, "give up after")
	pid := flag.Int("pid", 0, "the server's process id, for its CPU time (0: not measured)")
	flag.Parse()

	z := newZipf(*keys, *s)
	value := strings.Repeat("x", *size)
	go func() {
		time.Sleep(*timeout)
		fmt.Fprintln(os.Stderr, "benchevict: timed out")
		os.Exit(1)
	}()
	if _, _, err := run(*addr, *clients, *warmup, z, value); err != nil {
		fail(err)
	}
	start, cpuStart := time.Now(), cpuTime(*pid)
	hits, n, err := run(*addr, *clients, *requests, z, value)
	if err != nil {
		fail(err)
	}
	elapsed, cpu := time.Since(start), cpuTime(*pid)-cpuStart
	commands := 2*n - hits // a GET each, and a SET for each miss
	info, err := command(*addr, "INFO")
	if err != nil {
		fail(err)
	}
	fmt.Printf("hit_ratio=%.4f rps=%.0f cpu_us_per_cmd=%.3f evicted_keys=%s used_memory=%s maxmemory=%s\n",
		float64(hits)/float64(n), float64(n)/elapsed.Seconds(), cpu.Seconds()*1e6/float64(commands),
		field(info, "evicted_keys"), field(info, "used_memory"), field(info, "maxmemory"))
}

// cpuTime returns the CPU time (user + system) process pid has used, or 0
// when pid is 0 or its /proc entry cannot be read.
func cpuTime(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses: utime
	// and stime are the 12th and 13th, in clock ticks (1/100 s).
	_, rest, _ := strings.Cut(string(stat), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchevict:", err)
	os.Exit(1)
}

// zipf draws ranks 0..n-1 with probability proportional to 1/(rank+1)^s,
// by binary search over the cumulative distribution (math/rand's Zipf
// needs s > 1).
type zipf struct{ cdf []float64 }

func newZipf(n int, s float64) *zipf {
	cdf := make([]float64, n)
	sum := 0.0
	for i := range cdf {
		sum += 1 / math.Pow(float64(i+1), s)
		cdf[i] = sum
	}
	for i := range cdf {
		cdf[i] /= sum
	}
	return &zipf{cdf}
}

func (z *zipf) draw(r *rand.Rand) int {
	u := r.Float64()
	return sort.SearchFloat64s(z.cdf, u)
}

// run makes total requests over clients connections and returns the hits
// and the GETs made.
func run(addr string, clients, total int, z *zipf, value string) (hits, gets int64, err error) {
	var left, nhits, ngets atomic.Int64
	left.Store(int64(total))
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			if err := client(addr, seed, z, value, &left, &nhits, &ngets); err != nil {
				firstErr.CompareAndSwap(nil, err)
			}
		}(rand.Uint64())
	}
	wg.Wait()
	if e, _ := firstErr.Load().(error); e != nil {
		return 0, 0, e
	}
	return nhits.Load(), ngets.Load(), nil
}

func client(addr string, seed uint64, z *zipf, value string, left, hits, gets *atomic.Int64) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	r := bufio.NewReaderSize(conn, 64<<10)
	w := bufio.NewWriter(conn)
	rng := rand.New(rand.NewPCG(seed, 1))
	for left.Add(-1) >= 0 {
		key := "key:" + strconv.Itoa(z.draw(rng))
		fmt.Fprintf(w, "*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", len(key), key)
		if err := w.Flush(); err != nil {
			return err
		}
		gets.Add(1)
		hit, err := readReply(r)
		if err != nil {
			return err
		}
		if hit {
			hits.Add(1)
			continue
		}
		fmt.Fprintf(w, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(key), key, len(value), value)
		if err := w.Flush(); err != nil {
			return err
		}
		if _, err := readReply(r); err != nil {
			return err
		}
	}
	return nil
}

// readReply reads a simple, error or bulk reply and reports whether it was
// a non-null bulk string; an error reply is returned as an error.
func readReply(r *bufio.Reader) (bool, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return false, err
	}
	switch line[0] {
	case '-':
		return false, fmt.Errorf("server: %s", strings.TrimSpace(line[1:]))
	case '$':
		n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
		if err != nil || n < 0 {
			return false, err
		}
		_, err = r.Discard(n + 2)
		return true, err
	}
	return false, nil
}

// command sends one command without arguments and returns its bulk reply.
func command(addr, name string) (string, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	fmt.Fprintf(conn, "*1\r\n$%d\r\n%s\r\n", len(name), name)
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
	if err != nil {
		return "", fmt.Errorf("%s: %q", name, line)
	}
	buf := make([]byte, n+2)
	_, err = io.ReadFull(r, buf)
	return string(buf[:n]), err
}

// field returns an INFO field's value.
func field(info, name string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return "?"
}
