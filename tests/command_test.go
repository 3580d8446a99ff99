package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The COMMAND tests compare what MyRedis says of its commands with what
// Redis 7.0 says of the same commands, byte for byte once the prose is set
// aside: summaries, history texts, key spec notes and replacements are in
// MyRedis's own words. Commands only one of the servers has are left out.

// A respNode is a parsed reply that keeps what the raw bytes say: the type
// byte, the text of a scalar, the elements of an aggregate (a map's keys and
// values in turn). encode gives the bytes back.
type respNode struct {
	kind  byte
	text  string
	null  bool // $-1 or *-1
	elems []*respNode
}

func parseNode(r *bufio.Reader) (*respNode, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("malformed reply line %q", line)
	}
	n := &respNode{kind: line[0], text: line[1 : len(line)-2]}
	switch n.kind {
	case '$', '=', '!':
		size, err := strconv.Atoi(n.text)
		if err != nil || size > maxTestBulk {
			return nil, fmt.Errorf("bad bulk length %q", line)
		}
		if size < 0 {
			n.null = true
			return n, nil
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		n.text = string(buf[:size])
	case '*', '~', '>', '%':
		count, err := strconv.Atoi(n.text)
		if err != nil {
			return nil, fmt.Errorf("bad aggregate length %q", line)
		}
		n.null = count < 0
		if n.kind == '%' {
			count *= 2
		}
		for range max(count, 0) {
			e, err := parseNode(r)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, e)
		}
	}
	return n, nil
}

func (n *respNode) encode(b *bytes.Buffer) {
	switch n.kind {
	case '$', '=', '!':
		if n.null {
			fmt.Fprintf(b, "%c-1\r\n", n.kind)
			return
		}
		fmt.Fprintf(b, "%c%d\r\n%s\r\n", n.kind, len(n.text), n.text)
	case '*', '~', '>', '%':
		count := len(n.elems)
		if n.kind == '%' {
			count /= 2
		}
		if n.null {
			count = -1
		}
		fmt.Fprintf(b, "%c%d\r\n", n.kind, count)
		for _, e := range n.elems {
			e.encode(b)
		}
	default:
		fmt.Fprintf(b, "%c%s\r\n", n.kind, n.text)
	}
}

func (n *respNode) String() string {
	var b bytes.Buffer
	n.encode(&b)
	return b.String()
}

// field returns the value of key in n, a map (or in RESP2 its flat array).
func (n *respNode) field(key string) *respNode {
	for i := 0; i+1 < len(n.elems); i += 2 {
		if n.elems[i].text == key {
			return n.elems[i+1]
		}
	}
	return nil
}

// mustNode parses a raw reply.
func mustNode(t *testing.T, raw string) *respNode {
	t.Helper()
	n, err := parseNode(bufio.NewReader(strings.NewReader(raw)))
	require.NoError(t, err, "parse %q", raw)
	return n
}

// prose replaces the text of n, when present, by a marker: texts MyRedis
// words its own way.
func prose(n *respNode) {
	if n != nil {
		n.text = "(prose)"
	}
}

// normalizeInfo sets aside the prose of a COMMAND INFO entry (key spec
// notes) and its subcommands, which are compared one by one.
func normalizeInfo(entry *respNode) {
	if entry.kind != '*' || len(entry.elems) != 10 {
		return
	}
	for _, spec := range entry.elems[8].elems {
		prose(spec.field("notes"))
	}
	entry.elems[9].elems = nil
}

// normalizeDocs sets aside the prose of a COMMAND DOCS entry (summary,
// history texts, replacement) and its subcommands.
func normalizeDocs(doc *respNode) {
	prose(doc.field("summary"))
	prose(doc.field("replaced_by"))
	if h := doc.field("history"); h != nil {
		for _, change := range h.elems {
			prose(change.elems[1])
		}
	}
	if subs := doc.field("subcommands"); subs != nil {
		subs.elems = nil
	}
}

// commandPair is MyRedis (as a cluster node, so that it has its cluster
// commands too) and Redis, with a connection to each.
type commandPair struct {
	my, ref     *server
	myC, refC   *rawConn
	shared      []string // full names of the commands both have, sorted
	sharedNames map[string]bool
}

