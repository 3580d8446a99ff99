package lualib

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDifferential runs every case through EVAL on a real redis-server and
// checks that Redis replies as the case says, and so as this package does;
// then it compares the two on random numbers, number texts, MessagePack and
// JSON inputs (the seed is logged; LUALIB_SEED=n replays it). It is skipped
// when redis-server is not installed.
func TestDifferential(t *testing.T) {
	rc := startRedis(t)
	groups := []struct {
		name  string
		cases []luaCase
	}{
		{"cjson", cjsonCases}, {"cmsgpack", cmsgpackCases}, {"bit", bitCases}, {"struct", structCases},
	}
	for _, g := range groups {
		for _, c := range g.cases {
			t.Run(g.name+"/"+c.name, func(t *testing.T) {
				require.Equal(t, c.want, rc.eval(t, c.src), "%s", c.src)
			})
		}
	}

	seed := time.Now().UnixNano()
	if s := os.Getenv("LUALIB_SEED"); s != "" { // to replay a failure
		var err error
		seed, err = strconv.ParseInt(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("random inputs from seed %d (LUALIB_SEED replays them)", seed)
	r := rand.New(rand.NewSource(seed))
	compare := func(t *testing.T, src string) {
		t.Helper()
		require.Equal(t, rc.eval(t, src), runLua(t, src), "seed %d: %s", seed, src)
	}
	t.Run("random numbers", func(t *testing.T) {
		for batch := 0; batch < 10; batch++ {
			var xs []string
			for i := 0; i < 40; i++ {
				xs = append(xs, strconv.FormatFloat(randomFloat(r), 'g', 17, 64))
			}
			compare(t, `local r = {} for _, x in ipairs({`+strings.Join(xs, ", ")+`}) do `+
				`r[#r+1] = cjson.encode(x) .. ' ' .. H(cmsgpack.pack(x)) .. ' ' .. N(bit.tobit(x)) .. ' ' .. bit.tohex(x) .. ' ' .. `+
				`H(struct.pack('<lLf', x, x, x)) .. ' ' .. V(struct.unpack('<f', struct.pack('<f', x)))[1] end return r`)
		}
	})
	t.Run("random number texts", func(t *testing.T) {
		for batch := 0; batch < 10; batch++ {
			var texts []string
			for i := 0; i < 40; i++ {
				texts = append(texts, "'"+randomNumberText(r)+"'")
			}
			// The bits of what cjson.decode reads, and of what Lua's
			// conversion of a string makes of the text (struct.pack 'd').
			compare(t, `local r = {} for _, s in ipairs({`+strings.Join(texts, ", ")+`}) do `+
				`local ok, v = pcall(cjson.decode, s) if ok then v = H(struct.pack('>d', v)) end `+
				`local ok2, w = pcall(struct.pack, '>d', s) if ok2 then w = H(w) end `+
				`r[#r+1] = s .. ' ' .. v .. ' ' .. w end return r`)
		}
	})
	t.Run("random string.format", func(t *testing.T) {
		for batch := 0; batch < 10; batch++ {
			var calls []string
			for i := 0; i < 40; i++ {
				calls = append(calls, randomFormatCall(r))
			}
			compare(t, `local r = {} for _, f in ipairs({`+strings.Join(calls, ", ")+`}) do `+
				`local ok, v = pcall(f) r[#r+1] = tostring(v) end return r`)
		}
	})
	t.Run("random msgpack", func(t *testing.T) {
		for batch := 0; batch < 10; batch++ {
			var inputs []string
			for i := 0; i < 30; i++ {
				inputs = append(inputs, luaQuote(randomMsgpack(r)))
			}
			compare(t, `local r = {} for _, s in ipairs({`+strings.Join(inputs, ", ")+`}) do `+
				`local ok, v = pcall(function() return V(cmsgpack.unpack(s)) end) `+
				`if ok then v = table.concat(v, ' ') .. ' ' .. #cmsgpack.pack({cmsgpack.unpack(s)}) end r[#r+1] = v end return r`)
		}
	})
	t.Run("random json", func(t *testing.T) {
		for batch := 0; batch < 10; batch++ {
			var inputs []string
			for i := 0; i < 30; i++ {
				inputs = append(inputs, luaQuote(randomJSON(r)))
			}
			// Encoded lengths do not depend on the order of keys.
			compare(t, `local r = {} for _, s in ipairs({`+strings.Join(inputs, ", ")+`}) do `+
				`local ok, v = pcall(cjson.decode, s) if ok then local ok2, e = pcall(cjson.encode, v) `+
				`v = D(v) .. ' ' .. (ok2 and #e or e) .. ' ' .. #cmsgpack.pack(v) end `+
				`r[#r+1] = v end return r`)
		}
	})
}

// randomFormatCall returns a Lua function that calls string.format with a
// random conversion (flags, width, precision) of a random argument.
func randomFormatCall(r *rand.Rand) string {
	var spec strings.Builder
	spec.WriteByte('%')
	for i := r.Intn(4); i > 0; i-- {
		spec.WriteByte("-+ #0"[r.Intn(5)])
	}
	if r.Intn(2) == 0 {
		spec.WriteString(strconv.Itoa(r.Intn(30)))
	}
	if r.Intn(2) == 0 {
		spec.WriteString("." + strconv.Itoa(r.Intn(20)))
	}
	spec.WriteByte("cdiouxXeEfgGsq"[r.Intn(14)])
	args := []string{
		strconv.FormatFloat(randomFloat(r), 'g', 17, 64), strconv.Itoa(r.Intn(300) - 100), "1/0", "-1/0", "0/0",
		"'abc'", "'12.5'", "'a\\0b\\n\"'", "''", "{}", "nil",
	}
	return fmt.Sprintf("function() return string.format('<%s>', %s) end", spec.String(), args[r.Intn(len(args))])
}

// randomFloat returns a finite double from a mix of integers, fractions,
// powers of two, values near the limits of int32, int64 and float, and raw
// bit patterns.
func randomFloat(r *rand.Rand) float64 {
	for {
		var f float64
		switch r.Intn(8) {
		case 0:
			f = float64(r.Int63n(1<<40) - 1<<39)
		case 1:
			f = float64(r.Intn(2000)-1000) / 4 // ties for the rounding
		case 2:
			f = math.Ldexp(1, r.Intn(140)-70) + float64(r.Intn(5)-2)
		case 3:
			f = (r.Float64() - 0.5) * math.Pow(10, float64(r.Intn(40)-20))
		case 4:
			f = float64(int64(r.Uint64())) // anywhere in int64, rounded
		case 5:
			edges := []float64{1 << 31, 1 << 32, 1 << 52, 1 << 53, 1 << 63, 1 << 64, math.MaxFloat32}
			f = edges[r.Intn(len(edges))] * (1 + float64(r.Intn(5)-2)*0x1p-52)
		default:
			f = math.Float64frombits(r.Uint64())
		}
		if r.Intn(2) == 0 {
			f = -f
		}
		// No infinities or NaNs (cjson.encode refuses them), and no -0:
		// Lua 5.1 shares one constant for 0 and -0 in a function.
		if !math.IsInf(f, 0) && !math.IsNaN(f) && f != 0 {
			return f
		}
	}
}

// randomNumberText returns a text strtod may read: decimal, hexadecimal,
// inf and nan spellings, with signs, leading zeros, exponents and junk.
func randomNumberText(r *rand.Rand) string {
	digits := func(set string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[r.Intn(len(set))]
		}
		return string(b)
	}
	var s string
	switch r.Intn(8) {
	case 0:
		s = "0x" + digits("0123456789abcdefABCDEF", r.Intn(18))
		if r.Intn(2) == 0 {
			s += "." + digits("0123456789abcdef", r.Intn(6))
		}
		if r.Intn(2) == 0 {
			s += "p" + []string{"", "+", "-"}[r.Intn(3)] + digits("0123456789", r.Intn(5))
		}
	case 1:
		s = []string{"inf", "Infinity", "INF", "nan", "NaN", "nan(", "nan()", "nan(42)", "nan(0x7ff)", "nan(abc_1)", "infinit", "in"}[r.Intn(12)]
	default:
		s = digits("0123456789", r.Intn(25))
		if r.Intn(2) == 0 {
			s += "." + digits("0123456789", r.Intn(20))
		}
		if r.Intn(2) == 0 {
			s += string("eE"[r.Intn(2)]) + []string{"", "+", "-"}[r.Intn(3)] + digits("0123456789", r.Intn(4))
		}
	}
	switch r.Intn(6) {
	case 0:
		s = "-" + s
	case 1:
		s = "+" + s
	case 2:
		s = " " + s + " "
	case 3:
		s += digits("x. e-", 1)
	}
	return s
}

// randomMsgpack returns a MessagePack encoding of a random value, often cut
// short or with a byte changed.
func randomMsgpack(r *rand.Rand) string {
	var b []byte
	var value func(depth int)
	value = func(depth int) {
		switch k := r.Intn(14); {
		case k < 6 || depth > 3:
			scalars := [][]byte{{0x01}, {0xff}, {0xc0}, {0xc2}, {0xc3}, {0xcc, 0x80}, {0xcd, 0x12, 0x34},
				{0xce, 0x80, 0, 0, 1}, {0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe},
				{0xd0, 0x80}, {0xd1, 0x80, 0x01}, {0xd2, 0xff, 0xff, 0xff, 0x00}, {0xd3, 0x80, 0, 0, 0, 0, 0, 0, 1},
				{0xca, 0x3f, 0xc0, 0, 0}, {0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a},
				{0xa3, 'a', 'b', 'c'}, {0xd9, 2, 'h', 'i'}, {0xda, 0, 1, 'x'}, {0xdb, 0, 0, 0, 1, 'y'}}
			b = append(b, scalars[r.Intn(len(scalars))]...)
		case k < 10:
			n := r.Intn(4)
			b = append(b, 0x90|byte(n))
			for i := 0; i < n; i++ {
				value(depth + 1)
			}
		default:
			n := r.Intn(3)
			b = append(b, 0x80|byte(n))
			for i := 0; i < 2*n; i++ {
				value(depth + 1)
			}
		}
	}
	for n := 1 + r.Intn(3); n > 0; n-- {
		value(0)
	}
	switch r.Intn(4) {
	case 0:
		b = b[:r.Intn(len(b)+1)]
	case 1:
		b[r.Intn(len(b))] = byte(r.Intn(256))
	}
	return string(b)
}

// randomJSON returns a JSON text of a random value, sometimes broken.
func randomJSON(r *rand.Rand) string {
	var b strings.Builder
	var value func(depth int)
	value = func(depth int) {
		switch k := r.Intn(10); {
		case k < 5 || depth > 3:
			scalars := []string{`1`, `-0`, `2.5e3`, `1e400`, `"a"`, `"\u00e9\n"`, `"\ud83d\ude00"`, `true`, `false`, `null`,
				`""`, `"\/"`, `0.1`, `12345678901234567890`, `NaN`, `-Infinity`, `0x1F`, `"\u0000"`}
			b.WriteString(scalars[r.Intn(len(scalars))])
		case k < 8:
			b.WriteString("[")
			for i, n := 0, r.Intn(4); i < n; i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				value(depth + 1)
			}
			b.WriteString("]")
		default:
			b.WriteString("{")
			for i, n := 0, r.Intn(3); i < n; i++ {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, `"k%d": `, r.Intn(3))
				value(depth + 1)
			}
			b.WriteString("}")
		}
	}
	value(0)
	s := []byte(b.String())
	switch r.Intn(4) {
	case 0:
		s = s[:r.Intn(len(s)+1)]
	case 1:
		s[r.Intn(len(s))] = `{}[],:" \\ux0`[r.Intn(13)]
	}
	return string(s)
}

// luaQuote returns s as a Lua string literal.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\\' && c != '\'' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
