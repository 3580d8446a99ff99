package db

import (
	"bytes"
	"slices"
)

// The tracking table's reads and writes (see tracking.go): remembering the
// keys a tracking client reads, forgetting their readers when they change
// and queuing the invalidations, the key limit, and the hand-over of the
// queued invalidations to the server once the command holds no lock.

// rememberRead records the keys c's command read for its tracking client,
// if the command is a read that counts (TracksRead). A script's keys are
// recorded by its Atomic section instead, when the script first reads.
// The caller holds the keys' shard locks, so no write of these keys can
// come between the read and the record.
func (ks *Keyspace) rememberRead(c *Ctx) {
	cl, cmd := c.Client, c.Cmd
	if cmd.Flags&FlagTakesGate != 0 || !cl.TracksRead(cmd) {
		return
	}
	ks.RememberKeys(cl, cmd.Keys(cl.keyBuf[:0], c.Args))
}

// TracksRead reports whether cl's reads through cmd are remembered now:
// cl tracks in default mode, OPTIN/OPTOUT and CLIENT CACHING allow it,
// and cmd is a readonly command (not a pub/sub one) or a script (which
// counts if it reads). cl's goroutine only.
func (cl *Client) TracksRead(cmd *Command) bool {
	if !cl.trackReads {
		return false
	}
	if cmd.Flags&FlagTakesGate == 0 && (cmd.Flags&FlagReadonly == 0 || cmd.Flags&FlagPubSub != 0) {
		return false
	}
	return cl.tracksNow()
}

// tracksNow reports whether OPTIN/OPTOUT and CLIENT CACHING let cl's
// reads be remembered now; cl tracks in default mode.
func (cl *Client) tracksNow() bool {
	f := cl.TrackingFlags()
	return !(f&TrackOptin != 0 && f&TrackCaching == 0 || f&TrackOptout != 0 && f&TrackCaching != 0)
}

// RememberKeys records keys as read by cl, a tracking client: their next
// change sends cl an invalidation. Exec calls it for the reads it runs;
// the cluster router for a read it forwards to the keys' owner, whose
// invalidations come back through InvalidateRemote. cl's goroutine only.
func (ks *Keyspace) RememberKeys(cl *Client, keys [][]byte) {
	if len(keys) == 0 {
		return
	}
	if cl.OnTrackedRead != nil {
		cl.OnTrackedRead()
	}
	t := &ks.track
	for _, k := range keys {
		i := t.shardOf(k)
		s := &t.shards[i]
		s.mu.Lock()
		if s.keys == nil {
			s.keys = make(map[string]*readers)
		}
		r := s.keys[string(k)]
		if r == nil {
			r = &readers{}
			s.keys[string(k)] = r
			t.keys.Add(1)
		}
		if r.add(cl) {
			t.items.Add(1)
		}
		s.mu.Unlock()
		cl.trackShards[i/64] |= 1 << (i % 64)
	}
}

// InvalidateRemote sends the invalidations another node reported for keys
// (nil: every key, after a flush or a lost connection to that node) to
// the local clients that read them through this node. It takes no
// keyspace lock; call it holding none.
func (ks *Keyspace) InvalidateRemote(keys [][]byte) {
	t := &ks.track
	if t.clients.Load() == 0 {
		return
	}
	var sink Client
	if keys == nil {
		ks.invalidateAll(&sink)
	}
	for _, k := range keys {
		t.takeReaders(&sink, k)
	}
	ks.deliver(&sink, nil)
}

// invalidateWritten queues the invalidations of the keys c's command
// wrote: the keys its key specs do not flag read-only.
func (ks *Keyspace) invalidateWritten(c *Ctx) {
	var buf [8]KeyRef
	var kb [8][]byte // not the client's keyBuf: a memory bracket holds its keys until the command ends
	refs := c.Cmd.KeyRefs(buf[:0], c.Args)
	keys := kb[:0]
	for _, r := range refs {
		if r.Flags&KeyRO != 0 && r.Flags&(KeyRW|KeyOW|KeyRM) == 0 {
			continue
		}
		keys = append(keys, c.Args[r.Pos])
	}
	ks.invalidateKeys(c.Client.sink(), keys)
}

// sink returns the client whose command cl's invalidations belong to: the
// script's caller for a script's commands.
func (cl *Client) sink() *Client {
	if cl.atomic != nil {
		return cl.atomic.caller
	}
	return cl
}

