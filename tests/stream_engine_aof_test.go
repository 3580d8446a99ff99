package tests

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// streamWorkload writes streams with every kind of logged change: entries
// added with explicit and generated IDs, approximate and exact trims,
// XDEL, XSETID, groups created and moved, deliveries with and without
// NOACK, claims, auto-claims that drop deleted entries, consumers made and
// deleted. History reads (which Redis 7.0 does not log) are left out.
func streamWorkload(t *testing.T, c *rawConn) {
	t.Helper()
	for _, cmd := range [][]string{
		{"XADD", "s", "1-1", "a", "1", "b", "2"}, {"XADD", "s", "1-2", "a", "3", "b", "4"},
		{"XADD", "s", "2-0", "c", "5"}, {"XADD", "s", "*", "d", "6"}, {"XADD", "s", "MAXLEN", "~", "1000", "*", "e", "7"},
		{"XGROUP", "CREATE", "s", "g1", "0"}, {"XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "3"},
		{"XGROUP", "CREATECONSUMER", "s", "g1", "idle"},
		{"XREADGROUP", "GROUP", "g1", "c1", "COUNT", "2", "STREAMS", "s", ">"},
		{"XREADGROUP", "GROUP", "g1", "c2", "NOACK", "COUNT", "1", "STREAMS", "s", ">"},
		{"XREADGROUP", "GROUP", "g1", "c3", "STREAMS", "s", ">"},
		{"XDEL", "s", "2-0"}, {"XACK", "s", "g1", "1-1"},
		{"XCLAIM", "s", "g1", "c4", "0", "1-2", "RETRYCOUNT", "5"},
		{"XAUTOCLAIM", "s", "g1", "c5", "0", "0", "COUNT", "1"},
		{"XGROUP", "CREATECONSUMER", "s", "g2", "lonely"}, {"XGROUP", "CREATECONSUMER", "s", "g2", "gone"},
		{"XGROUP", "DELCONSUMER", "s", "g2", "gone"},
		{"XGROUP", "SETID", "s", "g2", "1-2", "ENTRIESREAD", "2"},
		{"XADD", "e", "5-5", "f", "v"}, {"XDEL", "e", "5-5"}, {"XGROUP", "CREATE", "e", "eg", "$"},
		{"XSETID", "e", "10-1", "ENTRIESADDED", "7", "MAXDELETEDID", "9-9"},
		{"XGROUP", "CREATE", "mk", "g", "0", "MKSTREAM"},
		{"XADD", "big", "MAXLEN", "3", "1-1", "f", "v"}, {"XADD", "big", "MAXLEN", "3", "2-1", "f", "v"},
		{"XADD", "big", "MAXLEN", "3", "3-1", "f", "v"}, {"XADD", "big", "MAXLEN", "3", "4-1", "f", "v"},
		{"XTRIM", "big", "MINID", "3-1"},
		{"XADD", "d", "1-1", "f", "v"}, {"XGROUP", "CREATE", "d", "g", "0"},
		{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "d", ">"}, {"XDEL", "d", "1-1"},
		{"XAUTOCLAIM", "d", "g", "c2", "0", "0"},
	} {
		if r := c.do(cmd...); r[0] == '-' {
			t.Fatalf("%q: %q", cmd, r)
		}
	}
	for i := range 250 {
		c.do("XADD", "many", "MAXLEN", "~", "120", strconv.Itoa(i+1)+"-1", "k"+strconv.Itoa(i%3), "v"+strconv.Itoa(i))
	}
	// Logged as MAXLEN = <length reached> LIMIT 100, which a replay must
	// take although LIMIT goes only with ~.
	c.mustDo(":100\r\n", "XTRIM", "many", "MAXLEN", "~", "10", "LIMIT", "100")
}

var streamKeys = []string{"s", "e", "mk", "big", "d", "many"}

// seenTime matches a consumer's seen-time in XINFO STREAM FULL: the time
// it was last seen is not logged, so a reload sets it anew.
var seenTime = regexp.MustCompile(`seen-time\r\n:\d+`)

// groupCounters matches entries-read and lag: Redis 7.0 logs a delivery
// as an XCLAIM that moves the last ID without the count of entries read,
// so after a reload both may differ from what the live server had.
var groupCounters = regexp.MustCompile(`(entries-read|lag)\r\n(:\d+|\$-1)`)

// streamState returns XINFO STREAM FULL and XINFO GROUPS of every stream
// of the workload, seen times masked; with counters false, entries-read
// and lag too.
func streamState(c *rawConn, counters bool) map[string]string {
	out := map[string]string{}
	for _, k := range streamKeys {
		s := seenTime.ReplaceAllString(c.do("XINFO", "STREAM", k, "FULL", "COUNT", "0"), "seen-time")
		g := c.do("XINFO", "GROUPS", k)
		if !counters {
			s, g = groupCounters.ReplaceAllString(s, "$1"), groupCounters.ReplaceAllString(g, "$1")
		}
		out[k] = s + g
	}
	return out
}

// TestStreamEngineAOFReplayAndRewrite: after kill -9 under appendfsync
// always, and again after BGREWRITEAOF, MyRedis has the same streams,
// groups, last IDs, PELs with their consumers and delivery counts.
func TestStreamEngineAOFReplayAndRewrite(t *testing.T) {
	s := startAOF(t, "always")
	c := s.dial(t)
	streamWorkload(t, c)
	want := streamState(c, false)
	kill(t, s)
	s = restart(t, s)
	c = s.dial(t)
	assert.Equal(t, want, streamState(c, false), "after replay")
	replayed := streamState(c, true)

	c.mustDo(rewriteStarted, "BGREWRITEAOF")
	waitRewrite(t, c)
	kill(t, s)
	s = restart(t, s)
	assert.Equal(t, replayed, streamState(s.dial(t), true), "after BGREWRITEAOF")
}

// TestStreamEngineAOFBetweenServers: real Redis 7.0 loads the AOF MyRedis
// wrote (a rewritten base and an incremental file) into the same state
// MyRedis loads it into, and MyRedis loads Redis's (without its RDB
// preamble) into the state Redis loads it into.
func TestStreamEngineAOFBetweenServers(t *testing.T) {
	skipIfMissing(t, redisServerPath)
	write := func(c *rawConn) {
		streamWorkload(t, c)
		c.mustDo(rewriteStarted, "BGREWRITEAOF")
		waitRewrite(t, c)
		c.do("XADD", "s", "90-1", "after", "rewrite")
		c.do("XREADGROUP", "GROUP", "g1", "c9", "STREAMS", "s", ">")
		c.do("XTRIM", "many", "MAXLEN", "~", "10")
	}
	for _, tc := range []struct {
		name   string
		start  func() *server
		loader string
	}{
		{"redis loads myredis's", func() *server { return startAOF(t, "always") }, "redis"},
		{"myredis loads redis's", func() *server {
			return startRedis(t, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always")
		}, "myredis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writer := tc.start()
			write(writer.dial(t))
			shutdown(t, writer)
			// The writer's own reload is the reference.
			bin := map[string]string{"redis": redisServerPath, "myredis": binPath}
			self := startOn(t, writer.name, bin[writer.name], writer.dir)
			want := streamState(self.dial(t), true)
			shutdown(t, self)
			other := startOn(t, tc.loader, bin[tc.loader], writer.dir)
			assert.Equal(t, want, streamState(other.dial(t), true))
		})
	}
}
