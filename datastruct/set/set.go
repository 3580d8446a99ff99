// Package set holds the value of a Redis set: a sorted slice of integers
// (Redis's "intset") while every member is a small integer and the set is
// small, a dict.Map of members after that.
package set

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"unsafe"

	"myredis/datastruct/compact"
	"myredis/datastruct/dict"
)

// DefaultMaxIntset is Redis's default set-max-intset-entries.
const DefaultMaxIntset = 512

// Set is a set of byte strings. It starts as an intset: members are kept
// sorted in one byte slice of 16, 32 or 64-bit integers (as Redis's
// intset) as long as each is the canonical text of an int64 and there are
// at most maxIntset of them (Add's argument). Adding any other member, or
// one more, converts it to a hash table for good, as Redis does. The zero
// value is an empty intset ready to use. A Set is not safe for concurrent
// use.
//
// Members handed to callbacks or returned are read-only. A member of a hash
// table set stays valid for ever (it is the immutable key); a member of an
// intset is formatted into a buffer and is valid only as long as documented
// by each method.
type Set struct {
	v compact.Value[dict.Map[struct{}]] // the intset, or the hash table
}

// table returns the hash table, nil while s is an intset.
func (s *Set) table() *dict.Map[struct{}] { return s.v.Big() }

// ints returns the intset (nil, empty, once s is a hash table).
func (s *Set) ints() intset { return s.v.Bytes() }

// Len returns the number of members.
func (s *Set) Len() int {
	if s.table() != nil {
		return s.table().Len()
	}
	return s.ints().len()
}

// IsIntset reports whether s is still encoded as an intset.
func (s *Set) IsIntset() bool { return s.table() == nil }

// Add adds member (copying it) and reports whether it was absent. An
// intset that would hold more than maxIntset members, or outgrow
// compact.MaxBytes, converts.
func (s *Set) Add(member []byte, maxIntset int) bool {
	if s.table() == nil {
		if n, ok := parseInt(member); ok && 4*len(s.ints())+16 <= compact.MaxBytes { // widening may quadruple it
			i, found := s.ints().search(n)
			if found {
				return false
			}
			s.v.SetBytes(s.ints().insert(i, n))
			if s.ints().len() > maxIntset {
				s.convert()
			}
			return true
		}
		s.convert()
	}
	_, added := s.table().Insert(member, struct{}{})
	return added
}

// Reserve makes room in an intset for adding members, so that adding them
// reallocates it at most once. It does nothing for a hash table set, or
// when adding them will convert the set (a member is not an integer, or
// there would be more than maxIntset).
func (s *Set) Reserve(members [][]byte, maxIntset int) {
	if s.table() != nil || len(members) < 2 {
		return
	}
	w, absent := s.ints().width(), 0
	for _, m := range members {
		n, ok := parseInt(m)
		if !ok {
			return
		}
		w = max(w, widthOf(n))
		if _, found := s.ints().search(n); !found {
			absent++
		}
	}
	if s.ints().len()+absent > maxIntset {
		return
	}
	cur := s.ints()
	if need := 1 + (cur.len()+absent)*w; need > cap(cur) && (w == cur.width() || cur.len() == 0) && need <= compact.MaxBytes {
		r := append(allocIntset(need)[:0], cur...)
		if len(r) == 0 {
			r = append(r, byte(w)) // empty, w wide
		}
		s.v.SetBytes(r)
	}
}

// convert moves the members of an intset into a hash table.
func (s *Set) convert() {
	m, ints := new(dict.Map[struct{}]), s.ints()
	var buf [20]byte
	for i := range ints.len() {
		m.Add(strconv.AppendInt(buf[:0], ints.at(i), 10), struct{}{})
	}
	s.v.SetBig(m)
}

// Remove deletes member and reports whether it was present.
func (s *Set) Remove(member []byte) bool {
	if s.table() != nil {
		return s.table().Delete(member) != nil
	}
	i, ok := s.index(member)
	if ok {
		s.v.SetBytes(s.ints().delete(i))
	}
	return ok
}

// index returns the position of member in the intset, and whether it is there.
func (s *Set) index(member []byte) (int, bool) {
	n, ok := parseInt(member)
	if !ok {
		return 0, false
	}
	return s.ints().search(n)
}

