package db

import (
	"bytes"
	"math"
	"math/big"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"myredis/resp"
)

// TimeoutArg parses args[i] as a blocking command's timeout in seconds
// (fractions allowed, 0 meaning forever), writing Redis's error and
// returning false when it is not a number or is negative. As Redis, it
// reads a C long double (decimal or hexadecimal, far wider in range than
// a double) and rounds the milliseconds up, so 1e-400 is 1 ms and -0.0001
// is 0; a count of milliseconds past what a long long holds is negative.
func (c *Ctx) TimeoutArg(i int) (time.Duration, bool) {
	ms, ok := timeoutMillis(c.Args[i])
	switch {
	case !ok:
		c.W.WriteError("ERR timeout is not a float or out of range")
		return 0, false
	case ms < 0:
		c.W.WriteError("ERR timeout is negative")
		return 0, false
	}
	return time.Duration(min(ms, maxTimeoutMillis)) * time.Millisecond, true
}

// maxTimeoutMillis caps a timeout at about 292 years, what a Duration
// holds; a deadline that far is never reached.
const maxTimeoutMillis = math.MaxInt64 / int64(time.Millisecond)

// Bounds of a C long double (x86's 80-bit extended precision).
var (
	longDoubleMax = new(big.Float).SetMantExp(big.NewFloat(1), 16384)  // past the largest finite value
	longDoubleMin = new(big.Float).SetMantExp(big.NewFloat(1), -16445) // the smallest subnormal
)

// timeoutMillis returns ceil(seconds*1000) for a timeout argument, or -1
// when that does not fit a long long (x86 turns such a conversion into
// the most negative value); ok is false when b is not a long double.
func timeoutMillis(b []byte) (ms int64, ok bool) {
	if len(b) == 0 || isSpace(b[0]) || bytes.IndexByte(b, '_') >= 0 {
		return 0, false
	}
	s := string(b)
	unsigned := strings.ToLower(strings.TrimLeft(s, "+-"))
	if len(unsigned) > 1 && unsigned[0] == '0' && (unsigned[1] == 'b' || unsigned[1] == 'o') {
		return 0, false // big reads binary and octal prefixes, C does not
	}
	if unsigned == "infinity" {
		s = s[:len(s)-len("inity")] // C's other spelling of inf
	}
	f, _, err := big.ParseFloat(s, 0, 64, big.ToNearestEven)
	if err != nil {
		return 0, false
	}
	abs := new(big.Float).Abs(f)
	if !f.IsInf() && (abs.Cmp(longDoubleMax) >= 0 || abs.Sign() != 0 && abs.Cmp(longDoubleMin) < 0) {
		return 0, false // out of a long double's range: strtold's ERANGE
	}
	f.Mul(f, big.NewFloat(1000))
	if f.IsInf() {
		return -1, true
	}
	n, acc := f.Int(nil) // truncated toward zero
	if acc == big.Below {
		n.Add(n, big.NewInt(1)) // ceil of a positive fraction
	}
	if !n.IsInt64() {
		return -1, true
	}
	return n.Int64(), true
}

// Block is what a blocking command (BLPOP, BZPOPMIN, ...) calls instead of
// replying when none of keys has anything for it: the client is parked,
// without using CPU, until one of keys is signalled with SignalReady as
// holding kind (KindList, KindZSet or KindStream, what the command reads), the timeout
// passes (0 means never) or CLIENT UNBLOCK; then the command runs again
// from the start. onTimeout writes the reply for a timeout (a null array
// for BLPOP, say). Where a client cannot block (inside MULTI), onTimeout is
// written at once.
//
// Clients blocked on a key are served in the order they blocked: only the
// first in line that waits for the kind signalled is woken, and it keeps
// its place if it finds nothing. When the command runs again after a wake,
// it looks its keys up with blockedSource, so that a key that meanwhile
// came to hold another kind leaves it waiting instead of answering
// WRONGTYPE, as Redis serves a blocked client only from a key of the kind
// it waits for.
func (c *Ctx) Block(keys [][]byte, kind Kind, timeout time.Duration, onTimeout func(w *resp.Writer)) {
	c.blockWith(keys, kind, timeout, onTimeout, nil)
}

// blockWith is Block for a command that keeps state between its runs:
// state is stored when the client first blocks, and the command finds it,
// when it runs again, in Client.waiter.state (XREAD keeps the IDs "$"
// stood for when it blocked).
func (c *Ctx) blockWith(keys [][]byte, kind Kind, timeout time.Duration, onTimeout func(w *resp.Writer), state any) {
	cl := c.Client
	if cl.NoBlock {
		onTimeout(c.W)
		return
	}
	if cl.waiter == nil {
		w := &waiter{ready: make(chan struct{}, 1), db: c.DB.index, kind: kind, state: state}
		if timeout > 0 {
			w.deadline = time.Now().Add(timeout)
		}
		for _, k := range keys {
			if !slices.Contains(w.keys, string(k)) {
				w.keys = append(w.keys, string(k))
			}
		}
		c.ks.blocked.add(w)
		cl.waiter = w
	} else if kind == KindStream {
		c.ks.blocked.wakeNext(cl.waiter)
	}
	c.onTimeout = onTimeout
}

