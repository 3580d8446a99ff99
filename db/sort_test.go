package db

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"

	"myredis/resp"
)

// bulkArray returns the RESP2 array of bulk strings elems.
func bulkArray(elems ...string) string {
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(elems)) + "\r\n")
	for _, e := range elems {
		b.WriteString("$" + strconv.Itoa(len(e)) + "\r\n" + e + "\r\n")
	}
	return b.String()
}

func TestSortCommands(t *testing.T) {
	const errScore = "-" + errSortScore + "\r\n"
	runCases(t, []cmdCase{
		{"numeric list", [][]string{{"RPUSH", "l", "3", "10", "-1", "2.5", " 7", "0x10", ""}, {"SORT", "l"}, {"SORT", "l", "DESC"}},
			":7\r\n" + bulkArray("-1", "", "2.5", "3", " 7", "10", "0x10") + bulkArray("0x10", "10", " 7", "3", "2.5", "", "-1")},
		{"numeric ties compare elements", [][]string{{"RPUSH", "l", "1.0", "1", "01"}, {"SORT", "l"}, {"SORT", "l", "DESC"}},
			":3\r\n" + bulkArray("01", "1", "1.0") + bulkArray("1.0", "1", "01")},
		{"not a number", [][]string{{"RPUSH", "l", "1", "x"}, {"SORT", "l"}, {"SORT", "l", "STORE", "d"}, {"EXISTS", "d"}},
			":2\r\n" + errScore + errScore + ":0\r\n"},
		{"alpha", [][]string{{"RPUSH", "l", "b", "B", "a", "10", "9"}, {"SORT", "l", "ALPHA"}, {"SORT", "l", "alpha", "desc", "limit", "1", "2"}},
			":5\r\n" + bulkArray("10", "9", "B", "a", "b") + bulkArray("a", "B")},
		{"limit", [][]string{{"RPUSH", "l", "5", "4", "3", "2", "1"}, {"SORT", "l", "LIMIT", "1", "2"},
			{"SORT", "l", "LIMIT", "-3", "2"}, {"SORT", "l", "LIMIT", "3", "-1"}, {"SORT", "l", "LIMIT", "5", "1"},
			{"SORT", "l", "LIMIT", "2", "9223372036854775807"}, {"SORT", "l", "LIMIT", "0", "0"}},
			":5\r\n" + bulkArray("2", "3") + bulkArray("1", "2") + bulkArray("4", "5") + bulkArray() +
				bulkArray("3", "4", "5") + bulkArray()},
		{"nosort list and zset", [][]string{{"RPUSH", "l", "c", "a", "b"}, {"ZADD", "z", "2", "x", "1", "y", "3", "w"},
			{"SORT", "l", "BY", "nosort"}, {"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "5"},
			{"SORT", "z", "BY", "nosort"}, {"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "1"}, {"SORT", "z", "ALPHA"}},
			":3\r\n:3\r\n" + bulkArray("c", "a", "b") + bulkArray("a", "c") + bulkArray("y", "x", "w") + bulkArray("x") +
				bulkArray("w", "x", "y")},
		{"intset nosort keeps ascending order", [][]string{{"SADD", "s", "3", "-1", "2"}, {"SORT", "s", "BY", "nosort"}, {"SORT", "s", "DESC"}},
			":3\r\n" + bulkArray("-1", "2", "3") + bulkArray("3", "2", "-1")},
		{"set nosort store sorts alpha", [][]string{{"SADD", "s", "b", "10", "a", "9"}, {"SORT", "s", "BY", "nosort", "STORE", "d"},
			{"LRANGE", "d", "0", "-1"}},
			":4\r\n:4\r\n" + bulkArray("10", "9", "a", "b")},
		{"by and get", [][]string{{"RPUSH", "l", "a", "b", "c"}, {"MSET", "w_a", "3", "w_b", "1", "w_c", "2"},
			{"HSET", "h_a", "n", "A"}, {"SORT", "l", "BY", "w_*", "GET", "#", "GET", "h_*->n", "GET", "w_*"},
			{"SORT", "l", "BY", "w_*", "DESC", "LIMIT", "0", "1"}},
			":3\r\n+OK\r\n:1\r\n*9\r\n$1\r\nb\r\n$-1\r\n$1\r\n1\r\n$1\r\nc\r\n$-1\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\nA\r\n$1\r\n3\r\n" +
				bulkArray("a")},
		{"alpha by: missing first, ties keep list order", [][]string{{"RPUSH", "l", "3", "1", "2", "5", "4"},
			{"MSET", "w_3", "x", "w_2", ""}, {"SORT", "l", "BY", "w_*", "ALPHA"}, {"SORT", "l", "BY", "w_*", "ALPHA", "DESC"}},
			":5\r\n+OK\r\n" + bulkArray("1", "5", "4", "2", "3") + bulkArray("3", "2", "1", "5", "4")},
		{"numeric by: missing is 0", [][]string{{"RPUSH", "l", "a", "b", "c"}, {"MSET", "w_a", "-1", "w_c", "1"},
			{"SORT", "l", "BY", "w_*"}, {"SET", "w_b", "nan"}, {"SORT", "l", "BY", "w_*"}},
			":3\r\n+OK\r\n" + bulkArray("a", "b", "c") + "+OK\r\n" + errScore},
		{"store replaces and deletes", [][]string{{"RPUSH", "l", "2", "1"}, {"SET", "d", "x", "EX", "100"},
			{"SORT", "l", "STORE", "d"}, {"TYPE", "d"}, {"TTL", "d"}, {"LRANGE", "d", "0", "-1"},
			{"SORT", "nokey", "STORE", "d"}, {"EXISTS", "d"}, {"SORT", "l", "GET", "nostar", "STORE", "d"}, {"LRANGE", "d", "0", "-1"}},
			":2\r\n+OK\r\n:2\r\n+list\r\n:-1\r\n" + bulkArray("1", "2") + ":0\r\n:0\r\n:2\r\n" + bulkArray("", "")},
		{"errors", [][]string{{"SET", "s", "v"}, {"SORT", "s"}, {"SORT", "s", "FOO"}, {"SORT", "k", "LIMIT", "1"},
			{"SORT", "k", "LIMIT", "x", "1"}, {"SORT_RO", "k", "STORE", "d"}, {"SORT", "k", "BY"}},
			"+OK\r\n" + wrongType + "-ERR syntax error\r\n-ERR syntax error\r\n-ERR value is not an integer or out of range\r\n" +
				"-ERR syntax error\r\n-ERR syntax error\r\n"},
		{"getkeys", [][]string{{"COMMAND", "GETKEYS", "SORT", "k", "GET", "store", "STORE", "d"},
			{"COMMAND", "GETKEYS", "SORT", "k", "LIMIT", "store", "x", "BY", "store"}, {"COMMAND", "GETKEYS", "SORT_RO", "k"}},
			bulkArray("k", "d") + bulkArray("k") + bulkArray("k")},
	})
}

func TestSortResp3(t *testing.T) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	run(ks, cl, []string{"RPUSH", "l", "1", "2"}, []string{"SET", "o_2", "x"})
	var out bytes.Buffer
	w := resp.NewWriter(&out)
	w.SetProtocol(3)
	args := [][]byte{[]byte("SORT"), []byte("l"), []byte("GET"), []byte("o_*")}
	c, _ := ks.Table().Lookup(args)
	ks.Exec(cl, c, args, w)
	w.Flush()
	if got, want := out.String(), "*2\r\n_\r\n$1\r\nx\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSortStorePropagation checks that SORT ... STORE is logged as sent, and
// only when it changed the destination.
func TestSortStorePropagation(t *testing.T) {
	ks := New(NewTable(), 16)
	var log []string
	ks.OnWrite(func(db int, args [][]byte) uint64 { log = append(log, string(bytes.Join(args, []byte(" ")))); return 0 })
	run(ks, &Client{}, []string{"RPUSH", "l", "b", "a"}, []string{"SORT", "l", "ALPHA", "STORE", "d"},
		[]string{"SORT", "l", "STORE", "e"}, []string{"SORT", "nokey", "STORE", "e"},
		[]string{"SORT", "nokey", "STORE", "d"}, []string{"SORT_RO", "l", "ALPHA"})
	want := []string{"RPUSH l b a", "SORT l ALPHA STORE d", "SORT nokey STORE d"}
	if strings.Join(log, "|") != strings.Join(want, "|") {
		t.Errorf("logged %q, want %q", log, want)
	}
}

// TestSortConcurrent runs SORT with BY and GET patterns while other clients
// change the keys the patterns name, for the race detector.
func TestSortConcurrent(t *testing.T) {
	ks := New(NewTable(), 16)
	run(ks, &Client{}, []string{"RPUSH", "l", "1", "2", "3", "4", "5"})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &Client{ID: int64(w + 1)}
			for i := range 200 {
				k := strconv.Itoa(i % 5)
				switch w {
				case 0:
					run(ks, cl, []string{"SET", "w_" + k, strconv.Itoa(i)}, []string{"HSET", "h_" + k, "f", "v"})
				case 1:
					run(ks, cl, []string{"DEL", "w_" + k, "h_" + k}, []string{"RPUSH", "l", k})
				case 2:
					run(ks, cl, []string{"SORT", "l", "BY", "w_*", "GET", "h_*->f", "STORE", "d"})
				default:
					run(ks, cl, []string{"SORT_RO", "l", "BY", "h_*->f", "ALPHA", "GET", "w_*"}, []string{"SORT", "d", "LIMIT", "0", "3"})
				}
			}
		}()
	}
	wg.Wait()
}

func TestParseSortScore(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"", 0, true}, {"1", 1, true}, {"-2.5", -2.5, true}, {" \t\n\v\f\r7", 7, true}, {"+5", 5, true},
		{"1.", 1, true}, {".5", 0.5, true}, {"1e2", 100, true}, {"1E+2", 100, true}, {"00012", 12, true},
		{"0x10", 16, true}, {"0X1P3", 8, true}, {"-0x.8", -0.5, true}, {"0x1.", 1, true},
		{"inf", math.Inf(1), true}, {"-Infinity", math.Inf(-1), true}, {"INF", math.Inf(1), true},
		{"2.2250738585072014e-308", 0x1p-1022, true}, {"0x1p-1070", 0x1p-1070, true}, {"0e-500", 0, true},
		{"3\x00junk", 3, true},
		{" ", 0, false}, {"5 ", 0, false}, {"abc", 0, false}, {"1e", 0, false}, {"1e+", 0, false},
		{".", 0, false}, {"-", 0, false}, {"+-1", 0, false}, {"0x", 0, false}, {"0x.p1", 0, false},
		{"0x1p", 0, false}, {"1_0", 0, false}, {"0x1_0", 0, false}, {"infinit", 0, false}, {"infx", 0, false},
		{"nan", 0, false}, {"-nan", 0, false}, {"1e400", 0, false}, {"0x1p1024", 0, false},
		{"1e-310", 0, false}, {"4.9e-324", 0, false}, {"1e-400", 0, false}, {"1.2.3", 0, false},
	} {
		got, ok := parseSortScore([]byte(tc.in))
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("parseSortScore(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func BenchmarkSortList(b *testing.B) {
	push := []string{"RPUSH", "l"}
	for i := range 100 {
		push = append(push, strconv.Itoa((i*7919)%1000))
	}
	benchExec(b, push, "SORT", "l", "LIMIT", "0", "10")
}
