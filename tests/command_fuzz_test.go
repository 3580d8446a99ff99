package tests

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Limits of TestCommandFuzz.
const (
	cmdFuzzLinesPerCommand = 150              // random lines per command and subcommand
	cmdFuzzBudget          = 15 * time.Second // for the random lines, after the fixed ones
	cmdFuzzReplyWait       = 5 * time.Second  // for one reply
	cmdFuzzParkWait        = 20 * time.Millisecond
	cmdFuzzResetEvery      = 50 // lines between two resets of the keyspace
)

// cmdFuzzCrashes are command lines that once crashed MyRedis. They run
// first, on every run, before the random lines.
var cmdFuzzCrashes = [][]string{
	{"ZMPOP", "9223372036854775807", "zset", "MIN"},
	{"BZMPOP", "0", "9223372036854775807", "zset", "MIN"},
	{"BZMPOP", "0", "9223372036854775806", "missing", "zset", "MAX", "COUNT", "2"},
}

// The argument pool of TestCommandFuzz: the keys of the prepared keyspace
// (cmdFuzzKeyspace), numbers at and around the integer limits, floats that
// are not finite, odd strings and the option words of every family.
var (
	cmdFuzzKeys    = []string{"str", "int", "list", "hash", "set", "iset", "zset", "lexz", "ttl", "gone", "missing"}
	cmdFuzzNumbers = []string{
		"9223372036854775807", "9223372036854775806", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775807", "-9223372036854775809",
		"18446744073709551616", "2147483647", "2147483648", "-2147483649", "4294967296",
		"-1", "0", "1", "2", "3", "10", "-10", "100", "1000000",
		"inf", "-inf", "+inf", "nan", "1e309", "-1e309", "0.5", "-0.5", "0.01", "1e-9", "01", " 1", "0x10",
	}
	cmdFuzzStrings = []string{
		"", " ", "\x00", "\xff\xfe", "a\r\nb", strings.Repeat("x", 5000), strings.Repeat("y", 70000),
		"(", "[", "(1", "[a", "(z", "-", "+", "(-inf", "*", "?", "[a-", "\\", "#", "w_*", "h_*->f", "a", "f1", "m1",
		"get", "set", "zset|x", "config|get", "client|", "|", "ch1",
	}
	cmdFuzzWords = []string{
		"LIMIT", "COUNT", "WITHSCORES", "BYSCORE", "BYLEX", "REV", "MIN", "MAX", "LEFT", "RIGHT",
		"BEFORE", "AFTER", "GET", "STORE", "BY", "DESC", "ALPHA", "WEIGHTS", "AGGREGATE", "SUM",
		"NX", "XX", "GT", "LT", "CH", "INCR", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "PERSIST",
		"MATCH", "TYPE", "RANK", "MAXLEN", "IDX", "LEN", "WITHMATCHLEN", "MINMATCHLEN", "WITHVALUES",
		"REPLACE", "DB", "BIT", "BYTE", "AND", "NOT", "SAMPLES", "ASYNC", "HELP", "FILTERBY",
		"MODULE", "ACLCAT", "PATTERN", "ID", "ADDR", "LADDR", "SKIPME", "USER", "MAXAGE",
		"TIMEOUT", "ERROR", "WRITE", "ALL", "ON", "OFF", "yes", "no", "normal", "pubsub",
		"AUTH", "SETNAME", "default", "lib-name", "lib-ver", "hz", "slowlog-max-len",
		"slowlog-log-slower-than", "notify-keyspace-events", "maxmemory", "KEA", "*max*",
		"everything", "commandstats", "keyspace", "clients", "memory", "stats", "server",
	}
)

// cmdFuzzKeyspace fills database 0 with a key of every type, a key with a
// TTL and one already past its deadline ("gone").
func cmdFuzzKeyspace() [][]string {
	z := []string{"ZADD", "zset", "-inf", "ninf", "+inf", "pinf"}
	for i := range 130 { // past the 128 entries a listpack holds
		z = append(z, strconv.Itoa(i/2-30), "m"+strconv.Itoa(i))
	}
	return [][]string{
		{"FLUSHALL"},
		{"SET", "str", "hello world"},
		{"SET", "int", "12345"},
		{"RPUSH", "list", "a", "b", "c", "1", "2", "3", "a", "-7", "2.5", "b"},
		{"HSET", "hash", "f1", "v1", "f2", "10", "f3", "1.5", "a", strings.Repeat("x", 100)},
		{"SADD", "set", "a", "b", "c", "m1", "x"},
		{"SADD", "iset", "1", "2", "3", "-5", "100"},
		z,
		{"ZADD", "lexz", "0", "a", "0", "b", "0", "c", "0", "d", "0", "z"},
		{"SET", "ttl", "v", "EX", "100000"},
		{"SET", "gone", "v", "PXAT", "1"},
		{"SET", "w_1", "3"}, {"HSET", "h_1", "f", "v"},
	}
}

