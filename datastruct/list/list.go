// Package list implements the deque behind Redis lists: a doubly linked list
// of chunks, each a small array of up to chunkMax elements. Pushes and pops
// at either end are O(1); reaching element i walks chunk by chunk from the
// nearer end, so the ends are cheap and the middle costs O(n/chunkMax).
package list

import "unsafe"

// Chunk sizes: a list starts with a chunk of chunkMin slots that doubles
// as it fills, so a small list pays for little; once a list needs a second
// chunk, new chunks get chunkMax slots at once.
const (
	chunkMin = 4
	chunkMax = 128
)

// A chunk holds the elements buf[lo:hi]; the other slots are "" so that the
// strings they held can be collected.
type chunk struct {
	buf        []string
	lo, hi     int
	prev, next *chunk
}

func (c *chunk) len() int { return c.hi - c.lo }

// List is a deque of strings. The zero value is an empty list ready to use.
// A List is not safe for concurrent use. Elements are immutable strings, so
// callers may keep what a method returns for as long as they like.
type List struct {
	head, tail *chunk
	n          int
}

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// PushFront inserts v before the first element.
func (l *List) PushFront(v string) {
	c := l.head
	if c == nil || !c.makeRoom(true) {
		c = l.newChunk()
		c.lo, c.hi = len(c.buf), len(c.buf)
		c.next = l.head
		if l.head != nil {
			l.head.prev = c
		} else {
			l.tail = c
		}
		l.head = c
	}
	c.lo--
	c.buf[c.lo] = v
	l.n++
}

// PushBack appends v after the last element.
func (l *List) PushBack(v string) {
	c := l.tail
	if c == nil || !c.makeRoom(false) {
		c = l.newChunk()
		c.prev = l.tail
		if l.tail != nil {
			l.tail.next = c
		} else {
			l.head = c
		}
		l.tail = c
	}
	c.buf[c.hi] = v
	c.hi++
	l.n++
}

// newChunk returns an empty, unlinked chunk: a small one for a list that
// has none yet, a full-sized one for a list that already filled one.
func (l *List) newChunk() *chunk {
	size := chunkMin
	if l.head != nil {
		size = chunkMax
	}
	return &chunk{buf: make([]string, size)}
}

// makeRoom makes sure c has a free slot before its first element (front) or
// after its last, moving its elements or growing its array; it reports false
// when c is full at chunkMax.
func (c *chunk) makeRoom(front bool) bool {
	if front && c.lo > 0 || !front && c.hi < len(c.buf) {
		return true
	}
	n, size := c.len(), len(c.buf)
	if n == chunkMax {
		return false
	}
	if 2*n > size && size < chunkMax {
		size = min(2*size, chunkMax)
	}
	// Split the free slots between both ends, so that a chunk pushed from
	// both sides does not move its elements on every push.
	free := size - n
	lo := free / 2
	if front {
		lo = (free + 1) / 2
	}
	if size == len(c.buf) {
		copy(c.buf[lo:], c.buf[c.lo:c.hi])
		clear(c.buf[:lo])
		clear(c.buf[lo+n:])
	} else {
		buf := make([]string, size)
		copy(buf[lo:], c.buf[c.lo:c.hi])
		c.buf = buf
	}
	c.lo, c.hi = lo, lo+n
	return true
}

// PopFront removes and returns the first element. The list must not be empty.
func (l *List) PopFront() string {
	v := l.head.buf[l.head.lo]
	l.dropFront(1)
	return v
}

// PopBack removes and returns the last element. The list must not be empty.
func (l *List) PopBack() string {
	v := l.tail.buf[l.tail.hi-1]
	l.dropBack(1)
	return v
}

// dropFront removes the first k elements; k must be at most Len.
func (l *List) dropFront(k int) {
	for k > 0 {
		c := l.head
		if n := c.len(); k >= n {
			l.unlink(c)
			l.n -= n
			k -= n
			continue
		}
		clear(c.buf[c.lo : c.lo+k])
		c.lo += k
		l.n -= k
		return
	}
}

