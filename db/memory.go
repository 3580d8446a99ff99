package db

import (
	"math/bits"
	"sync/atomic"
)

// Memory accounting: INFO's used_memory and the eviction limit are computed
// from running totals, never by scanning the dataset.
//
// Each database keeps mem, the sum of keyBytes over its keys. The total is
// kept true by three rules:
//
//   - A write command that declares its keys (everything but the commands
//     flagged FlagOwnLocks or FlagTakesGate) is bracketed by run: each of
//     its keys is measured when the command's Lookup first finds it,
//     before the command can change it, and again after Run; the
//     difference goes to mem. A key the command never looks up is not
//     measured: every change to a key goes through an entry Lookup
//     returned (Store and Delete look up first). keyBytes is a
//     deterministic function of the key's state, so the brackets
//     telescope: whatever the command did to the value in place, mem moves
//     by exactly what the estimate moved. The bracket remembers the entry
//     it measured, so the key is searched for once (see bracket).
//   - A deletion outside a bracket's measure (expiry, eviction, and a key
//     past its deadline that a lookup drops before measuring it) subtracts
//     the key's bytes as it deletes it (forget).
//   - The commands that lock for themselves account for what they move
//     (MOVE, COPY, SORT ... STORE, FLUSHDB, FLUSHALL, SWAPDB).
//
// used_memory adds to the datasets a fixed base (the heap in use once the
// server was built, before any key) and the overhead the server reports
// every 100 ms (SetMemOverhead: client buffers, the AOF buffer).
//
// How far it is from RSS: keyBytes counts the Go objects a key holds,
// rounded up to the allocator's size classes (a new string key's name and
// value are one object: storeString), plus its slot in the bucket array;
// collections count their own per-element estimates, extrapolated from at
// most accountSamples elements. Not counted: garbage the collector
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

// A bracket accounts for what a command does to the keys it writes, and
// costs nothing for a key the command does not look up. The command's
// Lookup of one of the bracket's keys (lookup) measures it as it finds it,
// before the command can change it; settle measures the keys looked up
// again, after the command, and the difference goes to the database's
// total (see above). A key the command never looked up is not measured at
// all: every change to a key's state goes through an entry that Lookup
// returned (Delete and Store look the key up first), so such a key is
// unchanged.
//
// Each key is searched for once: settle measures the entry Lookup found,
// or the one StoreAt added (added), unless it has been deleted meanwhile
// (then it searches again, for a key added back under the same name), and
// a second Lookup of the key returns the entry known. It allocates nothing
// once its client's scratch slots have grown, but for commands of more
// than 16 keys (a map finds their slots).
type bracket struct {
	ks     *Keyspace
	d      *DB
	before int64
	slots  []bracketSlot
	index  map[string]int // slot of each key, for long key lists
}

// A bracketSlot is one distinct key of a bracket.
type bracketSlot struct {
	key      []byte
	measured bool // looked up: its bytes before the command are in before
	// cur is the key's entry: the one Lookup found, or the one the
	// command added; nil if there is none yet, and no longer the key's
	// once Deleted.
	cur *Entry
}

// openBracketLocked opens a bracket on keys of d (duplicates allowed);
// slots is scratch space the bracket keeps. The caller holds the keys'
// shard locks until settle.
func (ks *Keyspace) openBracketLocked(d *DB, keys [][]byte, slots []bracketSlot) bracket {
	b := bracket{ks: ks, d: d, slots: slots[:0]}
	if len(keys) > 16 {
		b.index = make(map[string]int, len(keys))
	}
	for _, k := range keys {
		if b.index != nil {
			if _, dup := b.index[string(k)]; dup {
				continue
			}
			b.index[string(k)] = len(b.slots)
		}
		b.slots = append(b.slots, bracketSlot{key: k})
	}
	return b
}

// slot returns key's slot, or nil if key is not one of b's. b may be nil.
func (b *bracket) slot(key []byte) *bracketSlot {
	switch {
	case b == nil:
		return nil
	case b.index != nil:
		if i, ok := b.index[string(key)]; ok {
			return &b.slots[i]
		}
		return nil
	}
	for i := range b.slots {
		if s := &b.slots[i]; string(s.key) == string(key) {
			return s
		}
	}
	return nil
}

// found records e (nil: absent) as what Ctx.Lookup found for s's key:
// the first lookup measures it.
func (b *bracket) found(s *bracketSlot, e *Entry) {
	if !s.measured {
		s.measured = true
		if e != nil {
			b.before += keyBytes(e)
		}
	}
	s.cur = e
}

// added records e, just added to the table, as key's entry. b may be nil.
func (b *bracket) added(key []byte, e *Entry) {
	if s := b.slot(key); s != nil {
		s.measured = true // the key was absent before: nothing to add
		s.cur = e
	}
}

// settle accounts for the change and returns the scratch space, cleared,
// for reuse.
func (b *bracket) settle() []bracketSlot {
	var after int64
	for i := range b.slots {
		s := &b.slots[i]
		if s.measured {
			e := s.cur
			if e == nil || e.Deleted() {
				e = b.d.keys.FindLocked(s.key)
			}
			if e != nil {
				after += keyBytes(e)
			}
		}
		*s = bracketSlot{} // holds nothing for the GC
	}
	if after != b.before { // an overwrite of the same size touches no shared counter
		b.d.mem.Add(after - b.before)
	}
	return b.slots[:0]
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
	return int64(d.keys.Len()) * entryOverhead, int64(d.keys.ExpiresLen()) * expiringSlot
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

// settleBracket settles the client's bracket and keeps its scratch space
// for the next command.
func (cl *Client) settleBracket() {
	cl.slots = cl.brk.settle()
	cl.brk = bracket{}
}
