package tests

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// This file holds the command generator of TestDifferential
// (differential_test.go): one function per command shape, grouped by
// family, drawing arguments from pools of typical values, edge cases
// (empty strings, zero, negative, ±2^63 and beyond, inf and nan) and
// garbage, over 10 keys (k0...k9) in 3 databases and three sorted sets
// kept for the lex-range commands (lex1, lex2, lex3).

// A cmdGen generates random commands. Expiry times are far enough in the
// future that no key expires while the test runs, except those in the past,
// which delete at once.
type cmdGen struct {
	rng *rand.Rand
	// known names the knownDifferences whose shapes are generated; the
	// others are left out so that the suite stays green. "all" names all.
	known []string
	// home holds the keys the family of the command being generated
	// prefers, so that most of its commands find a key of their type.
	home []string
	// scripts makes about half the commands run inside EVAL, through
	// redis.call or redis.pcall (wrapInScript, script_differential_test.go).
	scripts bool
	// streamMs is the milliseconds part of the stream family's last
	// explicit XADD ID: it grows, so that most XADDs succeed.
	streamMs int
}

// A diffFamily is a family of command generators and the keys they prefer.
// Neighbouring families share a key, and any key is picked now and then, so
// that keys still change type and wrong-type errors stay common.
type diffFamily struct {
	home []string
	ops  []func(g *cmdGen) []string
}

// families are the generators, each with its home keys. lex1, lex2 and
// lex3 are the sorted sets of the lex-range commands (see lexKey).
var families = []diffFamily{
	{[]string{"k0", "k1"}, stringOps},
	{[]string{"k1", "k2"}, bitOps},
	{nil, keyOps},
	{[]string{"k2", "k3", "k4"}, listOps},
	{[]string{"k4", "k5"}, hashOps},
	{[]string{"k5", "k6", "k7"}, setOps},
	{[]string{"k7", "k8", "k9"}, zsetOps},
	{nil, sortOps},
	{nil, arityOps},
}

// Value and number pools: typical values, edge cases and garbage.
var (
	diffValues = []string{"", "0", "1", "-5", "123", "007", "abc", "hello world", "3.5",
		"9223372036854775807", "-9223372036854775808", "\x00\xff\r\n", " 12", "-0", "+1", "1e3",
		"0x10", "inf", "nan", "10.50", "9223372036854775808", strings.Repeat("v", 50)}
	diffInts = []string{"0", "1", "-1", "5", "-100", "1000", "abc", "", "1.5",
		"9223372036854775807", "-9223372036854775808", "99999999999999999999", " 3", "-0", "+1",
		"9223372036854775808", "-9223372036854775809", "0x10", "1e3"}
	diffFloats = []string{"0.5", "1.5", "-2.25", "3", "abc", "inf", "-inf", "+inf", "nan", "1e3",
		"0x10", "1e308", "-1e308", "", " 1", "5e-324", "0", "-0", "10.50", "1.7976931348623157e308",
		"100000000000000000000", "3.0e", ".5", "5."}
	diffOffsets = []string{"0", "1", "3", "-1", "-3", "10", "-100", "100", "x", "9223372036854775807",
		"-9223372036854775808", "2147483648", "-2147483649", "", "+2", "1.0"}
	// diffCounts are counts for commands that return at most as many
	// elements as a collection holds (or fail).
	diffCounts = []string{"0", "1", "2", "3", "5", "-1", "-3", "100", "x", "9223372036854775807",
		"-9223372036854775808", "", "2147483648", "1.5"}
	// diffRandCounts are counts for SRANDMEMBER, HRANDFIELD and
	// ZRANDMEMBER, where a negative count returns that many elements: no
	// huge negative count is sent that Redis would try to serve (it runs
	// out of memory), only those it refuses.
	diffRandCounts = []string{"0", "1", "2", "3", "5", "20", "-1", "-3", "-20", "x", "", "1.5",
		"9223372036854775807", "-9223372036854775808"}
	// diffRandPairCounts adds the counts that Redis refuses with
	// WITHVALUES or WITHSCORES only.
	diffRandPairCounts = append(diffRandCounts, "-4611686018427387904", "4611686018427387904",
		"4611686018427387903")
	// diffPatterns are glob patterns for KEYS, SCAN and the SCAN family.
	diffPatterns = []string{"*", "k*", "k[0-4]", "k?", "*1*", "lex*", "[a-c]", "?", "*x*", "k[^0-4]",
		"\\*", "", "[", "k[9-0]", "*\\", "1*"}
)

// pick returns a random element of pool.
func (g *cmdGen) pick(pool ...string) string { return pool[g.rng.IntN(len(pool))] }

// one returns true with probability 1/n.
func (g *cmdGen) one(n int) bool { return g.rng.IntN(n) == 0 }

// key returns one of the family's home keys, or one of the 10 keys; the
// families without home keys pick the stream family's now and then.
func (g *cmdGen) key() string {
	if len(g.home) > 0 && !g.one(6) {
		return g.pick(g.home...)
	}
	if len(g.home) == 0 && g.one(8) {
		return g.pick(diffStreamKeys...)
	}
	return "k" + strconv.Itoa(g.rng.IntN(10))
}

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
	if g.one(3) {
		b := make([]byte, g.rng.IntN(12))
		for i := range b {
			b[i] = byte('a' + g.rng.IntN(26))
		}
		return string(b)
	}
	return g.pick(diffValues...)
}

// int returns an integer argument: mostly small, sometimes a pool edge case.
func (g *cmdGen) int() string {
	if g.one(2) {
		return strconv.Itoa(g.rng.IntN(21) - 10)
	}
	return g.pick(diffInts...)
}

// seconds returns a TTL far longer than the test, or now and then an
// invalid, zero, negative or overflowing one.
func (g *cmdGen) seconds() string {
	if g.one(8) {
		return g.pick("0", "-1", "abc", "", "1.5", "9223372036854775807", "-9223372036854775808",
			"9223372036854775", "4611686018427387904", "+5")
	}
	return strconv.Itoa(10000 + g.rng.IntN(100000))
}

