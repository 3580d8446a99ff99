// Package dict is the sharded concurrent hash table that holds one database
// of keys.
//
// A Dict is split into shards, each with its own mutex, hash table and index
// of the keys that carry an expiry deadline. Methods whose names end in Locked
// require the caller to hold the lock of the shard concerned; the others lock
// for themselves. Callers that lock several shards must lock them in
// ascending shard order (LockKeys and LockAll do), and, across Dicts, in an
// order of their choosing that every caller follows.
package dict

import (
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
)

// defaultShardBits gives New its 256 shards.
const defaultShardBits = 8

type shard[V any] struct {
	mu      sync.Mutex
	keys    table[V]
	expires []expiring[V] // the keys with a deadline, in no order

	// Copies of keys.n and len(expires), stored under mu and read without it
	// by Len and ExpiresLen.
	nkeys    atomic.Int64
	nexpires atomic.Int64

	_ [64]byte // keeps two shards' hot fields off one cache line
}

// expiring is one key of a shard's expiry index, with its deadline: the
// index, not the entry, holds deadlines, so a key without one pays nothing.
type expiring[V any] struct {
	e  *Entry[V]
	at int64 // unix ms, never 0
}

// A Dict maps string keys to values of type V. Its methods are safe for
// concurrent use as long as the lock rules in their comments are followed.
// The zero value is not usable; call New.
type Dict[V any] struct {
	shards []shard[V]
	mask   uint64 // len(shards) - 1
	// posBits is how many low bits of Entry.expIndex hold a position in
	// the expiry index: 32 minus the shard bits.
	posBits uint8
}

// New returns an empty Dict with 256 shards.
func New[V any]() *Dict[V] { return newDict[V](defaultShardBits) }

func newDict[V any](shardBits int) *Dict[V] {
	n := 1 << shardBits
	return &Dict[V]{shards: make([]shard[V], n), mask: uint64(n - 1), posBits: uint8(32 - shardBits)}
}

// ShardCount returns the number of shards, which never changes.
func (d *Dict[V]) ShardCount() int { return len(d.shards) }

// ShardOf returns the index of the shard that holds key. It needs no lock.
func (d *Dict[V]) ShardOf(key []byte) int { return int(hashBytes(key) & d.mask) }

// LockShard locks shard i.
func (d *Dict[V]) LockShard(i int) { d.shards[i].mu.Lock() }

// TryLockShard locks shard i if no one holds it and reports whether it
// did. It never waits, so a caller holding other shards may use it to take
// one out of ascending order without risking a deadlock.
func (d *Dict[V]) TryLockShard(i int) bool { return d.shards[i].mu.TryLock() }

// UnlockShard unlocks shard i.
func (d *Dict[V]) UnlockShard(i int) { d.shards[i].mu.Unlock() }

// LockKeys locks the shards of keys, each once, in ascending order, and
// returns their indexes for UnlockShards. The result is appended to buf[:0],
// so it does not allocate when buf has room for len(keys) indexes (a local
// [4]int array covers most commands); it lives as long as buf.
func (d *Dict[V]) LockKeys(keys [][]byte, buf []int) []int {
	shards := d.ShardsOf(keys, buf)
	for _, i := range shards {
		d.shards[i].mu.Lock()
	}
	return shards
}

// ShardsOf returns the shards of keys, each once, in ascending (locking)
// order, appended to buf[:0], without locking them.
func (d *Dict[V]) ShardsOf(keys [][]byte, buf []int) []int {
	shards := buf[:0]
	for _, k := range keys {
		shards = append(shards, d.ShardOf(k))
	}
	if len(shards) < 2 { // most commands: nothing to sort
		return shards
	}
	slices.Sort(shards)
	return slices.Compact(shards)
}

// UnlockShards unlocks the shards that LockKeys returned.
func (d *Dict[V]) UnlockShards(shards []int) {
	for _, i := range shards {
		d.shards[i].mu.Unlock()
	}
}

