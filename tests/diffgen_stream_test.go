package tests

import (
	"regexp"
	"slices"
	"strconv"
)

// The stream family of TestDifferential's generator (issue #15), generated
// only against a server with streams (cmdGen.streams). Every ID is
// explicit, or "ms-*" with explicit milliseconds, so that both servers
// store the same IDs; filters on idle time are 0 or beyond the test, so
// that which entries they keep does not depend on time. XINFO's and
// XPENDING's times and radix tree counts are masked (diffStreamVolatile).

// streamFamily is the stream generators, on their own keys s0 and s1 (the
// other families would turn k0...k9 into other types too often for groups
// to live); they pick k0...k9 now and then, for WRONGTYPE.
var streamFamily = diffFamily{diffStreamKeys, streamOps}

// diffStreamKeys are the stream family's keys.
var diffStreamKeys = []string{"s0", "s1"}

// diffStreamVolatile is streamVolatile (stream_aof_test.go) plus the
// delivery times of a consumer's pending entries in XINFO STREAM FULL,
// which the two servers stamp each with its own clock.
var diffStreamVolatile = regexp.MustCompile(streamVolatile.String() + `|\*3\r\n\$\d+\r\n\d+-\d+\r\n:(\d+)\r\n:\d+\r\n`)

// Pools of the stream family: groups, consumers, fields, counts.
var (
	diffGroups      = []string{"g1", "g1", "g1", "g1", "g2", "g2", "", "G1"}
	diffConsumers   = []string{"c1", "c2", "c3", "c1"}
	diffStreamCount = []string{"1", "2", "3", "10", "0", "-1", "x", "9223372036854775807"}
	// diffNeverIdle is a min-idle-time no entry reaches while the test runs.
	diffNeverIdle = "100000000"
)

// streamAddID returns the ID of an XADD: mostly the next one, as explicit
// ms-seq or ms-*, now and then an old one (refused), 0-0 or garbage.
func (g *cmdGen) streamAddID() string {
	switch g.rng.IntN(12) {
	case 0:
		return g.streamID()
	case 1:
		return g.pick("0-0", "0", "x", "1-x", "-1", "", "18446744073709551615-18446744073709551615",
			"18446744073709551616", "$", ">", "+")
	case 2, 3:
		g.streamMs += g.rng.IntN(2)
		return strconv.Itoa(g.streamMs) + "-*"
	}
	g.streamMs += 1 + g.rng.IntN(3)
	return strconv.Itoa(g.streamMs) + "-" + strconv.Itoa(g.rng.IntN(3))
}

// streamID returns an ID around those the stream family added: a range
// bound, an ID to delete, acknowledge or claim.
func (g *cmdGen) streamID() string {
	ms := g.rng.IntN(g.streamMs + 3)
	switch g.rng.IntN(8) {
	case 0:
		return strconv.Itoa(ms)
	case 1:
		return g.pick("0", "0-0", "x", "-1", "18446744073709551615-18446744073709551615", "1-", "")
	}
	return strconv.Itoa(ms) + "-" + strconv.Itoa(g.rng.IntN(3))
}

// streamIDs returns 1 to 4 IDs.
func (g *cmdGen) streamIDs() []string {
	ids := make([]string, 1+g.rng.IntN(4))
	for i := range ids {
		ids[i] = g.streamID()
	}
	return ids
}

// streamBound returns a bound of XRANGE (start first when start is set) or
// XREVRANGE: -, +, an ID, or an exclusive one.
func (g *cmdGen) streamBound(start bool) string {
	switch g.rng.IntN(6) {
	case 0:
		if start {
			return "-"
		}
		return "+"
	case 1:
		return g.pick("-", "+")
	case 2:
		return "(" + g.streamID()
	}
	return g.streamID()
}

// streamTrim returns XADD's or XTRIM's trimming arguments: MAXLEN or MINID,
// with = or ~ or neither, a threshold and now and then LIMIT (refused
// without ~).
func (g *cmdGen) streamTrim() []string {
	strategy := g.pick("MAXLEN", "MINID", "maxlen", "MAXLEN")
	cmd := []string{strategy}
	cmd = g.maybe(cmd, 2, g.pick("=", "~", "="))
	if strategy == "MINID" {
		cmd = append(cmd, g.streamID())
	} else {
		cmd = append(cmd, g.pick("0", "1", "2", "3", "5", "10", "-1", "x"))
	}
	return g.maybe(cmd, 5, "LIMIT", g.pick("0", "1", "2", "10", "-1", "x"))
}

