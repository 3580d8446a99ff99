package db

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestSetCommands(t *testing.T) {
	runCases(t, []cmdCase{
		{"sadd srem scard", [][]string{
			{"SADD", "s", "1", "2", "2", "3"}, {"SCARD", "s"}, {"SREM", "s", "2", "9"},
			{"SCARD", "s"}, {"SREM", "s", "1", "3"}, {"EXISTS", "s"}, {"SCARD", "s"}, {"SREM", "s", "1"}},
			":3\r\n:3\r\n:1\r\n:2\r\n:2\r\n:0\r\n:0\r\n:0\r\n"},
		{"encodings", [][]string{
			{"SADD", "s", "1", "-5"}, {"OBJECT", "ENCODING", "s"}, {"SADD", "s", "a"},
			{"OBJECT", "ENCODING", "s"}, {"SREM", "s", "a"}, {"OBJECT", "ENCODING", "s"},
			{"SADD", "t", "01"}, {"OBJECT", "ENCODING", "t"}, {"TYPE", "t"}},
			":2\r\n$6\r\nintset\r\n:1\r\n$9\r\nhashtable\r\n:1\r\n$9\r\nhashtable\r\n:1\r\n$9\r\nhashtable\r\n+set\r\n"},
		{"membership", [][]string{
			{"SADD", "s", "a", "b"}, {"SISMEMBER", "s", "a"}, {"SISMEMBER", "s", "z"},
			{"SISMEMBER", "nokey", "a"}, {"SMISMEMBER", "s", "a", "z", "b"}, {"SMISMEMBER", "nokey", "a"}},
			":2\r\n:1\r\n:0\r\n:0\r\n*3\r\n:1\r\n:0\r\n:1\r\n*1\r\n:0\r\n"},
		{"smembers of an intset is sorted", [][]string{
			{"SADD", "s", "10", "-1", "3"}, {"SMEMBERS", "s"}, {"SMEMBERS", "nokey"}},
			":3\r\n*3\r\n$2\r\n-1\r\n$1\r\n3\r\n$2\r\n10\r\n*0\r\n"},
		{"wrong type", [][]string{
			{"SET", "str", "v"}, {"SADD", "str", "a"}, {"SREM", "str", "a"}, {"SCARD", "str"},
			{"SISMEMBER", "str", "a"}, {"SMISMEMBER", "str", "a"}, {"SMEMBERS", "str"},
			{"SRANDMEMBER", "str"}, {"SPOP", "str"}, {"SPOP", "str", "0"}, {"SINTER", "nokey", "str"},
			{"SUNION", "str"}, {"SDIFF", "nokey", "str"}, {"SSCAN", "str", "0"},
			{"SINTERCARD", "2", "nokey", "str"}, {"SMOVE", "nokey", "str", "a"}},
			"+OK\r\n" + strings.Repeat(wrongType, 14) + ":0\r\n"},
		{"srandmember", [][]string{
			{"SADD", "s", "a"}, {"SRANDMEMBER", "s"}, {"SRANDMEMBER", "s", "-3"}, {"SRANDMEMBER", "s", "5"},
			{"SRANDMEMBER", "s", "0"}, {"SRANDMEMBER", "nokey"}, {"SRANDMEMBER", "nokey", "2"},
			{"SRANDMEMBER", "s", "1", "2"}, {"SRANDMEMBER", "s", "x"},
			{"SRANDMEMBER", "s", "-9223372036854775808"}},
			":1\r\n$1\r\na\r\n*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n*1\r\n$1\r\na\r\n*0\r\n$-1\r\n*0\r\n" +
				"-ERR syntax error\r\n-" + ErrNotInt + "\r\n-" + errRandCount + "\r\n"},
		{"spop", [][]string{
			{"SADD", "s", "a"}, {"SPOP", "s"}, {"EXISTS", "s"}, {"SPOP", "s"},
			{"SADD", "s", "1", "2"}, {"SPOP", "s", "5"}, {"EXISTS", "s"}, {"SPOP", "s", "0"},
			{"SPOP", "s", "-1"}, {"SPOP", "s", "x"}, {"SPOP", "s", "1", "2"}},
			":1\r\n$1\r\na\r\n:0\r\n$-1\r\n:2\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n:0\r\n*0\r\n" +
				"-" + ErrNotPositive + "\r\n-" + ErrNotPositive + "\r\n-ERR syntax error\r\n"},
		{"smove", [][]string{
			{"SADD", "a", "x", "y"}, {"SMOVE", "a", "b", "x"}, {"SMOVE", "a", "b", "x"}, {"SMEMBERS", "b"},
			{"SMOVE", "a", "a", "y"}, {"SMOVE", "a", "a", "z"}, {"SMOVE", "a", "b", "y"}, {"EXISTS", "a"},
			{"SCARD", "b"}, {"SMOVE", "nokey", "b", "x"}},
			":2\r\n:1\r\n:0\r\n*1\r\n$1\r\nx\r\n:1\r\n:0\r\n:1\r\n:0\r\n:2\r\n:0\r\n"},
		{"sinter sunion sdiff", [][]string{
			{"SADD", "a", "1", "2", "3"}, {"SADD", "b", "2", "3", "4"},
			{"SINTER", "a", "b"}, {"SUNION", "a", "b"}, {"SDIFF", "a", "b"}, {"SDIFF", "a", "nokey"},
			{"SINTER", "a", "nokey"}, {"SUNION", "nokey"}, {"SDIFF", "nokey", "a"}, {"SDIFF", "a", "a"}},
			":3\r\n:3\r\n*2\r\n$1\r\n2\r\n$1\r\n3\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n" +
				"*1\r\n$1\r\n1\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n*0\r\n*0\r\n*0\r\n*0\r\n"},
		{"store forms", [][]string{
			{"SADD", "a", "1", "2", "x"}, {"SADD", "b", "1", "2"}, {"SET", "d", "v"}, {"EXPIRE", "d", "100"},
			{"SINTERSTORE", "d", "a", "b"}, {"TYPE", "d"}, {"TTL", "d"}, {"OBJECT", "ENCODING", "d"},
			{"SDIFFSTORE", "d", "a", "b"}, {"OBJECT", "ENCODING", "d"},
			{"SUNIONSTORE", "a", "a", "b"}, {"SDIFFSTORE", "d", "b", "a"}, {"EXISTS", "d"},
			{"SINTERSTORE", "e", "nokey", "a"}, {"EXISTS", "e"}},
			":3\r\n:2\r\n+OK\r\n:1\r\n:2\r\n+set\r\n:-1\r\n$6\r\nintset\r\n:1\r\n$9\r\nhashtable\r\n" +
				":3\r\n:0\r\n:0\r\n:0\r\n:0\r\n"},
		{"sintercard", [][]string{
			{"SADD", "a", "1", "2", "3"}, {"SADD", "b", "1", "2", "3", "4"},
			{"SINTERCARD", "2", "a", "b"}, {"SINTERCARD", "2", "a", "b", "LIMIT", "2"},
			{"SINTERCARD", "2", "a", "b", "limit", "0"}, {"SINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "5"},
			{"SINTERCARD", "2", "a", "nokey"}, {"SINTERCARD", "0", "a"}, {"SINTERCARD", "x", "a"},
			{"SINTERCARD", "3", "a"}, {"SINTERCARD", "1", "a", "LIMIT", "-1"},
			{"SINTERCARD", "1", "a", "LIMIT"}, {"SINTERCARD", "1", "a", "foo", "1"}},
			":3\r\n:4\r\n:3\r\n:2\r\n:3\r\n:3\r\n:0\r\n-" + errNumkeys + "\r\n-" + errNumkeys + "\r\n-" +
				errTooManyKeys + "\r\n-" + errLimitNegative + "\r\n-ERR syntax error\r\n-ERR syntax error\r\n"},
		{"sscan", [][]string{
			{"SADD", "s", "1", "2", "10"}, {"SSCAN", "s", "0", "MATCH", "1*"}, {"SSCAN", "s", "123"},
			{"SSCAN", "nokey", "0", "COUNT", "0"}, {"SSCAN", "s", "0", "COUNT", "0"}, {"SSCAN", "s", "x"},
			{"SSCAN", "s", "0", "MATCH"}, {"SSCAN", "s", "0", "FOO", "1"}, {"SSCAN", "s", "0", "COUNT", "x"}},
			":3\r\n*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$2\r\n10\r\n*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$2\r\n10\r\n" +
				"*2\r\n$1\r\n0\r\n*0\r\n-ERR syntax error\r\n-" + errInvalidCursor + "\r\n-ERR syntax error\r\n" +
				"-ERR syntax error\r\n-" + ErrNotInt + "\r\n"},
		{"copy is deep", [][]string{
			{"SADD", "s", "a"}, {"COPY", "s", "t"}, {"SADD", "t", "b"}, {"SCARD", "s"}, {"SCARD", "t"}},
			":1\r\n:1\r\n:1\r\n:1\r\n:2\r\n"},
	})
}

// TestSetRandomCounts checks that SRANDMEMBER and SPOP with a count return
// distinct members of the set, through both sampling strategies.
func TestSetRandomCounts(t *testing.T) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	for _, size := range []int{10, 100, 1000} {
		for _, count := range []int{1, size / 4, size / 2, size - 1} {
			run(ks, cl, []string{"DEL", "s"})
			for i := range size {
				run(ks, cl, []string{"SADD", "s", "m" + strconv.Itoa(i)})
			}
			for _, cmd := range []string{"SRANDMEMBER", "SPOP"} {
				members := replyStrings(t, run(ks, cl, []string{cmd, "s", strconv.Itoa(count)}))
				seen := map[string]bool{}
				for _, m := range members {
					if seen[m] || !strings.HasPrefix(m, "m") {
						t.Fatalf("%s s %d of %d: bad or repeated member %q", cmd, count, size, m)
					}
					seen[m] = true
				}
				if len(members) != count {
					t.Fatalf("%s s %d of %d: %d members", cmd, count, size, len(members))
				}
			}
			if got, want := run(ks, cl, []string{"SCARD", "s"}), ":"+strconv.Itoa(size-count)+"\r\n"; got != want {
				t.Fatalf("SCARD after SPOP %d of %d: %q, want %q", count, size, got, want)
			}
		}
	}
}

