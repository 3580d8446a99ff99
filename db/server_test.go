package db

import (
	"strconv"
	"strings"
	"testing"
)

func TestServerCommands(t *testing.T) {
	runCases(t, []cmdCase{
		{"ping", [][]string{{"PING"}, {"PING", "hi"}}, "+PONG\r\n$2\r\nhi\r\n"},
		{"echo", [][]string{{"ECHO", "x y"}}, "$3\r\nx y\r\n"},
		{"select", [][]string{{"SELECT", "1"}, {"SET", "k", "v"}, {"SELECT", "0"}, {"GET", "k"}, {"SELECT", "1"}, {"GET", "k"}},
			"+OK\r\n+OK\r\n+OK\r\n$-1\r\n+OK\r\n$1\r\nv\r\n"},
		{"select errors", [][]string{{"SELECT", "16"}, {"SELECT", "-1"}, {"SELECT", "x"}},
			"-ERR DB index is out of range\r\n-ERR DB index is out of range\r\n-ERR value is not an integer or out of range\r\n"},
		{"dbsize and flushdb", [][]string{{"MSET", "a", "1", "b", "2"}, {"DBSIZE"}, {"FLUSHDB"}, {"DBSIZE"}},
			"+OK\r\n:2\r\n+OK\r\n:0\r\n"},
		{"flush modes", [][]string{{"FLUSHALL", "ASYNC"}, {"FLUSHDB", "sync"}, {"FLUSHALL", "now"}},
			"+OK\r\n+OK\r\n-ERR syntax error\r\n"},
		{"flushall empties every db", [][]string{{"SET", "a", "1"}, {"SELECT", "2"}, {"SET", "b", "1"}, {"FLUSHALL"}, {"DBSIZE"}, {"SELECT", "0"}, {"DBSIZE"}},
			"+OK\r\n+OK\r\n+OK\r\n+OK\r\n:0\r\n+OK\r\n:0\r\n"},
		{"swapdb", [][]string{{"SET", "k", "zero"}, {"SWAPDB", "0", "3"}, {"GET", "k"}, {"SELECT", "3"}, {"GET", "k"}},
			"+OK\r\n+OK\r\n$-1\r\n+OK\r\n$4\r\nzero\r\n"},
		{"swapdb errors", [][]string{{"SWAPDB", "x", "1"}, {"SWAPDB", "1", "x"}, {"SWAPDB", "0", "16"}, {"SWAPDB", "2", "2"}},
			"-ERR invalid first DB index\r\n-ERR invalid second DB index\r\n-ERR DB index is out of range\r\n+OK\r\n"},
		{"command getkeys", [][]string{{"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}, {"COMMAND", "GETKEYS", "PING", "x"}, {"COMMAND", "GETKEYS", "NOPE", "x"}, {"COMMAND", "GETKEYS", "GET", "a", "b"}},
			"*2\r\n$1\r\na\r\n$1\r\nb\r\n-ERR The command has no key arguments\r\n-ERR Invalid command specified\r\n-ERR Invalid number of arguments specified for command\r\n"},
		{"command info of an unknown command", [][]string{{"COMMAND", "INFO", "nope"}}, "*1\r\n$-1\r\n"},
		{"command list filters", [][]string{{"COMMAND", "LIST", "FILTERBY", "PATTERN", "getr*"}, {"COMMAND", "LIST", "FILTERBY", "MODULE", "m"}, {"COMMAND", "LIST", "FILTERBY", "NOPE", "x"}},
			"*1\r\n$8\r\ngetrange\r\n*0\r\n-ERR syntax error\r\n"},
		{"unknown command and arity", [][]string{{"NOPE", "a", "b"}, {"GET"}, {"OBJECT"}, {"OBJECT", "NOPE", "k"}},
			"-ERR unknown command 'NOPE', with args beginning with: 'a' 'b' \r\n-ERR wrong number of arguments for 'get' command\r\n" +
				"-ERR wrong number of arguments for 'object' command\r\n-ERR unknown subcommand 'NOPE'. Try OBJECT HELP.\r\n"},
	})
}

func TestCommandCountAndACL(t *testing.T) {
	ks := New(NewTable(), 16)
	n := len(ks.Table().All())
	if got := run(ks, &Client{}, []string{"COMMAND", "COUNT"}); got != ":"+itoa(n)+"\r\n" {
		t.Errorf("COMMAND COUNT = %q, want %d", got, n)
	}
	got := run(ks, &Client{}, []string{"COMMAND", "LIST", "FILTERBY", "ACLCAT", "bitmap"})
	for _, name := range []string{"setbit", "getbit", "bitcount", "bitpos", "bitop"} {
		if !strings.Contains(got, "$"+itoa(len(name))+"\r\n"+name+"\r\n") {
			t.Errorf("ACLCAT bitmap lacks %s: %q", name, got)
		}
	}
}

func TestUnknownCommandTruncatesArgs(t *testing.T) {
	long := strings.Repeat("x", 200)
	got := unknownCommand([][]byte{[]byte("nope"), []byte(long), []byte("more")})
	want := "ERR unknown command 'nope', with args beginning with: '" + strings.Repeat("x", 128) + "' "
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
