package db

import (
	"bytes"
	"sync"
	"testing"

	"myredis/resp"
)

func TestTransactions(t *testing.T) {
	runCases(t, []cmdCase{
		{"exec runs the queue", [][]string{{"MULTI"}, {"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}, {"EXEC"}},
			"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n"},
		{"runtime errors in place", [][]string{{"SET", "s", "x"}, {"MULTI"}, {"INCR", "s"}, {"SET", "b", "1"}, {"EXEC"}, {"GET", "b"}},
			"+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n$1\r\n1\r\n"},
		{"queue errors abort", [][]string{{"MULTI"}, {"SET", "a", "1"}, {"NOPE"}, {"GET"}, {"EXEC"}, {"GET", "a"}},
			"+OK\r\n+QUEUED\r\n-ERR unknown command 'NOPE', with args beginning with: \r\n-ERR wrong number of arguments for 'get' command\r\n" +
				"-EXECABORT Transaction discarded because of previous errors.\r\n$-1\r\n"},
		{"nesting and misuse", [][]string{{"EXEC"}, {"DISCARD"}, {"MULTI"}, {"MULTI"}, {"WATCH", "k"}, {"EXEC"}},
			"-ERR EXEC without MULTI\r\n-ERR DISCARD without MULTI\r\n+OK\r\n-ERR MULTI calls can not be nested\r\n-ERR WATCH inside MULTI is not allowed\r\n*0\r\n"},
		{"discard", [][]string{{"MULTI"}, {"SET", "a", "1"}, {"DISCARD"}, {"GET", "a"}},
			"+OK\r\n+QUEUED\r\n+OK\r\n$-1\r\n"},
		{"select inside a transaction", [][]string{{"MULTI"}, {"SELECT", "2"}, {"SET", "a", "1"}, {"EXEC"}, {"GET", "a"}, {"SELECT", "0"}, {"GET", "a"}},
			"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n+OK\r\n$1\r\n1\r\n+OK\r\n$-1\r\n"},
		{"keyless commands take the keyspace", [][]string{{"SET", "a", "1"}, {"MULTI"}, {"DBSIZE"}, {"FLUSHDB"}, {"DBSIZE"}, {"EXEC"}},
			"+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n:1\r\n+OK\r\n:0\r\n"},
		{"own write does not break own watch", [][]string{{"WATCH", "a"}, {"MULTI"}, {"SET", "a", "1"}, {"EXEC"}},
			"+OK\r\n+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n"},
		{"unwatch", [][]string{{"WATCH", "a"}, {"UNWATCH"}, {"SET", "a", "1"}, {"MULTI"}, {"EXEC"}},
			"+OK\r\n+OK\r\n+OK\r\n+OK\r\n*0\r\n"},
	})
}

// TestWatchInvalidation checks each way another client can break a WATCH.
func TestWatchInvalidation(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup [][]string
		other [][]string
		abort bool
	}{
		{"write", nil, [][]string{{"SET", "k", "x"}}, true},
		{"no-op write", [][]string{{"SET", "k", "v"}}, [][]string{{"SETNX", "k", "x"}}, false},
		{"read", [][]string{{"SET", "k", "v"}}, [][]string{{"GET", "k"}}, false},
		{"other key", nil, [][]string{{"SET", "j", "x"}}, false},
		{"delete", [][]string{{"SET", "k", "v"}}, [][]string{{"DEL", "k"}}, true},
		{"expire set", [][]string{{"SET", "k", "v"}}, [][]string{{"EXPIRE", "k", "100"}}, true},
		{"expired before exec", [][]string{{"SET", "k", "v"}}, [][]string{{"PEXPIREAT", "k", "1"}}, true},
		{"flushdb with the key", [][]string{{"SET", "k", "v"}}, [][]string{{"FLUSHDB"}}, true},
		{"flushall without the key", nil, [][]string{{"FLUSHALL"}}, false},
		{"swapdb", [][]string{{"SELECT", "1"}, {"SET", "k", "v"}, {"SELECT", "0"}}, [][]string{{"SWAPDB", "0", "1"}}, true},
		{"rename onto it", [][]string{{"SET", "src", "v"}}, [][]string{{"RENAME", "src", "k"}}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ks := New(NewTable(), 16)
			me, other := &Client{ID: 1}, &Client{ID: 2}
			run(ks, me, tt.setup...)
			run(ks, me, []string{"WATCH", "k"})
			run(ks, other, tt.other...)
			got := run(ks, me, []string{"MULTI"}, []string{"PING"}, []string{"EXEC"})
			want := "+OK\r\n+QUEUED\r\n*1\r\n+PONG\r\n"
			if tt.abort {
				want = "+OK\r\n+QUEUED\r\n*-1\r\n"
			}
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
			if n := ks.watched.count.Load(); n != 0 {
				t.Errorf("%d watch registrations left after EXEC", n)
			}
		})
	}
}

