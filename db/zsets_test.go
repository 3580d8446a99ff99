package db

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"myredis/resp"
)

func TestZSetCommands(t *testing.T) {
	runCases(t, []cmdCase{
		{"zadd and zrange", [][]string{{"ZADD", "z", "2", "b", "1", "a"}, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}},
			":2\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"zadd flag conflicts", [][]string{{"ZADD", "z", "NX", "XX", "1", "a"}, {"ZADD", "z", "GT", "LT", "1", "a"},
			{"ZADD", "z", "INCR", "1", "a", "2", "b"}, {"ZADD", "z", "1", "a", "2"}},
			"-ERR XX and NX options at the same time are not compatible\r\n" +
				"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n" +
				"-ERR INCR option supports a single increment-element pair\r\n-ERR syntax error\r\n"},
		{"zadd gt ch", [][]string{{"ZADD", "z", "5", "a"}, {"ZADD", "z", "GT", "CH", "4", "a", "6", "b"}, {"ZSCORE", "z", "a"}},
			":1\r\n:1\r\n$1\r\n5\r\n"},
		{"incr nan", [][]string{{"ZADD", "z", "inf", "a"}, {"ZINCRBY", "z", "-inf", "a"}},
			":1\r\n-ERR resulting score is not a number (NaN)\r\n"},
		{"incr blocked by xx", [][]string{{"ZADD", "z", "XX", "INCR", "1", "a"}, {"EXISTS", "z"}}, "$-1\r\n:0\r\n"},
		{"ranks", [][]string{{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZRANK", "z", "c"}, {"ZREVRANK", "z", "c"}, {"ZRANK", "z", "x"}},
			":3\r\n:2\r\n:0\r\n$-1\r\n"},
		{"score ranges", [][]string{{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZCOUNT", "z", "(1", "+inf"},
			{"ZRANGEBYSCORE", "z", "(1", "3", "LIMIT", "1", "1"}, {"ZCOUNT", "z", "x", "1"}},
			":3\r\n:2\r\n*1\r\n$1\r\nc\r\n-ERR min or max is not a float\r\n"},
		{"lex ranges", [][]string{{"ZADD", "z", "0", "a", "0", "b", "0", "c"}, {"ZREVRANGEBYLEX", "z", "+", "(a"},
			{"ZLEXCOUNT", "z", "[b", "+"}, {"ZLEXCOUNT", "z", "b", "+"}},
			":3\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n:2\r\n-ERR min or max not valid string range item\r\n"},
		{"lex limit skips members out of range", [][]string{{"ZADD", "z", "1", "a", "2", "d", "3", "b", "4", "c"},
			{"ZRANGEBYLEX", "z", "[a", "[c"}, {"ZRANGEBYLEX", "z", "[a", "[c", "LIMIT", "2", "5"}},
			":4\r\n*1\r\n$1\r\na\r\n*2\r\n$1\r\nb\r\n$1\r\nc\r\n"},
		{"zrangestore -0 stored as 0 while a listpack", [][]string{{"ZADD", "src", "1", strings.Repeat("x", 65)}, {"ZADD", "src", "-0", "a"},
			{"ZRANGESTORE", "d", "src", "0", "-1"}, {"ZSCORE", "d", "a"}, {"ZRANGESTORE", "d", "src", "0", "-1", "REV"}, {"ZSCORE", "d", "a"}},
			":1\r\n:1\r\n:2\r\n$1\r\n0\r\n:2\r\n$2\r\n-0\r\n"},
		{"zrange limit by rank", [][]string{{"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}},
			"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"},
		{"zremrange deletes empty key", [][]string{{"ZADD", "z", "1", "a", "2", "b"}, {"ZREMRANGEBYRANK", "z", "0", "-1"}, {"EXISTS", "z"}},
			":2\r\n:2\r\n:0\r\n"},
		{"zpopmin forms", [][]string{{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZPOPMIN", "z"}, {"ZPOPMAX", "z", "5"}, {"ZPOPMIN", "z"}, {"ZPOPMIN", "z", "-1"}},
			":3\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n*0\r\n-ERR value is out of range, must be positive\r\n"},
		{"bzpopmin ready and timeout", [][]string{{"ZADD", "z", "1", "a"}, {"BZPOPMIN", "x", "z", "0"}, {"BZPOPMIN", "z", "0.01"}, {"BZPOPMIN", "z", "-1"}},
			":1\r\n*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n*-1\r\n-ERR timeout is negative\r\n"},
		{"zmpop", [][]string{{"ZADD", "b", "1", "a", "2", "b"}, {"ZMPOP", "2", "a", "b", "MAX", "COUNT", "1"}, {"ZMPOP", "1", "a", "MIN"}, {"ZMPOP", "0", "a", "MIN"}, {"BZMPOP", "0.01", "1", "a", "MIN"}},
			":2\r\n*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*-1\r\n-ERR numkeys should be greater than 0\r\n*-1\r\n"},
		{"zmpop numkeys past the arguments", [][]string{{"ZADD", "z", "1", "a"},
			{"ZMPOP", "9223372036854775807", "z", "MIN"}, {"ZMPOP", "9223372036854775806", "z", "MIN"}, {"ZMPOP", "2", "z", "MIN"},
			{"BZMPOP", "0", "9223372036854775807", "z", "MIN"}, {"ZCARD", "z"}},
			":1\r\n-ERR syntax error\r\n-ERR syntax error\r\n-ERR syntax error\r\n-ERR syntax error\r\n:1\r\n"},
		{"zunion weights aggregate", [][]string{{"ZADD", "a", "1", "x", "2", "y"}, {"ZADD", "b", "3", "y"},
			{"ZUNION", "2", "a", "b", "WEIGHTS", "2", "1", "AGGREGATE", "MAX", "WITHSCORES"}, {"ZINTERSTORE", "d", "2", "a", "b"}, {"ZRANGE", "d", "0", "-1", "WITHSCORES"}},
			":2\r\n:1\r\n*4\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$1\r\n4\r\n:1\r\n*2\r\n$1\r\ny\r\n$1\r\n5\r\n"},
		{"zunion errors", [][]string{{"ZUNION", "0", "a"}, {"ZUNION", "2", "a"}, {"ZDIFF", "1", "a", "WEIGHTS", "1"}},
			"-ERR at least 1 input key is needed for 'zunion' command\r\n-ERR syntax error\r\n-ERR syntax error\r\n"},
		{"wrong type", [][]string{{"SET", "s", "v"}, {"ZADD", "s", "1", "a"}, {"ZRANGE", "s", "0", "1"}, {"ZUNION", "1", "s"}},
			"+OK\r\n-" + ErrWrongType + "\r\n-" + ErrWrongType + "\r\n-" + ErrWrongType + "\r\n"},
		{"encoding", [][]string{{"ZADD", "z", "1", "a"}, {"OBJECT", "ENCODING", "z"}, {"ZADD", "z", "1", strings.Repeat("x", 65)}, {"OBJECT", "ENCODING", "z"},
			{"ZREM", "z", strings.Repeat("x", 65)}, {"OBJECT", "ENCODING", "z"}, {"TYPE", "z"}},
			":1\r\n$8\r\nlistpack\r\n:1\r\n$8\r\nskiplist\r\n:1\r\n$8\r\nskiplist\r\n+zset\r\n"},
	})
}

func TestZSetResp3(t *testing.T) {
	ks := New(NewTable(), 16)
	var out bytes.Buffer
	w := resp.NewWriter(&out)
	w.SetProtocol(3)
	cl := &Client{}
	for _, cmd := range [][]string{{"ZADD", "z", "1.5", "a", "2", "b"}, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZPOPMIN", "z"}, {"ZSCORE", "z", "b"}} {
		args := make([][]byte, len(cmd))
		for i, a := range cmd {
			args[i] = []byte(a)
		}
		c, _ := ks.Table().Lookup(args)
		ks.Exec(cl, c, args, w)
	}
	w.Flush()
	want := ":2\r\n*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1.5\r\n,2\r\n"
	if got := out.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// fakeSet stands in for the set family's value, to check that sets take
// part in ZUNION and friends through zsetSetSource.
type fakeSet struct{ members []string }

func (s *fakeSet) Kind() Kind                    { return KindSet }
func (s *fakeSet) Copy() any                     { return &fakeSet{members: slices.Clone(s.members)} }
func (s *fakeSet) Encoding() string              { return "listpack" }
func (s *fakeSet) MemoryUsage(samples int) int64 { return 0 }
func (s *fakeSet) Rewrite(*chunkWriter)          {}
func (s *fakeSet) Len() int                      { return len(s.members) }
func (s *fakeSet) Contains(m []byte) bool        { return slices.Contains(s.members, string(m)) }
func (s *fakeSet) ForEach(fn func(m []byte) bool) bool {
	for _, m := range s.members {
		if !fn([]byte(m)) {
			return false
		}
	}
	return true
}

func TestZSetWithSetInputs(t *testing.T) {
	ks := New(NewTable(), 16)
	ks.DBs()[0].keys.AddLocked([]byte("s"), CollectionValue(&fakeSet{members: []string{"x", "q"}}))
	got := run(ks, &Client{}, []string{"ZADD", "z", "5", "x", "7", "y"},
		[]string{"ZUNION", "2", "s", "z", "WITHSCORES"},
		[]string{"ZINTER", "2", "z", "s", "WEIGHTS", "1", "10", "WITHSCORES"},
		[]string{"ZDIFF", "2", "s", "z"},
		[]string{"ZINTERCARD", "2", "s", "z"})
	want := ":2\r\n*6\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n6\r\n$1\r\ny\r\n$1\r\n7\r\n" +
		"*2\r\n$1\r\nx\r\n$2\r\n15\r\n*1\r\n$1\r\nq\r\n:1\r\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestZSetPropagation checks what the AOF sees: pops as ZPOPMIN/ZPOPMAX
// with the count done, no-ops not at all.
func TestZSetPropagation(t *testing.T) {
	ks := New(NewTable(), 16)
	var log []string
	ks.OnWrite(func(db int, args [][]byte) uint64 {
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = string(a)
		}
		log = append(log, strings.Join(parts, " "))
		return 0
	})
	run(ks, &Client{},
		[]string{"ZADD", "z", "1", "a", "2", "b", "3", "c"},
		[]string{"ZADD", "z", "1", "a"},
		[]string{"ZREM", "z", "nope"},
		[]string{"ZPOPMIN", "z", "10"},
		[]string{"ZADD", "z", "1", "a", "2", "b"},
		[]string{"BZPOPMAX", "z", "0"},
		[]string{"ZMPOP", "1", "z", "MIN", "COUNT", "5"},
		[]string{"ZMPOP", "1", "z", "MIN"},
		[]string{"ZUNIONSTORE", "d", "1", "z"})
	want := []string{"ZADD z 1 a 2 b 3 c", "ZPOPMIN z 3", "ZADD z 1 a 2 b", "ZPOPMAX z 1", "ZPOPMIN z 1"}
	if !slices.Equal(log, want) {
		t.Errorf("log %q\nwant %q", log, want)
	}
}

func TestZSetNumKeys(t *testing.T) {
	tab := NewTable()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"ZUNION", "2", "a", "b", "WITHSCORES"}, []string{"a", "b"}},
		{[]string{"ZUNIONSTORE", "d", "2", "a", "b"}, []string{"d", "a", "b"}},
		{[]string{"ZUNIONSTORE", "d", "9", "a"}, nil}, // a syntax error: no keys
		{[]string{"ZUNION", "x", "a"}, nil},
		{[]string{"BZMPOP", "0", "1", "a", "MIN"}, []string{"a"}},
		{[]string{"ZMPOP", "2", "a", "b", "MAX", "COUNT", "3"}, []string{"a", "b"}},
	} {
		args := make([][]byte, len(tc.args))
		for i, a := range tc.args {
			args[i] = []byte(a)
		}
		cmd, _ := tab.Lookup(args)
		var got []string
		for _, k := range cmd.Keys(nil, args) {
			got = append(got, string(k))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v: keys %v, want %v", tc.args, got, tc.want)
		}
	}
}

// benchExecEach runs the command built by next(i) for each of b.N
// iterations through Exec (benchExec repeats one fixed command).
func benchExecEach(b *testing.B, setup [][]string, next func(i int) [][]byte) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	run(ks, cl, setup...)
	w := resp.NewWriter(&bytes.Buffer{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args := next(i)
		c, _ := ks.Table().Lookup(args)
		ks.Exec(cl, c, args, w)
		if w.Buffered() > 1<<16 {
			w.Flush()
		}
	}
}

func BenchmarkZAdd(b *testing.B) {
	args := [][]byte{[]byte("ZADD"), []byte("z"), nil, nil}
	benchExecEach(b, nil, func(i int) [][]byte {
		args[2] = strconv.AppendInt(args[2][:0], int64(i%100000), 10)
		args[3] = strconv.AppendInt(args[3][:0], int64(i%100000), 10)
		return args
	})
}

func BenchmarkZPopMin(b *testing.B) {
	pop := [][]byte{[]byte("ZPOPMIN"), []byte("z")}
	add := [][]byte{[]byte("ZADD"), []byte("z"), nil, nil}
	benchExecEach(b, nil, func(i int) [][]byte {
		if i%2 == 0 {
			add[2] = strconv.AppendInt(add[2][:0], int64(i), 10)
			add[3] = strconv.AppendInt(add[3][:0], int64(i), 10)
			return add
		}
		return pop
	})
}

// TestRankRangeBeforeTheFirst checks that a stop before the first member
// selects nothing, as in Redis (a differential-test find).
func TestRankRangeBeforeTheFirst(t *testing.T) {
	runCases(t, []cmdCase{
		{"zrange", [][]string{{"ZADD", "z", "1", "a", "2", "b"}, {"ZRANGE", "z", "0", "-3"}, {"ZREVRANGE", "z", "-5", "-3"}},
			":2\r\n*0\r\n*0\r\n"},
		{"zremrangebyrank", [][]string{{"ZADD", "z", "1", "a", "2", "b"}, {"ZREMRANGEBYRANK", "z", "0", "-3"}, {"ZCARD", "z"}},
			":2\r\n:0\r\n:2\r\n"},
	})
}

// BenchmarkZAddSmall creates sorted sets of 10 short members, the shape
// make bench-mem measures: allocations are what a new small set costs.
func BenchmarkZAddSmall(b *testing.B) {
	args := [][]byte{[]byte("ZADD"), nil}
	for j := range 10 {
		args = append(args, []byte(strconv.Itoa(j)), []byte("m"+strconv.Itoa(j)))
	}
	benchExecEach(b, nil, func(i int) [][]byte {
		args[1] = fmt.Appendf(args[1][:0], "key:%08d", i)
		return args
	})
}
