package db

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkAccounting checks the invariant memory.go keeps: each database's
// running total is the sum of keyBytes over its keys.
func checkAccounting(t *testing.T, ks *Keyspace) {
	t.Helper()
	for _, d := range ks.dbs {
		var sum int64
		d.keys.LockAll()
		for s := 0; s < d.keys.ShardCount(); s++ {
			d.keys.ForEachLocked(s, func(e *Entry) bool { sum += keyBytes(e); return true })
		}
		d.keys.UnlockAll()
		assert.Equal(t, sum, d.mem.Load(), "db %d: the running total is not the sum of its keys", d.index)
	}
}

func TestAllocSize(t *testing.T) {
	for _, tc := range []struct{ n, want int64 }{
		{0, 0}, {1, 8}, {8, 8}, {9, 16}, {17, 32}, {100, 112}, {128, 128}, {129, 144}, {1000, 1024}, {1024, 1024}, {1025, 1152},
	} {
		assert.Equal(t, tc.want, allocSize(tc.n), "allocSize(%d)", tc.n)
	}
}

// TestAccountingModel runs random writes of every family, with deadlines,
// renames, moves, copies, transactions and flushes, and checks after each
// step that the running totals equal a scan's sum.
func TestAccountingModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	ks := New(NewTable(), 4)
	cl := &Client{}
	key := func() string { return "k" + strconv.Itoa(r.IntN(12)) }
	val := func() string { return fmt.Sprintf("%0*d", r.IntN(70), r.IntN(1000)) }
	gens := []func() []string{
		func() []string { return []string{"SET", key(), val()} },
		func() []string { return []string{"APPEND", key(), val()} },
		func() []string { return []string{"SETRANGE", key(), strconv.Itoa(r.IntN(100)), val()} },
		func() []string { return []string{"INCR", key()} },
		func() []string { return []string{"MSET", key(), val(), key(), val(), key(), val()} },
		func() []string { return []string{"RPUSH", key(), val(), val()} },
		func() []string { return []string{"LPOP", key()} },
		func() []string { return []string{"HSET", key(), val(), val()} },
		func() []string { return []string{"HDEL", key(), val()} },
		func() []string { return []string{"SADD", key(), val(), strconv.Itoa(r.IntN(9))} },
		func() []string { return []string{"SPOP", key()} },
		func() []string { return []string{"ZADD", key(), strconv.Itoa(r.IntN(9)), val()} },
		func() []string { return []string{"ZPOPMIN", key()} },
		func() []string { return []string{"SUNIONSTORE", key(), key(), key()} },
		func() []string { return []string{"PEXPIRE", key(), strconv.Itoa(r.IntN(5))} },
		func() []string { return []string{"PERSIST", key()} },
		func() []string { return []string{"DEL", key(), key()} },
		func() []string { return []string{"RENAME", key(), key()} },
		func() []string { return []string{"MOVE", key(), strconv.Itoa(r.IntN(4))} },
		func() []string { return []string{"COPY", key(), key(), "DB", strconv.Itoa(r.IntN(4)), "REPLACE"} },
		func() []string { return []string{"SELECT", strconv.Itoa(r.IntN(4))} },
		func() []string { return []string{"SORT", key(), "ALPHA", "STORE", key()} },
		func() []string { return []string{"GET", key()} },
		func() []string { return []string{"SWAPDB", strconv.Itoa(r.IntN(4)), strconv.Itoa(r.IntN(4))} },
	}
	for i := 0; i < 3000; i++ {
		switch r.IntN(200) {
		case 0:
			run(ks, cl, []string{"FLUSHDB"})
		case 1:
			run(ks, cl, []string{"MULTI"}, gens[r.IntN(len(gens))](), gens[r.IntN(len(gens))](), []string{"EXEC"})
		default:
			run(ks, cl, gens[r.IntN(len(gens))]())
		}
		if i%100 == 0 {
			checkAccounting(t, ks)
		}
	}
	checkAccounting(t, ks)
	require.Positive(t, ks.MemUsage().Dataset+1)
}

