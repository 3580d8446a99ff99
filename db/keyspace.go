// Package db holds MyRedis's keyspace: the databases, the command table and
// the commands themselves, one file per family. It knows nothing of sockets:
// the server hands it a Client, the arguments and a resp.Writer.
package db

import (
	"bytes"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"myredis/datastruct/dict"
	"myredis/datastruct/stream"
	"myredis/resp"
)

// Kind is the type of the value a key holds.
type Kind uint8

// The value kinds, named as TYPE reports them.
const (
	KindString Kind = iota
	KindList
	KindHash
	KindSet
	KindZSet
	KindStream
)

var kindNames = [...]string{"string", "list", "hash", "set", "zset", "stream"}

// String returns the name TYPE replies with.
func (k Kind) String() string { return kindNames[k] }

// Entry is one key of a database. Its Meta holds the key's access clock
// (for OBJECT IDLETIME) and how Redis would have encoded its string; see
// touch and setEncoding.
type Entry = dict.Entry[Value]

// Entry.Meta layout: the top two bits are an encoding hint for strings, the
// other bits the access metadata: the last access (accessClock), or under
// an LFU policy a counter and its time (see evict.go).
const (
	// encAuto: the encoding follows the content (int, embstr or raw).
	encAuto = 0
	// encRaw: edited in place (APPEND, SETRANGE, SETBIT) or built by
	// BITOP, which Redis always stores raw.
	encRaw = 1 << 30
	// encText: INCRBYFLOAT's result, which Redis never stores as int.
	encText   = 2 << 30
	metaEnc   = 3 << 30
	metaClock = 1<<30 - 1
)

// accessClock returns the access clock for the unix time nowMs: tenths of
// a second, in 30 bits that wrap every 3.4 years (Redis's 24-bit clock of
// seconds wraps every 194 days).
func accessClock(nowMs int64) uint32 { return uint32(nowMs/100) & metaClock }

// touch records an access to e at c.Now (see Keyspace.accessedMeta).
func (c *Ctx) touch(e *Entry) { e.Meta = e.Meta&metaEnc | c.ks.accessedMeta(e.Meta&metaClock, c.Now) }

// idleSeconds returns how long ago e was last accessed, under a policy
// that is not LFU.
func (c *Ctx) idleSeconds(e *Entry) int64 {
	return int64((accessClock(c.Now)-e.Meta&metaClock)&metaClock) / 10
}

// setEncoding records the encoding hint enc (encAuto, encRaw or encText).
func setEncoding(e *Entry, enc uint32) { e.Meta = e.Meta&^metaEnc | enc }

// A DB is one of the numbered databases.
type DB struct {
	index int
	keys  *dict.Dict[Value]
	// stamps[s] is the stamp of the latest write to a key of shard s (see
	// Keyspace.OnWrite); it is read and written under that shard's lock.
	stamps []uint64
	avgTTL atomic.Int64 // milliseconds; see AvgTTL
	mem    atomic.Int64 // bytes of the keys and values; see memory.go
}

// expireAt returns e's deadline in unix milliseconds, 0 if it has none.
// The caller holds e's shard lock.
func (d *DB) expireAt(e *Entry) int64 { return d.keys.ExpireAtLocked(e) }

// Index returns the database's number.
func (d *DB) Index() int { return d.index }

// Len returns the number of keys, including expired keys not yet reclaimed
// (as Redis's DBSIZE does).
func (d *DB) Len() int { return d.keys.Len() }

// Keyspace is the set of databases plus the state every command shares. It is
// safe for concurrent use: commands lock the shards of the keys they touch.
type Keyspace struct {
	table *Table
	dbs   []*DB
	stats Stats
	// onWrite and onTx receive every effective write; set before serving.
	onWrite func(db int, args [][]byte) uint64
	onTx    func(writes []Write) uint64
	// onSnapshot captures the state outside the databases a snapshot
	// must dump (OnSnapshot); set before serving.
	onSnapshot func() func(emit func(db int, args [][]byte))
	// scriptsRunning and scriptsBusy tell a command waiting for locks
	// whether to give up (SetScriptWait); nil: it blocks.
	scriptsRunning func() bool
	scriptsBusy    func() string
	// latest is the highest stamp the hooks returned; barrier the stamp of
	// the latest write made by a command that locks for itself (FLUSHALL,
	// SWAPDB, MOVE...), which may have changed any key. See Client.Observed.
	latest, barrier atomic.Uint64
	start           time.Time
	blocked         blockedClients
	watched         watchedKeys
	gate            gate
	snap            snapshot
	notify          notifier
	track           tracking
	mem             memState
	evict           evictor
	execCmd         *Command // EXEC, which runs outside the gate (see execTransaction)
	// loading: the AOF is being replayed (SetLoading). Meanwhile no key
	// expires and nothing is propagated.
	loading atomic.Bool
	// expiryPaused: clients are paused (PauseExpiry). Meanwhile keys past
	// their deadline read as missing but are not deleted.
	expiryPaused atomic.Bool
	// streamNodes holds stream-node-max-entries and -bytes
	// (SetStreamNodeLimits); nil: Redis's defaults.
	streamNodes atomic.Pointer[stream.NodeLimits]
	// encodings holds the compact encodings' limits (see SetEncodingLimits).
	encodings atomic.Pointer[EncodingLimits]
}