// Contains reports whether member is in s.
func (s *Set) Contains(member []byte) bool {
	if s.table() != nil {
		return s.table().Find(member) != nil
	}
	_, ok := s.index(member)
	return ok
}

// ForEach calls fn for every member until fn returns false, and reports
// whether it saw them all. An intset is visited in increasing order. The
// member is valid only during the call; fn must not change s.
func (s *Set) ForEach(fn func(member []byte) bool) bool {
	if s.table() != nil {
		return s.table().ForEach(func(e *dict.Entry[struct{}]) bool { return fn(keyBytes(e.Key)) })
	}
	var buf [20]byte
	for i := range s.ints().len() {
		if !fn(strconv.AppendInt(buf[:0], s.ints().at(i), 10)) {
			return false
		}
	}
	return true
}

// Scan continues a scan from cursor (0 starts one) with dict.Map's
// guarantee, calling fn for at least count members when there are that many
// left, and returns the cursor to continue from, 0 at the end. An intset is
// visited whole in one call, whatever the cursor, as Redis does. The member
// is valid only during the call; fn must not change s.
func (s *Set) Scan(cursor uint64, count int, fn func(member []byte)) uint64 {
	if s.table() != nil {
		return s.table().Scan(cursor, count, func(e *dict.Entry[struct{}]) { fn(keyBytes(e.Key)) })
	}
	s.ForEach(func(m []byte) bool { fn(m); return true })
	return 0
}

// Random appends a random member of s to buf[:0] or returns it from s's own
// storage; either way the result is valid until buf or s is next changed.
// It returns nil if s is empty.
func (s *Set) Random(buf []byte) []byte {
	if s.table() != nil {
		if e := s.table().Random(); e != nil {
			return keyBytes(e.Key)
		}
		return nil
	}
	if s.ints().len() == 0 {
		return nil
	}
	return strconv.AppendInt(buf[:0], s.ints().at(rand.IntN(s.ints().len())), 10)
}

// Pop removes a random member and returns it, appended to buf[:0] or as it
// was stored; the result stays valid until buf is next changed. It returns
// nil if s is empty.
func (s *Set) Pop(buf []byte) []byte {
	m := s.Random(buf)
	if m != nil {
		s.Remove(m)
	}
	return m
}

// Clone returns a deep copy of s, in the same encoding.
func (s *Set) Clone() Set {
	if s.table() == nil {
		var c Set
		c.v.SetBytes(bytes.Clone(s.ints()))
		return c
	}
	var c Set
	m := new(dict.Map[struct{}])
	c.v.SetBig(m)
	s.table().ForEach(func(e *dict.Entry[struct{}]) bool {
		m.Add(keyBytes(e.Key), struct{}{})
		return true
	})
	return c
}

// Sizes used by MemoryUsage: a hash table member costs its entry, its bytes
// and, on average, one bucket pointer (the load factor is at most one).
const entrySize = int64(unsafe.Sizeof(dict.Entry[struct{}]{})) + 8

// MemoryUsage estimates the bytes s holds besides its own 16 bytes, which
// are its owner's to count (a key's entry holds them). A hash table set
// measures at most samples members (at least 1) and extrapolates.
func (s *Set) MemoryUsage(samples int) int64 {
	if s.table() == nil {
		return int64(cap(s.ints()))
	}
	var seen, bytes int64
	s.table().ForEach(func(e *dict.Entry[struct{}]) bool {
		seen++
		bytes += entrySize + int64(len(e.Key))
		return seen < int64(samples)
	})
	if seen == 0 {
		return 0
	}
	return bytes * int64(s.table().Len()) / seen
}

// keyBytes returns the bytes of a map key without copying them. The key is
// immutable, so the slice must not be written to. It is never nil, not even
// for the empty member: nil means "no member" to Random and Pop.
func keyBytes(k string) []byte {
	if k == "" {
		return []byte{}
	}
	return unsafe.Slice(unsafe.StringData(k), len(k))
}

// parseInt parses b when it is the canonical decimal text of an int64 (no
// sign but a leading '-', no leading zeros, no spaces), the members an
// intset may hold.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 || digits[0] == '0' && (len(digits) > 1 || neg) {
		return 0, false
	}
	var v uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
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
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
