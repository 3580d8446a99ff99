package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Blocking XREAD and XREADGROUP (issue #15), on both servers: who is served
// and in which order, timeouts, disconnects, transactions, CLIENT UNBLOCK.
// The paths that never wait for another client are oracle cases
// (cases/streams_read.yaml).

// streamEntry returns the RESP2 encoding of one entry with one field.
func streamEntry(id, field, value string) string {
	return arr(bulk(id), arr(bulk(field), bulk(value)))
}

// streamReply returns the RESP2 reply of XREAD or XREADGROUP for one
// stream and its entries.
func streamReply(key string, entries ...string) string {
	return arr(arr(bulk(key), arr(entries...)))
}

// blockOn sends cmd on a new connection to s and waits until the server
// counts blocked clients blocked clients in all; it returns the connection,
// whose reply is still to be read.
func blockOn(t *testing.T, s *server, ctl *rawConn, blocked int, cmd ...string) *rawConn {
	t.Helper()
	c := s.dial(t)
	c.send(string(encodeCommand(cmd)))
	waitBlockedClients(t, ctl, blocked)
	return c
}

// TestStreamGroupWakeOrder: consumers of one group blocked on ">" are
// served in the order they blocked, one new entry each, and an entry goes
// to exactly one of them; blocked XREADs on $ all receive the same entry.
func TestStreamGroupWakeOrder(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		ctl.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
		var consumers []*rawConn
		for i, name := range []string{"c1", "c2", "c3"} {
			consumers = append(consumers, blockOn(t, s, ctl, i+1, "XREADGROUP", "GROUP", "g", name, "BLOCK", "0", "STREAMS", "s", ">"))
		}
		for i, id := range []string{"1-0", "2-0", "3-0"} {
			ctl.mustDo(bulk(id), "XADD", "s", id, "n", id)
			assert.Equal(t, streamReply("s", streamEntry(id, "n", id)), consumers[i].read(), "consumer %d", i+1)
			waitBlockedClients(t, ctl, 2-i)
		}
		ctl.mustDo(arr(":3\r\n", bulk("1-0"), bulk("3-0"), arr(arr(bulk("c1"), bulk("1")), arr(bulk("c2"), bulk("1")), arr(bulk("c3"), bulk("1")))),
			"XPENDING", "s", "g")

		var readers []*rawConn
		for i := range 3 {
			readers = append(readers, blockOn(t, s, ctl, i+1, "XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
		}
		ctl.mustDo(bulk("4-0"), "XADD", "s", "4-0", "n", "4")
		for i, r := range readers {
			assert.Equal(t, streamReply("s", streamEntry("4-0", "n", "4")), r.read(), "reader %d", i+1)
		}
		waitBlockedClients(t, ctl, 0)
	})
}

// TestStreamBlockingSeveralStreams: a client blocked on several streams is
// served by the first that gets an entry, with that stream alone; one
// blocked on a key that does not exist yet is served when XADD creates it.
func TestStreamBlockingSeveralStreams(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		ctl.mustDo(bulk("1-0"), "XADD", "a", "1-0", "f", "a1")
		c := blockOn(t, s, ctl, 1, "XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "0")
		ctl.mustDo(bulk("5-0"), "XADD", "b", "5-0", "f", "b5")
		assert.Equal(t, streamReply("b", streamEntry("5-0", "f", "b5")), c.read())

		ctl.mustDo("+OK\r\n", "XGROUP", "CREATE", "a", "g", "$")
		c = blockOn(t, s, ctl, 1, "XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "BLOCK", "0", "STREAMS", "a", ">")
		ctl.mustDo("+OK\r\n", "MULTI")
		ctl.mustDo("+QUEUED\r\n", "XADD", "a", "2-0", "f", "a2")
		ctl.mustDo("+QUEUED\r\n", "XADD", "a", "3-0", "f", "a3")
		ctl.mustDo(arr(bulk("2-0"), bulk("3-0")), "EXEC")
		assert.Equal(t, streamReply("a", streamEntry("2-0", "f", "a2")), c.read(), "COUNT 1 is kept when served")
	})
}

// TestStreamBlockingTimeout: XREAD and XREADGROUP with BLOCK ms answer a
// null array once the time has passed, not before, and leave no blocked
// client behind.
func TestStreamBlockingTimeout(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		ctl.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
		c := s.dial(t)
		for _, cmd := range [][]string{
			{"XREAD", "BLOCK", "150", "STREAMS", "s", "$"},
			{"XREAD", "BLOCK", "150", "STREAMS", "nokey", "0"},
			{"XREADGROUP", "GROUP", "g", "c", "BLOCK", "150", "STREAMS", "s", ">"},
		} {
			start := time.Now()
			assert.Equal(t, "*-1\r\n", c.do(cmd...), "%q", cmd)
			assert.GreaterOrEqual(t, time.Since(start), 140*time.Millisecond, "%q answered before its timeout", cmd)
		}
		waitBlockedClients(t, ctl, 0)
		ctl.mustDo(":0\r\n", "XLEN", "s")
	})
}

// TestStreamBlockedConsumerDisconnects: a consumer that disconnects while
// blocked is no longer waiting (nothing is delivered to it, so nothing is
// pending for it); the next entry goes to the consumer still blocked.
func TestStreamBlockedConsumerDisconnects(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		ctl.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
		gone := blockOn(t, s, ctl, 1, "XREADGROUP", "GROUP", "g", "gone", "BLOCK", "0", "STREAMS", "s", ">")
		stays := blockOn(t, s, ctl, 2, "XREADGROUP", "GROUP", "g", "stays", "BLOCK", "0", "STREAMS", "s", ">")
		gone.c.Close()
		waitBlockedClients(t, ctl, 1)
		ctl.mustDo(bulk("1-0"), "XADD", "s", "1-0", "f", "v")
		assert.Equal(t, streamReply("s", streamEntry("1-0", "f", "v")), stays.read())
		ctl.mustDo(arr(":1\r\n", bulk("1-0"), bulk("1-0"), arr(arr(bulk("stays"), bulk("1")))), "XPENDING", "s", "g")
		waitBlockedClients(t, ctl, 0)
	})
}

