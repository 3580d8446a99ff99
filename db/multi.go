package db

import (
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"myredis/resp"
)

var (
	multiName = []byte("MULTI")
	execName  = []byte("EXEC")
)

// transaction is a client's state between MULTI and EXEC or DISCARD.
type transaction struct {
	queue   []queued
	failed  bool    // a command could not be queued: EXEC aborts
	running bool    // EXEC is running the queue
	writes  []Write // what the running queue wrote, propagated when it ends
	// arena holds the bytes of queued arguments and of writes, and argv the
	// queued commands' argument slices: a client's transactions reuse them,
	// and the queue and writes slices.
	arena []byte
	argv  [][]byte
}

// begin makes t an empty transaction, keeping its buffers.
func (t *transaction) begin() {
	clear(t.queue)
	clear(t.writes)
	clear(t.argv)
	*t = transaction{queue: t.queue[:0], writes: t.writes[:0], arena: t.arena[:0], argv: t.argv[:0]}
}

// clone copies args into the arena and argv. Earlier copies stay valid
// when these grow: they keep the arrays they were made in.
func (t *transaction) clone(args [][]byte) [][]byte {
	first := len(t.argv)
	for _, a := range args {
		t.arena = append(t.arena, a...)
		end := len(t.arena)
		t.argv = append(t.argv, t.arena[end-len(a):end:end])
	}
	return t.argv[first:len(t.argv):len(t.argv)]
}

type queued struct {
	cmd  *Command
	args [][]byte
}

// watchedKey is one key a client WATCHes.
type watchedKey struct {
	bk blockKey
	// expired: the key was already past its deadline (but not yet
	// reclaimed) when watched; otherwise its expiry before EXEC aborts it.
	expired bool
}

// InMulti reports whether cl is between MULTI and EXEC/DISCARD.
func (cl *Client) InMulti() bool { return cl.multi != nil }

// FailMulti marks cl's transaction as failed, so EXEC answers EXECABORT: the
// server calls it when a command cannot even be queued (unknown command,
// wrong arity, refused).
func (cl *Client) FailMulti() {
	if cl.multi != nil {
		cl.multi.failed = true
	}
}

// Queued returns the commands queued in cl's transaction with their
// arguments (which stay valid until the transaction ends), for an executor
// that runs the transaction elsewhere (the cluster router).
func (cl *Client) Queued() (cmds []*Command, args [][][]byte) {
	if cl.multi == nil {
		return nil, nil
	}
	for _, q := range cl.multi.queue {
		cmds = append(cmds, q.cmd)
		args = append(args, q.args)
	}
	return cmds, args
}

// MultiMemory returns about how many bytes cl's queued transaction holds:
// its arguments and their slice headers (CLIENT LIST's multi-mem).
func (cl *Client) MultiMemory() int {
	if cl.multi == nil {
		return 0
	}
	t := cl.multi
	return len(t.arena) + len(t.argv)*int(unsafe.Sizeof(t.argv[0])) + len(t.queue)*int(unsafe.Sizeof(queued{}))
}

// Watching reports whether cl WATCHes any key.
func (cl *Client) Watching() bool { return len(cl.watching) > 0 }

// WatchTouched reports whether a key cl watches was changed since WATCH
// (Redis's dirty CAS flag, CLIENT LIST's d). Safe for concurrent use.
func (cl *Client) WatchTouched() bool { return cl.casDirty.Load() }

// MultiFailed reports whether cl's transaction will abort with EXECABORT.
func (cl *Client) MultiFailed() bool { return cl.multi != nil && cl.multi.failed }

// Discard drops cl's transaction, if any, forgets the keys it watches and
// takes it out of the lines of blocked clients: DISCARD, RESET, and a
// connection that closes (or whose command panicked).
func (ks *Keyspace) Discard(cl *Client) {
	cl.multi = nil
	ks.unwatchAll(cl)
	ks.unpark(cl)
}