func startCommandPair(t *testing.T) *commandPair {
	t.Helper()
	skipIfMissing(t, redisServerPath)
	p := &commandPair{ref: startRedis(t)}
	p.my = startProcess(t, "myredis", binPath, func(port int, dir string) []string {
		// A cluster node with a peer that is never asked anything: COMMAND
		// runs here.
		return []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "no",
			"--self", "127.0.0.1:" + strconv.Itoa(port), "--peers", "127.0.0.1:1"}
	})
	p.myC, p.refC = p.my.dial(t), p.ref.dial(t)
	mine := commandNames(t, p.myC)
	theirs := map[string]bool{}
	for _, n := range commandNames(t, p.refC) {
		theirs[n] = true
	}
	p.sharedNames = map[string]bool{}
	for _, n := range mine {
		if theirs[n] {
			p.shared = append(p.shared, n)
			p.sharedNames[n] = true
		}
	}
	require.Greater(t, len(p.shared), 200, "too few commands in common")
	return p
}

// commandNames returns COMMAND LIST, sorted.
func commandNames(t *testing.T, c *rawConn) []string {
	t.Helper()
	var names []string
	for _, e := range mustNode(t, c.do("COMMAND", "LIST")).elems {
		names = append(names, e.text)
	}
	slices.Sort(names)
	return names
}

// both runs args on both servers and returns the parsed replies.
func (p *commandPair) both(t *testing.T, args ...string) (mine, theirs *respNode) {
	t.Helper()
	return mustNode(t, p.myC.do(args...)), mustNode(t, p.refC.do(args...))
}

// hello switches both connections to protocol proto.
func (p *commandPair) hello(t *testing.T, proto string) {
	t.Helper()
	p.myC.do("HELLO", proto)
	p.refC.do("HELLO", proto)
}

func TestCommandInfoMatchesRedis(t *testing.T) {
	p := startCommandPair(t)
	for _, proto := range []string{"2", "3"} {
		p.hello(t, proto)
		for _, name := range p.shared {
			mine, theirs := p.both(t, "COMMAND", "INFO", name)
			require.Len(t, mine.elems, 1)
			normalizeInfo(mine.elems[0])
			normalizeInfo(theirs.elems[0])
			assert.Equal(t, theirs.String(), mine.String(), "RESP%s COMMAND INFO %s", proto, name)
		}
	}
}

func TestCommandDocsMatchesRedis(t *testing.T) {
	p := startCommandPair(t)
	for _, proto := range []string{"2", "3"} {
		p.hello(t, proto)
		for _, name := range p.shared {
			mine, theirs := p.both(t, "COMMAND", "DOCS", name)
			require.Len(t, mine.elems, 2, "COMMAND DOCS %s", name)
			normalizeDocs(mine.elems[1])
			normalizeDocs(theirs.elems[1])
			assert.Equal(t, theirs.String(), mine.String(), "RESP%s COMMAND DOCS %s", proto, name)
		}
	}
}