// TestStreamXaddInMultiWakesAfterExec: a consumer blocked on a group is
// served once the transaction that added entries has ended, with every
// entry it added (the wake-up sees the state after EXEC, not after the
// first XADD).
func TestStreamXaddInMultiWakesAfterExec(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		ctl.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
		c := blockOn(t, s, ctl, 1, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
		r := blockOn(t, s, ctl, 2, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
		ctl.mustDo("+OK\r\n", "MULTI")
		ctl.mustDo("+QUEUED\r\n", "XADD", "s", "1-0", "f", "a")
		ctl.mustDo("+QUEUED\r\n", "XADD", "s", "2-0", "f", "b")
		ctl.mustDo("+QUEUED\r\n", "XDEL", "s", "1-0")
		ctl.mustDo(arr(bulk("1-0"), bulk("2-0"), ":1\r\n"), "EXEC")
		want := streamReply("s", streamEntry("2-0", "f", "b"))
		assert.Equal(t, want, c.read(), "XREADGROUP")
		assert.Equal(t, want, r.read(), "XREAD")
		ctl.mustDo(arr(":1\r\n", bulk("2-0"), bulk("2-0"), arr(arr(bulk("c"), bulk("1")))), "XPENDING", "s", "g")
		waitBlockedClients(t, ctl, 0)
	})
}

// TestStreamClientUnblock: CLIENT UNBLOCK ends a blocked XREAD or
// XREADGROUP as a timeout (null array) or with -UNBLOCKED.
func TestStreamClientUnblock(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		ctl.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
		for _, cmd := range [][]string{
			{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"},
			{"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"},
		} {
			for _, tt := range []struct{ how, want string }{
				{"TIMEOUT", "*-1\r\n"},
				{"ERROR", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
			} {
				c := s.dial(t)
				id := strings.TrimSuffix(strings.TrimPrefix(c.do("CLIENT", "ID"), ":"), "\r\n")
				c.send(string(encodeCommand(cmd)))
				waitBlockedClients(t, ctl, 1)
				ctl.mustDo(":1\r\n", "CLIENT", "UNBLOCK", id, tt.how)
				require.Equal(t, tt.want, c.read(), "%q unblocked with %s", cmd[0], tt.how)
				ctl.mustDo(":0\r\n", "CLIENT", "UNBLOCK", id)
				c.mustDo("+PONG\r\n", "PING")
			}
		}
		ctl.mustDo(arr(":0\r\n", "$-1\r\n", "$-1\r\n", "*-1\r\n"), "XPENDING", "s", "g")
	})
}

// TestStreamBlockedGroupOrKeyGoesAway: a consumer blocked on a group is
// unblocked with an error when the group is destroyed, or when its key is
// deleted or overwritten by another type; a blocked XREAD keeps waiting
// through a DEL and is served by the stream XADD makes again.
func TestStreamBlockedGroupOrKeyGoesAway(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		for _, tt := range []struct {
			change []string
			want   string
		}{
			{[]string{"XGROUP", "DESTROY", "s", "g"}, "-NOGROUP the consumer group this client was blocked on no longer exists\r\n"},
			{[]string{"DEL", "s"}, "-UNBLOCKED the stream key no longer exists\r\n"},
			{[]string{"SET", "s", "x"}, "-UNBLOCKED the stream key no longer exists\r\n"},
		} {
			ctl.do("DEL", "s")
			ctl.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
			c := blockOn(t, s, ctl, 1, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
			require.NotEqual(t, "-", ctl.do(tt.change...)[:1], "%q", tt.change)
			assert.Equal(t, tt.want, c.read(), "blocked XREADGROUP after %q", tt.change)
			waitBlockedClients(t, ctl, 0)
		}

		ctl.do("DEL", "s")
		ctl.mustDo(bulk("1-0"), "XADD", "s", "1-0", "f", "v")
		r := blockOn(t, s, ctl, 1, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
		ctl.mustDo(":1\r\n", "DEL", "s")
		waitBlockedClients(t, ctl, 1)
		ctl.mustDo(bulk("2-0"), "XADD", "s", "2-0", "f", "w")
		assert.Equal(t, streamReply("s", streamEntry("2-0", "f", "w")), r.read(), "XREAD after DEL and XADD")
	})
}

// TestStreamPipelineAfterBlockingRead: commands sent behind a blocking
// XREADGROUP wait for it, then run in order.
func TestStreamPipelineAfterBlockingRead(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctl := s.dial(t)
		ctl.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
		c := s.dial(t)
		c.send(string(encodeCommand([]string{"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"})) +
			string(encodeCommand([]string{"XACK", "s", "g", "1-0"})) + string(encodeCommand([]string{"XLEN", "s"})))
		waitBlockedClients(t, ctl, 1)
		ctl.mustDo(bulk("1-0"), "XADD", "s", "1-0", "f", "v")
		assert.Equal(t, streamReply("s", streamEntry("1-0", "f", "v")), c.read())
		assert.Equal(t, ":1\r\n", c.read(), "XACK behind the blocked read")
		assert.Equal(t, ":1\r\n", c.read(), "XLEN behind the blocked read")
	})
}