// millis is seconds in milliseconds.
func (g *cmdGen) millis() string {
	s := g.seconds()
	if _, err := strconv.Atoi(s); err == nil && !strings.HasPrefix(s, "+") && len(s) < 10 {
		return s + "000"
	}
	return s
}

// unixTime returns an absolute time in seconds: far in the future, in the
// past (the key is deleted at once), or invalid.
func (g *cmdGen) unixTime() string {
	switch g.rng.IntN(6) {
	case 0:
		return g.pick("0", "1", "-1", "x", "9223372036854775807", "9223372036854776")
	case 1:
		return "1000000000" // 2001
	}
	return strconv.Itoa(32503680000 + g.rng.IntN(1000)) // 3000
}

// unixMillis is unixTime in milliseconds.
func (g *cmdGen) unixMillis() string {
	s := g.unixTime()
	if n, err := strconv.Atoi(s); err == nil && n > 1 && n < 1<<40 {
		return s + strconv.Itoa(g.rng.IntN(10)) + "00"
	}
	return s
}

// maybe appends opt to cmd with probability 1/n.
func (g *cmdGen) maybe(cmd []string, n int, opt ...string) []string {
	if g.one(n) {
		return append(cmd, opt...)
	}
	return cmd
}

// options appends to cmd each of opts with probability 1/2, in random
// order, so that option parsing is exercised in every order; now and then
// one of them comes twice.
func (g *cmdGen) options(cmd []string, opts ...[]string) []string {
	var chosen [][]string
	for _, o := range opts {
		if g.one(2) {
			chosen = append(chosen, o)
		}
	}
	if len(chosen) > 0 && g.one(12) { // an option given twice
		chosen = append(chosen, chosen[g.rng.IntN(len(chosen))])
	}
	g.rng.Shuffle(len(chosen), func(i, j int) { chosen[i], chosen[j] = chosen[j], chosen[i] })
	for _, o := range chosen {
		cmd = append(cmd, o...)
	}
	return cmd
}

// expiry returns one of SET's and GETEX's expiry options (persist adds
// GETEX's PERSIST), or none.
func (g *cmdGen) expiry(persist bool) []string {
	switch g.rng.IntN(9) {
	case 0:
		return []string{g.pick("EX", "ex"), g.seconds()}
	case 1:
		return []string{"PX", g.millis()}
	case 2:
		return []string{"EXAT", g.unixTime()}
	case 3:
		return []string{"PXAT", g.unixMillis()}
	case 4:
		if persist {
			return []string{"PERSIST"}
		}
		return []string{"KEEPTTL"}
	case 5:
		return []string{g.pick("EX", "PX", "EXAT", "PXAT")} // value missing
	}
	return nil
}

// allFamilies are the families with the stream family.
var allFamilies = append(slices.Clone(families), streamFamily)

// opCount is the number of generators in all families: each is picked
// with the same probability.
var opCount = countOps(allFamilies)

// countOps returns the number of generators in fams.
func countOps(fams []diffFamily) int {
	n := 0
	for _, f := range fams {
		n += len(f.ops)
	}
	return n
}

// next returns the next random command.
func (g *cmdGen) next() []string {
	fams, count := allFamilies, opCount
	for {
		i := g.rng.IntN(count)
		f := 0
		for ; i >= len(fams[f].ops); f++ {
			i -= len(fams[f].ops)
		}
		g.home = fams[f].home
		cmd := fams[f].ops[i](g)
		if k := knownDifference(cmd); k == "" || slices.Contains(g.known, k) || slices.Contains(g.known, "all") {
			if g.scripts && scriptable(cmd) && g.one(2) {
				return g.wrapInScript(cmd)
			}
			return cmd
		}
	}
}

// stringOps generate string commands.
var stringOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		cmd := []string{"SET", g.key(), g.value()}
		cmd = g.options(cmd, []string{g.pick("NX", "XX", "nx")}, []string{"GET"}, g.expiry(false), g.expiry(false))
		return g.maybe(cmd, 20, g.pick("NX", "XX", "EX", "KEEPTTL", "FOO", "GET", "PXAT"))
	},
	func(g *cmdGen) []string { return []string{"GET", g.key()} },
	func(g *cmdGen) []string { return []string{"GETSET", g.key(), g.value()} },
	func(g *cmdGen) []string { return []string{"GETDEL", g.key()} },
	func(g *cmdGen) []string { return []string{"SETNX", g.key(), g.value()} },
	func(g *cmdGen) []string { return []string{g.pick("INCR", "DECR"), g.key()} },
	func(g *cmdGen) []string { return []string{g.pick("INCRBY", "DECRBY"), g.key(), g.int()} },
	func(g *cmdGen) []string { return []string{"INCRBYFLOAT", g.key(), g.pick(diffFloats...)} },
	func(g *cmdGen) []string { return []string{"APPEND", g.key(), g.value()} },
	func(g *cmdGen) []string { return []string{"STRLEN", g.key()} },
	func(g *cmdGen) []string {
		return []string{g.pick("GETRANGE", "SUBSTR"), g.key(), g.pick(diffOffsets...), g.pick(diffOffsets...)}
	},
	func(g *cmdGen) []string {
		off, val := strconv.Itoa(g.rng.IntN(40)), g.value()
		if g.one(8) {
			// Offsets past 512 MB fail, unless the value is empty; none
			// that would allocate that much is sent.
			off = g.pick("-1", "abc", "536870912", "536870911", "9223372036854775807", "", "-9223372036854775808")
			if off == "536870911" {
				val = ""
			}
		}
		return []string{"SETRANGE", g.key(), off, val}
	},
	func(g *cmdGen) []string {
		cmd := []string{"GETEX", g.key()}
		cmd = g.options(cmd, g.expiry(true), g.expiry(true))
		return g.maybe(cmd, 15, g.pick("PERSIST", "EX", "FOO", "KEEPTTL"))
	},
	func(g *cmdGen) []string {
		if g.one(2) {
			return []string{"SETEX", g.key(), g.seconds(), g.value()}
		}
		return []string{"PSETEX", g.key(), g.millis(), g.value()}
	},
	func(g *cmdGen) []string {
		cmd := []string{g.pick("MSET", "MSETNX")}
		for _, k := range g.keys() {
			cmd = append(cmd, k, g.value())
		}
		return g.maybe(cmd, 15, g.key()) // a key without its value
	},
	func(g *cmdGen) []string { return append([]string{"MGET"}, g.keys()...) },
	func(g *cmdGen) []string {
		cmd := []string{"LCS", g.key(), g.key()}
		cmd = g.options(cmd, []string{g.pick("LEN", "IDX", "IDX")}, []string{"WITHMATCHLEN"},
			[]string{"MINMATCHLEN", g.pick("0", "1", "2", "3", "-1", "x", "9223372036854775807")})
		return g.maybe(cmd, 15, g.pick("LEN", "FOO", "MINMATCHLEN"))
	},
	// Strings that LCS and the bit commands have something to work on.
	func(g *cmdGen) []string {
		words := []string{"ohmytext", "mynewtext", "hello", "yellow", "abcbdab", "bdcaba", "\x00\xff\x0f", "\xaa\x55"}
		return []string{"SET", g.key(), g.pick(words...)}
	},
}

