package main

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitTimeout bounds every wait of these tests.
const waitTimeout = 5 * time.Second

// nextN takes n IDs from g and returns them.
func nextN(t *testing.T, g *Generator, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		id, err := g.Next(context.Background())
		require.NoError(t, err)
		ids[i] = id
	}
	return ids
}

// seq returns from, from+1, ..., to.
func seq(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func TestGeneratorServesConsecutiveIDsFromBlocks(t *testing.T) {
	st := newFakeStore()
	g := NewGenerator(st, "k", 10)
	require.NoError(t, g.Set(context.Background(), 100))
	assert.Equal(t, seq(101, 350), nextN(t, g, 250))
	// 25 blocks served, the 26th leased in advance (in the background).
	require.Eventually(t, func() bool {
		leases := 0
		for _, op := range st.opLog() {
			if op == "lease k" {
				leases++
			}
		}
		return leases == 26
	}, waitTimeout, time.Millisecond)
}

func TestGeneratorPrefetchesWithoutMakingCallersWait(t *testing.T) {
	st := newFakeStore()
	g := NewGenerator(st, "k", 10)
	require.NoError(t, g.Set(context.Background(), 0))

	gate, started := st.setGate()
	got := make(chan []int64)
	go func() { // the first Next waits for the first lease
		id, err := g.Next(context.Background())
		assert.NoError(t, err)
		got <- []int64{id}
	}()
	<-started
	close(gate)
	assert.Equal(t, []int64{1}, <-got)

	gate, started = st.setGate()
	// 2..8 leave 2 IDs (a fifth): the next lease starts in the background.
	assert.Equal(t, seq(2, 8), nextN(t, g, 7))
	select {
	case <-started:
	case <-time.After(waitTimeout):
		t.Fatal("no lease started at 20% left")
	}
	// The lease is held up, yet the rest of the block is served at once.
	assert.Equal(t, seq(9, 10), nextN(t, g, 2))
	go func() {
		got <- nextN(t, g, 1)
	}()
	select {
	case ids := <-got:
		t.Fatalf("Next returned %v before the lease was acknowledged", ids)
	case <-time.After(50 * time.Millisecond):
	}
	close(gate)
	assert.Equal(t, []int64{11}, <-got)
}

// leaseStarted fails t unless a lease reports its start on started.
func leaseStarted(t *testing.T, started chan string, what string) {
	t.Helper()
	select {
	case <-started:
	case <-time.After(waitTimeout):
		t.Fatal("no lease started " + what)
	}
}

// noLeaseStarted fails t if a lease reports its start on started.
func noLeaseStarted(t *testing.T, started chan string, what string) {
	t.Helper()
	select {
	case <-started:
		t.Fatal("a lease started " + what)
	default:
	}
}

func TestGeneratorLatePrefetchStartsLeasesEarlier(t *testing.T) {
	st := newFakeStore()
	g := NewGenerator(st, "k", 10)
	require.NoError(t, g.Set(context.Background(), 0))
	assert.Equal(t, seq(1, 7), nextN(t, g, 7)) // 1..10 leased; none in flight yet

	// The prefetch at a fifth left (after 8) is held up until a caller
	// finds the block empty: that caller waits, and the mark doubles.
	gate, started := st.setGate()
	assert.Equal(t, []int64{8}, nextN(t, g, 1))
	leaseStarted(t, started, "at a fifth left")
	assert.Equal(t, seq(9, 10), nextN(t, g, 2))
	got := make(chan []int64)
	go func() { got <- nextN(t, g, 1) }()
	require.Eventually(t, func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.low == 4
	}, waitTimeout, time.Millisecond, "a late prefetch doubles the mark")
	close(gate)
	assert.Equal(t, []int64{11}, <-got)

	// Block 11..20: the next lease now starts with 4 left, after 16.
	gate, started = st.setGate()
	assert.Equal(t, seq(12, 15), nextN(t, g, 4))
	noLeaseStarted(t, started, "with 5 left")
	assert.Equal(t, []int64{16}, nextN(t, g, 1))
	leaseStarted(t, started, "at the doubled mark")
	close(gate)

	// Late again and again: the mark stops at a whole block, where the
	// next lease starts as soon as the block ahead is taken.
	for range 3 {
		gate, _ = st.setGate()
		go func() { got <- nextN(t, g, 20) }() // more than a block: it waits
		require.Eventually(t, func() bool {
			g.mu.Lock()
			defer g.mu.Unlock()
			return g.cur.empty() && g.flight != nil && g.flight.late
		}, waitTimeout, time.Millisecond)
		close(gate)
		<-got
	}
	g.mu.Lock()
	assert.Equal(t, int64(10), g.low)
	g.mu.Unlock()
}

func TestGeneratorRestartContinuesAboveEveryServedID(t *testing.T) {
	st := newFakeStore()
	svc := NewService(st, 10)
	_, err := svc.Next(context.Background(), []byte("k"))
	require.NoError(t, err)
	require.NoError(t, svc.Set(context.Background(), []byte("k"), 0))
	var last int64
	for run := 0; run < 5; run++ {
		// A new process over the same store: the old one "crashed" with
		// up to two blocks unserved.
		svc = NewService(st, 10)
		for i := 0; i < 13*run+1; i++ {
			id, err := svc.Next(context.Background(), []byte("k"))
			require.NoError(t, err)
			require.Greater(t, id, last, "run %d", run)
			last = id
		}
	}
}