// gate lets a transaction have the whole keyspace to itself without a
// global lock on the hot path: every command holds one of many stripes for
// reading (its client's), so commands never contend on it; a transaction
// that needs exclusivity locks every stripe.
type gate struct {
	stripes [gateStripes]struct {
		sync.RWMutex
		_ [64]byte // one cache line each
	}
}

const gateStripes = 64

// enter holds the stripe of client id for reading and returns it.
func (g *gate) enter(id int64) *sync.RWMutex {
	m := &g.stripes[uint64(id)%gateStripes].RWMutex
	m.RLock()
	return m
}

// lockAll waits for every command in flight and keeps new ones out.
func (g *gate) lockAll() {
	for i := range g.stripes {
		g.stripes[i].Lock()
	}
}

func (g *gate) unlockAll() {
	for i := range g.stripes {
		g.stripes[i].Unlock()
	}
}

// Stats are the keyspace counters INFO reports. Read them with atomic loads.
type Stats struct {
	ExpiredKeys    atomic.Int64
	EvictedKeys    atomic.Int64
	KeyspaceHits   atomic.Int64
	KeyspaceMisses atomic.Int64
	// Dirty counts effective writes (INFO's rdb_changes_since_last_save).
	Dirty atomic.Int64
}

// New returns a keyspace of n empty databases that runs the commands of t.
func New(t *Table, n int) *Keyspace {
	ks := &Keyspace{table: t, dbs: make([]*DB, n), start: time.Now(), execCmd: t.Get([]byte("exec"))}
	for i := range ks.dbs {
		keys := dict.New[Value]()
		ks.dbs[i] = &DB{index: i, keys: keys, stamps: make([]uint64, keys.ShardCount())}
	}
	d0 := ks.dbs[0].keys
	ks.track.init(d0.ShardCount(), d0.ShardOf)
	ks.SetEviction(EvictionConfig{Policy: PolicyNoEviction, Samples: 5, Tenacity: 10, LFULogFactor: 10, LFUDecayTime: 1})
	return ks
}

// Table returns the command table.
func (ks *Keyspace) Table() *Table { return ks.table }

// DBs returns the databases; the slice must not be modified.
func (ks *Keyspace) DBs() []*DB { return ks.dbs }

// Stats returns the keyspace counters.
func (ks *Keyspace) Stats() *Stats { return &ks.stats }

// A Write is one effective write: a command line and its database.
type Write struct {
	DB   int
	Args [][]byte
}

// OnWrite sets the hook that receives every effective write, in the order
// the writes were applied to each key, with the database they apply to; args
// are valid only during the call. It is called with the keys' shards locked,
// so it must be quick and must not call back into the keyspace. Set it
// before serving.
//
// The hook returns the write's stamp: a number that grows with every write
// (the append-only file's sequence number), or 0 when the write needs no
// waiting. The keyspace keeps the stamp of the latest write to each shard,
// so that a command can tell the stamp of the latest write it observed
// (Client.Observed) and its reply can wait until that write is durable.
func (ks *Keyspace) OnWrite(fn func(db int, args [][]byte) (stamp uint64)) { ks.onWrite = fn }

// OnTransaction sets the hook that receives the writes of one EXEC together,
// so they can be logged as one MULTI … EXEC block that no other write
// interleaves; it returns the block's stamp, as OnWrite does. Without it,
// OnWrite gets MULTI, the writes, then EXEC.
func (ks *Keyspace) OnTransaction(fn func(writes []Write) (stamp uint64)) { ks.onTx = fn }

// Barrier waits until every command in flight has finished (commands that
// start meanwhile wait too, only for that moment). The caller must not be
// running a command.
func (ks *Keyspace) Barrier() {
	ks.gate.lockAll()
	ks.gate.unlockAll()
}

// SetLoading marks whether the dataset is being loaded (the AOF replayed).
// While it is, as in Redis, no key expires, lazily or through an EXPIRE
// family command with a past deadline (the deadline is set instead), and
// nothing is propagated to the hooks or notified: the replayed commands are
// already in the log. When loading ends, call ExpirePassed to delete the
// keys whose deadline passed while the server was down.
func (ks *Keyspace) SetLoading(on bool) { ks.loading.Store(on) }

