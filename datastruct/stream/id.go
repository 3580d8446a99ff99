// Package stream holds the value of a Redis stream: entries ordered by ID in
// compact nodes, an index of the nodes by ID, and the consumer groups with
// their pending-entries lists. It knows nothing of commands or replies.
// Nothing in it is safe for concurrent use: the caller holds the key's lock.
package stream

import (
	"bytes"
	"math"
	"strconv"
)

// ID is a stream entry ID: milliseconds, then a sequence number.
type ID struct {
	Ms, Seq uint64
}

// MinID and MaxID are the smallest and largest IDs ("-" and "+").
var (
	MinID = ID{}
	MaxID = ID{math.MaxUint64, math.MaxUint64}
)

// Compare returns -1, 0 or +1 as a is less than, equal to or greater than b.
func (a ID) Compare(b ID) int {
	switch {
	case a.Ms < b.Ms:
		return -1
	case a.Ms > b.Ms:
		return 1
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// Less reports whether a comes before b.
func (a ID) Less(b ID) bool { return a.Compare(b) < 0 }

// IsZero reports whether a is 0-0.
func (a ID) IsZero() bool { return a == ID{} }

// Next returns the ID right after a, and false when a is MaxID.
func (a ID) Next() (ID, bool) {
	switch {
	case a.Seq < math.MaxUint64:
		return ID{a.Ms, a.Seq + 1}, true
	case a.Ms < math.MaxUint64:
		return ID{a.Ms + 1, 0}, true
	}
	return a, false
}

// Prev returns the ID right before a, and false when a is 0-0.
func (a ID) Prev() (ID, bool) {
	switch {
	case a.Seq > 0:
		return ID{a.Ms, a.Seq - 1}, true
	case a.Ms > 0:
		return ID{a.Ms - 1, math.MaxUint64}, true
	}
	return a, false
}

// Append appends "ms-seq" to dst.
func (a ID) Append(dst []byte) []byte {
	dst = strconv.AppendUint(dst, a.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, a.Seq, 10)
}

// String returns "ms-seq".
func (a ID) String() string { return string(a.Append(nil)) }

// maxIDLen is the longest argument Redis reads as an ID.
const maxIDLen = 127

// ParseID reads an ID argument as Redis does: "ms-seq", or "ms" alone
// (the sequence is then missingSeq). Unless strict, "-" and "+" are MinID
// and MaxID. With allowAutoSeq, "ms-*" is accepted and autoSeq is true.
// Each part is an unsigned 64-bit number as C's strtoull reads it (leading
// spaces and a sign allowed), except that a canonical negative number is
// refused. ok is false for anything else.
func ParseID(b []byte, missingSeq uint64, strict, allowAutoSeq bool) (id ID, autoSeq, ok bool) {
	if len(b) > maxIDLen {
		return ID{}, false, false
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i] // Redis reads the argument as a C string
	}
	if len(b) == 0 {
		// An empty argument: strtoull of "" fails.
		return ID{}, false, false
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return ID{}, false, false
		}
		if b[0] == '-' {
			return MinID, false, true
		}
		return MaxID, false, true
	}
	msPart, seqPart, hasSeq := b, []byte(nil), false
	for i, ch := range b {
		if ch == '-' {
			msPart, seqPart, hasSeq = b[:i], b[i+1:], true
			break
		}
	}
	ms, ok := parseULL(msPart)
	if !ok {
		return ID{}, false, false
	}
	if !hasSeq {
		return ID{ms, missingSeq}, false, true
	}
	if allowAutoSeq && len(seqPart) == 1 && seqPart[0] == '*' {
		return ID{ms, 0}, true, true
	}
	seq, ok := parseULL(seqPart)
	if !ok {
		return ID{}, false, false
	}
	return ID{ms, seq}, false, true
}

// parseULL reads b as Redis's string2ull does: a canonical int64 must not
// be negative; anything else goes to strtoull (leading white space, an
// optional sign, decimal digits to the end, no overflow; a minus sign
// negates modulo 2^64).
func parseULL(b []byte) (uint64, bool) {
	if n, ok := plainDigits(b); ok {
		return n, true
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil && canonicalInt(b) {
		return uint64(n), n >= 0
	}
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var n uint64
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false
		}
		if n > (math.MaxUint64-uint64(d))/10 {
			return 0, false // ERANGE
		}
		n = n*10 + uint64(d)
	}
	if neg {
		n = -n
	}
	return n, true
}

// plainDigits reads b when it is 1 to 19 decimal digits, the form IDs are
// written in: every reading rule gives it its decimal value, and 19 digits
// fit in 64 bits.
func plainDigits(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + uint64(ch-'0')
	}
	return n, true
}

// canonicalInt reports whether b is written as Redis's string2ll demands:
// no sign but a leading minus, no leading zero, no "-0".
func canonicalInt(b []byte) bool {
	if len(b) == 1 && b[0] == '0' {
		return true
	}
	if b[0] == '-' {
		b = b[1:]
	}
	return len(b) > 0 && b[0] >= '1' && b[0] <= '9'
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
