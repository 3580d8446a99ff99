package db

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"

	"myredis/resp"
)

func TestListCommands(t *testing.T) {
	runCases(t, []cmdCase{
		{"push and range", [][]string{{"RPUSH", "l", "a", "b"}, {"LPUSH", "l", "z", "y"}, {"LRANGE", "l", "0", "-1"}},
			":2\r\n:4\r\n*4\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{"pushx on missing and existing", [][]string{{"LPUSHX", "l", "a"}, {"RPUSHX", "l", "a"}, {"EXISTS", "l"},
			{"RPUSH", "l", "a"}, {"LPUSHX", "l", "b", "c"}, {"RPUSHX", "l", "d"}, {"LRANGE", "l", "0", "-1"}},
			":0\r\n:0\r\n:0\r\n:1\r\n:3\r\n:4\r\n*4\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n"},
		{"wrong type", [][]string{{"SET", "s", "v"}, {"LPUSH", "s", "a"}, {"LPUSHX", "s", "a"}, {"LPOP", "s"},
			{"LLEN", "s"}, {"LRANGE", "s", "0", "1"}, {"LINDEX", "s", "0"}, {"LSET", "s", "0", "v"},
			{"LREM", "s", "0", "v"}, {"LTRIM", "s", "0", "1"}, {"LINSERT", "s", "BEFORE", "a", "b"},
			{"LPOS", "s", "a"}, {"LMOVE", "s", "d", "LEFT", "LEFT"}, {"BLPOP", "s", "0"}, {"LMPOP", "1", "s", "LEFT"}},
			"+OK\r\n" + strings.Repeat(wrongType, 14)},
		{"pop forms", [][]string{{"RPUSH", "l", "a", "b", "c", "d"}, {"LPOP", "l"}, {"RPOP", "l"},
			{"LPOP", "l", "0"}, {"RPOP", "l", "5"}, {"EXISTS", "l"}, {"LPOP", "l"}, {"LPOP", "l", "1"}},
			":4\r\n$1\r\na\r\n$1\r\nd\r\n*0\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n:0\r\n$-1\r\n*-1\r\n"},
		{"pop count errors", [][]string{{"LPOP", "l", "-1"}, {"RPOP", "l", "x"}, {"LPOP", "l", "1", "2"}},
			"-ERR value is out of range, must be positive\r\n-ERR value is out of range, must be positive\r\n" +
				"-ERR wrong number of arguments for 'lpop' command\r\n"},
		{"llen", [][]string{{"LLEN", "l"}, {"RPUSH", "l", "a", "b"}, {"LLEN", "l"}}, ":0\r\n:2\r\n:2\r\n"},
		{"lrange edges", [][]string{{"RPUSH", "l", "a", "b", "c"}, {"LRANGE", "l", "-2", "100"},
			{"LRANGE", "l", "0", "-100"}, {"LRANGE", "l", "-100", "0"}, {"LRANGE", "l", "5", "10"},
			{"LRANGE", "l", "2", "1"}, {"LRANGE", "missing", "0", "-1"}, {"LRANGE", "l", "x", "1"}},
			":3\r\n*2\r\n$1\r\nb\r\n$1\r\nc\r\n*0\r\n*1\r\n$1\r\na\r\n*0\r\n*0\r\n*0\r\n-ERR value is not an integer or out of range\r\n"},
		{"lindex", [][]string{{"RPUSH", "l", "a", "b"}, {"LINDEX", "l", "0"}, {"LINDEX", "l", "-1"},
			{"LINDEX", "l", "2"}, {"LINDEX", "l", "-3"}, {"LINDEX", "missing", "x"}, {"LINDEX", "l", "x"}},
			":2\r\n$1\r\na\r\n$1\r\nb\r\n$-1\r\n$-1\r\n$-1\r\n-ERR value is not an integer or out of range\r\n"},
		{"lset", [][]string{{"LSET", "l", "0", "v"}, {"RPUSH", "l", "a", "b"}, {"LSET", "l", "-1", "z"},
			{"LSET", "l", "2", "v"}, {"LSET", "l", "x", "v"}, {"LRANGE", "l", "0", "-1"}},
			"-ERR no such key\r\n:2\r\n+OK\r\n-ERR index out of range\r\n-ERR value is not an integer or out of range\r\n*2\r\n$1\r\na\r\n$1\r\nz\r\n"},
		{"lrem directions", [][]string{{"RPUSH", "l", "x", "a", "x", "b", "x"}, {"LREM", "l", "-2", "x"},
			{"LRANGE", "l", "0", "-1"}, {"LREM", "l", "1", "x"}, {"LREM", "l", "0", "nope"}, {"LREM", "l", "0", "a"},
			{"LRANGE", "l", "0", "-1"}, {"LREM", "l", "0", "b"}, {"EXISTS", "l"}, {"LREM", "l", "x", "b"}},
			":5\r\n:2\r\n*3\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\nb\r\n:1\r\n:0\r\n:1\r\n*1\r\n$1\r\nb\r\n:1\r\n:0\r\n" +
				"-ERR value is not an integer or out of range\r\n"},
		{"ltrim", [][]string{{"RPUSH", "l", "a", "b", "c", "d"}, {"LTRIM", "l", "1", "-2"}, {"LRANGE", "l", "0", "-1"},
			{"LTRIM", "l", "0", "100"}, {"LLEN", "l"}, {"LTRIM", "l", "5", "10"}, {"EXISTS", "l"}, {"LTRIM", "l", "0", "1"}},
			":4\r\n+OK\r\n*2\r\n$1\r\nb\r\n$1\r\nc\r\n+OK\r\n:2\r\n+OK\r\n:0\r\n+OK\r\n"},
		{"linsert", [][]string{{"LINSERT", "l", "BEFORE", "a", "x"}, {"RPUSH", "l", "a", "b"},
			{"LINSERT", "l", "before", "b", "x"}, {"LINSERT", "l", "AFTER", "b", "y"}, {"LINSERT", "l", "AFTER", "q", "y"},
			{"LINSERT", "l", "middle", "a", "y"}, {"LRANGE", "l", "0", "-1"}},
			":0\r\n:2\r\n:3\r\n:4\r\n:-1\r\n-ERR syntax error\r\n*4\r\n$1\r\na\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\ny\r\n"},
		{"lpos", [][]string{{"RPUSH", "l", "a", "b", "a", "c", "a"}, {"LPOS", "l", "a"}, {"LPOS", "l", "a", "RANK", "2"},
			{"LPOS", "l", "a", "RANK", "-1"}, {"LPOS", "l", "a", "RANK", "-9223372036854775808"},
			{"LPOS", "l", "a", "COUNT", "0"}, {"LPOS", "l", "a", "COUNT", "2", "RANK", "-1"},
			{"LPOS", "l", "a", "COUNT", "0", "MAXLEN", "3"}, {"LPOS", "l", "z"}, {"LPOS", "l", "z", "COUNT", "1"},
			{"LPOS", "missing", "a"}, {"LPOS", "missing", "a", "COUNT", "1"}, {"LPOS", "l", "a", "RANK", "9"}},
			":5\r\n:0\r\n:2\r\n:4\r\n:4\r\n*3\r\n:0\r\n:2\r\n:4\r\n*2\r\n:4\r\n:2\r\n*2\r\n:0\r\n:2\r\n$-1\r\n*0\r\n$-1\r\n*0\r\n$-1\r\n"},
		{"lpos errors", [][]string{{"LPOS", "l", "a", "RANK", "0"}, {"LPOS", "l", "a", "RANK", "x"},
			{"LPOS", "l", "a", "COUNT", "-1"}, {"LPOS", "l", "a", "MAXLEN", "x"}, {"LPOS", "l", "a", "RANK"},
			{"LPOS", "l", "a", "FOO", "1"}},
			"-" + errRankZero + "\r\n-ERR value is not an integer or out of range\r\n-ERR COUNT can't be negative\r\n" +
				"-ERR MAXLEN can't be negative\r\n-ERR syntax error\r\n-ERR syntax error\r\n"},
		{"lmove and rpoplpush", [][]string{{"RPUSH", "s", "a", "b", "c"}, {"LMOVE", "s", "d", "LEFT", "RIGHT"},
			{"RPOPLPUSH", "s", "d"}, {"LMOVE", "s", "s", "RIGHT", "LEFT"}, {"LRANGE", "d", "0", "-1"},
			{"LMOVE", "s", "d", "LEFT", "LEFT"}, {"EXISTS", "s"}, {"LMOVE", "s", "d", "LEFT", "LEFT"},
			{"LMOVE", "s", "d", "UP", "LEFT"}},
			":3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n*2\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n:0\r\n$-1\r\n-ERR syntax error\r\n"},
		{"lmove wrong destination", [][]string{{"SET", "d", "v"}, {"LMOVE", "s", "d", "LEFT", "LEFT"},
			{"RPUSH", "s", "a"}, {"LMOVE", "s", "d", "LEFT", "LEFT"}, {"LLEN", "s"}},
			"+OK\r\n$-1\r\n:1\r\n" + wrongType + ":1\r\n"},
		{"lmpop", [][]string{{"RPUSH", "b", "1", "2", "3"}, {"LMPOP", "2", "a", "b", "LEFT"},
			{"LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5"}, {"EXISTS", "b"}, {"LMPOP", "1", "b", "left"}},
			":3\r\n*2\r\n$1\r\nb\r\n*1\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n:0\r\n*-1\r\n"},
		{"lmpop errors", [][]string{{"LMPOP", "0", "a", "LEFT"}, {"LMPOP", "9223372036854775807", "a", "LEFT"}, {"LMPOP", "2", "a", "LEFT"},
			{"LMPOP", "1", "a", "UP"}, {"LMPOP", "1", "a", "LEFT", "COUNT"}, {"LMPOP", "1", "a", "LEFT", "COUNT", "0"},
			{"LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"}, {"LMPOP", "1", "a", "LEFT", "FOO", "1"}},
			"-ERR numkeys should be greater than 0\r\n-ERR syntax error\r\n-ERR syntax error\r\n" +
				"-ERR syntax error\r\n-ERR syntax error\r\n-ERR count should be greater than 0\r\n-ERR syntax error\r\n-ERR syntax error\r\n"},
		{"blocking pops with data", [][]string{{"RPUSH", "b", "1", "2"}, {"BLPOP", "a", "b", "0"}, {"BRPOP", "b", "1.5"},
			{"RPUSH", "s", "x"}, {"BLMOVE", "s", "d", "RIGHT", "LEFT", "0"}, {"RPUSH", "s", "y"}, {"BRPOPLPUSH", "s", "d", "0"},
			{"RPUSH", "s", "z"}, {"BLMPOP", "0", "1", "s", "LEFT", "COUNT", "3"}},
			":2\r\n*2\r\n$1\r\nb\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n:1\r\n$1\r\nx\r\n:1\r\n$1\r\ny\r\n:1\r\n" +
				"*2\r\n$1\r\ns\r\n*1\r\n$1\r\nz\r\n"},
		{"blocking timeouts and errors", [][]string{{"BLPOP", "a", "0.01"}, {"BRPOP", "a", "-1"}, {"BLPOP", "a", "x"},
			{"BLMOVE", "a", "b", "LEFT", "LEFT", "0.01"}, {"BLMOVE", "a", "b", "UP", "LEFT", "x"},
			{"BRPOPLPUSH", "a", "b", "x"}, {"BLMPOP", "0.01", "1", "a", "LEFT"}, {"BLMPOP", "x", "0", "a", "LEFT"},
			{"BLMPOP", "x", "1", "a", "LEFT"}},
			"*-1\r\n-ERR timeout is negative\r\n-ERR timeout is not a float or out of range\r\n*-1\r\n-ERR syntax error\r\n" +
				"-ERR timeout is not a float or out of range\r\n*-1\r\n-ERR numkeys should be greater than 0\r\n" +
				"-ERR timeout is not a float or out of range\r\n"},
		{"type encoding copy", [][]string{{"RPUSH", "l", "a", "b"}, {"TYPE", "l"}, {"OBJECT", "ENCODING", "l"},
			{"COPY", "l", "c"}, {"RPUSH", "c", "z"}, {"LLEN", "l"}, {"LRANGE", "c", "0", "-1"}},
			":2\r\n+list\r\n$9\r\nquicklist\r\n:1\r\n:3\r\n:2\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nz\r\n"},
	})
}