// streamFields returns 1 to 3 field-value pairs; now and then a field
// without its value.
func (g *cmdGen) streamFields() []string {
	var fv []string
	for range 1 + g.rng.IntN(3) {
		fv = append(fv, g.pick("f", "g", "name", "f", ""), g.value())
	}
	if g.one(20) {
		fv = fv[:len(fv)-1]
	}
	return fv
}

// streamMinIdle returns a min-idle-time: 0 (every entry), one no entry
// reaches, or an invalid one.
func (g *cmdGen) streamMinIdle() string {
	if g.one(8) {
		return g.pick("-1", "x", "")
	}
	return g.pick("0", "0", diffNeverIdle)
}

// readIDs returns XREAD's or XREADGROUP's STREAMS arguments for 1 to 3
// keys (mostly one): the keys, then one ID each (now and then one too
// few).
func (g *cmdGen) readIDs(group bool) []string {
	keys := []string{g.key()}
	if g.one(3) {
		keys = append(keys, g.key())
	}
	args := append([]string{"STREAMS"}, keys...)
	for range keys {
		switch {
		case group && !g.one(3):
			args = append(args, ">")
		case g.one(4):
			args = append(args, "$")
		default:
			args = append(args, g.streamID())
		}
	}
	if g.one(15) {
		args = args[:len(args)-1]
	}
	return args
}

