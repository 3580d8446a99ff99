package db

import (
	"io"
	"strconv"
	"strings"
	"testing"

	"myredis/resp"

	"github.com/stretchr/testify/require"
)

// smallBench is a command run over and over on a collection of 10
// elements: cmds are taken in turn (so that an update can move an element
// back and forth).
type smallBench struct {
	name  string
	setup []string
	cmds  [][]string
}

// smallHash, smallZSet and smallIntset set up the 10-element collections:
// short fields and values (field:9 counting for HINCRBY), integral
// scores, small integers.
var (
	smallHash = smallSetup("HSET h", func(i int) []string {
		if i == 9 {
			return []string{"field:9", "100"}
		}
		return []string{"field:" + strconv.Itoa(i), "value:" + strconv.Itoa(i)}
	})
	smallZSet   = smallSetup("ZADD z", func(i int) []string { return []string{strconv.Itoa(i), "member:" + strconv.Itoa(i)} })
	smallIntset = smallSetup("SADD s", func(i int) []string { return []string{strconv.Itoa(i * 7)} })
)

// smallSetup returns the command cmd followed by elem(0) ... elem(9).
func smallSetup(cmd string, elem func(i int) []string) []string {
	args := strings.Fields(cmd)
	for i := range 10 {
		args = append(args, elem(i)...)
	}
	return args
}

var smallBenches = []smallBench{
	{"HGET", smallHash, [][]string{{"HGET", "h", "field:6"}}},
	{"HSET", smallHash, [][]string{{"HSET", "h", "field:6", "value:x"}}},
	{"HGETALL", smallHash, [][]string{{"HGETALL", "h"}}},
	{"HINCRBY", smallHash, [][]string{{"HINCRBY", "h", "field:9", "1"}}},
	{"ZSCORE", smallZSet, [][]string{{"ZSCORE", "z", "member:6"}}},
	{"ZINCRBY", smallZSet, [][]string{{"ZINCRBY", "z", "2.5", "member:5"}, {"ZINCRBY", "z", "-2.5", "member:5"}}},
	{"ZADD", smallZSet, [][]string{{"ZADD", "z", "7.5", "member:5"}, {"ZADD", "z", "5", "member:5"}}},
	{"ZRANGE", smallZSet, [][]string{{"ZRANGE", "z", "0", "-1", "WITHSCORES"}}},
	{"ZRANGEBYSCORE", smallZSet, [][]string{{"ZRANGEBYSCORE", "z", "2", "(7"}}},
	{"ZRANK", smallZSet, [][]string{{"ZRANK", "z", "member:6"}}},
	{"SISMEMBER", smallIntset, [][]string{{"SISMEMBER", "s", "42"}}},
	{"SADD", smallIntset, [][]string{{"SADD", "s", "43"}, {"SREM", "s", "43"}}},
}

// BenchmarkSmall runs single commands on 10-element hashes, sorted sets
// and sets, in their compact encodings (compact) and, for comparison, in
// the hash table or skip list they convert to (table).
func BenchmarkSmall(b *testing.B) {
	for _, bc := range smallBenches {
		for _, enc := range []string{"compact", "table"} {
			b.Run(bc.name+"/"+enc, func(b *testing.B) {
				ks := New(NewTable(), 16)
				if enc == "table" {
					ks.SetEncodingLimits(EncodingLimits{})
				}
				cl := &Client{}
				run(ks, cl, bc.setup)
				benchCycle(b, ks, cl, bc.cmds)
			})
		}
	}
}

// benchCycle runs cmds in turn, b.N commands in all, on ks, already set up.
func benchCycle(b *testing.B, ks *Keyspace, cl *Client, cmds [][]string) {
	type call struct {
		c    *Command
		args [][]byte
	}
	calls := make([]call, len(cmds))
	for i, cmd := range cmds {
		for _, a := range cmd {
			calls[i].args = append(calls[i].args, []byte(a))
		}
		var errMsg string
		if calls[i].c, errMsg = ks.Table().Lookup(calls[i].args); calls[i].c == nil {
			b.Fatal(errMsg)
		}
	}
	w := resp.NewWriter(io.Discard)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		call := calls[i%len(calls)]
		ks.Exec(cl, call.c, call.args, w)
		if w.Buffered() > 1<<16 {
			w.Flush()
		}
	}
}

// TestSmallBenchReplies checks that BenchmarkSmall's commands succeed and
// reply alike in both encodings.
func TestSmallBenchReplies(t *testing.T) {
	for _, bc := range smallBenches {
		var replies [2]string
		for i, limits := range []*EncodingLimits{nil, {}} {
			ks := New(NewTable(), 16)
			if limits != nil {
				ks.SetEncodingLimits(*limits)
			}
			replies[i] = run(ks, &Client{}, append([][]string{bc.setup}, bc.cmds...)...)
		}
		require.NotContains(t, replies[0], "-ERR", bc.name)
		if bc.name == "HGETALL" { // a hash table's order is its own
			require.Len(t, replies[0], len(replies[1]))
			continue
		}
		require.Equal(t, replies[1], replies[0], bc.name)
	}
}
