package stream

import "slices"

// leafMax is how many keys one leaf of an index holds.
const leafMax = 128

// index is an ordered map from ID to V: a B-tree of two levels, a sorted
// directory of leaves, each leaf a sorted run of at most leafMax keys.
// Lookups are two binary searches; appending past the last key is O(1)
// amortized and fills leaves; an insertion or deletion elsewhere moves at
// most a leaf's keys plus, when a leaf splits or empties, the directory's
// pointers. The zero value is an empty index.
type index[V any] struct {
	leaves []*leaf[V] // sorted by first key; none empty
	n      int
}

type leaf[V any] struct {
	keys []ID
	vals []V
}

// cursor points at one key of an index, or nowhere (Valid false). A
// cursor stays valid until the index changes.
type cursor[V any] struct {
	ix   *index[V]
	l, i int
}

// Len returns the number of keys.
func (ix *index[V]) Len() int { return ix.n }

// leafFor returns the position of the leaf whose range holds id: the last
// leaf whose first key is <= id, or -1 when id is before every key.
func (ix *index[V]) leafFor(id ID) int {
	lo, hi := 0, len(ix.leaves)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if k := ix.leaves[m].keys[0]; k.Ms < id.Ms || k.Ms == id.Ms && k.Seq <= id.Seq {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// searchKeys returns the position of the first key >= id in sorted keys,
// and whether it is id (slices.BinarySearchFunc with ID.Compare, written
// out: the index's lookups spend their time here).
func searchKeys(keys []ID, id ID) (int, bool) {
	lo, hi := 0, len(keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if k := keys[m]; k.Ms < id.Ms || k.Ms == id.Ms && k.Seq < id.Seq {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(keys) && keys[lo] == id
}

// Get returns the value at id.
func (ix *index[V]) Get(id ID) (V, bool) {
	if p := ix.Ptr(id); p != nil {
		return *p, true
	}
	var zero V
	return zero, false
}

// Ptr returns where the value at id is stored, or nil. The pointer is
// valid until a key is added to or removed from the index.
func (ix *index[V]) Ptr(id ID) *V {
	li := ix.leafFor(id)
	if li < 0 {
		return nil
	}
	l := ix.leaves[li]
	i, found := searchKeys(l.keys, id)
	if !found {
		return nil
	}
	return &l.vals[i]
}

// Set stores v at id, replacing any value there, and returns where it is
// stored (see Ptr).
func (ix *index[V]) Set(id ID, v V) *V {
	if len(ix.leaves) == 0 {
		ix.leaves = append(ix.leaves, &leaf[V]{keys: []ID{id}, vals: []V{v}})
		ix.n++
		return &ix.leaves[0].vals[0]
	}
	li := max(ix.leafFor(id), 0)
	l := ix.leaves[li]
	i, found := searchKeys(l.keys, id)
	if found {
		l.vals[i] = v
		return &l.vals[i]
	}
	ix.n++
	if len(l.keys) < leafMax {
		l.keys = slices.Insert(l.keys, i, id)
		l.vals = slices.Insert(l.vals, i, v)
		return &l.vals[i]
	}
	if i == leafMax && li == len(ix.leaves)-1 {
		// Appending past the end: start a new leaf, keeping this one
		// full. The index is large and grows at its end, so the new leaf
		// is made to fill.
		nl := &leaf[V]{keys: make([]ID, 1, leafMax), vals: make([]V, 1, leafMax)}
		nl.keys[0], nl.vals[0] = id, v
		ix.leaves = append(ix.leaves, nl)
		return &nl.vals[0]
	}
	// Split the full leaf in halves, then insert into the right one.
	half := leafMax / 2
	right := &leaf[V]{keys: slices.Clone(l.keys[half:]), vals: slices.Clone(l.vals[half:])}
	clear(l.vals[half:])
	l.keys, l.vals = l.keys[:half], l.vals[:half]
	ix.leaves = slices.Insert(ix.leaves, li+1, right)
	if i > half {
		l, i = right, i-half
	}
	l.keys = slices.Insert(l.keys, i, id)
	l.vals = slices.Insert(l.vals, i, v)
	return &l.vals[i]
}

// Delete removes id and reports whether it was there.
func (ix *index[V]) Delete(id ID) bool {
	li := ix.leafFor(id)
	if li < 0 {
		return false
	}
	l := ix.leaves[li]
	i, found := searchKeys(l.keys, id)
	if !found {
		return false
	}
	ix.n--
	switch {
	case len(l.keys) == 1:
		ix.leaves = slices.Delete(ix.leaves, li, li+1)
	case i < len(l.keys)/2:
		// The keys before close the gap, being the fewer: the first key
		// goes without moving any, as when the index is consumed in
		// order (a PEL acknowledged, a stream trimmed). The leaf's array
		// keeps the slot until it is regrown or the leaf goes.
		copy(l.keys[1:i+1], l.keys[:i])
		copy(l.vals[1:i+1], l.vals[:i])
		var zero V
		l.vals[0] = zero
		l.keys, l.vals = l.keys[1:], l.vals[1:]
	default:
		l.keys = slices.Delete(l.keys, i, i+1)
		l.vals = slices.Delete(l.vals, i, i+1)
	}
	return true
}

// First returns a cursor at the smallest key.
func (ix *index[V]) First() cursor[V] { return cursor[V]{ix, 0, 0} }

// Last returns a cursor at the largest key.
func (ix *index[V]) Last() cursor[V] {
	if len(ix.leaves) == 0 {
		return cursor[V]{ix, 0, 0}
	}
	l := len(ix.leaves) - 1
	return cursor[V]{ix, l, len(ix.leaves[l].keys) - 1}
}

// SeekGE returns a cursor at the first key >= id.
func (ix *index[V]) SeekGE(id ID) cursor[V] {
	li := max(ix.leafFor(id), 0)
	if li >= len(ix.leaves) {
		return cursor[V]{ix, li, 0}
	}
	i, _ := searchKeys(ix.leaves[li].keys, id)
	c := cursor[V]{ix, li, i}
	if i == len(ix.leaves[li].keys) {
		c.l, c.i = li+1, 0
	}
	return c
}

// SeekLE returns a cursor at the last key <= id.
func (ix *index[V]) SeekLE(id ID) cursor[V] {
	li := ix.leafFor(id)
	if li < 0 {
		return cursor[V]{ix, len(ix.leaves), 0}
	}
	i, found := searchKeys(ix.leaves[li].keys, id)
	if !found {
		i-- // the leaf's first key is <= id, so i > 0
	}
	return cursor[V]{ix, li, i}
}

// Valid reports whether the cursor points at a key.
func (c *cursor[V]) Valid() bool {
	return c.l >= 0 && c.l < len(c.ix.leaves) && c.i >= 0 && c.i < len(c.ix.leaves[c.l].keys)
}

// Key and Value return what the cursor points at; it must be valid.
func (c *cursor[V]) Key() ID  { return c.ix.leaves[c.l].keys[c.i] }
func (c *cursor[V]) Value() V { return c.ix.leaves[c.l].vals[c.i] }

// Next moves to the next key.
func (c *cursor[V]) Next() {
	c.i++
	if c.l < len(c.ix.leaves) && c.i >= len(c.ix.leaves[c.l].keys) {
		c.l, c.i = c.l+1, 0
	}
}

// Prev moves to the previous key.
func (c *cursor[V]) Prev() {
	c.i--
	if c.i < 0 {
		c.l--
		if c.l >= 0 {
			c.i = len(c.ix.leaves[c.l].keys) - 1
		}
	}
}

// clone returns a copy of the index whose values are copied with cp, or
// as they are when cp is nil.
func (ix *index[V]) clone(cp func(V) V) index[V] {
	out := index[V]{n: ix.n, leaves: make([]*leaf[V], len(ix.leaves))}
	for i, l := range ix.leaves {
		nl := &leaf[V]{keys: slices.Clone(l.keys), vals: slices.Clone(l.vals)}
		if cp != nil {
			for j, v := range nl.vals {
				nl.vals[j] = cp(v)
			}
		}
		out.leaves[i] = nl
	}
	return out
}

// memory estimates the bytes the index's own structure takes, given the
// size of one value slot: the directory, each leaf's header and each
// entry's key and value (the leaves' spare capacity is not counted). It
// takes constant time, as the memory accounting measures a stream after
// every write.
func (ix *index[V]) memory(slot int) int {
	return cap(ix.leaves)*8 + len(ix.leaves)*48 + ix.n*(16+slot)
}