// bitOps generate bitmap commands.
var bitOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		off := strconv.Itoa(g.rng.IntN(100))
		if g.one(10) {
			// 2^32 is one bit past the limit: nothing that large is
			// allocated.
			off = g.pick("-1", "abc", "4294967296", "", "9223372036854775807", "1.0", "8388607")
		}
		return []string{"SETBIT", g.key(), off, g.pick("0", "1", "1", "2", "-1", "x", "")}
	},
	func(g *cmdGen) []string {
		off := strconv.Itoa(g.rng.IntN(120))
		if g.one(10) {
			off = g.pick("-1", "abc", "4294967296", "4294967295", "")
		}
		return []string{"GETBIT", g.key(), off}
	},
	func(g *cmdGen) []string {
		cmd := []string{"BITCOUNT", g.key()}
		switch g.rng.IntN(4) {
		case 0:
			cmd = append(cmd, g.pick(diffOffsets...)) // start without end
		case 1, 2:
			cmd = append(cmd, g.pick(diffOffsets...), g.pick(diffOffsets...))
			cmd = g.maybe(cmd, 2, g.pick("BIT", "BYTE", "bit", "FOO"))
		}
		return cmd
	},
	func(g *cmdGen) []string {
		cmd := []string{"BITPOS", g.key(), g.pick("0", "1", "1", "2", "-1", "x")}
		switch g.rng.IntN(4) {
		case 0:
			cmd = append(cmd, g.pick(diffOffsets...))
		case 1, 2:
			cmd = append(cmd, g.pick(diffOffsets...), g.pick(diffOffsets...))
			cmd = g.maybe(cmd, 2, g.pick("BIT", "BYTE", "bit", "FOO"))
		}
		return cmd
	},
	func(g *cmdGen) []string {
		op := g.pick("AND", "OR", "XOR", "NOT", "and", "FOO")
		if op == "NOT" && !g.one(5) {
			return []string{"BITOP", op, g.key(), g.key()}
		}
		return append([]string{"BITOP", op, g.key()}, g.keys()...)
	},
	(*cmdGen).bitfield,
}

// bitfield returns a BITFIELD or BITFIELD_RO with a few subcommands.
func (g *cmdGen) bitfield() []string {
	ro := g.one(3)
	cmd := []string{"BITFIELD", g.key()}
	if ro {
		cmd[0] = "BITFIELD_RO"
	}
	typ := func() string {
		return g.pick("i8", "u8", "i1", "u1", "i64", "u63", "u64", "i65", "i0", "x8", "u16", "i5")
	}
	off := func() string { return g.pick("0", "1", "7", "100", "#1", "#0", "-1", "x", "#-1", "4294967296") }
	for range 1 + g.rng.IntN(3) {
		switch g.rng.IntN(5) {
		case 0, 1:
			cmd = append(cmd, "GET", typ(), off())
		case 2:
			if !ro || g.one(5) {
				cmd = append(cmd, "SET", typ(), off(), g.int())
			}
		case 3:
			if !ro || g.one(5) {
				cmd = append(cmd, "INCRBY", typ(), off(), g.int())
			}
		default:
			cmd = append(cmd, "OVERFLOW", g.pick("WRAP", "SAT", "FAIL", "FOO"))
		}
	}
	return g.maybe(cmd, 15, g.pick("GET", "FOO", "OVERFLOW"))
}

