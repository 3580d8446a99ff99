package db

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"myredis/resp"
)

// This file holds what the crash tests share (the pool of extreme
// arguments, the prepared keyspace and a checked way to run one command
// line) and the fuzz target FuzzCommands. TestAllCommands in
// allcommands_test.go drives the same pool deterministically.

// Keys of the prepared keyspace (see prepareKeyspace). "missing" never
// exists; "gone" is stored with a deadline in the past, so the first command
// that looks at it deletes it.
var fuzzKeys = []string{
	"str", "int", "float", "list", "biglist", "hash", "set", "iset",
	"zset", "lexz", "ttl", "gone", "missing",
}

// longValue and hugeValue are the long arguments of the pool: longer than
// any small encoding (embstr, listpack values), and longer than 64 KiB.
var (
	longValue = strings.Repeat("x", 5000)
	hugeValue = strings.Repeat("y", 70000)
)

// extremeNumbers are the numeric arguments of the pool: the int64 limits
// and their neighbours as decimal text, 32-bit limits, small counts, and
// floats that are not finite or not numbers at all.
var extremeNumbers = []string{
	"9223372036854775807", "9223372036854775806", "9223372036854775808",
	"-9223372036854775808", "-9223372036854775807", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616", "99999999999999999999999",
	"4611686018427387904", "-4611686018427387904",
	"2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296", "4294967297",
	"-1", "0", "1", "2", "3", "5", "10", "-2", "-3", "-10", "100", "-100", "1000000", "-1000000",
	"inf", "-inf", "+inf", "nan", "-nan", "NaN", "infinity", "1e308", "-1e308", "1e309", "-1e309",
	"4.9e-324", "0.5", "-0.5", "1.5", "0.001", "1e-9", "-0", "0.0", "00", "01", "+1",
	" 1", "1 ", "0x10", "1e", "1.", ".5", "9223372036854775807.5", "3.14abc",
}

// extremeStrings are the other odd arguments: empty and long strings, range
// and pattern syntax, binary bytes.
var extremeStrings = []string{
	"", " ", "\x00", "\xff\xfe\x80", "a\r\nb", longValue, hugeValue,
	"(", "[", "(1", "[a", "(a", "[z", "(z", "-", "+", "(-inf", "(+inf", "((1", "[[", "(inf", "(nan",
	"*", "?", "[a-", "[^", "\\", "*\\", "[]", "a*", "*x*", "**", "[a-z]*",
	"#", "w_*", "h_*->f", "*->", "->", "hash->f1", "nosort", "a", "b", "m0", "m1", "f1", "v1",
}

// optionWords are the option keywords of every command family, used in odd
// places as well as right ones.
var optionWords = []string{
	"LIMIT", "COUNT", "WITHSCORES", "WITHSCORE", "BYSCORE", "BYLEX", "REV", "MIN", "MAX",
	"LEFT", "RIGHT", "BEFORE", "AFTER", "GET", "STORE", "BY", "ASC", "DESC", "ALPHA",
	"WEIGHTS", "AGGREGATE", "SUM", "NX", "XX", "GT", "LT", "CH", "INCR", "EX", "PX",
	"EXAT", "PXAT", "KEEPTTL", "PERSIST", "MATCH", "TYPE", "RANK", "MAXLEN", "IDX",
	"LEN", "WITHMATCHLEN", "MINMATCHLEN", "WITHVALUES", "REPLACE", "DB", "BIT", "BYTE",
	"AND", "OR", "XOR", "NOT", "SAMPLES", "ASYNC", "SYNC", "HELP", "FILTERBY", "MODULE",
	"ACLCAT", "PATTERN", "ID", "ADDR", "LADDR", "SKIPME", "USER", "MAXAGE", "TIMEOUT",
	"ERROR", "WRITE", "ALL", "ON", "OFF", "SKIP", "yes", "no", "string", "list", "hash",
	"set", "zset", "normal", "pubsub", "master", "replica",
	// Streams: the key "stream" (see prepareKeyspace), its group and
	// consumer, IDs and the stream commands' words.
	"stream", "g1", "c1", "0-0", "1-1", "1-*", "2-0", "18446744073709551615-18446744073709551615", "~", "=", "$", ">",
	"STREAMS", "MKSTREAM", "NOMKSTREAM", "MINID", "GROUP", "NOACK", "BLOCK", "ENTRIESREAD", "ENTRIESADDED",
	"MAXDELETEDID", "JUSTID", "FORCE", "RETRYCOUNT", "LASTID", "IDLE", "FULL", "CREATE", "SETID",
	"CREATECONSUMER", "DELCONSUMER", "DESTROY", "CONSUMERS", "GROUPS",
}

