package db

import (
	"math"
	"strconv"
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

// ParseFloat parses b as Redis parses a float argument: no surrounding
// spaces, "inf"/"-inf"/"+inf" accepted, NaN refused.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) || isSpace(b[len(b)-1]) {
		return 0, false
	}
	// Integers, the common case, convert exactly below 2^53 and need no
	// string conversion.
	if len(b) <= 15 {
		if n, ok := ParseInt(b); ok {
			return float64(n), true
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		// ParseFloat reports overflow as an error with ±Inf; Redis's
		// strtold accepts such values.
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange || !math.IsInf(f, 0) {
			return 0, false
		}
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f, true
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