func TestGeneratorConcurrentCallersGetUniqueIncreasingIDs(t *testing.T) {
	st := newFakeStore()
	g := NewGenerator(st, "k", 7)
	require.NoError(t, g.Set(context.Background(), 0))
	const workers, each = 8, 2000
	results := make([][]int64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				id, err := g.Next(context.Background())
				if !assert.NoError(t, err) {
					return
				}
				results[w] = append(results[w], id)
			}
		}()
	}
	wg.Wait()
	seen := make(map[int64]bool)
	for w, ids := range results {
		for i, id := range ids {
			require.False(t, seen[id], "ID %d handed out twice", id)
			seen[id] = true
			if i > 0 {
				require.Greater(t, id, ids[i-1], "worker %d", w)
			}
		}
	}
	assert.Len(t, seen, workers*each)
}

func TestGeneratorSetNeverGoesBack(t *testing.T) {
	st := newFakeStore()
	g := NewGenerator(st, "k", 10)
	ctx := context.Background()
	require.NoError(t, g.Set(ctx, 1000))
	assert.Equal(t, seq(1001, 1003), nextN(t, g, 3))
	// As idgo: SET at or below the counter (1010: one block leased)
	// leaves it; the rest of the block is dropped.
	require.NoError(t, g.Set(ctx, 10))
	assert.Equal(t, seq(1011, 1013), nextN(t, g, 3))
	// SET above it raises it.
	require.NoError(t, g.Set(ctx, 5000))
	assert.Equal(t, seq(5001, 5003), nextN(t, g, 3))
	// DEL, then SET, restarts lower.
	_, err := g.Del(ctx)
	require.NoError(t, err)
	require.NoError(t, g.Set(ctx, 7))
	assert.Equal(t, seq(8, 9), nextN(t, g, 2))
}

func TestGeneratorSetWaitsForTheLeaseInFlight(t *testing.T) {
	st := newFakeStore()
	g := NewGenerator(st, "k", 10)
	ctx := context.Background()
	require.NoError(t, g.Set(ctx, 0))
	gate, started := st.setGate()
	concurrent := make(chan int64, 1)
	go func() {
		id, err := g.Next(ctx)
		assert.NoError(t, err)
		concurrent <- id
	}()
	<-started
	setDone := make(chan error)
	go func() { setDone <- g.Set(ctx, 500) }()
	select {
	case err := <-setDone:
		t.Fatalf("Set returned (%v) while a lease was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(gate)
	require.NoError(t, <-setDone)
	// The GET that ran into the SET is served before it (from the old
	// lease) or after it (from the new sequence).
	first := <-concurrent
	require.Contains(t, []int64{1, 501}, first)
	want := seq(501, 502)
	if first == 501 {
		want = seq(502, 503)
	}
	assert.Equal(t, want, nextN(t, g, 2))
	assert.Equal(t, []string{"raise k", "lease k", "raise k", "lease k"}, st.opLog()[:4])
}

func TestServiceUnsetAndDeletedGeneratorsAnswerZero(t *testing.T) {
	st := newFakeStore()
	svc := NewService(st, 10)
	ctx := context.Background()
	k := []byte("k")
	id, err := svc.Next(ctx, k)
	require.NoError(t, err)
	assert.Zero(t, id)
	assert.Nil(t, svc.lookup(k), "GET of an unset key creates no generator")
	ok, err := svc.Exists(ctx, k)
	require.NoError(t, err)
	assert.False(t, ok)

	require.NoError(t, svc.Set(ctx, k, 5))
	id, _ = svc.Next(ctx, k)
	assert.Equal(t, int64(6), id)
	ok, _ = svc.Exists(ctx, k)
	assert.True(t, ok)

	ok, err = svc.Del(ctx, k)
	require.NoError(t, err)
	assert.True(t, ok)
	id, err = svc.Next(ctx, k)
	require.NoError(t, err)
	assert.Zero(t, id, "GET after DEL")
	ok, _ = svc.Del(ctx, k)
	assert.False(t, ok)
	ok, _ = svc.Exists(ctx, k)
	assert.False(t, ok)
}

func TestGeneratorLeaseErrorsReachCallersAndPass(t *testing.T) {
	st := newFakeStore()
	g := NewGenerator(st, "k", 3)
	ctx := context.Background()
	require.NoError(t, g.Set(ctx, 0))
	down := errors.New("connection refused")
	st.setFail(down)
	_, err := g.Next(ctx)
	require.ErrorIs(t, err, down)
	st.setFail(nil)
	assert.Equal(t, seq(1, 4), nextN(t, g, 4))
}

func TestGeneratorDeletedElsewhereNeverRepeats(t *testing.T) {
	st := newFakeStore()
	g := NewGenerator(st, "k", 10)
	ctx := context.Background()
	require.NoError(t, g.Set(ctx, 0))
	assert.Equal(t, seq(1, 5), nextN(t, g, 5))
	// Another process deletes the counter; this one's next lease finds it
	// recreated below what it leased, and puts it back above.
	_, err := st.Del(ctx, "k")
	require.NoError(t, err)
	ids := nextN(t, g, 20)
	assert.Equal(t, seq(6, 10), ids[:5], "the block in memory")
	assert.Greater(t, ids[5], int64(10))
	for i := 6; i < len(ids); i++ {
		assert.Greater(t, ids[i], ids[i-1])
	}
}

func TestServiceSeesASetByAnotherProcessAfterADel(t *testing.T) {
	st := newFakeStore()
	here, there := NewService(st, 10), NewService(st, 10)
	ctx := context.Background()
	k := []byte("k")
	require.NoError(t, here.Set(ctx, k, 0))
	_, err := here.Del(ctx, k)
	require.NoError(t, err)
	id, err := here.Next(ctx, k)
	require.NoError(t, err)
	assert.Zero(t, id)
	require.NoError(t, there.Set(ctx, k, 41))
	id, err = here.Next(ctx, k)
	require.NoError(t, err)
	assert.Equal(t, int64(42), id)
}
