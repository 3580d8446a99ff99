package db

import (
	"bytes"
	"math/rand/v2"
	"unsafe"

	"myredis/datastruct/compact"
	"myredis/datastruct/dict"
	"myredis/datastruct/listpack"
	"myredis/resp"
)

// hashValue is a hash key's value. While small it is a listpack of fields
// and values in insertion order, as in Redis; a hash with more fields than
// hash-max-listpack-entries, or that was ever given a field or value
// longer than hash-max-listpack-value bytes, becomes a dict.Map for good.
// Fields and values handed out are read-only and valid until the hash is
// next changed.
//
// The listpack (field, value, field, value, ...) or the table is held in a
// compact.Value, 16 bytes; a key holds it inline in its entry (see Value),
// so a hashValue the commands get is a view of the key's value.
type hashValue struct {
	v compact.Value[dict.Map[[]byte]]
}

// table returns the hash table, nil while h is a listpack.
func (h *hashValue) table() *dict.Map[[]byte] { return h.v.Big() }

// lp returns the listpack; nil (empty) once h is a hash table.
func (h *hashValue) lp() []byte { return h.v.Bytes() }

// Kind returns KindHash.
func (*hashValue) Kind() Kind { return KindHash }

// Copy returns a deep copy in the same encoding.
func (h *hashValue) Copy() any {
	c := &hashValue{}
	m := h.table()
	if m == nil {
		c.v.SetBytes(bytes.Clone(h.lp()))
		return c
	}
	cm := new(dict.Map[[]byte])
	m.ForEach(func(e *dict.Entry[[]byte]) bool {
		cm.Add(stringBytes(e.Key), bytes.Clone(e.Value))
		return true
	})
	c.v.SetBig(cm)
	return c
}

// Encoding returns "listpack" or "hashtable", as Redis 7.0 reports them.
func (h *hashValue) Encoding() string {
	if h.table() == nil {
		return "listpack"
	}
	return "hashtable"
}

// hashEntrySize is what a hash table field costs besides its bytes: the
// entry (with the value's slice header), rounded to its size class, and,
// on average, one bucket pointer.
var hashEntrySize = allocSize(int64(unsafe.Sizeof(dict.Entry[[]byte]{}))) + bucketSlot

// MemoryUsage estimates the bytes h holds besides itself (held inline in
// its key's entry); a hash table measures at most samples fields and
// extrapolates.
func (h *hashValue) MemoryUsage(samples int) int64 {
	m := h.table()
	if m == nil {
		return int64(cap(h.lp()))
	}
	var n, seen, size int64
	m.ForEach(func(e *dict.Entry[[]byte]) bool {
		seen++
		size += hashEntrySize + int64(len(e.Key)+cap(e.Value))
		return seen < int64(samples)
	})
	if seen > 0 {
		n += size * int64(m.Len()) / seen
	}
	return n
}

// Len returns the number of fields.
func (h *hashValue) Len() int {
	if m := h.table(); m != nil {
		return m.Len()
	}
	return listpack.Len(h.lp()) / 2
}

// get returns the value of field and whether it is there. A listpack's
// integer value is formatted into buf's array (appended to buf[:0]): with
// room for 20 bytes, get allocates nothing.
func (h *hashValue) get(field, buf []byte) ([]byte, bool) {
	v, _, found := h.lookup(field, buf)
	return v, found
}

// lookup is get that also returns the slot of the value, for setAt: its
// offset in a listpack, -1 in a hash table or when field is missing.
func (h *hashValue) lookup(field, buf []byte) (value []byte, slot int, found bool) {
	if m := h.table(); m != nil {
		if e := m.Find(field); e != nil {
			return e.Value, -1, true
		}
		return nil, -1, false
	}
	lp := h.lp()
	off := listpack.Find(lp, field, 2)
	if off < 0 {
		return nil, -1, false
	}
	slot = listpack.Skip(lp, off)
	value, _ = listpack.Text(lp, slot, buf)
	return value, slot, true
}

// setAt sets field, at slot (from lookup, and h unchanged since), to a
// copy of value, as set does, but without looking field up again when it
// can.
func (h *hashValue) setAt(slot int, field, value []byte, lim *EncodingLimits) {
	lp := h.lp()
	if slot < 0 || len(field) > lim.HashValue || len(value) > lim.HashValue || len(lp)+len(value)+20 > compact.MaxBytes {
		h.set(field, value, lim)
		return
	}
	h.replaceAt(slot, value)
}

// replaceAt makes value the listpack's entry at offset slot, a field's
// value.
func (h *hashValue) replaceAt(slot int, value []byte) {
	var buf [80]byte
	lp := h.lp()
	h.v.SetBytes(listpack.Splice(lp, slot, listpack.Skip(lp, slot), listpack.AppendString(buf[:0], value), 1, 1))
}

