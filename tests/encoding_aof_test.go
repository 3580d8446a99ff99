package tests

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAOFCompactEncodings checks that small hashes, sets and sorted sets
// come back from a rewritten AOF in the same encodings and with the
// replies their encodings order (a listpack hash's insertion order, an
// intset's increasing order), and that a parameter given at start-up
// decides the encodings the load builds.
func TestAOFCompactEncodings(t *testing.T) {
	s := startAOF(t, "always")
	waitLoaded(t, s)
	c := s.dial(t)
	c.do("HSET", "h", "z", "1", "a", "-7", "m", "1.5")
	c.do("SADD", "s", "70000", "-3", "5")
	c.do("ZADD", "z", "2", "b", "-0", "a", "1.5", "12")
	c.do("SADD", "big", "x", "1")
	queries := [][]string{
		{"OBJECT", "ENCODING", "h"}, {"HGETALL", "h"},
		{"OBJECT", "ENCODING", "s"}, {"SMEMBERS", "s"},
		{"OBJECT", "ENCODING", "z"}, {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
		{"OBJECT", "ENCODING", "big"},
	}
	replies := func(c *rawConn) []string {
		var out []string
		for _, q := range queries {
			out = append(out, c.do(q...))
		}
		return out
	}
	want := replies(c)
	require.Equal(t, []string{"$8\r\nlistpack\r\n", "$6\r\nintset\r\n", "$8\r\nlistpack\r\n", "$9\r\nhashtable\r\n"},
		[]string{want[0], want[2], want[4], want[6]})
	c.mustDo(rewriteStarted, "BGREWRITEAOF")
	waitRewrite(t, c)
	terminate(t, s)

	s = restart(t, s)
	assert.Equal(t, want, replies(s.dial(t)), "after the rewrite and a restart")
	terminate(t, s)

	// Loaded with limits that the small ones outgrow, they convert.
	s = restart(t, s, "--hash-max-listpack-entries", "2", "--set-max-intset-entries", "2",
		"--zset-max-listpack-entries", "2")
	c = s.dial(t)
	assert.Equal(t, "$9\r\nhashtable\r\n", c.do("OBJECT", "ENCODING", "h"))
	assert.Equal(t, "$9\r\nhashtable\r\n", c.do("OBJECT", "ENCODING", "s"))
	assert.Equal(t, "$8\r\nskiplist\r\n", c.do("OBJECT", "ENCODING", "z"))
}
