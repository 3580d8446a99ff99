package main

import (
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"myredis/aof"
	"myredis/config"
	"myredis/db"
)

// persistence owns the append-only file while the server runs. It opens and
// loads it at start-up, turns it on and off for CONFIG SET appendonly,
// changes its fsync policy for CONFIG SET appendfsync, rewrites it for
// BGREWRITEAOF and auto-aof-rewrite-*, and is the server's Persistence.
//
// Each time the AOF is turned on it is a new generation: a new aof.AOF
// whose writes carry the stamps base+seq (see db.Keyspace.OnWrite), each
// generation's base far above the last one's, so stamps grow across them
// and a stamp names the generation that logged it. Safe for concurrent use.
type persistence struct {
	cfg *config.Config
	ks  *db.Keyspace
	log *slog.Logger

	cur atomic.Pointer[generation] // nil while appendonly is off

	mu       sync.Mutex    // serialises turning on and off; guards the fields below
	retiring []*generation // turned off, still closing: their writes become durable or fail
	gens     uint64        // generations made so far
}

// A generation is one aof.AOF, from being turned on to being turned off.
type generation struct {
	a    *aof.AOF
	base uint64 // a write's stamp is base + its sequence number
	// live: writes are logged. A generation turned on while serving
	// becomes live at the instant of its base's snapshot.
	live atomic.Bool
}

// generationSpan separates the stamps of two generations: 2^40 writes.
const generationSpan = 1 << 40

// newPersistence returns the AOF's owner for ks and installs the keyspace's
// write hooks and the config appliers: call it before serving. The AOF is
// off until open or CONFIG SET appendonly yes.
func newPersistence(cfg *config.Config, ks *db.Keyspace, logger *slog.Logger) *persistence {
	p := &persistence{cfg: cfg, ks: ks, log: logger}
	ks.OnWrite(func(db int, args [][]byte) uint64 {
		g := p.cur.Load()
		switch {
		case g == nil:
			return 0
		case !g.live.Load():
			return g.base // in the base being written: durable with it
		}
		return g.base + g.a.Append(db, args)
	})
	ks.OnTransaction(func(writes []db.Write) uint64 {
		g := p.cur.Load()
		switch {
		case g == nil:
			return 0
		case !g.live.Load():
			return g.base
		}
		tx := make([]aof.Write, len(writes))
		for i, w := range writes {
			tx[i] = aof.Write{DB: w.DB, Args: w.Args}
		}
		return g.base + g.a.AppendTx(tx)
	})
	cfg.OnApply([]string{"appendonly"}, p.applyAppendOnly)
	cfg.OnApply([]string{"appendfsync"}, p.applyFsync)
	return p
}

// openAOF opens the configured append-only file, to be loaded with load.
func (p *persistence) openAOF() (*aof.AOF, error) {
	return aof.Open(aof.Options{
		Dir: p.cfg.Dir(), Dirname: p.cfg.AppendDirname(), Filename: p.cfg.AppendFilename(),
		Fsync: p.cfg.AppendFsync(), LoadTruncated: p.cfg.AOFLoadTruncated(), Logger: p.log,
	})
}

// newGenerationLocked makes a the current generation. The caller holds p.mu.
func (p *persistence) newGenerationLocked(a *aof.AOF) *generation {
	p.gens++
	g := &generation{a: a, base: p.gens * generationSpan}
	p.cur.Store(g)
	return g
}

// open opens the AOF at start-up, for load.
func (p *persistence) open() error {
	a, err := p.openAOF()
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.newGenerationLocked(a).live.Store(true) // nothing propagates until loading ends
	return nil
}

// load replays the AOF opened by open into the keyspace, which is loading,
// then starts appending, ends loading and deletes the keys whose deadline
// passed while the server was down (their DELs go to the log).
func (p *persistence) load() error {
	a := p.cur.Load().a
	stats, err := loadWithLessGC(a, replayer(p.ks))
	if err != nil {
		return err
	}
	rate := float64(stats.Commands) / max(stats.Duration.Seconds(), 1e-9)
	p.log.Info("append-only file loaded", "files", stats.Files, "commands", stats.Commands,
		"bytes", stats.Bytes, "duration", stats.Duration.Round(time.Millisecond), "commands_per_sec", int64(rate))
	if err := a.Start(); err != nil {
		return err
	}
	if p.cfg.AppendFsync() == aof.FsyncAlways && !a.SyncsAsync() && runtime.GOMAXPROCS(0) < 2 {
		// Without asynchronous fsync the AOF writer spends much of its
		// time blocked in fsync, holding its P until the runtime hands
		// it to another thread; a second P keeps commands running
		// meanwhile. On one CPU: redis-benchmark SET under always went
		// from 0.67-0.72 of Redis to 0.87-0.88 at -P 1.
		runtime.GOMAXPROCS(2)
		p.log.Info("appendfsync always on one CPU without asynchronous fsync: running with GOMAXPROCS 2")
	}
	p.ks.SetLoading(false)
	if n := p.ks.ExpirePassed(); n > 0 {
		p.log.Info("deleted keys whose deadline passed while the server was down", "keys", n)
	}
	return nil
}

