package db

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestForEachKey walks a database: every live key once, none of another
// database, none past its deadline, and nothing deleted by the walk.
func TestForEachKey(t *testing.T) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	var want []string
	for i := range 1000 {
		k := fmt.Sprintf("k%d", i)
		want = append(want, k)
		run(ks, cl, []string{"SET", k, "v"})
	}
	run(ks, cl, []string{"SET", "dead", "v"})
	pastDeadline(t, ks, 0, "dead")
	run(ks, cl, []string{"SELECT", "1"}, []string{"SET", "other-db", "v"})

	var got []string
	ks.ForEachKey(0, nowMillis(), func(key []byte) bool {
		got = append(got, string(key))
		return true
	})
	slices.Sort(got)
	slices.Sort(want)
	assert.Equal(t, want, got)
	assert.Equal(t, 1001, ks.dbs[0].Len(), "the walk deleted nothing, not even the expired key")

	// At a time before the deadline, the key is live.
	found := false
	ks.ForEachKey(0, 0, func(key []byte) bool {
		found = found || string(key) == "dead"
		return true
	})
	assert.True(t, found, "a key is live before its deadline")
}

// TestForEachKeyStops stops the walk at the first key.
func TestForEachKeyStops(t *testing.T) {
	ks := New(NewTable(), 16)
	for i := range 100 {
		run(ks, &Client{}, []string{"SET", fmt.Sprint(i), "v"})
	}
	calls := 0
	ks.ForEachKey(0, nowMillis(), func([]byte) bool {
		calls++
		return false
	})
	assert.Equal(t, 1, calls)
}

// TestForEachKeyUnderExclusiveGate walks from inside a transaction that
// holds the gate exclusively, as a FlagOwnLocks command queued in MULTI
// does, while other clients write: the walk locks shards itself, so it
// neither deadlocks nor leaves a shard locked.
func TestForEachKeyUnderExclusiveGate(t *testing.T) {
	tbl := NewTable()
	var counted []int
	tbl.Register(&Command{Name: "walkcount", Arity: 1, Flags: FlagReadonly | FlagOwnLocks,
		Run: func(c *Ctx) {
			n := 0
			c.Keyspace().ForEachKey(c.DB.Index(), c.Now, func([]byte) bool { n++; return true })
			counted = append(counted, n)
			c.W.WriteInt(int64(n))
		}})
	ks := New(tbl, 16)
	for i := range 200 {
		run(ks, &Client{}, []string{"SET", fmt.Sprint(i), "v"})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		writer := &Client{ID: 7}
		for i := range 2000 {
			run(ks, writer, []string{"SET", fmt.Sprint(i % 200), "w"})
		}
	}()
	finished := make(chan string, 1)
	go func() {
		cl := &Client{ID: 3}
		var out string
		for range 50 {
			out = run(ks, cl, []string{"MULTI"}, []string{"WALKCOUNT"}, []string{"DBSIZE"}, []string{"EXEC"})
		}
		finished <- out
	}()
	select {
	case out := <-finished:
		assert.Equal(t, "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:200\r\n:200\r\n", out)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "a transaction walking the keys did not finish within 10s")
	}
	<-done
	assert.Equal(t, ":200\r\n", run(ks, &Client{}, []string{"WALKCOUNT"}))
	// Every shard is unlocked again.
	for s := range ks.dbs[0].keys.ShardCount() {
		ks.dbs[0].keys.LockShard(s)
		ks.dbs[0].keys.UnlockShard(s)
	}
	assert.Len(t, counted, 51)
}