// keyOps generate the keyspace commands that work on keys of any type.
var keyOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string { return append([]string{g.pick("DEL", "UNLINK")}, g.keys()...) },
	func(g *cmdGen) []string { return append([]string{g.pick("EXISTS", "TOUCH")}, g.keys()...) },
	func(g *cmdGen) []string { return []string{"TYPE", g.key()} },
	func(g *cmdGen) []string {
		var cmd []string
		switch g.rng.IntN(4) {
		case 0:
			cmd = []string{"EXPIRE", g.key(), g.seconds()}
		case 1:
			cmd = []string{"PEXPIRE", g.key(), g.millis()}
		case 2:
			cmd = []string{"EXPIREAT", g.key(), g.unixTime()}
		default:
			cmd = []string{"PEXPIREAT", g.key(), g.unixMillis()}
		}
		cmd = g.maybe(cmd, 2, g.pick("NX", "XX", "GT", "LT", "gt", "FOO"))
		return g.maybe(cmd, 6, g.pick("NX", "XX", "GT", "LT"))
	},
	func(g *cmdGen) []string { return []string{"PERSIST", g.key()} },
	func(g *cmdGen) []string {
		return []string{g.pick("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"), g.key()}
	},
	func(g *cmdGen) []string { return []string{g.pick("RENAME", "RENAMENX"), g.key(), g.key()} },
	func(g *cmdGen) []string {
		return []string{"SELECT", g.pick("0", "1", "2", "0", "1", "2", "16", "-1", "x", "")}
	},
	func(g *cmdGen) []string { return []string{"MOVE", g.key(), g.pick("0", "1", "2", "16", "-1", "x")} },
	func(g *cmdGen) []string {
		cmd := []string{"COPY", g.key(), g.key()}
		return g.options(cmd, []string{"DB", g.pick("0", "1", "2", "0", "1", "2", "16", "x")}, []string{"REPLACE"})
	},
	func(g *cmdGen) []string {
		sub := g.pick("ENCODING", "ENCODING", "ENCODING", "REFCOUNT", "IDLETIME", "FREQ", "HELP", "FOO", "encoding")
		if sub == "HELP" {
			return g.maybe([]string{"OBJECT", sub}, 3, g.key())
		}
		return g.maybe([]string{"OBJECT", sub, g.key()}, 15, g.key())
	},
	func(g *cmdGen) []string {
		return []string{"SWAPDB", g.pick("0", "1", "2", "x"), g.pick("0", "1", "2", "16", "-1")}
	},
	func(g *cmdGen) []string { return []string{"KEYS", g.pick(diffPatterns...)} },
	func(g *cmdGen) []string {
		cmd := []string{"SCAN", g.cursor()}
		return g.options(cmd, []string{"MATCH", g.pick(diffPatterns...)}, []string{"COUNT", g.scanCount()},
			[]string{"TYPE", g.pick("string", "list", "hash", "set", "zset", "stream", "foo", "STRING")})
	},
	func(g *cmdGen) []string { return []string{"RANDOMKEY"} },
	func(g *cmdGen) []string { return []string{"DBSIZE"} },
	func(g *cmdGen) []string {
		if g.one(20) { // rare: it empties everything
			return g.maybe([]string{g.pick("FLUSHDB", "FLUSHALL")}, 2, g.pick("ASYNC", "SYNC", "FOO"))
		}
		return []string{"DBSIZE"}
	},
}

// cursor returns the start of a scan, or now and then an invalid cursor
// or one in the middle (whose reply depends on the implementation: the
// test compares only its shape).
func (g *cmdGen) cursor() string {
	if g.one(6) {
		return g.pick("x", "-1", "18446744073709551616", "1.5", " 0", "5", "+0", "")
	}
	return "0"
}

// scanCount returns a SCAN family COUNT.
func (g *cmdGen) scanCount() string {
	return g.pick("1", "2", "5", "10", "1000", "0", "-1", "x", "9223372036854775807")
}

// Pools for the collection commands: members and fields (a few integers so
// sets start as intsets, and now and then one long enough to change a
// compact encoding), scores, score and lex bounds, indexes and counts.
var (
	diffMembers = []string{"a", "b", "c", "d", "e", "f", "x y", "", "1", "2", "3", "10", "-1", "007", "3.5",
		strings.Repeat("long", 20), "9223372036854775807", "-9223372036854775808", "9223372036854775808"}
	diffScores = []string{"0", "1", "-1", "2", "2.5", "-0", "1e3", "inf", "-inf", "+inf", "abc", "", "nan", "3",
		"1.7976931348623157e308", "5e-324", "0x10", "1e400", ".5", "0.1", "-2.25", "1e-400"}
	diffBounds = []string{"-inf", "+inf", "0", "1", "(1", "2.5", "(2.5", "5", "(-1", "abc", "(", "inf",
		"nan", "(inf", "(-inf", "[1", "1e400", ""}
	diffLexBounds = []string{"-", "+", "[a", "(a", "[c", "(d", "[", "(", "a", "[x y", "(10", "", "-a", "+b"}
	// diffValidLexBounds are lex bounds that parse, around the pool's
	// members.
	diffValidLexBounds = []string{"-", "+", "[a", "(a", "[b", "(b", "[c", "(c", "[d", "(e", "[f", "[1", "(3", "[x y"}
)

// lexKey returns one of the sorted sets the lex-range commands use. The
// members of lex1 and lex2 all have score 0 (any member, so that they
// become skip lists now and then). Those of lex3 have differing scores, so
// that its lex order is not its order and a LIMIT offset skips members out
// of the range: it only ever holds short members of the pool, fewer than
// the listpack limit, so it stays a listpack, where Redis's answer is
// determined (over a skip list it would depend on the random levels).
func (g *cmdGen) lexKey() string { return g.pick("lex1", "lex2", diffLexMixed) }

// diffLexMixed is the lex-range sorted set of differing scores.
const diffLexMixed = "lex3"

// lexDst returns the destination for a ZRANGESTORE of a lex range from
// src: lex1 or lex2 from either, as before lex3 was added; from lex3 any
// key but the lex-range sets, so that what lex3 holds stays short and
// drawn from many ZADDs (a store into it would mostly empty it).
func (g *cmdGen) lexDst(src string) string {
	if src == diffLexMixed {
		return g.key()
	}
	return g.pick("lex1", "lex2")
}

// lexRangeLimit returns a lex range that parses, with a LIMIT of a small
// offset and count, mostly over lex3, so that offsets land before, inside
// and past the members out of the range (see lexKey).
func (g *cmdGen) lexRangeLimit() []string {
	src := diffLexMixed
	if g.one(3) {
		src = g.lexKey()
	}
	lo, hi := g.pick(diffValidLexBounds...), g.pick(diffValidLexBounds...)
	limit := []string{"LIMIT", strconv.Itoa(g.rng.IntN(6)), g.pick("-1", "0", "1", "2", "5")}
	switch name := g.pick("ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZRANGE", "ZRANGESTORE"); name {
	case "ZRANGE":
		return append(g.options([]string{name, src, lo, hi, "BYLEX"}, []string{"REV"}), limit...)
	case "ZRANGESTORE":
		return append(g.options([]string{name, g.lexDst(src), src, lo, hi, "BYLEX"}, []string{"REV"}), limit...)
	default:
		return append([]string{name, src, lo, hi}, limit...)
	}
}