// streamOps generate the stream commands.
var streamOps = []func(g *cmdGen) []string{
	func(g *cmdGen) []string {
		cmd := []string{"XADD", g.key()}
		cmd = g.maybe(cmd, 6, "NOMKSTREAM")
		if g.one(3) {
			cmd = append(cmd, g.streamTrim()...)
		}
		return append(append(cmd, g.streamAddID()), g.streamFields()...)
	},
	func(g *cmdGen) []string {
		return append([]string{"XADD", g.key(), g.streamAddID()}, g.streamFields()...)
	},
	func(g *cmdGen) []string { return []string{"XLEN", g.key()} },
	func(g *cmdGen) []string {
		cmd := []string{"XRANGE", g.key(), g.streamBound(true), g.streamBound(false)}
		if g.one(2) {
			cmd = []string{"XREVRANGE", cmd[1], g.streamBound(false), g.streamBound(true)}
		}
		return g.maybe(cmd, 3, "COUNT", g.pick(diffStreamCount...))
	},
	func(g *cmdGen) []string { return append([]string{"XDEL", g.key()}, g.streamIDs()...) },
	func(g *cmdGen) []string { return append([]string{"XTRIM", g.key()}, g.streamTrim()...) },
	func(g *cmdGen) []string {
		id := g.streamID()
		if !g.one(3) { // mostly at or past the last ID, which XSETID accepts
			id = strconv.Itoa(g.streamMs+g.rng.IntN(3)) + "-" + strconv.Itoa(g.rng.IntN(3))
		}
		cmd := []string{"XSETID", g.key(), id}
		return g.options(cmd, []string{"ENTRIESADDED", g.pick("0", "1", "5", "100", "-1", "x")},
			[]string{"MAXDELETEDID", g.streamID()})
	},
	func(g *cmdGen) []string {
		cmd := g.options([]string{"XREAD"}, []string{"COUNT", g.pick(diffStreamCount...)},
			[]string{"BLOCK", g.pick("10", "10", "-1", "x")})
		return append(cmd, g.readIDs(false)...)
	},
	func(g *cmdGen) []string {
		id := g.pick("0", "$", "0", "$", g.streamID())
		cmd := []string{"XGROUP", g.pick("CREATE", "CREATE", "create"), g.key(), g.pick(diffGroups...), id}
		return g.options(cmd, []string{"MKSTREAM"}, []string{"ENTRIESREAD", g.pick("0", "1", "3", "-1", "2", "-2", "x")})
	},
	func(g *cmdGen) []string {
		return []string{"XGROUP", "CREATE", g.key(), g.pick("g1", "g2"), g.pick("0", "$"), "MKSTREAM"}
	},
	func(g *cmdGen) []string {
		sub := g.pick("CREATECONSUMER", "CREATECONSUMER", "DELCONSUMER", "DESTROY", "SETID", "SETID", "SETID", "HELP", "FOO")
		switch sub {
		case "DESTROY":
			return []string{"XGROUP", sub, g.key(), g.pick(diffGroups...)}
		case "SETID":
			cmd := []string{"XGROUP", sub, g.key(), g.pick(diffGroups...), g.pick("0", "$", g.streamID())}
			return g.maybe(cmd, 3, "ENTRIESREAD", g.pick("0", "2", "-1", "x"))
		case "HELP":
			return []string{"XGROUP", sub}
		}
		return []string{"XGROUP", sub, g.key(), g.pick(diffGroups...), g.pick(diffConsumers...)}
	},
	func(g *cmdGen) []string {
		cmd := []string{"XREADGROUP", "GROUP", g.pick(diffGroups...), g.pick(diffConsumers...)}
		cmd = g.options(cmd, []string{"COUNT", g.pick(diffStreamCount...)}, []string{"BLOCK", g.pick("10", "10", "10", "-1")})
		cmd = g.maybe(cmd, 6, "NOACK")
		return append(cmd, g.readIDs(true)...)
	},
	func(g *cmdGen) []string {
		return append([]string{"XACK", g.key(), g.pick(diffGroups...)}, g.streamIDs()...)
	},
	func(g *cmdGen) []string {
		cmd := []string{"XPENDING", g.key(), g.pick(diffGroups...)}
		if g.one(3) {
			return cmd
		}
		if g.one(3) {
			cmd = append(cmd, "IDLE", g.pick("0", diffNeverIdle, "-1", "x"))
		}
		cmd = append(cmd, g.streamBound(true), g.streamBound(false), g.pick(diffStreamCount...))
		return g.maybe(cmd, 3, g.pick(diffConsumers...))
	},
	func(g *cmdGen) []string {
		cmd := append([]string{"XCLAIM", g.key(), g.pick(diffGroups...), g.pick(diffConsumers...), g.streamMinIdle()},
			g.streamIDs()...)
		return g.options(cmd, []string{"IDLE", g.pick("0", "1000", "-1", "x")},
			[]string{"TIME", g.pick("1000", "1000000000000", "x")}, []string{"RETRYCOUNT", g.pick("0", "3", "-1", "x")},
			[]string{"FORCE"}, []string{"JUSTID"}, []string{"LASTID", g.streamID()})
	},
	func(g *cmdGen) []string {
		cmd := []string{"XAUTOCLAIM", g.key(), g.pick(diffGroups...), g.pick(diffConsumers...), g.streamMinIdle(),
			g.pick("0", "0-0", "-", g.streamBound(true))}
		return g.options(cmd, []string{"COUNT", g.pick("1", "2", "5", "100", "1", "2", "0", "x")}, []string{"JUSTID"})
	},
	func(g *cmdGen) []string {
		switch g.rng.IntN(5) {
		case 0:
			return []string{"XINFO", "GROUPS", g.key()}
		case 1:
			return []string{"XINFO", "CONSUMERS", g.key(), g.pick(diffGroups...)}
		case 2:
			return g.pick2Cmd([]string{"XINFO", "HELP"}, []string{"XINFO", "FOO", g.key()})
		}
		cmd := []string{"XINFO", "STREAM", g.key()}
		if g.one(2) {
			cmd = append(cmd, "FULL")
			cmd = g.maybe(cmd, 2, "COUNT", g.pick("0", "1", "2", "-1", "x"))
		}
		return cmd
	},
	// A stream command with one word too few, or one too many for XLEN.
	func(g *cmdGen) []string {
		name := g.pick(streamArityNames...)
		n := streamArities[name]
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

// pick2Cmd returns a or b.
func (g *cmdGen) pick2Cmd(a, b []string) []string {
	if g.one(2) {
		return a
	}
	return b
}

// streamArities are Redis 7.0's arities of the stream commands, as arities.
var streamArities = map[string]int{
	"XADD": -5, "XLEN": 2, "XRANGE": -4, "XREVRANGE": -4, "XDEL": -3, "XTRIM": -4, "XSETID": -3,
	"XREAD": -4, "XREADGROUP": -7, "XACK": -4, "XPENDING": -3, "XCLAIM": -6, "XAUTOCLAIM": -6,
	"XGROUP": -2, "XINFO": -2,
}

// streamArityNames are the keys of streamArities, sorted so that a seed
// replays.
var streamArityNames = func() []string {
	var out []string
	for name := range streamArities {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}()