// LockAll locks every shard in ascending order.
func (d *Dict[V]) LockAll() {
	for i := range d.shards {
		d.shards[i].mu.Lock()
	}
}

// UnlockAll unlocks every shard.
func (d *Dict[V]) UnlockAll() {
	for i := range d.shards {
		d.shards[i].mu.Unlock()
	}
}

// FindLocked returns the entry for key, or nil if it is absent. It does not
// allocate or keep key. The caller must hold key's shard lock.
func (d *Dict[V]) FindLocked(key []byte) *Entry[V] {
	h := hashBytes(key)
	return d.shards[h&d.mask].keys.find(h, key)
}

// AddLocked adds key with value v and returns its new entry. The key is
// copied. key must be absent: this is not checked, and adding a present key
// leaves two entries for it. The caller must hold key's shard lock.
func (d *Dict[V]) AddLocked(key []byte, v V) *Entry[V] {
	h := hashBytes(key)
	s := &d.shards[h&d.mask]
	e := &Entry[V]{Key: string(key), Value: v}
	s.keys.insert(h, e)
	s.nkeys.Store(int64(s.keys.n))
	return e
}

// AddKeyLocked is AddLocked for a key the caller has already copied: the
// entry keeps key itself, whose bytes must never change.
func (d *Dict[V]) AddKeyLocked(key string, v V) *Entry[V] {
	h := hashString(key)
	s := &d.shards[h&d.mask]
	e := &Entry[V]{Key: key, Value: v}
	s.keys.insert(h, e)
	s.nkeys.Store(int64(s.keys.n))
	return e
}

// DeleteLocked removes key and its deadline and returns its former entry, or
// nil if it was absent. The entry keeps its Key and Value but no deadline,
// and it must not be passed to SetExpireLocked. The caller must hold key's
// shard lock.
func (d *Dict[V]) DeleteLocked(key []byte) *Entry[V] {
	h := hashBytes(key)
	s := &d.shards[h&d.mask]
	e := s.keys.remove(h, key)
	if e == nil {
		return nil
	}
	s.nkeys.Store(int64(s.keys.n))
	if e.expIndex != 0 {
		d.dropExpire(e)
	}
	return e
}

// ExpireAtLocked returns the deadline of e, an entry in d, in unix
// milliseconds, or 0 if it has none. The caller must hold the shard lock of
// e.Key.
func (d *Dict[V]) ExpireAtLocked(e *Entry[V]) int64 {
	if e.expIndex == 0 {
		return 0
	}
	return d.expiring(e).at
}

// expiring returns e's slot in the expiry index; e has a deadline.
func (d *Dict[V]) expiring(e *Entry[V]) *expiring[V] {
	s := &d.shards[uint64(e.expIndex)>>d.posBits]
	return &s.expires[uint64(e.expIndex)&(1<<d.posBits-1)-1]
}

// SetExpireLocked sets the deadline of e, an entry in d, to at (unix ms);
// at == 0 removes the deadline. The caller must hold the shard lock of e.Key.
func (d *Dict[V]) SetExpireLocked(e *Entry[V], at int64) {
	switch {
	case e.expIndex != 0 && at != 0:
		d.expiring(e).at = at
	case e.expIndex != 0:
		d.dropExpire(e)
	case at != 0:
		i := hashString(e.Key) & d.mask
		s := &d.shards[i]
		pos := uint64(len(s.expires)) + 1
		if pos >= 1<<d.posBits {
			panic("dict: too many keys with a deadline in one shard")
		}
		e.expIndex = uint32(i<<d.posBits | pos)
		s.expires = append(s.expires, expiring[V]{e, at})
		s.nexpires.Store(int64(len(s.expires)))
	}
}