// lexAdd returns a ZADD to a lex-range set (see lexKey).
func (g *cmdGen) lexAdd() []string {
	key := g.lexKey()
	if key != diffLexMixed {
		return []string{"ZADD", key, "0", g.member()}
	}
	cmd := []string{"ZADD", key}
	for range 1 + g.rng.IntN(4) {
		m := g.member()
		for len(m) > 64 { // zset-max-listpack-value
			m = g.member()
		}
		cmd = append(cmd, g.pick("0", "1", "2", "3"), m)
	}
	return cmd
}

// member returns a member or field from the pool.
func (g *cmdGen) member() string { return g.pick(diffMembers...) }

// members returns 1 to 4 members, possibly repeated.
func (g *cmdGen) members() []string {
	ms := make([]string, 1+g.rng.IntN(4))
	for i := range ms {
		ms[i] = g.member()
	}
	return ms
}

// many returns n generated members (m0...) for the bulk loads that push a
// collection past its compact encoding; ints makes them integers.
func many(n int, ints bool) []string {
	out := make([]string, n)
	for i := range out {
		if ints {
			out[i] = strconv.Itoa(i * 7)
		} else {
			out[i] = "m" + strconv.Itoa(i)
		}
	}
	return out
}

// withKeys returns cmd followed by 1 to 4 random keys.
func (g *cmdGen) withKeys(cmd ...string) []string { return append(cmd, g.keys()...) }

// numKeys returns a numkeys count and that many keys; now and then the count
// is wrong or invalid.
func (g *cmdGen) numKeys() []string {
	ks := g.keys()
	n := strconv.Itoa(len(ks))
	if g.one(10) {
		n = g.pick("0", "-1", "x", "5", "", "9223372036854775807", "2147483648")
	}
	return append([]string{n}, ks...)
}

// end returns LEFT or RIGHT, or now and then a wrong word.
func (g *cmdGen) end() string {
	if g.one(20) {
		return "MIDDLE"
	}
	return g.pick("LEFT", "RIGHT", "left")
}

// timeout returns a blocking command's timeout: 10 ms (all of them wait
// that long at most), or now and then an invalid one.
func (g *cmdGen) timeout() string {
	if g.one(6) {
		return g.pick("-1", "x", "", "inf", "nan", "-0.01", "0x1p-7")
	}
	return "0.01"
}

// listOps generate list commands. Blocking pops wait 10 ms at most.
var listOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		return append([]string{g.pick("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"), g.key()}, g.members()...)
	},
	func(g *cmdGen) []string {
		return g.maybe([]string{g.pick("LPOP", "RPOP"), g.key()}, 2, g.pick(diffCounts...))
	},
	func(g *cmdGen) []string { return []string{"LLEN", g.key()} },
	func(g *cmdGen) []string {
		return []string{"LRANGE", g.key(), g.pick(diffOffsets...), g.pick(diffOffsets...)}
	},
	func(g *cmdGen) []string { return []string{"LRANGE", g.key(), "0", "-1"} },
	func(g *cmdGen) []string { return []string{"LINDEX", g.key(), g.pick(diffOffsets...)} },
	func(g *cmdGen) []string {
		return []string{"LSET", g.key(), g.pick(append(diffOffsets, "0", "1", "-1", "2", "-2")...), g.member()}
	},
	func(g *cmdGen) []string { return []string{"LREM", g.key(), g.pick(diffCounts...), g.member()} },
	func(g *cmdGen) []string {
		return []string{"LTRIM", g.key(), g.pick(diffOffsets...), g.pick(diffOffsets...)}
	},
	func(g *cmdGen) []string {
		return []string{"LINSERT", g.key(), g.pick("BEFORE", "AFTER", "before", "MIDDLE"), g.member(), g.member()}
	},
	func(g *cmdGen) []string {
		cmd := []string{"LPOS", g.key(), g.member()}
		cmd = g.options(cmd,
			[]string{"RANK", g.pick("1", "2", "-1", "-2", "0", "x", "-9223372036854775808", "9223372036854775807")},
			[]string{"COUNT", g.pick(diffCounts...)},
			[]string{"MAXLEN", g.pick("0", "1", "3", "-1", "x")})
		return g.maybe(cmd, 15, g.pick("RANK", "FOO"))
	},
	func(g *cmdGen) []string { return []string{"LMOVE", g.key(), g.key(), g.end(), g.end()} },
	func(g *cmdGen) []string { return []string{"RPOPLPUSH", g.key(), g.key()} },
	func(g *cmdGen) []string {
		cmd := append([]string{"LMPOP"}, g.numKeys()...)
		cmd = append(cmd, g.end())
		return g.maybe(cmd, 2, "COUNT", g.pick(diffCounts...))
	},
	func(g *cmdGen) []string {
		if !g.one(4) {
			return []string{"LLEN", g.key()}
		}
		switch g.rng.IntN(4) {
		case 0:
			return append(g.withKeys(g.pick("BLPOP", "BRPOP")), g.timeout())
		case 1:
			return []string{"BLMOVE", g.key(), g.key(), g.end(), g.end(), g.timeout()}
		case 2:
			return []string{"BRPOPLPUSH", g.key(), g.key(), g.timeout()}
		}
		cmd := append(append([]string{"BLMPOP", g.timeout()}, g.numKeys()...), g.end())
		return g.maybe(cmd, 2, "COUNT", g.pick(diffCounts...))
	},
	func(g *cmdGen) []string {
		if g.one(10) {
			return append([]string{"RPUSH", g.key()}, many(130, false)...)
		}
		return []string{"LLEN", g.key()}
	},
}

