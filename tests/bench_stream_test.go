package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkStreamConsumers (make bench-stream, issue #15): one producer
// pipelines XADD bench:q * f v while 4 consumers of one group each loop on
// XREADGROUP COUNT 100 BLOCK 100 STREAMS bench:q > and one XACK of the
// batch (sent together with the next XREADGROUP). The figure is messages
// per second end to end: every message added and acknowledged, over the
// time from the first XADD to the last XACK's reply. MYREDIS_STREAM_MESSAGES
// sets the count (default streamBenchMessages). A MyRedis without streams is
// not measured (its columns show "-").
func BenchmarkStreamConsumers(b *testing.B) {
	n := streamBenchMessages
	if env := os.Getenv("MYREDIS_STREAM_MESSAGES"); env != "" {
		var err error
		if n, err = strconv.Atoi(env); err != nil || n < streamBenchBatch {
			b.Fatalf("MYREDIS_STREAM_MESSAGES=%q: want a count of at least %d", env, streamBenchBatch)
		}
	}
	compareServers(b, "msg/s", func(b *testing.B, s *server) (rate, ops float64) {
		n := n / streamBenchBatch * streamBenchBatch
		return measureStreamConsumers(b, s, n), float64(n)
	})
}

// Settings of BenchmarkStreamConsumers.
const (
	streamBenchMessages  = 200_000
	streamBenchConsumers = 4
	streamBenchBatch     = 100 // XADDs per producer write, and XREADGROUP COUNT
	streamBenchWindow    = 8   // producer batches written but not yet answered
)

// measureStreamConsumers is one run of BenchmarkStreamConsumers against s;
// it returns messages per second.
func measureStreamConsumers(b *testing.B, s *server, messages int) float64 {
	deadline := time.Now().Add(benchTimeout)
	admin := s.dial(b)
	defer admin.c.Close()
	admin.do("DEL", "bench:q")
	admin.mustDo("+OK\r\n", "XGROUP", "CREATE", "bench:q", "g", "$", "MKSTREAM")

	run := &streamBenchRun{total: int64(messages)}
	var wg sync.WaitGroup
	errs := make(chan error, streamBenchConsumers+2)
	start := time.Now()
	for i := range streamBenchConsumers {
		c := s.dial(b)
		defer c.c.Close()
		c.c.SetDeadline(deadline)
		wg.Go(func() {
			if err := run.consume(c.c, c.r, "c"+strconv.Itoa(i)); err != nil {
				errs <- fmt.Errorf("%s: consumer %d: %w", s.name, i, err)
			}
		})
	}

	pub := s.dial(b)
	defer pub.c.Close()
	pub.c.SetDeadline(deadline)
	answered := make(chan struct{}, streamBenchWindow)
	wg.Go(func() {
		for range messages / streamBenchBatch {
			for range streamBenchBatch {
				reply, err := readReply(pub.r)
				if err != nil || reply[0] != '$' {
					errs <- fmt.Errorf("%s: XADD: %q, %v", s.name, reply, err)
					return
				}
			}
			answered <- struct{}{}
		}
	})
	cmds := bytes.Repeat(encodeCommand([]string{"XADD", "bench:q", "*", "f", "v"}), streamBenchBatch)
	for i := range messages / streamBenchBatch {
		if i >= streamBenchWindow {
			select {
			case <-answered:
			case <-time.After(time.Until(deadline)):
				b.Fatalf("%s: no XADD replies", s.name)
			}
		}
		if _, err := pub.c.Write(cmds); err != nil {
			b.Fatalf("%s: XADD: %v", s.name, err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	if got := run.acked.Load(); got != run.total {
		b.Fatalf("%s: %d messages acknowledged, want %d", s.name, got, run.total)
	}
	return float64(messages) / time.Unix(0, run.doneAt.Load()).Sub(start).Seconds()
}

// A streamBenchRun is the consumers' shared count of one run.
type streamBenchRun struct {
	total  int64        // messages to acknowledge, a multiple of streamBenchBatch
	acked  atomic.Int64 // messages acknowledged so far
	doneAt atomic.Int64 // when the last was acknowledged, in Unix nanoseconds
}

// consume is one consumer: it reads batches of new entries and
// acknowledges each batch with the next read in the same write, until
// every message is acknowledged.
func (run *streamBenchRun) consume(conn net.Conn, r *bufio.Reader, name string) error {
	read := encodeCommand([]string{"XREADGROUP", "GROUP", "g", name, "COUNT", strconv.Itoa(streamBenchBatch),
		"BLOCK", "100", "STREAMS", "bench:q", ">"})
	req := read
	for {
		if _, err := conn.Write(req); err != nil {
			return err
		}
		if len(req) > len(read) { // an XACK went first
			reply, err := readReply(r)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(string(bytes.TrimSuffix(reply[1:], []byte("\r\n"))))
			if err != nil || reply[0] != ':' {
				return fmt.Errorf("XACK: %q", reply)
			}
			if run.acked.Add(int64(n)) == run.total {
				run.doneAt.Store(time.Now().UnixNano())
			}
		}
		reply, err := readReply(r)
		if err != nil {
			return err
		}
		ids, err := streamReplyIDs(reply)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			if run.acked.Load() >= run.total {
				return nil
			}
			req = read
			continue
		}
		req = append(encodeCommand(append([]string{"XACK", "bench:q", "g"}, ids...)), read...)
	}
}

// streamReplyIDs returns the entry IDs of a RESP2 XREADGROUP reply for one
// stream (none for a null reply).
func streamReplyIDs(reply []byte) ([]string, error) {
	n, ok := parseDiffNode(string(reply))
	switch {
	case !ok:
		return nil, fmt.Errorf("XREADGROUP: unparsable %q", reply)
	case n.isNull():
		return nil, nil
	case len(n.elems) != 1 || len(n.elems[0].elems) != 2:
		return nil, fmt.Errorf("XREADGROUP: %q", reply[:min(len(reply), 200)])
	}
	var ids []string
	for _, e := range n.elems[0].elems[1].elems {
		if len(e.elems) != 2 {
			return nil, fmt.Errorf("XREADGROUP: an entry %q", e.raw)
		}
		ids = append(ids, e.elems[0].text)
	}
	return ids, nil
}
