package dict

// Map is a hash table from string keys to values of type V, with Dict's
// scan guarantee and random sampling but no locking, sharding or expiry: the
// building block for the members of hash, set and sorted-set values. The
// zero value is an empty Map ready to use. A Map is not safe for concurrent
// use; an Entry's address is stable until its key is deleted.
type Map[V any] struct{ t table[V] }

// Len returns the number of keys.
func (m *Map[V]) Len() int { return m.t.n }

// Find returns the entry for key, or nil.
func (m *Map[V]) Find(key []byte) *Entry[V] { return m.t.find(hashBytes(key), key) }

// Add inserts key, which must be absent, with value v and returns its entry.
// The key is copied.
func (m *Map[V]) Add(key []byte, v V) *Entry[V] {
	e := &Entry[V]{Key: string(key), Value: v}
	m.t.insert(hashBytes(key), e)
	return e
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
