package db

import (
	"bytes"
	"math/rand/v2"
	"unsafe"

	"myredis/datastruct/dict"
	"myredis/datastruct/listpack"
)

// hashValue is a hash key's value. While small it is a listpack of fields
// and values in insertion order, as in Redis; a hash with more fields than
// hash-max-listpack-entries, or that was ever given a field or value
// longer than hash-max-listpack-value bytes, becomes a dict.Map for good.
// Fields and values handed out are read-only and valid until the hash is
// next changed.
type hashValue struct {
	lp []byte // field, value, field, value, ... while m is nil
	m  *dict.Map[[]byte]
}

// Kind returns KindHash.
func (*hashValue) Kind() Kind { return KindHash }

// Copy returns a deep copy in the same encoding.
func (h *hashValue) Copy() any {
	if h.m == nil {
		return &hashValue{lp: bytes.Clone(h.lp)}
	}
	c := &hashValue{m: new(dict.Map[[]byte])}
	h.m.ForEach(func(e *dict.Entry[[]byte]) bool {
		c.m.Add(stringBytes(e.Key), bytes.Clone(e.Value))
		return true
	})
	return c
}

// Encoding returns "listpack" or "hashtable", as Redis 7.0 reports them.
func (h *hashValue) Encoding() string {
	if h.m == nil {
		return "listpack"
	}
	return "hashtable"
}

// hashEntrySize is what a hash table field costs besides its bytes: the
// entry, the value's slice header and, on average, one bucket pointer.
const hashEntrySize = int64(unsafe.Sizeof(dict.Entry[[]byte]{})) + 8

// MemoryUsage estimates the bytes h holds; a hash table measures at most
// samples fields and extrapolates.
func (h *hashValue) MemoryUsage(samples int) int64 {
	n := int64(unsafe.Sizeof(*h))
	if h.m == nil {
		return n + int64(cap(h.lp))
	}
	var seen, size int64
	h.m.ForEach(func(e *dict.Entry[[]byte]) bool {
		seen++
		size += hashEntrySize + int64(len(e.Key)+cap(e.Value))
		return seen < int64(samples)
	})
	if seen > 0 {
		n += size * int64(h.m.Len()) / seen
	}
	return n
}

// Len returns the number of fields.
func (h *hashValue) Len() int {
	if h.m != nil {
		return h.m.Len()
	}
	return listpack.Len(h.lp) / 2
}

// get returns the value of field and whether it is there. A listpack's
// integer value is formatted into buf's array.
func (h *hashValue) get(field, buf []byte) ([]byte, bool) {
	if h.m != nil {
		if e := h.m.Find(field); e != nil {
			return e.Value, true
		}
		return nil, false
	}
	off := listpack.Find(h.lp, field, 2)
	if off < 0 {
		return nil, false
	}
	v, _ := listpack.Next(h.lp, listpack.Skip(h.lp, off))
	return entryText(v, buf), true
}

// entryText returns the text of e: its own bytes for a string, or its
// number formatted into buf's array.
func entryText(e listpack.Entry, buf []byte) []byte {
	if e.Kind == listpack.String {
		return e.Str
	}
	return e.AppendText(buf[:0])
}

// set sets field to a copy of value and reports whether the field is new,
// converting h to a hash table when it outgrows lim.
func (h *hashValue) set(field, value []byte, lim *EncodingLimits) bool {
	if h.m == nil && (len(field) > lim.HashValue || len(value) > lim.HashValue) {
		h.convert()
	}
	if h.m != nil {
		if e := h.m.Find(field); e != nil {
			e.Value = reuseBytes(e.Value, value)
			return false
		}
		h.m.Add(field, bytes.Clone(value))
		return true
	}
	var buf [160]byte
	if off := listpack.Find(h.lp, field, 2); off >= 0 {
		voff := listpack.Skip(h.lp, off)
		h.lp = listpack.Splice(h.lp, voff, listpack.Skip(h.lp, voff), listpack.AppendString(buf[:0], value), 1, 1)
		return false
	}
	enc := listpack.AppendString(listpack.AppendString(buf[:0], field), value)
	h.lp = listpack.Splice(h.lp, len(h.lp), len(h.lp), enc, 2, 0)
	if h.Len() > lim.HashEntries {
		h.convert()
	}
	return true
}

