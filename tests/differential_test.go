package tests

import (
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// diffCommands is the length of the random command stream.
const diffCommands = 20000

// TestDifferential sends the same seeded random stream of commands over all
// five types (strings, lists, hashes, sets, sorted sets, SORT, and keyspace
// commands across them, so keys change type and wrong-type access is common)
// to MyRedis and real Redis and fails at the first reply that differs. Set
// MYREDIS_SEED to replay a failing stream.
func TestDifferential(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if env := os.Getenv("MYREDIS_SEED"); env != "" {
		var err error
		if seed, err = strconv.ParseUint(env, 10, 64); err != nil {
			t.Fatalf("MYREDIS_SEED=%q: %v", env, err)
		}
	}
	t.Logf("seed %d (replay with MYREDIS_SEED=%d)", seed, seed)
	ref := startRedis(t)
	my := startServer(t)
	mc, rc := my.dial(t), ref.dial(t)
	mc.mustDo("+OK\r\n", "FLUSHALL")
	rc.mustDo("+OK\r\n", "FLUSHALL")
	g := &cmdGen{rng: rand.New(rand.NewPCG(seed, 0))}
	var history [][]string // every command sent, for the failure message
	for i := 0; i < diffCommands; i++ {
		cmd := g.next()
		history = append(history, cmd)
		got, want := diffNormalize(cmd, mc.do(cmd...)), diffNormalize(cmd, rc.do(cmd...))
		if got != want {
			t.Fatalf("seed %d, command %d %q:\nmyredis: %q\nredis:   %q\nrecent commands on its keys:\n%s\n"+
				"its keys afterwards in myredis:\n%s\nand in redis:\n%s",
				seed, i, cmd, got, want, relatedCommands(history, 20), keysState(mc, cmd), keysState(rc, cmd))
		}
	}
}

// keysState describes, one per line, the type and contents of every key
// (k0...k9) named in cmd, as c sees them.
func keysState(c *rawConn, cmd []string) string {
	var out []string
	for _, k := range cmd[1:] {
		if !strings.HasPrefix(k, "k") || len(k) != 2 {
			continue
		}
		typ := strings.TrimSpace(strings.TrimPrefix(c.do("TYPE", k), "+"))
		read := map[string][]string{"string": {"GET", k}, "list": {"LRANGE", k, "0", "-1"},
			"hash": {"HGETALL", k}, "set": {"SMEMBERS", k}, "zset": {"ZRANGE", k, "0", "-1", "WITHSCORES"}}[typ]
		state := ""
		if read != nil {
			enc := c.do("OBJECT", "ENCODING", k)
			state = strconv.Quote(c.do(read...)) + " " + strings.TrimSpace(enc[strings.IndexByte(enc, '\n')+1:])
		}
		out = append(out, k+" "+typ+" "+state)
	}
	return strings.Join(out, "\n")
}

// relatedCommands returns, one per line, the last n commands of history
// that share an argument (a key, most likely) with its last command, plus
// those that change which data the keys hold (SELECT, SWAPDB, FLUSHALL).
func relatedCommands(history [][]string, n int) string {
	last := history[len(history)-1]
	var out []string
	for i := len(history) - 1; i >= 0 && len(out) < n; i-- {
		cmd := history[i]
		related := slices.Contains([]string{"SELECT", "SWAPDB", "FLUSHALL", "FLUSHDB"}, cmd[0])
		for _, a := range cmd[1:] {
			related = related || strings.HasPrefix(a, "k") && slices.Contains(last[1:], a)
		}
		if related {
			out = append(out, strconv.Itoa(i)+": "+strconv.Quote(strings.Join(cmd, " ")))
		}
	}
	slices.Reverse(out)
	return strings.Join(out, "\n")
}

// diffNormalize hides the parts of a reply that may differ between two
// correct servers: a positive TTL is reported only as positive; replies of
// unordered collections (KEYS, SMEMBERS, HGETALL...) are sorted; and of
// random picks (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER) only the shape is kept:
// the array's length, or whether there was an element.
func diffNormalize(cmd []string, reply string) string {
	switch strings.ToUpper(cmd[0]) {
	case "TTL", "PTTL":
		if n, err := strconv.Atoi(strings.Trim(reply, ":\r\n")); err == nil && n > 0 {
			return ":positive\r\n"
		}
	case "KEYS", "SMEMBERS", "SINTER", "SUNION", "SDIFF", "HKEYS", "HVALS", "HGETALL", "SPOP":
		return string(sortedReply([]byte(reply), false))
	case "SORT", "SORT_RO":
		// A set or sorted set is loaded in Redis's hash table order, which
		// shows with BY nosort and among equal BY values with ALPHA.
		has := func(w string) bool {
			return slices.ContainsFunc(cmd, func(a string) bool { return strings.EqualFold(a, w) })
		}
		if has("nosort") || has("by") && has("alpha") {
			return string(sortedReply([]byte(reply), false))
		}
	case "SSCAN", "HSCAN", "ZSCAN":
		return string(sortedReply([]byte(reply), true))
	case "SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER":
		switch reply[0] {
		case '*':
			return reply[:strings.IndexByte(reply, '\n')+1]
		case '$':
			if reply != "$-1\r\n" {
				return "$element\r\n"
			}
		}
	}
	return reply
}

// A cmdGen generates random commands over 10 keys in 3 databases. Expiry
// times are far enough in the future that no key expires during the test.
type cmdGen struct {
	rng *rand.Rand
}

// Value and number pools: typical values, edge cases and garbage.
var (
	diffValues = []string{"", "0", "1", "-5", "123", "007", "abc", "hello world", "3.5",
		"9223372036854775807", "-9223372036854775808", "\x00\xff\r\n", " 12"}
	diffInts = []string{"0", "1", "-1", "5", "-100", "1000", "abc", "", "1.5",
		"9223372036854775807", "-9223372036854775808", "99999999999999999999", " 3"}
	diffOffsets = []string{"0", "1", "3", "-1", "-3", "10", "-100", "100", "x", "9223372036854775807"}
)

// pick returns a random element of pool.
func (g *cmdGen) pick(pool []string) string { return pool[g.rng.IntN(len(pool))] }

// key returns one of the 10 keys.
func (g *cmdGen) key() string { return "k" + strconv.Itoa(g.rng.IntN(10)) }

// keys returns 1 to 4 random keys, possibly repeated.
func (g *cmdGen) keys() []string {
	ks := make([]string, 1+g.rng.IntN(4))
	for i := range ks {
		ks[i] = g.key()
	}
	return ks
}

// value returns a pool value or a short random string.
func (g *cmdGen) value() string {
	if g.rng.IntN(3) == 0 {
		b := make([]byte, g.rng.IntN(12))
		for i := range b {
			b[i] = byte('a' + g.rng.IntN(26))
		}
		return string(b)
	}
	return g.pick(diffValues)
}

// seconds returns a TTL far longer than the test, or now and then an invalid one.
func (g *cmdGen) seconds() string {
	if g.rng.IntN(10) == 0 {
		return g.pick([]string{"0", "-1", "abc", "", "1.5"})
	}
	return strconv.Itoa(10000 + g.rng.IntN(100000))
}

// maybe appends opt to cmd with probability 1/n.
func (g *cmdGen) maybe(cmd []string, n int, opt ...string) []string {
	if g.rng.IntN(n) == 0 {
		return append(cmd, opt...)
	}
	return cmd
}

// set returns a SET with a random mix of options, sometimes conflicting.
func (g *cmdGen) set() []string {
	cmd := []string{"SET", g.key(), g.value()}
	cmd = g.maybe(cmd, 4, g.pick([]string{"NX", "XX"}))
	cmd = g.maybe(cmd, 4, "GET")
	switch g.rng.IntN(7) {
	case 0:
		cmd = append(cmd, "EX", g.seconds())
	case 1:
		cmd = append(cmd, "PX", g.seconds()+"000")
	case 2:
		cmd = append(cmd, "EXAT", "32503680000")
	case 3:
		cmd = append(cmd, "KEEPTTL")
	}
	return g.maybe(cmd, 30, g.pick([]string{"NX", "EX", "KEEPTTL", "FOO"}))
}

// ops are the command generators, picked uniformly: the string and keyspace
// ones, then those of each collection family.
var ops = slices.Concat(stringOps, listOps, hashOps, setOps, zsetOps, sortOps)

// stringOps generate string and keyspace commands.
var stringOps = []func(g *cmdGen) []string{
	(*cmdGen).set,
	func(g *cmdGen) []string { return []string{"GET", g.key()} },
	func(g *cmdGen) []string { return []string{"GETSET", g.key(), g.value()} },
	func(g *cmdGen) []string { return []string{"GETDEL", g.key()} },
	func(g *cmdGen) []string { return []string{"SETNX", g.key(), g.value()} },
	func(g *cmdGen) []string { return []string{"INCR", g.key()} },
	func(g *cmdGen) []string { return []string{"DECR", g.key()} },
	func(g *cmdGen) []string {
		return []string{g.pick([]string{"INCRBY", "DECRBY"}), g.key(), g.pick(diffInts)}
	},
	func(g *cmdGen) []string { return []string{"APPEND", g.key(), g.value()} },
	func(g *cmdGen) []string { return []string{"STRLEN", g.key()} },
	func(g *cmdGen) []string {
		return []string{"GETRANGE", g.key(), g.pick(diffOffsets), g.pick(diffOffsets)}
	},
	func(g *cmdGen) []string {
		off := strconv.Itoa(g.rng.IntN(40))
		if g.rng.IntN(10) == 0 {
			off = g.pick([]string{"-1", "abc", "536870912"})
		}
		return []string{"SETRANGE", g.key(), off, g.value()}
	},
	func(g *cmdGen) []string { return append([]string{g.pick([]string{"DEL", "UNLINK"})}, g.keys()...) },
	func(g *cmdGen) []string { return append([]string{"EXISTS"}, g.keys()...) },
	func(g *cmdGen) []string { return []string{"TYPE", g.key()} },
	func(g *cmdGen) []string {
		cmd := []string{"EXPIRE", g.key(), g.seconds()}
		return g.maybe(cmd, 3, g.pick([]string{"NX", "XX", "GT", "LT", "FOO"}))
	},
	func(g *cmdGen) []string { return []string{"PERSIST", g.key()} },
	func(g *cmdGen) []string { return []string{g.pick([]string{"TTL", "PTTL"}), g.key()} },
	func(g *cmdGen) []string { return []string{g.pick([]string{"RENAME", "RENAMENX"}), g.key(), g.key()} },
	func(g *cmdGen) []string {
		cmd := []string{"MSET"}
		for _, k := range g.keys() {
			cmd = append(cmd, k, g.value())
		}
		return cmd
	},
	func(g *cmdGen) []string { return append([]string{"MGET"}, g.keys()...) },
	func(g *cmdGen) []string {
		return []string{"SELECT", g.pick([]string{"0", "1", "2", "0", "1", "2", "16", "x"})}
	},
	func(g *cmdGen) []string {
		off := strconv.Itoa(g.rng.IntN(100))
		if g.rng.IntN(10) == 0 {
			off = g.pick([]string{"-1", "abc", "4294967296"})
		}
		return []string{"SETBIT", g.key(), off, g.pick([]string{"0", "1", "1", "2"})}
	},
	func(g *cmdGen) []string { return []string{"GETBIT", g.key(), strconv.Itoa(g.rng.IntN(120))} },
	func(g *cmdGen) []string {
		cmd := []string{"BITCOUNT", g.key()}
		if g.rng.IntN(2) == 0 {
			cmd = append(cmd, g.pick(diffOffsets), g.pick(diffOffsets))
			cmd = g.maybe(cmd, 2, g.pick([]string{"BIT", "BYTE"}))
		}
		return cmd
	},
	func(g *cmdGen) []string { return []string{"MOVE", g.key(), g.pick([]string{"0", "1", "2"})} },
	func(g *cmdGen) []string {
		cmd := []string{"COPY", g.key(), g.key()}
		cmd = g.maybe(cmd, 2, "DB", g.pick([]string{"0", "1", "2"}))
		return g.maybe(cmd, 2, "REPLACE")
	},
	func(g *cmdGen) []string {
		cmd := []string{"GETEX", g.key()}
		switch g.rng.IntN(4) {
		case 0:
			cmd = append(cmd, "EX", g.seconds())
		case 1:
			cmd = append(cmd, "PERSIST")
		case 2:
			cmd = append(cmd, g.pick([]string{"PX", "EXAT", "FOO", "KEEPTTL"}))
		}
		return cmd
	},
	func(g *cmdGen) []string {
		return []string{g.pick([]string{"SETEX", "PSETEX"}), g.key(), g.seconds() + "000", g.value()}
	},
	func(g *cmdGen) []string {
		cmd := []string{"MSETNX"}
		for _, k := range g.keys() {
			cmd = append(cmd, k, g.value())
		}
		return cmd
	},
	func(g *cmdGen) []string { return []string{"SUBSTR", g.key(), g.pick(diffOffsets), g.pick(diffOffsets)} },
	func(g *cmdGen) []string {
		return g.maybe([]string{"LCS", g.key(), g.key()}, 2, g.pick([]string{"LEN", "IDX", "WITHMATCHLEN"}))
	},
	func(g *cmdGen) []string {
		cmd := []string{"BITPOS", g.key(), g.pick([]string{"0", "1", "1", "2"})}
		if g.rng.IntN(2) == 0 {
			cmd = append(cmd, g.pick(diffOffsets), g.pick(diffOffsets))
			cmd = g.maybe(cmd, 2, g.pick([]string{"BIT", "BYTE"}))
		}
		return cmd
	},
	func(g *cmdGen) []string {
		op := g.pick([]string{"AND", "OR", "XOR", "NOT", "FOO"})
		if op == "NOT" {
			return []string{"BITOP", op, g.key(), g.key()}
		}
		return append([]string{"BITOP", op, g.key()}, g.keys()...)
	},
	func(g *cmdGen) []string { return []string{"OBJECT", "ENCODING", g.key()} },
	func(g *cmdGen) []string { return []string{"TYPE", g.key()} },
	func(g *cmdGen) []string {
		return []string{"INCRBYFLOAT", g.key(), g.pick([]string{"0.5", "1.5", "-2.25", "3", "abc", "inf", "1e3"})}
	},
	func(g *cmdGen) []string {
		return []string{"SWAPDB", g.pick([]string{"0", "1", "2"}), g.pick([]string{"0", "1", "2", "16"})}
	},
	func(g *cmdGen) []string { return []string{"KEYS", "*"} },
	func(g *cmdGen) []string { return []string{"DBSIZE"} },
	// Wrong arity: a command with one argument too few.
	func(g *cmdGen) []string {
		short := [][]string{{"GET"}, {"SET", g.key()}, {"INCRBY", g.key()}, {"APPEND", g.key()},
			{"EXPIRE", g.key()}, {"GETRANGE", g.key(), "0"}, {"RENAME", g.key()}, {"MSET", g.key()},
			{"SETBIT", g.key(), "1"}, {"SELECT"}, {"TTL"}, {"LPUSH", g.key()}, {"LRANGE", g.key(), "0"},
			{"HSET", g.key(), "f"}, {"SADD", g.key()}, {"ZADD", g.key(), "1"}, {"ZRANGE", g.key(), "0"},
			{"SORT"}, {"LINSERT", g.key(), "BEFORE", "a"}, {"HINCRBY", g.key(), "f"}, {"SMOVE", g.key(), g.key()}}
		return short[g.rng.IntN(len(short))]
	},
}

// next returns the next random command.
func (g *cmdGen) next() []string {
	return ops[g.rng.IntN(len(ops))](g)
}

// Pools for the collection commands: members and fields (a few integers so
// sets start as intsets, and now and then one long enough to change a
// compact encoding), scores, score and lex bounds, indexes and counts.
var (
	diffMembers = []string{"a", "b", "c", "d", "e", "f", "x y", "", "1", "2", "3", "10", "-1", "007", "3.5",
		strings.Repeat("long", 20)}
	diffScores    = []string{"0", "1", "-1", "2", "2.5", "-0", "1e3", "inf", "-inf", "+inf", "abc", "", "nan", "3"}
	diffBounds    = []string{"-inf", "+inf", "0", "1", "(1", "2.5", "(2.5", "5", "(-1", "abc", "(", "inf"}
	diffLexBounds = []string{"-", "+", "[a", "(a", "[c", "(d", "[", "(", "a", "[x y", "(10"}
	diffCounts    = []string{"0", "1", "2", "3", "5", "-1", "-3", "100", "x", "9223372036854775807",
		"-9223372036854775808"}
)

// lexKey returns one of the two sorted sets the lex-range commands use.
// Their members all have score 0: over mixed scores a lex range is
// undefined (Redis's answer then depends on its skiplist's random levels).
func (g *cmdGen) lexKey() string { return g.pick([]string{"lex1", "lex2"}) }

// member returns a member or field from the pool.
func (g *cmdGen) member() string { return g.pick(diffMembers) }

// members returns 1 to 4 members, possibly repeated.
func (g *cmdGen) members() []string {
	ms := make([]string, 1+g.rng.IntN(4))
	for i := range ms {
		ms[i] = g.member()
	}
	return ms
}

// withKeys returns cmd followed by 1 to 4 random keys.
func (g *cmdGen) withKeys(cmd ...string) []string { return append(cmd, g.keys()...) }

// numKeys returns a numkeys count and that many keys; now and then the count
// is wrong or invalid.
func (g *cmdGen) numKeys() []string {
	ks := g.keys()
	n := strconv.Itoa(len(ks))
	if g.rng.IntN(10) == 0 {
		n = g.pick([]string{"0", "-1", "x", "5"})
	}
	return append([]string{n}, ks...)
}

// end returns LEFT or RIGHT, or now and then a wrong word.
func (g *cmdGen) end() string {
	if g.rng.IntN(20) == 0 {
		return "MIDDLE"
	}
	return g.pick([]string{"LEFT", "RIGHT"})
}

// listOps generate list commands. Blocking pops wait 10 ms at most.
var listOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		return append([]string{g.pick([]string{"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"}), g.key()}, g.members()...)
	},
	func(g *cmdGen) []string {
		return g.maybe([]string{g.pick([]string{"LPOP", "RPOP"}), g.key()}, 2, g.pick(diffCounts))
	},
	func(g *cmdGen) []string { return []string{"LLEN", g.key()} },
	func(g *cmdGen) []string { return []string{"LRANGE", g.key(), g.pick(diffOffsets), g.pick(diffOffsets)} },
	func(g *cmdGen) []string { return []string{"LRANGE", g.key(), "0", "-1"} },
	func(g *cmdGen) []string { return []string{"LINDEX", g.key(), g.pick(diffOffsets)} },
	func(g *cmdGen) []string { return []string{"LSET", g.key(), g.pick(diffOffsets), g.member()} },
	func(g *cmdGen) []string { return []string{"LREM", g.key(), g.pick(diffCounts), g.member()} },
	func(g *cmdGen) []string { return []string{"LTRIM", g.key(), g.pick(diffOffsets), g.pick(diffOffsets)} },
	func(g *cmdGen) []string {
		return []string{"LINSERT", g.key(), g.pick([]string{"BEFORE", "AFTER", "before", "MIDDLE"}), g.member(), g.member()}
	},
	func(g *cmdGen) []string {
		cmd := []string{"LPOS", g.key(), g.member()}
		cmd = g.maybe(cmd, 2, "RANK", g.pick([]string{"1", "2", "-1", "-2", "0", "x", "-9223372036854775808"}))
		cmd = g.maybe(cmd, 2, "COUNT", g.pick(diffCounts))
		return g.maybe(cmd, 3, "MAXLEN", g.pick([]string{"0", "1", "3", "-1"}))
	},
	func(g *cmdGen) []string { return []string{"LMOVE", g.key(), g.key(), g.end(), g.end()} },
	func(g *cmdGen) []string { return []string{"RPOPLPUSH", g.key(), g.key()} },
	func(g *cmdGen) []string {
		cmd := append([]string{"LMPOP"}, g.numKeys()...)
		cmd = append(cmd, g.end())
		return g.maybe(cmd, 2, "COUNT", g.pick(diffCounts))
	},
	func(g *cmdGen) []string {
		if g.rng.IntN(4) != 0 {
			return []string{"LLEN", g.key()}
		}
		switch g.rng.IntN(3) {
		case 0:
			return append(g.withKeys(g.pick([]string{"BLPOP", "BRPOP"})), g.pick([]string{"0.01", "-1", "x"}))
		case 1:
			return []string{"BLMOVE", g.key(), g.key(), g.end(), g.end(), "0.01"}
		}
		return append(append([]string{"BLMPOP", "0.01"}, g.numKeys()...), g.end())
	},
}

