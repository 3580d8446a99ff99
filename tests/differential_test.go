package tests

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// diffCommands is the length of the random command stream.
const diffCommands = 3000

// TestDifferential sends the same seeded random stream of string and keyspace
// commands to MyRedis and real Redis and fails at the first reply that
// differs. Set MYREDIS_SEED to replay a failing stream.
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
	var history []string // the last few commands, for the failure message
	for i := 0; i < diffCommands; i++ {
		cmd := g.next()
		history = append(history, strconv.Quote(strings.Join(cmd, " ")))
		if len(history) > 8 {
			history = history[1:]
		}
		got, want := diffNormalize(cmd, mc.do(cmd...)), diffNormalize(cmd, rc.do(cmd...))
		if got != want {
			t.Fatalf("seed %d, command %d %q:\nmyredis: %q\nredis:   %q\nlast commands:\n%s",
				seed, i, cmd, got, want, strings.Join(history, "\n"))
		}
	}
}

// diffNormalize hides the parts of a reply that may differ between two
// correct servers: a positive TTL is reported only as positive, and KEYS
// replies are sorted.
func diffNormalize(cmd []string, reply string) string {
	switch strings.ToUpper(cmd[0]) {
	case "TTL", "PTTL":
		if n, err := strconv.Atoi(strings.Trim(reply, ":\r\n")); err == nil && n > 0 {
			return ":positive\r\n"
		}
	case "KEYS":
		return string(sortedReply([]byte(reply), false))
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

// ops are the command generators, picked uniformly.
var ops = []func(g *cmdGen) []string{
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
			{"SETBIT", g.key(), "1"}, {"SELECT"}, {"TTL"}}
		return short[g.rng.IntN(len(short))]
	},
}

// next returns the next random command.
func (g *cmdGen) next() []string {
	return ops[g.rng.IntN(len(ops))](g)
}
