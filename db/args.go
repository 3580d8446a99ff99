package db

import (
	"math"
	"strconv"
	"strings"
)

// Error replies shared by many commands, in Redis's exact words.
const (
	ErrWrongType   = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrSyntax      = "ERR syntax error"
	ErrNotInt      = "ERR value is not an integer or out of range"
	ErrNotFloat    = "ERR value is not a valid float"
	ErrNoSuchKey   = "ERR no such key"
	ErrOverflow    = "ERR increment or decrement would overflow"
	ErrDBIndex     = "ERR DB index is out of range"
	ErrInvalidExp  = "ERR invalid expire time in '%s' command"
	ErrNaNOrInf    = "ERR increment would produce NaN or Infinity"
	ErrNotPositive = "ERR value is out of range, must be positive"
)

// ParseInt parses b as Redis's string2ll does: optional '-', digits, no
// leading zeros, no '+', no spaces, within int64.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// ParseFloat parses b as Redis parses a double argument (a score, a
// weight, an increment): C's strtod over all of b, so decimal and
// hexadecimal ("0x10") forms and "inf"/"infinity" are accepted; no
// surrounding spaces; NaN refused; and a value out of a double's range
// (1e400, or 1e-400, which would read as 0) refused, as strtod's ERANGE
// makes Redis refuse it.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) || isSpace(b[len(b)-1]) {
		return 0, false
	}
	// Integers, the common case, convert exactly below 2^53 and need no
	// string conversion.
	if len(b) <= 15 {
		if n, ok := ParseInt(b); ok && (n != 0 || b[0] != '-') { // "-0" is -0
			return float64(n), true
		}
	}
	f, outOfRange, ok := parseStrtod(b)
	return f, ok && !outOfRange && !math.IsNaN(f)
}

// parseStrtod parses all of b as C's strtod does: an optional sign, then a
// decimal or hexadecimal number (a hexadecimal exponent is optional), or
// inf, infinity or nan in any case. outOfRange reports what strtod reports
// with ERANGE: the value overflowed to an infinity or underflowed to 0.
func parseStrtod(b []byte) (f float64, outOfRange, ok bool) {
	s := string(b)
	if strings.IndexByte(s, '_') >= 0 { // Go allows digit separators, C does not
		return 0, false, false
	}
	digits := strings.TrimLeft(s, "+-")
	hex := len(digits) > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')
	if hex && !strings.ContainsAny(digits, "pP") {
		s += "p0" // Go requires the binary exponent that C makes optional
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, isNum := err.(*strconv.NumError); isNum && ne.Err == strconv.ErrRange {
			return f, true, true // overflow: ±Inf
		}
		return 0, false, false
	}
	if f == 0 { // underflow reads as 0 in Go; strtod says ERANGE
		mantissa, exponent := digits, "eE"
		if hex {
			mantissa, exponent = mantissa[2:], "pP"
		}
		if i := strings.IndexAny(mantissa, exponent); i >= 0 {
			mantissa = mantissa[:i]
		}
		if strings.Trim(mantissa, "0.") != "" {
			return f, true, true
		}
	}
	return f, false, true
}

func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}

// EqualFold reports whether b equals the lower-case ASCII word s, ignoring case.
func EqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// IntArg parses args[i] as an integer, writing ErrNotInt and returning false
// if it is not one.
func (c *Ctx) IntArg(i int) (int64, bool) {
	n, ok := ParseInt(c.Args[i])
	if !ok {
		c.W.WriteError(ErrNotInt)
	}
	return n, ok
}

// FloatArg parses args[i] as a float, writing ErrNotFloat and returning
// false if it is not one.
func (c *Ctx) FloatArg(i int) (float64, bool) {
	f, ok := ParseFloat(c.Args[i])
	if !ok {
		c.W.WriteError(ErrNotFloat)
	}
	return f, ok
}

// WriteOK writes the +OK status reply.
func (c *Ctx) WriteOK() { c.W.WriteSimple("OK") }

// WriteBool writes 1 or 0 as an integer reply, as EXISTS-style commands do.
func (c *Ctx) WriteBool(b bool) {
	if b {
		c.W.WriteInt(1)
	} else {
		c.W.WriteInt(0)
	}
}

// clampRange resolves inclusive start and end indexes over n items, negative
// ones counting from the end as in Redis: it returns them clamped to
// [0, n-1], and false when the range is empty.
func clampRange(start, end, n int64) (lo, hi int64, ok bool) {
	if start < 0 {
		start = max(start+n, 0)
	}
	if end < 0 {
		end = max(end+n, 0)
	}
	end = min(end, n-1)
	return start, end, start <= end
}

// writeStrings writes list as an array of bulk strings.
func writeStrings(c *Ctx, list []string) {
	c.W.WriteArray(len(list))
	for _, s := range list {
		c.W.WriteBulkString(s)
	}
}

// indexRange resolves LRANGE-style inclusive indexes over n elements,
// negative ones counting from the end: unlike clampRange (GETRANGE's), a
// stop before the first element makes the range empty.
func indexRange(start, stop, n int64) (lo, hi int64, ok bool) {
	if start < 0 {
		start = max(start+n, 0)
	}
	if stop < 0 {
		stop += n
	}
	if start > stop || start >= n {
		return 0, 0, false
	}
	return start, min(stop, n-1), true
}