// applyAppendOnly puts CONFIG SET appendonly into effect. Turning the AOF
// on opens it (an error fails CONFIG SET) and writes a new base from the
// dataset in the background; writes from the base's instant on are logged,
// and none is acknowledged as durable before the base is. Turning it off
// stops logging now and closes the file (after flushing and fsyncing what
// was logged) once the commands in flight are done.
func (p *persistence) applyAppendOnly() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.cur.Load()
	switch on := p.cfg.AppendOnly(); {
	case on && cur == nil:
		a, err := p.openAOF()
		if err != nil {
			p.log.Warn("cannot turn the append-only file on", "err", err)
			return err
		}
		g := p.newGenerationLocked(a)
		snapshot := func(rotate func(), emit func(db int, args [][]byte)) error {
			// At the instant of the snapshot, with every command
			// held back, the writes start going to the new file.
			return p.ks.Snapshot(func() { rotate(); g.live.Store(true) }, emit)
		}
		if err := a.StartFresh(snapshot, func(err error) { p.freshDone(g, err) }); err != nil {
			p.cur.Store(nil)
			a.Close()
			return err
		}
		p.log.Info("append-only file turned on: writing its base in the background")
	case !on && cur != nil:
		p.cur.Store(nil)
		p.retiring = append(p.retiring, cur)
		go p.retire(cur)
	}
	return nil
}

// freshDone learns how the base of a generation turned on while serving
// ended. If it failed, the AOF cannot be trusted: it is turned off again,
// and CONFIG GET appendonly says so.
func (p *persistence) freshDone(g *generation, err error) {
	if err == nil {
		p.log.Info("append-only file base written: the append-only file is on")
		return
	}
	p.log.Error("the append-only file could not be turned on; turning it off", "err", err)
	if p.cur.Load() == g {
		if err := p.cfg.Set([][2]string{{"appendonly", "no"}}); err != nil {
			p.log.Error("cannot turn the append-only file off", "err", err)
		}
	}
}

// retire closes a generation turned off, once every command that may still
// append to it has finished, then forgets it. One whose last writes could
// not be made durable is kept, so that their waiters learn it.
func (p *persistence) retire(g *generation) {
	p.ks.Barrier()
	if err := g.a.Close(); err != nil {
		p.log.Error("closing the append-only file", "err", err)
		return
	}
	p.log.Info("append-only file turned off")
	p.mu.Lock()
	p.retiring = slices.DeleteFunc(p.retiring, func(r *generation) bool { return r == g })
	p.mu.Unlock()
}

// applyFsync puts CONFIG SET appendfsync into effect for the writes logged
// from now on.
func (p *persistence) applyFsync() error {
	if g := p.cur.Load(); g != nil {
		return g.a.SetFsync(p.cfg.AppendFsync())
	}
	return nil
}

// WaitDurable waits until the write with stamp, and every write of its
// generation before it, is as durable as the generation's fsync policy
// promises; the stamp base itself, given to the writes a new generation's
// base holds, waits for that base. A write of a generation turned off waits
// for its file to be closed (flushed and fsynced); of one already closed,
// it returns at once.
func (p *persistence) WaitDurable(stamp uint64) error {
	if g := p.cur.Load(); g != nil && stamp >= g.base {
		return g.a.WaitDurable(stamp - g.base)
	}
	p.mu.Lock()
	var owner *generation
	for _, r := range p.retiring {
		if stamp >= r.base && (owner == nil || r.base > owner.base) {
			owner = r
		}
	}
	p.mu.Unlock()
	if owner == nil {
		return nil // its generation was closed, everything in it durable
	}
	return owner.a.WaitDurable(stamp - owner.base)
}

// Err returns why writes cannot be logged now, nil when they can (or the
// AOF is off).
func (p *persistence) Err() error {
	if g := p.cur.Load(); g != nil {
		return g.a.Err()
	}
	return nil
}

// errAOFOff is BGREWRITEAOF's error while the AOF is off.
var errAOFOff = errors.New("Background append only file rewriting is disabled: appendonly is off")

// Rewrite starts a background rewrite whose base is a point-in-time
// snapshot of the keyspace.
func (p *persistence) Rewrite() error {
	g := p.cur.Load()
	if g == nil {
		return errAOFOff
	}
	return g.a.Rewrite(p.ks.Snapshot)
}

// Info returns the AOF's INFO persistence fields, or nil while it is off.
func (p *persistence) Info() [][2]string {
	g := p.cur.Load()
	if g == nil {
		return nil
	}
	var out [][2]string
	for _, f := range g.a.Info() {
		out = append(out, [2]string{f.Name, f.Value})
	}
	return out
}

// autoRewrite starts a rewrite whenever the log has grown past
// auto-aof-rewrite-percentage of its base (and auto-aof-rewrite-min-size),
// checking once a second until stop is closed.
func (p *persistence) autoRewrite(stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		g := p.cur.Load()
		if g == nil {
			continue
		}
		if pct := p.cfg.AutoAOFRewritePercentage(); pct > 0 && g.a.NeedsRewrite(pct, p.cfg.AutoAOFRewriteMinSize()) {
			p.log.Info("starting automatic append-only file rewrite")
			if err := g.a.Rewrite(p.ks.Snapshot); err != nil && err != aof.ErrRewriteInProgress {
				p.log.Warn("automatic rewrite failed to start", "err", err)
			}
		}
	}
}

// Close turns the AOF off at shutdown: every acknowledged write is already
// in the file; this flushes and fsyncs the rest. It returns the error that
// kept the last writes from being durable.
func (p *persistence) Close() error {
	p.mu.Lock()
	g := p.cur.Swap(nil)
	retiring := slices.Clone(p.retiring)
	p.mu.Unlock()
	var errs []error
	if g != nil {
		errs = append(errs, g.a.Close())
	}
	for _, r := range retiring {
		errs = append(errs, r.a.Close()) // Close again returns the first result
	}
	return errors.Join(errs...)
}
