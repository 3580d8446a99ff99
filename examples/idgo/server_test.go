package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"myredis/resp"
)

// testConn is a client connection to an in-process server.
type testConn struct {
	t testing.TB
	c net.Conn
	r *resp.Reader
}

// startTestServer serves a Service over st (batch 10) on a loopback port
// until the test ends, and returns its address.
func startTestServer(t testing.TB, st Store) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := NewServer(NewService(st, 10), slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan struct{})
	go func() {
		srv.Serve(l)
		close(done)
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		srv.Close()
	})
	return l.Addr().String()
}

// dialTest connects to addr; the connection is closed when the test ends.
func dialTest(t testing.TB, addr string) *testConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &testConn{t: t, c: c, r: resp.NewReader(c)}
}

// send writes raw bytes.
func (c *testConn) send(raw string) {
	c.t.Helper()
	c.c.SetWriteDeadline(time.Now().Add(waitTimeout))
	_, err := io.WriteString(c.c, raw)
	require.NoError(c.t, err)
}

// read returns the next raw reply.
func (c *testConn) read() string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(waitTimeout))
	b, err := c.r.ReadReply()
	require.NoError(c.t, err)
	return string(b)
}

// do sends one command and returns its raw reply.
func (c *testConn) do(args ...string) string {
	c.t.Helper()
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	c.send(string(resp.AppendCommand(nil, bs)))
	return c.read()
}

// expectClosed checks that the server closes the connection.
func (c *testConn) expectClosed() {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(waitTimeout))
	_, err := c.r.ReadReply()
	require.True(c.t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		strings.Contains(fmt.Sprint(err), "reset"), "want a closed connection, got %v", err)
}

func TestServerCommands(t *testing.T) {
	c := dialTest(t, startTestServer(t, newFakeStore()))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"GET", "abc"}, ":0\r\n"},
		{[]string{"EXISTS", "abc"}, ":0\r\n"},
		{[]string{"SET", "abc", "100"}, "+OK\r\n"},
		{[]string{"get", "abc"}, ":101\r\n"},
		{[]string{"Get", "abc"}, ":102\r\n"},
		{[]string{"EXISTS", "abc"}, ":1\r\n"},
		{[]string{"DEL", "abc"}, ":1\r\n"},
		{[]string{"DEL", "abc"}, ":0\r\n"},
		{[]string{"GET", "abc"}, ":0\r\n"},
		{[]string{"SET", "abc", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"SET", "abc", "+5"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"SET", "abc", "05"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"SET", "abc", "99999999999999999999"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"SET", "abc", "-1"}, "-ERR value is out of range, must be positive\r\n"},
		{[]string{"SET", "abc", "1", "EX", "10"}, "-ERR wrong number of arguments for 'set' command\r\n"},
		{[]string{"GET"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"INCR", "abc"}, "-ERR unknown command 'INCR', idgo supports " + supported + "\r\n"},
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"PING", "hi"}, "$2\r\nhi\r\n"},
		{[]string{"ECHO", "hello"}, "$5\r\nhello\r\n"},
		{[]string{"SELECT", "0"}, "+OK\r\n"},
		{[]string{"SELECT", "1"}, "-ERR DB index is out of range\r\n"},
		{[]string{"CLIENT", "SETINFO", "LIB-NAME", "go-redis"}, "+OK\r\n"},
		{[]string{"CLIENT", "SETNAME", "me"}, "+OK\r\n"},
		{[]string{"CLIENT", "LIST"}, "-ERR unknown subcommand 'LIST'. idgo supports CLIENT SETINFO and CLIENT SETNAME\r\n"},
		{[]string{"COMMAND", "DOCS"}, "*0\r\n"},
		{[]string{"HELLO", "4"}, "-NOPROTO unsupported protocol version\r\n"},
		{[]string{"HELLO", "x"}, "-ERR Protocol version is not an integer or out of range\r\n"},
		{[]string{"HELLO", "3", "FOO"}, "-ERR Syntax error in HELLO option 'FOO'\r\n"},
	} {
		assert.Equal(t, tc.want, c.do(tc.args...), "%q", tc.args)
	}
}

func TestServerHelloSwitchesProtocol(t *testing.T) {
	c := dialTest(t, startTestServer(t, newFakeStore()))
	hello3 := c.do("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "me")
	assert.True(t, strings.HasPrefix(hello3, "%7\r\n$6\r\nserver\r\n$4\r\nidgo\r\n"), hello3)
	assert.Contains(t, hello3, "$5\r\nproto\r\n:3\r\n")
	hello2 := c.do("HELLO", "2")
	assert.True(t, strings.HasPrefix(hello2, "*14\r\n"), hello2)
	assert.Contains(t, hello2, "$5\r\nproto\r\n:2\r\n")
}

func TestServerPipelining(t *testing.T) {
	c := dialTest(t, startTestServer(t, newFakeStore()))
	var batch []byte
	batch = resp.AppendCommand(batch, [][]byte{[]byte("SET"), []byte("k"), []byte("0")})
	const n = 500
	for range n {
		batch = resp.AppendCommand(batch, [][]byte{[]byte("GET"), []byte("k")})
	}
	batch = append(batch, "PING\r\n"...) // inline
	c.send(string(batch))
	assert.Equal(t, "+OK\r\n", c.read())
	for i := 1; i <= n; i++ {
		require.Equal(t, fmt.Sprintf(":%d\r\n", i), c.read())
	}
	assert.Equal(t, "+PONG\r\n", c.read())
}

func TestServerQuitCloses(t *testing.T) {
	c := dialTest(t, startTestServer(t, newFakeStore()))
	assert.Equal(t, "+OK\r\n", c.do("QUIT"))
	c.expectClosed()
}

func TestServerBadFramesGetTheProtocolErrorAndClose(t *testing.T) {
	addr := startTestServer(t, newFakeStore())
	for _, tc := range []struct{ frame, want string }{
		{"*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*2\r\n$3\r\nGET\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"},
		{"*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"GET \"abc\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
	} {
		c := dialTest(t, addr)
		// A good command first: its reply comes before the error.
		c.send("PING\r\n" + tc.frame)
		assert.Equal(t, "+PONG\r\n", c.read())
		assert.Equal(t, tc.want, c.read(), "%q", tc.frame)
		c.expectClosed()
	}
}

func TestServerStorageErrorsAreReplies(t *testing.T) {
	st := newFakeStore()
	c := dialTest(t, startTestServer(t, st))
	assert.Equal(t, "+OK\r\n", c.do("SET", "k", "0"))
	st.setFail(errors.New("connection refused"))
	assert.Equal(t, "-ERR storage: connection refused\r\n", c.do("EXISTS", "k"))
	st.setFail(nil)
	assert.Equal(t, ":1\r\n", c.do("GET", "k"))
}