// hashOps generate hash commands.
var hashOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		cmd := []string{g.pick("HSET", "HMSET"), g.key()}
		for range 1 + g.rng.IntN(3) {
			cmd = append(cmd, g.member(), g.value())
		}
		return g.maybe(cmd, 15, g.member()) // a field without its value
	},
	func(g *cmdGen) []string { return []string{"HSETNX", g.key(), g.member(), g.value()} },
	func(g *cmdGen) []string { return []string{"HGET", g.key(), g.member()} },
	func(g *cmdGen) []string { return append([]string{"HMGET", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return append([]string{"HDEL", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return []string{g.pick("HEXISTS", "HSTRLEN"), g.key(), g.member()} },
	func(g *cmdGen) []string { return []string{g.pick("HLEN", "HKEYS", "HVALS", "HGETALL"), g.key()} },
	func(g *cmdGen) []string { return []string{"HINCRBY", g.key(), g.member(), g.int()} },
	func(g *cmdGen) []string {
		return []string{"HINCRBYFLOAT", g.key(), g.member(), g.pick(diffFloats...)}
	},
	func(g *cmdGen) []string {
		cmd := []string{"HRANDFIELD", g.key()}
		switch g.rng.IntN(3) {
		case 0:
			return cmd
		case 1:
			return g.maybe(append(cmd, g.pick(diffRandCounts...)), 15, g.pick("WITHVALUES", "FOO"))
		}
		return append(cmd, g.pick(diffRandPairCounts...), g.pick("WITHVALUES", "withvalues"))
	},
	func(g *cmdGen) []string {
		cmd := []string{"HSCAN", g.key(), g.cursor()}
		return g.options(cmd, []string{"MATCH", g.pick(diffPatterns...)}, []string{"COUNT", g.scanCount()})
	},
	func(g *cmdGen) []string {
		if g.one(10) {
			cmd := []string{"HSET", g.key()}
			for _, f := range many(130, false) {
				cmd = append(cmd, f, "v")
			}
			return cmd
		}
		return []string{"HLEN", g.key()}
	},
}

// setOps generate set commands.
var setOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string { return append([]string{"SADD", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return append([]string{"SREM", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return []string{"SCARD", g.key()} },
	func(g *cmdGen) []string { return []string{"SISMEMBER", g.key(), g.member()} },
	func(g *cmdGen) []string { return append([]string{"SMISMEMBER", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return []string{"SMEMBERS", g.key()} },
	func(g *cmdGen) []string {
		return g.maybe([]string{"SRANDMEMBER", g.key()}, 2, g.pick(diffRandCounts...))
	},
	func(g *cmdGen) []string {
		cmd := []string{"SPOP", g.key()}
		if g.one(3) {
			return cmd
		}
		return append(cmd, g.pick("100", "0", "1", "2", "5", "-1", "x", "", "9223372036854775807"))
	},
	func(g *cmdGen) []string { return []string{"SMOVE", g.key(), g.key(), g.member()} },
	func(g *cmdGen) []string { return g.withKeys(g.pick("SINTER", "SUNION", "SDIFF")) },
	func(g *cmdGen) []string {
		return g.withKeys(g.pick("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), g.key())
	},
	func(g *cmdGen) []string {
		cmd := append([]string{"SINTERCARD"}, g.numKeys()...)
		cmd = g.maybe(cmd, 2, "LIMIT", g.pick(diffCounts...))
		return g.maybe(cmd, 15, g.pick("LIMIT", "FOO"))
	},
	func(g *cmdGen) []string {
		cmd := []string{"SSCAN", g.key(), g.cursor()}
		return g.options(cmd, []string{"MATCH", g.pick(diffPatterns...)}, []string{"COUNT", g.scanCount()})
	},
	func(g *cmdGen) []string {
		switch g.rng.IntN(10) {
		case 0:
			return append([]string{"SADD", g.key()}, many(520, true)...)
		case 1:
			return append([]string{"SADD", g.key()}, many(30, false)...)
		}
		return []string{"SCARD", g.key()}
	},
}

// zsetOps generate sorted-set commands.
var zsetOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		cmd := []string{"ZADD", g.key()}
		cmd = g.options(cmd, []string{g.pick("NX", "XX")}, []string{g.pick("GT", "LT")}, []string{"CH"}, []string{"INCR"})
		cmd = g.maybe(cmd, 12, g.pick("NX", "XX", "GT", "LT"))
		for range 1 + g.rng.IntN(3) {
			cmd = append(cmd, g.pick(diffScores...), g.member())
		}
		return g.maybe(cmd, 15, g.pick(diffScores...)) // a score without its member
	},
	func(g *cmdGen) []string { return []string{"ZINCRBY", g.key(), g.pick(diffScores...), g.member()} },
	func(g *cmdGen) []string { return g.lexAdd() },
	func(g *cmdGen) []string { return g.lexRangeLimit() },
	func(g *cmdGen) []string { return append([]string{"ZREM", g.key()}, g.members()...) },
	func(g *cmdGen) []string { return []string{"ZCARD", g.key()} },
	func(g *cmdGen) []string { return []string{"ZSCORE", g.key(), g.member()} },
	func(g *cmdGen) []string { return append([]string{"ZMSCORE", g.key()}, g.members()...) },
	func(g *cmdGen) []string {
		return []string{"ZCOUNT", g.key(), g.pick(diffBounds...), g.pick(diffBounds...)}
	},
	func(g *cmdGen) []string {
		return []string{"ZLEXCOUNT", g.lexKey(), g.pick(diffLexBounds...), g.pick(diffLexBounds...)}
	},
	func(g *cmdGen) []string {
		return g.maybe([]string{g.pick("ZRANK", "ZREVRANK"), g.key(), g.member()}, 5, "WITHSCORE")
	},
	func(g *cmdGen) []string { return g.zrange("ZRANGE") },
	func(g *cmdGen) []string { return g.zrange("ZRANGESTORE") },
	func(g *cmdGen) []string {
		name := g.pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZREVRANGE")
		cmd := []string{name, g.key()}
		switch {
		case strings.HasSuffix(name, "LEX"):
			cmd = []string{name, g.lexKey(), g.pick(diffLexBounds...), g.pick(diffLexBounds...)}
		case strings.HasSuffix(name, "SCORE"):
			cmd = append(cmd, g.pick(diffBounds...), g.pick(diffBounds...))
		default:
			cmd = append(cmd, g.pick(diffOffsets...), g.pick(diffOffsets...))
		}
		var withScores, limit []string
		if !strings.HasSuffix(name, "LEX") {
			withScores = []string{"WITHSCORES"}
		}
		if name != "ZREVRANGE" {
			limit = []string{"LIMIT", g.pick(diffOffsets...), g.pick(diffCounts...)}
		}
		return g.options(cmd, withScores, limit)
	},
	func(g *cmdGen) []string {
		return g.maybe([]string{g.pick("ZPOPMIN", "ZPOPMAX"), g.key()}, 2, g.pick(diffCounts...))
	},
	func(g *cmdGen) []string {
		cmd := append([]string{"ZMPOP"}, g.numKeys()...)
		cmd = append(cmd, g.pick("MIN", "MAX", "MIN", "MAX", "FOO", "min"))
		return g.maybe(cmd, 2, "COUNT", g.pick(diffCounts...))
	},
	func(g *cmdGen) []string {
		if !g.one(4) {
			return []string{"ZCARD", g.key()}
		}
		if g.one(2) {
			cmd := append(append([]string{"BZMPOP", g.timeout()}, g.numKeys()...), g.pick("MIN", "MAX"))
			return g.maybe(cmd, 2, "COUNT", g.pick(diffCounts...))
		}
		return append(g.withKeys(g.pick("BZPOPMIN", "BZPOPMAX")), g.timeout())
	},
	func(g *cmdGen) []string {
		switch g.rng.IntN(3) {
		case 0:
			return []string{"ZREMRANGEBYRANK", g.key(), g.pick(diffOffsets...), g.pick(diffOffsets...)}
		case 1:
			return []string{"ZREMRANGEBYSCORE", g.key(), g.pick(diffBounds...), g.pick(diffBounds...)}
		}
		return []string{"ZREMRANGEBYLEX", g.lexKey(), g.pick(diffLexBounds...), g.pick(diffLexBounds...)}
	},
	func(g *cmdGen) []string {
		name := g.pick("ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE")
		cmd := []string{name}
		if strings.HasSuffix(name, "STORE") {
			cmd = append(cmd, g.key())
		}
		nk := g.numKeys()
		cmd = append(cmd, nk...)
		var weights, aggregate, withScores []string
		if name != "ZDIFF" && name != "ZDIFFSTORE" {
			weights = []string{"WEIGHTS"}
			for range len(nk) - 1 - g.rng.IntN(2) { // sometimes one too few
				weights = append(weights, g.pick("1", "2", "-1", "0.5", "inf", "-inf", "x", "nan", "0"))
			}
			aggregate = []string{"AGGREGATE", g.pick("SUM", "MIN", "MAX", "FOO", "max")}
		}
		if !strings.HasSuffix(name, "STORE") {
			withScores = []string{"WITHSCORES"}
		}
		return g.options(cmd, weights, aggregate, withScores)
	},
	func(g *cmdGen) []string {
		cmd := append([]string{"ZINTERCARD"}, g.numKeys()...)
		cmd = g.maybe(cmd, 2, "LIMIT", g.pick(diffCounts...))
		return g.maybe(cmd, 15, g.pick("LIMIT", "FOO"))
	},
	func(g *cmdGen) []string {
		cmd := []string{"ZRANDMEMBER", g.key()}
		switch g.rng.IntN(3) {
		case 0:
			return cmd
		case 1:
			return g.maybe(append(cmd, g.pick(diffRandCounts...)), 15, g.pick("WITHSCORES", "FOO"))
		}
		return append(cmd, g.pick(diffRandPairCounts...), g.pick("WITHSCORES", "withscores"))
	},
	func(g *cmdGen) []string {
		cmd := []string{"ZSCAN", g.key(), g.cursor()}
		return g.options(cmd, []string{"MATCH", g.pick(diffPatterns...)}, []string{"COUNT", g.scanCount()})
	},
	func(g *cmdGen) []string {
		if g.one(10) {
			cmd := []string{"ZADD", g.key()}
			for i, m := range many(130, false) {
				cmd = append(cmd, strconv.Itoa(i%50), m)
			}
			return cmd
		}
		return []string{"ZCARD", g.key()}
	},
}

// zrange returns a ZRANGE or ZRANGESTORE (name) with a random range and
// options.
func (g *cmdGen) zrange(name string) []string {
	src, dst := g.key(), g.key()
	if g.one(3) {
		src = g.lexKey()
		dst = g.lexDst(src)
	}
	cmd := []string{name, src}
	if name == "ZRANGESTORE" {
		cmd = []string{name, dst, src}
	}
	var by []string
	switch {
	case strings.HasPrefix(cmd[len(cmd)-1], "lex"):
		cmd = append(cmd, g.pick(diffLexBounds...), g.pick(diffLexBounds...))
		by = []string{"BYLEX"}
	case g.one(2):
		cmd = append(cmd, g.pick(diffOffsets...), g.pick(diffOffsets...))
	default:
		cmd = append(cmd, g.pick(diffBounds...), g.pick(diffBounds...))
		by = []string{"BYSCORE"}
	}
	var withScores []string
	if name == "ZRANGE" {
		withScores = []string{"WITHSCORES"}
	}
	cmd = g.options(cmd, by, []string{"REV"}, []string{"LIMIT", g.pick(diffOffsets...), g.pick(diffCounts...)}, withScores)
	return g.maybe(cmd, 15, g.pick("BYSCORE", "BYLEX", "FOO", "LIMIT"))
}

// sortOps generate SORT and SORT_RO over any key, with patterns that name
// the keys themselves (k*) or hash fields of them.
var sortOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		cmd := []string{g.pick("SORT", "SORT", "SORT_RO"), g.key()}
		var gets []string
		for range g.rng.IntN(3) {
			gets = append(gets, "GET", g.pick("#", "k*", "k*->b", "nostar", "k*->", "*->a"))
		}
		var store []string
		if cmd[0] == "SORT" {
			store = []string{"STORE", g.key()}
		}
		cmd = g.options(cmd, []string{"BY", g.pick("nosort", "k*", "*", "k*->a", "w_*", "k*->")},
			[]string{"LIMIT", g.pick(diffOffsets...), g.pick(diffCounts...)}, gets,
			[]string{g.pick("ASC", "DESC", "desc")}, []string{"ALPHA"}, store)
		cmd = g.maybe(cmd, 15, g.pick("LIMIT", "FOO", "BY", "GET", "STORE"))
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
	if !alpha || by < 0 || by+1 == len(cmd) || cmd[by+1] == "nosort" {
		return cmd
	}
	out := cmd[:0:0]
	for i := 0; i < len(cmd); i++ {
		switch {
		case cmd[i] == "LIMIT" && i+2 < len(cmd):
			i += 2
		case cmd[i] == "STORE" && i+1 < len(cmd):
			i++
		default:
			out = append(out, cmd[i])
		}
	}
	return out
}

// arities are Redis 7.0's arities of the commands the generator covers
// (n: exactly n words, the name included; -n: at least n).
var arities = map[string]int{
	"APPEND": 3, "DECR": 2, "DECRBY": 3, "GET": 2, "GETDEL": 2, "GETEX": -2, "GETRANGE": 4, "GETSET": 3,
	"INCR": 2, "INCRBY": 3, "INCRBYFLOAT": 3, "LCS": -3, "MGET": -2, "MSET": -3, "MSETNX": -3,
	"PSETEX": 4, "SET": -3, "SETEX": 4, "SETNX": 3, "SETRANGE": 4, "STRLEN": 2, "SUBSTR": 4,
	"HDEL": -3, "HEXISTS": 3, "HGET": 3, "HGETALL": 2, "HINCRBY": 4, "HINCRBYFLOAT": 4, "HKEYS": 2,
	"HLEN": 2, "HMGET": -3, "HMSET": -4, "HRANDFIELD": -2, "HSCAN": -3, "HSET": -4, "HSETNX": 4,
	"HSTRLEN": 3, "HVALS": 2,
	"SADD": -3, "SCARD": 2, "SDIFF": -2, "SDIFFSTORE": -3, "SINTER": -2, "SINTERCARD": -3,
	"SINTERSTORE": -3, "SISMEMBER": 3, "SMEMBERS": 2, "SMISMEMBER": -3, "SMOVE": 4, "SPOP": -2,
	"SRANDMEMBER": -2, "SREM": -3, "SSCAN": -3, "SUNION": -2, "SUNIONSTORE": -3,
	"COPY": -3, "DEL": -2, "EXISTS": -2, "EXPIRE": -3, "EXPIREAT": -3, "EXPIRETIME": 2, "KEYS": 2,
	"MOVE": 3, "OBJECT": -2, "PERSIST": 2, "PEXPIRE": -3, "PEXPIREAT": -3, "PEXPIRETIME": 2, "PTTL": 2,
	"RANDOMKEY": 1, "RENAME": 3, "RENAMENX": 3, "SCAN": -2, "SORT": -2, "SORT_RO": -2, "TOUCH": -2,
	"TTL": 2, "TYPE": 2, "UNLINK": -2, "DBSIZE": 1, "SWAPDB": 3, "SELECT": 2,
	"BITCOUNT": -2, "BITOP": -4, "BITPOS": -3, "GETBIT": 3, "SETBIT": 4,
	"BLMOVE": 6, "BLMPOP": -5, "BLPOP": -3, "BRPOP": -3, "BRPOPLPUSH": 4, "LINDEX": 3, "LINSERT": 5,
	"LLEN": 2, "LMOVE": 5, "LMPOP": -4, "LPOP": -2, "LPOS": -3, "LPUSH": -3, "LPUSHX": -3, "LRANGE": 4,
	"LREM": 4, "LSET": 4, "LTRIM": 4, "RPOP": -2, "RPOPLPUSH": 3, "RPUSH": -3, "RPUSHX": -3,
	"BZMPOP": -5, "BZPOPMAX": -3, "BZPOPMIN": -3, "ZADD": -4, "ZCARD": 2, "ZCOUNT": 4, "ZDIFF": -3,
	"ZDIFFSTORE": -4, "ZINCRBY": 4, "ZINTER": -3, "ZINTERCARD": -3, "ZINTERSTORE": -4, "ZLEXCOUNT": 4,
	"ZMPOP": -4, "ZMSCORE": -3, "ZPOPMAX": -2, "ZPOPMIN": -2, "ZRANDMEMBER": -2, "ZRANGE": -4,
	"ZRANGEBYLEX": -4, "ZRANGEBYSCORE": -4, "ZRANGESTORE": -5, "ZRANK": 3, "ZREM": -3,
	"ZREMRANGEBYLEX": 4, "ZREMRANGEBYRANK": 4, "ZREMRANGEBYSCORE": 4, "ZREVRANGE": -4,
	"ZREVRANGEBYLEX": -4, "ZREVRANGEBYSCORE": -4, "ZREVRANK": 3, "ZSCAN": -3, "ZSCORE": 3,
	"ZUNION": -3, "ZUNIONSTORE": -4,
}

// arityNames are the keys of arities, sorted so that a seed replays.
var arityNames = func() []string {
	var out []string
	for name := range arities {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}()

// arityOps generate a command with one word too few, or one too many for
// a command of fixed arity. The arguments are keys, so that a server that
// ran it anyway would show it.
var arityOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		name := g.pick(arityNames...)
		n := arities[name]
		size := -n - 1
		if n > 0 {
			size = n + g.pick2(-1, 1)
		}
		cmd := []string{name}
		for len(cmd) < size {
			cmd = append(cmd, g.key())
		}
		return cmd
	},
}

// pick2 returns a or b.
func (g *cmdGen) pick2(a, b int) int {
	if g.one(2) {
		return a
	}
	return b
}
