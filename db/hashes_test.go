package db

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestHashCommands(t *testing.T) {
	long := strings.Repeat("x", DefaultEncodingLimits.HashValue+1)
	runCases(t, []cmdCase{
		{"hset hget hdel", [][]string{
			{"HSET", "h", "a", "1", "b", "2"}, {"HSET", "h", "a", "3", "c", "4"}, {"HGET", "h", "a"},
			{"HGET", "h", "z"}, {"HGET", "nokey", "a"}, {"HLEN", "h"}, {"HDEL", "h", "a", "z"},
			{"HDEL", "h", "b", "c"}, {"EXISTS", "h"}, {"HDEL", "h", "a"}, {"HLEN", "h"}},
			":2\r\n:1\r\n$1\r\n3\r\n$-1\r\n$-1\r\n:3\r\n:1\r\n:2\r\n:0\r\n:0\r\n:0\r\n"},
		{"hset arity", [][]string{{"HSET", "h", "a", "1", "b"}, {"HMSET", "h", "a"}, {"HMSET", "h", "a", "1"}, {"EXISTS", "h"}},
			"-ERR wrong number of arguments for 'hset' command\r\n-ERR wrong number of arguments for 'hmset' command\r\n+OK\r\n:1\r\n"},
		{"hsetnx", [][]string{{"HSETNX", "h", "a", "1"}, {"HSETNX", "h", "a", "2"}, {"HGET", "h", "a"}},
			":1\r\n:0\r\n$1\r\n1\r\n"},
		{"hmget hexists hstrlen", [][]string{
			{"HSET", "h", "a", "hello"}, {"HMGET", "h", "a", "z"}, {"HMGET", "nokey", "a"},
			{"HEXISTS", "h", "a"}, {"HEXISTS", "h", "z"}, {"HSTRLEN", "h", "a"}, {"HSTRLEN", "h", "z"}, {"HSTRLEN", "nokey", "a"}},
			":1\r\n*2\r\n$5\r\nhello\r\n$-1\r\n*1\r\n$-1\r\n:1\r\n:0\r\n:5\r\n:0\r\n:0\r\n"},
		{"listpack keeps insertion order", [][]string{
			{"HSET", "h", "b", "1", "a", "2", "c", "3"}, {"HDEL", "h", "a"}, {"HSET", "h", "b", "9", "a", "4"},
			{"HKEYS", "h"}, {"HVALS", "h"}, {"HGETALL", "h"}, {"HKEYS", "nokey"}, {"HGETALL", "nokey"}},
			":3\r\n:1\r\n:1\r\n*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n*3\r\n$1\r\n9\r\n$1\r\n3\r\n$1\r\n4\r\n" +
				"*6\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\na\r\n$1\r\n4\r\n*0\r\n*0\r\n"},
		{"encodings", [][]string{
			{"HSET", "h", "a", "1"}, {"OBJECT", "ENCODING", "h"}, {"HSET", "h", "b", long}, {"OBJECT", "ENCODING", "h"},
			{"HDEL", "h", "b"}, {"OBJECT", "ENCODING", "h"}, {"HSETNX", "g", "a", "1"}, {"HSETNX", "g", "a", long},
			{"OBJECT", "ENCODING", "g"}, {"HINCRBY", "g", long, "1"}, {"OBJECT", "ENCODING", "g"}, {"TYPE", "g"}},
			":1\r\n$8\r\nlistpack\r\n:1\r\n$9\r\nhashtable\r\n:1\r\n$9\r\nhashtable\r\n:1\r\n:0\r\n" +
				"$8\r\nlistpack\r\n:1\r\n$9\r\nhashtable\r\n+hash\r\n"},
		{"hincrby", [][]string{
			{"HINCRBY", "h", "n", "5"}, {"HINCRBY", "h", "n", "-7"}, {"HSET", "h", "s", "abc", "big", "9223372036854775807"},
			{"HINCRBY", "h", "s", "1"}, {"HINCRBY", "h", "big", "1"}, {"HINCRBY", "h", "n", "x"},
			{"HINCRBY", "nokey", "n", "x"}, {"EXISTS", "nokey"}, {"HGET", "h", "n"}},
			":5\r\n:-2\r\n:2\r\n-" + errHashNotInt + "\r\n-" + ErrOverflow + "\r\n-" + ErrNotInt + "\r\n-" +
				ErrNotInt + "\r\n:0\r\n$2\r\n-2\r\n"},
		{"hincrbyfloat", [][]string{
			{"HINCRBYFLOAT", "h", "f", "10.5"}, {"HINCRBYFLOAT", "h", "f", "0.1"}, {"HINCRBYFLOAT", "h", "f", "-10.6"},
			{"HINCRBYFLOAT", "h", "f", "5.0e3"}, {"HSET", "h", "s", "abc"}, {"HINCRBYFLOAT", "h", "s", "1"},
			{"HINCRBYFLOAT", "h", "f", "x"}, {"HINCRBYFLOAT", "h", "f", "inf"}, {"HINCRBYFLOAT", "nokey", "f", "inf"},
			{"EXISTS", "nokey"}},
			"$4\r\n10.5\r\n$4\r\n10.6\r\n$1\r\n0\r\n$4\r\n5000\r\n:1\r\n-" + errHashNotFloat + "\r\n-" +
				ErrNotFloat + "\r\n-" + errIncrNaNOrInf + "\r\n-" + errIncrNaNOrInf + "\r\n:0\r\n"},
		{"hrandfield", [][]string{
			{"HSET", "h", "a", "1"}, {"HRANDFIELD", "h"}, {"HRANDFIELD", "h", "-2"}, {"HRANDFIELD", "h", "-2", "WITHVALUES"},
			{"HRANDFIELD", "h", "5", "withvalues"}, {"HRANDFIELD", "h", "0"}, {"HRANDFIELD", "nokey"},
			{"HRANDFIELD", "nokey", "3"}, {"HRANDFIELD", "h", "1", "foo"}, {"HRANDFIELD", "h", "1", "WITHVALUES", "x"},
			{"HRANDFIELD", "h", "x"}, {"HRANDFIELD", "h", "-9223372036854775808"},
			{"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"}},
			":1\r\n$1\r\na\r\n*2\r\n$1\r\na\r\n$1\r\na\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n" +
				"*2\r\n$1\r\na\r\n$1\r\n1\r\n*0\r\n$-1\r\n*0\r\n-ERR syntax error\r\n-ERR syntax error\r\n-" +
				ErrNotInt + "\r\n-" + errRandCount + "\r\n-" + errValueRange + "\r\n"},
		{"hscan", [][]string{
			{"HSET", "h", "a", "1", "ab", "2", "b", "3"}, {"HSCAN", "h", "0", "MATCH", "a*"}, {"HSCAN", "h", "7", "COUNT", "1"},
			{"HSCAN", "nokey", "0", "COUNT", "0"}, {"HSCAN", "h", "x"}, {"HSCAN", "h", "0", "COUNT", "0"}},
			":3\r\n*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n2\r\n" +
				"*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n3\r\n" +
				"*2\r\n$1\r\n0\r\n*0\r\n-" + errInvalidCursor + "\r\n-ERR syntax error\r\n"},
		{"wrong type", [][]string{
			{"SET", "s", "v"}, {"HSET", "s", "a", "1"}, {"HSETNX", "s", "a", "1"}, {"HGET", "s", "a"}, {"HMGET", "s", "a"},
			{"HDEL", "s", "a"}, {"HEXISTS", "s", "a"}, {"HLEN", "s"}, {"HSTRLEN", "s", "a"}, {"HKEYS", "s"},
			{"HVALS", "s"}, {"HGETALL", "s"}, {"HINCRBY", "s", "a", "1"}, {"HINCRBYFLOAT", "s", "a", "1"},
			{"HRANDFIELD", "s"}, {"HRANDFIELD", "s", "1"}, {"HSCAN", "s", "0"}},
			"+OK\r\n" + strings.Repeat(wrongType, 16)},
		{"copy is deep", [][]string{
			{"HSET", "h", "a", "1"}, {"COPY", "h", "g"}, {"HSET", "g", "a", "2"}, {"HGET", "h", "a"}, {"HGET", "g", "a"}},
			":1\r\n:1\r\n:0\r\n$1\r\n1\r\n$1\r\n2\r\n"},
	})
}

