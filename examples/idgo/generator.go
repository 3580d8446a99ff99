package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Store keeps the generators' counters. A counter holds the highest ID any
// idgo process may have handed out: a lease of n IDs is INCRBY n, and the
// block is the n values up to its result. Every method must return only
// once the store has made the change durable (MyRedis with appendfsync
// always). Implementations are safe for concurrent use.
type Store interface {
	// Lease adds n to the counter of key and returns the new value.
	Lease(ctx context.Context, key string, n int64) (int64, error)
	// Raise makes the counter of key at least v: it creates the counter
	// with v, raises a lower one to v, and leaves one at or above v as it
	// is. It must be safe against concurrent leases by other processes: a
	// counter never goes down.
	Raise(ctx context.Context, key string, v int64) error
	// Exists reports whether the counter of key exists.
	Exists(ctx context.Context, key string) (bool, error)
	// Del removes the counter of key and reports whether it existed.
	Del(ctx context.Context, key string) (bool, error)
}

// errNotSet is Next's answer for a generator whose counter does not exist.
var errNotSet = errors.New("generator not set")

// A block is the IDs next..last; it is empty when next > last.
type block struct{ next, last int64 }

// empty reports whether the block has no ID left.
func (b block) empty() bool { return b.next > b.last }

// emptyBlock is a block with no ID.
var emptyBlock = block{1, 0}

// A storeOp is the one store operation a generator has in flight: a lease,
// or a SET or DEL. err is written before done is closed.
type storeOp struct {
	done chan struct{}
	err  error
	// prefetch: a lease started while IDs were left; late: a caller
	// waited for it all the same. late is guarded by the generator's mu.
	prefetch, late bool
}

// A Generator hands out the IDs of one key from leased blocks. Next serves
// from memory; when the current block is down to its low-water mark (or
// empty), one background lease takes the next block, so in steady state
// no caller waits on the store. The mark starts at a fifth of a block and
// doubles, up to a whole block, each time a caller finds the block empty
// while its successor's lease is still in flight: a generator served
// faster than the store acknowledges a lease starts its leases earlier. At most one store operation per generator
// is in flight, so leases are taken, and their blocks served, in the order
// of their INCRBY results: IDs handed out are strictly increasing. A block
// is served only after the store acknowledged its lease, so a crash loses
// at most the unserved rest and never repeats an ID.
//
// Its methods are safe for concurrent use. mu guards the fields below it
// and is never held across a store call.
type Generator struct {
	key   string
	store Store
	batch int64 // IDs per lease

	mu     sync.Mutex
	low    int64    // a lease starts when the current block has at most low IDs left
	known  bool     // the counter is believed to exist
	floor  int64    // the last ID of the newest block leased here; 0 after Del
	cur    block    // being served
	ahead  block    // leased in advance, served after cur
	flight *storeOp // the store operation in flight, nil if none
}

// NewGenerator returns a generator of key leasing batch IDs at a time. It
// hands out no ID before Set or MarkKnown.
func NewGenerator(store Store, key string, batch int64) *Generator {
	return &Generator{key: key, store: store, batch: batch, low: batch / 5, cur: emptyBlock, ahead: emptyBlock}
}

// MarkKnown records that the counter exists (the caller checked).
func (g *Generator) MarkKnown() {
	g.mu.Lock()
	g.known = true
	g.mu.Unlock()
}