// Loading reports whether the dataset is being loaded (SetLoading).
func (ks *Keyspace) Loading() bool { return ks.loading.Load() }

// PauseExpiry marks whether clients are paused (CLIENT PAUSE WRITE or ALL).
// While they are, as in Redis 7.0, the dataset stays as it is: a key past
// its deadline reads as missing to commands that only read, but it is not
// deleted, counted in expired_keys or logged, and the active expiry cycle
// does not run. Once the pause ends, lazy and active expiry delete such
// keys as usual. A command that writes still deletes an expired key it
// meets (only a transaction that started the pause can run one), so that
// it never adds a key that is still there.
func (ks *Keyspace) PauseExpiry(on bool) { ks.expiryPaused.Store(on) }

// Client is the state of one connection that commands read and change. The
// server embeds it in its session; Ext points back to that session so the
// commands the server registers can reach it.
type Client struct {
	ID      int64
	DB      int
	NoTouch bool
	// OverMemory: memory was over maxmemory with nothing left to evict
	// when the server read the command (a script without a shebang checks
	// it before its first write; see scripting/oom.go).
	OverMemory bool
	// NoBlock makes blocking commands answer at once instead of parking
	// (inside MULTI, say).
	NoBlock bool
	// Now, when set, is the unix time in milliseconds the server read as
	// the command arrived; the command uses it instead of reading the clock
	// again. It is cleared once the command has run.
	Now int64
	// OnPark, if set, is called when a blocking command parks the client,
	// and the function it returns when the client wakes. The server uses it
	// to flush pending replies and to notice a disconnect meanwhile.
	OnPark func() (done func())
	// OnQueuedRun, if set, is called after EXEC runs each queued command,
	// with the database selected after it; the server logs the command to
	// the slow log, the command statistics and MONITOR, as Redis does.
	OnQueuedRun func(cmd *Command, db int, args [][]byte)
	// Parked is how long the last Exec waited parked by a blocking
	// command: Redis leaves that wait out of a command's duration in the
	// slow log and the command statistics.
	Parked time.Duration
	Ext    any

	ctx    Ctx
	keyBuf [][]byte
	shards []int
	brk    bracket // the memory bracket of the command running (see run)
	// logArgs and logNum are scratch for a write logged in another form
	// than sent (propagateScratch).
	logArgs [][]byte
	logNum  []byte
	// batchBuf is the spare array of Ctx.batch, kept between commands.
	batchBuf []Write
	slots    []bracketSlot // scratch for Keyspace.openBracketLocked

	multi    *transaction // between MULTI and EXEC: &txn
	txn      transaction  // reused by every MULTI of the client
	txLocks  []shardLock  // reused by transactionLocks
	watching []watchedKey
	casDirty atomic.Bool // a watched key changed: EXEC will fail

	// Observed is the stamp (see Keyspace.OnWrite) of the latest write
	// the commands run for the client since the caller last cleared it
	// may have seen or made: the caller holds their replies until that
	// write is durable. Commands that name keys observe their keys'
	// shards; commands that read or write without naming keys (DBSIZE,
	// SCAN, FLUSHALL...) observe every write.
	Observed uint64

	// atomic is the section the client's commands run in when the client
	// is an Atomic section's own (a script's client); their writes are
	// collected there.
	atomic *Atomic

	// OnTrackedRead, if set, is called before a tracking client's read is
	// recorded in the tracking table, with the read's keys locked: the
	// server holds the client's output there, so that an invalidation
	// caused by a later write cannot overtake the read's reply. It must
	// be quick and must not block.
	OnTrackedRead func()

	// Tracking (see tracking.go). trackFlags and trackRedir are read by
	// other goroutines; the rest belongs to the client's goroutine.
	trackFlags    atomic.Uint32
	trackRedir    atomic.Int64
	trackReads    bool     // tracking on, not BCAST: reads are remembered
	trackPrefixes []string // BCAST prefixes, sorted (changed under the table's mu)
	trackShards   []uint64 // bitmap of the table shards holding the client's reads
	invals        []Invalidation

	waiter  *waiter // set while a blocking command waits in line
	blockMu sync.Mutex
	parked  bool               // guarded by blockMu
	unblock chan UnblockReason // CLIENT UNBLOCK and disconnects wake a parked client
}

