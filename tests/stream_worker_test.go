package tests

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStreamWorkers runs the worker pattern end to end on both servers
// (issue #15): one producer adds workerEntries entries to a stream while 4
// workers, each on its own connection, consume them in one group with
// XREADGROUP COUNT 100 and acknowledge each with XACK. One worker is
// killed mid-way: its connection is closed right after it read a batch,
// which it never acknowledges. When they find nothing new, the survivors
// take over what has been pending long enough with XAUTOCLAIM. Every entry
// must be acknowledged exactly once (an XACK answering 1), by someone;
// none is lost, and the group ends with nothing pending.
func TestStreamWorkers(t *testing.T) {
	// 100,000 entries take a few seconds per server; under -race the
	// server and the workers are several times slower, so fewer entries
	// keep the test in the same time.
	entries := 100_000
	if raceEnabled {
		entries = 20_000
	}
	forBoth(t, func(t *testing.T, s *server) {
		runWorkers(t, s, entries)
	})
}

// Settings of the worker pattern.
const (
	workerCount     = 4
	workerBatch     = 100                    // XREADGROUP COUNT
	workerBlock     = 50 * time.Millisecond  // XREADGROUP BLOCK
	workerMinIdle   = 200 * time.Millisecond // XAUTOCLAIM min-idle-time
	workerDeadline  = 60 * time.Second       // for the whole run
	workerProduceBy = 1000                   // XADDs per pipeline
)

// workerRun is the shared state of one run: the acknowledgements each
// entry got (index i is entry ID i+1-0), counted as they happen.
type workerRun struct {
	stream, group string
	acks          []atomic.Int32
	acked         atomic.Int64 // entries whose XACK answered 1
	produced      atomic.Bool  // the producer has added every entry
}

