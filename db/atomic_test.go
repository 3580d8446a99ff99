package db

import (
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"myredis/resp"
)

// logged records what the write hooks receive, one line per write,
// "db:ARGS" (MULTI and EXEC included), and stamps each.
type logged struct {
	mu    sync.Mutex
	lines []string
	seq   uint64
}

func (l *logged) hook(ks *Keyspace) {
	ks.OnWrite(func(db int, args [][]byte) uint64 {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.lines = append(l.lines, line(db, args))
		l.seq++
		return l.seq
	})
	ks.OnTransaction(func(writes []Write) uint64 {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.lines = append(l.lines, "MULTI")
		for _, w := range writes {
			l.lines = append(l.lines, line(w.DB, w.Args))
		}
		l.lines = append(l.lines, "EXEC")
		l.seq++
		return l.seq
	})
}

func (l *logged) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lines
	l.lines = nil
	return out
}

func line(db int, args [][]byte) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = string(a)
	}
	return string(rune('0'+db)) + ":" + strings.Join(parts, " ")
}

// atomicExec runs a command line in a, returning its reply.
func atomicExec(t *testing.T, ks *Keyspace, a *Atomic, words ...string) (string, error) {
	t.Helper()
	args := make([][]byte, len(words))
	for i, w := range words {
		args[i] = []byte(w)
	}
	cmd, msg := ks.Table().Lookup(args)
	require.NotNil(t, cmd, msg)
	var out strings.Builder
	w := resp.NewWriter(&out)
	err := a.Exec(cmd, args, w)
	w.Flush()
	return out.String(), err
}

func keyList(words ...string) [][]byte {
	out := make([][]byte, len(words))
	for i, w := range words {
		out[i] = []byte(w)
	}
	return out
}

func TestAtomicPropagatesLikeRedis(t *testing.T) {
	ks := New(NewTable(), 16)
	var log logged
	log.hook(ks)
	caller := &Client{ID: 7}
	var a Atomic

	// No write: nothing logged.
	require.NoError(t, ks.BeginAtomic(&a, caller, keyList("k"), false, 0))
	got, err := atomicExec(t, ks, &a, "GET", "k")
	require.NoError(t, err)
	assert.Equal(t, "$-1\r\n", got)
	a.End()
	assert.Empty(t, log.take())
	assert.Zero(t, caller.Observed)

	// One write: logged alone, its stamp observed by the caller.
	require.NoError(t, ks.BeginAtomic(&a, caller, keyList("k"), false, 0))
	_, err = atomicExec(t, ks, &a, "SET", "k", "1")
	require.NoError(t, err)
	a.End()
	assert.Equal(t, []string{"0:SET k 1"}, log.take())
	assert.Equal(t, uint64(1), caller.Observed)

	// Several, in other databases too: one MULTI … EXEC block. SELECT
	// changes the section's database, not the caller's.
	require.NoError(t, ks.BeginAtomic(&a, caller, keyList("k"), true, 0))
	for _, cmd := range [][]string{{"INCR", "k"}, {"SELECT", "5"}, {"SET", "x", "y"}} {
		_, err := atomicExec(t, ks, &a, cmd...)
		require.NoError(t, err)
	}
	assert.Equal(t, 5, a.DB())
	assert.True(t, a.Escaped(), "x in database 5 is not a declared key")
	a.End()
	assert.Equal(t, []string{"MULTI", "0:INCR k", "5:SET x y", "EXEC"}, log.take())
	assert.Equal(t, 0, caller.DB)
	assert.Equal(t, "$1\r\n2\r\n", run(ks, caller, []string{"GET", "k"}))

	// SetLogging(false): applied, not logged (redis.set_repl(REPL_NONE)).
	require.NoError(t, ks.BeginAtomic(&a, caller, keyList("k"), false, 0))
	a.SetLogging(false)
	_, err = atomicExec(t, ks, &a, "SET", "k", "quiet")
	require.NoError(t, err)
	a.End()
	assert.Empty(t, log.take())
	assert.Equal(t, "$5\r\nquiet\r\n", run(ks, caller, []string{"GET", "k"}))
}

