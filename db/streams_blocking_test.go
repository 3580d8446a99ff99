package db

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startRun runs cmd for a new client in its own goroutine and returns the
// client and a channel that delivers its reply.
func startRun(ks *Keyspace, cmd ...string) (*Client, <-chan string) {
	cl := &Client{}
	out := make(chan string, 1)
	go func() { out <- run(ks, cl, cmd) }()
	return cl, out
}

func recv(t *testing.T, out <-chan string) string {
	t.Helper()
	select {
	case r := <-out:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no reply")
		return ""
	}
}

// TestXReadBlocking: XREAD BLOCK with "$" waits past the last ID it saw
// when it blocked; every blocked reader of a stream is served by one XADD,
// group readers in the order they blocked, each entry to one of them.
func TestXReadBlocking(t *testing.T) {
	ks := New(NewTable(), 16)
	run(ks, &Client{}, []string{"XADD", "s", "1-1", "f", "v"}, []string{"XGROUP", "CREATE", "s", "g", "$"})
	_, r1 := startRun(ks, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	waitBlocked(t, ks, 1)
	_, r2 := startRun(ks, "XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">")
	waitBlocked(t, ks, 2)
	_, r3 := startRun(ks, "XREADGROUP", "GROUP", "g", "c2", "BLOCK", "0", "STREAMS", "s", ">")
	waitBlocked(t, ks, 3)
	_, r4 := startRun(ks, "XREAD", "BLOCK", "0", "STREAMS", "s", "1-0")
	assert.Equal(t, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n", recv(t, r4), "served at once")

	// A write that is no XADD wakes no one for good.
	run(ks, &Client{}, []string{"XGROUP", "CREATECONSUMER", "s", "g", "c9"})
	require.Equal(t, "$3\r\n2-1\r\n", run(ks, &Client{}, []string{"XADD", "s", "2-1", "a", "b"}))
	entry := "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
	assert.Equal(t, entry, recv(t, r1))
	assert.Equal(t, entry, recv(t, r2), "the first group reader gets the entry")
	waitBlocked(t, ks, 1) // the second waits on
	require.Equal(t, "$3\r\n3-1\r\n", run(ks, &Client{}, []string{"XADD", "s", "3-1", "c", "d"}))
	assert.Equal(t, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\nd\r\n", recv(t, r3))
	assert.Contains(t, run(ks, &Client{}, []string{"XPENDING", "s", "g", "-", "+", "10"}), "c1")
}

// TestXReadTimeoutsAndMulti: BLOCK times out with a null array, CLIENT
// UNBLOCK ends the wait, and inside MULTI nothing blocks.
func TestXReadTimeoutsAndMulti(t *testing.T) {
	ks := New(NewTable(), 16)
	assert.Equal(t, "*-1\r\n", run(ks, &Client{}, []string{"XREAD", "BLOCK", "10", "STREAMS", "s", "$"}))
	cl, out := startRun(ks, "XREAD", "BLOCK", "0", "STREAMS", "s", "0")
	waitBlocked(t, ks, 1)
	require.True(t, cl.Unblock(UnblockError))
	assert.Equal(t, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", recv(t, out))
	assert.Equal(t, "+OK\r\n+QUEUED\r\n*1\r\n*-1\r\n", run(ks, &Client{},
		[]string{"MULTI"}, []string{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, []string{"EXEC"}))
	assert.Equal(t, 0, ks.BlockedClients())
}

// TestXReadGroupDestroyedWhileBlocked: a group reader whose group goes
// gets Redis's NOGROUP error.
func TestXReadGroupDestroyedWhileBlocked(t *testing.T) {
	ks := New(NewTable(), 16)
	run(ks, &Client{}, []string{"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"})
	_, out := startRun(ks, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
	waitBlocked(t, ks, 1)
	run(ks, &Client{}, []string{"XGROUP", "DESTROY", "s", "g"})
	assert.Equal(t, "-NOGROUP the consumer group this client was blocked on no longer exists\r\n", recv(t, out))
}

// TestXReadBlocks: only XREAD and XREADGROUP lines with BLOCK may park
// (the cluster router gives those a connection of their own).
func TestXReadBlocks(t *testing.T) {
	table := NewTable()
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"XREAD STREAMS s 0", false},
		{"XREAD COUNT 5 BLOCK 0 STREAMS s 0", true},
		{"XREAD COUNT block STREAMS s 0", false},
		{"XREAD STREAMS block 0", false},
		{"XREADGROUP GROUP block c STREAMS s >", false},
		{"XREADGROUP GROUP g c NOACK block 10 STREAMS s >", true},
		{"BLPOP l 0", true},
		{"LPOP l", false},
	} {
		args := toArgs(strings.Fields(tc.line))
		assert.Equal(t, tc.want, table.Get(args[0]).Blocks(args), tc.line)
	}
}

// TestXReadWokenAsRedis: a woken reader is served from one stream, the
// one made ready first, and even when the new entries were deleted in the
// same transaction (then with none), as Redis serves blocked readers.
func TestXReadWokenAsRedis(t *testing.T) {
	ks := New(NewTable(), 16)
	run(ks, &Client{}, []string{"XADD", "a", "1-1", "f", "v"}, []string{"XADD", "b", "1-1", "f", "v"})
	_, out := startRun(ks, "XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "$")
	waitBlocked(t, ks, 1)
	run(ks, &Client{}, []string{"MULTI"}, []string{"XADD", "b", "2-1", "x", "y"}, []string{"XADD", "a", "2-1", "x", "y"}, []string{"EXEC"})
	assert.Equal(t, "*1\r\n*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n", recv(t, out))

	_, out = startRun(ks, "XREAD", "BLOCK", "0", "STREAMS", "a", "$")
	waitBlocked(t, ks, 1)
	run(ks, &Client{}, []string{"MULTI"}, []string{"XADD", "a", "3-1", "x", "y"}, []string{"XDEL", "a", "3-1"}, []string{"EXEC"})
	assert.Equal(t, "*1\r\n*2\r\n$1\r\na\r\n*0\r\n", recv(t, out))
}