// blockedSource looks up key, which a blocking command pops from, as
// lookupAs does for a write: it returns the collection of kind at key, or
// the zero T when the key is absent, or writes WRONGTYPE and returns false.
// When the command runs again after its client blocked, a key holding
// another kind counts as absent instead: the client keeps waiting.
func blockedSource[T Collection](c *Ctx, key []byte, kind Kind) (T, bool) {
	if c.Client.waiter != nil {
		if e := c.Lookup(key); e != nil && e.Value.Kind() != kind {
			var zero T
			return zero, true
		}
	}
	return lookupAs[T](c, key, kind, false)
}

// SignalReady tells clients blocked on key in c.DB that it now holds a value
// of kind. Commands call it after adding elements to a list or sorted set;
// it costs nothing when no client is blocked.
func (c *Ctx) SignalReady(key []byte, kind Kind) { c.ks.signalReady(c.DB.index, key, kind) }

func (ks *Keyspace) signalReady(db int, key []byte, kind Kind) {
	if ks.blocked.count.Load() > 0 {
		ks.blocked.wakeFirst(blockKey{db, string(key)}, kind)
	}
}

// signalBlockedKeysLocked signals every key of d that a client waits on and
// that holds a list or a sorted set: SWAPDB calls it for both databases,
// whose keys changed under the clients blocked there. The caller holds
// every shard of d.
func (ks *Keyspace) signalBlockedKeysLocked(d *DB) {
	if ks.blocked.count.Load() == 0 {
		return
	}
	b := &ks.blocked
	b.mu.Lock()
	defer b.mu.Unlock()
	for bk := range b.queues {
		if bk.db != d.index {
			continue
		}
		if e := d.keys.FindLocked([]byte(bk.key)); e != nil && e.Value.awaited() {
			b.wakeFirstLocked(bk, e.Value.Kind())
		}
	}
}

// awaited reports whether blocking commands wait for values like v: lists,
// sorted sets and streams. A key that starts holding one is signalled.
func (v *Value) awaited() bool {
	k := v.Kind()
	return k == KindList || k == KindZSet || k == KindStream
}

// UnblockReason says why a parked client is being woken from outside.
type UnblockReason uint8

// The reasons for Client.Unblock.
const (
	// UnblockTimeout makes the command reply as if its timeout had passed.
	UnblockTimeout UnblockReason = iota + 1
	// UnblockError makes the command reply with an -UNBLOCKED error.
	UnblockError
	// UnblockClosed ends the command without a reply: the client is gone.
	UnblockClosed
)

// Unblock wakes cl if it is parked by a blocking command, as CLIENT UNBLOCK
// does, and reports whether it was. Safe to call from any goroutine.
func (cl *Client) Unblock(reason UnblockReason) bool {
	cl.blockMu.Lock()
	defer cl.blockMu.Unlock()
	if !cl.parked {
		return false
	}
	select {
	case cl.unblock <- reason:
	default: // already being woken
	}
	return true
}

// park waits, after a command called Block and released its locks, until
// the client should run the command again (true) or has been answered or is
// gone (false).
func (ks *Keyspace) park(cl *Client, w *resp.Writer, onTimeout func(*resp.Writer)) bool {
	wt := cl.waiter
	cl.blockMu.Lock()
	if cl.unblock == nil {
		cl.unblock = make(chan UnblockReason, 1)
	}
	select {
	case <-cl.unblock: // a stale request from an earlier park
	default:
	}
	cl.parked = true
	cl.blockMu.Unlock()
	defer func() {
		cl.blockMu.Lock()
		cl.parked = false
		cl.blockMu.Unlock()
	}()
	if cl.OnPark != nil {
		defer cl.OnPark()()
	}
	since := time.Now()
	defer func() { cl.Parked += time.Since(since) }()

	var timeout <-chan time.Time
	if !wt.deadline.IsZero() {
		t := time.NewTimer(time.Until(wt.deadline))
		defer t.Stop()
		timeout = t.C
	}
	var reason UnblockReason
	select {
	case <-wt.ready:
		return true
	case <-timeout:
		reason = UnblockTimeout
	case reason = <-cl.unblock:
	}
	ks.unpark(cl)
	switch reason {
	case UnblockTimeout:
		onTimeout(w)
	case UnblockError:
		w.WriteError("UNBLOCKED client unblocked via CLIENT UNBLOCK")
	}
	return false
}