func TestAtomicDeclaredKeys(t *testing.T) {
	ks := New(NewTable(), 16)
	caller := &Client{ID: 1}
	var a Atomic

	// Before a write, an undeclared key (or the whole keyspace) ends the
	// attempt without running anything.
	require.NoError(t, ks.BeginAtomic(&a, caller, keyList("a"), false, 0))
	_, err := atomicExec(t, ks, &a, "SET", undeclared(ks, "a"), "v")
	assert.ErrorIs(t, err, ErrUndeclared)
	_, err = atomicExec(t, ks, &a, "DBSIZE")
	assert.ErrorIs(t, err, ErrUndeclared)
	assert.False(t, a.Dirty())
	a.End()
	assert.Equal(t, ":0\r\n", run(ks, caller, []string{"DBSIZE"}))

	// After a write, a free shard is taken; a command on the whole
	// keyspace is refused.
	require.NoError(t, ks.BeginAtomic(&a, caller, keyList("a"), false, 0))
	_, err = atomicExec(t, ks, &a, "SET", "a", "1")
	require.NoError(t, err)
	other := undeclared(ks, "a")
	got, err := atomicExec(t, ks, &a, "SET", other, "2")
	require.NoError(t, err)
	assert.Equal(t, "+OK\r\n", got)
	_, err = atomicExec(t, ks, &a, "FLUSHALL")
	assert.ErrorIs(t, err, ErrNotAtomic)
	a.End()
	assert.Equal(t, ":2\r\n", run(ks, caller, []string{"DBSIZE"}))

	// A shard another client holds is not waited for out of order: the
	// call fails after a bounded wait, and the earlier write stays.
	held := undeclared(ks, "a")
	d := ks.dbs[0]
	d.keys.LockShard(d.keys.ShardOf([]byte(held)))
	require.NoError(t, ks.BeginAtomic(&a, caller, keyList("a"), false, 0))
	_, err = atomicExec(t, ks, &a, "SET", "a", "3")
	require.NoError(t, err)
	start := time.Now()
	_, err = atomicExec(t, ks, &a, "GET", held)
	assert.ErrorIs(t, err, ErrNotAtomic)
	assert.Less(t, time.Since(start), time.Second)
	a.End()
	d.keys.UnlockShard(d.keys.ShardOf([]byte(held)))
	assert.Equal(t, "$1\r\n3\r\n", run(ks, caller, []string{"GET", "a"}))
}

// undeclared returns a key in another shard than declared's.
func undeclared(ks *Keyspace, declared string) string {
	d := ks.dbs[0]
	for i := 0; ; i++ {
		k := "other" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		if d.keys.ShardOf([]byte(k)) != d.keys.ShardOf([]byte(declared)) {
			return k
		}
	}
}