// A fuzzedCommand is one entry of COMMAND: the words that name it ("get",
// or "config", "get") and its arity and flags.
type fuzzedCommand struct {
	name     []string
	arity    int
	blocking bool
}

// cmdFuzzSkipped are the commands TestCommandFuzz does not send: they end
// or take over the connection (QUIT, SHUTDOWN, MONITOR, the subscribe
// family, CLIENT REPLY, CLIENT KILL) or hold back every client (CLIENT
// PAUSE).
var cmdFuzzSkipped = map[string]bool{
	"quit": true, "shutdown": true, "monitor": true,
	"subscribe": true, "psubscribe": true, "ssubscribe": true,
	"unsubscribe": true, "punsubscribe": true, "sunsubscribe": true,
	"client|reply": true, "client|kill": true, "client|pause": true,
}

// cmdFuzzHazardousParams are the CONFIG SET parameters that would move,
// lock or cut off the test's connections.
var cmdFuzzHazardousParams = []string{
	"port", "bind", "dir", "requirepass", "appendonly", "appendfsync", "appenddirname",
	"appendfilename", "timeout", "maxclients", "proto-max-bulk-len", "client-query-buffer-limit",
	"client-output-buffer-limit", "logfile", "pidfile", "databases", "unixsocket", "daemonize",
}

// hijacks reports whether line must not be sent (see cmdFuzzSkipped and
// cmdFuzzHazardousParams) or asks for legitimately huge work: a large
// negative *RANDMEMBER count returns that many elements (Redis refuses only
// -2^63, and with scores or values a count below -(2^63-1)/2), a SETBIT or
// SETRANGE offset within Redis's limits allocates hundreds of megabytes.
func hijacks(line []string) bool {
	name := strings.ToLower(line[0])
	if len(line) > 1 && cmdFuzzSkipped[name+"|"+strings.ToLower(line[1])] || cmdFuzzSkipped[name] {
		return true
	}
	if name == "config" && len(line) > 1 && strings.EqualFold(line[1], "set") {
		for _, a := range line[2:] {
			if slices.Contains(cmdFuzzHazardousParams, strings.ToLower(a)) {
				return true
			}
		}
	}
	if len(line) < 3 {
		return false
	}
	n, err := strconv.ParseInt(line[2], 10, 64)
	if err != nil {
		return false
	}
	switch name {
	case "srandmember", "hrandfield", "zrandmember":
		withPairs := len(line) > 3 && name != "srandmember"
		return n < -10000 && n != math.MinInt64 && !(withPairs && n < -math.MaxInt64/2)
	case "setbit":
		return n > 1<<23 && n < 1<<32
	case "setrange":
		return n > 1<<23 && n < 1<<29
	}
	return false
}

// serverCommands asks the server for COMMAND and returns every command and
// subcommand it lists, sorted by name.
func serverCommands(t *testing.T, c *rawConn) []fuzzedCommand {
	t.Helper()
	reply, err := decodeReply(bufio.NewReader(strings.NewReader(c.do("COMMAND"))))
	require.NoError(t, err)
	entries, ok := reply.([]any)
	require.True(t, ok, "COMMAND: not an array")
	var out []fuzzedCommand
	var add func(entries []any)
	add = func(entries []any) {
		for _, e := range entries {
			info, ok := e.([]any)
			require.True(t, ok && len(info) >= 3, "COMMAND entry %v", e)
			name, _ := info[0].(string)
			arity, _ := info[1].(int64)
			flags, _ := info[2].([]any)
			fc := fuzzedCommand{name: strings.Split(name, "|"), arity: int(arity)}
			for _, f := range flags {
				fc.blocking = fc.blocking || f == "blocking"
			}
			out = append(out, fc)
			if len(info) >= 10 {
				subs, _ := info[9].([]any)
				add(subs)
			}
		}
	}
	add(entries)
	slices.SortFunc(out, func(a, b fuzzedCommand) int {
		return strings.Compare(strings.Join(a.name, " "), strings.Join(b.name, " "))
	})
	require.Greater(t, len(out), 100, "COMMAND lists too few commands")
	return out
}

