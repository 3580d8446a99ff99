package lualib

import (
	"math"
	"strconv"
	"strings"
)

// The conversions in this file reproduce what Redis's Lua 5.1 does with C
// library calls on x86-64 Linux (glibc, gcc): strtod, printf("%.14g") and the
// casts of a double to the integer types, whose out-of-range results C leaves
// undefined and the hardware defines.

// formatG formats f as C's printf("%.*g", prec, f) does under glibc:
// "inf", "-inf", "nan" and "-nan" (the sign bit of a NaN shows).
func formatG(f float64, prec int) string {
	switch {
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	// strconv's 'g' with an explicit precision chooses between %e and %f,
	// trims trailing zeros and writes two-digit exponents as C does.
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// numberToString is lua_tostring of a number: LUA_NUMBER_FMT, "%.14g".
func numberToString(f float64) string { return formatG(f, 14) }

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f')
}

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z')
}

// hasPrefixFold reports whether s[i:] starts with the lower-case word w,
// ignoring ASCII case.
func hasPrefixFold(s string, i int, w string) bool {
	return len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w)
}

// strtod parses the longest prefix of s[i:] that glibc's strtod accepts:
// leading white space, a sign, then a decimal or hexadecimal ("0x1.8p3")
// number, "inf", "infinity" or "nan" with an optional "(payload)", all
// case-insensitive. It returns the value and the index just past the number,
// or end == i when there is no number (strtod's endptr == nptr).
func strtod(s string, i int) (v float64, end int) {
	start := i
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	switch {
	case hasPrefixFold(s, i, "inf"):
		end = i + 3
		if hasPrefixFold(s, i, "infinity") {
			end = i + 8
		}
		v = math.Inf(1)
	case hasPrefixFold(s, i, "nan"):
		v, end = parseNaN(s, i+3)
	case hasPrefixFold(s, i, "0x") && (i+2 < len(s) && isHexDigit(s[i+2]) ||
		i+3 < len(s) && s[i+2] == '.' && isHexDigit(s[i+3])):
		v, end = parseHex(s, i+2)
	default:
		v, end = parseDecimal(s, i)
		if end == i {
			return 0, start
		}
	}
	if neg {
		v = math.Copysign(v, -1) // flips a NaN's sign too, as strtod does
		if v == 0 {
			v = math.Copysign(0, -1)
		}
	}
	return v, end
}

// parseDecimal reads digits [. digits] [e [sign] digits] from s[i:]; at least
// one digit must come before the exponent.
func parseDecimal(s string, i int) (float64, int) {
	j := i
	digits := 0
	for j < len(s) && isDigit(s[j]) {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, i
	}
	j = skipExponent(s, j, 'e')
	v, err := strconv.ParseFloat(s[i:j], 64)
	if err != nil && !isRangeError(err) {
		return 0, i // not reached: the text is a well-formed number
	}
	return v, j
}

// parseHex reads the hexadecimal mantissa and the optional binary exponent of
// a number whose "0x" ends at s[i-1]; the caller saw a digit.
func parseHex(s string, i int) (float64, int) {
	j := i
	for j < len(s) && isHexDigit(s[j]) {
		j++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isHexDigit(s[j]) {
			j++
		}
	}
	mant := s[i:j]
	k := skipExponent(s, j, 'p')
	exp := "p0"
	if k > j {
		exp = s[j:k]
	}
	v, err := strconv.ParseFloat("0x"+mant+exp, 64)
	if err != nil && !isRangeError(err) {
		return 0, i - 1 // not reached; strtod would have read the "0"
	}
	return v, k
}

// skipExponent returns the index past an exponent marker (e or p, either
// case), an optional sign and at least one digit at s[j:], or j if there is
// no complete exponent there.
func skipExponent(s string, j int, marker byte) int {
	if j >= len(s) || s[j]|0x20 != marker {
		return j
	}
	k := j + 1
	if k < len(s) && (s[k] == '+' || s[k] == '-') {
		k++
	}
	if k >= len(s) || !isDigit(s[k]) {
		return j
	}
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	return k
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// parseNaN reads glibc's optional "(n-char-sequence)" after "nan" at s[i:].
// A sequence that strtoull (base 0) reads whole becomes the low 51 bits of
// the quiet NaN's mantissa.
func parseNaN(s string, i int) (float64, int) {
	const quiet = 0x7ff8000000000000
	if i >= len(s) || s[i] != '(' {
		return math.Float64frombits(quiet), i
	}
	j := i + 1
	for j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
		j++
	}
	if j >= len(s) || s[j] != ')' {
		return math.Float64frombits(quiet), i
	}
	bits := uint64(quiet)
	if payload, ok := strtoullWhole(s[i+1 : j]); ok {
		if p := payload & (1<<51 - 1); p != 0 {
			bits = quiet | p
		}
	}
	return math.Float64frombits(bits), j + 1
}

// strtoullWhole is strtoull(s, &end, 0) that succeeds only when it reads all
// of s; it saturates at the maximum as strtoull does.
func strtoullWhole(s string) (uint64, bool) {
	base := uint64(10)
	switch {
	case len(s) > 2 && s[0] == '0' && s[1]|0x20 == 'x' && isHexDigit(s[2]):
		base, s = 16, s[2:]
	case len(s) > 0 && s[0] == '0':
		base = 8
	}
	var n uint64
	overflow := false
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		var d uint64
		switch {
		case isDigit(s[i]):
			d = uint64(s[i] - '0')
		case 'a' <= c && c <= 'z':
			d = uint64(c-'a') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		if n > (math.MaxUint64-d)/base {
			overflow = true
			continue
		}
		n = n*base + d
	}
	if overflow {
		n = math.MaxUint64
	}
	return n, true
}

// str2number is Lua 5.1's conversion of a string to a number (luaO_str2d):
// strtod must read the whole C string but for trailing white space. The C
// string ends at the first NUL byte.
func str2number(s string) (float64, bool) {
	if k := strings.IndexByte(s, 0); k >= 0 {
		s = s[:k]
	}
	v, end := strtod(s, 0)
	if end == 0 {
		return 0, false
	}
	for end < len(s) && isCSpace(s[end]) {
		end++
	}
	return v, end == len(s)
}

// toInt64 is a C cast of a double to a 64-bit integer on x86-64 (cvttsd2si):
// it truncates, and NaN or a value out of range gives the minimum.
func toInt64(f float64) int64 {
	if f != f || f >= 0x1p63 || f < -0x1p63 {
		return math.MinInt64
	}
	return int64(f)
}

// toInt32 is a C cast of a double to int on x86-64.
func toInt32(f float64) int32 {
	if f != f || f >= 0x1p31 || f <= -0x1p31-1 {
		return math.MinInt32
	}
	return int32(f)
}

// toUint64 is gcc's cast of a double to an unsigned 64-bit integer on
// x86-64: below 2^63 (NaN included) it is the signed conversion; from 2^63 it
// converts f-2^63 and flips the top bit, so 2^64 and more give 0.
func toUint64(f float64) uint64 {
	if !(f >= 0x1p63) {
		return uint64(toInt64(f))
	}
	return uint64(toInt64(f-0x1p63)) ^ (1 << 63)
}