// runProto3 is run with the connection switched to RESP3.
func runProto3(ks *Keyspace, cmds ...[]string) string {
	var out bytes.Buffer
	w := resp.NewWriter(&out)
	w.SetProtocol(3)
	cl := &Client{}
	for _, cmd := range cmds {
		args := make([][]byte, len(cmd))
		for i, a := range cmd {
			args[i] = []byte(a)
		}
		c, _ := ks.Table().Lookup(args)
		ks.Exec(cl, c, args, w)
	}
	w.Flush()
	return out.String()
}

func TestListRESP3Nulls(t *testing.T) {
	got := runProto3(New(NewTable(), 16), []string{"LPOP", "l"}, []string{"LPOP", "l", "2"},
		[]string{"LMPOP", "1", "l", "LEFT"}, []string{"BLPOP", "l", "0.01"}, []string{"BLMOVE", "l", "d", "LEFT", "LEFT", "0.01"},
		[]string{"LINDEX", "l", "0"}, []string{"LPOS", "l", "a"})
	if want := strings.Repeat("_\r\n", 7); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestListPropagation checks what each list write logs: pushes as sent,
// pops in a form that replays identically, nothing for no-ops.
func TestListPropagation(t *testing.T) {
	cases := []struct {
		cmds [][]string
		want []string // the logged commands, space separated
	}{
		{[][]string{{"RPUSH", "l", "a", "b"}, {"LPUSHX", "m", "a"}}, []string{"RPUSH l a b"}},
		{[][]string{{"RPUSH", "l", "a"}, {"LPOP", "l", "0"}, {"LPOP", "l", "3"}, {"RPOP", "l"}},
			[]string{"RPUSH l a", "LPOP l 3"}},
		{[][]string{{"RPUSH", "l", "a", "b"}, {"BLPOP", "x", "l", "0"}, {"BRPOP", "l", "0"}},
			[]string{"RPUSH l a b", "LPOP l", "RPOP l"}},
		{[][]string{{"RPUSH", "l", "a", "b", "c"}, {"BLMPOP", "0", "2", "x", "l", "RIGHT", "COUNT", "5"}},
			[]string{"RPUSH l a b c", "RPOP l 3"}},
		{[][]string{{"RPUSH", "l", "a", "b", "c"}, {"LMPOP", "1", "l", "LEFT", "COUNT", "2"}},
			[]string{"RPUSH l a b c", "LPOP l 2"}},
		{[][]string{{"RPUSH", "l", "a", "b"}, {"BLMOVE", "l", "d", "LEFT", "RIGHT", "0"}, {"BRPOPLPUSH", "l", "d", "0"},
			{"LMOVE", "l", "d", "LEFT", "LEFT"}},
			[]string{"RPUSH l a b", "LMOVE l d LEFT RIGHT", "RPOPLPUSH l d"}},
		{[][]string{{"RPUSH", "l", "a", "b"}, {"LTRIM", "l", "0", "-1"}, {"LTRIM", "l", "1", "1"}, {"LREM", "l", "0", "z"},
			{"LINSERT", "l", "BEFORE", "z", "y"}, {"LSET", "l", "0", "c"}},
			[]string{"RPUSH l a b", "LTRIM l 1 1", "LSET l 0 c"}},
	}
	for _, tc := range cases {
		ks := New(NewTable(), 16)
		var got []string
		ks.OnWrite(func(db int, args [][]byte) uint64 { got = append(got, string(bytes.Join(args, []byte(" ")))); return 0 })
		run(ks, &Client{}, tc.cmds...)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%v logged %q, want %q", tc.cmds, got, tc.want)
		}
	}
}