// invalidateKeys queues on sink the invalidations of keys, which sink's
// command (or the expiry cycle) just changed: each key's readers are
// forgotten, and the BCAST clients of the prefixes they match get them
// grouped, one message per prefix, keys sorted.
func (ks *Keyspace) invalidateKeys(sink *Client, keys [][]byte) {
	t := &ks.track
	if t.clients.Load() == 0 || len(keys) == 0 {
		return
	}
	for _, k := range keys {
		t.takeReaders(sink, k)
	}
	p := t.bcast.Load()
	if p == nil {
		return
	}
	for _, bp := range *p {
		var matched [][]byte
		for _, k := range keys {
			if bytes.HasPrefix(k, []byte(bp.prefix)) && !containsKey(matched, k) {
				matched = append(matched, bytes.Clone(k))
			}
		}
		if len(matched) == 0 {
			continue
		}
		slices.SortFunc(matched, bytes.Compare)
		for _, target := range bp.clients {
			if target.TrackingFlags()&TrackNoloop != 0 && sink != nil && target.ID == sink.ID {
				continue
			}
			sink.invals = append(sink.invals, Invalidation{target, matched})
		}
	}
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, o := range keys {
		if bytes.Equal(o, k) {
			return true
		}
	}
	return false
}

// takeReaders forgets the readers of key and queues their invalidations
// on sink, except for NOLOOP readers that are sink itself.
func (t *tracking) takeReaders(sink *Client, key []byte) {
	s := &t.shards[t.shardOf(key)]
	s.mu.Lock()
	r := s.keys[string(key)]
	if r == nil {
		s.mu.Unlock()
		return
	}
	delete(s.keys, string(key))
	t.keys.Add(-1)
	t.items.Add(-int64(r.len()))
	s.mu.Unlock()
	t.queueFor(sink, r, []byte(string(key)))
}

// queueFor queues on sink the invalidation of key for each reader in r
// still tracking in default mode.
func (t *tracking) queueFor(sink *Client, r *readers, key []byte) {
	keys := [][]byte{key}
	r.each(func(target *Client) {
		f := target.TrackingFlags()
		if f&TrackOn == 0 || f&TrackBcast != 0 {
			return
		}
		if f&TrackNoloop != 0 && sink != nil && target.ID == sink.ID {
			return
		}
		sink.invals = append(sink.invals, Invalidation{target, keys})
	})
}

// invalidateAll queues a flush invalidation (every key) for every
// tracking client on sink and empties the table, as FLUSHDB and FLUSHALL
// do in Redis, whatever database they flush.
func (ks *Keyspace) invalidateAll(sink *Client) {
	t := &ks.track
	if t.clients.Load() == 0 {
		return
	}
	t.mu.Lock()
	for cl := range t.registry {
		sink.invals = append(sink.invals, Invalidation{Target: cl})
	}
	t.mu.Unlock()
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		if len(s.keys) > 0 {
			t.keys.Add(-int64(len(s.keys)))
			for _, r := range s.keys {
				t.items.Add(-int64(r.len()))
			}
			s.keys = nil
		}
		s.mu.Unlock()
	}
}

// evictOverLimit forgets keys, queuing their invalidations on sink, while
// the table holds more than tracking-table-max-keys; at most a bounded
// number per call, the next call goes on.
func (ks *Keyspace) evictOverLimit(sink *Client) {
	t := &ks.track
	limit := t.maxKeys.Load()
	if limit == 0 {
		return
	}
	n := len(t.shards)
	for effort := 0; effort < 1000 && t.keys.Load() > limit; effort++ {
		s := &t.shards[int(t.evictAt.Add(1))%n]
		s.mu.Lock()
		var key string
		var r *readers
		for k, v := range s.keys {
			key, r = k, v
			break
		}
		if r == nil {
			s.mu.Unlock()
			continue
		}
		delete(s.keys, key)
		t.keys.Add(-1)
		t.items.Add(-int64(r.len()))
		s.mu.Unlock()
		t.queueFor(sink, r, []byte(key))
	}
}

// afterCommand hands cl's queued invalidations to the hook; cl holds no
// lock. It first keeps the table within its limit.
func (ks *Keyspace) afterCommand(cl *Client) {
	t := &ks.track
	if lim := t.maxKeys.Load(); lim != 0 && t.keys.Load() > lim {
		ks.evictOverLimit(cl)
	}
	ks.deliver(cl, cl)
}

// deliver hands the invalidations queued on sink to the hook, on behalf of
// from (nil: no client's command).
func (ks *Keyspace) deliver(sink, from *Client) {
	if len(sink.invals) == 0 {
		return
	}
	invs := sink.invals
	sink.invals = nil
	if ks.track.onInvalidate != nil {
		ks.track.onInvalidate(from, invs)
	}
}
