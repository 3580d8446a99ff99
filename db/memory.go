package db

import (
	"math/bits"
	"slices"
	"sync/atomic"
)

// Memory accounting: INFO's used_memory and the eviction limit are computed
// from running totals, never by scanning the dataset.
//
// Each database keeps mem, the sum of keyBytes over its keys. The total is
// kept true by three rules:
//
//   - A write command that declares its keys (everything but the commands
//     flagged FlagOwnLocks or FlagTakesGate) is bracketed by run: the bytes
//     of its keys are measured before Run and after, and the difference
//     goes to mem. keyBytes is a deterministic function of the key's state,
//     so the brackets telescope: whatever the command did to the value in
//     place, mem moves by exactly what the estimate moved. Keys already
//     past their deadline are left out of both measures (they are
//     "stale"): the lookup that drops one forgets its bytes itself.
//   - A deletion outside a bracket's measure (expiry, eviction, and the
//     stale keys a lookup drops inside a bracket) subtracts the key's bytes
//     as it deletes it (forget).
//   - The commands that lock for themselves account for what they move
//     (MOVE, COPY, SORT ... STORE, FLUSHDB, FLUSHALL, SWAPDB).
//
// used_memory adds to the datasets a fixed base (the heap in use once the
// server was built, before any key) and the overhead the server reports
// every 100 ms (SetMemOverhead: client buffers, the AOF buffer).
//
// How far it is from RSS: keyBytes counts the Go objects a key holds,
// rounded up to the allocator's size classes, plus its slot in the bucket
// array; collections count their own per-element estimates, extrapolated
// from at most accountSamples elements. Not counted: garbage the collector
// has not reclaimed yet (bounded by debug.SetMemoryLimit when maxmemory is
// set), spans the runtime keeps for reuse or has not returned to the
// system, goroutine stacks beyond the base, the snapshot an AOF rewrite
// holds, and the unused capacity of slices that grew by doubling. Expect RSS
// at 1.1x to 2x used_memory on a steady dataset, more right after deletions
// (mem_fragmentation_ratio shows it).

// accountSamples is how many elements of a collection keyBytes measures, as
// MEMORY USAGE's default.
const accountSamples = defaultMemorySamples

// bucketSlot is a key's share of its table's bucket array (a pointer; the
// load factor stays at or below one).
const bucketSlot = 8

// keyBytes estimates what the key e costs: its entry, its name, its slot in
// the expiry index if it has a deadline, and its value. It depends only on
// e's state. The caller holds e's shard lock.
func keyBytes(e *Entry) int64 { return memoryUsage(e, accountSamples) }

// allocSize rounds n up as Go's allocator does for an object of n bytes:
// to a multiple of 8 or 16 up to 128, and then to an eighth of the next
// power of two, which follows the runtime's size classes within a few
// percent.
func allocSize(n int64) int64 {
	switch {
	case n <= 0:
		return 0
	case n <= 16:
		return (n + 7) &^ 7
	case n <= 128:
		return (n + 15) &^ 15
	}
	step := int64(1) << (bits.Len64(uint64(n-1)) - 4)
	return (n + step - 1) &^ (step - 1)
}

// measureLocked sums keyBytes over the distinct keys of d, leaving out
// the stale ones: before a command (stale nil), the keys past their
// deadline at now, which it appends to staleOut; after it, the entries in
// stale (what the first measure left out and the command did not replace).
// The caller holds the keys' shard locks.
func (ks *Keyspace) measureLocked(d *DB, keys [][]byte, now int64, stale, staleOut []*Entry) (int64, []*Entry) {
	var n int64
	var seen map[string]struct{} // for long key lists
	if len(keys) > 16 {
		seen = make(map[string]struct{}, len(keys))
	}
	for i, k := range keys {
		if seen != nil {
			if _, dup := seen[string(k)]; dup {
				continue
			}
			seen[string(k)] = struct{}{}
		} else if seenBefore(keys[:i], k) {
			continue
		}
		e := d.keys.FindLocked(k)
		switch {
		case e == nil:
		case stale == nil && ks.passed(e.ExpireAt(), now):
			staleOut = append(staleOut, e)
		case stale != nil && slices.Contains(stale, e):
		default:
			n += keyBytes(e)
		}
	}
	return n, staleOut
}

// A bracket accounts for what a command does to the keys it writes: open
// measures them before, settle after, and the difference goes to the
// database's total (see above). It allocates nothing.
type bracket struct {
	ks     *Keyspace
	d      *DB
	keys   [][]byte
	now    int64
	before int64
	stale  []*Entry // the keys the first measure left out (scratch space)
}

