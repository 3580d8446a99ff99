package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// forBoth runs fn against MyRedis and, when it is installed, real Redis, so
// the blocking behaviour is checked against the oracle.
func forBoth(t *testing.T, fn func(t *testing.T, s *server)) {
	t.Run("myredis", func(t *testing.T) { fn(t, startServer(t)) })
	t.Run("redis", func(t *testing.T) { fn(t, startRedis(t)) })
}

// waitBlockedClients polls INFO until n clients are blocked.
func waitBlockedClients(t *testing.T, c *rawConn, n int) {
	t.Helper()
	want := "blocked_clients:" + strconv.Itoa(n) + "\r\n"
	for deadline := time.Now().Add(5 * time.Second); ; {
		if strings.Contains(c.do("INFO", "clients"), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("INFO never showed %q", strings.TrimSpace(want))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBlockingWakeOrder(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		var waiters []*rawConn
		for i := range 3 {
			c := s.dial(t)
			c.send(string(encodeCommand([]string{"BLPOP", "q", "0"})))
			waitBlockedClients(t, ctl, i+1)
			waiters = append(waiters, c)
		}
		ctl.mustDo(":3\r\n", "RPUSH", "q", "a", "b", "c")
		for i, want := range []string{"a", "b", "c"} {
			if got := waiters[i].read(); got != "*2\r\n$1\r\nq\r\n$1\r\n"+want+"\r\n" {
				t.Errorf("client %d got %q, want %s", i, got, want)
			}
		}
		waitBlockedClients(t, ctl, 0)
	})
}

func TestBlockingTimeout(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		c := s.dial(t)
		start := time.Now()
		c.mustDo("*-1\r\n", "BLPOP", "q", "0.1")
		if waited := time.Since(start); waited < 100*time.Millisecond {
			t.Errorf("BLPOP returned after %v, before its timeout", waited)
		}
		c.mustDo("-ERR timeout is negative\r\n", "BLPOP", "q", "-1")
	})
}

func TestBlockedClientDisconnects(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		gone := s.dial(t)
		gone.send(string(encodeCommand([]string{"BLPOP", "q", "0"})))
		waitBlockedClients(t, ctl, 1)
		gone.c.Close()
		waitBlockedClients(t, ctl, 0)
		ctl.mustDo(":1\r\n", "RPUSH", "q", "x")
		ctl.mustDo(":1\r\n", "LLEN", "q")
	})
}

func TestClientUnblock(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		for _, tt := range []struct{ how, want string }{
			{"TIMEOUT", "*-1\r\n"},
			{"ERROR", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
		} {
			c := s.dial(t)
			id := strings.TrimSuffix(strings.TrimPrefix(c.do("CLIENT", "ID"), ":"), "\r\n")
			c.send(string(encodeCommand([]string{"BLPOP", "q", "0"})))
			waitBlockedClients(t, ctl, 1)
			ctl.mustDo(":1\r\n", "CLIENT", "UNBLOCK", id, tt.how)
			if got := c.read(); got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.how, got, tt.want)
			}
			ctl.mustDo(":0\r\n", "CLIENT", "UNBLOCK", id)
		}
	})
}

// TestPipelineAfterBlockingCommand checks that commands sent behind a
// blocking one wait for it and then run in order.
func TestPipelineAfterBlockingCommand(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		c := s.dial(t)
		c.send(string(encodeCommand([]string{"BLPOP", "q", "0"})) + string(encodeCommand([]string{"PING"})))
		waitBlockedClients(t, ctl, 1)
		ctl.mustDo(":1\r\n", "LPUSH", "q", "x")
		if got := c.read() + c.read(); got != "*2\r\n$1\r\nq\r\n$1\r\nx\r\n+PONG\r\n" {
			t.Errorf("got %q", got)
		}
	})
}

// TestPushInsideMultiWakesAfterExec checks that a blocked client is served
// only with what is there when the transaction ends: a push undone inside
// the same transaction serves no one.
func TestPushInsideMultiWakesAfterExec(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		c := s.dial(t)
		c.send(string(encodeCommand([]string{"BLPOP", "q", "0"})))
		waitBlockedClients(t, ctl, 1)
		ctl.mustDo("+OK\r\n", "MULTI")
		ctl.mustDo("+QUEUED\r\n", "RPUSH", "q", "gone")
		ctl.mustDo("+QUEUED\r\n", "DEL", "q")
		ctl.mustDo("+QUEUED\r\n", "RPUSH", "q", "kept")
		ctl.mustDo("*3\r\n:1\r\n:1\r\n:1\r\n", "EXEC")
		if got := c.read(); got != "*2\r\n$1\r\nq\r\n$4\r\nkept\r\n" {
			t.Errorf("blocked client got %q, want the element left after EXEC", got)
		}
		waitBlockedClients(t, ctl, 0)
	})
}
