package db

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startCmd runs cmd for cl in its own goroutine and returns a channel that
// delivers its reply.
func startCmd(ks *Keyspace, cl *Client, cmd ...string) <-chan string {
	out := make(chan string, 1)
	go func() { out <- run(ks, cl, cmd) }()
	return out
}

// reply waits for a blocked command's reply, for at most a few seconds.
func reply(t *testing.T, out <-chan string) string {
	t.Helper()
	select {
	case got := <-out:
		return got
	case <-time.After(5 * time.Second):
		t.Fatal("the blocked command never replied")
		return ""
	}
}

// parkCounter returns a client whose parks are counted in n.
func parkCounter(id int64, n *atomic.Int32) *Client {
	return &Client{ID: id, OnPark: func() func() {
		n.Add(1)
		return func() {}
	}}
}

// waitParked waits until the client counted by n has parked n times. A
// reply on out meanwhile fails the test: the client was answered instead.
func waitParked(t *testing.T, n *atomic.Int32, want int32, out <-chan string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); n.Load() < want; {
		select {
		case got := <-out:
			t.Fatalf("the blocked client was answered %q instead of blocking again", got)
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("parked %d times, want %d", n.Load(), want)
		}
	}
}

// TestWokenClientSkipsKeyOfOtherKind: a client woken by a push to a key that
// holds a string once the transaction ends stays blocked and is served by a
// later push; it never answers WRONGTYPE.
func TestWokenClientSkipsKeyOfOtherKind(t *testing.T) {
	for _, tt := range []struct {
		name   string
		block  []string
		change [][]string
		serve  []string
		want   string
	}{
		{"BLPOP", []string{"BLPOP", "q", "0"},
			[][]string{{"MULTI"}, {"LPUSH", "q", "a"}, {"DEL", "q"}, {"SET", "q", "s"}, {"EXEC"}},
			[]string{"RPUSH", "q", "b"}, "*2\r\n$1\r\nq\r\n$1\r\nb\r\n"},
		{"BLMOVE", []string{"BLMOVE", "q", "d", "LEFT", "LEFT", "0"},
			[][]string{{"MULTI"}, {"LPUSH", "q", "a"}, {"DEL", "q"}, {"ZADD", "q", "1", "m"}, {"EXEC"}},
			[]string{"RPUSH", "q", "b"}, "$1\r\nb\r\n"},
		{"BZPOPMIN", []string{"BZPOPMIN", "q", "0"},
			[][]string{{"MULTI"}, {"ZADD", "q", "1", "a"}, {"DEL", "q"}, {"RPUSH", "q", "x"}, {"EXEC"}},
			[]string{"ZADD", "q", "2", "b"}, "*3\r\n$1\r\nq\r\n$1\r\nb\r\n$1\r\n2\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ks := New(NewTable(), 16)
			var parks atomic.Int32
			out := startCmd(ks, parkCounter(1, &parks), tt.block...)
			waitParked(t, &parks, 1, out)
			ctl := &Client{ID: 2}
			run(ks, ctl, tt.change...)
			// The push woke the client: it runs again, finds the other
			// kind, and parks again.
			waitParked(t, &parks, 2, out)
			run(ks, ctl, []string{"DEL", "q"})
			run(ks, ctl, tt.serve)
			assert.Equal(t, tt.want, reply(t, out))
			waitBlocked(t, ks, 0)
		})
	}
}

// TestFirstRunStillAnswersWrongType: before it has blocked, a blocking
// command meeting a key of another kind answers WRONGTYPE at once.
func TestFirstRunStillAnswersWrongType(t *testing.T) {
	runCases(t, []cmdCase{
		{"BLPOP", [][]string{{"SET", "q", "s"}, {"BLPOP", "q", "0"}}, "+OK\r\n" + "-" + ErrWrongType + "\r\n"},
		{"BZMPOP", [][]string{{"RPUSH", "q", "x"}, {"BZMPOP", "0", "1", "q", "MIN"}}, ":1\r\n" + "-" + ErrWrongType + "\r\n"},
	})
}

// TestWakeGoesToWaiterOfTheKind: a key signalled as holding a sorted set
// wakes the first client waiting for one, even behind a list waiter, which
// keeps its place for the next list.
func TestWakeGoesToWaiterOfTheKind(t *testing.T) {
	ks := New(NewTable(), 16)
	list1 := startCmd(ks, &Client{ID: 1}, "BLPOP", "q", "0")
	waitBlocked(t, ks, 1)
	zset := startCmd(ks, &Client{ID: 2}, "BZPOPMIN", "q", "0")
	waitBlocked(t, ks, 2)
	list2 := startCmd(ks, &Client{ID: 3}, "BLPOP", "q", "0")
	waitBlocked(t, ks, 3)

	ctl := &Client{ID: 4}
	require.Equal(t, ":1\r\n", run(ks, ctl, []string{"ZADD", "q", "1", "m"}))
	assert.Equal(t, "*3\r\n$1\r\nq\r\n$1\r\nm\r\n$1\r\n1\r\n", reply(t, zset))
	waitBlocked(t, ks, 2)
	require.Equal(t, ":2\r\n", run(ks, ctl, []string{"RPUSH", "q", "x", "y"}))
	assert.Equal(t, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n", reply(t, list1))
	assert.Equal(t, "*2\r\n$1\r\nq\r\n$1\r\ny\r\n", reply(t, list2))
	waitBlocked(t, ks, 0)
}

// TestSwapDBWakesBlockedClients: SWAPDB serves a client blocked on a key
// that the swap filled with what it waits for, in its own database number.
func TestSwapDBWakesBlockedClients(t *testing.T) {
	ks := New(NewTable(), 16)
	out := startCmd(ks, &Client{ID: 1}, "BLPOP", "q", "0")
	waitBlocked(t, ks, 1)
	ctl := &Client{ID: 2, DB: 1}
	require.Equal(t, ":1\r\n", run(ks, ctl, []string{"RPUSH", "q", "x"}))
	require.Equal(t, "+OK\r\n", run(ks, ctl, []string{"SWAPDB", "0", "1"}))
	assert.Equal(t, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n", reply(t, out))
	waitBlocked(t, ks, 0)
}
