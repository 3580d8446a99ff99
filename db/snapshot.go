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

// dumpShardLocked dumps shard s of d if it is still pending. The caller
// holds the shard's lock.
func (ks *Keyspace) dumpShardLocked(d *DB, s int) {
	sn := &ks.snap
	if !sn.pending[d.index][s] {
		return
	}
	sn.pending[d.index][s] = false
	d.keys.ForEachLocked(s, func(e *Entry) bool {
		if at := e.ExpireAt(); at != 0 && at <= sn.now {
			return true
		}
		emitKey(e, func(args ...[]byte) { sn.emit(d.index, args) })
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

// emitKey writes the commands that recreate e: its value, in chunks of at
// most rewriteChunk elements for collections, then its deadline.
func emitKey(e *Entry, emit func(args ...[]byte)) {
	key := []byte(e.Key)
	if e.Value.Obj == nil {
		emit(setName, key, e.Value.Str)
	} else {
		e.Value.Obj.Rewrite(key, emit)
	}
	if at := e.ExpireAt(); at != 0 {
		emit(pexpireatName, key, strconv.AppendInt(nil, at, 10))
	}
}

// emitChunks emits cmd key followed by the elements produced by each, at
// most rewriteChunk elements (or element groups, of width items) per
// command: RPUSH, SADD, HSET field value, ZADD score member.
func emitChunks(cmd, key []byte, width int, each func(add func(items ...[]byte)), emit func(args ...[]byte)) {
	args := [][]byte{cmd, key}
	flush := func() {
		if len(args) > 2 {
			emit(args...)
			args = [][]byte{cmd, key}
		}
	}
	each(func(items ...[]byte) {
		args = append(args, items...)
		if len(args)-2 >= rewriteChunk*width {
			flush()
		}
	})
	flush()
}