// dropBack removes the last k elements; k must be at most Len.
func (l *List) dropBack(k int) {
	for k > 0 {
		c := l.tail
		if n := c.len(); k >= n {
			l.unlink(c)
			l.n -= n
			k -= n
			continue
		}
		clear(c.buf[c.hi-k : c.hi])
		c.hi -= k
		l.n -= k
		return
	}
}

// unlink removes chunk c from the chain; it does not change l.n.
func (l *List) unlink(c *chunk) {
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		l.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		l.tail = c.prev
	}
	c.prev, c.next = nil, nil
}

// Trim keeps only the elements start to stop, both included; it panics
// unless 0 <= start <= stop < Len.
func (l *List) Trim(start, stop int) {
	if start < 0 || start > stop || stop >= l.n {
		panic("list: Trim out of range")
	}
	l.dropBack(l.n - 1 - stop)
	l.dropFront(start)
}

// locate returns the chunk holding element i and i's slot in it, walking
// from the nearer end. It panics unless 0 <= i < Len.
func (l *List) locate(i int) (*chunk, int) {
	if i < 0 || i >= l.n {
		panic("list: index out of range")
	}
	if i < l.n/2 {
		c := l.head
		for i >= c.len() {
			i -= c.len()
			c = c.next
		}
		return c, c.lo + i
	}
	c, back := l.tail, l.n-1-i // back: i's position counted from the end
	for back >= c.len() {
		back -= c.len()
		c = c.prev
	}
	return c, c.hi - 1 - back
}

// Index returns element i, counted from 0 at the front. It panics unless
// 0 <= i < Len.
func (l *List) Index(i int) string {
	c, p := l.locate(i)
	return c.buf[p]
}

// Set replaces element i with v. It panics unless 0 <= i < Len.
func (l *List) Set(i int, v string) {
	c, p := l.locate(i)
	c.buf[p] = v
}

// Insert inserts v so that it becomes element i, moving the elements from i
// on one place back. It panics unless 0 <= i <= Len.
func (l *List) Insert(i int, v string) {
	switch {
	case i == 0:
		l.PushFront(v)
		return
	case i == l.n:
		l.PushBack(v)
		return
	}
	c, p := l.locate(i)
	off := p - c.lo
	if c.len() == chunkMax {
		d := l.split(c)
		if off >= c.len() {
			off -= c.len()
			c = d
		}
	}
	if c.lo == 0 && c.hi == len(c.buf) {
		c.makeRoom(false) // grows c: it is full but below chunkMax
	}
	p = c.lo + off
	if c.hi < len(c.buf) {
		copy(c.buf[p+1:c.hi+1], c.buf[p:c.hi])
		c.hi++
		c.buf[p] = v
	} else {
		copy(c.buf[c.lo-1:p-1], c.buf[c.lo:p])
		c.lo--
		c.buf[p-1] = v
	}
	l.n++
}

// split moves the second half of c's elements to a new chunk linked after
// c, and returns it.
func (l *List) split(c *chunk) *chunk {
	half := c.len() / 2
	d := &chunk{buf: make([]string, chunkMax), prev: c, next: c.next}
	d.hi = copy(d.buf, c.buf[c.lo+half:c.hi])
	clear(c.buf[c.lo+half : c.hi])
	c.hi = c.lo + half
	if c.next != nil {
		c.next.prev = d
	} else {
		l.tail = d
	}
	c.next = d
	return d
}