// dropExpire removes e, which has a deadline, from the expiry index by
// moving the last indexed entry into its place.
func (d *Dict[V]) dropExpire(e *Entry[V]) {
	s := &d.shards[uint64(e.expIndex)>>d.posBits]
	slot := d.expiring(e)
	last := len(s.expires) - 1
	moved := s.expires[last]
	*slot = moved
	moved.e.expIndex = e.expIndex
	e.expIndex = 0
	s.expires[last] = expiring[V]{}
	s.expires = s.expires[:last]
	s.nexpires.Store(int64(last))
}

// SampleExpiresLocked calls fn for up to n keys of shard i that carry a
// deadline, drawn at random one at a time, so a key that fn leaves in place
// may come up more than once. fn may delete the entry it is given but must
// not add keys. The caller must hold shard i's lock.
func (d *Dict[V]) SampleExpiresLocked(i, n int, fn func(e *Entry[V])) {
	s := &d.shards[i]
	for ; n > 0 && len(s.expires) > 0; n-- {
		fn(s.expires[rand.IntN(len(s.expires))].e)
	}
}

// ForEachExpiringLocked calls fn for every key of shard i that carries a
// deadline. fn may delete the entry it is given (and only that one) but
// must not add keys. The caller must hold shard i's lock.
func (d *Dict[V]) ForEachExpiringLocked(i int, fn func(e *Entry[V])) {
	s := &d.shards[i]
	// Backwards: deleting expires[j] moves the last entry, already seen,
	// into its place.
	for j := len(s.expires) - 1; j >= 0; j-- {
		if j < len(s.expires) {
			fn(s.expires[j].e)
		}
	}
}

// ShardLenLocked returns the number of keys in shard i. The caller must hold
// shard i's lock.
func (d *Dict[V]) ShardLenLocked(i int) int { return d.shards[i].keys.n }

// ShardExpiresLocked returns the number of keys with a deadline in shard i.
// The caller must hold shard i's lock.
func (d *Dict[V]) ShardExpiresLocked(i int) int { return len(d.shards[i].expires) }

// ForEachLocked calls fn for every entry of shard i until fn returns false,
// and reports whether it saw them all. fn must not add or delete keys. The
// caller must hold shard i's lock.
func (d *Dict[V]) ForEachLocked(i int, fn func(e *Entry[V]) bool) bool {
	return d.shards[i].keys.forEach(fn)
}

// Len returns the number of keys, counting keys past their deadline that
// have not been deleted yet. It takes no lock; while other goroutines write,
// the result is a count that was true at some recent moment for each shard.
func (d *Dict[V]) Len() int {
	return d.sum(func(s *shard[V]) int64 { return s.nkeys.Load() })
}

// ExpiresLen returns the number of keys with a deadline, like Len.
func (d *Dict[V]) ExpiresLen() int {
	return d.sum(func(s *shard[V]) int64 { return s.nexpires.Load() })
}

func (d *Dict[V]) sum(count func(s *shard[V]) int64) int {
	var n int64
	for i := range d.shards {
		n += count(&d.shards[i])
	}
	return int(n)
}

// Scan continues a scan from cursor (0 starts one): it calls fn for every
// entry of one bucket after another, until it has visited at least count
// entries or the scan is complete, and returns the cursor to continue from,
// or 0 when the scan is complete. fn runs under the shard lock of its entry;
// it must not lock shards or add or delete keys.
//
// Every key present in d from the start of a full scan (cursor 0 back to 0)
// to its end is visited at least once, however the shards grow or shrink
// between calls; a key may be visited more than once. Any cursor value is
// accepted.
//
// The cursor's low bits are a shard index and its other bits a position in
// that shard's table (see table.scan), shifted right by cursorShift so that
// cursors stay below 2^48: clients that read cursors as signed 64-bit
// integers keep working. That leaves room for 2^40 buckets per shard.
func (d *Dict[V]) Scan(cursor uint64, count int, fn func(e *Entry[V])) uint64 {
	i, pos := cursor&d.mask, (cursor&^d.mask)<<cursorShift
	visited := 0
	for {
		s := &d.shards[i]
		s.mu.Lock()
		for {
			var n int
			pos, n = s.keys.scan(pos, fn)
			visited += n
			if pos == 0 || visited >= count {
				break
			}
		}
		s.mu.Unlock()
		if pos != 0 {
			return pos>>cursorShift | i
		}
		if i++; i == uint64(len(d.shards)) {
			return 0
		}
		if visited >= count {
			return i
		}
	}
}

