// Package listpack keeps a short list of entries (byte strings, integers
// and floats) in one byte slice, as Redis's listpack does: a small hash or
// sorted set is then one allocation instead of one per element.
//
// A listpack is a []byte: a 2-byte header holding the number of entries
// (saturating at 65535, then counted by walking), then the entries, each a
// type byte and its payload:
//
//	0x00-0x7f  the integer 0..127
//	0x80-0xbf  a string of 0..63 bytes (the low 6 bits), the bytes follow
//	0xc0       a string: its length as a uvarint, then the bytes
//	0xc1       an integer: a zigzag varint
//	0xc2       a float64: 8 bytes, little endian
//
// A string that is the canonical text of an int64 is stored as the integer
// and read back as the same text, as Redis does. Entries are addressed by
// their byte offset; offsets stop being valid when the listpack changes.
// The nil slice is an empty listpack. A listpack is not safe for concurrent
// use.
package listpack

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
)

// Kind is the type of an entry.
type Kind uint8

// The kinds of entries.
const (
	String Kind = iota
	Int
	Float
)

const (
	headerSize = 2
	maxCount   = math.MaxUint16

	tagStr    = 0x80 // | length, for strings up to 63 bytes
	tagLong   = 0xc0
	tagInt    = 0xc1
	tagFloat  = 0xc2
	smallStr  = 63
	smallUint = 0x7f
)

// Entry is one decoded entry. Str aliases the listpack's bytes: it is
// read-only and valid until the listpack changes.
type Entry struct {
	Kind  Kind
	Str   []byte  // a String's bytes
	Int   int64   // an Int's value
	Float float64 // a Float's value
}

// AppendText appends e as Redis replies with it: a string's bytes, an
// integer's decimal text, a float in the shortest form that reads back.
func (e Entry) AppendText(dst []byte) []byte {
	switch e.Kind {
	case Int:
		return strconv.AppendInt(dst, e.Int, 10)
	case Float:
		return strconv.AppendFloat(dst, e.Float, 'g', -1, 64)
	}
	return append(dst, e.Str...)
}

// Number returns e as a float64: an Int or Float's value (0 for a string).
func (e Entry) Number() float64 {
	if e.Kind == Int {
		return float64(e.Int)
	}
	return e.Float
}

// Equal reports whether e's text is s. It does not allocate.
func (e Entry) Equal(s []byte) bool {
	if e.Kind == String {
		return string(e.Str) == string(s)
	}
	var buf [32]byte
	return string(e.AppendText(buf[:0])) == string(s)
}

// Compare compares e's text with s as bytes.Compare does.
func (e Entry) Compare(s []byte) int {
	var buf [32]byte
	t := e.Str
	if e.Kind != String {
		t = e.AppendText(buf[:0])
	}
	return bytes.Compare(t, s)
}

// Len returns the number of entries in lp.
func Len(lp []byte) int {
	if len(lp) < headerSize {
		return 0
	}
	if n := int(binary.LittleEndian.Uint16(lp)); n < maxCount {
		return n
	}
	n := 0
	for off := First(lp); off < len(lp); off = Skip(lp, off) {
		n++
	}
	return n
}

// First returns the offset of the first entry; it equals len(lp) when lp
// is empty.
func First(lp []byte) int { return min(headerSize, len(lp)) }

// Next decodes the entry at off and returns it with the offset of the
// entry after it (len(lp) after the last one). off must be an entry's
// offset: Next panics on bytes that are not a well-formed entry.
func Next(lp []byte, off int) (Entry, int) {
	e, next, ok := decode(lp, off)
	if !ok {
		panic("listpack: malformed entry at offset " + strconv.Itoa(off))
	}
	return e, next
}

// Skip returns the offset of the entry after the one at off, without
// decoding it. It inlines.
func Skip(lp []byte, off int) int {
	if n := sizes[lp[off]]; n != 0 {
		return off + int(n)
	}
	return skipVarint(lp, off)
}

// sizes holds the size of an entry by its type byte, 0 for the two whose
// size follows in a varint.
var sizes = func() (t [256]uint8) {
	for b := range t {
		switch {
		case b <= smallUint:
			t[b] = 1
		case b < tagLong:
			t[b] = uint8(1 + b&^tagStr)
		case b == tagFloat:
			t[b] = 9
		}
	}
	return t
}()