func TestListKeys(t *testing.T) {
	tab := NewTable()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"LMPOP", "2", "a", "b", "LEFT"}, "a b"},
		{[]string{"BLMPOP", "0", "1", "a", "LEFT"}, "a"},
		{[]string{"LMPOP", "3", "a", "LEFT"}, ""},
		{[]string{"LMPOP", "x", "a", "LEFT"}, ""},
		{[]string{"BLPOP", "a", "b", "0"}, "a b"},
		{[]string{"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}, "a b"},
	} {
		args := make([][]byte, len(tc.args))
		for i, a := range tc.args {
			args[i] = []byte(a)
		}
		cmd, _ := tab.Lookup(args)
		if got := string(bytes.Join(cmd.Keys(nil, args), []byte(" "))); got != tc.want {
			t.Errorf("%v: keys %q, want %q", tc.args, got, tc.want)
		}
	}
}

func BenchmarkLPush(b *testing.B) { benchExec(b, nil, "LPUSH", "mylist", "xxx") }

func BenchmarkRPop(b *testing.B) {
	// RPOP then RPUSH again, so the list never runs dry.
	ks := New(NewTable(), 16)
	cl := &Client{}
	run(ks, cl, []string{"RPUSH", "mylist", "a", "b", "c"})
	w := resp.NewWriter(io.Discard)
	pop, push := [][]byte{[]byte("RPOP"), []byte("mylist")}, [][]byte{[]byte("LPUSH"), []byte("mylist"), []byte("xxx")}
	popCmd, _ := ks.Table().Lookup(pop)
	pushCmd, _ := ks.Table().Lookup(push)
	b.ReportAllocs()
	for b.Loop() {
		ks.Exec(cl, popCmd, pop, w)
		ks.Exec(cl, pushCmd, push, w)
		if w.Buffered() > 1<<16 {
			w.Flush()
		}
	}
}

func BenchmarkLRange100(b *testing.B) {
	push := []string{"RPUSH", "mylist"}
	for i := range 600 {
		push = append(push, "value"+strconv.Itoa(i))
	}
	benchExec(b, push, "LRANGE", "mylist", "0", "99")
}