// TestHashModel checks hashValue against a Go map over random operations,
// with long values and many fields now and then so that hashes convert.
func TestHashModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for round := range 20 {
		h := &hashValue{}
		model := map[string]string{}
		fields := 50 + round*40 // some rounds pass the listpack limit
		for i := range 3000 {
			f := []byte("f" + strconv.Itoa(rng.IntN(fields)))
			switch op := rng.IntN(10); {
			case op < 5:
				v := strconv.Itoa(i)
				if rng.IntN(200) == 0 {
					v = strings.Repeat("v", DefaultEncodingLimits.HashValue+1)
				}
				_, had := model[string(f)]
				if added := h.set(f, []byte(v), &DefaultEncodingLimits); added == had {
					t.Fatalf("round %d op %d: set(%s) added %v, field existed %v", round, i, f, added, had)
				}
				model[string(f)] = v
			case op < 7:
				_, had := model[string(f)]
				if got := h.del(f); got != had {
					t.Fatalf("round %d op %d: del(%s) = %v, want %v", round, i, f, got, had)
				}
				delete(model, string(f))
			default:
				v, ok := h.get(f, nil)
				want, had := model[string(f)]
				if ok != had || string(v) != want {
					t.Fatalf("round %d op %d: get(%s) = %q %v, want %q %v", round, i, f, v, ok, want, had)
				}
			}
			if h.Len() != len(model) {
				t.Fatalf("round %d op %d: len = %d, want %d", round, i, h.Len(), len(model))
			}
			if h.table() == nil && h.Len() > DefaultEncodingLimits.HashEntries {
				t.Fatalf("round %d op %d: listpack of %d fields", round, i, h.Len())
			}
		}
		checkHash(t, h, model)
		checkHash(t, h.Copy().(*hashValue), model)
	}
}

