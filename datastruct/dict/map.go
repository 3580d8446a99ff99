package dict

// Map is a hash table from string keys to values of type V, with Dict's
// scan guarantee and random sampling but no locking, sharding or expiry: the
// building block for the members of hash, set and sorted-set values. The
// zero value is an empty Map ready to use. A Map is not safe for concurrent
// use; an Entry's address is stable until its key is deleted.
//
// A Map keeps the low 32 bits of each key's hash in its entry's Meta
// (which its users must leave alone): a lookup compares the key only of
// the entries whose bits match, where comparing every key of a chain
// would read each one's bytes, a cache miss apiece in a large map.
type Map[V any] struct{ t table[V] }

// Len returns the number of keys.
func (m *Map[V]) Len() int { return m.t.n }

// Find returns the entry for key, or nil.
func (m *Map[V]) Find(key []byte) *Entry[V] { return m.find(hashBytes(key), key) }

// find returns the entry for key, whose hash is h, or nil.
func (m *Map[V]) find(h uint64, key []byte) *Entry[V] {
	if m.t.n == 0 {
		return nil
	}
	for e := m.t.buckets[h>>m.t.shift]; e != nil; e = e.next {
		if e.Meta == uint32(h) && e.Key == string(key) {
			return e
		}
	}
	return nil
}

// Add inserts key, which must be absent, with value v and returns its entry.
// The key is copied.
func (m *Map[V]) Add(key []byte, v V) *Entry[V] { return m.add(hashBytes(key), key, v) }

// add inserts key, whose hash is h, with value v.
func (m *Map[V]) add(h uint64, key []byte, v V) *Entry[V] {
	e := &Entry[V]{Key: string(key), Value: v, Meta: uint32(h)}
	m.t.insert(h, e)
	return e
}

// Insert adds key with value v if it is absent, hashing it once, and
// reports whether it did; it returns key's entry, new or not.
func (m *Map[V]) Insert(key []byte, v V) (*Entry[V], bool) {
	h := hashBytes(key)
	if e := m.find(h, key); e != nil {
		return e, false
	}
	return m.add(h, key, v), true
}

// Delete removes key and returns its entry, or nil if it was absent.
func (m *Map[V]) Delete(key []byte) *Entry[V] { return m.t.remove(hashBytes(key), key) }

// Scan continues a scan from cursor (0 starts one), calling fn for every
// entry of one bucket after another until at least count entries were
// visited, and returns the cursor to continue from, 0 when the scan is
// complete. Every key present for a whole scan is visited at least once,
// however the map grows or shrinks between calls. fn must not add or delete
// keys.
func (m *Map[V]) Scan(cursor uint64, count int, fn func(e *Entry[V])) uint64 {
	pos := cursor << cursorShift
	visited := 0
	for {
		var n int
		pos, n = m.t.scan(pos, fn)
		visited += n
		if pos == 0 || visited >= count {
			return pos >> cursorShift
		}
	}
}

// Random returns a random entry, or nil if the map is empty.
func (m *Map[V]) Random() *Entry[V] { return m.t.random() }

// ForEach calls fn for every entry until fn returns false, and reports
// whether it saw them all. fn must not add or delete keys.
func (m *Map[V]) ForEach(fn func(e *Entry[V]) bool) bool { return m.t.forEach(fn) }
