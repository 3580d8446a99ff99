package db

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// keysCases give the same replies, byte for byte, on Redis 7.0.15.
var keysCases = []cmdCase{
	{"del counts keys that existed once",
		[][]string{{"SET", "a", "1"}, {"SET", "b", "2"}, {"DEL", "a", "b", "c", "a"}, {"EXISTS", "a", "b"}},
		"+OK\r\n+OK\r\n:2\r\n:0\r\n"},
	{"unlink",
		[][]string{{"SET", "a", "1"}, {"UNLINK", "a", "x"}, {"UNLINK", "a"}, {"TYPE", "a"}},
		"+OK\r\n:1\r\n:0\r\n+none\r\n"},
	{"exists counts repeats",
		[][]string{{"SET", "a", "1"}, {"EXISTS", "a", "a", "b"}, {"EXISTS", "b"}},
		"+OK\r\n:2\r\n:0\r\n"},
	{"touch counts repeats",
		[][]string{{"SET", "a", "1"}, {"TOUCH", "a", "a", "b"}},
		"+OK\r\n:2\r\n"},
	{"type",
		[][]string{{"TYPE", "k"}, {"SET", "k", "v"}, {"TYPE", "k"}},
		"+none\r\n+OK\r\n+string\r\n"},
	{"arity",
		[][]string{{"DEL"}, {"TYPE", "a", "b"}, {"EXPIRE", "k"}, {"RENAME", "a"}, {"RANDOMKEY", "x"}},
		"-ERR wrong number of arguments for 'del' command\r\n" +
			"-ERR wrong number of arguments for 'type' command\r\n" +
			"-ERR wrong number of arguments for 'expire' command\r\n" +
			"-ERR wrong number of arguments for 'rename' command\r\n" +
			"-ERR wrong number of arguments for 'randomkey' command\r\n"},

	{"expire argument errors",
		[][]string{
			{"SET", "k", "v"},
			{"EXPIRE", "k", "abc"},
			{"EXPIRE", "k", "abc", "foo"},
			{"EXPIRE", "k", "10", "nx", "xx"},
			{"EXPIRE", "k", "10", "NX", "gt"},
			{"EXPIRE", "k", "10", "gt", "LT"},
			{"PEXPIRE", "k", "10", "xx", "gt", "lt"},
			{"EXPIRE", "k", "10", "foo"},
			{"EXPIRE", "missing", "10", "nx", "nx"},
		},
		"+OK\r\n" +
			"-ERR value is not an integer or out of range\r\n" +
			"-ERR Unsupported option foo\r\n" +
			"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n" +
			"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n" +
			"-ERR GT and LT options at the same time are not compatible\r\n" +
			"-ERR GT and LT options at the same time are not compatible\r\n" +
			"-ERR Unsupported option foo\r\n" +
			":0\r\n"},
	{"expire overflow",
		[][]string{
			{"SET", "k", "v"},
			{"EXPIRE", "k", "9223372036854775807"},
			{"EXPIRE", "k", "-9223372036854775808"},
			{"EXPIRE", "k", "9223372036854774"},
			{"PEXPIRE", "k", "9223372036854775807"},
			{"EXPIREAT", "k", "9223372036854775807"},
			{"EXPIREAT", "k", "9223372036854776"},
			{"PEXPIREAT", "k", "9223372036854775807"},
			{"EXPIRE", "k", "9223372036854775808"},
			{"PEXPIRETIME", "k"},
		},
		"+OK\r\n" +
			"-ERR invalid expire time in 'expire' command\r\n" +
			"-ERR invalid expire time in 'expire' command\r\n" +
			"-ERR invalid expire time in 'expire' command\r\n" +
			"-ERR invalid expire time in 'pexpire' command\r\n" +
			"-ERR invalid expire time in 'expireat' command\r\n" +
			"-ERR invalid expire time in 'expireat' command\r\n" +
			":1\r\n" +
			"-ERR value is not an integer or out of range\r\n" +
			":9223372036854775807\r\n"},
	{"expire options",
		[][]string{
			{"SET", "d", "5"},
			{"EXPIRE", "d", "1000", "GT"}, // no TTL counts as infinite
			{"EXPIRE", "d", "100", "XX"},
			{"EXPIRE", "d", "100", "lt"},
			{"TTL", "d"},
			{"EXPIRE", "d", "1000", "NX"},
			{"EXPIRE", "d", "50", "GT"},
			{"EXPIRE", "d", "1000", "xx", "gt"},
			{"TTL", "d"},
			{"EXPIRE", "d", "2000", "LT"},
			{"EXPIRE", "d", "10", "XX", "LT"},
			{"TTL", "d"},
			{"PERSIST", "d"},
			{"PERSIST", "d"},
			{"EXPIRE", "d", "10", "XX"},
			{"TTL", "d"},
			{"EXPIRE", "d", "10", "NX"},
			{"TTL", "d"},
		},
		"+OK\r\n:0\r\n:0\r\n:1\r\n:100\r\n:0\r\n:0\r\n:1\r\n:1000\r\n:0\r\n:1\r\n:10\r\n" +
			":1\r\n:0\r\n:0\r\n:-1\r\n:1\r\n:10\r\n"},
	{"expire missing key",
		[][]string{{"EXPIRE", "k", "10"}, {"PEXPIREAT", "k", "1"}, {"PERSIST", "k"}, {"TTL", "k"}, {"PTTL", "k"}},
		":0\r\n:0\r\n:0\r\n:-2\r\n:-2\r\n"},
	{"deadline in the past deletes",
		[][]string{
			{"SET", "k", "v"}, {"EXPIRE", "k", "-1"}, {"EXISTS", "k"},
			{"SET", "k", "v"}, {"PEXPIREAT", "k", "1"}, {"GET", "k"},
			{"SET", "k", "v"}, {"EXPIREAT", "k", "0"}, {"TTL", "k"},
			{"SET", "k", "v"}, {"PEXPIRE", "k", "0"}, {"TYPE", "k"},
		},
		"+OK\r\n:1\r\n:0\r\n+OK\r\n:1\r\n$-1\r\n+OK\r\n:1\r\n:-2\r\n+OK\r\n:1\r\n+none\r\n"},
	{"expiretime",
		[][]string{
			{"SET", "k", "v"}, {"EXPIRETIME", "k"}, {"PEXPIRETIME", "k"}, {"EXPIRETIME", "no"}, {"PEXPIRETIME", "no"},
			{"PEXPIREAT", "k", "4102444800123"}, {"EXPIRETIME", "k"}, {"PEXPIRETIME", "k"},
			{"EXPIREAT", "k", "4102444801"}, {"PEXPIRETIME", "k"},
			{"PEXPIREAT", "k", "4102444800500"}, {"EXPIRETIME", "k"},
		},
		"+OK\r\n:-1\r\n:-1\r\n:-2\r\n:-2\r\n:1\r\n:4102444800\r\n:4102444800123\r\n" +
			":1\r\n:4102444801000\r\n:1\r\n:4102444801\r\n"},
	{"set clears the ttl",
		[][]string{{"SET", "k", "v"}, {"EXPIRE", "k", "100"}, {"SET", "k", "w"}, {"TTL", "k"}},
		"+OK\r\n:1\r\n+OK\r\n:-1\r\n"},

	{"keys",
		[][]string{{"KEYS", "*"}, {"SET", "hello", "1"}, {"SET", "world", "2"}, {"KEYS", "h?ll[a-z]"}, {"KEYS", "x*"}, {"KEYS", "w*"}},
		"*0\r\n+OK\r\n+OK\r\n*1\r\n$5\r\nhello\r\n*0\r\n*1\r\n$5\r\nworld\r\n"},
	{"scan cursor errors",
		[][]string{
			{"SCAN", "abc"}, {"SCAN", " 5"}, {"SCAN", "5 "}, {"SCAN", "0x10"}, {"SCAN", "+"}, {"SCAN", "-"},
			{"SCAN", "18446744073709551616"}, {"SCAN", "abc", "COUNT", "0"},
		},
		strings.Repeat("-ERR invalid cursor\r\n", 8)},
	{"scan option errors",
		[][]string{
			{"SCAN", "0", "COUNT", "0"}, {"SCAN", "0", "count", "-1"}, {"SCAN", "0", "COUNT", "x"},
			{"SCAN", "0", "COUNT"}, {"SCAN", "0", "MATCH", "k*", "foo"}, {"SCAN", "0", "foo", "bar"},
			{"SCAN", "0", "COUNT", "x", "MATCH"},
		},
		"-ERR syntax error\r\n-ERR syntax error\r\n-ERR value is not an integer or out of range\r\n" +
			"-ERR syntax error\r\n-ERR syntax error\r\n-ERR syntax error\r\n" +
			"-ERR value is not an integer or out of range\r\n"},
	{"scan odd cursors",
		[][]string{{"SCAN", ""}, {"SCAN", "+0"}, {"SCAN", "-0"}, {"SCAN", "18446744073709551615"}},
		strings.Repeat("*2\r\n$1\r\n0\r\n*0\r\n", 4)},
	{"scan match and type",
		[][]string{
			{"SET", "k", "v"},
			{"SCAN", "0"}, {"SCAN", "0", "MATCH", "k", "COUNT", "100"}, {"SCAN", "0", "MATCH", "x*"},
			{"SCAN", "0", "TYPE", "STRING"}, {"SCAN", "0", "TYPE", "list"}, {"SCAN", "0", "TYPE", "nosuch"},
			{"SCAN", "0", "COUNT", "1", "COUNT", "10"},
		},
		"+OK\r\n" +
			"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n" +
			"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n" +
			"*2\r\n$1\r\n0\r\n*0\r\n" +
			"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n" +
			"*2\r\n$1\r\n0\r\n*0\r\n" +
			"*2\r\n$1\r\n0\r\n*0\r\n" +
			"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n"},
	{"randomkey",
		[][]string{{"RANDOMKEY"}, {"SET", "k", "v"}, {"RANDOMKEY"}, {"DEL", "k"}, {"RANDOMKEY"}},
		"$-1\r\n+OK\r\n$1\r\nk\r\n:1\r\n$-1\r\n"},

	{"rename",
		[][]string{
			{"RENAME", "missing", "x"}, {"RENAME", "missing", "missing"}, {"RENAMENX", "missing", "missing"},
			{"SET", "k", "v"}, {"RENAME", "k", "k"}, {"RENAMENX", "k", "k"},
			{"SET", "k2", "w"}, {"RENAMENX", "k", "k2"}, {"RENAME", "k", "k2"},
			{"GET", "k2"}, {"EXISTS", "k"}, {"RENAMENX", "k2", "k3"}, {"GET", "k3"}, {"EXISTS", "k2"},
		},
		"-ERR no such key\r\n-ERR no such key\r\n-ERR no such key\r\n" +
			"+OK\r\n+OK\r\n:0\r\n" +
			"+OK\r\n:0\r\n+OK\r\n" +
			"$1\r\nv\r\n:0\r\n:1\r\n$1\r\nv\r\n:0\r\n"},
	{"rename moves the ttl",
		[][]string{
			{"SET", "k", "v"}, {"EXPIRE", "k", "100"}, {"SET", "o", "x"}, {"EXPIRE", "o", "5000"},
			{"RENAME", "k", "n"}, {"TTL", "n"}, {"RENAME", "n", "o"}, {"TTL", "o"},
			{"SET", "a", "1"}, {"RENAME", "a", "o"}, {"TTL", "o"},
		},
		"+OK\r\n:1\r\n+OK\r\n:1\r\n+OK\r\n:100\r\n+OK\r\n:100\r\n+OK\r\n+OK\r\n:-1\r\n"},

	{"move errors",
		[][]string{
			{"SET", "k", "v"}, {"MOVE", "k", "16"}, {"MOVE", "k", "-1"}, {"MOVE", "k", "4294967296"},
			{"MOVE", "k", "abc"}, {"MOVE", "k", "0"}, {"MOVE", "missing", "0"}, {"MOVE", "missing", "1"},
		},
		"+OK\r\n-ERR DB index is out of range\r\n-ERR DB index is out of range\r\n" +
			"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n" +
			"-ERR value is not an integer or out of range\r\n" +
			"-ERR source and destination objects are the same\r\n" +
			"-ERR source and destination objects are the same\r\n:0\r\n"},
	{"move",
		[][]string{
			{"SET", "k", "v"}, {"EXPIRE", "k", "100"}, {"MOVE", "k", "1"}, {"EXISTS", "k"},
			{"SET", "k", "other"}, {"SELECT", "1"}, {"GET", "k"}, {"TTL", "k"},
			{"MOVE", "k", "0"}, {"GET", "k"}, {"SELECT", "0"}, {"GET", "k"},
		},
		"+OK\r\n:1\r\n:1\r\n:0\r\n+OK\r\n+OK\r\n$1\r\nv\r\n:100\r\n:0\r\n$1\r\nv\r\n+OK\r\n$5\r\nother\r\n"},

	{"copy errors",
		[][]string{
			{"SET", "k", "v"}, {"COPY", "k", "k"}, {"COPY", "k", "k", "db", "0"}, {"COPY", "k", "k2", "DB"},
			{"COPY", "k", "k2", "db", "16"}, {"COPY", "k", "k2", "db", "x"}, {"COPY", "k", "k2", "foo"},
			{"COPY", "k", "k2", "replace", "db", "99999999999"}, {"COPY", "missing", "k2"},
			{"COPY", "k", "k2", "db", "-1"},
		},
		"+OK\r\n-ERR source and destination objects are the same\r\n" +
			"-ERR source and destination objects are the same\r\n-ERR syntax error\r\n" +
			"-ERR DB index is out of range\r\n-ERR value is not an integer or out of range\r\n" +
			"-ERR syntax error\r\n" +
			"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n:0\r\n" +
			"-ERR DB index is out of range\r\n"},
	{"copy",
		[][]string{
			{"SET", "k", "v"}, {"EXPIRE", "k", "100"}, {"SET", "d", "old"},
			{"COPY", "k", "c"}, {"COPY", "k", "d"}, {"COPY", "k", "d", "REPLACE"},
			{"GET", "c"}, {"TTL", "c"}, {"GET", "d"}, {"TTL", "k"},
			{"APPEND", "c", "x"}, {"GET", "k"},
			{"COPY", "k", "k", "DB", "1"}, {"COPY", "k", "k", "db", "1"}, {"COPY", "k", "k", "REPLACE", "db", "1"},
			{"SELECT", "1"}, {"GET", "k"}, {"TTL", "k"},
		},
		"+OK\r\n:1\r\n+OK\r\n:1\r\n:0\r\n:1\r\n" +
			"$1\r\nv\r\n:100\r\n$1\r\nv\r\n:100\r\n" +
			":2\r\n$1\r\nv\r\n" +
			":1\r\n:0\r\n:1\r\n+OK\r\n$1\r\nv\r\n:100\r\n"},

	{"object encoding",
		[][]string{
			{"OBJECT", "ENCODING", "missing"},
			{"SET", "i", "123"}, {"OBJECT", "ENCODING", "i"},
			{"SET", "i", "-9223372036854775808"}, {"OBJECT", "encoding", "i"},
			{"SET", "i", "012"}, {"OBJECT", "ENCODING", "i"},
			{"SET", "i", "12345678901234567890"}, {"OBJECT", "ENCODING", "i"},
			{"SET", "e", strings.Repeat("a", 44)}, {"OBJECT", "ENCODING", "e"},
			{"SET", "r", strings.Repeat("a", 45)}, {"OBJECT", "ENCODING", "r"},
			{"SET", "a", "1"}, {"APPEND", "a", "2"}, {"OBJECT", "ENCODING", "a"},
			{"COPY", "a", "b"}, {"OBJECT", "ENCODING", "b"},
		},
		"$-1\r\n+OK\r\n$3\r\nint\r\n+OK\r\n$3\r\nint\r\n+OK\r\n$6\r\nembstr\r\n+OK\r\n$6\r\nembstr\r\n" +
			"+OK\r\n$6\r\nembstr\r\n+OK\r\n$3\r\nraw\r\n+OK\r\n:2\r\n$3\r\nraw\r\n:1\r\n$3\r\nraw\r\n"},
	{"object refcount freq idletime",
		[][]string{
			{"OBJECT", "REFCOUNT", "missing"}, {"OBJECT", "FREQ", "missing"}, {"OBJECT", "IDLETIME", "missing"},
			{"SET", "n", "9999"}, {"OBJECT", "REFCOUNT", "n"}, {"SET", "n", "10000"}, {"OBJECT", "REFCOUNT", "n"},
			{"SET", "n", "-5"}, {"OBJECT", "REFCOUNT", "n"}, {"SET", "n", "x"}, {"OBJECT", "REFCOUNT", "n"},
			{"OBJECT", "FREQ", "n"}, {"OBJECT", "IDLETIME", "n"},
		},
		"$-1\r\n$-1\r\n$-1\r\n+OK\r\n:2147483647\r\n+OK\r\n:1\r\n+OK\r\n:1\r\n+OK\r\n:1\r\n" +
			"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n" +
			":0\r\n"},
	{"object errors",
		[][]string{{"OBJECT"}, {"OBJECT", "foo", "k"}, {"OBJECT", "ENCODING"}, {"OBJECT", "ENCODING", "a", "b"}},
		"-ERR wrong number of arguments for 'object' command\r\n" +
			"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n" +
			"-ERR wrong number of arguments for 'object|encoding' command\r\n" +
			"-ERR wrong number of arguments for 'object|encoding' command\r\n"},
	{"memory usage errors",
		[][]string{
			{"MEMORY", "USAGE", "missing"}, {"SET", "k", "v"}, {"MEMORY", "USAGE", "k", "SAMPLES", "-1"},
			{"MEMORY", "USAGE", "k", "samples", "x"}, {"MEMORY", "USAGE", "k", "foo"}, {"MEMORY", "USAGE", "missing", "SAMPLES"},
			{"MEMORY", "USAGE"},
		},
		"$-1\r\n+OK\r\n-ERR syntax error\r\n-ERR value is not an integer or out of range\r\n-ERR syntax error\r\n" +
			"-ERR syntax error\r\n-ERR wrong number of arguments for 'memory|usage' command\r\n"},
}

