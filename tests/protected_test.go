package tests

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dialFrom connects to s from the local address ip (any 127.x.y.z is on
// the loopback interface, but Redis counts only 127.0.0.1 and ::1 as local).
func dialFrom(t *testing.T, s *server, ip string) *rawConn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: ioTimeout}
	c, err := d.Dial("tcp", s.addr())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, r: bufio.NewReader(c)}
}

// TestProtectedMode: with protected-mode yes (the default) and no password,
// a client that is not on 127.0.0.1 gets -DENIED and is closed; a password
// or protected-mode no lets it in. Both servers must agree.
func TestProtectedMode(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		local := s.dial(t)
		local.mustDo("+PONG\r\n", "PING")

		far := dialFrom(t, s, "127.0.0.2")
		far.send(string(encodeCommand([]string{"PING"})))
		got := far.expectClosed(ioTimeout)
		assert.True(t, strings.HasPrefix(got, "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user."), "got %q", got)
		assert.True(t, strings.HasSuffix(got, "the server to start accepting connections from the outside.\r\n"), "got %q", got)

		local.mustDo("+OK\r\n", "CONFIG", "SET", "protected-mode", "no")
		dialFrom(t, s, "127.0.0.2").mustDo("+PONG\r\n", "PING")

		local.mustDo("+OK\r\n", "CONFIG", "SET", "protected-mode", "yes", "requirepass", "pw")
		dialFrom(t, s, "127.0.0.2").mustDo("-NOAUTH Authentication required.\r\n", "PING")
	})
}

// TestRedaction: SLOWLOG and MONITOR show secrets as Redis 7.0 does:
// "(redacted)".
func TestRedaction(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, "--slowlog-log-slower-than", "0")
		mon := s.dial(t)
		mon.mustDo("+OK\r\n", "MONITOR")
		c := s.dial(t)
		c.mustDo("+OK\r\n", "SLOWLOG", "RESET")
		c.do("AUTH", "user", "secret1")
		c.mustDo("+OK\r\n", "CONFIG", "SET", "requirepass", "secret2", "masterauth", "secret3")
		c.mustDo("+OK\r\n", "AUTH", "secret2")
		c.do("HELLO", "2", "AUTH", "default", "secret2", "SETNAME", "me")

		log := c.do("SLOWLOG", "GET", "-1")
		for _, secret := range []string{"secret1", "secret2", "secret3"} {
			assert.NotContains(t, log, secret)
		}
		for _, want := range []string{
			"$4\r\nAUTH\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n",
			"$6\r\nCONFIG\r\n$3\r\nSET\r\n$11\r\nrequirepass\r\n$10\r\n(redacted)\r\n$10\r\nmasterauth\r\n$10\r\n(redacted)\r\n",
			"$5\r\nHELLO\r\n$1\r\n2\r\n$4\r\nAUTH\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n$7\r\nSETNAME\r\n$2\r\nme\r\n",
		} {
			assert.Contains(t, log, want)
		}

		var lines []string
		for len(lines) < 3 {
			mon.c.SetReadDeadline(time.Now().Add(ioTimeout))
			line, err := mon.r.ReadString('\n')
			require.NoError(t, err)
			lines = append(lines, line)
		}
		all := strings.Join(lines, "")
		for _, secret := range []string{"secret1", "secret2"} {
			assert.NotContains(t, all, secret)
		}
		assert.Contains(t, all, `"AUTH" "(redacted)" "(redacted)"`)
		assert.Contains(t, all, `"HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "me"`)
	})
}