// getKeysLines are command lines for COMMAND GETKEYS: at least one per
// command with keys, the moving keys in several shapes, and lines Redis
// rejects.
var getKeysLines = []string{
	"APPEND k v", "BITCOUNT k 0 1", "BITOP AND d a b", "BITPOS k 1", "BLMOVE a b LEFT RIGHT 0",
	"BLMPOP 0 2 a b LEFT COUNT 2", "BLMPOP 0 0 a LEFT", "BLPOP a b 0", "BRPOP a 0", "BRPOPLPUSH a b 0",
	"BZMPOP 1.5 2 a b MAX", "BZPOPMAX a b 0", "BZPOPMIN a 0", "COPY a b DB 1", "DECR k", "DECRBY k 2",
	"DEL a b c", "EXISTS a b", "EXPIRE k 10 NX", "EXPIREAT k 10", "EXPIRETIME k", "GET k", "GETBIT k 1",
	"GETDEL k", "GETEX k EX 1", "GETRANGE k 0 1", "GETSET k v", "HDEL h f", "HEXISTS h f", "HGET h f",
	"HGETALL h", "HINCRBY h f 1", "HINCRBYFLOAT h f 1", "HKEYS h", "HLEN h", "HMGET h a b", "HMSET h f v",
	"HRANDFIELD h 2 WITHVALUES", "HSCAN h 0", "HSET h f v g w", "HSETNX h f v", "HSTRLEN h f", "HVALS h",
	"INCR k", "INCRBY k 1", "INCRBYFLOAT k 1", "LCS a b LEN", "LINDEX l 0", "LINSERT l BEFORE p e", "LLEN l",
	"LMOVE a b LEFT LEFT", "LMPOP 2 a b LEFT", "LMPOP 2 a b", "LMPOP 0 a LEFT", "LMPOP x a LEFT", "LPOP l 2",
	"LPOS l e RANK 1", "LPUSH l a", "LPUSHX l a", "LRANGE l 0 -1", "LREM l 0 e", "LSET l 0 e", "LTRIM l 0 1",
	"MGET a b c", "MOVE a 1", "MSET a 1 b 2", "MSETNX a 1 b 2", "PERSIST k", "PEXPIRE k 10", "PEXPIREAT k 10",
	"PEXPIRETIME k", "PSETEX k 10 v", "PTTL k", "RENAME a b", "RENAMENX a b", "RPOP l", "RPOPLPUSH a b",
	"RPUSH l a b", "RPUSHX l a", "SADD s a", "SCARD s", "SDIFF a b", "SDIFFSTORE d a b", "SET k v", "SET k v GET",
	"SET k v EX 10 get", "SETBIT k 1 1", "SETEX k 10 v", "SETNX k v", "SETRANGE k 0 v", "SINTER a b",
	"SINTERCARD 2 a b LIMIT 1", "SINTERCARD 3 a b", "SINTERSTORE d a b", "SISMEMBER s m", "SMEMBERS s",
	"SMISMEMBER s a b", "SMOVE a b m", "SORT k", "SORT k STORE d", "SORT k BY p GET g STORE d LIMIT 0 1",
	"SORT k STORE d1 STORE d2", "SORT k GET store STORE d", "SORT k STORE", "SORT_RO k BY p GET #", "SPOP s 2",
	"SRANDMEMBER s 2", "SREM s a", "SSCAN s 0", "STRLEN k", "SUBSTR k 0 1", "SUNION a b", "SUNIONSTORE d a b",
	"TOUCH a b", "TTL k", "TYPE k", "UNLINK a b", "WATCH a b", "ZADD z 1 a", "ZCARD z", "ZCOUNT z 0 1",
	"ZDIFF 2 a b", "ZDIFFSTORE d 2 a b", "ZINCRBY z 1 a", "ZINTER 1 a", "ZINTERCARD 2 a b LIMIT 1",
	"ZINTERSTORE d 1 a WEIGHTS 2", "ZLEXCOUNT z - +", "ZMPOP 1 a MIN", "ZMSCORE z a b", "ZPOPMAX z",
	"ZPOPMIN z 2", "ZRANDMEMBER z 2", "ZRANGE z 0 -1", "ZRANGEBYLEX z - +", "ZRANGEBYSCORE z 0 1",
	"ZRANGESTORE d z 0 -1", "ZRANK z a", "ZREM z a", "ZREMRANGEBYLEX z - +", "ZREMRANGEBYRANK z 0 1",
	"ZREMRANGEBYSCORE z 0 1", "ZREVRANGE z 0 1", "ZREVRANGEBYLEX z + -", "ZREVRANGEBYSCORE z 1 0",
	"ZREVRANK z a", "ZSCAN z 0", "ZSCORE z a", "ZUNION 2 a b WITHSCORES", "ZUNIONSTORE d 2 a b",
	"ZUNIONSTORE d 0 a", "ZUNIONSTORE d 3 a b", "ZUNIONSTORE d 2x a b", "ZUNIONSTORE d x a b",
	"OBJECT ENCODING k", "OBJECT FREQ k", "OBJECT IDLETIME k", "OBJECT REFCOUNT k", "MEMORY USAGE k SAMPLES 0",
	"EVAL s 2 a b c", "EVAL s 0", "EVAL s 0 x", "EVAL s 3 a b", "EVAL s x a", "EVAL s -1 a", "EVALSHA h 1 a b",
	"EVAL_RO s 1 a", "EVALSHA_RO h 2 a b", "FCALL f 1 a b", "FCALL f 0", "FCALL_RO f 2 a b c",
	"XACK s g 1-1", "XADD s * f v", "XADD s MAXLEN ~ 5 * f v", "XAUTOCLAIM s g c 0 0", "XCLAIM s g c 0 1-1",
	"XDEL s 1-1", "XGROUP CREATE s g $ MKSTREAM", "XGROUP CREATECONSUMER s g c", "XGROUP DELCONSUMER s g c",
	"XGROUP DESTROY s g", "XGROUP SETID s g 0", "XINFO CONSUMERS s g", "XINFO GROUPS s", "XINFO STREAM s FULL",
	"XLEN s", "XPENDING s g", "XRANGE s - +", "XREAD COUNT 1 STREAMS a b 0 0", "XREAD STREAMS a b 0",
	"XREAD BLOCK 0 STREAMS streams 0", "XREADGROUP GROUP g c STREAMS a b > >", "XREADGROUP GROUP streams c STREAMS a >",
	"XREVRANGE s + -", "XSETID s 1-1", "XTRIM s MAXLEN 0",
	// No keys, or no command.
	"PING", "GET", "GET a b", "NOSUCH k", "CONFIG GET x", "OBJECT NOSUCH k", "OBJECT x", "DBSIZE", "KEYS *",
	"PUBLISH c m", "SUBSCRIBE c", "CLUSTER KEYSLOT k",
}