// Next returns the next ID, or errNotSet when the counter does not exist,
// or the store's error when a lease it had to wait for failed.
func (g *Generator) Next(ctx context.Context) (int64, error) {
	g.mu.Lock()
	for {
		if g.cur.empty() && !g.ahead.empty() {
			g.cur, g.ahead = g.ahead, emptyBlock
		}
		if !g.cur.empty() {
			id := g.cur.next
			g.cur.next++
			if g.cur.last-g.cur.next < g.low && g.ahead.empty() && g.flight == nil {
				g.startLeaseLocked(true)
			}
			g.mu.Unlock()
			return id, nil
		}
		if !g.known && g.flight == nil {
			g.mu.Unlock()
			return 0, errNotSet
		}
		if g.flight == nil {
			g.startLeaseLocked(false)
		} else if g.flight.prefetch && !g.flight.late {
			// The prefetch came too late for this caller.
			g.flight.late = true
			g.low = min(2*g.low, g.batch)
		}
		op := g.flight
		g.mu.Unlock()
		select {
		case <-op.done:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		if op.err != nil {
			return 0, op.err
		}
		g.mu.Lock()
	}
}

// startLeaseLocked starts a lease in the background, a prefetch if IDs
// are left. g.mu is held, no store operation is in flight and g.known is
// true.
func (g *Generator) startLeaseLocked(prefetch bool) {
	op := &storeOp{done: make(chan struct{}), prefetch: prefetch}
	g.flight = op
	floor := g.floor
	go func() {
		hi, err := g.lease(context.Background(), floor)
		g.mu.Lock()
		if err == nil {
			g.ahead = block{hi - g.batch + 1, hi}
			g.floor = hi
		}
		g.flight = nil
		op.err = err
		g.mu.Unlock()
		close(op.done)
	}()
}

// lease leases a block and returns its last ID. A block starting at or
// below floor, an ID leased here before, means that another process
// deleted the counter and the INCRBY recreated it: the counter is raised
// back to floor and the block leased again, so that this process never
// repeats an ID (the other process's DEL is undone).
func (g *Generator) lease(ctx context.Context, floor int64) (int64, error) {
	hi, err := g.store.Lease(ctx, g.key, g.batch)
	if err != nil || hi-g.batch >= floor {
		return hi, err
	}
	if err := g.store.Raise(ctx, g.key, floor); err != nil {
		return 0, err
	}
	if hi, err = g.store.Lease(ctx, g.key, g.batch); err == nil && hi-g.batch < floor {
		err = fmt.Errorf("counter of %q is being deleted while this idgo serves it", g.key)
	}
	return hi, err
}

// Set is SET key n: the counter is raised to n when it is lower (or
// created with n), so that the next ID is n+1; a counter already at or
// above n (IDs up to it may have been leased) stays, as in idgo, so a SET
// never makes an ID repeat, and the next ID is above every one leased. The
// blocks held in memory are dropped: their IDs are never served.
func (g *Generator) Set(ctx context.Context, n int64) error {
	return g.reset(ctx, true, false, func() error { return g.store.Raise(ctx, g.key, n) })
}

// Del removes the counter and reports whether it existed; the blocks held
// in memory are dropped and Next answers errNotSet until the next Set.
func (g *Generator) Del(ctx context.Context) (bool, error) {
	var existed bool
	err := g.reset(ctx, false, true, func() (err error) {
		existed, err = g.store.Del(ctx, g.key)
		return err
	})
	return existed, err
}

// reset runs the store operation change as the generator's one operation
// in flight: it first waits for the operation in flight (a lease), so that
// no lease races with change in the store, and Next waits for change. The
// blocks are dropped; once change succeeded, known is set to exists and,
// with forget, the floor to 0 (a DEL here lets a later SET restart lower).
func (g *Generator) reset(ctx context.Context, exists, forget bool, change func() error) error {
	g.mu.Lock()
	for g.flight != nil {
		op := g.flight
		g.mu.Unlock()
		select {
		case <-op.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		g.mu.Lock()
	}
	op := &storeOp{done: make(chan struct{})}
	g.flight = op
	g.cur, g.ahead = emptyBlock, emptyBlock
	g.mu.Unlock()

	err := change()

	g.mu.Lock()
	g.flight = nil
	if err == nil {
		g.known = exists
		if forget {
			g.floor = 0
		}
	}
	g.mu.Unlock()
	close(op.done) // waiters in Next retry with the new state; op.err stays nil
	return err
}