func TestKeysCommands(t *testing.T) { runCases(t, keysCases) }

func TestParseCursor(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {"42", 42, true}, {"+5", 5, true}, {"-0", 0, true},
		{"-1", math.MaxUint64, true}, {"18446744073709551615", math.MaxUint64, true},
		{"18446744073709551616", 0, false}, {" 5", 0, false}, {"5 ", 0, false}, {"+", 0, false},
		{"-", 0, false}, {"0x10", 0, false}, {"1e3", 0, false}, {"--1", 0, false},
	} {
		got, ok := parseCursor([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseCursor(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// pastDeadline gives key in database db a deadline in the past without
// deleting it, as if it had expired while nobody looked.
func pastDeadline(t *testing.T, ks *Keyspace, db int, key string) {
	t.Helper()
	d := ks.dbs[db]
	s := d.keys.ShardOf([]byte(key))
	d.keys.LockShard(s)
	defer d.keys.UnlockShard(s)
	e := d.keys.FindLocked([]byte(key))
	if e == nil {
		t.Fatalf("pastDeadline: no key %q", key)
	}
	d.keys.SetExpireLocked(e, 1)
}

// TestExpiredKeysInvisible checks that a key past its deadline, but not yet
// reclaimed, is seen by no command.
func TestExpiredKeysInvisible(t *testing.T) {
	for _, tc := range []struct {
		cmd  []string
		want string
	}{
		{[]string{"KEYS", "*"}, "*1\r\n$4\r\nlive\r\n"},
		{[]string{"SCAN", "0", "COUNT", "1000"}, "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n"},
		{[]string{"EXISTS", "dead", "live"}, ":1\r\n"},
		{[]string{"TOUCH", "dead"}, ":0\r\n"},
		{[]string{"TYPE", "dead"}, "+none\r\n"},
		{[]string{"TTL", "dead"}, ":-2\r\n"},
		{[]string{"PEXPIRETIME", "dead"}, ":-2\r\n"},
		{[]string{"PERSIST", "dead"}, ":0\r\n"},
		{[]string{"EXPIRE", "dead", "100"}, ":0\r\n"},
		{[]string{"RANDOMKEY"}, "$4\r\nlive\r\n"},
		{[]string{"RENAME", "dead", "x"}, "-ERR no such key\r\n"},
		{[]string{"RENAMENX", "live", "dead"}, ":1\r\n"},
		{[]string{"MOVE", "dead", "1"}, ":0\r\n"},
		{[]string{"COPY", "dead", "x"}, ":0\r\n"},
		{[]string{"COPY", "live", "dead"}, ":1\r\n"},
		{[]string{"DEL", "dead"}, ":0\r\n"},
		{[]string{"OBJECT", "ENCODING", "dead"}, "$-1\r\n"},
		{[]string{"MEMORY", "USAGE", "dead"}, "$-1\r\n"},
	} {
		t.Run(strings.Join(tc.cmd, " "), func(t *testing.T) {
			ks := New(NewTable(), 16)
			run(ks, &Client{}, []string{"SET", "dead", "1"}, []string{"SET", "live", "2"})
			pastDeadline(t, ks, 0, "dead")
			if got := run(ks, &Client{}, tc.cmd); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRandomKeyOnlyExpired(t *testing.T) {
	ks := New(NewTable(), 16)
	var logged []string
	ks.OnWrite(func(db int, args [][]byte) uint64 { logged = append(logged, joinArgs(db, args)); return 0 })
	for i := range 10 {
		k := "k" + strconv.Itoa(i)
		run(ks, &Client{}, []string{"SET", k, "v"})
		pastDeadline(t, ks, 0, k)
	}
	logged = nil
	if got := run(ks, &Client{}, []string{"RANDOMKEY"}); got != "$-1\r\n" {
		t.Errorf("RANDOMKEY = %q, want null", got)
	}
	if len(logged) != 10 || !strings.HasPrefix(logged[0], "0 DEL k") {
		t.Errorf("RANDOMKEY logged %q, want a DEL per expired key", logged)
	}
	if keys, _ := ks.dbs[0].KeyCounts(); keys != 0 {
		t.Errorf("%d keys left", keys)
	}
}

func TestRandomKeySkipsExpired(t *testing.T) {
	ks := New(NewTable(), 16)
	for i := range 20 {
		run(ks, &Client{}, []string{"SET", "k" + strconv.Itoa(i), "v"})
		if i != 7 {
			pastDeadline(t, ks, 0, "k"+strconv.Itoa(i))
		}
	}
	for range 20 {
		if got := run(ks, &Client{}, []string{"RANDOMKEY"}); got != "$2\r\nk7\r\n" {
			t.Fatalf("RANDOMKEY = %q, want k7", got)
		}
	}
}

func TestKeyCounts(t *testing.T) {
	ks := New(NewTable(), 16)
	run(ks, &Client{}, []string{"SET", "a", "1"}, []string{"SET", "b", "1"}, []string{"SET", "c", "1"},
		[]string{"EXPIRE", "a", "100"}, []string{"SELECT", "2"}, []string{"SET", "x", "1"})
	for _, tc := range []struct{ db, keys, expires int }{{0, 3, 1}, {1, 0, 0}, {2, 1, 0}} {
		if k, e := ks.dbs[tc.db].KeyCounts(); k != tc.keys || e != tc.expires {
			t.Errorf("db %d: KeyCounts = %d, %d; want %d, %d", tc.db, k, e, tc.keys, tc.expires)
		}
	}
}

func joinArgs(db int, args [][]byte) string {
	s := strconv.Itoa(db)
	for _, a := range args {
		s += " " + string(a)
	}
	return s
}

func TestKeysPropagation(t *testing.T) {
	ks := New(NewTable(), 16)
	var logged []string
	ks.OnWrite(func(db int, args [][]byte) uint64 { logged = append(logged, joinArgs(db, args)); return 0 })
	cl := &Client{}
	check := func(want ...string) {
		t.Helper()
		if !slices.Equal(logged, want) {
			t.Errorf("logged %q, want %q", logged, want)
		}
		logged = nil
	}
	run(ks, cl, []string{"SET", "a", "1"}, []string{"SET", "b", "2"}, []string{"SET", "c", "3"})
	logged = nil

	run(ks, cl, []string{"DEL", "a", "x", "c", "a"}, []string{"DEL", "x"}, []string{"unlink", "b", "y"})
	check("0 DEL a c", "0 unlink b")

	run(ks, cl, []string{"SET", "k", "v"})
	logged = nil
	start := nowMs()
	run(ks, cl, []string{"EXPIRE", "k", "100"})
	end := nowMs()
	if len(logged) != 1 || !strings.HasPrefix(logged[0], "0 PEXPIREAT k ") {
		t.Fatalf("EXPIRE logged %q", logged)
	}
	at, _ := strconv.ParseInt(strings.TrimPrefix(logged[0], "0 PEXPIREAT k "), 10, 64)
	if at < start+100000 || at > end+100000 {
		t.Errorf("EXPIRE logged deadline %d, want within [%d, %d]", at, start+100000, end+100000)
	}
	logged = nil

	run(ks, cl,
		[]string{"EXPIRE", "k", "10", "NX"}, // not applied
		[]string{"EXPIRE", "missing", "10"}, // no key
		[]string{"EXPIREAT", "k", "4102444800"},
		[]string{"PEXPIREAT", "k", "4102444800123", "XX"},
		[]string{"PERSIST", "k"},
		[]string{"PERSIST", "k"},
		[]string{"PEXPIRE", "k", "-5"},
		[]string{"TOUCH", "k"},
	)
	check("0 PEXPIREAT k 4102444800000", "0 PEXPIREAT k 4102444800123", "0 PERSIST k", "0 DEL k")

	run(ks, cl, []string{"SET", "a", "1"}, []string{"SET", "b", "2"})
	logged = nil
	run(ks, cl,
		[]string{"RENAME", "a", "a"},
		[]string{"RENAMENX", "a", "b"},
		[]string{"RENAME", "a", "c"},
		[]string{"MOVE", "c", "3"},
		[]string{"MOVE", "c", "3"},
		[]string{"COPY", "b", "c"},
		[]string{"COPY", "b", "c"},
		[]string{"COPY", "b", "c", "DB", "3"},
		[]string{"COPY", "b", "c", "DB", "3", "REPLACE"},
		[]string{"SELECT", "3"},
		[]string{"DEL", "c"},
	)
	check("0 RENAME a c", "0 MOVE c 3", "0 COPY b c", "0 COPY b c DB 3 REPLACE", "3 DEL c")
}

// parseScan splits a SCAN reply into its cursor and keys. Keys must not
// contain CR or LF.
func parseScan(t *testing.T, reply string) (cursor string, keys []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(reply, "\r\n"), "\r\n")
	if len(lines) < 4 || lines[0] != "*2" {
		t.Fatalf("not a SCAN reply: %q", reply)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(lines[3], "*"))
	if err != nil || len(lines) != 4+2*n {
		t.Fatalf("not a SCAN reply: %q", reply)
	}
	for i := 0; i < n; i++ {
		keys = append(keys, lines[5+2*i])
	}
	return lines[2], keys
}

// TestScanSeesEveryKey scans a few thousand keys with several option sets
// while keys are added and deleted between calls: every key present for the
// whole scan must come back, and nothing that does not match.
func TestScanSeesEveryKey(t *testing.T) {
	seed := rand.Uint64()
	if s, err := strconv.ParseUint(os.Getenv("SCAN_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (set SCAN_SEED to replay)", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for _, tc := range []struct {
		name  string
		opts  []string
		match func(key string) bool
	}{
		{"plain", nil, func(string) bool { return true }},
		{"count 1", []string{"COUNT", "1"}, func(string) bool { return true }},
		{"count 500", []string{"COUNT", "500"}, func(string) bool { return true }},
		{"match", []string{"MATCH", "user:*7", "COUNT", "50"}, func(k string) bool { return prefixSuffix(k, "user:", "7") }},
		{"type string", []string{"TYPE", "string", "COUNT", "20"}, func(string) bool { return true }},
		{"type list", []string{"TYPE", "list"}, func(string) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := New(NewTable(), 16)
			cl := &Client{}
			const n = 3000
			for i := range n {
				run(ks, cl, []string{"SET", "user:" + strconv.Itoa(i), "v"})
			}
			// Churn: keys that come and go during the scan may or may not
			// be returned; the stable ones must be.
			seen := map[string]int{}
			cursor, calls := "0", 0
			for {
				cmd := append([]string{"SCAN", cursor}, tc.opts...)
				var keys []string
				cursor, keys = parseScan(t, run(ks, cl, cmd))
				for _, k := range keys {
					seen[k]++
					if !tc.match(k) {
						t.Fatalf("SCAN %v returned %q", tc.opts, k)
					}
				}
				calls++
				for range 20 {
					k := "churn:" + strconv.Itoa(rng.IntN(2000))
					if rng.IntN(2) == 0 {
						run(ks, cl, []string{"SET", k, "v"})
					} else {
						run(ks, cl, []string{"DEL", k})
					}
				}
				if cursor == "0" {
					break
				}
				if calls > 100*n {
					t.Fatal("SCAN does not finish")
				}
			}
			for i := range n {
				k := "user:" + strconv.Itoa(i)
				if tc.match(k) && seen[k] == 0 {
					t.Errorf("SCAN %v never returned %q", tc.opts, k)
				}
			}
		})
	}
}

// prefixSuffix reports whether key has the prefix and suffix (the pattern
// prefix*suffix).
func prefixSuffix(key, prefix, suffix string) bool {
	return len(key) >= len(prefix)+len(suffix) && strings.HasPrefix(key, prefix) && strings.HasSuffix(key, suffix)
}

func TestKeysSorted(t *testing.T) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	var want []string
	for i := range 500 {
		k := fmt.Sprintf("k%03d", i)
		run(ks, cl, []string{"SET", k, "v"})
		if i%10 == 3 {
			want = append(want, k)
		}
	}
	run(ks, cl, []string{"SET", "other", "v"})
	reply := run(ks, cl, []string{"KEYS", "k??3"})
	lines := strings.Split(strings.TrimSuffix(reply, "\r\n"), "\r\n")
	var got []string
	for i := 2; i < len(lines); i += 2 {
		got = append(got, lines[i])
	}
	slices.Sort(got)
	if lines[0] != "*"+strconv.Itoa(len(want)) || !slices.Equal(got, want) {
		t.Errorf("KEYS k??3 = %q, want %q", got, want)
	}
}

func TestCollectionHooks(t *testing.T) {
	ks := New(NewTable(), 16)
	d := ks.dbs[0]
	orig := &fakeList{items: []string{"a", "b", "c"}}
	s := d.keys.ShardOf([]byte("l"))
	d.keys.LockShard(s)
	d.keys.AddLocked([]byte("l"), CollectionValue(orig))
	d.keys.UnlockShard(s)

	cl := &Client{}
	for _, tc := range []struct {
		cmd  []string
		want string
	}{
		{[]string{"TYPE", "l"}, "+list\r\n"},
		{[]string{"OBJECT", "ENCODING", "l"}, "$8\r\nlistpack\r\n"},
		{[]string{"OBJECT", "REFCOUNT", "l"}, ":1\r\n"},
		{[]string{"SCAN", "0", "TYPE", "list"}, "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nl\r\n"},
		{[]string{"SCAN", "0", "TYPE", "string"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
		{[]string{"COPY", "l", "l2"}, ":1\r\n"},
		{[]string{"TYPE", "l2"}, "+list\r\n"},
	} {
		if got := run(ks, cl, tc.cmd); got != tc.want {
			t.Errorf("%v = %q, want %q", tc.cmd, got, tc.want)
		}
	}
	d.keys.LockAll()
	cp := d.keys.FindLocked([]byte("l2")).Value.Obj().(*fakeList)
	d.keys.UnlockAll()
	if cp == orig || !slices.Equal(cp.items, orig.items) {
		t.Errorf("COPY did not deep-copy the list: %p %v, original %p", cp, cp.items, orig)
	}

	// MEMORY USAGE passes SAMPLES on (0 meaning all) and adds the key's
	// overhead (a one-byte name takes an 8-byte allocation).
	base := entryOverhead + 8
	for _, tc := range []struct {
		cmd  []string
		want int64
	}{
		{[]string{"MEMORY", "USAGE", "l"}, base + 300},
		{[]string{"MEMORY", "USAGE", "l", "SAMPLES", "2"}, base + 200},
		{[]string{"MEMORY", "USAGE", "l", "SAMPLES", "0"}, base + 300},
	} {
		want := ":" + strconv.FormatInt(tc.want, 10) + "\r\n"
		if got := run(ks, cl, tc.cmd); got != want {
			t.Errorf("%v = %q, want %q", tc.cmd, got, want)
		}
	}
}

func TestMemoryUsageString(t *testing.T) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	usage := func(key string) int64 {
		t.Helper()
		reply := run(ks, cl, []string{"MEMORY", "USAGE", key})
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(reply, ":"), "\r\n"), 10, 64)
		if err != nil {
			t.Fatalf("MEMORY USAGE %s = %q", key, reply)
		}
		return n
	}
	run(ks, cl, []string{"SET", "small", "v"}, []string{"SET", "big", strings.Repeat("x", 1000)})
	small, big := usage("small"), usage("big")
	if small < entryOverhead+len64("small")+1 || small > entryOverhead+64 {
		t.Errorf("MEMORY USAGE small = %d, entry overhead %d", small, entryOverhead)
	}
	if d := big - small; d < 990 || d > 1100 {
		t.Errorf("a 1000-byte value adds %d bytes", d)
	}
	run(ks, cl, []string{"EXPIRE", "small", "100"})
	if got := usage("small"); got != small+expiringSlot {
		t.Errorf("a deadline adds %d bytes, want %d", got-small, expiringSlot)
	}
}

func len64(s string) int64 { return int64(len(s)) }

func nowMs() int64 { return time.Now().UnixMilli() }

func TestObjectIdletime(t *testing.T) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	run(ks, cl, []string{"SET", "k", "v"})
	d := ks.dbs[0]
	s := d.keys.ShardOf([]byte("k"))
	// set makes the key's last access 50 seconds old.
	set := func() {
		d.keys.LockShard(s)
		d.keys.FindLocked([]byte("k")).Meta = accessClock(nowMs()+1000) - 500 - 10
		d.keys.UnlockShard(s)
	}
	set()
	// OBJECT, TYPE, TTL and EXISTS leave the access time alone.
	run(ks, cl, []string{"TYPE", "k"}, []string{"TTL", "k"}, []string{"EXISTS", "k"})
	if got := run(ks, cl, []string{"OBJECT", "IDLETIME", "k"}); got != ":50\r\n" && got != ":51\r\n" {
		t.Errorf("OBJECT IDLETIME = %q, want 50", got)
	}
	run(ks, cl, []string{"TOUCH", "k"})
	if got := run(ks, cl, []string{"OBJECT", "IDLETIME", "k"}); got != ":0\r\n" {
		t.Errorf("after TOUCH, OBJECT IDLETIME = %q, want 0", got)
	}
	// RENAME and MOVE keep it; COPY reads the source (so touches it) and its
	// new key starts fresh.
	set()
	run(ks, cl, []string{"RENAME", "k", "r"}, []string{"MOVE", "r", "1"}, []string{"SELECT", "1"})
	if got := run(ks, cl, []string{"OBJECT", "IDLETIME", "r"}); got != ":50\r\n" && got != ":51\r\n" {
		t.Errorf("renamed and moved: OBJECT IDLETIME = %q, want 50", got)
	}
	run(ks, cl, []string{"COPY", "r", "c"})
	if got := run(ks, cl, []string{"OBJECT", "IDLETIME", "c"}, []string{"OBJECT", "IDLETIME", "r"}); got != ":0\r\n:0\r\n" {
		t.Errorf("after COPY, OBJECT IDLETIME of copy and source = %q, want 0 and 0", got)
	}
}

func TestHelp(t *testing.T) {
	ks := New(NewTable(), 16)
	for _, tc := range []struct {
		cmd   []string
		lines int
		subs  []string
	}{
		{[]string{"OBJECT", "HELP"}, 6, []string{"ENCODING", "FREQ", "HELP", "IDLETIME", "REFCOUNT"}},
		{[]string{"memory", "help"}, 3, []string{"HELP", "USAGE"}},
	} {
		got := run(ks, &Client{}, tc.cmd)
		if !strings.HasPrefix(got, "*"+strconv.Itoa(tc.lines)+"\r\n+"+strings.ToUpper(tc.cmd[0])+" <subcommand>") {
			t.Errorf("%v = %q", tc.cmd, got)
		}
		for _, s := range tc.subs {
			if !strings.Contains(got, "\r\n+"+s+": ") {
				t.Errorf("%v does not describe %s: %q", tc.cmd, s, got)
			}
		}
	}
}

// TestKeysConcurrent runs the multi-key and multi-database commands from
// several clients at once, for the race detector and to catch lock-order
// deadlocks.
func TestKeysConcurrent(t *testing.T) {
	ks := New(NewTable(), 16)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			cl := &Client{}
			key := func() string { return "k" + strconv.Itoa(rng.IntN(20)) }
			db := func() string { return strconv.Itoa(rng.IntN(3)) }
			for range 2000 {
				var cmd []string
				switch rng.IntN(10) {
				case 0:
					cmd = []string{"SELECT", db()}
				case 1:
					cmd = []string{"RENAME", key(), key()}
				case 2:
					cmd = []string{"MOVE", key(), db()}
				case 3:
					cmd = []string{"COPY", key(), key(), "DB", db(), "REPLACE"}
				case 4:
					cmd = []string{"KEYS", "*"}
				case 5:
					cmd = []string{"SCAN", "0", "COUNT", "5"}
				case 6:
					cmd = []string{"RANDOMKEY"}
				case 7:
					cmd = []string{"DEL", key(), key()}
				case 8:
					cmd = []string{"PEXPIRE", key(), strconv.Itoa(rng.IntN(3))}
				default:
					cmd = []string{"SET", key(), "v"}
				}
				run(ks, cl, cmd)
			}
		}()
	}
	wg.Wait()
}

// TestScanDeletesExpired: SCAN deletes the keys past their deadline that
// match its pattern, as Redis's does, so DBSIZE stops counting them (no
// active expiry runs in these tests).
func TestScanDeletesExpired(t *testing.T) {
	runCases(t, []cmdCase{
		{"scan deletes what it meets expired",
			[][]string{{"SET", "a", "v", "PXAT", "1000"}, {"SET", "b", "v", "PXAT", "1000"}, {"SET", "c", "v"},
				{"DBSIZE"}, {"SCAN", "0", "MATCH", "a"}, {"DBSIZE"}, {"SCAN", "0", "TYPE", "list"}, {"DBSIZE"},
				{"SCAN", "0"}},
			"+OK\r\n+OK\r\n+OK\r\n:3\r\n*2\r\n$1\r\n0\r\n*0\r\n:2\r\n*2\r\n$1\r\n0\r\n*0\r\n:1\r\n*2\r\n$1\r\n0\r\n*1\r\n$1\r\nc\r\n"},
	})
}