// Exec runs cmd (found with Table.Lookup, so its arity is checked) for cl and
// writes its reply to w. The keys cmd declares are locked while it runs. A
// blocking command that finds nothing parks the client here, with no lock
// held, and runs again when woken.
func (ks *Keyspace) Exec(cl *Client, cmd *Command, args [][]byte, w *resp.Writer) {
	defer func() {
		cl.Now = 0
		if len(cl.invals) > 0 || cl.trackReads {
			ks.afterCommand(cl) // no lock held any more
		}
	}()
	cl.Parked = 0
	if cmd == ks.execCmd {
		ks.execTransaction(cl, w)
		return
	}
	for {
		onTimeout := ks.run(cl, cmd, args, w, runGated)
		if onTimeout == nil {
			ks.unpark(cl) // served, possibly after waiting
			return
		}
		if !ks.park(cl, w, onTimeout) {
			return
		}
		cl.Now = 0 // time has passed while parked
	}
}

// How run protects a command: normally it enters the gate and locks the
// command's keys; inside a transaction, EXEC has done one or both already.
type runMode uint8

const (
	runGated  runMode = iota // enter the gate, lock the keys
	runLocked                // the keys are locked and the gate entered
	runAlone                 // the gate is locked: lock the keys, no one else runs
)

// run runs cmd once. It returns the timeout reply writer if the command
// asked to block.
func (ks *Keyspace) run(cl *Client, cmd *Command, args [][]byte, w *resp.Writer, mode runMode) func(*resp.Writer) {
	c := &cl.ctx
	now := cl.Now
	if now == 0 {
		now = nowMillis()
	}
	*c = Ctx{Client: cl, Args: args, W: w, DB: ks.dbs[cl.DB], Cmd: cmd, ks: ks, Now: now}
	// A command that takes the gate itself (FlagTakesGate) gets neither
	// the gate nor its keys here: its Run opens an Atomic section.
	selfGated := cmd.Flags&FlagTakesGate != 0
	// While a script runs, a command that finds its locks held gives up
	// with -BUSY once the script is busy (see lockwait.go).
	if mode == runGated && !selfGated && touchesKeyspace(cmd) {
		m, err := ks.enterGateWait(cl.ID)
		if err != nil {
			w.WriteError(err.Error())
			return nil
		}
		defer m.RUnlock()
	}
	cl.shards = cl.shards[:0]
	// The command's keys, for its locks and for the memory bracket of a
	// write (inside EXEC only the bracket needs them).
	ownLocks := cmd.Flags&(FlagOwnLocks|FlagTakesGate) != 0
	if !ownLocks && (mode != runLocked || cmd.Flags&FlagWrite != 0) {
		cl.keyBuf = cmd.Keys(cl.keyBuf[:0], args)
	}
	if !ownLocks && mode != runLocked {
		if len(cl.keyBuf) > 0 {
			cl.shards = c.DB.keys.ShardsOf(cl.keyBuf, cl.shards[:0])
			if err := ks.lockShardsWait(c.DB, cl.shards); err != nil {
				cl.shards = cl.shards[:0]
				w.WriteError(err.Error())
				return nil
			}
			defer c.DB.keys.UnlockShards(cl.shards)
		}
	}
	if ks.snap.active.Load() && cmd.Flags&FlagWrite != 0 && mode != runLocked {
		ks.beforeWrite(c.DB, cl.shards, cmd.Flags&FlagOwnLocks != 0)
	}
	// A write to declared keys is bracketed for memory accounting (see
	// memory.go); the commands that lock for themselves account alone.
	if cmd.Flags&FlagWrite != 0 && !ownLocks {
		cl.brk = ks.openBracketLocked(c.DB, cl.keyBuf, cl.slots)
		c.brk = &cl.brk
		defer cl.settleBracket()
	}
	cmd.Run(c)
	if cl.trackReads {
		ks.rememberRead(c)
	}
	if c.wrote && ks.track.clients.Load() > 0 {
		ks.invalidateWritten(c)
	}
	if c.wrote && !c.spareWatches && ks.watched.count.Load() > 0 {
		ks.touchWatched(c.DB, cmd.Keys(cl.keyBuf[:0], args), cmd.Flags&FlagOwnLocks == 0 || mode == runAlone)
	}
	if mode == runGated && !selfGated { // inside EXEC, execTransaction settles the stamps; an Atomic section settles its own
		cl.Observed = max(cl.Observed, ks.settleLocked(c, cl.shards))
	}
	return c.onTimeout
}

// touchesKeyspace reports whether cmd may read, write or log anything of
// the keyspace: it names keys, or is flagged to read, write, replicate or
// lock for itself. Exec enters the gate only for those; the others (PING,
// HELLO, CLIENT, CONFIG, SCRIPT KILL...) run even while a transaction or a
// script has the keyspace to itself, as Redis answers them during a busy
// script.
func touchesKeyspace(cmd *Command) bool {
	return cmd.Flags&(FlagWrite|FlagReadonly|FlagMayReplicate|FlagOwnLocks) != 0 || cmd.HasKeys()
}