// hashOps generate hash commands.
var hashOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		cmd := []string{g.pick([]string{"HSET", "HMSET"}), g.key()}
		for range 1 + g.rng.IntN(3) {
			cmd = append(cmd, g.member(), g.value())
		}
		return cmd
	},
	func(g *cmdGen) []string { return []string{"HSETNX", g.key(), g.member(), g.value()} },
	func(g *cmdGen) []string { return []string{"HGET", g.key(), g.member()} },
	func(g *cmdGen) []string { return append([]string{"HMGET", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return append([]string{"HDEL", g.key()}, g.members()...) },
	func(g *cmdGen) []string {
		return []string{g.pick([]string{"HEXISTS", "HSTRLEN"}), g.key(), g.member()}
	},
	func(g *cmdGen) []string {
		return []string{g.pick([]string{"HLEN", "HKEYS", "HVALS", "HGETALL"}), g.key()}
	},
	func(g *cmdGen) []string { return []string{"HINCRBY", g.key(), g.member(), g.pick(diffInts)} },
	func(g *cmdGen) []string {
		return []string{"HINCRBYFLOAT", g.key(), g.member(), g.pick([]string{"0.5", "1.5", "-2.25", "3", "abc", "inf", "1e3", "0x10"})}
	},
	func(g *cmdGen) []string {
		cmd := g.maybe([]string{"HRANDFIELD", g.key()}, 2, g.pick(diffCounts[:9]))
		if len(cmd) == 3 {
			cmd = g.maybe(cmd, 2, "WITHVALUES")
		}
		return cmd
	},
	func(g *cmdGen) []string { return []string{"HSCAN", g.key(), "0", "COUNT", "1000"} },
}

// setOps generate set commands. SPOP takes more members than a set holds,
// so it is as deterministic as SMEMBERS.
var setOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string { return append([]string{"SADD", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return append([]string{"SREM", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return []string{"SCARD", g.key()} },
	func(g *cmdGen) []string { return []string{"SISMEMBER", g.key(), g.member()} },
	func(g *cmdGen) []string { return append([]string{"SMISMEMBER", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return []string{"SMEMBERS", g.key()} },
	func(g *cmdGen) []string {
		return g.maybe([]string{"SRANDMEMBER", g.key()}, 2, g.pick(diffCounts[:9]))
	},
	func(g *cmdGen) []string {
		return []string{"SPOP", g.key(), g.pick([]string{"100", "0", "-1", "x"})}
	},
	func(g *cmdGen) []string { return []string{"SMOVE", g.key(), g.key(), g.member()} },
	func(g *cmdGen) []string { return g.withKeys(g.pick([]string{"SINTER", "SUNION", "SDIFF"})) },
	func(g *cmdGen) []string {
		return g.withKeys(g.pick([]string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}), g.key())
	},
	func(g *cmdGen) []string {
		return g.maybe(append([]string{"SINTERCARD"}, g.numKeys()...), 2, "LIMIT", g.pick(diffCounts))
	},
	func(g *cmdGen) []string { return []string{"SSCAN", g.key(), "0", "COUNT", "1000"} },
}

// zsetOps generate sorted-set commands.
var zsetOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		cmd := []string{"ZADD", g.key()}
		for _, opt := range []string{"NX", "XX", "GT", "LT", "CH", "INCR"} {
			cmd = g.maybe(cmd, 6, opt)
		}
		for range 1 + g.rng.IntN(3) {
			cmd = append(cmd, g.pick(diffScores), g.member())
		}
		return cmd
	},
	func(g *cmdGen) []string { return []string{"ZINCRBY", g.key(), g.pick(diffScores), g.member()} },
	func(g *cmdGen) []string { return append([]string{"ZADD", g.lexKey(), "0"}, g.member()) },
	func(g *cmdGen) []string { return append([]string{"ZREM", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return []string{"ZCARD", g.key()} },
	func(g *cmdGen) []string { return []string{"ZSCORE", g.key(), g.member()} },
	func(g *cmdGen) []string { return append([]string{"ZMSCORE", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return []string{"ZCOUNT", g.key(), g.pick(diffBounds), g.pick(diffBounds)} },
	func(g *cmdGen) []string {
		return []string{"ZLEXCOUNT", g.lexKey(), g.pick(diffLexBounds), g.pick(diffLexBounds)}
	},
	func(g *cmdGen) []string {
		return g.maybe([]string{g.pick([]string{"ZRANK", "ZREVRANK"}), g.key(), g.member()}, 3, "WITHSCORE")
	},
	func(g *cmdGen) []string { return g.zrange("ZRANGE") },
	func(g *cmdGen) []string { return g.zrange("ZRANGESTORE") },
	func(g *cmdGen) []string {
		name := g.pick([]string{"ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZREVRANGE"})
		cmd := []string{name, g.key()}
		switch {
		case strings.HasSuffix(name, "LEX"):
			cmd = []string{name, g.lexKey(), g.pick(diffLexBounds), g.pick(diffLexBounds)}
		case strings.HasSuffix(name, "SCORE"):
			cmd = append(cmd, g.pick(diffBounds), g.pick(diffBounds))
		default:
			cmd = append(cmd, g.pick(diffOffsets), g.pick(diffOffsets))
		}
		if !strings.HasSuffix(name, "LEX") {
			cmd = g.maybe(cmd, 2, "WITHSCORES")
		}
		if name != "ZREVRANGE" {
			cmd = g.maybe(cmd, 3, "LIMIT", g.pick(diffOffsets), g.pick(diffCounts))
		}
		return cmd
	},
	func(g *cmdGen) []string {
		return g.maybe([]string{g.pick([]string{"ZPOPMIN", "ZPOPMAX"}), g.key()}, 2, g.pick(diffCounts))
	},
	func(g *cmdGen) []string {
		cmd := append([]string{"ZMPOP"}, g.numKeys()...)
		cmd = append(cmd, g.pick([]string{"MIN", "MAX", "MIN", "MAX", "FOO"}))
		return g.maybe(cmd, 2, "COUNT", g.pick(diffCounts))
	},
	func(g *cmdGen) []string {
		if g.rng.IntN(4) != 0 {
			return []string{"ZCARD", g.key()}
		}
		return append(g.withKeys(g.pick([]string{"BZPOPMIN", "BZPOPMAX"})), "0.01")
	},
	func(g *cmdGen) []string {
		switch g.rng.IntN(3) {
		case 0:
			return []string{"ZREMRANGEBYRANK", g.key(), g.pick(diffOffsets), g.pick(diffOffsets)}
		case 1:
			return []string{"ZREMRANGEBYSCORE", g.key(), g.pick(diffBounds), g.pick(diffBounds)}
		}
		return []string{"ZREMRANGEBYLEX", g.lexKey(), g.pick(diffLexBounds), g.pick(diffLexBounds)}
	},
	func(g *cmdGen) []string {
		name := g.pick([]string{"ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"})
		cmd := []string{name}
		if strings.HasSuffix(name, "STORE") {
			cmd = append(cmd, g.key())
		}
		nk := g.numKeys()
		cmd = append(cmd, nk...)
		if name != "ZDIFF" && name != "ZDIFFSTORE" {
			if g.rng.IntN(3) == 0 {
				cmd = append(cmd, "WEIGHTS")
				for range len(nk) - 1 - g.rng.IntN(2) { // sometimes one too few
					cmd = append(cmd, g.pick([]string{"1", "2", "-1", "0.5", "inf", "x"}))
				}
			}
			cmd = g.maybe(cmd, 3, "AGGREGATE", g.pick([]string{"SUM", "MIN", "MAX", "FOO"}))
		}
		if !strings.HasSuffix(name, "STORE") {
			cmd = g.maybe(cmd, 2, "WITHSCORES")
		}
		return cmd
	},
	func(g *cmdGen) []string {
		return g.maybe(append([]string{"ZINTERCARD"}, g.numKeys()...), 2, "LIMIT", g.pick(diffCounts))
	},
	func(g *cmdGen) []string {
		cmd := g.maybe([]string{"ZRANDMEMBER", g.key()}, 2, g.pick(diffCounts[:9]))
		if len(cmd) == 3 {
			cmd = g.maybe(cmd, 2, "WITHSCORES")
		}
		return cmd
	},
	func(g *cmdGen) []string { return []string{"ZSCAN", g.key(), "0", "COUNT", "1000"} },
}

// zrange returns a ZRANGE or ZRANGESTORE (name) with a random range and
// options.
func (g *cmdGen) zrange(name string) []string {
	var cmd []string
	key := g.key
	if g.rng.IntN(3) == 0 {
		key = g.lexKey
	}
	if name == "ZRANGESTORE" {
		cmd = []string{name, key(), key()}
	} else {
		cmd = []string{name, key()}
	}
	switch {
	case strings.HasPrefix(cmd[1], "lex"):
		cmd = append(cmd, g.pick(diffLexBounds), g.pick(diffLexBounds), "BYLEX")
	case g.rng.IntN(2) == 0:
		cmd = append(cmd, g.pick(diffOffsets), g.pick(diffOffsets))
	default:
		cmd = append(cmd, g.pick(diffBounds), g.pick(diffBounds), "BYSCORE")
	}
	cmd = g.maybe(cmd, 3, "REV")
	cmd = g.maybe(cmd, 3, "LIMIT", g.pick(diffOffsets), g.pick(diffCounts))
	if cmd[0] == "ZRANGE" {
		cmd = g.maybe(cmd, 2, "WITHSCORES")
	}
	return cmd
}

// sortOps generate SORT and SORT_RO over any key, with patterns that name
// the keys themselves (k*) or hash fields of them.
var sortOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		cmd := []string{g.pick([]string{"SORT", "SORT", "SORT_RO"}), g.key()}
		cmd = g.maybe(cmd, 3, "BY", g.pick([]string{"nosort", "k*", "*", "k*->a", "w_*"}))
		cmd = g.maybe(cmd, 3, "LIMIT", g.pick(diffOffsets), g.pick(diffCounts))
		for range g.rng.IntN(3) {
			cmd = append(cmd, "GET", g.pick([]string{"#", "k*", "k*->b", "nostar"}))
		}
		cmd = g.maybe(cmd, 3, g.pick([]string{"ASC", "DESC"}))
		cmd = g.maybe(cmd, 2, "ALPHA")
		if cmd[0] == "SORT" {
			cmd = g.maybe(cmd, 3, "STORE", g.key())
		}
		return withoutUndefinedSortOrder(cmd)
	},
}

// withoutUndefinedSortOrder drops LIMIT and STORE from a SORT that sorts
// by a pattern with ALPHA. Redis leaves the order of elements with equal
// (or missing) BY values undefined there: diffNormalize sorts such a
// reply, but which elements a LIMIT keeps, and the order of a stored
// list, would depend on Redis's hash table and quicksort.
func withoutUndefinedSortOrder(cmd []string) []string {
	alpha := slices.Contains(cmd, "ALPHA")
	by := slices.Index(cmd, "BY")
	if !alpha || by < 0 || cmd[by+1] == "nosort" {
		return cmd
	}
	out := cmd[:0:0]
	for i := 0; i < len(cmd); i++ {
		switch cmd[i] {
		case "LIMIT":
			i += 2
		case "STORE":
			i++
		default:
			out = append(out, cmd[i])
		}
	}
	return out
}