// TestSpopEncoding checks that SPOP re-encodes what stays as Redis 7.0
// does: only when it moves the few members left to a new set.
func TestSpopEncoding(t *testing.T) {
	for _, tc := range []struct {
		count, want string
	}{{"2", "hashtable"}, {"10", "intset"}} {
		ks := New(NewTable(), 16)
		cl := &Client{}
		run(ks, cl, []string{"SADD", "s", "a", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"},
			[]string{"SREM", "s", "a"}, []string{"SPOP", "s", tc.count})
		if got, want := run(ks, cl, []string{"OBJECT", "ENCODING", "s"}), "$"+strconv.Itoa(len(tc.want))+"\r\n"+tc.want+"\r\n"; got != want {
			t.Errorf("SPOP %s of 11: encoding %q, want %q", tc.count, got, want)
		}
	}
}

// replyStrings returns the bulk strings of a flat array reply.
func replyStrings(t *testing.T, reply string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(reply, "\r\n"), "\r\n")
	var out []string
	for i := 1; i < len(lines); i += 2 {
		out = append(out, lines[i+1])
	}
	return out
}

// TestSetPropagation checks the forms set writes are logged in.
func TestSetPropagation(t *testing.T) {
	ks := New(NewTable(), 16)
	var log []string
	ks.OnWrite(func(db int, args [][]byte) uint64 { log = append(log, string(bytes.Join(args, []byte(" ")))); return 0 })
	cl := &Client{}
	run(ks, cl,
		[]string{"SADD", "s", "a"}, []string{"SADD", "s", "a"}, []string{"SPOP", "s"}, []string{"SPOP", "s"},
		[]string{"SADD", "s", "1", "2", "3"}, []string{"SPOP", "s", "3"}, []string{"SREM", "s", "x"},
		[]string{"SADD", "a", "1"}, []string{"SINTERSTORE", "d", "a", "nokey"}, []string{"SUNIONSTORE", "d", "a"},
		[]string{"SINTERSTORE", "d", "a", "nokey"}, []string{"SMOVE", "a", "a", "1"})
	want := []string{"SADD s a", "SREM s a", "SADD s 1 2 3", "DEL s", "SADD a 1", "SUNIONSTORE d a", "SINTERSTORE d a nokey"}
	if strings.Join(log, "|") != strings.Join(want, "|") {
		t.Errorf("logged %q\nwant   %q", log, want)
	}
	// A partial SPOP is logged as SREM of exactly the members popped.
	log = nil
	run(ks, cl, []string{"SADD", "t", "a", "b", "c", "d"})
	reply := replyStrings(t, run(ks, cl, []string{"SPOP", "t", "2"}))
	if want := "SREM t " + strings.Join(reply, " "); len(log) != 2 || log[1] != want {
		t.Errorf("logged %q, want %q", log, want)
	}
}

