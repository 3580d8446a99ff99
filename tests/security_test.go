package tests

import (
	"strings"
	"testing"
	"time"
)

// A starter starts a server with extra command-line arguments.
type starter func(t testing.TB, extraArgs ...string) *server

// eachServer runs f as a subtest against MyRedis and, when installed, real
// Redis: the tests of limits must pass against Redis too, so a wrong
// expectation shows as a test bug rather than a server bug.
func eachServer(t *testing.T, f func(t *testing.T, start starter)) {
	t.Run("myredis", func(t *testing.T) { f(t, startServer) })
	t.Run("redis", func(t *testing.T) { f(t, startRedis) })
}

func TestRequirePass(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, "--requirepass", "secret")
		c := s.dial(t)
		c.mustDo("-NOAUTH Authentication required.\r\n", "GET", "k")
		c.mustDo("-NOAUTH Authentication required.\r\n", "SET", "k", "v")
		c.mustDo("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "wrong")
		c.mustDo("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "default", "wrong")
		c.mustDo("-NOAUTH Authentication required.\r\n", "GET", "k")
		c.mustDo("+OK\r\n", "AUTH", "secret")
		c.mustDo("+OK\r\n", "SET", "k", "v")
		c.mustDo("$1\r\nv\r\n", "GET", "k")

		c2 := s.dial(t)
		c2.mustDo("+OK\r\n", "AUTH", "default", "secret")
		c2.mustDo("$1\r\nv\r\n", "GET", "k")

		// HELLO with AUTH authenticates; without it, it is refused.
		c3 := s.dial(t)
		if got := c3.do("HELLO", "3"); !strings.HasPrefix(got, "-NOAUTH") {
			t.Errorf("HELLO 3 before AUTH: got %q, want -NOAUTH", got)
		}
		if got := c3.do("HELLO", "3", "AUTH", "default", "secret"); !strings.HasPrefix(got, "%") {
			t.Errorf("HELLO 3 AUTH default secret: got %q, want a map", got)
		}
		c3.mustDo("$1\r\nv\r\n", "GET", "k")
	})
}

func TestMaxClients(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, "--maxclients", "2")
		a := s.dial(t)
		// The start-up probe's connection may still be closing: wait until
		// a is the only client, so the limit is what the test counts.
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(a.do("INFO", "clients"), "connected_clients:1\r\n"); {
			if time.Now().After(deadline) {
				t.Fatal("the probe connection never went away")
			}
			time.Sleep(5 * time.Millisecond)
		}
		b := s.dial(t)
		b.mustDo("+PONG\r\n", "PING")
		third := s.dial(t)
		if got := third.expectClosed(ioTimeout); got != "-ERR max number of clients reached\r\n" {
			t.Errorf("third client: got %q then close, want -ERR max number of clients reached", got)
		}
		a.mustDo("+PONG\r\n", "PING")
	})
}

func TestIdleTimeout(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, "--timeout", "1")
		idle := s.dial(t)
		idle.mustDo("+PONG\r\n", "PING")
		begin := time.Now()
		if got := idle.expectClosed(4 * time.Second); got != "" {
			t.Errorf("idle client got %q before the close", got)
		}
		if d := time.Since(begin); d < 900*time.Millisecond {
			t.Errorf("idle client closed after %v, before the 1 s timeout", d)
		}
		s.dial(t).mustDo("+PONG\r\n", "PING")
	})
}

func TestQueryBufferLimit(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, "--client-query-buffer-limit", "1mb")
		c := s.dial(t)
		c.mustDo("+PONG\r\n", "PING")
		const size = 2 << 20
		payload := "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$2097152\r\n" + strings.Repeat("x", size) + "\r\n"
		// The server may close before all is written: a write error is the
		// expected outcome, not a failure.
		c.c.SetWriteDeadline(time.Now().Add(ioTimeout))
		c.c.Write([]byte(payload))
		c.expectClosed(ioTimeout)
		other := s.dial(t)
		other.mustDo("+PONG\r\n", "PING")
		other.mustDo(":0\r\n", "EXISTS", "big")
	})
}