// settleLocked records the stamp of the write c made, if any, in the shards
// it holds locked, and returns the stamp of the latest write c may have
// observed: in those shards, or anywhere for a command that names no keys
// but reads or writes the keyspace (or locks for itself). Expiry deletions
// carry no stamp: a key whose deadline passed is gone after a restart
// whether or not its DEL was logged.
func (ks *Keyspace) settleLocked(c *Ctx, shards []int) uint64 {
	if c.stamp == 0 && ks.latest.Load() == 0 {
		return 0 // no write was ever stamped (the AOF has been off): nothing to wait for
	}
	if len(shards) == 0 {
		if c.stamp != 0 && c.Cmd.Flags&FlagOwnLocks != 0 {
			raise(&ks.barrier, c.stamp)
		}
		if c.observedAll || c.Cmd.Flags&(FlagOwnLocks|FlagReadonly|FlagWrite) != 0 {
			return max(ks.latest.Load(), c.stamp)
		}
		return c.stamp
	}
	seen := ks.barrier.Load()
	for _, s := range shards {
		st := &c.DB.stamps[s]
		if c.stamp > *st { // no store otherwise: the slots share cache lines
			*st = c.stamp
		}
		seen = max(seen, *st)
	}
	return seen
}

// settleTxLocked is settleLocked for a transaction that wrote with stamp
// (0 if it wrote nothing) holding the shards locks, or the whole keyspace
// when exclusive.
func (ks *Keyspace) settleTxLocked(stamp uint64, locks []shardLock, exclusive bool) uint64 {
	if exclusive {
		if stamp != 0 {
			raise(&ks.barrier, stamp)
		}
		return max(ks.latest.Load(), stamp)
	}
	seen := ks.barrier.Load()
	for _, l := range locks {
		st := &ks.dbs[l.db].stamps[l.shard]
		if stamp > *st {
			*st = stamp
		}
		seen = max(seen, *st)
	}
	return seen
}

// raise sets v to stamp if stamp is higher.
func raise(v *atomic.Uint64, stamp uint64) {
	for {
		old := v.Load()
		if stamp <= old || v.CompareAndSwap(old, stamp) {
			return
		}
	}
}

// ObserveAll marks the command as revealing the whole keyspace (INFO's key
// counts, say), so its reply waits for every write made so far to be
// durable.
func (c *Ctx) ObserveAll() { c.observedAll = true }

// nowMillis returns the unix time in milliseconds.
func nowMillis() int64 { return time.Now().UnixMilli() }

// Ctx is one command's execution context. It lives only for the call.
type Ctx struct {
	Client *Client
	Args   [][]byte // Args[0] is the command name as sent
	W      *resp.Writer
	DB     *DB // the client's selected database
	Cmd    *Command
	Now    int64 // unix milliseconds when the command started; expiry uses it
	ks     *Keyspace
	// onTimeout is set by Block: the command asks to park.
	onTimeout func(*resp.Writer)
	// wrote records that the command propagated a write; stamp is the
	// stamp of the latest one (see Keyspace.OnWrite).
	wrote bool
	stamp uint64
	// observedAll: the command revealed the whole keyspace (ObserveAll).
	observedAll bool
	// batching: PropagateAs holds writes in batch until endWrites.
	batching bool
	batch    []Write
	// spareWatches: the command's writes leave WATCH alone (spareWatches).
	spareWatches bool
	// brk is the memory bracket of a write (nil otherwise), which knows
	// the entries of the command's keys.
	brk *bracket
}

// Keyspace returns the keyspace the command runs in.
func (c *Ctx) Keyspace() *Keyspace { return c.ks }

// Lookup returns the live entry of key in c.DB, or nil. A key past its
// deadline is deleted (and logged as DEL) instead, unless expiry is paused
// (PauseExpiry) and the command does not write. The caller holds the key's
// shard lock, as Exec arranges for declared keys.
func (c *Ctx) Lookup(key []byte) *Entry {
	s := c.brk.slot(key)
	if s != nil && s.cur != nil && !s.cur.Deleted() && !c.ks.passed(c.DB.expireAt(s.cur), c.Now) {
		return s.cur // known to the memory bracket
	}
	e := c.ks.lookup(c.DB, key, c.Now, c.Cmd.Flags&FlagWrite != 0, c.Client.sink())
	if s != nil {
		c.brk.found(s, e)
	}
	return e
}