// unpark takes cl out of the lines it waits in, if it is in any.
func (ks *Keyspace) unpark(cl *Client) {
	if cl.waiter != nil {
		ks.blocked.remove(cl.waiter)
		cl.waiter = nil
	}
}

// BlockedClients returns how many clients are parked by blocking commands.
func (ks *Keyspace) BlockedClients() int { return int(ks.blocked.count.Load()) }

// waiter is one client parked by a blocking command.
type waiter struct {
	ready    chan struct{} // holds a token when a key it waits on was signalled
	db       int
	kind     Kind // what it waits for: KindList, KindZSet or KindStream
	keys     []string
	deadline time.Time // zero: wait forever
	state    any       // the command's own, kept between its runs (see blockWith)
	signaled string    // the first key signalled since the last run; guarded by blockedClients.mu
	// groupGone says a stream an XREADGROUP waits on was deleted or
	// replaced; guarded by blockedClients.mu.
	groupGone bool
}

type blockKey struct {
	db  int
	key string
}

// blockedClients holds, per database and key, the parked clients in the
// order they blocked. Its mutex comes after shard locks in the lock order:
// it may be taken while holding them, never the other way round.
type blockedClients struct {
	mu     sync.Mutex
	queues map[blockKey][]*waiter
	count  atomic.Int64 // parked clients, so SignalReady is free when there are none
}

func (b *blockedClients) add(w *waiter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.queues == nil {
		b.queues = make(map[blockKey][]*waiter)
	}
	for _, k := range w.keys {
		bk := blockKey{w.db, k}
		b.queues[bk] = append(b.queues[bk], w)
	}
	b.count.Add(1)
}

// remove takes w out of every line and wakes whoever is now first in them
// among those waiting for the same kind, so a client leaving never strands
// the data it was woken for.
func (b *blockedClients) remove(w *waiter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range w.keys {
		bk := blockKey{w.db, k}
		q := slices.DeleteFunc(b.queues[bk], func(o *waiter) bool { return o == w })
		if len(q) == 0 {
			delete(b.queues, bk)
			continue
		}
		b.queues[bk] = q
		b.wakeFirstLocked(bk, w.kind)
	}
	b.count.Add(-1)
}

// wakeFirst wakes the first client in line for bk that waits for kind.
func (b *blockedClients) wakeFirst(bk blockKey, kind Kind) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.wakeFirstLocked(bk, kind)
}

func (b *blockedClients) wakeFirstLocked(bk blockKey, kind Kind) {
	for _, w := range b.queues[bk] {
		if w.kind == kind {
			w.signal(bk.key)
			return
		}
	}
}

// wakeNext wakes, on each key w waits on, the first client after w in
// line that waits for a stream. A stream reader that was woken and found
// nothing for it calls it (one that was served wakes the next as it
// leaves the line): reading a stream takes nothing from the readers
// behind, so each of them gets its turn, in the order they blocked.
func (b *blockedClients) wakeNext(w *waiter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range w.keys {
		q := b.queues[blockKey{w.db, k}]
		for i := slices.Index(q, w) + 1; i < len(q); i++ {
			if q[i].kind == KindStream {
				q[i].signal(k)
				break
			}
		}
	}
}

// valueGone is called before the value at key in d is deleted or replaced
// (DEL, expiry, RENAME, MOVE, a write over it). When it is a stream, the
// XREADGROUP clients blocked on it are woken to fail, as Redis unblocks
// them at once: their group went with the stream.
func (ks *Keyspace) valueGone(d *DB, key []byte, v *Value) {
	if ks.blocked.count.Load() == 0 || v.Kind() != KindStream {
		return
	}
	b := &ks.blocked
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := blockKey{d.index, string(key)}
	for _, w := range b.queues[bk] {
		if st, ok := w.state.(*xreadState); ok && st.group {
			w.groupGone = true
			w.signal(bk.key)
		}
	}
}

// takeGroupGone reports whether a stream w waits on went since it blocked
// (see valueGone).
func (b *blockedClients) takeGroupGone(w *waiter) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return w.groupGone
}

// signal wakes w for key, remembering the first key it was woken for
// (see takeSignaled). The caller holds blockedClients.mu.
func (w *waiter) signal(key string) {
	if w.signaled == "" {
		w.signaled = key
	}
	notify(w)
}

// takeSignaled returns the first key w was woken for since the last call,
// "" if none: a stream reader is served from it first, as Redis serves a
// blocked reader from the key made ready first.
func (b *blockedClients) takeSignaled(w *waiter) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := w.signaled
	w.signaled = ""
	return key
}

func notify(w *waiter) {
	select {
	case w.ready <- struct{}{}:
	default: // already woken
	}
}