func runWorkers(t *testing.T, s *server, entries int) {
	ctx := testContext(t, workerDeadline)
	run := &workerRun{stream: "orders", group: "workers", acks: make([]atomic.Int32, entries)}
	admin := newRawClient(t, s, 0)
	require.NoError(t, admin.XGroupCreateMkStream(ctx, run.stream, run.group, "0").Err())

	var wg sync.WaitGroup
	errs := make(chan error, workerCount+1)
	wg.Go(func() {
		if err := run.produce(ctx, newRawClient(t, s, 0), entries); err != nil {
			errs <- fmt.Errorf("producer: %w", err)
		}
	})
	// The victim reads and acknowledges like the others until a tenth of
	// the entries has been added, then reads one more batch and dies.
	victimDead := make(chan []string, 1)
	wg.Go(func() {
		rdb := newRawClient(t, s, 0)
		if err := run.victim(ctx, rdb, entries/10, victimDead); err != nil {
			errs <- fmt.Errorf("victim: %w", err)
		}
	})
	for i := range workerCount - 1 {
		name := "worker" + strconv.Itoa(i)
		rdb := newRawClient(t, s, 0)
		wg.Go(func() {
			if err := run.work(ctx, rdb, name, entries); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		})
	}

	var orphans []string
	select {
	case orphans = <-victimDead:
	case <-ctx.Done():
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.NotEmpty(t, orphans, "the victim died holding no entry: nothing was taken over")

	var lost, twice []string
	for i := range run.acks {
		switch n := run.acks[i].Load(); {
		case n == 0:
			lost = append(lost, strconv.Itoa(i+1)+"-0")
		case n > 1:
			twice = append(twice, fmt.Sprintf("%d-0 (%d times)", i+1, n))
		}
	}
	assert.Empty(t, lost, "entries never acknowledged")
	assert.Empty(t, twice, "entries acknowledged more than once")

	pending, err := admin.XPending(ctx, run.stream, run.group).Result()
	require.NoError(t, err)
	assert.Zero(t, pending.Count, "entries still pending: %+v", pending)
	groups, err := admin.XInfoGroups(ctx, run.stream).Result()
	require.NoError(t, err)
	require.Len(t, groups, 1)
	assert.Equal(t, int64(entries), groups[0].EntriesRead)
	assert.Zero(t, groups[0].Lag)
	assert.Equal(t, strconv.Itoa(entries)+"-0", groups[0].LastDeliveredID)
	assert.Equal(t, int64(entries), admin.XLen(ctx, run.stream).Val())
	t.Logf("%s: %d entries, the victim died holding %d (%s...%s)", s.name, entries, len(orphans), orphans[0], orphans[len(orphans)-1])
}

// produce adds entries 1-0 ... n-0, workerProduceBy to a pipeline.
func (r *workerRun) produce(ctx context.Context, rdb *redis.Client, n int) error {
	defer r.produced.Store(true)
	for start := 1; start <= n; start += workerProduceBy {
		pipe := rdb.Pipeline()
		for i := start; i < start+workerProduceBy && i <= n; i++ {
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: r.stream, ID: strconv.Itoa(i) + "-0", Values: []string{"order", strconv.Itoa(i)}})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// ack acknowledges ids one XACK each (pipelined), counting those that
// answer 1.
func (r *workerRun) ack(ctx context.Context, rdb *redis.Client, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	pipe := rdb.Pipeline()
	cmds := make([]*redis.IntCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.XAck(ctx, r.stream, r.group, id)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return err
	}
	for i, c := range cmds {
		if c.Val() != 1 {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(ids[i], "-0"))
		if err != nil || n < 1 || n > len(r.acks) {
			return fmt.Errorf("acknowledged an entry the producer did not add: %q", ids[i])
		}
		r.acks[n-1].Add(1)
		r.acked.Add(1)
	}
	return nil
}

// read returns the IDs of the next batch of new entries for consumer, none
// when XREADGROUP's BLOCK ran out.
func (r *workerRun) read(ctx context.Context, rdb *redis.Client, consumer string) ([]string, error) {
	streams, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: r.group, Consumer: consumer,
		Streams: []string{r.stream, ">"}, Count: workerBatch, Block: workerBlock}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, st := range streams {
		for _, m := range st.Messages {
			ids = append(ids, m.ID)
		}
	}
	return ids, nil
}

// work is a surviving worker: it consumes new entries, and when there are
// none takes over entries pending for longer than workerMinIdle, until
// every entry is acknowledged.
func (r *workerRun) work(ctx context.Context, rdb *redis.Client, name string, n int) error {
	for r.acked.Load() < int64(n) {
		if ctx.Err() != nil {
			return fmt.Errorf("%d of %d entries acknowledged at the deadline", r.acked.Load(), n)
		}
		ids, err := r.read(ctx, rdb, name)
		if err != nil {
			return err
		}
		if len(ids) == 0 && r.produced.Load() {
			if ids, err = r.autoclaim(ctx, rdb, name); err != nil {
				return err
			}
		}
		if err := r.ack(ctx, rdb, ids); err != nil {
			return err
		}
	}
	return nil
}

// autoclaim takes over up to workerBatch entries idle for workerMinIdle,
// scanning the whole pending list, and returns their IDs.
func (r *workerRun) autoclaim(ctx context.Context, rdb *redis.Client, name string) ([]string, error) {
	var ids []string
	for start := "0-0"; ; {
		msgs, next, err := rdb.XAutoClaimJustID(ctx, &redis.XAutoClaimArgs{Stream: r.stream, Group: r.group,
			MinIdle: workerMinIdle, Start: start, Count: workerBatch, Consumer: name}).Result()
		if err != nil {
			return nil, err
		}
		ids = append(ids, msgs...)
		if next == "0-0" || len(ids) >= workerBatch {
			return ids, nil
		}
		start = next
	}
}

// victim works like the others until at least after entries have been
// added, then reads one batch and closes its connection without
// acknowledging it; it sends the IDs it died holding on dead.
func (r *workerRun) victim(ctx context.Context, rdb *redis.Client, after int, dead chan<- []string) error {
	defer close(dead)
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ids, err := r.read(ctx, rdb, "victim")
		if err != nil {
			return err
		}
		if len(ids) > 0 && idNumber(ids[0]) > after {
			rdb.Close() // killed: the batch stays pending for "victim"
			dead <- ids
			return nil
		}
		if err := r.ack(ctx, rdb, ids); err != nil {
			return err
		}
	}
}

// idNumber returns the milliseconds part of an entry ID of the run.
func idNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(id, "-0"))
	return n
}