// Queue adds a command to cl's transaction and replies +QUEUED, or refuses a
// command that may not run in a transaction (and fails the transaction).
// The arguments are copied: they outlive the read buffer.
func (ks *Keyspace) Queue(cl *Client, cmd *Command, args [][]byte, w *resp.Writer) {
	if cmd.Flags&FlagNoMulti != 0 {
		cl.FailMulti()
		w.WriteError("ERR Command not allowed inside a transaction")
		return
	}
	cl.multi.queue = append(cl.multi.queue, queued{cmd, cl.multi.clone(args)})
	w.WriteSimple("QUEUED")
}

// RunsInMulti reports whether cmd runs at once inside MULTI instead of being
// queued: the transaction's own commands, QUIT and RESET.
func (c *Command) RunsInMulti() bool { return c.Flags&FlagRunsInMulti != 0 }

// Queues decides whether cmd, sent by cl, goes into cl's transaction (Queue)
// rather than running now (Exec). The server, the AOF replayer and the
// tests all decide with it.
func (cl *Client) Queues(cmd *Command) bool { return cl.multi != nil && !cmd.RunsInMulti() }

// FlagRunsInMulti marks the commands that RunsInMulti reports. It is not a
// Redis flag, so Names leaves it out.
const FlagRunsInMulti = FlagOwnLocks << 1

func registerMulti(t *Table) {
	reg := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags | FlagRunsInMulti | FlagNoScript | FlagLoading | FlagStale,
			Group: "transactions", Since: since, Summary: summary, Run: run})
	}
	reg("multi", 1, FlagFast|FlagAllowBusy, "1.2.0", "Starts a transaction.", func(c *Ctx) {
		if c.Client.multi != nil {
			c.W.WriteError("ERR MULTI calls can not be nested")
			return
		}
		c.Client.txn.begin()
		c.Client.multi = &c.Client.txn
		c.WriteOK()
	})
	reg("discard", 1, FlagFast|FlagAllowBusy, "2.0.0", "Discards a transaction.", func(c *Ctx) {
		if c.Client.multi == nil {
			c.W.WriteError("ERR DISCARD without MULTI")
			return
		}
		c.ks.Discard(c.Client)
		c.WriteOK()
	})
	// EXEC's Run is never called: Keyspace.Exec runs execTransaction.
	reg("exec", 1, FlagSkipSlowlog, "1.2.0", "Runs the commands of a transaction.", nil)
	t.Register(&Command{Name: "watch", Arity: -2, Flags: FlagRunsInMulti | FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy,
		Group: "transactions", Since: "2.2.0",
		Summary: "Makes the next transaction run only if the keys stay unchanged.", Run: watch})
	t.Register(&Command{Name: "unwatch", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy,
		Group: "transactions", Since: "2.2.0", Summary: "Forgets the keys watched.", Run: func(c *Ctx) {
			c.ks.unwatchAll(c.Client)
			c.WriteOK()
		}})
}

func watch(c *Ctx) {
	if c.Client.multi != nil {
		c.W.WriteError("ERR WATCH inside MULTI is not allowed")
		return
	}
	for _, key := range c.Args[1:] {
		bk := blockKey{c.DB.index, string(key)}
		if slices.ContainsFunc(c.Client.watching, func(w watchedKey) bool { return w.bk == bk }) {
			continue
		}
		// WATCH does not reclaim an expired key: it only notes it.
		e := c.DB.keys.FindLocked(key)
		expired := e != nil && expired(c.DB, e, c.Now)
		c.Client.watching = append(c.Client.watching, watchedKey{bk, expired})
		c.ks.watched.add(bk, c.Client, expired)
	}
	c.WriteOK()
}