func TestCommandGetKeysMatchesRedis(t *testing.T) {
	p := startCommandPair(t)
	covered := map[string]bool{}
	for _, line := range getKeysLines {
		words := strings.Fields(line)
		covered[strings.ToLower(words[0])] = true
		if len(words) > 1 {
			covered[strings.ToLower(words[0]+"|"+words[1])] = true
		}
	}
	// Every command with keys has a line.
	for _, name := range p.shared {
		info := mustNode(t, p.myC.do("COMMAND", "INFO", name)).elems[0]
		if len(info.elems[8].elems) > 0 {
			assert.True(t, covered[name], "no COMMAND GETKEYS line for %s", name)
		}
	}
	for _, proto := range []string{"2", "3"} {
		p.hello(t, proto)
		for _, line := range getKeysLines {
			for _, sub := range []string{"GETKEYS", "GETKEYSANDFLAGS"} {
				args := append([]string{"COMMAND", sub}, strings.Fields(line)...)
				mine, theirs := p.myC.do(args...), p.refC.do(args...)
				assert.Equal(t, theirs, mine, "RESP%s COMMAND %s %s", proto, sub, line)
			}
		}
	}
}

func TestCommandListMatchesRedis(t *testing.T) {
	p := startCommandPair(t)
	// The names in a reply that both servers have, sorted.
	shared := func(n *respNode) []string {
		var out []string
		for _, e := range n.elems {
			if p.sharedNames[e.text] {
				out = append(out, e.text)
			}
		}
		slices.Sort(out)
		return out
	}
	var filters [][]string
	for _, cat := range []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
		"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
		"transaction", "scripting", "nosuch", "SortedSet"} {
		filters = append(filters, []string{"ACLCAT", cat})
	}
	for _, pat := range []string{"*", "z*", "config|*", "*|get", "CONFIG*", "c?ient|*", "[a-c]*", "*[|]h*", "nosuch"} {
		filters = append(filters, []string{"PATTERN", pat})
	}
	filters = append(filters, []string{"MODULE", "x"})
	mine, theirs := p.both(t, "COMMAND", "LIST")
	assert.Equal(t, shared(theirs), shared(mine), "COMMAND LIST")
	for _, f := range filters {
		mine, theirs := p.both(t, append([]string{"COMMAND", "LIST", "FILTERBY"}, f...)...)
		assert.Equal(t, shared(theirs), shared(mine), "COMMAND LIST FILTERBY %q", f)
	}
	for _, args := range [][]string{
		{"COMMAND", "LIST", "FILTERBY", "NAME", "x"},
		{"COMMAND", "LIST", "FILTERBY", "PATTERN"},
		{"COMMAND", "LIST", "FILTERBY", "PATTERN", "a", "b"},
		{"COMMAND", "LIST", "x"},
	} {
		assert.Equal(t, p.refC.do(args...), p.myC.do(args...), "%q", args)
	}
}

