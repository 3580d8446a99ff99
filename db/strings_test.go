package db

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Each case of the string and bitmap tests starts with a key "list" of
// another kind (there is no list command here yet), so that WRONGTYPE paths
// can be tested. The expected replies are Redis 7.0.15's.

// runStringCases runs each case against a fresh keyspace holding "list".
func runStringCases(t *testing.T, cases []cmdCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks := newStringKeyspace()
			if got := run(ks, &Client{}, tc.cmds...); got != tc.want {
				t.Errorf("replies\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// newStringKeyspace returns a keyspace whose database 0 holds the key
// "list" of kind list.
func newStringKeyspace() *Keyspace {
	ks := New(NewTable(), 16)
	keys := ks.DBs()[0].keys
	key := []byte("list")
	s := keys.ShardOf(key)
	keys.LockShard(s)
	keys.AddLocked(key, CollectionValue(&fakeList{}))
	keys.UnlockShard(s)
	return ks
}

const (
	wrongType = "-" + ErrWrongType + "\r\n"
	syntaxErr = "-" + ErrSyntax + "\r\n"
	notInt    = "-" + ErrNotInt + "\r\n"
	notFloat  = "-" + ErrNotFloat + "\r\n"
	null      = "$-1\r\n"
	ok        = "+OK\r\n"
)

var stringCases = []cmdCase{
	// GET and SET
	{"set then get", [][]string{{"SET", "k", "v"}, {"GET", "k"}}, ok + "$1\r\nv\r\n"},
	{"get missing", [][]string{{"GET", "k"}}, null},
	{"get wrong type", [][]string{{"GET", "list"}}, wrongType},
	{"set empty value", [][]string{{"SET", "k", ""}, {"GET", "k"}, {"STRLEN", "k"}, {"EXISTS", "k"}}, ok + "$0\r\n\r\n:0\r\n:1\r\n"},
	{"set replaces another kind", [][]string{{"SET", "list", "v"}, {"GET", "list"}, {"TYPE", "list"}}, ok + "$1\r\nv\r\n+string\r\n"},
	{"set nx", [][]string{{"SET", "k", "v", "NX"}, {"SET", "k", "w", "nx"}, {"GET", "k"}}, ok + null + "$1\r\nv\r\n"},
	{"set xx", [][]string{{"SET", "k", "v", "XX"}, {"GET", "k"}, {"SET", "k", "v"}, {"SET", "k", "w", "xx"}, {"GET", "k"}},
		null + null + ok + ok + "$1\r\nw\r\n"},
	{"set get", [][]string{{"SET", "k", "v", "GET"}, {"SET", "k", "w", "get"}, {"GET", "k"}}, null + "$1\r\nv\r\n$1\r\nw\r\n"},
	{"set get wrong type", [][]string{{"SET", "list", "v", "GET"}, {"TYPE", "list"}}, wrongType + "+list\r\n"},
	{"set nx get", [][]string{{"SET", "k", "v", "NX", "GET"}, {"SET", "k", "w", "NX", "GET"}, {"GET", "k"}},
		null + "$1\r\nv\r\n$1\r\nv\r\n"},
	{"set xx get", [][]string{{"SET", "k", "v", "XX", "GET"}, {"EXISTS", "k"}, {"SET", "k", "v"}, {"SET", "k", "w", "XX", "GET"}, {"GET", "k"}},
		null + ":0\r\n" + ok + "$1\r\nv\r\n$1\r\nw\r\n"},
	{"set option conflicts", [][]string{
		{"SET", "k", "v", "NX", "XX"}, {"SET", "k", "v", "XX", "NX"}, {"SET", "k", "v", "EX", "10", "PX", "10"},
		{"SET", "k", "v", "KEEPTTL", "EX", "10"}, {"SET", "k", "v", "EX", "10", "KEEPTTL"}, {"SET", "k", "v", "EX"},
		{"SET", "k", "v", "PERSIST"}, {"SET", "k", "v", "FOO"}, {"SET", "k", "v", "EXAT", "1", "PXAT", "1"},
		{"SET", "k", "v", "GET", "NX", "XX"}, {"SET", "k", "v", "PXAT", "10", "EX", "abc"}, {"EXISTS", "k"}},
		strings.Repeat(syntaxErr, 11) + ":0\r\n"},
	{"set repeated options", [][]string{
		{"SET", "k", "v", "NX", "NX"}, {"SET", "k", "v", "EX", "10", "EX", "20"}, {"TTL", "k"},
		{"SET", "k", "w", "KEEPTTL", "KEEPTTL"}, {"TTL", "k"}, {"SET", "k", "x", "GET", "GET"}},
		ok + ok + ":20\r\n" + ok + ":20\r\n$1\r\nw\r\n"},
	{"set expiry errors", [][]string{
		{"SET", "k", "v", "EX", "0"}, {"SET", "k", "v", "EX", "-1"}, {"SET", "k", "v", "PX", "0"},
		{"SET", "k", "v", "EXAT", "0"}, {"SET", "k", "v", "PXAT", "-5"}, {"SET", "k", "v", "EX", "abc"},
		{"SET", "k", "v", "PX", "1.5"}, {"SET", "k", "v", "EX", " 10"}, {"SET", "k", "v", "EX", "9223372036854775807"},
		{"SET", "k", "v", "EX", "9223372036854775"}, {"SET", "k", "v", "PX", "9223372036854775807"},
		{"SET", "k", "v", "EX", "99999999999999999999"}, {"SET", "list", "v", "EX", "abc", "GET"}, {"EXISTS", "k"}},
		"-ERR invalid expire time in 'set' command\r\n" + "-ERR invalid expire time in 'set' command\r\n" +
			"-ERR invalid expire time in 'set' command\r\n" + "-ERR invalid expire time in 'set' command\r\n" +
			"-ERR invalid expire time in 'set' command\r\n" + notInt + notInt + notInt +
			"-ERR invalid expire time in 'set' command\r\n" + "-ERR invalid expire time in 'set' command\r\n" +
			"-ERR invalid expire time in 'set' command\r\n" + notInt + notInt + ":0\r\n"},
	{"set absolute expiry at the limits", [][]string{
		{"SET", "k", "v", "EXAT", "9223372036854775"}, {"PEXPIRETIME", "k"},
		{"SET", "k", "v", "PXAT", "9223372036854775807"}, {"PEXPIRETIME", "k"}},
		ok + ":9223372036854775000\r\n" + ok + ":9223372036854775807\r\n"},
	{"set ex", [][]string{{"SET", "k", "v", "ex", "100"}, {"TTL", "k"}, {"GET", "k"}}, ok + ":100\r\n$1\r\nv\r\n"},
	{"set px", [][]string{{"SET", "k", "v", "Px", "100000"}, {"TTL", "k"}}, ok + ":100\r\n"},
	{"set exat", [][]string{{"SET", "k", "v", "EXAT", "4102444800"}, {"PEXPIRETIME", "k"}}, ok + ":4102444800000\r\n"},
	{"set pxat", [][]string{{"SET", "k", "v", "PXAT", "4102444800123"}, {"PEXPIRETIME", "k"}}, ok + ":4102444800123\r\n"},
	{"set exat in the past", [][]string{{"SET", "k", "v", "EXAT", "1"}, {"GET", "k"}, {"EXISTS", "k"}}, ok + null + ":0\r\n"},
	{"set clears the ttl", [][]string{{"SET", "k", "v", "EX", "100"}, {"SET", "k", "w"}, {"TTL", "k"}}, ok + ok + ":-1\r\n"},
	{"set keepttl", [][]string{{"SET", "k", "v", "EX", "100"}, {"SET", "k", "w", "KEEPTTL"}, {"TTL", "k"}, {"GET", "k"}},
		ok + ok + ":100\r\n$1\r\nw\r\n"},
	{"set nx with expiry", [][]string{{"SET", "k", "v", "NX", "EX", "100"}, {"SET", "k", "w", "NX", "EX", "200"}, {"TTL", "k"}},
		ok + null + ":100\r\n"},

	// SETNX, SETEX, PSETEX, GETSET, GETDEL
	{"setnx", [][]string{{"SETNX", "k", "v"}, {"SETNX", "k", "w"}, {"GET", "k"}, {"SETNX", "list", "v"}}, ":1\r\n:0\r\n$1\r\nv\r\n:0\r\n"},
	{"setex", [][]string{{"SETEX", "k", "100", "v"}, {"TTL", "k"}, {"GET", "k"}, {"SETEX", "k", "0", "v"},
		{"SETEX", "k", "-1", "v"}, {"SETEX", "k", "x", "v"}, {"SETEX", "k", "9223372036854775", "v"}},
		ok + ":100\r\n$1\r\nv\r\n" + "-ERR invalid expire time in 'setex' command\r\n" +
			"-ERR invalid expire time in 'setex' command\r\n" + notInt + "-ERR invalid expire time in 'setex' command\r\n"},
	{"setex replaces another kind", [][]string{{"SETEX", "list", "100", "v"}, {"TYPE", "list"}}, ok + "+string\r\n"},
	{"psetex", [][]string{{"PSETEX", "k", "100000", "v"}, {"TTL", "k"}, {"PSETEX", "k", "0", "v"}},
		ok + ":100\r\n" + "-ERR invalid expire time in 'psetex' command\r\n"},
	{"getset", [][]string{{"GETSET", "k", "v"}, {"GETSET", "k", "w"}, {"GET", "k"}, {"GETSET", "list", "v"}},
		null + "$1\r\nv\r\n$1\r\nw\r\n" + wrongType},
	{"getset clears the ttl", [][]string{{"SET", "k", "v", "EX", "100"}, {"GETSET", "k", "w"}, {"TTL", "k"}}, ok + "$1\r\nv\r\n:-1\r\n"},
	{"getdel", [][]string{{"SET", "k", "v"}, {"GETDEL", "k"}, {"GETDEL", "k"}, {"EXISTS", "k"}, {"GETDEL", "list"}},
		ok + "$1\r\nv\r\n" + null + ":0\r\n" + wrongType},

	// GETEX
	{"getex", [][]string{{"SET", "k", "v"}, {"GETEX", "k"}, {"TTL", "k"}, {"GETEX", "k", "EX", "100"}, {"TTL", "k"},
		{"GETEX", "k", "PERSIST"}, {"TTL", "k"}, {"GETEX", "k", "px", "200000"}, {"TTL", "k"},
		{"GETEX", "k", "EXAT", "4102444800"}, {"PEXPIRETIME", "k"}, {"GETEX", "k", "PXAT", "4102444800123"}, {"PEXPIRETIME", "k"}},
		ok + "$1\r\nv\r\n:-1\r\n$1\r\nv\r\n:100\r\n$1\r\nv\r\n:-1\r\n$1\r\nv\r\n:200\r\n" +
			"$1\r\nv\r\n:4102444800000\r\n$1\r\nv\r\n:4102444800123\r\n"},
	{"getex past deadline deletes", [][]string{{"SET", "k", "v"}, {"GETEX", "k", "EXAT", "1"}, {"EXISTS", "k"}}, ok + "$1\r\nv\r\n:0\r\n"},
	{"getex missing key", [][]string{{"GETEX", "k", "EX", "10"}, {"GETEX", "k", "EX", "abc"}, {"GETEX", "k", "EX", "0"}, {"GETEX", "k", "FOO"}},
		null + null + null + syntaxErr},
	{"getex wrong type", [][]string{{"GETEX", "list"}, {"GETEX", "list", "EX", "abc"}, {"GETEX", "list", "FOO"}},
		wrongType + wrongType + syntaxErr},
	{"getex errors", [][]string{{"SET", "k", "v"}, {"GETEX", "k", "EX", "10", "PX", "10"}, {"GETEX", "k", "PERSIST", "EX", "10"},
		{"GETEX", "k", "EX", "10", "PERSIST"}, {"GETEX", "k", "KEEPTTL"}, {"GETEX", "k", "EX"}, {"GETEX", "k", "NX"},
		{"GETEX", "k", "GET"}, {"GETEX", "k", "EX", "0"}, {"GETEX", "k", "EXAT", "0"}, {"GETEX", "k", "PXAT", "-1"},
		{"GETEX", "k", "EX", "x"}, {"GETEX", "k", "EX", "9223372036854775807"}, {"TTL", "k"}},
		ok + strings.Repeat(syntaxErr, 7) + strings.Repeat("-ERR invalid expire time in 'getex' command\r\n", 3) +
			notInt + "-ERR invalid expire time in 'getex' command\r\n" + ":-1\r\n"},
	{"getex repeated options", [][]string{{"SET", "k", "v"}, {"GETEX", "k", "PERSIST", "PERSIST"}, {"GETEX", "k", "EX", "10", "EX", "20"}, {"TTL", "k"}},
		ok + "$1\r\nv\r\n$1\r\nv\r\n:20\r\n"},

	// MGET, MSET, MSETNX
	{"mget", [][]string{{"MSET", "a", "1", "b", "2"}, {"MGET", "a", "b", "nokey", "list", "a"}},
		ok + "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n$-1\r\n$1\r\n1\r\n"},
	{"mset later wins", [][]string{{"MSET", "a", "1", "b", "2", "a", "3"}, {"MGET", "a", "b"}}, ok + "*2\r\n$1\r\n3\r\n$1\r\n2\r\n"},
	{"mset odd arguments", [][]string{{"MSET", "a", "1", "b"}, {"MSETNX", "a", "1", "b"}, {"EXISTS", "a"}},
		"-ERR wrong number of arguments for 'mset' command\r\n-ERR wrong number of arguments for 'msetnx' command\r\n:0\r\n"},
	{"mset replaces kind and ttl", [][]string{{"SET", "a", "v", "EX", "100"}, {"MSET", "a", "1", "list", "x"}, {"TTL", "a"}, {"GET", "list"}},
		ok + ok + ":-1\r\n$1\r\nx\r\n"},
	{"msetnx", [][]string{{"MSETNX", "a", "1", "b", "2"}, {"MSETNX", "b", "3", "c", "4"}, {"EXISTS", "c"}, {"GET", "b"}, {"MSETNX", "list", "1"}},
		":1\r\n:0\r\n:0\r\n$1\r\n2\r\n:0\r\n"},

	// INCR family
	{"incr family", [][]string{{"INCR", "n"}, {"INCR", "n"}, {"DECR", "n"}, {"INCRBY", "n", "10"}, {"DECRBY", "n", "20"},
		{"GET", "n"}, {"DECR", "m"}, {"INCRBY", "n", "abc"}, {"DECRBY", "n", "1.5"}},
		":1\r\n:2\r\n:1\r\n:11\r\n:-9\r\n$2\r\n-9\r\n:-1\r\n" + notInt + notInt},
	{"incr wrong type", [][]string{{"INCR", "list"}, {"DECRBY", "list", "1"}, {"INCRBY", "list", "abc"}}, wrongType + wrongType + notInt},
	{"incr overflow", [][]string{{"SET", "n", "9223372036854775807"}, {"INCR", "n"}, {"INCRBY", "n", "0"},
		{"DECRBY", "n", "-9223372036854775808"}, {"DECRBY", "n", "1"}, {"SET", "m", "-9223372036854775808"}, {"DECR", "m"},
		{"INCRBY", "m", "-1"}, {"INCRBY", "x", "9223372036854775807"}, {"INCRBY", "x", "1"}, {"INCRBY", "y", "-9223372036854775808"}, {"GET", "n"}},
		ok + "-ERR increment or decrement would overflow\r\n:9223372036854775807\r\n-ERR decrement would overflow\r\n" +
			":9223372036854775806\r\n" + ok + "-ERR increment or decrement would overflow\r\n" +
			"-ERR increment or decrement would overflow\r\n:9223372036854775807\r\n" +
			"-ERR increment or decrement would overflow\r\n:-9223372036854775808\r\n$19\r\n9223372036854775806\r\n"},
	{"incr non-integers", [][]string{{"SET", "m", "01"}, {"INCR", "m"}, {"SET", "m", " 1"}, {"INCR", "m"}, {"SET", "m", "1.5"},
		{"INCR", "m"}, {"SET", "m", "99999999999999999999"}, {"INCR", "m"}, {"SET", "m", ""}, {"INCR", "m"},
		{"SET", "m", "-0"}, {"INCR", "m"}, {"SET", "m", "+1"}, {"INCR", "m"}, {"INCRBY", "m", "01"}},
		strings.Repeat(ok+notInt, 7) + notInt},
	{"incr keeps ttl and value grows", [][]string{{"SET", "n", "9", "EX", "100"}, {"INCR", "n"}, {"TTL", "n"}, {"INCRBY", "n", "-1000"},
		{"GET", "n"}, {"INCRBY", "n", "1000000000000"}, {"GET", "n"}},
		ok + ":10\r\n:100\r\n:-990\r\n$4\r\n-990\r\n:999999999010\r\n$12\r\n999999999010\r\n"},

	// INCRBYFLOAT
	{"incrbyfloat", [][]string{{"INCRBYFLOAT", "f", "10.5"}, {"INCRBYFLOAT", "f", "0.1"}, {"SET", "g", "0.1"},
		{"INCRBYFLOAT", "g", "0.2"}, {"INCRBYFLOAT", "h", "3.0e3"}, {"INCRBYFLOAT", "h", "-3000"}, {"INCRBYFLOAT", "i", "1e-5"},
		{"INCRBYFLOAT", "i", "-1e-5"}, {"INCRBYFLOAT", "j", "1.23456789012345678901"}, {"INCRBYFLOAT", "k", "1e20"},
		{"INCRBYFLOAT", "k", "1"}, {"INCRBYFLOAT", "l", "7e-1"}, {"INCRBYFLOAT", "l", "2.2e-1"}, {"INCRBYFLOAT", "m", "-0"},
		{"INCRBYFLOAT", "n", "-5.25"}},
		"$4\r\n10.5\r\n$4\r\n10.6\r\n" + ok + "$3\r\n0.3\r\n$4\r\n3000\r\n$1\r\n0\r\n$7\r\n0.00001\r\n$1\r\n0\r\n" +
			"$19\r\n1.23456789012345679\r\n$21\r\n100000000000000000000\r\n$21\r\n100000000000000000000\r\n" +
			"$3\r\n0.7\r\n$4\r\n0.92\r\n$1\r\n0\r\n$5\r\n-5.25\r\n"},
	{"incrbyfloat number syntax", [][]string{{"INCRBYFLOAT", "f", "0x10"}, {"INCRBYFLOAT", "f", "+5"}, {"INCRBYFLOAT", "f", ".5"},
		{"INCRBYFLOAT", "f", "5."}, {"INCRBYFLOAT", "f", "1e+3"}, {"INCRBYFLOAT", "f", "0x1p-3"}, {"INCRBYFLOAT", "f", "0X.8P1"},
		{"INCRBYFLOAT", "f", "1E2"}},
		"$2\r\n16\r\n$2\r\n21\r\n$4\r\n21.5\r\n$4\r\n26.5\r\n$6\r\n1026.5\r\n$8\r\n1026.625\r\n$8\r\n1027.625\r\n$8\r\n1127.625\r\n"},
	{"incrbyfloat errors", [][]string{{"INCRBYFLOAT", "f", "nan"}, {"INCRBYFLOAT", "f", " 1"}, {"INCRBYFLOAT", "f", "1 "},
		{"INCRBYFLOAT", "f", "1e"}, {"INCRBYFLOAT", "f", "1_0"}, {"INCRBYFLOAT", "f", "0x"}, {"INCRBYFLOAT", "f", "1e4933"},
		{"INCRBYFLOAT", "f", "1e-4960"}, {"INCRBYFLOAT", "f", ""}, {"INCRBYFLOAT", "f", "."}, {"INCRBYFLOAT", "f", "infinit"},
		{"INCRBYFLOAT", "f", "1e99999999999999999999"}, {"INCRBYFLOAT", "f", "0x1p"}, {"INCRBYFLOAT", "f", "1.2.3"},
		{"INCRBYFLOAT", "f", "inf"}, {"INCRBYFLOAT", "f", "-INF"}, {"INCRBYFLOAT", "f", "Infinity"}, {"EXISTS", "f"}},
		strings.Repeat(notFloat, 14) + strings.Repeat("-"+ErrNaNOrInf+"\r\n", 3) + ":0\r\n"},
	{"incrbyfloat bad values", [][]string{{"SET", "s", "abc"}, {"INCRBYFLOAT", "s", "1"}, {"INCRBYFLOAT", "list", "1"},
		{"INCRBYFLOAT", "list", "x"}, {"SET", "s", "inf"}, {"INCRBYFLOAT", "s", "1"}, {"SET", "s", "1"}, {"INCRBYFLOAT", "s", "x"}},
		ok + notFloat + wrongType + wrongType + ok + "-" + ErrNaNOrInf + "\r\n" + ok + notFloat},
	{"incrbyfloat long double range", [][]string{{"INCRBYFLOAT", "f", "1e30"}, {"SET", "g", "1e4932"}, {"INCRBYFLOAT", "g", "1e4932"},
		{"INCRBYFLOAT", "g", "-1e4932"}, {"SET", "h", "1e-4940"}, {"INCRBYFLOAT", "h", "0"}},
		"$31\r\n1000000000000000000024696061952\r\n" + ok + "-" + ErrNaNOrInf + "\r\n$1\r\n0\r\n" + ok + "$1\r\n0\r\n"},
	{"incrbyfloat keeps ttl", [][]string{{"SET", "f", "1", "EX", "100"}, {"INCRBYFLOAT", "f", "1.5"}, {"TTL", "f"}},
		ok + "$3\r\n2.5\r\n:100\r\n"},

	// APPEND, STRLEN
	{"append", [][]string{{"APPEND", "k", "abc"}, {"APPEND", "k", "def"}, {"GET", "k"}, {"APPEND", "list", "x"}, {"APPEND", "e", ""}, {"EXISTS", "e"}},
		":3\r\n:6\r\n$6\r\nabcdef\r\n" + wrongType + ":0\r\n:1\r\n"},
	{"append keeps ttl", [][]string{{"SET", "k", "v", "EX", "100"}, {"APPEND", "k", "w"}, {"TTL", "k"}}, ok + ":2\r\n:100\r\n"},
	{"encodings", [][]string{{"SET", "k", "123"}, {"OBJECT", "ENCODING", "k"}, {"APPEND", "k", "4"}, {"OBJECT", "ENCODING", "k"},
		{"INCR", "k"}, {"OBJECT", "ENCODING", "k"}, {"INCRBYFLOAT", "k", "0.5"}, {"OBJECT", "ENCODING", "k"},
		{"SETRANGE", "k", "0", "9"}, {"OBJECT", "ENCODING", "k"}, {"SET", "k", "abc"}, {"OBJECT", "ENCODING", "k"}},
		ok + "$3\r\nint\r\n:4\r\n$3\r\nraw\r\n:1235\r\n$3\r\nint\r\n$6\r\n1235.5\r\n$6\r\nembstr\r\n:6\r\n$3\r\nraw\r\n" +
			ok + "$6\r\nembstr\r\n"},
	{"strlen", [][]string{{"SET", "k", "hello"}, {"STRLEN", "k"}, {"STRLEN", "nokey"}, {"STRLEN", "list"}}, ok + ":5\r\n:0\r\n" + wrongType},

	// GETRANGE, SUBSTR, SETRANGE
	{"getrange", [][]string{{"SET", "s", "Hello World"}, {"GETRANGE", "s", "0", "3"}, {"GETRANGE", "s", "-3", "-1"},
		{"GETRANGE", "s", "-1", "-5"}, {"GETRANGE", "s", "5", "3"}, {"GETRANGE", "s", "-100", "100"}, {"GETRANGE", "s", "100", "200"},
		{"GETRANGE", "s", "0", "-100"}, {"GETRANGE", "s", "-1", "-1"}, {"SUBSTR", "s", "0", "1"},
		{"GETRANGE", "s", "9223372036854775807", "-9223372036854775808"}, {"GETRANGE", "s", "-9223372036854775808", "9223372036854775807"}},
		ok + "$4\r\nHell\r\n$3\r\nrld\r\n$0\r\n\r\n$0\r\n\r\n$11\r\nHello World\r\n$0\r\n\r\n$1\r\nH\r\n$1\r\nd\r\n$2\r\nHe\r\n" +
			"$0\r\n\r\n$11\r\nHello World\r\n"},
	{"getrange edge keys", [][]string{{"GETRANGE", "nokey", "0", "1"}, {"GETRANGE", "nokey", "x", "1"}, {"GETRANGE", "list", "0", "1"},
		{"GETRANGE", "list", "0", "x"}, {"SET", "e", ""}, {"GETRANGE", "e", "0", "-1"}},
		"$0\r\n\r\n" + notInt + wrongType + notInt + ok + "$0\r\n\r\n"},
	{"setrange", [][]string{{"SET", "k", "Hello World"}, {"SETRANGE", "k", "6", "Redis"}, {"GET", "k"}, {"SETRANGE", "n", "3", "ab"},
		{"GET", "n"}, {"SETRANGE", "k", "100", ""}, {"SETRANGE", "nk", "5", ""}, {"EXISTS", "nk"}, {"SETRANGE", "k", "9", "xyz"}, {"GET", "k"}},
		ok + ":11\r\n$11\r\nHello Redis\r\n:5\r\n$5\r\n\x00\x00\x00ab\r\n:11\r\n:0\r\n:0\r\n:12\r\n$12\r\nHello Redxyz\r\n"},
	{"setrange errors", [][]string{{"SET", "k", "v"}, {"SETRANGE", "k", "-1", "x"}, {"SETRANGE", "k", "536870912", "x"},
		{"SETRANGE", "k", "536870911", "xy"}, {"SETRANGE", "k", "9223372036854775807", "x"}, {"SETRANGE", "nk", "536870912", ""},
		{"SETRANGE", "list", "0", "x"}, {"SETRANGE", "list", "-1", "x"}, {"SETRANGE", "list", "x", "x"}, {"SETRANGE", "list", "0", ""}},
		ok + "-ERR offset is out of range\r\n" + strings.Repeat("-"+errStringTooLong+"\r\n", 3) + ":0\r\n" + wrongType +
			"-ERR offset is out of range\r\n" + notInt + wrongType},

	// LCS
	{"lcs", [][]string{{"MSET", "key1", "ohmytext", "key2", "mynewtext"}, {"LCS", "key1", "key2"}, {"LCS", "key1", "key2", "LEN"},
		{"LCS", "key1", "key2", "IDX"}, {"LCS", "key1", "key2", "idx", "minmatchlen", "4"},
		{"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}, {"LCS", "key1", "key2", "MINMATCHLEN", "-5", "IDX"},
		{"LCS", "key1", "key2", "WITHMATCHLEN"}},
		ok + "$6\r\nmytext\r\n:6\r\n" +
			"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n" +
			"*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n" +
			"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n" +
			"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n" +
			"$6\r\nmytext\r\n"},
	{"lcs errors", [][]string{{"SET", "k", "v"}, {"LCS", "k", "list"}, {"LCS", "list", "k", "FOO"}, {"LCS", "k", "k", "IDX", "LEN"},
		{"LCS", "k", "k", "LEN", "IDX"}, {"LCS", "k", "k", "FOO"}, {"LCS", "k", "k", "MINMATCHLEN"}, {"LCS", "k", "k", "MINMATCHLEN", "x"}},
		ok + strings.Repeat("-ERR The specified keys must contain string values\r\n", 2) +
			strings.Repeat("-ERR If you want both the length and indexes, please just use IDX.\r\n", 2) +
			syntaxErr + syntaxErr + notInt},
	{"lcs missing and equal keys", [][]string{{"SET", "k", "abc"}, {"LCS", "k", "nokey"}, {"LCS", "k", "nokey", "IDX"},
		{"LCS", "k", "k", "IDX", "WITHMATCHLEN"}, {"LCS", "x", "y", "LEN"}},
		ok + "$0\r\n\r\n*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n" +
			"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:2\r\n*2\r\n:0\r\n:2\r\n:3\r\n$3\r\nlen\r\n:3\r\n:0\r\n"},
	{"lcs ties", [][]string{{"MSET", "a", "ABCBDAB", "b", "BDCABA"}, {"LCS", "a", "b"}, {"LCS", "a", "b", "IDX", "WITHMATCHLEN"}},
		ok + "$4\r\nBDAB\r\n*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:5\r\n:6\r\n*2\r\n:3\r\n:4\r\n:2\r\n" +
			"*3\r\n*2\r\n:3\r\n:4\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:4\r\n"},
}

func TestStringCommands(t *testing.T) { runStringCases(t, stringCases) }

// TestLCSLimit checks the transient memory limit Redis puts on LCS.
func TestLCSLimit(t *testing.T) {
	ks := newStringKeyspace()
	long := strings.Repeat("a", 11586)
	got := run(ks, &Client{}, []string{"MSET", "a", long, "b", long}, []string{"LCS", "a", "b", "LEN"})
	want := ok + "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestStringPropagation checks the forms in which string writes are logged.
func TestStringPropagation(t *testing.T) {
	cases := []struct {
		name string
		cmds [][]string
		want []string
	}{
		{"set as sent", [][]string{{"set", "k", "v"}, {"SET", "k", "w", "KEEPTTL", "xx"}}, []string{"set k v", "SET k w KEEPTTL xx"}},
		{"set without get", [][]string{{"SET", "k", "v", "GET"}, {"SET", "k", "w", "get", "KEEPTTL", "GET"}},
			[]string{"SET k v", "SET k w KEEPTTL"}},
		{"set absolute expiry", [][]string{{"SET", "k", "v", "EXAT", "4102444800"}, {"set", "k", "v", "nx"},
			{"set", "k", "w", "pxat", "4102444800123", "xx", "get"}},
			[]string{"SET k v PXAT 4102444800000", "SET k w PXAT 4102444800123"}},
		{"set in the past expires", [][]string{{"SET", "k", "v", "PXAT", "1"}, {"GET", "k"}}, []string{"SET k v PXAT 1", "DEL k"}},
		{"failed writes", [][]string{{"SET", "k", "v", "XX"}, {"SET", "k", "v", "EX", "0"}, {"SETNX", "list", "v"},
			{"MSETNX", "list", "1", "a", "2"}, {"INCR", "list"}, {"SETRANGE", "k", "0", ""}, {"GETDEL", "k"}, {"GETEX", "k", "PERSIST"},
			{"BITOP", "AND", "d", "nokey"}, {"INCRBYFLOAT", "list", "1"}}, nil},
		{"setnx getset getdel", [][]string{{"SETNX", "k", "v"}, {"GETSET", "k", "w"}, {"GETDEL", "k"}}, []string{"SETNX k v", "GETSET k w", "DEL k"}},
		{"getex", [][]string{{"SET", "k", "v"}, {"GETEX", "k"}, {"GETEX", "k", "EXAT", "4102444800"}, {"GETEX", "k", "PERSIST"},
			{"GETEX", "k", "PERSIST"}, {"GETEX", "k", "PXAT", "1"}},
			[]string{"SET k v", "PEXPIREAT k 4102444800000", "PERSIST k", "DEL k"}},
		{"mset incr append", [][]string{{"MSET", "a", "1", "b", "2"}, {"MSETNX", "c", "3"}, {"INCR", "a"}, {"DECRBY", "a", "5"},
			{"APPEND", "e", ""}, {"APPEND", "e", ""}, {"SETRANGE", "e", "1", "x"}},
			[]string{"MSET a 1 b 2", "MSETNX c 3", "INCR a", "DECRBY a 5", "APPEND e ", "APPEND e ", "SETRANGE e 1 x"}},
		{"incrbyfloat", [][]string{{"INCRBYFLOAT", "f", "1.5"}, {"INCRBYFLOAT", "f", "2.5e1"}}, []string{"SET f 1.5 KEEPTTL", "SET f 26.5 KEEPTTL"}},
		{"setbit only changes", [][]string{{"SETBIT", "b", "1", "1"}, {"SETBIT", "b", "1", "1"}, {"SETBIT", "b", "1", "0"},
			{"SETBIT", "b", "20", "0"}, {"SETBIT", "b", "20", "0"}},
			[]string{"SETBIT b 1 1", "SETBIT b 1 0", "SETBIT b 20 0"}},
		{"bitop", [][]string{{"SET", "d", "x"}, {"BITOP", "AND", "d", "nokey"}, {"BITOP", "AND", "d", "nokey"}, {"BITOP", "NOT", "d", "list"},
			{"SET", "a", "1"}, {"BITOP", "NOT", "d", "a"}},
			[]string{"SET d x", "BITOP AND d nokey", "SET a 1", "BITOP NOT d a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks := newStringKeyspace()
			var got []string
			ks.OnWrite(func(db int, args [][]byte) uint64 { got = append(got, string(bytes.Join(args, []byte(" ")))); return 0 })
			run(ks, &Client{}, tc.cmds...)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("logged\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestRelativeExpiryPropagation checks that relative expiries are logged
// as absolute deadlines counted from the command's start.
func TestRelativeExpiryPropagation(t *testing.T) {
	for _, tc := range []struct {
		cmd    []string
		prefix string
		ms     int64
	}{
		{[]string{"SET", "k", "v", "EX", "100", "GET"}, "SET k v PXAT ", 100000},
		{[]string{"SET", "k", "v", "px", "1500", "NX"}, "SET k v PXAT ", 1500},
		{[]string{"SETEX", "k", "7", "v"}, "SET k v PXAT ", 7000},
		{[]string{"PSETEX", "k", "7", "v"}, "SET k v PXAT ", 7},
		{[]string{"GETEX", "s", "EX", "9"}, "PEXPIREAT s ", 9000},
		{[]string{"GETEX", "s", "PX", "9"}, "PEXPIREAT s ", 9},
	} {
		ks := newStringKeyspace()
		run(ks, &Client{}, []string{"SET", "s", "v"})
		var got []string
		ks.OnWrite(func(db int, args [][]byte) uint64 { got = append(got, string(bytes.Join(args, []byte(" ")))); return 0 })
		before := time.Now().UnixMilli()
		run(ks, &Client{}, tc.cmd)
		after := time.Now().UnixMilli()
		if len(got) != 1 || !strings.HasPrefix(got[0], tc.prefix) {
			t.Errorf("%q logged %q, want one %q...", tc.cmd, got, tc.prefix)
			continue
		}
		at, err := strconv.ParseInt(strings.TrimPrefix(got[0], tc.prefix), 10, 64)
		if err != nil || at < before+tc.ms || at > after+tc.ms {
			t.Errorf("%q logged %q, want a deadline in [%d, %d]", tc.cmd, got[0], before+tc.ms, after+tc.ms)
		}
	}
}

// TestLongDouble checks the long double emulation on values whose float64
// and 80-bit results differ.
func TestLongDouble(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"0.1", "0.2", "0.3"},
		{"10.5", "0.1", "10.6"},
		{"1", "1e-18", "1"},
		{"1", "1e-17", "1.00000000000000001"},
		{"9007199254740993", "0", "9007199254740993"}, // 2^53+1 fits 64 bits of mantissa
		{"-0", "0", "0"},
		{"0x1p-3", "0", "0.125"},
		{"1e400", "0", "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"},
	} {
		a, ok1 := parseLongDouble([]byte(tc.a))
		b, ok2 := parseLongDouble([]byte(tc.b))
		if !ok1 || !ok2 {
			t.Errorf("parse %q or %q failed", tc.a, tc.b)
			continue
		}
		sum, ok := addLongDouble(a, b)
		if got := string(formatLongDouble(sum)); !ok || got != tc.want {
			t.Errorf("%s + %s = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

// benchExec runs one command through Exec b.N times, after setup.
func benchExec(b *testing.B, setup []string, cmd ...string) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	if setup != nil {
		run(ks, cl, setup)
	}
	benchLoop(b, ks, cl, cmd...)
}

func BenchmarkSet(b *testing.B) { benchExec(b, nil, "SET", "key:000000000001", "xxx") }

func BenchmarkGet(b *testing.B) {
	benchExec(b, []string{"SET", "key:000000000001", "xxx"}, "GET", "key:000000000001")
}

func BenchmarkIncr(b *testing.B) { benchExec(b, nil, "INCR", "counter:00000001") }
