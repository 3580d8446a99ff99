package db

import (
	"errors"
	"slices"
	"sync"
	"time"

	"myredis/resp"
)

// FlagTakesGate marks a command whose Run takes the gate and the locks it
// needs itself, through an Atomic section (EVAL, FCALL): Exec neither
// enters the gate nor locks the command's keys, and settles no stamps for
// it. Inside EXEC it makes the transaction take the gate whole, since a
// script may reach keys it does not declare. It is not a Redis flag, so
// Names leaves it out.
const FlagTakesGate = FlagRunsInMulti << 1

// Errors of Atomic.Exec. Neither ran the command.
var (
	// ErrUndeclared: the command reaches a key whose shard the section
	// does not hold, or the whole keyspace, and the section has not
	// written yet: end it and run the whole section again, exclusively.
	ErrUndeclared = errors.New("db: the command reaches keys the atomic section does not hold")
	// ErrNotAtomic: the same after the section wrote, and the shards
	// could not be taken in time (or the command needs the whole
	// keyspace): the section cannot stay atomic if it goes on.
	ErrNotAtomic = errors.New("db: the atomic section cannot take the keys the command reaches")
)

// extraLockWait bounds how long an Atomic section that has written tries to
// take a shard it did not declare (see Atomic.Exec).
const extraLockWait = 50 * time.Millisecond

// atomicMode says how a section protects its commands.
type atomicMode uint8

const (
	// atomicDeclared: one gate stripe and the shards of the declared keys
	// are held; commands run as EXEC runs them with runLocked.
	atomicDeclared atomicMode = iota
	// atomicExclusive: the gate is held whole; each command locks its
	// keys, as a keyless EXEC runs them (runAlone).
	atomicExclusive
	// atomicNested: the section runs inside EXEC, which holds the gate
	// whole (see transactionLocks); its writes join the transaction's.
	atomicNested
)

// An Atomic is a section of commands that run as one atomic step for a
// client, as a transaction's do, with no call back into Keyspace.Exec: the
// commands a script calls. The caller opens it with Keyspace.BeginAtomic,
// runs commands with Exec, and must call End (deferred, so that a panic
// unwinds it too).
//
// The section protects its commands in one of three ways. Declared: it
// holds a stripe of the gate and the shards of the keys it declared, in the
// global order, so that it runs concurrently with commands on other keys;
// a command that reaches a shard the section does not hold is refused with
// ErrUndeclared before the section has written (the caller restarts the
// whole section exclusively: nothing observable has happened), and
// afterwards the section tries, without waiting out of order, to take that
// shard (ErrNotAtomic if it cannot). Exclusive: it holds the gate whole, as
// a keyless EXEC does, and every command may go anywhere. Nested: inside
// EXEC, whose transaction already has the keyspace to itself.
//
// The commands run as the section's own Client, which starts in the
// caller's database: a SELECT changes that client only. Their writes are
// collected and, at End, handed to the write hooks: one write alone, more
// as one MULTI … EXEC block, as Redis 7 propagates a script's effects
// (inside EXEC they join the transaction's block instead).
//
// An Atomic is used by one goroutine at a time; its zero value is ready
// for BeginAtomic, and reusing it between sections reuses its buffers.
type Atomic struct {
	ks     *Keyspace
	caller *Client
	cl     Client // the client the section's commands run as
	mode   atomicMode
	// declared are the shards of the declared keys, in locking order;
	// held in declared mode. extra are the shards taken later.
	declared, extra []shardLock
	stripe          *sync.RWMutex
	// txn collects the writes (its writes, arena and argv are reused).
	txn transaction
	// noLog: the writes are applied but not logged (redis.set_repl).
	noLog bool
	// dirty: a command that writes or may replicate has run (or was
	// about to). escaped: a command reached beyond the declared shards.
	dirty, escaped bool
	// trackKeys are the declared keys while the caller tracks its reads
	// and the section has not read yet (they alias the caller's
	// arguments, alive for the section).
	trackKeys [][]byte
}