// fuzzPool is every argument of the pool, in a fixed order: fuzz inputs
// refer to its entries by index, so appending is fine but reordering
// changes what the stored corpus means.
var fuzzPool = func() []string {
	var p []string
	p = append(p, fuzzKeys...)
	p = append(p, extremeNumbers...)
	p = append(p, extremeStrings...)
	p = append(p, optionWords...)
	return p
}()

// prepareKeyspace empties databases 0 and 1 of ks and fills database 0
// with a key of every type (see fuzzKeys), plus the keys SORT's BY and GET
// patterns point at, and database 1 with a string, so commands that name
// another database find something there. The other databases are left as
// they are: emptying all 16 costs too much to do after every write.
func prepareKeyspace(ks *Keyspace) {
	cmds := [][]string{
		{"SELECT", "1"},
		{"FLUSHDB"},
		{"SET", "str", "in db 1"},
		{"SELECT", "0"},
		{"FLUSHDB"},
		{"SET", "str", "hello world"},
		{"SET", "int", "12345"},
		{"SET", "float", "3.5"},
		{"RPUSH", "list", "a", "b", "c", "1", "2", "3", "a", "-7", "2.5", "b"},
		{"HSET", "hash", "f1", "v1", "f2", "10", "f3", "1.5", "f4", "-3", "a", longValue},
		{"SADD", "set", "a", "b", "c", "m0", "m1", "x"},
		{"SADD", "iset", "1", "2", "3", "-5", "100"},
		{"SET", "ttl", "v", "EX", "100000"},
		{"SET", "gone", "v", "PXAT", "1"},
		{"XADD", "stream", "1-1", "f1", "v1", "f2", "v2"},
		{"XADD", "stream", "1-2", "f1", "v3", "f2", "v4"},
		{"XADD", "stream", "2-0", "other", longValue},
		{"XGROUP", "CREATE", "stream", "g1", "0"},
		{"XREADGROUP", "GROUP", "g1", "c1", "COUNT", "2", "STREAMS", "stream", ">"},
		{"XDEL", "stream", "1-2"},
	}
	big := []string{"RPUSH", "biglist"}
	for i := range 150 {
		big = append(big, strconv.Itoa(i%50))
	}
	cmds = append(cmds, big)
	z := []string{"ZADD", "zset", "-inf", "ninf", "+inf", "pinf"}
	for i := range 130 { // past the 128 entries a listpack holds
		z = append(z, strconv.Itoa(i/2-30), "m"+strconv.Itoa(i))
	}
	cmds = append(cmds, z)
	lex := []string{"ZADD", "lexz"}
	for _, m := range []string{"", "a", "aa", "ab", "b", "c", "d", "e", "f", "z", "\xff"} {
		lex = append(lex, "0", m)
	}
	cmds = append(cmds, lex)
	for i := range 3 {
		n := strconv.Itoa(i + 1)
		cmds = append(cmds, []string{"SET", "w_" + n, strconv.Itoa(10 - i)},
			[]string{"HSET", "h_" + n, "f", "v" + n})
	}
	run(ks, &Client{}, cmds...)
}

// execChecked runs one command line for cl as the server dispatches it
// (lookup and arity check, queue inside MULTI, else Exec) with a reply
// writer speaking protocol proto. It returns the reply, or an error if the
// command panicked or its reply is not exactly one well-formed RESP value.
func execChecked(ks *Keyspace, cl *Client, args [][]byte, proto int) (reply []byte, err error) {
	var out bytes.Buffer
	w := resp.NewWriter(&out)
	w.SetProtocol(proto)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	cmd, msg := ks.Table().Lookup(args)
	switch {
	case cmd == nil:
		cl.FailMulti()
		w.WriteError(msg)
	case cl.Queues(cmd):
		ks.Queue(cl, cmd, args, w)
	default:
		ks.Exec(cl, cmd, args, w)
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("flush: %v", err)
	}
	r := resp.NewReader(bytes.NewReader(out.Bytes()))
	// An error reply may echo a long argument on its one line.
	r.SetLimits(resp.Limits{MaxInline: 1 << 20})
	reply, err = r.ReadReply()
	if err != nil {
		return out.Bytes(), fmt.Errorf("malformed reply %q: %v", clip(out.Bytes()), err)
	}
	if extra, err := r.ReadReply(); err != io.EOF {
		return out.Bytes(), fmt.Errorf("more than one reply: %q then %q (%v)", clip(reply), clip(extra), err)
	}
	return reply, nil
}

// showArgs formats a command line for a failure message, long arguments
// shortened.
func showArgs[T string | []byte](args []T) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if len(a) > 40 {
			fmt.Fprintf(&b, "%q...(%d bytes)", a[:40], len(a))
		} else {
			fmt.Fprintf(&b, "%q", a)
		}
	}
	return b.String()
}

// clip shortens b for a failure message.
func clip(b []byte) []byte {
	if len(b) > 200 {
		return append(b[:200:200], "..."...)
	}
	return b
}