// reserve makes room in a listpack hash for setting the pairs of args
// (field, value, ...), so that setting them reallocates it at most once.
func (h *hashValue) reserve(args [][]byte) {
	if h.m != nil || len(args) < 4 {
		return
	}
	n := 0
	for i := 0; i+1 < len(args); i += 2 {
		n += listpack.EncodedLen(args[i+1])
		if off := listpack.Find(h.lp, args[i], 2); off >= 0 {
			voff := listpack.Skip(h.lp, off)
			n -= listpack.Skip(h.lp, voff) - voff
		} else {
			n += listpack.EncodedLen(args[i])
		}
	}
	if n > 0 {
		h.lp = listpack.Grow(h.lp, n)
	}
}

// reuseBytes returns a copy of b, in old's array when it fits without
// wasting much.
func reuseBytes(old, b []byte) []byte {
	if cap(old) >= len(b) && cap(old) <= 2*len(b)+16 {
		return append(old[:0], b...)
	}
	return bytes.Clone(b)
}

// convert moves a listpack hash into a hash table.
func (h *hashValue) convert() {
	m := new(dict.Map[[]byte])
	h.forEach(func(p hashPair) bool {
		m.Add(p.field, bytes.Clone(p.value))
		return true
	})
	h.m, h.lp = m, nil
}

// del deletes field and reports whether it was there.
func (h *hashValue) del(field []byte) bool {
	if h.m != nil {
		return h.m.Delete(field) != nil
	}
	off := listpack.Find(h.lp, field, 2)
	if off >= 0 {
		end := listpack.Skip(h.lp, listpack.Skip(h.lp, off))
		h.lp = listpack.Splice(h.lp, off, end, nil, 0, 2)
	}
	return off >= 0
}

// hashPair is a field and its value.
type hashPair struct{ field, value []byte }

// pairBuf is room to format a listpack's integer field and value in.
type pairBuf [2][20]byte

// pairAt decodes the field and value at off in a listpack hash, formatting
// integers into buf, and returns the offset after them.
func (h *hashValue) pairAt(off int, buf *pairBuf) (hashPair, int) {
	f, off := listpack.Next(h.lp, off)
	v, off := listpack.Next(h.lp, off)
	return hashPair{entryText(f, buf[0][:]), entryText(v, buf[1][:])}, off
}

// forEach calls fn for every field until fn returns false, and reports
// whether it saw them all; a listpack is visited in insertion order. fn
// must not change h, and the pair it gets is valid only during the call.
func (h *hashValue) forEach(fn func(p hashPair) bool) bool {
	if h.m != nil {
		return h.m.ForEach(func(e *dict.Entry[[]byte]) bool {
			return fn(hashPair{stringBytes(e.Key), e.Value})
		})
	}
	var buf pairBuf
	for off := listpack.First(h.lp); off < len(h.lp); {
		var p hashPair
		p, off = h.pairAt(off, &buf)
		if !fn(p) {
			return false
		}
	}
	return true
}

// random returns a random field and its value, formatting a listpack's
// integers into buf; h must not be empty.
func (h *hashValue) random(buf *pairBuf) hashPair {
	if h.m != nil {
		e := h.m.Random()
		return hashPair{stringBytes(e.Key), e.Value}
	}
	off := listpack.First(h.lp)
	for range 2 * rand.IntN(h.Len()) {
		off = listpack.Skip(h.lp, off)
	}
	p, _ := h.pairAt(off, buf)
	return p
}

// scan continues a scan from cursor with dict.Map's guarantee and returns
// the next cursor; a listpack is visited whole, whatever the cursor, with
// next cursor 0, as Redis does. fn must not change h.
func (h *hashValue) scan(cursor uint64, count int, fn func(p hashPair)) uint64 {
	if h.m != nil {
		return h.m.Scan(cursor, count, func(e *dict.Entry[[]byte]) {
			fn(hashPair{stringBytes(e.Key), e.Value})
		})
	}
	h.forEach(func(p hashPair) bool { fn(p); return true })
	return 0
}