// execTransaction runs cl's queued commands as one atomic step: no other
// client's command runs in between. If every queued command declares its
// keys, those keys' shards (in every database the queue touches) are locked
// for the whole transaction; otherwise the transaction takes the gate
// exclusively. Watched keys are checked once the locks are held.
func (ks *Keyspace) execTransaction(cl *Client, w *resp.Writer) {
	t := cl.multi
	if t == nil {
		w.WriteError("ERR EXEC without MULTI")
		return
	}
	cl.multi = nil
	if t.failed {
		ks.unwatchAll(cl)
		w.WriteError("EXECABORT Transaction discarded because of previous errors.")
		return
	}

	locks, exclusive := ks.transactionLocks(cl, t.queue)
	mode := runLocked
	// A transaction waiting for a busy script's locks is discarded, as
	// Redis refuses an EXEC while a script is busy.
	abort := func(err error) {
		ks.unwatchAll(cl)
		w.WriteError("EXECABORT Transaction discarded because of: " + err.Error())
	}
	if exclusive {
		if err := ks.lockAllWait(); err != nil {
			abort(err)
			return
		}
		defer ks.gate.unlockAll()
		mode = runAlone
	} else {
		m, err := ks.enterGateWait(cl.ID)
		if err != nil {
			abort(err)
			return
		}
		defer m.RUnlock()
		for i, l := range locks {
			if err := ks.lockShardWait(l); err != nil {
				for _, h := range locks[:i] {
					ks.dbs[h.db].keys.UnlockShard(h.shard)
				}
				abort(err)
				return
			}
			if ks.snap.active.Load() {
				ks.dumpShardLocked(ks.dbs[l.db], l.shard)
			}
		}
		defer func() {
			for _, l := range locks {
				ks.dbs[l.db].keys.UnlockShard(l.shard)
			}
		}()
	}
	if ks.watchBroken(cl) {
		ks.unwatchAll(cl)
		w.WriteNullArray()
		return
	}
	ks.unwatchAll(cl)

	t.running = true
	cl.NoBlock = true
	defer func() { // also when a command panics: what ran is logged
		cl.multi = nil
		cl.NoBlock = false
		var stamp uint64
		if len(t.writes) > 0 {
			stamp = ks.propagateTx(t.writes)
		}
		cl.Observed = max(cl.Observed, ks.settleTxLocked(stamp, locks, exclusive))
	}()
	w.WriteArray(len(t.queue))
	for _, q := range t.queue {
		cl.multi = t // commands see the transaction (Propagate wraps it in MULTI/EXEC)
		ks.run(cl, q.cmd, q.args, w, mode)
		if cl.OnQueuedRun != nil {
			cl.OnQueuedRun(q.cmd, cl.DB, q.args)
		}
	}
}

// shardLock names one shard of one database.
type shardLock struct{ db, shard int }

// transactionLocks returns the shards the queued commands' keys live in, in
// locking order, or exclusive when some command does not declare its keys
// (FLUSHALL, KEYS, SWAPDB, MOVE...) and so needs the keyspace to itself.
// The watched keys are included, since EXEC reads them.
func (ks *Keyspace) transactionLocks(cl *Client, queue []queued) (locks []shardLock, exclusive bool) {
	db := cl.DB
	locks = cl.txLocks[:0]
	defer func() { cl.txLocks = locks }()
	add := func(d int, key []byte) {
		locks = append(locks, shardLock{d, ks.dbs[d].keys.ShardOf(key)})
	}
	for _, w := range cl.watching {
		add(w.bk.db, []byte(w.bk.key))
	}
	for _, q := range queue {
		switch {
		case q.cmd.Name == "select":
			if n, ok := ParseInt(q.args[1]); ok && n >= 0 && n < int64(len(ks.dbs)) {
				db = int(n)
			}
		case q.cmd.Flags&(FlagOwnLocks|FlagTakesGate) != 0:
			// A script may reach keys it does not declare: it runs
			// nested in a transaction that has the keyspace to itself.
			return nil, true
		case q.cmd.Flags&(FlagWrite|FlagReadonly) != 0 && !q.cmd.HasKeys():
			return nil, true // touches the keyspace without naming keys (DBSIZE, RANDOMKEY...)
		}
		cl.keyBuf = q.cmd.Keys(cl.keyBuf[:0], q.args)
		for _, k := range cl.keyBuf {
			add(db, k)
		}
	}
	slices.SortFunc(locks, func(a, b shardLock) int {
		if a.db != b.db {
			return a.db - b.db
		}
		return a.shard - b.shard
	})
	return slices.Compact(locks), false
}

