package db

// ForEachKey calls fn for every live key of database dbIndex, one shard at
// a time, until fn returns false. A key whose deadline is at or before now
// (unix milliseconds) is skipped, not deleted: the walk changes nothing.
//
// The walk locks each shard itself, for as long as fn runs on that shard's
// keys, so the caller must hold no shard lock of any database, and fn must
// not lock shards, block, or call back into the keyspace. key is valid only
// during the call; copy it to keep it.
//
// A command that walks the keys with ForEachKey has FlagOwnLocks, so Exec
// locks no shard for it and a transaction that queues it takes the gate
// exclusively instead of locking shards the walk would wait for. The walk
// is not a snapshot: a key added or deleted in a shard not yet walked, or
// already walked, may or may not be seen.
func (ks *Keyspace) ForEachKey(dbIndex int, now int64, fn func(key []byte) bool) {
	d := ks.dbs[dbIndex]
	var buf []byte
	for s := 0; s < d.keys.ShardCount(); s++ {
		more := true
		d.keys.LockShard(s)
		d.keys.ForEachLocked(s, func(e *Entry) bool {
			if expired(d, e, now) {
				return true
			}
			buf = append(buf[:0], e.Key...)
			more = fn(buf)
			return more
		})
		d.keys.UnlockShard(s)
		if !more {
			return
		}
	}
}