// LookupRead is Lookup for a command that reads the key: it counts a
// keyspace hit or miss and updates the key's access time unless the client
// asked for CLIENT NO-TOUCH.
func (c *Ctx) LookupRead(key []byte) *Entry {
	e := c.Lookup(key)
	if e == nil {
		c.ks.stats.KeyspaceMisses.Add(1)
		return nil
	}
	c.ks.stats.KeyspaceHits.Add(1)
	if !c.Client.NoTouch {
		c.touch(e)
	}
	return e
}

// CheckKind reports whether e is absent or holds kind; otherwise it writes
// the WRONGTYPE error and returns false.
func (c *Ctx) CheckKind(e *Entry, kind Kind) bool {
	if e != nil && e.Value.Kind() != kind {
		c.W.WriteError(ErrWrongType)
		return false
	}
	return true
}

// Store sets key to v in c.DB, creating the key if needed, and returns its
// entry. Unless keepTTL, any deadline the key had is removed, as SET does.
func (c *Ctx) Store(key []byte, v Value, keepTTL bool) *Entry {
	return c.StoreAt(c.Lookup(key), key, v, keepTTL)
}

// StoreAt is Store for a caller that has just looked key up: e is what
// Lookup returned, nil when the key is absent. It saves a second lookup.
func (c *Ctx) StoreAt(e *Entry, key []byte, v Value, keepTTL bool) *Entry {
	if e == nil {
		return c.added(key, c.DB.keys.AddLocked(key, v))
	}
	if e.Value.p != v.p { // another value: a stream's group readers learn of it
		c.ks.valueGone(c.DB, key, &e.Value)
	}
	e.Value = v
	if !keepTTL && e.HasDeadline() {
		c.DB.keys.SetExpireLocked(e, 0)
	}
	e.Meta = c.ks.storedMeta(e.Meta&metaClock, false, c.Now)
	if v.awaited() {
		c.SignalReady(key, v.Kind())
	}
	return e
}

// storeString is StoreAt for a string value, a copy of val. A new key's
// name and value share one allocation, which saves the allocator's
// rounding of one of them (see memoryUsage).
func (c *Ctx) storeString(e *Entry, key, val []byte, keepTTL bool) *Entry {
	if e != nil {
		return c.StoreAt(e, key, StringValue(bytes.Clone(val)), keepTTL)
	}
	buf := make([]byte, len(key)+len(val))
	copy(buf, key)
	copy(buf[len(key):], val)
	name := unsafe.String(unsafe.SliceData(buf), len(key))
	return c.added(key, c.DB.keys.AddKeyLocked(name, StringValue(buf[len(key):len(buf):len(buf)])))
}

// added completes the store of e, just added to c.DB for key.
func (c *Ctx) added(key []byte, e *Entry) *Entry {
	c.brk.added(key, e)
	c.Notify(EventNew, "new", key)
	e.Meta = c.ks.storedMeta(e.Meta&metaClock, true, c.Now)
	if e.Value.awaited() {
		c.SignalReady(key, e.Value.Kind())
	}
	return e
}

// Delete removes key from c.DB and reports whether it was there (and live).
func (c *Ctx) Delete(key []byte) bool {
	e := c.Lookup(key)
	if e == nil {
		return false
	}
	c.ks.valueGone(c.DB, key, &e.Value)
	c.DB.keys.DeleteLocked(key)
	return true
}

// SetExpire sets e's deadline in unix milliseconds; 0 removes it.
func (c *Ctx) SetExpire(e *Entry, at int64) {
	c.DB.keys.SetExpireLocked(e, at)
}

// Propagate reports the command as sent as an effective write.
func (c *Ctx) Propagate() { c.PropagateAs(c.Args...) }

// PropagateAs reports an effective write in another form than it was sent
// (a relative expiry as an absolute one, say). Inside EXEC, the first write
// is preceded by MULTI, so the log holds the transaction whole.
func (c *Ctx) PropagateAs(args ...[]byte) {
	c.wrote = true
	if a := c.Client.atomic; a != nil {
		// Collected, and handed on when the section ends.
		a.collect(c.DB.index, args)
		return
	}
	if t := c.Client.multi; t != nil && t.running {
		// Collected, and handed on whole when EXEC ends.
		c.ks.stats.Dirty.Add(1)
		t.writes = append(t.writes, Write{c.DB.index, t.clone(args)})
		return
	}
	if c.batching {
		c.wrote = true
		c.batch = append(c.batch, Write{c.DB.index, args})
		return
	}
	c.stamp = max(c.stamp, c.ks.propagate(c.DB.index, args))
}

