package server

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"myredis/db"
	"myredis/resp"
)

// pipeClient connects a client to s over an in-memory pipe.
func pipeClient(t *testing.T, s *Server) (net.Conn, *resp.Reader) {
	t.Helper()
	client, conn := net.Pipe()
	s.accept(conn)
	t.Cleanup(func() { client.Close() })
	client.SetDeadline(time.Now().Add(5 * time.Second))
	return client, resp.NewReader(bufio.NewReader(client))
}

// send writes the commands in one write (a pipe's write waits for the
// server to read it all).
func send(t *testing.T, c net.Conn, cmds ...[]string) {
	t.Helper()
	var b []byte
	for _, args := range cmds {
		bargs := make([][]byte, len(args))
		for i, a := range args {
			bargs[i] = []byte(a)
		}
		b = resp.AppendCommand(b, bargs)
	}
	_, err := c.Write(b)
	require.NoError(t, err)
}

// TestPanicInCommand: a command that panics (a bug) costs its client the
// connection, with an error reply first; the locks it held are released
// and everyone else is served as before.
func TestPanicInCommand(t *testing.T) {
	ks := db.New(db.NewTable(), 16)
	s := New(configForTest(), ks, nil, discardLogger())
	t.Cleanup(s.Close)
	ks.Table().Register(&db.Command{Name: "boom", Arity: 2, Flags: db.FlagWrite, FirstKey: 1, LastKey: 1, Step: 1,
		Run: func(c *db.Ctx) { panic("boom") }})

	c, r := pipeClient(t, s)
	send(t, c, []string{"SET", "k", "v"}, []string{"BOOM", "k"}, []string{"PING"})
	reply, err := r.ReadReply()
	require.NoError(t, err)
	assert.Equal(t, "+OK\r\n", string(reply))
	reply, err = r.ReadReply()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(reply), "-ERR internal error running 'boom'"), "got %q", reply)
	_, err = r.ReadReply()
	assert.ErrorIs(t, err, io.EOF, "the connection is closed after the error")

	// The shard of k is unlocked, the gate is open: a keyless transaction
	// (which takes the whole keyspace) and a write to k both go through.
	c2, r2 := pipeClient(t, s)
	send(t, c2, []string{"MULTI"}, []string{"DBSIZE"}, []string{"EXEC"}, []string{"SET", "k", "w"}, []string{"GET", "k"})
	var got []string
	for range 5 {
		reply, err := r2.ReadReply()
		require.NoError(t, err)
		got = append(got, string(reply))
	}
	assert.Equal(t, []string{"+OK\r\n", "+QUEUED\r\n", "*1\r\n:1\r\n", "+OK\r\n", "$1\r\nw\r\n"}, got)
}