// BeginAtomic opens the section a for caller, whose declared keys (in the
// caller's database, aliasing nothing after the call) are keys: exclusive
// asks for the whole keyspace; otherwise the keys' shards are locked.
// Inside EXEC the section is nested whatever exclusive says. now is the
// unix time in milliseconds every command of the section reads, as a
// script's commands all see the time the script started.
//
// While the locks are held by a script that is busy (see SetScriptWait),
// BeginAtomic gives up and returns the error whose text is the reply; the
// section is then not open, and End must not be called.
func (ks *Keyspace) BeginAtomic(a *Atomic, caller *Client, keys [][]byte, exclusive bool, now int64) error {
	a.ks, a.caller = ks, caller
	a.cl.ID, a.cl.DB, a.cl.Ext, a.cl.NoTouch = caller.ID, caller.DB, caller.Ext, caller.NoTouch
	a.cl.NoBlock = true // blocking commands answer at once, as in Redis's scripts
	a.cl.Now = now
	a.cl.atomic = a
	a.txn.begin()
	a.noLog, a.dirty, a.escaped = false, false, false
	a.trackKeys = nil
	if caller.trackReads && len(keys) > 0 {
		a.trackKeys = keys
	}
	a.extra = a.extra[:0]
	a.declared = a.declared[:0]
	d := ks.dbs[caller.DB]
	for _, k := range keys {
		a.declared = append(a.declared, shardLock{caller.DB, d.keys.ShardOf(k)})
	}
	slices.SortFunc(a.declared, compareShardLocks)
	a.declared = slices.Compact(a.declared)

	switch {
	case caller.multi != nil && caller.multi.running:
		a.mode = atomicNested
	case exclusive:
		a.mode = atomicExclusive
		if err := ks.lockAllWait(); err != nil {
			return err
		}
	default:
		a.mode = atomicDeclared
		stripe, err := ks.enterGateWait(caller.ID)
		if err != nil {
			return err
		}
		a.stripe = stripe
		for i, l := range a.declared {
			if err := ks.lockShardWait(l); err != nil {
				for _, h := range a.declared[:i] {
					ks.dbs[h.db].keys.UnlockShard(h.shard)
				}
				stripe.RUnlock()
				a.stripe = nil
				return err
			}
			if ks.snap.active.Load() {
				ks.dumpShardLocked(ks.dbs[l.db], l.shard)
			}
		}
	}
	return nil
}

func compareShardLocks(a, b shardLock) int {
	if a.db != b.db {
		return a.db - b.db
	}
	return a.shard - b.shard
}

// Exec runs cmd (found with Table.Lookup, so its arity is checked) with
// args in the section and writes its reply to w. It returns ErrUndeclared
// or ErrNotAtomic, without running cmd, when the section cannot cover what
// cmd reaches (see Atomic).
func (a *Atomic) Exec(cmd *Command, args [][]byte, w *resp.Writer) error {
	covered := a.covers(cmd, args)
	if !covered {
		a.escaped = true
		if a.mode == atomicDeclared {
			if !a.dirty {
				return ErrUndeclared
			}
			if err := a.takeMissing(cmd, args); err != nil {
				return err
			}
		}
	}
	if cmd.Flags&(FlagWrite|FlagMayReplicate) != 0 {
		a.dirty = true
	}
	mode := runAlone
	if a.mode == atomicDeclared {
		mode = runLocked
	}
	now := a.cl.Now
	a.ks.run(&a.cl, cmd, args, w, mode)
	a.cl.Now = now // run leaves it, but keep it whatever a command does
	if a.trackKeys != nil && cmd.Flags&FlagReadonly != 0 {
		// A script that reads makes its caller track the keys it
		// declared, as in Redis; recorded now, under the section's locks.
		if a.caller.tracksNow() {
			a.ks.RememberKeys(a.caller, a.trackKeys)
		}
		a.trackKeys = nil
	}
	return nil
}

// wholeKeyspace reports whether cmd may touch any key, not only those it
// names: the commands that lock for themselves, and those that read or
// write without naming keys (DBSIZE, RANDOMKEY, FLUSHALL...).
func wholeKeyspace(cmd *Command) bool {
	return cmd.Flags&(FlagOwnLocks|FlagTakesGate) != 0 ||
		cmd.Flags&(FlagWrite|FlagReadonly) != 0 && !cmd.HasKeys()
}