// TestAtomicConcurrency checks what other clients may do meanwhile: while
// a declared section holds its keys, commands on other shards run and
// commands on its keys wait; while an exclusive section runs, no command
// that touches the keyspace does, but PING does.
func TestAtomicConcurrency(t *testing.T) {
	ks := New(NewTable(), 16)
	caller, other := &Client{ID: 1}, &Client{ID: 2}
	var a Atomic

	require.NoError(t, ks.BeginAtomic(&a, caller, keyList("a"), false, 0))
	assert.Equal(t, "+OK\r\n", run(ks, other, []string{"SET", undeclared(ks, "a"), "x"}), "another shard runs")
	waited := make(chan string)
	go func() { waited <- run(ks, &Client{ID: 3}, []string{"GET", "a"}) }()
	select {
	case <-waited:
		t.Fatal("GET of a held key did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	_, err := atomicExec(t, ks, &a, "SET", "a", "mine")
	require.NoError(t, err)
	a.End()
	assert.Equal(t, "$4\r\nmine\r\n", <-waited, "the reader sees the section whole")

	require.NoError(t, ks.BeginAtomic(&a, caller, nil, true, 0))
	assert.Equal(t, "+PONG\r\n", run(ks, other, []string{"PING"}), "PING needs no gate")
	go func() { waited <- run(ks, other, []string{"GET", undeclared(ks, "a")}) }()
	select {
	case <-waited:
		t.Fatal("a command ran during an exclusive section")
	case <-time.After(50 * time.Millisecond):
	}
	a.End()
	assert.Equal(t, "$1\r\nx\r\n", <-waited)
}

// TestAtomicNestedInExec runs a command that opens a section (as EVAL
// does) inside MULTI: the transaction takes the whole keyspace, and the
// section's writes join the transaction's block.
func TestAtomicNestedInExec(t *testing.T) {
	tab := NewTable()
	tab.Register(&Command{Name: "twoset", Arity: 3, Flags: FlagTakesGate | FlagMayReplicate, Group: "generic",
		Since: "7.0.0", Summary: "test", KeySpecs: []KeySpec{{Flags: KeyOW, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		Run: func(c *Ctx) {
			var a Atomic
			if err := c.Keyspace().BeginAtomic(&a, c.Client, c.Args[1:2], false, c.Now); err != nil {
				c.W.WriteError(err.Error())
				return
			}
			defer a.End()
			w := resp.NewWriter(io.Discard)
			b := []byte(undeclared(c.Keyspace(), string(c.Args[1])))
			for _, args := range [][][]byte{{[]byte("SET"), c.Args[1], c.Args[2]}, {[]byte("SET"), b, c.Args[2]}} {
				cmd, _ := c.Keyspace().Table().Lookup(args)
				if err := a.Exec(cmd, args, w); err != nil {
					c.W.WriteError("ERR " + err.Error())
					return
				}
			}
			c.WriteOK()
		}})
	ks := New(tab, 16)
	var log logged
	log.hook(ks)
	cl := &Client{ID: 1}

	// Alone: it takes the key it did not declare after its first write,
	// and logs both writes as one block.
	other := undeclared(ks, "a")
	assert.Equal(t, "+OK\r\n", run(ks, cl, []string{"TWOSET", "a", "0"}))
	assert.Equal(t, []string{"MULTI", "0:SET a 0", "0:SET " + other + " 0", "EXEC"}, log.take())

	got := run(ks, cl, []string{"MULTI"}, []string{"SET", "c", "0"}, []string{"TWOSET", "a", "1"}, []string{"EXEC"})
	assert.Equal(t, "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n+OK\r\n", got)
	assert.Equal(t, []string{"MULTI", "0:SET c 0", "0:SET a 1", "0:SET " + other + " 1", "EXEC"}, log.take())
}

// TestWaitersGiveUpOnBusyScript: commands waiting for the locks of a
// script that becomes busy answer its error instead of waiting on, as Redis
// answers the commands it read meanwhile.
func TestWaitersGiveUpOnBusyScript(t *testing.T) {
	ks := New(NewTable(), 16)
	var mu sync.Mutex
	running, busy := false, ""
	ks.SetScriptWait(func() bool { mu.Lock(); defer mu.Unlock(); return running },
		func() string { mu.Lock(); defer mu.Unlock(); return busy })
	setBusy := func(r bool, b string) { mu.Lock(); running, busy = r, b; mu.Unlock() }

	setBusy(true, "")
	var a Atomic
	require.NoError(t, ks.BeginAtomic(&a, &Client{ID: 1}, keyList("a"), false, 0))
	replies := make(chan string, 3)
	go func() { replies <- run(ks, &Client{ID: 2}, []string{"GET", "a"}) }()
	go func() {
		replies <- run(ks, &Client{ID: 3}, []string{"MULTI"}, []string{"SET", "a", "1"}, []string{"EXEC"})
	}()
	go func() {
		var b Atomic
		if err := ks.BeginAtomic(&b, &Client{ID: 4}, nil, true, 0); err != nil {
			replies <- err.Error()
			return
		}
		b.End()
		replies <- "opened"
	}()
	time.Sleep(20 * time.Millisecond)
	setBusy(true, "BUSY busy")
	got := []string{<-replies, <-replies, <-replies}
	assert.ElementsMatch(t, []string{"-BUSY busy\r\n", "+OK\r\n+QUEUED\r\n-EXECABORT Transaction discarded because of: BUSY busy\r\n", "BUSY busy"}, got)
	a.End()
	setBusy(false, "")
	assert.Equal(t, "$-1\r\n", run(ks, &Client{ID: 2}, []string{"GET", "a"}))
}