// decodeReply reads one RESP2 or RESP3 reply into Go values: strings for
// simple and bulk strings and errors ("-ERR ..."), int64 for integers, []any
// for arrays, sets, pushes and maps (keys and values in turn), nil for nulls.
func decodeReply(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("malformed reply line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+', ',', '(':
		return body, nil
	case '-':
		return "-" + body, nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '_':
		return nil, nil
	case '#':
		return body == "t", nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 || n > maxTestBulk {
			return nil, fmt.Errorf("bad bulk length %q", line)
		}
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*', '~', '>', '%':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 {
			return nil, fmt.Errorf("bad aggregate length %q", line)
		}
		if n < 0 {
			return nil, nil
		}
		if kind == '%' {
			n *= 2
		}
		out := make([]any, 0, n)
		for range n {
			v, err := decodeReply(r)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reply type in %q", line)
}

// cmdFuzzLine returns a random line for cmd: mostly of a valid length,
// sometimes one argument short or long, each argument drawn from the pool.
// CONFIG GET and SET get the names of params (every parameter the server
// knows but the hazardous ones) in their places.
func cmdFuzzLine(rng *rand.Rand, cmd fuzzedCommand, params []string) []string {
	size := cmd.arity
	if size < 0 {
		size = -size + rng.IntN(7)
	}
	if rng.IntN(8) == 0 {
		size += rng.IntN(3) - 1
	}
	line := slices.Clone(cmd.name)
	config := len(line) == 2 && line[0] == "config" && (line[1] == "get" || line[1] == "set")
	for len(line) < size {
		var pool []string
		switch r := rng.IntN(100); {
		case config && (line[1] == "get" || len(line)%2 == 0) && r < 80:
			pool = params
		case r < 35:
			pool = cmdFuzzKeys
		case r < 65:
			pool = cmdFuzzNumbers
		case r < 85:
			pool = cmdFuzzWords
		default:
			pool = cmdFuzzStrings
		}
		line = append(line, pool[rng.IntN(len(pool))])
	}
	return line
}

// configParams returns the names of the parameters CONFIG GET * lists,
// without the hazardous ones (see cmdFuzzHazardousParams).
func configParams(t *testing.T, c *rawConn) []string {
	t.Helper()
	reply, err := decodeReply(bufio.NewReader(strings.NewReader(c.do("CONFIG", "GET", "*"))))
	require.NoError(t, err)
	pairs, ok := reply.([]any)
	require.True(t, ok && len(pairs) > 0, "CONFIG GET *: %v", reply)
	var out []string
	for i := 0; i < len(pairs); i += 2 {
		if name, _ := pairs[i].(string); !slices.Contains(cmdFuzzHazardousParams, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// A cmdFuzzer sends command lines on one connection and checks that each
// gets one well-formed reply and that PING still answers after it. A second
// connection unblocks the first when a blocking command parks it.
type cmdFuzzer struct {
	t        *testing.T
	s        *server
	conn     *rawConn
	ctl      *rawConn
	id       string // the fuzzed connection's CLIENT ID
	blocking map[string]bool
	sent     int
	parked   int // blocking lines that parked the connection
	unblocks int // CLIENT UNBLOCKs sent when feeding the keys did not serve them
}

// describe formats a line for a failure message, long arguments shortened.
func describe(line []string) string {
	var b strings.Builder
	for i, a := range line {
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

// reset prepares the keyspace again and returns the fuzzed connection to
// its state at connect (RESP2, database 0, no transaction).
func (f *cmdFuzzer) reset() {
	f.t.Helper()
	f.conn.mustDo("+RESET\r\n", "RESET")
	for _, cmd := range cmdFuzzKeyspace() {
		if reply := f.ctl.do(cmd...); strings.HasPrefix(reply, "-") {
			f.t.Fatalf("preparing the keyspace: %q: %q", cmd, reply)
		}
	}
}

// send sends line and checks its reply and a PING after it.
func (f *cmdFuzzer) send(line []string) {
	f.t.Helper()
	f.sent++
	f.conn.send(string(encodeCommand(line)))
	reply, err := f.reply(line)
	if err == nil {
		_, err = decodeReply(bufio.NewReader(strings.NewReader(string(reply))))
	}
	require.NoError(f.t, err, "%s: no well-formed reply (server running: %v)", describe(line), f.s.running())
	f.conn.send(string(encodeCommand([]string{"PING"})))
	f.conn.c.SetReadDeadline(time.Now().Add(cmdFuzzReplyWait))
	pong, err := readReply(f.conn.r)
	require.NoError(f.t, err, "PING after %s (server running: %v)", describe(line), f.s.running())
	require.Contains(f.t, []string{"+PONG\r\n", "+QUEUED\r\n"}, string(pong), "PING after %s", describe(line))
}

// reply reads the reply to line. A blocking command that does not answer
// at once has parked the connection: the control connection first feeds
// the keys it waits on (a list, or a sorted set for BZ*), so the command
// is served as a push wakes it, and then unblocks it, as often as it
// takes, until the reply comes.
func (f *cmdFuzzer) reply(line []string) ([]byte, error) {
	deadline := time.Now().Add(cmdFuzzReplyWait)
	if !f.blocking[strings.ToLower(line[0])] {
		f.conn.c.SetReadDeadline(deadline)
		return readReply(f.conn.r)
	}
	for fed := false; ; fed = true {
		f.conn.c.SetReadDeadline(time.Now().Add(cmdFuzzParkWait))
		reply, err := readReply(f.conn.r)
		var ne net.Error
		if err == nil || !errors.As(err, &ne) || !ne.Timeout() || len(reply) > 0 || time.Now().After(deadline) {
			return reply, err
		}
		if !fed {
			f.parked++
			f.feed(line)
		} else {
			f.unblocks++
			f.ctl.do("CLIENT", "UNBLOCK", f.id)
		}
	}
}

// feed pushes elements to the keys of the blocking command line, as the
// server finds them (COMMAND GETKEYS), in database 0.
func (f *cmdFuzzer) feed(line []string) {
	keys, err := decodeReply(bufio.NewReader(strings.NewReader(
		f.ctl.do(append([]string{"COMMAND", "GETKEYS"}, line...)...))))
	list, _ := keys.([]any)
	if err != nil {
		return
	}
	for _, k := range list {
		key, _ := k.(string)
		if strings.HasPrefix(strings.ToLower(line[0]), "bz") {
			f.ctl.do("ZADD", key, "1", "a", "2", "b", "3", "c")
		} else {
			f.ctl.do("RPUSH", key, "a", "b", "c")
		}
	}
}

// TestCommandFuzz drives every command and subcommand the server lists in
// COMMAND with argument lists from a pool of extreme values (the int64
// limits and their neighbours, infinities, NaN, empty and long strings,
// option words in odd places, arities kept and broken), over a keyspace
// holding every type. After each line the server must answer one
// well-formed reply and still answer PING on the same connection; at the
// end the process must still run. The lines that once crashed it run
// first; the random ones follow, seeded (MYREDIS_SEED replays a run), for
// at most cmdFuzzBudget.
func TestCommandFuzz(t *testing.T) {
	s := startServer(t)
	f := &cmdFuzzer{t: t, s: s, conn: s.dial(t), ctl: s.dial(t), blocking: map[string]bool{}}
	id, err := decodeReply(bufio.NewReader(strings.NewReader(f.conn.do("CLIENT", "ID"))))
	require.NoError(t, err)
	f.id = strconv.FormatInt(id.(int64), 10)
	cmds := serverCommands(t, f.conn)
	params := configParams(t, f.ctl)
	for _, c := range cmds {
		if c.blocking {
			f.blocking[c.name[0]] = true
		}
	}
	// Every command is logged to the slow log, so SLOWLOG GET returns the
	// odd arguments too.
	f.ctl.mustDo("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0")
	f.reset()
	for _, line := range cmdFuzzCrashes {
		f.send(line)
	}

	rng := rand.New(rand.NewPCG(testSeed(t), 0))
	start := time.Now()
	skipped := 0
	for _, c := range cmds {
		for range cmdFuzzLinesPerCommand {
			line := cmdFuzzLine(rng, c, params)
			if hijacks(line) {
				skipped++
				continue
			}
			if f.sent%cmdFuzzResetEvery == 0 {
				f.reset()
			}
			f.send(line)
		}
		if time.Since(start) > cmdFuzzBudget {
			t.Logf("time budget spent after %q", c.name)
			break
		}
	}
	t.Logf("%d lines sent to %d commands in %v, %d skipped; %d parked the connection, %d CLIENT UNBLOCKs sent",
		f.sent, len(cmds), time.Since(start).Round(time.Millisecond), skipped, f.parked, f.unblocks)
	require.True(t, s.running(), "the server has exited")
	require.NoError(t, s.ping(), "PING on a new connection")
}

// TestClientKillMaxAge checks that CLIENT KILL MAXAGE compares ages in
// whole seconds: a MAXAGE near 2^63 matches no client (as a Duration it
// once overflowed to -1s and killed every other connection), and values
// that are not positive integers get Redis 7.4's errors.
func TestClientKillMaxAge(t *testing.T) {
	s := startServer(t)
	killer, other := s.dial(t), s.dial(t)
	require.Equal(t, "+PONG\r\n", other.do("PING"))
	for _, tc := range []struct{ maxAge, want string }{
		{"9223372036854775807", ":0\r\n"},
		{"9223372036", ":0\r\n"},
		{"0", "-ERR maxage should be greater than 0\r\n"},
		{"-9223372036854775808", "-ERR maxage should be greater than 0\r\n"},
		{"9223372036854775808", "-ERR maxage is not an integer or out of range\r\n"},
	} {
		require.Equal(t, tc.want, killer.do("CLIENT", "KILL", "MAXAGE", tc.maxAge), "MAXAGE %s", tc.maxAge)
	}
	require.Equal(t, "+PONG\r\n", other.do("PING"), "the other connection survives")
}