func TestTransactionPropagation(t *testing.T) {
	ks := New(NewTable(), 16)
	var log []string
	ks.OnWrite(func(db int, args [][]byte) uint64 {
		line := ""
		for _, a := range args {
			line += string(a) + " "
		}
		log = append(log, line)
		return 0
	})
	run(ks, &Client{}, []string{"MULTI"}, []string{"GET", "a"}, []string{"SET", "a", "1"}, []string{"INCR", "a"}, []string{"EXEC"},
		[]string{"MULTI"}, []string{"GET", "a"}, []string{"EXEC"})
	want := []string{"MULTI ", "SET a 1 ", "INCR a ", "EXEC "}
	if len(log) != len(want) {
		t.Fatalf("log %q, want %q", log, want)
	}
	for i := range want {
		if log[i] != want[i] {
			t.Errorf("log %q, want %q", log, want)
		}
	}
}

// TestSeckill is the flash-sale pattern: clients WATCH the stock, read it,
// and DECR it in a transaction, retrying on abort. Exactly the stock sells.
func TestSeckill(t *testing.T) {
	ks := New(NewTable(), 16)
	run(ks, &Client{}, []string{"SET", "stock", "100"})
	var wg sync.WaitGroup
	var mu sync.Mutex
	sold := 0
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &Client{ID: int64(i + 10)}
			for attempt := 0; attempt < 1000; attempt++ {
				run(ks, cl, []string{"WATCH", "stock"})
				if got := run(ks, cl, []string{"GET", "stock"}); got == "$1\r\n0\r\n" {
					run(ks, cl, []string{"UNWATCH"})
					return
				}
				if got := run(ks, cl, []string{"MULTI"}, []string{"DECR", "stock"}, []string{"EXEC"}); got != "+OK\r\n+QUEUED\r\n*-1\r\n" {
					mu.Lock()
					sold++
					mu.Unlock()
					return
				}
			}
			t.Error("gave up after 1000 attempts")
		}()
	}
	wg.Wait()
	if sold != 100 {
		t.Errorf("sold %d, want 100", sold)
	}
	if got := run(ks, &Client{}, []string{"GET", "stock"}); got != "$1\r\n0\r\n" {
		t.Errorf("stock = %q, want 0", got)
	}
}

// BenchmarkMultiExec runs MULTI, three SETs and EXEC, as the server would.
func BenchmarkMultiExec(b *testing.B) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	var out bytes.Buffer
	w := resp.NewWriter(&out)
	lines := [][][]byte{
		{[]byte("MULTI")},
		{[]byte("SET"), []byte("a"), []byte("1")},
		{[]byte("SET"), []byte("b"), []byte("2")},
		{[]byte("SET"), []byte("c"), []byte("3")},
		{[]byte("EXEC")},
	}
	cmds := make([]*Command, len(lines))
	for i, l := range lines {
		cmds[i], _ = ks.Table().Lookup(l)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, l := range lines {
			if cl.Queues(cmds[i]) {
				ks.Queue(cl, cmds[i], l, w)
			} else {
				ks.Exec(cl, cmds[i], l, w)
			}
		}
		out.Reset()
		w.Flush()
	}
}