// set sets field to a copy of value and reports whether the field is new,
// converting h to a hash table when it outgrows lim.
func (h *hashValue) set(field, value []byte, lim *EncodingLimits) bool {
	if h.table() == nil && (len(field) > lim.HashValue || len(value) > lim.HashValue ||
		len(h.lp())+len(field)+len(value)+20 > compact.MaxBytes) {
		h.convert()
	}
	if m := h.table(); m != nil {
		if e := m.Find(field); e != nil {
			e.Value = reuseBytes(e.Value, value)
			return false
		}
		m.Add(field, bytes.Clone(value))
		return true
	}
	var buf [160]byte
	lp := h.lp()
	if off := listpack.Find(lp, field, 2); off >= 0 {
		h.replaceAt(listpack.Skip(lp, off), value)
		return false
	}
	enc := listpack.AppendString(listpack.AppendString(buf[:0], field), value)
	h.v.SetBytes(listpack.Splice(lp, len(lp), len(lp), enc, 2, 0))
	if h.Len() > lim.HashEntries {
		h.convert()
	}
	return true
}

// reserve makes room in a listpack hash for setting the pairs of args
// (field, value, ...), so that setting them reallocates it at most once;
// not when they will convert it.
func (h *hashValue) reserve(args [][]byte, lim *EncodingLimits) {
	lp := h.lp()
	if h.table() != nil || len(args) < 4 {
		return
	}
	n, added := 0, 0
	for i := 0; i+1 < len(args); i += 2 {
		if len(args[i]) > lim.HashValue || len(args[i+1]) > lim.HashValue {
			return
		}
		n += listpack.EncodedLen(args[i+1])
		if off := listpack.Find(lp, args[i], 2); off >= 0 {
			voff := listpack.Skip(lp, off)
			n -= listpack.Skip(lp, voff) - voff
		} else {
			n += listpack.EncodedLen(args[i])
			added++
		}
	}
	if n > 0 && h.Len()+added <= lim.HashEntries && len(lp)+n <= compact.MaxBytes {
		h.v.SetBytes(listpack.Grow(lp, n))
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
	h.v.SetBig(m)
}

// del deletes field and reports whether it was there.
func (h *hashValue) del(field []byte) bool {
	if m := h.table(); m != nil {
		return m.Delete(field) != nil
	}
	lp := h.lp()
	off := listpack.Find(lp, field, 2)
	if off >= 0 {
		end := listpack.Skip(lp, listpack.Skip(lp, off))
		h.v.SetBytes(listpack.Splice(lp, off, end, nil, 0, 2))
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
	lp := h.lp()
	f, off := listpack.Text(lp, off, buf[0][:0])
	v, off := listpack.Text(lp, off, buf[1][:0])
	return hashPair{f, v}, off
}

// writeEntries writes h's fields, its values, or both (field, value,
// field, ...) as bulk strings; a listpack's in insertion order, allocating
// nothing.
func (h *hashValue) writeEntries(w *resp.Writer, fields, values bool) {
	if h.table() != nil {
		h.forEach(func(p hashPair) bool {
			if fields {
				w.WriteBulk(p.field)
			}
			if values {
				w.WriteBulk(p.value)
			}
			return true
		})
		return
	}
	var buf [20]byte
	lp := h.lp()
	for i, off := 0, listpack.First(lp); off < len(lp); i++ {
		if i%2 == 0 && !fields || i%2 == 1 && !values {
			off = listpack.Skip(lp, off)
			continue
		}
		var t []byte
		t, off = listpack.Text(lp, off, buf[:0])
		w.WriteBulk(t)
	}
}

// forEach calls fn for every field until fn returns false, and reports
// whether it saw them all; a listpack is visited in insertion order. fn
// must not change h, and the pair it gets is valid only during the call.
func (h *hashValue) forEach(fn func(p hashPair) bool) bool {
	if m := h.table(); m != nil {
		return m.ForEach(func(e *dict.Entry[[]byte]) bool {
			return fn(hashPair{stringBytes(e.Key), e.Value})
		})
	}
	var buf pairBuf
	for off, lp := listpack.First(h.lp()), h.lp(); off < len(lp); {
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
	if m := h.table(); m != nil {
		e := m.Random()
		return hashPair{stringBytes(e.Key), e.Value}
	}
	lp := h.lp()
	off := listpack.First(lp)
	for range 2 * rand.IntN(h.Len()) {
		off = listpack.Skip(lp, off)
	}
	p, _ := h.pairAt(off, buf)
	return p
}

// scan continues a scan from cursor with dict.Map's guarantee and returns
// the next cursor; a listpack is visited whole, whatever the cursor, with
// next cursor 0, as Redis does. fn must not change h.
func (h *hashValue) scan(cursor uint64, count int, fn func(p hashPair)) uint64 {
	if m := h.table(); m != nil {
		return m.Scan(cursor, count, func(e *dict.Entry[[]byte]) {
			fn(hashPair{stringBytes(e.Key), e.Value})
		})
	}
	h.forEach(func(p hashPair) bool { fn(p); return true })
	return 0
}