// TestSetResp3 checks the RESP3 reply types: sets for SMEMBERS, SPOP with a
// count and the set algebra, arrays for SRANDMEMBER.
func TestSetResp3(t *testing.T) {
	ks := New(NewTable(), 16)
	got := runProto3(ks, []string{"SADD", "s", "1"}, []string{"SMEMBERS", "s"}, []string{"SRANDMEMBER", "s", "2"},
		[]string{"SINTER", "s"}, []string{"SPOP", "nokey", "1"}, []string{"SRANDMEMBER", "nokey"})
	want := ":1\r\n~1\r\n$1\r\n1\r\n*1\r\n$1\r\n1\r\n~1\r\n$1\r\n1\r\n~0\r\n_\r\n"
	if got != want {
		t.Errorf("replies\n got %q\nwant %q", got, want)
	}
}

// TestSetScanGuarantee checks that SSCAN over a hash table set returns every
// member present for the whole scan while others come and go.
func TestSetScanGuarantee(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	ks := New(NewTable(), 16)
	cl := &Client{}
	for i := range 1000 {
		run(ks, cl, []string{"SADD", "s", "stay" + strconv.Itoa(i)})
	}
	seen := map[string]bool{}
	cursor := "0"
	for {
		reply := run(ks, cl, []string{"SSCAN", "s", cursor, "COUNT", "20"})
		lines := strings.Split(reply, "\r\n")
		cursor = lines[2]
		for _, m := range replyStrings(t, strings.Join(lines[3:], "\r\n")) {
			seen[m] = true
		}
		// Churn: add and remove other members, growing the table.
		for range 30 {
			run(ks, cl, []string{"SADD", "s", "go" + strconv.Itoa(rng.IntN(5000))})
		}
		run(ks, cl, []string{"SREM", "s", "go" + strconv.Itoa(rng.IntN(5000))})
		if cursor == "0" {
			break
		}
	}
	for i := range 1000 {
		if !seen["stay"+strconv.Itoa(i)] {
			t.Fatalf("SSCAN missed stay%d", i)
		}
	}
}

func BenchmarkSAdd(b *testing.B) { benchExec(b, nil, "SADD", "myset", "element:000000001234") }

// BenchmarkSPop pops from a set of 100000 members and, like
// redis-benchmark, keeps popping once it is empty.
func BenchmarkSPop(b *testing.B) {
	setup := []string{"SADD", "myset"}
	for i := range 100000 {
		setup = append(setup, "element:"+strconv.Itoa(i))
	}
	benchExec(b, setup, "SPOP", "myset")
}

// BenchmarkSAddSmall creates sets of 10 small integers, the shape
// make bench-mem measures: allocations are what a new small set costs.
func BenchmarkSAddSmall(b *testing.B) {
	args := [][]byte{[]byte("SADD"), nil}
	for j := range 10 {
		args = append(args, []byte(strconv.Itoa(j)))
	}
	benchExecEach(b, nil, func(i int) [][]byte {
		args[1] = fmt.Appendf(args[1][:0], "key:%08d", i)
		return args
	})
}
