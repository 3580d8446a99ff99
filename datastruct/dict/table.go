package dict

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
)

// seed keys every hash in the process. It is random per process, which is
// what resists hash flooding; it is shared by all Dicts so that SwapLocked
// can exchange contents without rehashing and so that a shard index computed
// before locking stays right even if SWAPDB runs before the lock is taken.
var seed = maphash.MakeSeed()

func hashBytes(key []byte) uint64  { return maphash.Bytes(seed, key) }
func hashString(key string) uint64 { return maphash.String(seed, key) }

// An Entry is one key in a Dict. Its address is stable until the key is
// deleted. Key must not be modified; Value may be changed in place while the
// key's shard is locked.
//
// An entry holds no deadline: a key's deadline lives in its shard's expiry
// index, which expIndex points into, so that only keys with a deadline pay
// for one. Without Value, an entry is 32 bytes (Key 16, next 8, expIndex and
// Meta 4 each): a 16-byte V makes it 48, one of the allocator's size classes.
type Entry[V any] struct {
	Key   string
	Value V

	next *Entry[V]
	// expIndex locates the key's deadline: 0 means none; otherwise the
	// top shardBits bits are the shard and the others 1 + the position in
	// that shard's expires (see expRef). Entries of a Map keep it 0.
	expIndex uint32

	// Meta is 32 bits the user may keep per key (an access clock and flags,
	// say); it fills what would otherwise be padding. It is zero in a new
	// entry.
	Meta uint32
}

// HasDeadline reports whether the key has a deadline (see
// Dict.ExpireAtLocked). A deleted entry has none. The caller must hold the
// key's shard lock.
func (e *Entry[V]) HasDeadline() bool { return e.expIndex != 0 }

// Deleted reports whether e was removed from its Dict by DeleteLocked (not
// by ClearLocked). A deleted entry never returns: a key added again gets a
// new entry. The caller must hold the key's shard lock.
func (e *Entry[V]) Deleted() bool { return e.next == e }

// minBuckets is the smallest bucket array a non-empty table keeps.
const minBuckets = 4

// A table is a chained hash table with a power-of-two number of buckets. It is
// not safe for concurrent use.
//
// The bucket of a hash is its top bits (h >> shift), so the low bits stay free
// for choosing the shard. Growing splits bucket i into the adjacent buckets 2i
// and 2i+1, and shrinking merges them back: a bucket always covers one
// contiguous range of hash values. Scanning in increasing hash order with a
// cursor that is a hash value is therefore safe across resizes. This is
// Redis's reverse-binary cursor with the bits already in scan order.
type table[V any] struct {
	buckets []*Entry[V]
	shift   uint8 // 64 - log2(len(buckets))
	n       int
}

// find returns the entry for key, whose hash is h, or nil.
func (t *table[V]) find(h uint64, key []byte) *Entry[V] {
	if t.n == 0 {
		return nil
	}
	for e := t.buckets[h>>t.shift]; e != nil; e = e.next {
		if e.Key == string(key) {
			return e
		}
	}
	return nil
}

// insert adds e, whose key hashes to h and must be absent, and grows the
// table when the load factor passes 1.
func (t *table[V]) insert(h uint64, e *Entry[V]) {
	if t.buckets == nil {
		t.resize(minBuckets)
	}
	b := &t.buckets[h>>t.shift]
	e.next = *b
	*b = e
	t.n++
	if t.n > len(t.buckets) {
		t.resize(2 * len(t.buckets))
	}
}

// remove unlinks and returns the entry for key, whose hash is h, or returns
// nil; the entry is marked deleted. It shrinks the table when the load factor falls under 1/8.
func (t *table[V]) remove(h uint64, key []byte) *Entry[V] {
	if t.n == 0 {
		return nil
	}
	for p := &t.buckets[h>>t.shift]; *p != nil; p = &(*p).next {
		e := *p
		if e.Key != string(key) {
			continue
		}
		*p = e.next
		e.next = e // marks it deleted
		t.n--
		if len(t.buckets) > minBuckets && t.n < len(t.buckets)/8 {
			t.resize(len(t.buckets) / 2)
		}
		return e
	}
	return nil
}

// resize moves every entry into a new array of size buckets (a power of two).
func (t *table[V]) resize(size int) {
	old := t.buckets
	t.buckets = make([]*Entry[V], size)
	t.shift = uint8(64 - bits.TrailingZeros(uint(size)))
	for _, e := range old {
		for e != nil {
			next := e.next
			b := &t.buckets[hashString(e.Key)>>t.shift]
			e.next = *b
			*b = e
			e = next
		}
	}
}

// scan calls fn for every entry of the bucket that holds hash value pos. It
// returns how many entries it visited and the first hash value of the next
// bucket, which is 0 after the last bucket (or for an empty table).
func (t *table[V]) scan(pos uint64, fn func(e *Entry[V])) (next uint64, visited int) {
	if t.buckets == nil {
		return 0, 0
	}
	i := pos >> t.shift
	for e := t.buckets[i]; e != nil; e = e.next {
		fn(e)
		visited++
	}
	// Shifting out the top bit makes this 0 after the last bucket.
	return (i + 1) << t.shift, visited
}

// random returns a random entry, or nil if the table is empty. Entries in
// short chains are somewhat more likely than entries in long ones.
func (t *table[V]) random() *Entry[V] {
	if t.n == 0 {
		return nil
	}
	// The load factor is at least 1/8, so this finds a non-empty bucket
	// after a few tries on average.
	var head *Entry[V]
	for head == nil {
		head = t.buckets[rand.IntN(len(t.buckets))]
	}
	chain := 0
	for e := head; e != nil; e = e.next {
		chain++
	}
	e := head
	for k := rand.IntN(chain); k > 0; k-- {
		e = e.next
	}
	return e
}

// sampleRun calls fn for up to n entries, walking the buckets from a random
// one onward (wrapping around), and returns how many it saw: fewer than n
// only when the table holds fewer. Neighbouring buckets share cache lines,
// so this costs less than a random bucket per entry.
func (t *table[V]) sampleRun(n int, fn func(e *Entry[V])) int {
	if t.n == 0 {
		return 0
	}
	mask := len(t.buckets) - 1
	first := rand.IntN(len(t.buckets))
	seen := 0
	for step := 0; step < len(t.buckets) && seen < n; step++ {
		for e := t.buckets[(first+step)&mask]; e != nil && seen < n; e = e.next {
			fn(e)
			seen++
		}
	}
	return seen
}

// forEach calls fn for every entry until fn returns false, and reports
// whether it saw them all.
func (t *table[V]) forEach(fn func(e *Entry[V]) bool) bool {
	for _, e := range t.buckets {
		for ; e != nil; e = e.next {
			if !fn(e) {
				return false
			}
		}
	}
	return true
}