// covers reports whether every key cmd names lives in a shard the section
// declared or has taken since.
func (a *Atomic) covers(cmd *Command, args [][]byte) bool {
	if wholeKeyspace(cmd) {
		return false
	}
	d := a.ks.dbs[a.cl.DB]
	a.cl.keyBuf = cmd.Keys(a.cl.keyBuf[:0], args)
	for _, k := range a.cl.keyBuf {
		l := shardLock{a.cl.DB, d.keys.ShardOf(k)}
		if !slices.Contains(a.declared, l) && !slices.Contains(a.extra, l) {
			return false
		}
	}
	return true
}

// takeMissing takes, in declared mode, the shards cmd reaches that the
// section does not hold. The section holds shards already, so it may not
// wait for another out of the global order: it tries each for at most
// extraLockWait, and gives back what it took when one stays held.
func (a *Atomic) takeMissing(cmd *Command, args [][]byte) error {
	if wholeKeyspace(cmd) {
		return ErrNotAtomic
	}
	d := a.ks.dbs[a.cl.DB]
	a.cl.keyBuf = cmd.Keys(a.cl.keyBuf[:0], args)
	taken := len(a.extra)
	deadline := time.Now().Add(extraLockWait)
	for _, k := range a.cl.keyBuf {
		l := shardLock{a.cl.DB, d.keys.ShardOf(k)}
		if slices.Contains(a.declared, l) || slices.Contains(a.extra, l) {
			continue
		}
		for !d.keys.TryLockShard(l.shard) {
			if time.Now().After(deadline) {
				for _, t := range a.extra[taken:] {
					a.ks.dbs[t.db].keys.UnlockShard(t.shard)
				}
				a.extra = a.extra[:taken]
				return ErrNotAtomic
			}
			time.Sleep(20 * time.Microsecond)
		}
		if a.ks.snap.active.Load() {
			a.ks.dumpShardLocked(d, l.shard)
		}
		a.extra = append(a.extra, l)
	}
	return nil
}

// collect keeps one write of the section's commands for End.
func (a *Atomic) collect(db int, args [][]byte) {
	a.dirty = true
	a.ks.stats.Dirty.Add(1)
	if !a.noLog {
		a.txn.writes = append(a.txn.writes, Write{db, a.txn.clone(args)})
	}
}

// SetLogging says whether the section's writes from now on are handed to
// the write hooks (on by default), as redis.set_repl does with REPL_AOF.
func (a *Atomic) SetLogging(on bool) { a.noLog = !on }

// Dirty reports whether a command that writes or may replicate has run in
// the section (a script that has written can no longer be killed, or
// restarted).
func (a *Atomic) Dirty() bool { return a.dirty }

// Escaped reports whether a command reached beyond the declared keys'
// shards (or the whole keyspace); in exclusive mode that is allowed, and
// the caller learns whether the section would have fitted declared mode.
func (a *Atomic) Escaped() bool { return a.escaped }

// Exclusive reports whether the section has the keyspace to itself
// (exclusive or nested).
func (a *Atomic) Exclusive() bool { return a.mode != atomicDeclared }

// DB returns the database the section's commands run in now.
func (a *Atomic) DB() int { return a.cl.DB }

// End hands the section's writes on (to the write hooks, or to the
// enclosing transaction), records their stamp where the caller's reply will
// wait for it (Client.Observed), and releases what BeginAtomic took.
func (a *Atomic) End() {
	ks, writes := a.ks, a.txn.writes
	var stamp uint64
	switch {
	case a.mode == atomicNested:
		t := a.caller.multi
		for _, w := range writes {
			t.writes = append(t.writes, Write{w.DB, t.clone(w.Args)})
		}
	case len(writes) == 1:
		stamp = ks.logWrite(writes[0].DB, writes[0].Args)
	case len(writes) > 1:
		stamp = ks.propagateTx(writes)
	}
	switch a.mode {
	case atomicExclusive:
		a.caller.Observed = max(a.caller.Observed, ks.settleTxLocked(stamp, nil, true))
		ks.gate.unlockAll()
	case atomicDeclared:
		locks := append(a.declared, a.extra...)
		a.caller.Observed = max(a.caller.Observed, ks.settleTxLocked(stamp, locks, false))
		for _, l := range locks {
			ks.dbs[l.db].keys.UnlockShard(l.shard)
		}
		a.declared = locks[:0]
		a.extra = a.extra[:0]
		a.stripe.RUnlock()
		a.stripe = nil
	}
	a.txn.begin()
	a.caller = nil
	a.cl.Ext = nil
}
