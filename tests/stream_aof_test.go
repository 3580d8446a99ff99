package tests

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Streams in the append-only file (issue #15): what was acknowledged under
// appendfsync always is back after kill -9, whole (entries, IDs the server
// generated, trims, deletions, groups, their last-delivered IDs and
// counters, pending lists with owners and delivery counts and times),
// after BGREWRITEAOF too; and each server loads the other's AOF.

// streamVolatile matches what a restart may change in XINFO STREAM FULL,
// XPENDING and XINFO CONSUMERS: the radix tree's shape, a consumer's
// seen-time and idle time, and the idle time of a pending entry (its
// delivery time and count are kept).
var streamVolatile = regexp.MustCompile(`radix-tree-(?:keys|nodes)\r\n:(\d+)|seen-time\r\n:(\d+)|idle\r\n:(\d+)|` +
	`\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[^\r]*\r\n:(\d+)\r\n:\d+\r\n`)

// streamState returns, for each of keys in the selected database of s,
// XINFO STREAM FULL, XPENDING's extended form and each group's XINFO
// CONSUMERS, with streamVolatile masked. The delivery times of XINFO STREAM
// FULL's pending entries are kept: the AOF must keep them.
func streamState(t testing.TB, s *server, keys ...string) map[string]string {
	t.Helper()
	c := s.dial(t)
	defer c.c.Close()
	out := map[string]string{}
	for _, key := range keys {
		out[key+" XINFO STREAM FULL"] = maskReply(streamVolatile, c.do("XINFO", "STREAM", key, "FULL"))
		groups, ok := parseDiffNode(c.do("XINFO", "GROUPS", key))
		require.True(t, ok && groups.kind == '*', "%s: XINFO GROUPS %s", s.name, key)
		for _, g := range groups.elems {
			name := g.elems[1].text
			out[key+" XPENDING "+name] = maskReply(streamVolatile, c.do("XPENDING", key, name, "-", "+", "1000"))
			out[key+" XINFO CONSUMERS "+name] = maskReply(streamVolatile, c.do("XINFO", "CONSUMERS", key, name))
		}
	}
	return out
}

// streamKeys are the keys writeStreams writes.
var streamKeys = []string{"orders", "emptied", "made", "capped"}

// writeStreams runs, on c, writes of every kind that reaches the AOF:
// XADD with explicit and generated IDs and with trimming, XDEL, XTRIM,
// XSETID, XGROUP's subcommands, XREADGROUP (with and without NOACK),
// XACK, XCLAIM with its options, XAUTOCLAIM. Two things Redis itself does
// not keep are left out: no pending entry is deleted (a rewritten AOF
// drops it from the pending list), and no history is read with XREADGROUP
// (the delivery count and time it updates are not propagated). part picks
// the batch, so that a test can write before and after a rewrite.
func writeStreams(t testing.TB, c *rawConn, part int) {
	t.Helper()
	var cmds [][]string
	add := func(args ...string) { cmds = append(cmds, args) }
	switch part {
	case 0:
		for i := 1; i <= 30; i++ {
			n := strconv.Itoa(i)
			add("XADD", "orders", n+"-0", "order", n, "user", "u"+strconv.Itoa(i%7))
		}
		add("XADD", "orders", "*", "generated", "yes")
		add("XDEL", "orders", "5-0", "29-0")
		add("XTRIM", "orders", "MINID", "3")
		add("XGROUP", "CREATE", "orders", "g", "0")
		add("XGROUP", "CREATE", "orders", "late", "$")
		add("XREADGROUP", "GROUP", "g", "alice", "COUNT", "10", "STREAMS", "orders", ">")
		add("XREADGROUP", "GROUP", "g", "bob", "COUNT", "5", "STREAMS", "orders", ">")
		add("XACK", "orders", "g", "3-0", "4-0", "6-0")
		add("XCLAIM", "orders", "g", "carol", "0", "7-0", "8-0", "RETRYCOUNT", "5")
		add("XCLAIM", "orders", "g", "carol", "0", "9-0", "IDLE", "100000", "JUSTID")
		add("XCLAIM", "orders", "g", "carol", "0", "10-0", "TIME", "1000000000000")
		add("XAUTOCLAIM", "orders", "g", "dave", "0", "14-0", "COUNT", "2")
		add("XGROUP", "CREATECONSUMER", "orders", "g", "erin")
		add("XREADGROUP", "GROUP", "g", "bob", "NOACK", "COUNT", "3", "STREAMS", "orders", ">")
		add("XGROUP", "CREATE", "orders", "g2", "0", "ENTRIESREAD", "0")
		add("XREADGROUP", "GROUP", "g2", "x", "COUNT", "2", "STREAMS", "orders", ">")
		add("XGROUP", "SETID", "orders", "g2", "20-0", "ENTRIESREAD", "15")
		add("XADD", "emptied", "1-0", "f", "v")
		add("XDEL", "emptied", "1-0")
		add("XSETID", "emptied", "5-0", "ENTRIESADDED", "10", "MAXDELETEDID", "3-0")
		add("XGROUP", "CREATE", "made", "g", "$", "MKSTREAM")
		for i := 1; i <= 12; i++ {
			add("XADD", "capped", "MAXLEN", "5", strconv.Itoa(i)+"-1", "i", strconv.Itoa(i))
		}
	case 1:
		add("XADD", "orders", "*", "after", "rewrite")
		add("XREADGROUP", "GROUP", "g", "frank", "COUNT", "4", "STREAMS", "orders", ">")
		add("XACK", "orders", "g", "7-0", "11-0")
		add("XCLAIM", "orders", "g", "alice", "0", "8-0", "RETRYCOUNT", "9")
		add("XGROUP", "DELCONSUMER", "orders", "g", "erin")
		add("XGROUP", "DESTROY", "orders", "late")
		add("XGROUP", "CREATECONSUMER", "made", "g", "waiting")
		add("XTRIM", "capped", "MAXLEN", "3")
		add("XADD", "capped", "MINID", "11", "20-0", "i", "20")
	}
	for _, cmd := range cmds {
		reply := c.do(cmd...)
		require.False(t, strings.HasPrefix(reply, "-"), "%q: %q", cmd, reply)
	}
}

// TestStreamAOF: on both servers under appendfsync always, the streams
// writeStreams wrote are exactly back after kill -9 and a restart; after
// BGREWRITEAOF and kill -9 (from the rewritten base alone), again; and
// after more writes on that base and another kill -9, again.
func TestStreamAOF(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, append([]string{"--appendonly", "yes", "--appendfsync", "always"}, redisAOFArgs...)...)
		waitLoaded(t, s)
		c := s.dial(t)
		writeStreams(t, c, 0)
		want := streamState(t, s, streamKeys...)

		kill(t, s)
		s = restart(t, s)
		compareStreamState(t, "after kill -9", want, streamState(t, s, streamKeys...))

		c = s.dial(t)
		c.mustDo(rewriteStarted, "BGREWRITEAOF")
		waitRewrite(t, c)
		kill(t, s)
		s = restart(t, s)
		compareStreamState(t, "after BGREWRITEAOF and kill -9", want, streamState(t, s, streamKeys...))

		c = s.dial(t)
		writeStreams(t, c, 1)
		want = streamState(t, s, streamKeys...)
		kill(t, s)
		s = restart(t, s)
		compareStreamState(t, "after BGREWRITEAOF, more writes and kill -9", want, streamState(t, s, streamKeys...))
	})
}