// propagateScratch is PropagateAs for a form built in the client's scratch
// space, so that logging it allocates nothing: args, then num in decimal.
// PropagateAs copies what it keeps.
func (c *Ctx) propagateScratch(num int64, args ...[]byte) {
	cl := c.Client
	cl.logNum = strconv.AppendInt(cl.logNum[:0], num, 10)
	cl.logArgs = append(append(cl.logArgs[:0], args...), cl.logNum)
	c.PropagateAs(cl.logArgs...)
	clear(cl.logArgs)
}

// beginWrites makes the command's next writes wait for endWrites, which
// hands them on together: several as one MULTI … EXEC block, as Redis 7.0
// propagates the writes of one command (XREADGROUP's XCLAIMs), so that a
// replay applies all or none. Inside EXEC or a script they join the
// enclosing block anyway. Until endWrites, the args given to PropagateAs
// must stay unchanged.
func (c *Ctx) beginWrites() {
	c.batching = true
	c.batch = c.Client.batchBuf[:0]
}

// endWrites hands on the writes held since beginWrites.
func (c *Ctx) endWrites() {
	c.batching = false
	switch len(c.batch) {
	case 0:
	case 1:
		c.PropagateAs(c.batch[0].Args...)
	default:
		c.ks.stats.Dirty.Add(int64(len(c.batch)))
		c.stamp = max(c.stamp, c.ks.propagateTx(c.batch))
	}
	clear(c.batch) // the hooks copied what they keep
	c.Client.batchBuf, c.batch = c.batch[:0], nil
}

// propagate hands one write to the hook and returns its stamp.
func (ks *Keyspace) propagate(db int, args [][]byte) uint64 {
	ks.stats.Dirty.Add(1)
	return ks.logWrite(db, args)
}

// logWrite hands one write, already counted in Dirty, to the hook and
// returns its stamp.
func (ks *Keyspace) logWrite(db int, args [][]byte) uint64 {
	if ks.onWrite == nil || ks.loading.Load() {
		return 0
	}
	stamp := ks.onWrite(db, args)
	if stamp != 0 {
		raise(&ks.latest, stamp)
	}
	return stamp
}

// propagateTx hands on the writes of one transaction and returns the stamp
// of the whole.
func (ks *Keyspace) propagateTx(writes []Write) uint64 {
	var stamp uint64
	switch {
	case ks.loading.Load():
		return 0
	case ks.onTx != nil:
		stamp = ks.onTx(writes)
	case ks.onWrite != nil:
		ks.onWrite(writes[0].DB, [][]byte{multiName})
		for _, w := range writes {
			ks.onWrite(w.DB, w.Args)
		}
		stamp = ks.onWrite(writes[len(writes)-1].DB, [][]byte{execName})
	}
	raise(&ks.latest, stamp)
	return stamp
}

var delName = []byte("DEL")

// lookup returns the live entry of key in d, deleting it if it has expired,
// unless expiry is paused and the caller only reads (write false). The
// invalidation of an expired key is queued on sink.
func (ks *Keyspace) lookup(d *DB, key []byte, now int64, write bool, sink *Client) *Entry {
	e := d.keys.FindLocked(key)
	if e == nil {
		return nil
	}
	if ks.passed(d.expireAt(e), now) {
		if write || !ks.expiryPaused.Load() {
			ks.expire(d, e, sink)
		}
		return nil
	}
	return e
}

// passed reports whether the deadline at (0: none) has passed at now, so
// the key must go. Nothing passes while the dataset loads.
func (ks *Keyspace) passed(at, now int64) bool {
	return at != 0 && at <= now && !ks.loading.Load()
}

// PastDeadline reports whether an EXPIRE-family deadline at is already
// past, so that the command deletes the key instead of setting it. While
// loading nothing is past: the deadline is set, as Redis does, and the key
// goes when loading ends.
func (c *Ctx) PastDeadline(at int64) bool { return at <= c.Now && !c.ks.loading.Load() }

// expire deletes an entry past its deadline (see dropLocked).
func (ks *Keyspace) expire(d *DB, e *Entry, sink *Client) {
	ks.dropLocked(d, e, sink, &ks.stats.ExpiredKeys, EventExpired, "expired")
}

// dropLocked deletes e from d for the server's own reasons (expiry,
// eviction): it is logged as DEL, counted in count, its trackers'
// invalidations are queued on sink, its watchers and blocked group readers
// learn of it, and event fires. The caller holds e's shard lock.
func (ks *Keyspace) dropLocked(d *DB, e *Entry, sink *Client, count *atomic.Int64, class EventClass, event string) {
	key := []byte(e.Key)
	ks.valueGone(d, key, &e.Value)
	d.forget(e)
	d.keys.DeleteLocked(key)
	ks.invalidateKeys(sink, [][]byte{key})
	count.Add(1)
	ks.propagate(d.index, [][]byte{delName, key})
	if ks.watched.count.Load() > 0 {
		ks.touchWatched(d, [][]byte{key}, true)
	}
	ks.fire(d.index, class, event, key)
}

