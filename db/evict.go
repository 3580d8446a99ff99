package db

import (
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Eviction as Redis 7.0 approximates it (evict.c): when the memory counted
// for eviction (MemUsage.ForEviction) is over maxmemory, keys are sampled
// (maxmemory-samples per database, across every database) into a small pool
// of the best candidates, and the best is deleted, until the memory is under
// the limit. The server calls Evict before a command runs, before the
// command takes any lock; each deletion locks its key's shard alone.
// Eviction never waits for a lock: what a script or a transaction holds is
// passed over, and when everything evictable is held, Evict lets the
// command go on (as Redis's EVICT_RUNNING) rather than wait for a busy
// script it could not stop.

// Policy is a maxmemory-policy.
type Policy uint8

// The policies, as Redis names them.
const (
	PolicyNoEviction Policy = iota
	PolicyAllKeysLRU
	PolicyAllKeysLFU
	PolicyAllKeysRandom
	PolicyVolatileLRU
	PolicyVolatileLFU
	PolicyVolatileRandom
	PolicyVolatileTTL
)

var policyNames = map[string]Policy{
	"noeviction": PolicyNoEviction, "allkeys-lru": PolicyAllKeysLRU, "allkeys-lfu": PolicyAllKeysLFU,
	"allkeys-random": PolicyAllKeysRandom, "volatile-lru": PolicyVolatileLRU, "volatile-lfu": PolicyVolatileLFU,
	"volatile-random": PolicyVolatileRandom, "volatile-ttl": PolicyVolatileTTL,
}

// ParsePolicy returns the policy maxmemory-policy names, and false for an
// unknown name.
func ParsePolicy(name string) (Policy, bool) {
	p, ok := policyNames[name]
	return p, ok
}

func (p Policy) lfu() bool      { return p == PolicyAllKeysLFU || p == PolicyVolatileLFU }
func (p Policy) volatile() bool { return p >= PolicyVolatileLRU }
func (p Policy) random() bool   { return p == PolicyAllKeysRandom || p == PolicyVolatileRandom }

// EvictionConfig is the set of parameters eviction and the access metadata
// follow (maxmemory and its kin in redis.conf).
type EvictionConfig struct {
	MaxMemory    int64 // bytes; 0: no limit
	Policy       Policy
	Samples      int // maxmemory-samples
	Tenacity     int // maxmemory-eviction-tenacity, 0..100
	LFULogFactor int
	LFUDecayTime int // minutes
}

// ErrOOM is the reply to a command flagged denyoom when memory is over
// maxmemory and nothing can be evicted.
const ErrOOM = "OOM command not allowed when used memory > 'maxmemory'."

// evpoolSize is how many candidates the pool keeps (Redis's EVPOOL_SIZE).
const evpoolSize = 16

// evictor is the keyspace's eviction state. mu makes one caller evict at a
// time (the others wait, which is what throttles writers to the pace
// eviction frees memory) and guards the pool and nextDB.
type evictor struct {
	cfg    atomic.Pointer[EvictionConfig]
	mu     sync.Mutex
	pool   []candidate // ascending score: the best victim last
	nextDB int         // where the random policies look next
}

// A candidate is a sampled key: the higher its score, the better a victim.
// key is the sampled entry's own Key, which keeps the entry's allocation
// alive, so two candidates are the same entry exactly when their keys'
// bytes are at the same address (sameEntry).
type candidate struct {
	score uint64
	db    int
	key   string
}

// sameEntry reports whether a and b were sampled from the same entry. It
// compares addresses, not bytes: a pool's keys mostly have one length, and
// comparing them byte by byte cost more than the rest of the sampling. A
// key deleted and added again is a new entry, which may then sit in the
// pool beside its stale candidate; as in Redis, whose pool never dedupes,
// a candidate's score is not checked again when it is evicted.
func sameEntry(a, b *candidate) bool {
	return a.db == b.db && unsafe.StringData(a.key) == unsafe.StringData(b.key)
}

// SetEviction applies cfg; the server calls it at start and when CONFIG
// SET changes one of its parameters. Safe for concurrent use.
func (ks *Keyspace) SetEviction(cfg EvictionConfig) {
	cfg.Samples = max(cfg.Samples, 1)
	old := ks.evict.cfg.Swap(&cfg)
	if old != nil && (old.Policy != cfg.Policy || old.MaxMemory != cfg.MaxMemory) {
		ks.evict.mu.Lock()
		ks.evict.pool = ks.evict.pool[:0] // scores of another kind
		ks.evict.mu.Unlock()
	}
}

// Eviction returns the configuration in force.
func (ks *Keyspace) Eviction() EvictionConfig { return *ks.evict.cfg.Load() }

// usedForEviction is MemUsage().ForEviction() without the key counts.
func (ks *Keyspace) usedForEviction() int64 {
	n := ks.mem.base.Load() + ks.mem.clients.Load()
	for _, d := range ks.dbs {
		n += d.mem.Load()
	}
	return n
}

// Evict frees memory, as maxmemory-policy says, while the memory counted
// for eviction is over maxmemory, and reports whether the server may go on
// (Redis's EVICT_OK or EVICT_RUNNING): false means it is over the limit
// and nothing can be evicted, so commands flagged denyoom must be refused
// with ErrOOM. It evicts for at most the time maxmemory-eviction-tenacity
// allows and then reports true, leaving the rest to the next command. While
// the dataset loads or clients are paused nothing is evicted.
//
// The caller must hold no lock of the keyspace (no gate stripe, no shard):
// Evict takes each victim's shard on its own.
func (ks *Keyspace) Evict() bool {
	cfg := ks.evict.cfg.Load()
	if cfg.MaxMemory == 0 || ks.usedForEviction() <= cfg.MaxMemory {
		return true
	}
	if ks.loading.Load() || ks.expiryPaused.Load() {
		return true
	}
	if cfg.Policy == PolicyNoEviction {
		return false
	}
	var sink Client // collects the evicted keys' invalidations
	defer ks.deliver(&sink, nil)
	ev := &ks.evict
	ev.mu.Lock()
	defer ev.mu.Unlock()
	start := time.Now()
	limit := evictionTimeLimit(cfg.Tenacity)
	for freed := 1; ks.usedForEviction() > cfg.MaxMemory; freed++ {
		switch ks.evictOne(cfg, &sink) {
		case evictNone:
			return false
		case evictBusy:
			return true
		}
		if freed%16 == 0 && time.Since(start) > limit {
			return true // Redis's EVICT_RUNNING: the next command goes on
		}
	}
	return true
}

// evictionTimeLimit is how long one Evict call may run, from
// maxmemory-eviction-tenacity: as Redis's evictionTimeLimitUs, 50 µs per
// step up to 10, then 15% more per step, unlimited at 100.
func evictionTimeLimit(tenacity int) time.Duration {
	switch {
	case tenacity <= 10:
		return time.Duration(50*tenacity) * time.Microsecond
	case tenacity < 100:
		return time.Duration(500*math.Pow(1.15, float64(tenacity-10))) * time.Microsecond
	}
	return time.Duration(math.MaxInt64)
}

// What one eviction step did.
type evictResult uint8

const (
	evicted   evictResult = iota
	evictNone             // nothing the policy may evict is left
	evictBusy             // what is left is locked by others
)

// maxBusyRounds is how many sampling rounds evictOne makes in a row that
// find only keys it cannot lock, before it gives up for this command.
const maxBusyRounds = 4

// evictOne deletes one key as cfg's policy chooses. The caller holds
// ev.mu.
func (ks *Keyspace) evictOne(cfg *EvictionConfig, sink *Client) evictResult {
	if cfg.Policy.random() {
		return ks.evictRandom(cfg.Policy.volatile(), sink)
	}
	for busy := 0; busy < maxBusyRounds; busy++ {
		if ks.populatePool(cfg) == 0 {
			return ks.noneOrBusy(cfg.Policy.volatile())
		}
		ev := &ks.evict
		for len(ev.pool) > 0 {
			c := ev.pool[len(ev.pool)-1]
			ev.pool = ev.pool[:len(ev.pool)-1]
			if ks.evictKey(ks.dbs[c.db], c.key, cfg.Policy.volatile(), sink) {
				return evicted
			}
		}
	}
	return evictBusy
}

// noneOrBusy tells, after sampling found nothing, whether keys the policy
// may evict exist (held by others) or not.
func (ks *Keyspace) noneOrBusy(volatile bool) evictResult {
	for _, d := range ks.dbs {
		if volatile && d.keys.ExpiresLen() > 0 || !volatile && d.mem.Load() > 0 {
			return evictBusy
		}
	}
	return evictNone
}

// evictRandom deletes a random key (with a deadline when volatile) of the
// next database that has one, round robin as Redis's next_db.
func (ks *Keyspace) evictRandom(volatile bool, sink *Client) evictResult {
	ev := &ks.evict
	for range ks.dbs {
		d := ks.dbs[ev.nextDB]
		ev.nextDB = (ev.nextDB + 1) % len(ks.dbs)
		if d.mem.Load() <= 0 {
			continue
		}
		var key string
		if d.keys.Sample(1, volatile, func(e *Entry) { key = e.Key }) > 0 && ks.evictKey(d, key, volatile, sink) {
			return evicted
		}
	}
	return ks.noneOrBusy(volatile)
}

// populatePool samples maxmemory-samples keys of every database into the
// pool and returns how many keys it sampled.
func (ks *Keyspace) populatePool(cfg *EvictionConfig) int {
	now := nowMillis()
	total := 0
	for _, d := range ks.dbs {
		if d.mem.Load() <= 0 {
			continue // empty: every key counts some bytes
		}
		total += d.keys.Sample(cfg.Samples, cfg.Policy.volatile(), func(e *Entry) {
			ks.evict.offer(candidate{score: evictScore(d, e, cfg, now), db: d.index, key: e.Key})
		})
	}
	return total
}

// offer puts c in the pool if it is among the best evpoolSize candidates,
// keeping the pool sorted by ascending score. A key already there gets its
// new score.
func (ev *evictor) offer(c candidate) {
	p := ev.pool
	if len(p) == evpoolSize && c.score <= p[0].score {
		return // worse than every candidate kept
	}
	for i := range p {
		if sameEntry(&p[i], &c) {
			p = append(p[:i], p[i+1:]...)
			break
		}
	}
	i := 0
	for i < len(p) && p[i].score < c.score {
		i++
	}
	if len(p) == evpoolSize {
		if i == 0 {
			ev.pool = p
			return // worse than every candidate kept
		}
		copy(p, p[1:i]) // drop the worst, shift the lower ones down
		p[i-1] = c
		ev.pool = p
		return
	}
	p = append(p, candidate{})
	copy(p[i+1:], p[i:])
	p[i] = c
	ev.pool = p
}

// evictScore ranks e as a victim under cfg's policy: its idle time for
// LRU, 255 minus its decayed counter for LFU, and how near its deadline is
// for volatile-ttl. The caller holds e's shard lock.
func evictScore(d *DB, e *Entry, cfg *EvictionConfig, now int64) uint64 {
	meta := e.Meta & metaClock
	switch cfg.Policy {
	case PolicyVolatileTTL:
		return math.MaxUint64 - uint64(d.expireAt(e))
	case PolicyAllKeysLFU, PolicyVolatileLFU:
		return 255 - uint64(lfuDecayed(meta, now, cfg.LFUDecayTime))
	}
	return uint64((accessClock(now) - meta) & metaClock)
}

// evictKey deletes key from d if it is still there (and still has a
// deadline when volatile) and it can take the locks without waiting: it is
// logged to the AOF as DEL, fires the "evicted" event, touches WATCH and
// counts in evicted_keys. It reports whether it deleted the key.
func (ks *Keyspace) evictKey(d *DB, key string, volatile bool, sink *Client) bool {
	stripe := &ks.gate.stripes[0].RWMutex
	if !stripe.TryRLock() {
		return false // a transaction or a script has the keyspace to itself
	}
	defer stripe.RUnlock()
	k := []byte(key)
	s := d.keys.ShardOf(k)
	if !d.keys.TryLockShard(s) {
		return false
	}
	defer d.keys.UnlockShard(s)
	e := d.keys.FindLocked(k)
	if e == nil || volatile && !e.HasDeadline() {
		return false
	}
	ks.dropLocked(d, e, sink, &ks.stats.EvictedKeys, EventEvicted, "evicted")
	return true
}

// Access metadata. Under an LRU (or any non-LFU) policy, Entry.Meta's clock
// bits hold the last access in tenths of a second (accessClock), wrapping
// after 3.4 years. Under an LFU policy they hold, as Redis's 24 bits do, the
// minute of the last decrement (16 bits, wrapping) above an 8-bit
// logarithmic access counter. Switching policies reinterprets the bits: as
// in Redis, the data takes some time to adjust.

// lfuInitVal is a new key's counter (LFU_INIT_VAL), so that it is not
// evicted before it has had a chance to be read.
const lfuInitVal = 5

// lfuMinutes returns the LFU time of the unix time nowMs: minutes, 16 bits.
func lfuMinutes(nowMs int64) uint32 { return uint32(nowMs/60000) & 0xffff }

// lfuDecayed returns meta's counter decayed by one per lfu-decay-time
// minutes elapsed since its time (Redis's LFUDecrAndReturn).
func lfuDecayed(meta uint32, nowMs int64, decayTime int) uint32 {
	counter := meta & 0xff
	if decayTime <= 0 {
		return counter
	}
	ldt := meta >> 8 & 0xffff
	elapsed := (lfuMinutes(nowMs) - ldt) & 0xffff
	periods := elapsed / uint32(decayTime)
	if periods >= counter {
		return 0
	}
	return counter - periods
}

// lfuLogIncr increments counter with a probability that falls as it grows
// (Redis's LFULogIncr): 1/((counter-5)*logFactor+1).
func lfuLogIncr(counter uint32, logFactor int) uint32 {
	if counter == 255 {
		return 255
	}
	base := max(float64(counter)-lfuInitVal, 0)
	if rand.Float64() < 1/(base*float64(logFactor)+1) {
		counter++
	}
	return counter
}

// accessedMeta returns the clock bits of Entry.Meta after an access at nowMs
// to a key whose clock bits were old: the access time, or under an LFU
// policy the decayed counter incremented.
func (ks *Keyspace) accessedMeta(old uint32, nowMs int64) uint32 {
	cfg := ks.evict.cfg.Load()
	if !cfg.Policy.lfu() {
		return accessClock(nowMs)
	}
	counter := lfuLogIncr(lfuDecayed(old, nowMs, cfg.LFUDecayTime), cfg.LFULogFactor)
	return lfuMinutes(nowMs)<<8 | counter
}

// newMeta returns the clock bits of a key created at nowMs.
func (ks *Keyspace) newMeta(nowMs int64) uint32 {
	if ks.evict.cfg.Load().Policy.lfu() {
		return lfuMinutes(nowMs)<<8 | lfuInitVal
	}
	return accessClock(nowMs)
}

// storedMeta returns the clock bits of a key whose value a write just set,
// at nowMs: a new key's (fresh), or an overwritten one's after an access,
// since its write looked it up (old are its clock bits).
func (ks *Keyspace) storedMeta(old uint32, fresh bool, nowMs int64) uint32 {
	if fresh {
		return ks.newMeta(nowMs)
	}
	return ks.accessedMeta(old, nowMs)
}