// cursorShift drops the low bits of a scan position, always zero in tables of
// at most 2^40 buckets.
const cursorShift = 16

// Random calls fn, under the entry's shard lock, for a random entry and
// returns true; it returns false if d is empty. fn must not lock shards; it
// may delete the entry it is given. The shard is picked with a probability
// proportional to its size, then a random entry within it.
func (d *Dict[V]) Random(fn func(e *Entry[V])) bool {
	// Other goroutines may empty the chosen shard before it is locked: then
	// draw again.
	for {
		total := d.Len()
		if total == 0 {
			return false
		}
		r := int64(rand.IntN(total))
		for i := range d.shards {
			s := &d.shards[i]
			r -= s.nkeys.Load()
			if r >= 0 {
				continue
			}
			s.mu.Lock()
			e := s.keys.random()
			if e != nil {
				fn(e)
			}
			s.mu.Unlock()
			if e != nil {
				return true
			}
			break
		}
	}
}

// Clear removes every key. It locks all shards.
func (d *Dict[V]) Clear() {
	d.LockAll()
	defer d.UnlockAll()
	d.ClearLocked()
}

// ClearLocked removes every key; the caller holds every shard lock (see
// LockAll), so it can order the clearing with other work under those locks.
func (d *Dict[V]) ClearLocked() {
	for i := range d.shards {
		s := &d.shards[i]
		s.keys = table[V]{}
		s.expires = nil
		s.publish()
	}
}

// SwapLocked exchanges the contents of d and o, which must have the same
// number of shards. The caller must hold every shard lock of both.
func (d *Dict[V]) SwapLocked(o *Dict[V]) {
	if len(d.shards) != len(o.shards) {
		panic("dict: SwapLocked with different shard counts")
	}
	for i := range d.shards {
		a, b := &d.shards[i], &o.shards[i]
		a.keys, b.keys = b.keys, a.keys
		a.expires, b.expires = b.expires, a.expires
		a.publish()
		b.publish()
	}
}

// publish stores the shard's counts for Len and ExpiresLen.
func (s *shard[V]) publish() {
	s.nkeys.Store(int64(s.keys.n))
	s.nexpires.Store(int64(len(s.expires)))
}

// Sample calls fn for up to n entries drawn at random, as Redis's
// dictGetSomeKeys draws them: from a shard picked at random among those
// holding keys (only keys with a deadline when volatile), under that
// shard's one lock, the entries of consecutive buckets from a random one
// on (a volatile draw takes random keys of the shard's deadline index);
// the next shards, when that one holds fewer. A key may come up more than
// once. It never waits for a lock: a shard another goroutine holds is
// passed over. It returns how many entries fn saw: 0 when d holds no such
// key or every shard holding one was busy. fn must not lock shards or add
// or delete keys. The eviction's sampler uses it.
func (d *Dict[V]) Sample(n int, volatile bool, fn func(e *Entry[V])) int {
	seen := 0
	start := rand.IntN(len(d.shards))
	for j := 0; j < len(d.shards) && seen < n; j++ {
		s := &d.shards[(start+j)&int(d.mask)]
		if volatile && s.nexpires.Load() == 0 || !volatile && s.nkeys.Load() == 0 || !s.mu.TryLock() {
			continue
		}
		if volatile {
			for ; seen < n && len(s.expires) > 0; seen++ {
				fn(s.expires[rand.IntN(len(s.expires))].e)
			}
		} else {
			seen += s.keys.sampleRun(n-seen, fn)
		}
		s.mu.Unlock()
	}
	return seen
}
