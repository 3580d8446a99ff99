package db

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"myredis/resp"
)

// blockingKeyspace returns a keyspace with two test commands over fakeList:
// TPUSH key item... appends, TBPOP key timeout pops the first item or blocks.
func blockingKeyspace() *Keyspace {
	t := NewTable()
	t.Register(&Command{Name: "tpush", Arity: -3, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, Group: "list",
		Run: func(c *Ctx) {
			e := c.Lookup(c.Args[1])
			if e == nil {
				e = c.Store(c.Args[1], CollectionValue(&fakeList{}), false)
			}
			l := e.Value.Obj().(*fakeList)
			for _, a := range c.Args[2:] {
				l.items = append(l.items, string(a))
			}
			c.SignalReady(c.Args[1], e.Value.Kind())
			c.W.WriteInt(int64(len(l.items)))
		}})
	t.Register(&Command{Name: "tbpop", Arity: 3, Flags: FlagWrite | FlagBlocking, FirstKey: 1, LastKey: 1, Step: 1, Group: "list",
		Run: func(c *Ctx) {
			timeout, ok := c.TimeoutArg(2)
			if !ok {
				return
			}
			e := c.Lookup(c.Args[1])
			if e == nil {
				c.Block(c.Args[1:2], KindList, timeout, (*resp.Writer).WriteNullArray)
				return
			}
			l := e.Value.Obj().(*fakeList)
			c.W.WriteBulkString(l.items[0])
			if l.items = l.items[1:]; len(l.items) == 0 {
				c.Delete(c.Args[1])
			}
		}})
	return New(t, 16)
}

// startPop runs TBPOP for a new client in its own goroutine and returns the
// client and a channel that delivers its reply.
func startPop(ks *Keyspace, key, timeout string) (*Client, <-chan string) {
	cl := &Client{}
	out := make(chan string, 1)
	go func() { out <- run(ks, cl, []string{"TBPOP", key, timeout}) }()
	return cl, out
}

// waitBlocked waits until n clients are parked.
func waitBlocked(t *testing.T, ks *Keyspace, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ks.BlockedClients() != n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d clients blocked, want %d", ks.BlockedClients(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBlockedClientsServedInOrder(t *testing.T) {
	ks := blockingKeyspace()
	var outs []<-chan string
	for i := range 3 {
		_, out := startPop(ks, "q", "0")
		outs = append(outs, out)
		waitBlocked(t, ks, i+1)
	}
	if got := run(ks, &Client{}, []string{"TPUSH", "q", "a", "b"}); got != ":2\r\n" {
		t.Fatalf("TPUSH = %q", got)
	}
	for i, want := range []string{"$1\r\na\r\n", "$1\r\nb\r\n"} {
		if got := <-outs[i]; got != want {
			t.Errorf("client %d got %q, want %q", i, got, want)
		}
	}
	waitBlocked(t, ks, 1)
	run(ks, &Client{}, []string{"TPUSH", "q", "c"})
	if got := <-outs[2]; got != "$1\r\nc\r\n" {
		t.Errorf("client 2 got %q, want c", got)
	}
	waitBlocked(t, ks, 0)
}

func TestBlockTimeout(t *testing.T) {
	ks := blockingKeyspace()
	start := time.Now()
	if got := run(ks, &Client{}, []string{"TBPOP", "q", "0.05"}); got != "*-1\r\n" {
		t.Errorf("reply = %q, want a null array", got)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("returned after %v, before the timeout", waited)
	}
	if ks.BlockedClients() != 0 {
		t.Errorf("%d clients still blocked", ks.BlockedClients())
	}
}

func TestBlockArgumentErrors(t *testing.T) {
	runCasesOn(t, blockingKeyspace, []cmdCase{
		{"negative timeout", [][]string{{"TBPOP", "q", "-1"}}, "-ERR timeout is negative\r\n"},
		{"bad timeout", [][]string{{"TBPOP", "q", "x"}, {"TBPOP", "q", "inf"}},
			"-ERR timeout is not a float or out of range\r\n-ERR timeout is negative\r\n"},
		{"no block when data is there", [][]string{{"TPUSH", "q", "x"}, {"TBPOP", "q", "0"}}, ":1\r\n$1\r\nx\r\n"},
	})
}

func TestNoBlockAnswersAtOnce(t *testing.T) {
	ks := blockingKeyspace()
	if got := run(ks, &Client{NoBlock: true}, []string{"TBPOP", "q", "0"}); got != "*-1\r\n" {
		t.Errorf("reply = %q, want a null array at once", got)
	}
}

func TestUnblock(t *testing.T) {
	ks := blockingKeyspace()
	for _, tt := range []struct {
		reason UnblockReason
		want   string
	}{
		{UnblockTimeout, "*-1\r\n"},
		{UnblockError, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
		{UnblockClosed, ""},
	} {
		cl, out := startPop(ks, "q", "0")
		waitBlocked(t, ks, 1)
		if !cl.Unblock(tt.reason) {
			t.Fatalf("Unblock(%d) = false for a parked client", tt.reason)
		}
		if got := <-out; got != tt.want {
			t.Errorf("reason %d: reply %q, want %q", tt.reason, got, tt.want)
		}
		waitBlocked(t, ks, 0)
		if cl.Unblock(tt.reason) {
			t.Errorf("Unblock of a client that is not parked = true")
		}
	}
}

// TestUnblockedClientLeavesNoGap checks that a client leaving the line hands
// its turn on: data pushed while the first client is being unblocked still
// reaches the second.
func TestUnblockedClientLeavesNoGap(t *testing.T) {
	ks := blockingKeyspace()
	first, out1 := startPop(ks, "q", "0")
	waitBlocked(t, ks, 1)
	_, out2 := startPop(ks, "q", "0")
	waitBlocked(t, ks, 2)
	first.Unblock(UnblockClosed)
	<-out1
	run(ks, &Client{}, []string{"TPUSH", "q", "x"})
	if got := <-out2; got != "$1\r\nx\r\n" {
		t.Errorf("second client got %q, want x", got)
	}
}

// TestOnPark checks the server's hook runs around the wait.
func TestOnPark(t *testing.T) {
	ks := blockingKeyspace()
	var mu sync.Mutex
	var events []string
	cl := &Client{OnPark: func() func() {
		mu.Lock()
		events = append(events, "park")
		mu.Unlock()
		return func() {
			mu.Lock()
			events = append(events, "wake")
			mu.Unlock()
		}
	}}
	var buf bytes.Buffer
	w := resp.NewWriter(&buf)
	done := make(chan struct{})
	go func() {
		cmd, _ := ks.Table().Lookup([][]byte{[]byte("tbpop"), []byte("q"), []byte("0")})
		ks.Exec(cl, cmd, [][]byte{[]byte("tbpop"), []byte("q"), []byte("0")}, w)
		close(done)
	}()
	waitBlocked(t, ks, 1)
	run(ks, &Client{}, []string{"TPUSH", "q", "v"})
	<-done
	w.Flush()
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(events, ",") != "park,wake" || buf.String() != "$1\r\nv\r\n" {
		t.Errorf("events %v, reply %q", events, buf.String())
	}
}