// skipVarint is Skip for a long string or a varint integer. Not inlined,
// so that Skip is.
//
//go:noinline
func skipVarint(lp []byte, off int) int {
	_, next := Next(lp, off)
	return next
}

// Text returns the text of the entry at off as Entry.AppendText has it
// and the offset of the entry after it: a string's bytes aliasing lp
// (read-only, valid until lp changes), a number formatted into buf's
// array (appended to buf[:0]; 24 bytes hold any). It does not allocate
// when buf has room.
func Text(lp []byte, off int, buf []byte) ([]byte, int) {
	if n := int(lp[off] - tagStr); n <= smallStr { // a short string
		return lp[off+1 : off+1+n : off+1+n], off + 1 + n
	}
	return textSlow(lp, off, buf)
}

// textSlow is Text for anything but a short string.
func textSlow(lp []byte, off int, buf []byte) ([]byte, int) {
	e, next := Next(lp, off)
	if e.Kind == String {
		return e.Str, next
	}
	return e.AppendText(buf[:0]), next
}

// Number returns the entry at off as Entry.Number has it and the offset
// of the entry after it.
func Number(lp []byte, off int) (float64, int) {
	if b := lp[off]; b <= smallUint {
		return float64(b), off + 1
	}
	return numberSlow(lp, off)
}

// numberSlow is Number for anything but a small integer.
func numberSlow(lp []byte, off int) (float64, int) {
	if lp[off] == tagFloat {
		return math.Float64frombits(binary.LittleEndian.Uint64(lp[off+1 : off+9])), off + 9
	}
	e, next := Next(lp, off)
	return e.Number(), next
}

// decode decodes the entry at off, reporting false if the bytes there are
// not a whole entry.
func decode(lp []byte, off int) (Entry, int, bool) {
	if off >= len(lp) || off < 0 {
		return Entry{}, 0, false
	}
	b := lp[off]
	off++
	switch {
	case b <= smallUint:
		return Entry{Kind: Int, Int: int64(b)}, off, true
	case b < tagLong:
		n := int(b &^ tagStr)
		if n > len(lp)-off {
			return Entry{}, 0, false
		}
		return Entry{Str: lp[off : off+n : off+n]}, off + n, true
	case b == tagLong:
		n, w := binary.Uvarint(lp[off:])
		if w <= 0 || n > uint64(len(lp)-off-w) {
			return Entry{}, 0, false
		}
		off += w
		return Entry{Str: lp[off : off+int(n) : off+int(n)]}, off + int(n), true
	case b == tagInt:
		v, w := binary.Varint(lp[off:])
		if w <= 0 {
			return Entry{}, 0, false
		}
		return Entry{Kind: Int, Int: v}, off + w, true
	case b == tagFloat:
		if len(lp)-off < 8 {
			return Entry{}, 0, false
		}
		return Entry{Kind: Float, Float: math.Float64frombits(binary.LittleEndian.Uint64(lp[off:]))}, off + 8, true
	}
	return Entry{}, 0, false
}

// Valid reports whether lp is a well-formed listpack whose header counts
// its entries.
func Valid(lp []byte) bool {
	if len(lp) == 0 {
		return true
	}
	if len(lp) < headerSize {
		return false
	}
	n := 0
	for off := headerSize; off < len(lp); n++ {
		_, next, ok := decode(lp, off)
		if !ok {
			return false
		}
		off = next
	}
	return int(binary.LittleEndian.Uint16(lp)) == min(n, maxCount)
}

// AppendString appends the encoding of the string s to enc (a scratch
// buffer of encoded entries, for Splice), as an integer when s is the
// canonical text of one.
func AppendString(enc, s []byte) []byte {
	if n, ok := parseCanonical(s); ok {
		return AppendInt(enc, n)
	}
	if len(s) <= smallStr {
		enc = append(enc, tagStr|byte(len(s)))
	} else {
		enc = append(enc, tagLong)
		enc = binary.AppendUvarint(enc, uint64(len(s)))
	}
	return append(enc, s...)
}

// EncodedLen returns how many bytes AppendString(nil, s) appends.
func EncodedLen(s []byte) int {
	var buf [24]byte
	if len(s) <= 20 {
		return len(AppendString(buf[:0], s))
	}
	if len(s) <= smallStr {
		return 1 + len(s)
	}
	return 1 + len(binary.AppendUvarint(buf[:0], uint64(len(s)))) + len(s)
}