// tooCostly reports whether args ask for work that is legitimately huge
// in Redis too, so the crash tests must not send them: a large negative
// *RANDMEMBER count, which returns that many elements (Redis refuses only
// -2^63, and with scores or values a count below -(2^63-1)/2), a SETBIT or
// SETRANGE offset that allocates hundreds of megabytes within Redis's
// limits.
func tooCostly(args [][]byte) bool {
	if len(args) < 3 {
		return false
	}
	n, ok := ParseInt(args[2])
	if !ok {
		return false
	}
	switch {
	case EqualFold(args[0], "srandmember"), EqualFold(args[0], "hrandfield"), EqualFold(args[0], "zrandmember"):
		withPairs := len(args) > 3 && !EqualFold(args[0], "srandmember")
		return n < -10000 && n != math.MinInt64 && !(withPairs && n < -math.MaxInt64/2)
	case EqualFold(args[0], "setbit"):
		return n > 1<<23 && n < 1<<32
	case EqualFold(args[0], "setrange"):
		return n > 1<<23 && n < 1<<29
	}
	return false
}

// commandLines returns the name (and subcommand) of every command and
// subcommand in t, sorted: "get", "object encoding", ...
func commandLines(t *Table) [][]string {
	var out [][]string
	for _, c := range t.All() {
		if c.Run != nil || len(c.subs) == 0 {
			out = append(out, []string{c.Name})
		}
		for _, s := range c.Subcommands() {
			out = append(out, []string{c.Name, s.Name})
		}
	}
	return out
}

// Limits of one FuzzCommands input.
const (
	fuzzMaxCommands = 8
	fuzzMaxArgs     = 12
)

// decodeFuzzInput turns a fuzz input into at most fuzzMaxCommands command
// lines. Each line of the input is one command; its words are separated by
// spaces. A word "$n" stands for fuzzPool[n] (modulo the pool's size), "#n"
// as the first word for the n-th entry of commandLines (modulo their
// count); any other word is taken as it is, bytes and all.
func decodeFuzzInput(data []byte, names [][]string) [][][]byte {
	var cmds [][][]byte
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(cmds) == fuzzMaxCommands {
			break
		}
		var args [][]byte
		for i, word := range bytes.Split(line, []byte(" ")) {
			if len(args) >= fuzzMaxArgs {
				break
			}
			switch {
			case len(word) > 1 && word[0] == '$':
				if n, err := strconv.ParseUint(string(word[1:]), 10, 64); err == nil {
					args = append(args, []byte(fuzzPool[n%uint64(len(fuzzPool))]))
					continue
				}
			case i == 0 && len(word) > 1 && word[0] == '#':
				if n, err := strconv.ParseUint(string(word[1:]), 10, 64); err == nil {
					for _, w := range names[n%uint64(len(names))] {
						args = append(args, []byte(w))
					}
					continue
				}
			}
			args = append(args, word)
		}
		if len(args) > 0 && len(args[0]) > 0 {
			cmds = append(cmds, args)
		}
	}
	return cmds
}

// FuzzCommands runs short sequences of commands, built from the pool of
// extreme arguments or from raw bytes (see decodeFuzzInput), for one client
// over a freshly prepared keyspace; an input whose first line is "RESP3"
// runs the rest in RESP3. No command may panic, and each must
// answer exactly one well-formed reply. The stored corpus is in
// testdata/fuzz/FuzzCommands: every crash found so far, replayed by go test.
func FuzzCommands(f *testing.F) {
	table := NewTable()
	names := commandLines(table)
	// Seeds: every command with a key and pool arguments, the templates
	// of TestAllCommands, and a transaction.
	for i, name := range names {
		line := strings.Join(name, " ") + " " + fuzzKeys[i%len(fuzzKeys)]
		for j := range 3 {
			line += " $" + strconv.Itoa((i*5+j*31)%len(fuzzPool))
		}
		f.Add([]byte(line))
	}
	for _, line := range commandTemplates {
		f.Add([]byte(line))
	}
	f.Add([]byte("WATCH zset\nMULTI\nZMPOP 1 zset MAX COUNT 2\nLPOS list a RANK 1\nEXEC"))
	f.Fuzz(func(t *testing.T, data []byte) {
		proto := 2
		if rest, ok := bytes.CutPrefix(data, []byte("RESP3\n")); ok {
			proto, data = 3, rest
		}
		cmds := decodeFuzzInput(data, names)
		if len(cmds) == 0 {
			return
		}
		ks := New(table, 16)
		prepareKeyspace(ks)
		cl := &Client{ID: 1, NoBlock: true}
		for _, args := range cmds {
			if tooCostly(args) {
				continue
			}
			_, err := execChecked(ks, cl, args, proto)
			require.NoError(t, err, showArgs(args))
		}
		checkAccounting(t, ks)
	})
}
