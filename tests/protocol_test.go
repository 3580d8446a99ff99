package tests

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRawFrames sends frames exactly as users type them into a raw socket.
func TestRawFrames(t *testing.T) {
	s := startServer(t)
	c := s.dial(t)
	steps := []struct{ send, want string }{
		{"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", "+OK\r\n"},
		{"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n", "$5\r\nvalue\r\n"},
		{"*2\r\n$6\r\nselect\r\n$1\r\n1\r\n", "+OK\r\n"},
		{"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n", "$-1\r\n"},
		{"*2\r\n$6\r\nselect\r\n$1\r\n0\r\n", "+OK\r\n"},
		{"PING\r\n", "+PONG\r\n"},
		{"PING\n", "+PONG\r\n"},
		{"ping   hello\r\n", "$5\r\nhello\r\n"},
		{`set a "b c"` + "\r\n", "+OK\r\n"},
		{"get a\r\n", "$3\r\nb c\r\n"},
		{`set q "tab\there\x41"` + "\r\n", "+OK\r\n"},
		{"get q\r\n", "$9\r\ntab\there" + "A\r\n"},
	}
	for _, st := range steps {
		c.send(st.send)
		if got := c.read(); got != st.want {
			t.Errorf("sent %q: got %q, want %q", st.send, got, st.want)
		}
	}
	// Empty inline lines are ignored, not answered.
	c.send("\r\n\r\nPING\r\n")
	if got := c.read(); got != "+PONG\r\n" {
		t.Errorf("empty lines then PING: got %q, want +PONG", got)
	}
}

// TestPipelinedBatch sends 100 commands in one write and expects 100 replies
// in order.
func TestPipelinedBatch(t *testing.T) {
	s := startServer(t)
	c := s.dial(t)
	var batch strings.Builder
	for i := 0; i < 100; i++ {
		if i%2 == 0 {
			batch.Write(encodeCommand([]string{"INCR", "counter"}))
		} else {
			batch.WriteString("INCR counter\r\n") // inline and RESP mixed
		}
	}
	c.send(batch.String())
	for i := 1; i <= 100; i++ {
		if got, want := c.read(), fmt.Sprintf(":%d\r\n", i); got != want {
			t.Fatalf("reply %d: got %q, want %q", i, got, want)
		}
	}
}

// TestProtocolErrors checks the exact error reply to malformed requests and
// that the connection is closed after it, while another client carries on.
// The expected bytes are Redis 7.0's; when redis-server is installed they are
// checked against it too, so a wrong expectation shows as a test bug.
func TestProtocolErrors(t *testing.T) {
	cases := []struct{ name, send, want string }{
		{"bad multibulk length", "*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"multibulk length too big", "*2147483648\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"bad bulk length", "*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"negative bulk length", "*1\r\n$-2\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"bulk length over the limit", "*1\r\n$2000000000\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"missing dollar", "*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n"},
		{"unbalanced double quote", "set a \"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"unbalanced single quote", "set a 'b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"closing quote not followed by space", "set a \"b\"c\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"inline line over 64 KiB", strings.Repeat("a", 70000), "-ERR Protocol error: too big inline request\r\n"},
		{"multibulk header over 64 KiB", "*" + strings.Repeat("1", 70000), "-ERR Protocol error: too big mbulk count string\r\n"},
		{"bulk header over 64 KiB", "*1\r\n$" + strings.Repeat("1", 70000), "-ERR Protocol error: too big bulk count string\r\n"},
	}
	servers := []*server{startServer(t)}
	if haveRedis() {
		servers = append(servers, startRedis(t))
	}
	for _, s := range servers {
		bystander := s.dial(t)
		bystander.mustDo("+OK\r\n", "SET", "k", "v")
		for _, tc := range cases {
			t.Run(s.name+"/"+tc.name, func(t *testing.T) {
				c := s.dial(t)
				c.mustDo("+PONG\r\n", "PING")
				c.send(tc.send)
				if got := c.expectClosed(ioTimeout); got != tc.want {
					t.Errorf("%s: sent %.60q: got %q then close, want %q", s.name, tc.send, got, tc.want)
				}
				bystander.mustDo("$1\r\nv\r\n", "GET", "k")
			})
		}
	}
}

// TestPartialFrames feeds a valid command a few bytes at a time: the server
// must wait for the rest rather than fail or answer early.
func TestPartialFrames(t *testing.T) {
	s := startServer(t)
	c := s.dial(t)
	frame := "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$5\r\nworld\r\n*2\r\n$3\r\nGET\r\n$5\r\nhello\r\n"
	for i := 0; i < len(frame); i += 3 {
		c.send(frame[i:min(i+3, len(frame))])
		time.Sleep(time.Millisecond) // let each piece arrive alone
	}
	if got := c.read() + c.read(); got != "+OK\r\n$5\r\nworld\r\n" {
		t.Fatalf("got %q", got)
	}
}

// TestLargeValue round-trips a value far larger than any read buffer.
func TestLargeValue(t *testing.T) {
	s := startServer(t)
	c := s.dial(t)
	value := strings.Repeat("0123456789abcdef", 1<<20) // 16 MiB
	c.mustDo("+OK\r\n", "SET", "big", value)
	c.mustDo(fmt.Sprintf(":%d\r\n", len(value)), "STRLEN", "big")
	if got := c.do("GET", "big"); got != fmt.Sprintf("$%d\r\n%s\r\n", len(value), value) {
		t.Fatalf("GET big: got %d bytes starting %.40q, want the 16 MiB value", len(got), got)
	}
	c.mustDo(":1\r\n", "APPEND", "small", "x")
}
