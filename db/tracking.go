package db

import (
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Client-side caching (CLIENT TRACKING), as Redis 7.0 has it. The keyspace
// keeps the tracking table: per key name (whatever the database, as in
// Redis), the clients that read it while tracking; and, for clients in
// BCAST mode, the prefixes they listen to. A write of a tracked key takes
// its readers out of the table and queues one invalidation for each on the
// client whose command made the write; the queued invalidations are handed
// to the OnInvalidate hook when that command has released every lock
// (Keyspace.Exec), so that no push is written under a lock.
//
// The table is sharded like a database's dict, each shard with its own
// mutex (a leaf lock: taken under the keys' shard locks, never the other
// way round, and never two at a time). A read by a client that does not
// track costs one bool test of the client's own state; a write costs one
// atomic load while no client tracks.

// TrackFlag is one of a client's tracking settings.
type TrackFlag uint32

// The tracking flags, as CLIENT TRACKING sets them.
const (
	TrackOn          TrackFlag = 1 << iota // tracking is on
	TrackBcast                             // BCAST: invalidations by prefix, reads not remembered
	TrackOptin                             // OPTIN: only reads after CLIENT CACHING YES are remembered
	TrackOptout                            // OPTOUT: reads after CLIENT CACHING NO are not remembered
	TrackCaching                           // CLIENT CACHING YES (optin) or NO (optout) applies to the next command
	TrackNoloop                            // NOLOOP: no invalidation for the client's own writes
	TrackBrokenRedir                       // the redirection client went away
)

// An Invalidation tells the tracking client Target that Keys may have
// changed; nil Keys means every key (a flush). Keys are the invalidation's
// own copies.
type Invalidation struct {
	Target *Client
	Keys   [][]byte
}

// tracking is the keyspace's tracking table. Safe for concurrent use.
type tracking struct {
	shards []trackShard
	// clients counts the clients with tracking on; writes skip the table
	// while it is 0. keys and items are INFO's tracking_total_keys and
	// tracking_total_items.
	clients, keys, items atomic.Int64
	maxKeys              atomic.Int64 // tracking-table-max-keys; 0: no limit
	evictAt              atomic.Uint32
	// mu guards registry and the changes of bcast, which writers read
	// without a lock (copy on write).
	mu       sync.Mutex
	registry map[*Client]struct{}
	bcast    atomic.Pointer[[]bcastPrefix]
	// onInvalidate receives the invalidations; set before serving.
	onInvalidate func(from *Client, invs []Invalidation)
	// shardOf is the keyspace's sharding: a tracked key lives in the
	// shard its value lives in.
	shardOf func(key []byte) int
}

// bcastPrefix is one prefix some BCAST clients listen to.
type bcastPrefix struct {
	prefix  string
	clients []*Client
}

// trackShard holds the tracked keys of one shard and their readers.
type trackShard struct {
	mu   sync.Mutex
	keys map[string]*readers
	_    [40]byte // apart from the neighbours' mutexes
}

// readers are the clients that read one key: a slice while there are few,
// a set beyond.
type readers struct {
	few  []*Client
	many map[*Client]struct{}
}

const fewReaders = 16

// add records cl and reports whether it was new.
func (r *readers) add(cl *Client) bool {
	if r.many != nil {
		if _, ok := r.many[cl]; ok {
			return false
		}
		r.many[cl] = struct{}{}
		return true
	}
	if slices.Contains(r.few, cl) {
		return false
	}
	if len(r.few) < fewReaders {
		r.few = append(r.few, cl)
		return true
	}
	r.many = make(map[*Client]struct{}, 2*fewReaders)
	for _, c := range r.few {
		r.many[c] = struct{}{}
	}
	r.few = nil
	r.many[cl] = struct{}{}
	return true
}

// remove drops cl and reports whether it was there.
func (r *readers) remove(cl *Client) bool {
	if r.many != nil {
		_, ok := r.many[cl]
		delete(r.many, cl)
		return ok
	}
	i := slices.Index(r.few, cl)
	if i < 0 {
		return false
	}
	r.few = slices.Delete(r.few, i, i+1)
	return true
}

func (r *readers) len() int { return len(r.few) + len(r.many) }

func (r *readers) each(fn func(*Client)) {
	for _, c := range r.few {
		fn(c)
	}
	for c := range r.many {
		fn(c)
	}
}

func (t *tracking) init(shards int, shardOf func(key []byte) int) {
	t.shards = make([]trackShard, shards)
	t.shardOf = shardOf
	t.registry = make(map[*Client]struct{})
	t.maxKeys.Store(1000000)
}

// OnInvalidate sets the hook that delivers invalidations: from is the
// client whose command caused them (nil for the active expiry cycle), and
// the hook runs on that command's goroutine once it holds no lock, after
// the command's reply was written. It must not call back into the
// keyspace's commands. Set it before serving.
func (ks *Keyspace) OnInvalidate(fn func(from *Client, invs []Invalidation)) {
	ks.track.onInvalidate = fn
}

// SetTrackingMaxKeys sets tracking-table-max-keys: past that many keys,
// the table forgets keys, sending their invalidations. 0: no limit.
func (ks *Keyspace) SetTrackingMaxKeys(n int64) { ks.track.maxKeys.Store(n) }

// TrackingStats are INFO's tracking figures.
type TrackingStats struct{ Clients, Keys, Items, Prefixes int64 }

// TrackingStats returns the tracking table's sizes.
func (ks *Keyspace) TrackingStats() TrackingStats {
	t := &ks.track
	s := TrackingStats{Clients: t.clients.Load(), Keys: t.keys.Load(), Items: t.items.Load()}
	if p := t.bcast.Load(); p != nil {
		s.Prefixes = int64(len(*p))
	}
	return s
}

// TrackingFlags returns cl's tracking flags. Safe from any goroutine.
func (cl *Client) TrackingFlags() TrackFlag { return TrackFlag(cl.trackFlags.Load()) }

// TrackingRedirect returns the client id cl's invalidations go to (0:
// its own connection). Safe from any goroutine.
func (cl *Client) TrackingRedirect() int64 { return cl.trackRedir.Load() }

// TrackingPrefixes returns cl's BCAST prefixes, sorted. Only cl's own
// goroutine may call it; the slice must not be modified.
func (cl *Client) TrackingPrefixes() []string { return cl.trackPrefixes }

// MarkTrackingBroken records that cl's redirection client is gone. Safe
// from any goroutine.
func (cl *Client) MarkTrackingBroken() {
	if cl.TrackingFlags()&TrackOn != 0 {
		cl.trackFlags.Or(uint32(TrackBrokenRedir))
	}
}

// SetTrackingCaching sets or clears the CLIENT CACHING mark that applies
// to cl's next command (or transaction). cl's goroutine only.
func (cl *Client) SetTrackingCaching(on bool) {
	if on {
		cl.trackFlags.Or(uint32(TrackCaching))
	} else if cl.TrackingFlags()&TrackCaching != 0 {
		cl.trackFlags.And(^uint32(TrackCaching))
	}
}

// EnableTracking turns tracking on for cl (CLIENT TRACKING ON), or changes
// its options if it is on: redirect (0: none), the mode flags (TrackBcast,
// TrackOptin, TrackOptout, TrackNoloop) and, with TrackBcast, the prefixes
// to add (none: every key). The caller has checked the options as Redis
// does. cl's goroutine only.
func (ks *Keyspace) EnableTracking(cl *Client, redirect int64, mode TrackFlag, prefixes []string) {
	t := &ks.track
	t.mu.Lock()
	defer t.mu.Unlock()
	old := cl.TrackingFlags()
	if old&TrackOn == 0 {
		t.registry[cl] = struct{}{}
		t.clients.Add(1)
		if cl.trackShards == nil {
			cl.trackShards = make([]uint64, (len(t.shards)+63)/64)
		}
	}
	keep := old & TrackCaching
	cl.trackRedir.Store(redirect)
	cl.trackFlags.Store(uint32(TrackOn | keep | mode&(TrackBcast|TrackOptin|TrackOptout|TrackNoloop)))
	if mode&TrackBcast != 0 {
		if len(prefixes) == 0 {
			prefixes = []string{""}
		}
		for _, p := range prefixes {
			if !slices.Contains(cl.trackPrefixes, p) {
				cl.trackPrefixes = append(cl.trackPrefixes, p)
			}
		}
		slices.Sort(cl.trackPrefixes)
		t.rebuildBcastLocked()
	}
	cl.trackReads = mode&TrackBcast == 0
}

// DisableTracking turns tracking off for cl (CLIENT TRACKING OFF, RESET, a
// disconnect) and takes it out of the table, so the memory it used there
// returns. cl's goroutine only.
func (ks *Keyspace) DisableTracking(cl *Client) {
	if cl.TrackingFlags()&TrackOn == 0 {
		return
	}
	t := &ks.track
	t.mu.Lock()
	delete(t.registry, cl)
	t.clients.Add(-1)
	cl.trackFlags.Store(0)
	cl.trackRedir.Store(0)
	cl.trackReads = false
	if len(cl.trackPrefixes) > 0 {
		cl.trackPrefixes = nil
		t.rebuildBcastLocked()
	}
	t.mu.Unlock()
	for i, word := range cl.trackShards {
		for word != 0 {
			bit := word & -word
			word &^= bit
			s := &t.shards[i*64+bits.TrailingZeros64(bit)]
			s.mu.Lock()
			for k, r := range s.keys {
				if r.remove(cl) {
					t.items.Add(-1)
					if r.len() == 0 {
						delete(s.keys, k)
						t.keys.Add(-1)
					}
				}
			}
			s.mu.Unlock()
		}
		cl.trackShards[i] = 0
	}
}

// rebuildBcastLocked publishes a new snapshot of the BCAST prefixes from
// the registry. The caller holds t.mu.
func (t *tracking) rebuildBcastLocked() {
	byPrefix := map[string][]*Client{}
	for cl := range t.registry {
		for _, p := range cl.trackPrefixes {
			byPrefix[p] = append(byPrefix[p], cl)
		}
	}
	if len(byPrefix) == 0 {
		t.bcast.Store(nil)
		return
	}
	list := make([]bcastPrefix, 0, len(byPrefix))
	for p, clients := range byPrefix {
		slices.SortFunc(clients, func(a, b *Client) int { return int(a.ID - b.ID) })
		list = append(list, bcastPrefix{p, clients})
	}
	slices.SortFunc(list, func(a, b bcastPrefix) int { return strings.Compare(a.prefix, b.prefix) })
	t.bcast.Store(&list)
}

// PrefixOverlap returns, for CLIENT TRACKING's check, the first pair of
// overlapping prefixes (one a prefix of the other) among cl's current
// prefixes and the new ones, as Redis looks for them: existing is true
// when the clash is with one cl already has. ok is false when none
// overlap.
func (cl *Client) PrefixOverlap(prefixes [][]byte) (p, other string, existing, ok bool) {
	overlap := func(a, b string) bool {
		n := min(len(a), len(b))
		return a[:n] == b[:n]
	}
	for i, np := range prefixes {
		for _, old := range cl.trackPrefixes {
			if overlap(old, string(np)) {
				return string(np), old, true, true
			}
		}
		for _, other := range prefixes[i+1:] {
			if overlap(string(np), string(other)) {
				return string(np), string(other), false, true
			}
		}
	}
	return "", "", false, false
}