// lockPair locks key a in database da and key b in database db in the global
// order (database, then shard) and returns the function that unlocks them.
func lockPair(da *DB, a []byte, db *DB, b []byte) (unlock func()) {
	sa, sb := da.keys.ShardOf(a), db.keys.ShardOf(b)
	switch {
	case da == db && sa == sb:
		da.keys.LockShard(sa)
		return func() { da.keys.UnlockShard(sa) }
	case da.index < db.index || da == db && sa < sb:
		da.keys.LockShard(sa)
		db.keys.LockShard(sb)
	default:
		db.keys.LockShard(sb)
		da.keys.LockShard(sa)
	}
	return func() {
		da.keys.UnlockShard(sa)
		db.keys.UnlockShard(sb)
	}
}

// lockAll locks every shard of the given databases, in database order, and
// returns the function that unlocks them. dbs must be sorted by index and
// hold no duplicates.
func lockAll(dbs ...*DB) (unlock func()) {
	for _, d := range dbs {
		d.keys.LockAll()
	}
	return func() {
		for _, d := range dbs {
			d.keys.UnlockAll()
		}
	}
}

// ActiveExpire runs Redis's active expiry cycle hz times a second until stop
// is closed: each run samples keys that carry a deadline, shard by shard,
// deletes the expired ones, and keeps going in a shard while more than a
// quarter of its sample had expired, within a quarter of the tick's time.
// hz is read at every tick so CONFIG SET hz takes effect. No cycle runs, or
// goes on to the next shard, while expiry is paused (PauseExpiry).
func (ks *Keyspace) ActiveExpire(hz func() int, stop <-chan struct{}) {
	const sample = 20
	var mu sync.Mutex // one cycle at a time, even if ticks pile up
	for {
		n := max(hz(), 1)
		tick := time.Second / time.Duration(n)
		select {
		case <-stop:
			return
		case <-time.After(tick):
		}
		mu.Lock()
		deadline := time.Now().Add(tick / 4)
		for _, d := range ks.dbs {
			if d.keys.ExpiresLen() == 0 {
				d.avgTTL.Store(0)
				continue
			}
			var ttls ttlSample
			for s := 0; s < d.keys.ShardCount() && !ks.expiryPaused.Load(); s++ {
				ks.expireShard(d, s, sample, deadline, &ttls)
			}
			d.noteTTLs(ttls)
		}
		mu.Unlock()
	}
}

// expireShard expires keys in shard s of d until a sample finds few expired
// keys or the deadline passes; the sampled keys still alive go into ttls.
func (ks *Keyspace) expireShard(d *DB, s, sample int, deadline time.Time, ttls *ttlSample) {
	var sink Client // collects the expired keys' invalidations
	defer ks.deliver(&sink, nil)
	defer ks.gate.enter(0).RUnlock()
	d.keys.LockShard(s)
	defer d.keys.UnlockShard(s)
	for d.keys.ShardExpiresLocked(s) > 0 {
		now := time.Now().UnixMilli()
		expired := 0
		d.keys.SampleExpiresLocked(s, sample, func(e *Entry) {
			if at := d.expireAt(e); ks.passed(at, now) {
				ks.expire(d, e, &sink)
				expired++
			} else {
				ttls.add(at, now)
			}
		})
		if expired <= sample/4 || time.Now().After(deadline) {
			return
		}
	}
}

// ExpirePassed deletes every key whose deadline has passed, each logged as
// DEL and notified as expired, and returns how many it deleted. The server
// calls it once the AOF is loaded, before it serves: a key whose deadline
// passed while the server was down is then gone, with its DEL in the log.
// It locks one shard at a time.
func (ks *Keyspace) ExpirePassed() int {
	n := 0
	now := nowMillis()
	for _, d := range ks.dbs {
		for s := 0; s < d.keys.ShardCount(); s++ {
			n += ks.expirePassedInShard(d, s, now)
		}
	}
	return n
}

func (ks *Keyspace) expirePassedInShard(d *DB, s int, now int64) int {
	var sink Client
	defer ks.deliver(&sink, nil)
	defer ks.gate.enter(0).RUnlock()
	d.keys.LockShard(s)
	defer d.keys.UnlockShard(s)
	n := 0
	d.keys.ForEachExpiringLocked(s, func(e *Entry) {
		if ks.passed(d.expireAt(e), now) {
			ks.expire(d, e, &sink)
			n++
		}
	})
	return n
}
