package tests

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestWatchOtherClient checks WATCH against writes from a second connection,
// the cases the one-connection oracle (cases/transactions.yaml) cannot reach.
// Each step's transcript is compared with real Redis.
func TestWatchOtherClient(t *testing.T) {
	for _, tt := range []struct {
		name  string
		other [][]string // run by the second client between WATCH and MULTI
	}{
		{"set watched key", [][]string{{"SET", "k", "other"}}},
		{"same value", [][]string{{"SET", "k", "v"}}},
		{"delete watched key", [][]string{{"DEL", "k"}}},
		{"create missing key", [][]string{{"SET", "missing", "x"}}},
		{"other key", [][]string{{"SET", "unrelated", "x"}, {"DEL", "nothing"}}},
		{"other database", [][]string{{"SELECT", "1"}, {"SET", "k", "x"}}},
		{"read only", [][]string{{"GET", "k"}, {"EXISTS", "k"}, {"TTL", "k"}}},
		{"failed write", [][]string{{"LPUSH", "k", "x"}, {"INCR", "k"}}},
		{"expire", [][]string{{"PEXPIRE", "k", "100000"}}},
		{"rename onto", [][]string{{"SET", "src", "x"}, {"RENAME", "src", "k"}}},
		{"flushall", [][]string{{"FLUSHALL"}}},
		{"swapdb", [][]string{{"SWAPDB", "0", "1"}}},
		{"transaction", [][]string{{"MULTI"}, {"APPEND", "k", "x"}, {"EXEC"}}},
		{"discarded transaction", [][]string{{"MULTI"}, {"APPEND", "k", "x"}, {"DISCARD"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			onBoth(t, nil, func(s *server) []string {
				a, b := s.dial(t), s.dial(t)
				var out []string
				run := func(c *rawConn, args ...string) { out = append(out, c.do(args...)) }
				run(a, "SET", "k", "v")
				run(a, "WATCH", "k", "missing")
				for _, cmd := range tt.other {
					run(b, cmd...)
				}
				run(a, "MULTI")
				run(a, "SET", "k", "mine")
				run(a, "EXEC")
				run(a, "GET", "k")
				return out
			})
		})
	}
}

// TestMultiQueueInvisible checks that queued commands have no effect before
// EXEC and that DISCARD leaves no trace for another client.
func TestMultiQueueInvisible(t *testing.T) {
	onBoth(t, nil, func(s *server) []string {
		a, b := s.dial(t), s.dial(t)
		var out []string
		run := func(c *rawConn, args ...string) { out = append(out, c.do(args...)) }
		run(a, "MULTI")
		run(a, "SET", "k", "1")
		run(b, "GET", "k")
		run(b, "SET", "k", "b")
		run(a, "EXEC")
		run(b, "GET", "k")
		run(a, "MULTI")
		run(a, "DEL", "k")
		run(a, "DISCARD")
		run(b, "GET", "k")
		return out
	})
}

// TestExecAtomic runs transactions that move one unit between two keys
// (possibly on different shards) while readers check with MGET that the sum
// never changes: no reader may see the state between two commands of EXEC.
func TestExecAtomic(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		const writers, readers, rounds = 4, 4, 300
		rdb := newRawClient(t, s, 0)
		ctx := testContext(t, 20*time.Second)
		if err := rdb.MSet(ctx, "acct:a", 1000, "acct:b", 1000).Err(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		errs := make(chan error, writers+readers)
		var writersWG, readersWG sync.WaitGroup
		for range writers {
			writersWG.Go(func() { errs <- transfer(ctx, rdb, rounds) })
		}
		for range readers {
			readersWG.Go(func() { errs <- checkSum(ctx, rdb, 2000, done) })
		}
		writersWG.Wait()
		close(done)
		readersWG.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
}

// transfer moves one unit from acct:a to acct:b rounds times, each in one
// MULTI/EXEC.
func transfer(ctx context.Context, rdb *redis.Client, rounds int) error {
	for range rounds {
		_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.DecrBy(ctx, "acct:a", 1)
			p.IncrBy(ctx, "acct:b", 1)
			return nil
		})
		if err != nil {
			return fmt.Errorf("transfer: %w", err)
		}
	}
	return nil
}

// checkSum reads both accounts with MGET until done is closed (and at most
// for the life of ctx) and reports a sum other than want.
func checkSum(ctx context.Context, rdb *redis.Client, want int, done <-chan struct{}) error {
	for {
		select {
		case <-done:
			return nil
		default:
		}
		vals, err := rdb.MGet(ctx, "acct:a", "acct:b").Result()
		if err != nil {
			return fmt.Errorf("MGET: %w", err)
		}
		var sum int
		for _, v := range vals {
			var n int
			if _, err := fmt.Sscan(v.(string), &n); err != nil {
				return fmt.Errorf("MGET value %q: %w", v, err)
			}
			sum += n
		}
		if sum != want {
			return fmt.Errorf("MGET acct:a acct:b = %v: sum %d, want %d", vals, sum, want)
		}
	}
}
