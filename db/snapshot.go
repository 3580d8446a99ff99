package db

import (
	"strconv"
	"sync"
	"sync/atomic"
)

// rewriteChunk is how many elements one rewritten command carries at most.
const rewriteChunk = 64

// snapshot is the state of a point-in-time dump of the keyspace (for the AOF
// rewrite) taken without copying the dataset and without stopping writers
// for its length: at the instant it starts, every shard is marked pending; a
// shard is dumped either by the dumper walking the shards or, first, by any
// writer about to change it. Either way each shard is dumped exactly once,
// as it was at the instant, while it is locked.
type snapshot struct {
	active  atomic.Bool
	mu      sync.Mutex // one snapshot at a time
	pending [][]bool   // [db][shard]; read and written under that shard's lock
	emit    func(db int, args [][]byte)
	now     int64 // keys past their deadline at the instant are left out
}

// Snapshot dumps the whole dataset as commands through emit, as it was at
// one instant: the instant the snapshot calls rotate, with every command in
// flight finished and none started. Writes after it go wherever rotate sent
// them (the AOF's new incremental file), so replaying the dump then those
// writes gives the live dataset with no write applied twice. emit must be
// safe for concurrent use: writers dump the shards they are about to change.
// Snapshot returns when every shard has been dumped.
func (ks *Keyspace) Snapshot(rotate func(), emit func(db int, args [][]byte)) error {
	sn := &ks.snap
	sn.mu.Lock()
	defer sn.mu.Unlock()

	ks.gate.lockAll()
	rotate()
	var extra func(emit func(db int, args [][]byte))
	if ks.onSnapshot != nil {
		extra = ks.onSnapshot()
	}
	sn.pending = make([][]bool, len(ks.dbs))
	for i, d := range ks.dbs {
		sn.pending[i] = make([]bool, d.keys.ShardCount())
		for s := range sn.pending[i] {
			sn.pending[i][s] = true
		}
	}
	sn.emit, sn.now = emit, nowMillis()
	sn.active.Store(true)
	ks.gate.unlockAll()

	if extra != nil {
		extra(emit)
	}

	for _, d := range ks.dbs {
		for s := 0; s < d.keys.ShardCount(); s++ {
			d.keys.LockShard(s)
			ks.dumpShardLocked(d, s)
			d.keys.UnlockShard(s)
		}
	}
	ks.gate.lockAll() // no writer is between its check of active and its dump
	sn.active.Store(false)
	sn.pending, sn.emit = nil, nil
	ks.gate.unlockAll()
	return nil
}

// OnSnapshot sets the hook that adds to every snapshot the state kept
// outside the databases that the dump must recreate (the function
// libraries, which a rewritten AOF holds as FUNCTION LOAD commands). The
// hook is called at the snapshot's instant, with every command held back:
// it must only capture that state, quickly, and return the function that
// emits it, which Snapshot calls once the instant is over, before it dumps
// the keys. Set it before serving.
func (ks *Keyspace) OnSnapshot(fn func() (emitState func(emit func(db int, args [][]byte)))) {
	ks.onSnapshot = fn
}

// dumpShardLocked dumps shard s of d if it is still pending. The caller
// holds the shard's lock.
func (ks *Keyspace) dumpShardLocked(d *DB, s int) {
	sn := &ks.snap
	if !sn.pending[d.index][s] {
		return
	}
	sn.pending[d.index][s] = false
	ke := keyEmitter{emit: func(args ...[]byte) { sn.emit(d.index, args) }}
	d.keys.ForEachLocked(s, func(e *Entry) bool {
		if at := d.expireAt(e); at != 0 && at <= sn.now {
			return true
		}
		ke.emitKey(e, d.expireAt(e))
		return true
	})
}

// beforeWrite dumps what a write is about to change while a snapshot runs:
// the shards it holds locked, or, for a command that locks for itself, every
// shard still pending (taking each lock in turn; it holds none yet).
func (ks *Keyspace) beforeWrite(d *DB, lockedShards []int, ownLocks bool) {
	if ownLocks {
		for _, db := range ks.dbs {
			for s := 0; s < db.keys.ShardCount(); s++ {
				db.keys.LockShard(s)
				ks.dumpShardLocked(db, s)
				db.keys.UnlockShard(s)
			}
		}
		return
	}
	for _, s := range lockedShards {
		ks.dumpShardLocked(d, s)
	}
}

// keyEmitter writes the commands that recreate keys, reusing its buffers so
// that a rewrite allocates nothing per key: garbage proportional to the
// dataset would let the heap grow well past the dataset while it runs.
type keyEmitter struct {
	emit  func(args ...[]byte)
	key   []byte
	num   []byte
	args  [3][]byte
	chunk chunkWriter
}

// emitKey writes the commands that recreate e: its value, in chunks of at
// most rewriteChunk elements for collections, then its deadline at (0:
// none).
func (ke *keyEmitter) emitKey(e *Entry, at int64) {
	ke.key = append(ke.key[:0], e.Key...)
	if e.Value.Obj() == nil {
		ke.args = [3][]byte{setName, ke.key, e.Value.Str()}
		ke.emit(ke.args[:]...)
	} else {
		e.Value.Obj().Rewrite(ke.chunk.start(ke.key, ke.emit))
	}
	if at != 0 {
		ke.num = strconv.AppendInt(ke.num[:0], at, 10)
		ke.args = [3][]byte{pexpireatName, ke.key, ke.num}
		ke.emit(ke.args[:]...)
	}
}

// A chunkWriter builds the commands that rebuild one collection: the
// collection's Rewrite names the command with Begin and adds its elements;
// every rewriteChunk elements (or groups of width elements, for HSET field
// value and ZADD score member) go out as one command. Elements are copied
// into a reused arena, so the caller's bytes may be reused at once.
type chunkWriter struct {
	emit  func(args ...[]byte)
	key   []byte
	args  [][]byte
	arena []byte
	width int
}

func (cw *chunkWriter) start(key []byte, emit func(args ...[]byte)) *chunkWriter {
	cw.key, cw.emit = key, emit
	return cw
}

// Begin starts the commands cmd key ..., whose elements come in groups of
// width.
func (cw *chunkWriter) Begin(cmd []byte, width int) {
	cw.args = append(cw.args[:0], cmd, cw.key)
	cw.arena = cw.arena[:0]
	cw.width = width
}

// Add adds the next element.
func (cw *chunkWriter) Add(b []byte) {
	cw.arena = append(cw.arena, b...)
	cw.push(len(b))
}

// AddString adds the next element.
func (cw *chunkWriter) AddString(s string) {
	cw.arena = append(cw.arena, s...)
	cw.push(len(s))
}

// push records the last n arena bytes as an element; earlier elements keep
// pointing at the old arena if append moved it, which stays valid.
func (cw *chunkWriter) push(n int) {
	end := len(cw.arena)
	cw.args = append(cw.args, cw.arena[end-n:end:end])
	if elems := len(cw.args) - 2; elems%cw.width == 0 && elems >= rewriteChunk*cw.width {
		cw.Flush()
	}
}

// Flush emits the elements added since the last command, if any.
func (cw *chunkWriter) Flush() {
	if len(cw.args) > 2 {
		cw.emit(cw.args...)
		cw.args = cw.args[:2]
		cw.arena = cw.arena[:0]
	}
}
