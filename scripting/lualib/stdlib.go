package lualib

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// OpenStdlib brings gopher-lua's string and table libraries, which must be
// open already, to what Lua 5.1 has: string.format as Lua 5.1's str_format
// over glibc's sprintf (gopher-lua's passes the format to Go's fmt), and
// table.foreach, table.foreachi and table.setn, which gopher-lua lacks.
func OpenStdlib(L *lua.LState) {
	if str, ok := L.GetGlobal("string").(*lua.LTable); ok {
		str.RawSetString("format", L.NewFunction(strFormat))
	}
	if tab, ok := L.GetGlobal("table").(*lua.LTable); ok {
		tab.RawSetString("foreach", L.NewFunction(tabForeach))
		tab.RawSetString("foreachi", L.NewFunction(tabForeachi))
		tab.RawSetString("setn", L.NewFunction(tabSetn))
	}
}

// formatFlags are the flags a conversion of string.format may have.
const formatFlags = "-+ #0"

// strFormat is Lua 5.1's string.format: each conversion's flags, width and
// precision (two digits at most) as C's sprintf applies them to the argument
// converted as Lua 5.1 converts it (integers through a C cast of the double).
// As there, a formatted item ends at its first NUL byte, and %s of a string
// of 100 bytes or more without a precision copies it whole.
func strFormat(L *lua.LState) int {
	format := checkString(L, 1)
	var b strings.Builder
	arg := 1
	for i := 0; i < len(format); {
		c := format[i]
		i++
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i < len(format) && format[i] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		arg++
		if arg > L.GetTop() {
			argError(L, arg, "no value")
		}
		spec, conv, next := scanFormat(L, format, i)
		i = next
		switch conv {
		case 'q':
			writeQuoted(&b, checkString(L, arg))
			continue
		case 's':
			s := checkString(L, arg)
			if !spec.precSet && len(s) >= 100 {
				b.WriteString(s)
				continue
			}
			b.WriteString(cString(spec.pad(truncate(cString(s), spec))))
			continue
		}
		b.WriteString(cString(formatItem(L, spec, conv, arg)))
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// truncate cuts s to spec's precision, as %.Ns does, in bytes.
func truncate(s string, spec formatSpec) string {
	if spec.precSet && spec.prec < len(s) {
		return s[:spec.prec]
	}
	return s
}

// formatItem formats argument arg by conversion conv (not s or q).
func formatItem(L *lua.LState, spec formatSpec, conv byte, arg int) string {
	switch conv {
	case 'c':
		spec.zero = false
		return spec.pad(string([]byte{byte(toInt32(checkNumber(L, arg)))}))
	case 'd', 'i':
		n := toInt64(checkNumber(L, arg))
		if n < 0 {
			return spec.integer("-", strconv.FormatUint(-uint64(n), 10), "")
		}
		return spec.integer(spec.sign(), strconv.FormatUint(uint64(n), 10), "")
	case 'o', 'u', 'x', 'X':
		n := toUint64(checkNumber(L, arg))
		switch conv {
		case 'o':
			return spec.integer("", strconv.FormatUint(n, 8), "0")
		case 'u':
			return spec.integer("", strconv.FormatUint(n, 10), "")
		}
		digits, prefix := strconv.FormatUint(n, 16), "0x"
		if conv == 'X' {
			digits, prefix = strings.ToUpper(digits), "0X"
		}
		if n == 0 {
			prefix = "" // C's # adds no 0x to a zero
		}
		return spec.integer("", digits, prefix)
	case 'e', 'E', 'f', 'g', 'G':
		f := checkNumber(L, arg)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return spec.nonFinite(f, conv == 'E' || conv == 'G')
		}
		if !spec.precSet {
			spec.prec, spec.precSet = 6, true // Go's %g defaults to the shortest form
		}
		return spec.goFormat(conv, f)
	}
	raise(L, "invalid option '%%%c' to 'format'", conv)
	return ""
}

// formatSpec is one conversion's flags, width and precision.
type formatSpec struct {
	minus, plus, space, alt, zero bool
	width, prec                   int
	precSet                       bool
}

// scanFormat reads the flags, width and precision of the conversion that
// starts at format[i] (just past its '%') as Lua 5.1's scanformat does, and
// returns them with the conversion letter and the index past it.
func scanFormat(L *lua.LState, format string, i int) (spec formatSpec, conv byte, next int) {
	start := i
	for i < len(format) && strings.IndexByte(formatFlags, format[i]) >= 0 {
		switch format[i] {
		case '-':
			spec.minus = true
		case '+':
			spec.plus = true
		case ' ':
			spec.space = true
		case '#':
			spec.alt = true
		case '0':
			spec.zero = true
		}
		i++
	}
	if i-start > len(formatFlags) {
		raise(L, "invalid format (repeated flags)")
	}
	digits := func() int {
		n := 0
		for k := 0; k < 2 && i < len(format) && isDigit(format[i]); k++ {
			n = n*10 + int(format[i]-'0')
			i++
		}
		return n
	}
	spec.width = digits()
	if i < len(format) && format[i] == '.' {
		i++
		spec.prec, spec.precSet = digits(), true
	}
	if i < len(format) && isDigit(format[i]) {
		raise(L, "invalid format (width or precision too long)")
	}
	if i < len(format) {
		conv = format[i]
		i++
	}
	return spec, conv, i
}

// sign is what C writes before a non-negative signed number: + under the
// + flag, a space under the space flag, else nothing.
func (spec formatSpec) sign() string {
	switch {
	case spec.plus:
		return "+"
	case spec.space:
		return " "
	}
	return ""
}

// integer lays out an integer conversion as C does: digits padded with
// zeros to the precision (a zero with precision 0 has none), the # flag's
// prefix (alt: "0x" for x, a leading 0 for o), then the width filled with
// zeros after sign and prefix under the 0 flag without a precision, or
// with spaces.
func (spec formatSpec) integer(sign, digits, alt string) string {
	if spec.precSet {
		if spec.prec == 0 && digits == "0" {
			digits = ""
		}
		if len(digits) < spec.prec {
			digits = strings.Repeat("0", spec.prec-len(digits)) + digits
		}
	}
	prefix := ""
	if spec.alt {
		switch {
		case alt == "0" && !strings.HasPrefix(digits, "0"):
			digits = "0" + digits
		case alt != "0":
			prefix = alt
		}
	}
	if n := spec.width - len(sign) - len(prefix) - len(digits); n > 0 && spec.zero && !spec.minus && !spec.precSet {
		digits = strings.Repeat("0", n) + digits
	}
	return spec.pad(sign + prefix + digits)
}

// goFormat formats v with Go's fmt under spec's flags, which for the
// conversions it is used for (e, E, f, g, G with an explicit precision)
// agree with C's.
func (spec formatSpec) goFormat(conv byte, v any) string {
	var f strings.Builder
	f.WriteByte('%')
	for _, fl := range []struct {
		on bool
		c  byte
	}{{spec.minus, '-'}, {spec.plus, '+'}, {spec.space, ' '}, {spec.alt, '#'}, {spec.zero, '0'}} {
		if fl.on {
			f.WriteByte(fl.c)
		}
	}
	if spec.width > 0 {
		f.WriteString(strconv.Itoa(spec.width))
	}
	if spec.precSet {
		f.WriteByte('.')
		f.WriteString(strconv.Itoa(spec.prec))
	}
	f.WriteByte(conv)
	return fmt.Sprintf(f.String(), v)
}

// nonFinite formats an infinity or a NaN as glibc does: "inf", "-inf",
// "nan" or "-nan" (upper-case for E and G), signed by + or space, padded with
// spaces even under the 0 flag.
func (spec formatSpec) nonFinite(f float64, upper bool) string {
	s := "inf"
	if math.IsNaN(f) {
		s = "nan"
	}
	switch {
	case math.Signbit(f):
		s = "-" + s
	case spec.plus:
		s = "+" + s
	case spec.space:
		s = " " + s
	}
	if upper {
		s = strings.ToUpper(s)
	}
	spec.zero = false
	return spec.pad(s)
}

// pad pads s with spaces to spec's width, on the left unless the - flag.
func (spec formatSpec) pad(s string) string {
	if len(s) >= spec.width {
		return s
	}
	fill := strings.Repeat(" ", spec.width-len(s))
	if spec.minus {
		return s + fill
	}
	return fill + s
}

// writeQuoted writes s as %q does: between double quotes, with ", \ and a
// newline escaped by a backslash, \r as "\r" and NUL as "\000".
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\000`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// tabForeach is table.foreach(t, f): f(k, v) for each pair, stopping at the
// first call that returns a value other than nil, which it returns.
func tabForeach(L *lua.LState) int {
	t := checkTable(L, 1)
	fn := checkFunction(L, 2)
	var result lua.LValue = lua.LNil
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if result = callPair(L, fn, k, v); result != lua.LNil {
			break
		}
	}
	if result == lua.LNil {
		return 0
	}
	L.Push(result)
	return 1
}

// tabForeachi is table.foreachi(t, f): f(i, t[i]) for i from 1 to #t,
// stopping as table.foreach does.
func tabForeachi(L *lua.LState) int {
	t := checkTable(L, 1)
	fn := checkFunction(L, 2)
	n := t.Len()
	for i := 1; i <= n; i++ {
		if r := callPair(L, fn, lua.LNumber(i), t.RawGetInt(i)); r != lua.LNil {
			L.Push(r)
			return 1
		}
	}
	return 0
}

// callPair calls fn(k, v) and returns its first result.
func callPair(L *lua.LState, fn *lua.LFunction, k, v lua.LValue) lua.LValue {
	L.Push(fn)
	L.Push(k)
	L.Push(v)
	L.Call(2, 1)
	r := L.Get(-1)
	L.Pop(1)
	return r
}

// tabSetn is table.setn, which Lua 5.1 built without LUA_COMPAT_GETN (as
// Redis's is) refuses.
func tabSetn(L *lua.LState) int {
	checkTable(L, 1)
	raise(L, "'setn' is obsolete")
	return 0
}

// checkTable is luaL_checktype(L, n, LUA_TTABLE).
func checkTable(L *lua.LState, n int) *lua.LTable {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		typeError(L, n, "table")
	}
	return t
}

// checkFunction is luaL_checktype(L, n, LUA_TFUNCTION).
func checkFunction(L *lua.LState, n int) *lua.LFunction {
	fn, ok := L.Get(n).(*lua.LFunction)
	if !ok {
		typeError(L, n, "function")
	}
	return fn
}