// TestStreamAOFBetweenServers: each server loads the other's AOF with
// streams and consumer groups in the rewritten base and in the
// incremental file, into the same streams, groups and pending lists.
func TestStreamAOFBetweenServers(t *testing.T) {
	skipIfMissing(t, redisServerPath)
	write := func(t *testing.T, s *server) map[string]string {
		c := s.dial(t)
		writeStreams(t, c, 0)
		c.mustDo(rewriteStarted, "BGREWRITEAOF")
		waitRewrite(t, c)
		writeStreams(t, c, 1)
		return streamState(t, s, streamKeys...)
	}
	t.Run("redis loads myredis", func(t *testing.T) {
		s := startAOF(t, "always", redisAOFArgs...)
		want := write(t, s)
		terminate(t, s)
		r := startOn(t, "redis", redisServerPath, s.dir, redisAOFArgs...)
		compareStreamState(t, "Redis loading MyRedis's AOF", want, streamState(t, r, streamKeys...))
	})
	t.Run("myredis loads redis", func(t *testing.T) {
		r := startRedis(t, append([]string{"--appendonly", "yes", "--appendfsync", "always"}, redisAOFArgs...)...)
		waitLoaded(t, r)
		want := write(t, r)
		shutdown(t, r)
		s := startOn(t, "myredis", binPath, r.dir)
		compareStreamState(t, "MyRedis loading Redis's AOF", want, streamState(t, s, streamKeys...))
	})
}

// compareStreamState fails the test with every part of got that differs
// from want.
func compareStreamState(t testing.TB, what string, want, got map[string]string) {
	t.Helper()
	require.NotEmpty(t, want)
	for k, w := range want {
		assert.Equal(t, w, got[k], "%s: %s", what, k)
	}
	assert.Len(t, got, len(want), "%s: the same groups", what)
}