// checkHash checks that forEach and a full scan both see exactly model.
func checkHash(t *testing.T, h *hashValue, model map[string]string) {
	t.Helper()
	each := map[string]string{}
	h.forEach(func(p hashPair) bool { each[string(p.field)] = string(p.value); return true })
	scanned := map[string]string{}
	for cursor := uint64(0); ; {
		if cursor = h.scan(cursor, 5, func(p hashPair) { scanned[string(p.field)] = string(p.value) }); cursor == 0 {
			break
		}
	}
	for _, got := range []map[string]string{each, scanned} {
		if len(got) != len(model) {
			t.Fatalf("saw %d fields, want %d", len(got), len(model))
		}
		for f, v := range model {
			if got[f] != v {
				t.Fatalf("field %s = %q, want %q", f, got[f], v)
			}
		}
	}
}

// TestHrandfieldDistinct checks that HRANDFIELD with a positive count
// returns distinct fields, through both sampling strategies and encodings.
func TestHrandfieldDistinct(t *testing.T) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	for _, size := range []int{10, 100, 1000} {
		run(ks, cl, []string{"DEL", "h"})
		for i := range size {
			run(ks, cl, []string{"HSET", "h", "f" + strconv.Itoa(i), "v" + strconv.Itoa(i)})
		}
		for _, count := range []int{1, size / 4, size / 2, size - 1} {
			items := replyStrings(t, run(ks, cl, []string{"HRANDFIELD", "h", strconv.Itoa(count), "WITHVALUES"}))
			seen := map[string]bool{}
			for i := 0; i < len(items); i += 2 {
				f, v := items[i], items[i+1]
				if seen[f] || "v"+strings.TrimPrefix(f, "f") != v {
					t.Fatalf("HRANDFIELD %d of %d: bad or repeated pair %q %q", count, size, f, v)
				}
				seen[f] = true
			}
			if len(seen) != count {
				t.Fatalf("HRANDFIELD %d of %d: %d fields", count, size, len(seen))
			}
		}
	}
}

// TestHashPropagation checks the forms hash writes are logged in.
func TestHashPropagation(t *testing.T) {
	ks := New(NewTable(), 16)
	var log []string
	ks.OnWrite(func(db int, args [][]byte) uint64 { log = append(log, string(bytes.Join(args, []byte(" ")))); return 0 })
	run(ks, &Client{},
		[]string{"HSET", "h", "a", "1"}, []string{"HSET", "h", "a", "1"}, []string{"HSETNX", "h", "a", "2"},
		[]string{"HINCRBYFLOAT", "h", "f", "1.50"}, []string{"HINCRBY", "h", "n", "2"},
		[]string{"HDEL", "h", "z"}, []string{"HDEL", "h", "a", "f", "n"})
	want := []string{"HSET h a 1", "HSET h a 1", "HSET h f 1.5", "HINCRBY h n 2", "HDEL h a f n"}
	if strings.Join(log, "|") != strings.Join(want, "|") {
		t.Errorf("logged %q\nwant   %q", log, want)
	}
}

// TestHashResp3 checks the RESP3 reply types: a map for HGETALL, pairs for
// HRANDFIELD WITHVALUES, nulls for missing fields.
func TestHashResp3(t *testing.T) {
	got := runProto3(New(NewTable(), 16), []string{"HSET", "h", "a", "1"}, []string{"HGETALL", "h"},
		[]string{"HRANDFIELD", "h", "-2", "WITHVALUES"}, []string{"HMGET", "h", "z"}, []string{"HGETALL", "nokey"})
	want := ":1\r\n%1\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n_\r\n%0\r\n"
	if got != want {
		t.Errorf("replies\n got %q\nwant %q", got, want)
	}
}

func BenchmarkHSet(b *testing.B) {
	benchExec(b, nil, "HSET", "myhash", "element:000000001234", "xxx")
}

// BenchmarkHSetMany sets fields of a hash table hash, the new ones
// included.
func BenchmarkHSetMany(b *testing.B) {
	setup := []string{"HSET", "myhash"}
	for i := range 1000 {
		setup = append(setup, "element:"+strconv.Itoa(i), "xxx")
	}
	benchExec(b, setup, "HSET", "myhash", "element:500", "yyy")
}

// BenchmarkHSetSmall creates hashes of 10 short fields, the shape
// make bench-mem measures: allocations are what a new small hash costs.
func BenchmarkHSetSmall(b *testing.B) {
	args := [][]byte{[]byte("HSET"), nil}
	for j := range 10 {
		args = append(args, []byte("f"+strconv.Itoa(j)), []byte(fmt.Sprintf("v%02d", j)))
	}
	benchExecEach(b, nil, func(i int) [][]byte {
		args[1] = fmt.Appendf(args[1][:0], "key:%08d", i)
		return args
	})
}