func TestCommandLookupsMatchRedis(t *testing.T) {
	p := startCommandPair(t)
	for _, proto := range []string{"2", "3"} {
		p.hello(t, proto)
		// Unknown names are nulls; subcommands go by "parent|sub", any case.
		for _, args := range [][]string{
			{"COMMAND", "INFO", "nosuch", "get|x", "config|get|x", "config|nosuch", "config|", "|get"},
			{"COMMAND", "INFO", "config|get", "CONFIG|GET", "Object|Encoding", "get"},
			{"COMMAND", "DOCS", "nosuch", "config|nosuch"},
		} {
			mine, theirs := p.both(t, args...)
			for _, e := range append(mine.elems, theirs.elems...) {
				normalizeInfo(e)
			}
			assert.Equal(t, theirs.String(), mine.String(), "RESP%s %q", proto, args)
		}
		mine, theirs := p.both(t, "COMMAND", "DOCS", "config|get", "nosuch", "GET")
		for _, n := range []*respNode{mine, theirs} {
			normalizeDocs(n.elems[1])
			normalizeDocs(n.elems[3])
		}
		assert.Equal(t, theirs.String(), mine.String(), "RESP%s COMMAND DOCS config|get nosuch GET", proto)
	}

	// COMMAND, COMMAND INFO and COMMAND DOCS without names cover every
	// top-level command, and COMMAND COUNT counts them.
	top := func(n *respNode, step int) []string {
		var out []string
		for i := 0; i < len(n.elems); i += step {
			e := n.elems[i]
			if e.kind == '*' || e.kind == '~' {
				e = e.elems[0]
			}
			out = append(out, e.text)
		}
		slices.Sort(out)
		return out
	}
	all := top(mustNode(t, p.myC.do("COMMAND")), 1)
	assert.Equal(t, all, top(mustNode(t, p.myC.do("COMMAND", "INFO")), 1))
	assert.Equal(t, all, top(mustNode(t, p.myC.do("COMMAND", "DOCS")), 2))
	assert.Equal(t, fmt.Sprintf(":%d\r\n", len(all)), p.myC.do("COMMAND", "COUNT"))
	var topShared []string
	for _, n := range p.shared {
		if !strings.Contains(n, "|") {
			topShared = append(topShared, n)
		}
	}
	var theirs []string
	for _, n := range top(mustNode(t, p.refC.do("COMMAND")), 1) {
		if p.sharedNames[n] {
			theirs = append(theirs, n)
		}
	}
	assert.Equal(t, theirs, topShared)
}

// TestRedisCLIHelp runs redis-cli's help, which it builds from COMMAND
// DOCS, against both servers: the syntax line, the version and the group
// are the same; the summary is MyRedis's.
func TestRedisCLIHelp(t *testing.T) {
	skipIfMissing(t, redisCLIPath)
	p := startCommandPair(t)
	for _, cmd := range [][]string{{"set"}, {"zadd"}, {"sort"}, {"client", "kill"}, {"config", "set"}, {"lmpop"}, {"object"}} {
		help := func(s *server) []string {
			out := runTool(t, s, redisCLIPath, nil, append([]string{"help"}, cmd...)...)
			var lines []string
			for _, l := range strings.Split(out, "\r\n") {
				if !strings.Contains(l, "summary:") {
					lines = append(lines, l)
				}
			}
			return lines
		}
		mine, theirs := help(p.my), help(p.ref)
		assert.Equal(t, theirs, mine, "redis-cli help %s", strings.Join(cmd, " "))
		assert.Greater(t, len(mine), 3, "redis-cli help %s", strings.Join(cmd, " "))
	}
}