// TestAccountingBracketPaths checks the totals after writes that take
// each path of a bracket: a key found live and reused by the command's
// lookup, a key absent and added, a key past its deadline dropped by the
// command's lookup (and replaced or not), a key deleted and added again
// within one command, a key listed twice, a key never looked up, and
// SORT's STORE, which opens a bracket of its own.
func TestAccountingBracketPaths(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmds [][]string
	}{
		{"overwrite", [][]string{{"SET", "k", "v"}, {"SET", "k", "longer value"}, {"SET", "k", "v"}}},
		{"add", [][]string{{"SET", "k", "v"}, {"SETNX", "n", "v"}, {"APPEND", "a", "xyz"}}},
		{"expired, replaced", [][]string{{"SET", "k", "v", "PX", "1"}, {"SLEEP"}, {"SET", "k", "other"}}},
		{"expired, dropped", [][]string{{"SET", "k", "v", "PX", "1"}, {"SLEEP"}, {"SET", "k", "w", "XX"}}},
		{"expired, in place", [][]string{{"RPUSH", "k", "a", "b"}, {"PEXPIRE", "k", "1"}, {"SLEEP"}, {"RPUSH", "k", "c"}}},
		{"expired, unread", [][]string{{"SET", "k", "v", "PX", "1"}, {"SLEEP"}, {"DEL", "k"}}},
		{"deleted", [][]string{{"SET", "k", "v"}, {"GETDEL", "k"}, {"SET", "k", "v"}, {"DEL", "k", "k"}}},
		{"renamed onto itself", [][]string{{"SET", "k", "v"}, {"RENAME", "k", "k"}}},
		{"renamed", [][]string{{"SET", "a", "v"}, {"SET", "b", "longer"}, {"RENAME", "a", "b"}, {"RENAME", "b", "c"}}},
		{"listed twice", [][]string{{"MSET", "k", "v", "k", "longer value", "j", "x"}}},
		{"stored over a collection", [][]string{{"RPUSH", "k", "a"}, {"SET", "k", "v"}, {"SADD", "s", "1", "2"}, {"SUNIONSTORE", "k", "s"}}},
		{"deadline in the past", [][]string{{"SET", "k", "v"}, {"SET", "k", "w", "PXAT", "1"}, {"GET", "k"}}},
		{"never looked up", [][]string{{"SET", "k", "v"}, {"SET", "k", "w", "BOGUS"}, {"SET", "k", "w", "EX", "x"}}},
		{"sort store", [][]string{{"RPUSH", "l", "b", "a"}, {"SORT", "l", "ALPHA", "STORE", "d"}, {"SORT", "l", "ALPHA", "STORE", "d"}, {"SORT", "none", "STORE", "d"}}},
		{"transaction", [][]string{{"MULTI"}, {"SET", "k", "v"}, {"DEL", "k"}, {"SET", "k", "longer"}, {"APPEND", "k", "!"}, {"EXEC"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := New(NewTable(), 16)
			cl := &Client{}
			for _, cmd := range tc.cmds {
				if cmd[0] == "SLEEP" {
					time.Sleep(3 * time.Millisecond)
					continue
				}
				run(ks, cl, cmd)
				checkAccounting(t, ks)
			}
		})
	}
}

// BenchmarkAccountedWrites runs writes of each shape through the keyspace,
// memory bracket included: compare with the bracket disabled to see what
// accounting costs.
func BenchmarkAccountedWrites(b *testing.B) {
	key := []byte("key:000000000000")
	for _, bc := range []struct {
		name string
		args func(i int) [][]byte
	}{
		{"SET new", func(i int) [][]byte {
			return [][]byte{[]byte("SET"), strconv.AppendInt(key[:4], int64(i), 10), []byte("xxx")}
		}},
		{"SET overwrite", func(int) [][]byte { return [][]byte{[]byte("SET"), key, []byte("xxx")} }},
		{"SET EX", func(int) [][]byte {
			return [][]byte{[]byte("SET"), key, []byte("xxx"), []byte("EX"), []byte("100000")}
		}},
		{"XADD", func(int) [][]byte { return [][]byte{[]byte("XADD"), key, []byte("*"), []byte("f"), []byte("v")} }},
		{"HSET", func(i int) [][]byte {
			return [][]byte{[]byte("HSET"), key, strconv.AppendInt(nil, int64(i%1000), 10), []byte("v")}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) { benchExecEach(b, nil, bc.args) })
	}
}