// Remove deletes elements equal to v and returns how many it deleted: the
// first count from the front if count > 0, the last -count from the back if
// count < 0, every one if count is 0. It runs in O(Len) and leaves every
// chunk but the last as full as it was.
func (l *List) Remove(count int, v string) int {
	if l.n == 0 {
		return 0
	}
	skip, limit := 0, count // keep the first skip matches, then delete up to limit
	switch {
	case count == 0:
		limit = l.n
	case count < 0:
		limit = -count
		matches := 0
		for c := l.head; c != nil; c = c.next {
			for _, e := range c.buf[c.lo:c.hi] {
				if e == v {
					matches++
				}
			}
		}
		skip = max(matches-limit, 0)
	}
	// Compact in place: the write position (w, wi) walks the same slots as
	// the read position and never passes it.
	removed := 0
	w, wi := l.head, l.head.lo
	for c := l.head; c != nil; c = c.next {
		for _, e := range c.buf[c.lo:c.hi] {
			if e == v && removed < limit {
				if skip == 0 {
					removed++
					continue
				}
				skip--
			}
			if wi == w.hi {
				w = w.next
				wi = w.lo
			}
			w.buf[wi] = e
			wi++
		}
	}
	if removed == 0 {
		return 0
	}
	clear(w.buf[wi:w.hi])
	w.hi = wi
	w.next, l.tail = nil, w
	if w.len() == 0 { // only the head can end up empty: nothing was kept
		l.head, l.tail = nil, nil
	}
	l.n -= removed
	return removed
}

// Cursor is a position in a List, moved one element at a time. A cursor is
// invalidated by any change to its list.
type Cursor struct {
	c *chunk
	i int
}

// Seek returns a cursor at element i. It panics unless 0 <= i < Len.
func (l *List) Seek(i int) Cursor {
	c, p := l.locate(i)
	return Cursor{c, p}
}

// Valid reports whether the cursor is at an element, false once it has
// moved past either end.
func (cur *Cursor) Valid() bool { return cur.c != nil }

// Value returns the element at the cursor, which must be valid.
func (cur *Cursor) Value() string { return cur.c.buf[cur.i] }

// Next moves the cursor to the next element, toward the back.
func (cur *Cursor) Next() {
	cur.i++
	if cur.i == cur.c.hi {
		cur.c = cur.c.next
		if cur.c != nil {
			cur.i = cur.c.lo
		}
	}
}

// Prev moves the cursor to the previous element, toward the front.
func (cur *Cursor) Prev() {
	if cur.i > cur.c.lo {
		cur.i--
		return
	}
	cur.c = cur.c.prev
	if cur.c != nil {
		cur.i = cur.c.hi - 1
	}
}

// Clone returns a copy of l that shares no chunks with it.
func (l *List) Clone() *List {
	out := &List{}
	for c := l.head; c != nil; c = c.next {
		d := &chunk{buf: make([]string, len(c.buf)), lo: c.lo, hi: c.hi, prev: out.tail}
		copy(d.buf[c.lo:c.hi], c.buf[c.lo:c.hi])
		if out.tail != nil {
			out.tail.next = d
		} else {
			out.head = d
		}
		out.tail = d
	}
	out.n = l.n
	return out
}

// Sizes used by MemoryUsage.
const (
	listSize  = int64(unsafe.Sizeof(List{}))
	chunkSize = int64(unsafe.Sizeof(chunk{}))
	slotSize  = int64(unsafe.Sizeof(""))
)

// MemoryUsage estimates the bytes l holds: its chunks with their slots, and
// its elements' bytes, measured on the first samples elements and
// extrapolated to the rest. samples must be at least 1. It costs O(samples):
// the end chunks are measured, the ones between counted as full (the
// keyspace's accounting calls it after every write to the list).
func (l *List) MemoryUsage(samples int) int64 {
	n := listSize
	if l.head == nil {
		return n
	}
	n += chunkSize + slotSize*int64(len(l.head.buf))
	if l.tail != l.head {
		n += chunkSize + slotSize*int64(len(l.tail.buf))
		middle := int64(l.n - l.head.len() - l.tail.len())
		n += (middle + chunkMax - 1) / chunkMax * (chunkSize + slotSize*chunkMax)
	}
	seen, bytes := 0, int64(0)
	for c := l.head; c != nil && seen < samples; c = c.next {
		for _, v := range c.buf[c.lo : c.lo+min(c.len(), samples-seen)] {
			bytes += int64(len(v))
			seen++
		}
	}
	return n + bytes*int64(l.n)/int64(seen)
}