// openBracketLocked measures keys of d before a command writes them;
// stale is scratch space the bracket may keep. The caller holds the keys'
// shard locks until settle.
func (ks *Keyspace) openBracketLocked(d *DB, keys [][]byte, now int64, stale []*Entry) bracket {
	b := bracket{ks: ks, d: d, keys: keys, now: now}
	b.before, b.stale = ks.measureLocked(d, keys, now, nil, stale[:0])
	return b
}

// settle accounts for the change and returns the scratch space, cleared,
// for reuse.
func (b *bracket) settle() []*Entry {
	after, _ := b.ks.measureLocked(b.d, b.keys, b.now, append(b.stale, nil), nil)
	if after != b.before { // an overwrite of the same size touches no shared counter
		b.d.mem.Add(after - b.before)
	}
	clear(b.stale)
	return b.stale[:0]
}

// seenBefore reports whether k is among keys (a short list).
func seenBefore(keys [][]byte, k []byte) bool {
	for _, o := range keys {
		if string(o) == string(k) {
			return true
		}
	}
	return false
}

// forget subtracts e's bytes from d's total: e is being deleted outside a
// bracket's measure. The caller holds e's shard lock.
func (d *DB) forget(e *Entry) { d.mem.Add(-keyBytes(e)) }

// account adds e's bytes to d's total: e was added outside a bracket. The
// caller holds e's shard lock.
func (d *DB) account(e *Entry) { d.mem.Add(keyBytes(e)) }

// TableOverhead estimates what d's tables cost besides the keys and values
// (MEMORY STATS's overhead.hashtable.main and .expires): an entry and a
// bucket slot per key, a slot in the expiry index per key with a deadline.
// It takes no lock.
func (d *DB) TableOverhead() (main, expires int64) {
	return int64(d.keys.Len()) * entryOverhead, int64(d.keys.ExpiresLen()) * 8
}

// Bytes returns the estimated bytes of d's keys and values.
func (d *DB) Bytes() int64 { return d.mem.Load() }

// memState is the keyspace's side of used_memory: the fixed base and the
// overhead the server last reported.
type memState struct {
	base    atomic.Int64
	clients atomic.Int64
	aofBuf  atomic.Int64
	peak    atomic.Int64
}

// SetMemBase sets used_memory's fixed part (the heap in use before any key
// was stored). The server calls it once it is built.
func (ks *Keyspace) SetMemBase(n int64) { ks.mem.base.Store(n) }

// SetMemOverhead records the bytes held by client buffers (query and
// output) and by the AOF's buffer; the server reports them periodically.
func (ks *Keyspace) SetMemOverhead(clients, aofBuf int64) {
	ks.mem.clients.Store(clients)
	ks.mem.aofBuf.Store(aofBuf)
}

// MemUsage is the breakdown of used_memory.
type MemUsage struct {
	Base, Dataset, Clients, AOFBuffer int64
	// Keys is the number of keys in every database, for the overhead of
	// the keyspace's tables.
	Keys int64
}

// Total is used_memory: every part.
func (m MemUsage) Total() int64 { return m.Base + m.Dataset + m.Clients + m.AOFBuffer }

// ForEviction is what maxmemory is compared with: everything but the AOF
// buffer (Redis's mem_not_counted_for_evict).
func (m MemUsage) ForEviction() int64 { return m.Total() - m.AOFBuffer }

// MemUsage returns the current breakdown of used_memory, without locks
// (the key counts sum every shard's; eviction reads the cheaper
// usedForEviction). It also raises the peak.
func (ks *Keyspace) MemUsage() MemUsage {
	m := MemUsage{Base: ks.mem.base.Load(), Clients: ks.mem.clients.Load(), AOFBuffer: ks.mem.aofBuf.Load()}
	for _, d := range ks.dbs {
		m.Dataset += d.mem.Load()
		m.Keys += int64(d.keys.Len())
	}
	m.Dataset = max(m.Dataset, 0)
	raiseTo(&ks.mem.peak, m.Total())
	return m
}

// raiseTo sets v to n if n is higher.
func raiseTo(v *atomic.Int64, n int64) {
	for {
		old := v.Load()
		if n <= old || v.CompareAndSwap(old, n) {
			return
		}
	}
}

// ResetMemPeak starts used_memory_peak again from now (CONFIG RESETSTAT).
func (ks *Keyspace) ResetMemPeak() {
	ks.mem.peak.Store(0)
	ks.MemUsage()
}

// MemPeak returns the highest used_memory MemUsage has seen.
func (ks *Keyspace) MemPeak() int64 { return ks.mem.peak.Load() }

// settleBracket settles b and keeps its scratch space for the client's
// next command.
func (cl *Client) settleBracket(b *bracket) { cl.stale = b.settle() }
