package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientInfoField returns one field of c's CLIENT INFO.
func clientInfoField(c *rawConn, name string) string {
	c.t.Helper()
	for _, kv := range strings.Fields(verbatimText(c.do("CLIENT", "INFO"))) {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	c.t.Fatalf("CLIENT INFO has no field %q", name)
	return ""
}

// verbatimText returns the text of a bulk or verbatim string reply, without
// its header (and the verbatim format prefix).
func verbatimText(reply string) string {
	_, body, _ := strings.Cut(reply, "\r\n")
	body = strings.TrimSuffix(body, "\r\n")
	return strings.TrimPrefix(body, "txt:")
}

// TestReset checks, on both servers, that RESET returns a connection to its
// state at connect, as Redis 7.0.15's RESET does: unauthenticated again
// when a password is set, database 0, RESP2, no name, no transaction, no
// watched keys, no subscriptions, not a monitor, replies on. CLIENT
// NO-EVICT survives RESET in Redis 7.0 (7.2 clears it).
func TestReset(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, "--requirepass", "secret")
		c, other := s.dial(t), s.dial(t)
		other.mustDo("+OK\r\n", "AUTH", "secret")
		reset := func() {
			t.Helper()
			c.mustDo("+RESET\r\n", "RESET")
			c.mustDo("-NOAUTH Authentication required.\r\n", "GET", "k")
			c.mustDo("+OK\r\n", "AUTH", "secret")
		}

		// Database, name, protocol, transaction, no-evict.
		c.mustDo("+OK\r\n", "AUTH", "secret")
		c.mustDo("+OK\r\n", "SELECT", "3")
		c.mustDo("+OK\r\n", "SET", "k", "in3")
		c.mustDo("+OK\r\n", "CLIENT", "SETNAME", "before")
		c.mustDo("+OK\r\n", "CLIENT", "NO-EVICT", "ON")
		require.True(t, strings.HasPrefix(c.do("HELLO", "3"), "%"))
		c.mustDo("+OK\r\n", "MULTI")
		c.mustDo("+QUEUED\r\n", "SET", "x", "1")
		reset()
		c.mustDo("$-1\r\n", "GET", "k") // database 0, and a RESP2 null
		c.mustDo("$-1\r\n", "CLIENT", "GETNAME")
		c.mustDo("-ERR EXEC without MULTI\r\n", "EXEC")
		c.mustDo("$-1\r\n", "GET", "x")
		assert.Equal(t, "0", clientInfoField(c, "db"))
		assert.Equal(t, "2", clientInfoField(c, "resp"))
		assert.Equal(t, "-1", clientInfoField(c, "multi"))
		assert.Equal(t, "e", clientInfoField(c, "flags"), "CLIENT NO-EVICT survives RESET in Redis 7.0")
		c.mustDo("+OK\r\n", "CLIENT", "NO-EVICT", "OFF")

		// WATCH is forgotten: a change of the key no longer aborts EXEC.
		c.mustDo("+OK\r\n", "WATCH", "w")
		reset()
		other.mustDo("+OK\r\n", "SET", "w", "changed")
		c.mustDo("+OK\r\n", "MULTI")
		c.mustDo("+QUEUED\r\n", "SET", "y", "1")
		c.mustDo("*1\r\n+OK\r\n", "EXEC")

		// Subscriptions end without confirmations.
		c.mustDo("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", "SUBSCRIBE", "ch")
		c.mustDo("*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n", "PSUBSCRIBE", "c*")
		reset()
		other.mustDo(":0\r\n", "PUBLISH", "ch", "m")
		other.mustDo("*2\r\n$2\r\nch\r\n:0\r\n", "PUBSUB", "NUMSUB", "ch")
		c.mustDo("+PONG\r\n", "PING")

		// MONITOR ends.
		c.mustDo("+OK\r\n", "MONITOR")
		c.mustDo("+RESET\r\n", "RESET")
		other.mustDo("+OK\r\n", "SET", "seen", "1")
		c.mustDo("-NOAUTH Authentication required.\r\n", "PING")
		c.mustDo("+OK\r\n", "AUTH", "secret")
		c.mustDo("$-1\r\n", "GET", "nothing")

		// Replies: RESET turns CLIENT REPLY OFF back on and answers; under
		// SKIP its own reply is the one skipped.
		c.send(string(encodeCommand([]string{"CLIENT", "REPLY", "OFF"})))
		reset()
		c.send(string(encodeCommand([]string{"CLIENT", "REPLY", "SKIP"})))
		c.send(string(encodeCommand([]string{"RESET"})))
		c.mustDo("+OK\r\n", "AUTH", "secret")
		c.mustDo("+PONG\r\n", "PING")

		if s.name == "myredis" {
			// CLIENT NO-TOUCH is Redis 7.2's; RESET ends it as 7.2 does.
			c.mustDo("+OK\r\n", "CLIENT", "NO-TOUCH", "ON")
			reset()
			assert.Equal(t, "N", clientInfoField(c, "flags"))
		}
	})
}