// Grow returns lp with room for n more bytes, reallocating it to fit (to
// its allocation's size class) when it has less, so that a run of
// Splices that add up to n bytes allocates once.
func Grow(lp []byte, n int) []byte {
	if len(lp) == 0 {
		n += headerSize
	}
	if len(lp)+n <= cap(lp) {
		return lp
	}
	return append(alloc(len(lp) + n)[:0], lp...)
}

// AppendInt appends the encoding of the integer n to enc.
func AppendInt(enc []byte, n int64) []byte {
	if n >= 0 && n <= smallUint {
		return append(enc, byte(n))
	}
	return binary.AppendVarint(append(enc, tagInt), n)
}

// AppendFloat appends the encoding of f to enc: as an integer when f is
// integral and exact as an int64 (so -0 reads back as 0, as in Redis's
// listpack), as 8 bytes otherwise.
func AppendFloat(enc []byte, f float64) []byte {
	if f == math.Trunc(f) && f >= -(1<<53) && f <= 1<<53 {
		return AppendInt(enc, int64(f))
	}
	enc = append(enc, tagFloat)
	return binary.LittleEndian.AppendUint64(enc, math.Float64bits(f))
}

// parseCanonical returns the int64 whose decimal text is exactly s. It
// does not allocate.
func parseCanonical(s []byte) (int64, bool) {
	neg := len(s) > 1 && s[0] == '-'
	d := s
	if neg {
		d = s[1:]
	}
	if len(d) == 0 || len(d) > 19 || d[0] == '0' && (len(d) > 1 || neg) {
		return 0, false
	}
	var u uint64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0') // 19 digits cannot overflow a uint64
	}
	switch {
	case neg && u <= 1<<63:
		return -int64(u-1) - 1, true
	case !neg && u < 1<<63:
		return int64(u), true
	}
	return 0, false
}

// Splice replaces the entries in lp's bytes [off, end) (whole entries:
// off == end inserts) with the encoded entries enc, which hold count
// entries, removed being how many [off, end) held, and returns the new
// listpack, which may share lp's array. The array is reallocated to fit
// when it grows, or when it shrinks below half its capacity; an emptied
// listpack is nil.
func Splice(lp []byte, off, end int, enc []byte, count, removed int) []byte {
	if len(lp) == 0 {
		if cap(lp) < headerSize {
			lp = alloc(headerSize + len(enc))
		}
		lp, off, end = append(lp[:0], 0, 0), headerSize, headerSize
	}
	if count == removed && end-off == len(enc) { // in place
		copy(lp[off:end], enc)
		return lp
	}
	n := Len(lp) + count - removed
	if n == 0 {
		return nil
	}
	size := len(lp) - (end - off) + len(enc)
	if size > cap(lp) || size < len(lp) && size < cap(lp)/2 && cap(lp) > 32 {
		grown := alloc(size)
		copy(grown, lp[:off])
		copy(grown[off+len(enc):], lp[end:])
		lp = grown
	} else {
		tail := len(lp) - end
		lp = lp[:max(size, len(lp))]
		copy(lp[off+len(enc):], lp[end:end+tail])
		lp = lp[:size]
	}
	copy(lp[off:], enc)
	binary.LittleEndian.PutUint16(lp, uint16(min(n, maxCount)))
	return lp
}

// Find returns the offset of the first entry whose text is s among the
// entries 0, step, 2*step... (step 2 looks at a hash's fields), or -1.
// Equal texts have equal encodings, so it compares encoded bytes: the
// type byte (which holds a short string's length) and the last byte
// first, as keys often share a prefix.
func Find(lp, s []byte, step int) int {
	var buf [80]byte
	enc := AppendString(buf[:0], s)
	tag, last := enc[0], enc[len(enc)-1]
	for off := First(lp); off < len(lp); {
		next := Skip(lp, off)
		if lp[off] == tag && lp[next-1] == last && string(lp[off:next]) == string(enc) {
			return off
		}
		off = next
		for i := 1; i < step && off < len(lp); i++ {
			off = Skip(lp, off)
		}
	}
	return -1
}

// alloc returns a slice of n bytes whose capacity is its allocation's size
// class, so that nothing allocated is out of reach.
func alloc(n int) []byte {
	return append([]byte(nil), make([]byte, n)...)
}