// watchBroken reports whether a key cl watches changed, or expired, since
// WATCH. The caller holds the watched keys' locks.
func (ks *Keyspace) watchBroken(cl *Client) bool {
	if cl.casDirty.Load() {
		return true
	}
	now := nowMillis()
	for _, w := range cl.watching {
		if w.expired {
			continue
		}
		d := ks.dbs[w.bk.db]
		if e := d.keys.FindLocked([]byte(w.bk.key)); e != nil && expired(d, e, now) {
			return true
		}
	}
	return false
}

// watchedKeys records, per database and key, the clients that WATCH it.
type watchedKeys struct {
	mu      sync.Mutex
	clients map[blockKey][]watcher
	count   atomic.Int64 // registrations, so writes skip all this when there are none
}

// watcher is one client's WATCH of a key. expired: the key was already past
// its deadline at WATCH, so, as in Redis 7, deleting it changes nothing
// logically and does not fail the transaction; any other write does.
type watcher struct {
	cl      *Client
	expired bool
}

func (wk *watchedKeys) add(bk blockKey, cl *Client, expired bool) {
	wk.mu.Lock()
	defer wk.mu.Unlock()
	if wk.clients == nil {
		wk.clients = make(map[blockKey][]watcher)
	}
	wk.clients[bk] = append(wk.clients[bk], watcher{cl, expired})
	wk.count.Add(1)
}

// unwatchAll forgets every key cl watches and clears its dirty flag.
func (ks *Keyspace) unwatchAll(cl *Client) {
	if len(cl.watching) > 0 {
		wk := &ks.watched
		wk.mu.Lock()
		for _, w := range cl.watching {
			list := slices.DeleteFunc(wk.clients[w.bk], func(o watcher) bool { return o.cl == cl })
			if len(list) == 0 {
				delete(wk.clients, w.bk)
			} else {
				wk.clients[w.bk] = list
			}
		}
		wk.count.Add(-int64(len(cl.watching)))
		wk.mu.Unlock()
		cl.watching = cl.watching[:0]
	}
	cl.casDirty.Store(false)
}

// touchWatched marks the clients watching one of keys of d, which a write
// just changed: their next EXEC fails. Watchers that saw a key already
// expired are spared if the write deleted it (see watcher). locked says the
// caller holds the keys' shard locks; otherwise they are taken to look.
func (ks *Keyspace) touchWatched(d *DB, keys [][]byte, locked bool) {
	var gone []bool
	if !locked { // look before taking wk.mu: shard locks come first
		gone = make([]bool, len(keys))
		for i, k := range keys {
			s := d.keys.ShardOf(k)
			d.keys.LockShard(s)
			gone[i] = d.keys.FindLocked(k) == nil
			d.keys.UnlockShard(s)
		}
	}
	wk := &ks.watched
	wk.mu.Lock()
	defer wk.mu.Unlock()
	for i, k := range keys {
		list := wk.clients[blockKey{d.index, string(k)}]
		for j := range list {
			w := &list[j]
			if w.expired {
				w.expired = false // from now on, any write counts
				if (locked && d.keys.FindLocked(k) == nil) || (!locked && gone[i]) {
					continue
				}
			}
			w.cl.casDirty.Store(true)
		}
	}
}

// touchWatchedIn marks the clients watching keys of d that exist in d or,
// for SWAPDB, in other (nil for a flush): what FLUSHDB and SWAPDB change.
// The caller holds every shard of both.
func (ks *Keyspace) touchWatchedIn(d, other *DB) {
	if ks.watched.count.Load() == 0 {
		return
	}
	wk := &ks.watched
	wk.mu.Lock()
	defer wk.mu.Unlock()
	for bk, clients := range wk.clients {
		if bk.db != d.index {
			continue
		}
		key := []byte(bk.key)
		inD, inOther := d.keys.FindLocked(key) != nil, other != nil && other.keys.FindLocked(key) != nil
		if !inD && !inOther {
			continue
		}
		for i := range clients {
			w := &clients[i]
			if w.expired && !inOther { // only an already expired key goes: no change
				w.expired = false
				continue
			}
			w.cl.casDirty.Store(true)
		}
	}
}
