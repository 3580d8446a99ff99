package db

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"myredis/datastruct/glob"
)

// registerKeys adds the generic key commands: deletion, existence, type,
// expiry, enumeration and moving keys around. OBJECT and MEMORY are in
// object.go.
func registerKeys(t *Table) {
	for _, cmd := range []*Command{
		{Name: "del", Arity: -2, Flags: FlagWrite,
			Since: "1.0.0", Summary: "Removes keys and returns how many existed.", Run: del},
		{Name: "unlink", Arity: -2, Flags: FlagWrite | FlagFast,
			Since: "4.0.0", Summary: "Removes keys and returns how many existed (the memory may be freed later).", Run: del},
		{Name: "exists", Arity: -2, Flags: FlagReadonly | FlagFast,
			Since: "1.0.0", Summary: "Returns how many of the keys exist, counting repeats.",
			Run: func(c *Ctx) { countKeys(c, c.lookupNoTouch) }},
		{Name: "touch", Arity: -2, Flags: FlagReadonly | FlagFast,
			Since: "3.2.1", Summary: "Marks keys as just accessed and returns how many exist.",
			Run: func(c *Ctx) { countKeys(c, c.LookupRead) }},
		{Name: "type", Arity: 2, Flags: FlagReadonly | FlagFast,
			Since: "1.0.0", Summary: "Returns the kind of value a key holds.", Run: typeCmd},
		{Name: "expire", Arity: -3, Flags: FlagWrite | FlagFast,
			Since: "1.0.0", Summary: "Sets a key's time to live in seconds.", Run: expire(1000, false)},
		{Name: "pexpire", Arity: -3, Flags: FlagWrite | FlagFast,
			Since: "2.6.0", Summary: "Sets a key's time to live in milliseconds.", Run: expire(1, false)},
		{Name: "expireat", Arity: -3, Flags: FlagWrite | FlagFast,
			Since: "1.2.0", Summary: "Makes a key expire at a unix time in seconds.", Run: expire(1000, true)},
		{Name: "pexpireat", Arity: -3, Flags: FlagWrite | FlagFast,
			Since: "2.6.0", Summary: "Makes a key expire at a unix time in milliseconds.", Run: expire(1, true)},
		{Name: "ttl", Arity: 2, Flags: FlagReadonly | FlagFast,
			Since: "1.0.0", Summary: "Returns a key's remaining time to live in seconds.", Run: ttl(false, false)},
		{Name: "pttl", Arity: 2, Flags: FlagReadonly | FlagFast,
			Since: "2.6.0", Summary: "Returns a key's remaining time to live in milliseconds.", Run: ttl(true, false)},
		{Name: "expiretime", Arity: 2, Flags: FlagReadonly | FlagFast,
			Since: "7.0.0", Summary: "Returns the unix time in seconds at which a key expires.", Run: ttl(false, true)},
		{Name: "pexpiretime", Arity: 2, Flags: FlagReadonly | FlagFast,
			Since: "7.0.0", Summary: "Returns the unix time in milliseconds at which a key expires.", Run: ttl(true, true)},
		{Name: "persist", Arity: 2, Flags: FlagWrite | FlagFast,
			Since: "2.2.0", Summary: "Removes a key's time to live.", Run: persist},
		{Name: "keys", Arity: 2, Flags: FlagReadonly | FlagOwnLocks,
			Since: "1.0.0", Summary: "Returns every key matching a glob pattern.", Run: keys},
		{Name: "scan", Arity: -2, Flags: FlagReadonly | FlagOwnLocks,
			Since: "2.8.0", Summary: "Iterates over the keys with a cursor, a few at a time.", Run: scan},
		{Name: "randomkey", Arity: 1, Flags: FlagReadonly | FlagOwnLocks,
			Since: "1.0.0", Summary: "Returns a key picked at random.", Run: randomKey},
		{Name: "rename", Arity: 3, Flags: FlagWrite,
			Since: "1.0.0", Summary: "Renames a key, replacing any key of the new name.", Run: rename(false)},
		{Name: "renamenx", Arity: 3, Flags: FlagWrite | FlagFast,
			Since: "1.0.0", Summary: "Renames a key unless the new name is taken.", Run: rename(true)},
		{Name: "move", Arity: 3, Flags: FlagWrite | FlagFast | FlagOwnLocks,
			Since: "1.0.0", Summary: "Moves a key to another database.", Run: move},
		{Name: "copy", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagOwnLocks,
			Since: "6.2.0", Summary: "Copies a key's value and time to live to another key.", Run: copyCmd},
	} {
		cmd.Group = "generic"
		t.Register(cmd)
	}
	registerObject(t)
	registerMemory(t)
}

// KeyCounts returns the number of keys in d and how many of them carry a
// deadline, for INFO's keyspace section. Like Len, both counts include keys
// past their deadline that have not been reclaimed yet. It takes no lock.
func (d *DB) KeyCounts() (keys, expires int) {
	return d.keys.Len(), d.keys.ExpiresLen()
}

// lookupNoTouch is LookupRead for commands that inspect a key rather than use
// its value (EXISTS, TYPE, TTL, OBJECT): it counts the hit or miss but
// leaves the access time alone.
func (c *Ctx) lookupNoTouch(key []byte) *Entry {
	e := c.Lookup(key)
	if e == nil {
		c.ks.stats.KeyspaceMisses.Add(1)
	} else {
		c.ks.stats.KeyspaceHits.Add(1)
	}
	return e
}

// expired reports whether e is past its deadline at now. Iterations that may
// not delete (KEYS, SCAN) use it to skip such keys. The caller holds e's
// shard lock in d.
func expired(d *DB, e *Entry, now int64) bool {
	at := d.expireAt(e)
	return at != 0 && at <= now
}

// del serves DEL and UNLINK (which frees synchronously here too). It logs
// only the keys that existed, under the name the command was sent with.
func del(c *Ctx) {
	logged := [][]byte{c.Args[0]}
	for _, key := range c.Args[1:] {
		if c.delKey(key) {
			logged = append(logged, key)
		}
	}
	if len(logged) > 1 {
		c.PropagateAs(logged...)
	}
	c.W.WriteInt(int64(len(logged) - 1))
}

// delKey deletes key as DEL does, firing the "del" event if the key was
// there, and reports whether it was.
func (c *Ctx) delKey(key []byte) bool {
	if !c.Delete(key) {
		return false
	}
	c.Notify(EventGeneric, "del", key)
	return true
}

// countKeys replies with how many argument keys lookup finds, each
// occurrence counted.
func countKeys(c *Ctx, lookup func(key []byte) *Entry) {
	n := 0
	for _, key := range c.Args[1:] {
		if lookup(key) != nil {
			n++
		}
	}
	c.W.WriteInt(int64(n))
}

func typeCmd(c *Ctx) {
	e := c.lookupNoTouch(c.Args[1])
	if e == nil {
		c.W.WriteSimple("none")
		return
	}
	c.W.WriteSimple(e.Value.Kind().String())
}

// Conditions of the EXPIRE family's NX, XX, GT and LT options.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

// expire returns the Run function of one EXPIRE-family command: its time
// argument counts units of unitMs milliseconds, from now unless absolute.
// The write is logged as PEXPIREAT with the absolute deadline, or as DEL
// when the deadline has already passed (the key is deleted at once).
func expire(unitMs int64, absolute bool) func(c *Ctx) {
	return func(c *Ctx) {
		flags, ok := expireOptions(c)
		if !ok {
			return
		}
		when, ok := c.IntArg(2)
		if !ok {
			return
		}
		base := int64(0)
		if !absolute {
			base = c.Now
		}
		if when > math.MaxInt64/unitMs || when < math.MinInt64/unitMs || when*unitMs > math.MaxInt64-base {
			c.W.WriteError(fmt.Sprintf(ErrInvalidExp, c.Cmd.Name))
			return
		}
		when = when*unitMs + base

		key := c.Args[1]
		e := c.Lookup(key)
		if e == nil || !expireAllowed(flags, c.DB.expireAt(e), when) {
			c.W.WriteInt(0)
			return
		}
		if c.PastDeadline(when) {
			c.delKey(key)
			c.PropagateAs(delName, key)
		} else {
			c.SetExpire(e, when)
			c.PropagateAs(pexpireatName, key, strconv.AppendInt(nil, when, 10))
			c.Notify(EventGeneric, "expire", key)
		}
		c.W.WriteInt(1)
	}
}

var pexpireatName = []byte("PEXPIREAT")

// expireOptions parses the options after an EXPIRE-family time argument,
// writing the error reply and returning false if they are invalid.
func expireOptions(c *Ctx) (flags int, ok bool) {
	for _, opt := range c.Args[3:] {
		switch {
		case EqualFold(opt, "nx"):
			flags |= expireNX
		case EqualFold(opt, "xx"):
			flags |= expireXX
		case EqualFold(opt, "gt"):
			flags |= expireGT
		case EqualFold(opt, "lt"):
			flags |= expireLT
		default:
			c.W.WriteError("ERR Unsupported option " + string(opt))
			return 0, false
		}
	}
	if flags&expireNX != 0 && flags != expireNX {
		c.W.WriteError("ERR NX and XX, GT or LT options at the same time are not compatible")
		return 0, false
	}
	if flags&(expireGT|expireLT) == expireGT|expireLT {
		c.W.WriteError("ERR GT and LT options at the same time are not compatible")
		return 0, false
	}
	return flags, true
}

// expireAllowed reports whether the options in flags let a key whose
// deadline is cur (0 for none) get the deadline when. A key without a
// deadline counts as living forever for GT and LT.
func expireAllowed(flags int, cur, when int64) bool {
	switch {
	case flags&expireNX != 0:
		return cur == 0
	case flags&expireXX != 0 && cur == 0:
		return false
	case flags&expireGT != 0:
		return cur != 0 && when > cur
	case flags&expireLT != 0:
		return cur == 0 || when < cur
	}
	return true
}

// ttl returns the Run function of TTL, PTTL, EXPIRETIME or PEXPIRETIME: the
// remaining time (or, if absolute, the deadline) in milliseconds or rounded
// seconds; -2 for a missing key, -1 for a key without a deadline.
func ttl(ms, absolute bool) func(c *Ctx) {
	return func(c *Ctx) {
		e := c.lookupNoTouch(c.Args[1])
		if e == nil {
			c.W.WriteInt(-2)
			return
		}
		t := c.DB.expireAt(e)
		if t == 0 {
			c.W.WriteInt(-1)
			return
		}
		if !absolute {
			t = max(t-c.Now, 0)
		}
		if !ms {
			// Rounded as (t+500)/1000, without overflowing near 2^63.
			t = t/1000 + (t%1000+500)/1000
		}
		c.W.WriteInt(t)
	}
}

func persist(c *Ctx) {
	e := c.Lookup(c.Args[1])
	if e == nil || !e.HasDeadline() {
		c.W.WriteInt(0)
		return
	}
	c.SetExpire(e, 0)
	c.Propagate()
	c.Notify(EventGeneric, "persist", c.Args[1])
	c.W.WriteInt(1)
}

// keyFilter matches keys against a glob pattern; "*" matches without
// running the matcher.
type keyFilter struct {
	pattern []byte
	all     bool
}

func newKeyFilter(pattern []byte) keyFilter {
	return keyFilter{pattern: pattern, all: len(pattern) == 1 && pattern[0] == '*'}
}

func (f keyFilter) match(key string) bool {
	return f.all || glob.Match(f.pattern, []byte(key), false)
}

// keys replies with every live key matching the pattern. It locks the whole
// database, so the reply is a snapshot, as with Redis's single thread.
func keys(c *Ctx) {
	f := newKeyFilter(c.Args[1])
	d := c.DB
	unlock := lockAll(d)
	defer unlock()
	var out []string
	for s := 0; s < d.keys.ShardCount(); s++ {
		d.keys.ForEachLocked(s, func(e *Entry) bool {
			if !expired(c.DB, e, c.Now) && f.match(e.Key) {
				out = append(out, e.Key)
			}
			return true
		})
	}
	writeStrings(c, out)
}

// scan serves SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]. Keys past
// their deadline are left out; keys present for a whole scan are returned
// at least once (the dict's cursor guarantee).
func scan(c *Ctx) {
	cursor, ok := parseCursor(c.Args[1])
	if !ok {
		c.W.WriteError("ERR invalid cursor")
		return
	}
	f := newKeyFilter([]byte("*"))
	var typ []byte
	count := int64(10)
	for i := 2; i < len(c.Args); i += 2 {
		opt := c.Args[i]
		if i+1 >= len(c.Args) {
			c.W.WriteError(ErrSyntax)
			return
		}
		switch {
		case EqualFold(opt, "count"):
			if count, ok = c.IntArg(i + 1); !ok {
				return
			}
			if count < 1 {
				c.W.WriteError(ErrSyntax)
				return
			}
		case EqualFold(opt, "match"):
			f = newKeyFilter(c.Args[i+1])
		case EqualFold(opt, "type"):
			// Redis 7.0 accepts any type name; an unknown one matches nothing.
			typ = c.Args[i+1]
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	var out []string
	var gone [][]byte // keys past their deadline that match the pattern
	next := c.DB.keys.Scan(cursor, int(min(count, math.MaxInt32)), func(e *Entry) {
		switch {
		case !f.match(e.Key):
		case expired(c.DB, e, c.Now):
			gone = append(gone, []byte(e.Key))
		case typ == nil || EqualFold(typ, e.Value.Kind().String()):
			out = append(out, e.Key)
		}
	})
	c.expireKeys(gone)
	c.W.WriteArray(2)
	c.W.WriteBulk(strconv.AppendUint(nil, next, 10))
	writeStrings(c, out)
}

// expireKeys deletes those of keys that are still past their deadline, as
// a lookup would, taking their shard locks itself (for commands with
// FlagOwnLocks). Redis's SCAN deletes the expired keys that match its
// pattern as it meets them, so DBSIZE stops counting them.
func (c *Ctx) expireKeys(keys [][]byte) {
	if len(keys) == 0 {
		return
	}
	shards := c.DB.keys.LockKeys(keys, nil)
	defer c.DB.keys.UnlockShards(shards)
	for _, k := range keys {
		c.Lookup(k)
	}
}

// parseCursor parses a SCAN cursor as Redis does with strtoul: no leading
// space, an optional sign (a '-' negates modulo 2^64), decimal digits, no
// overflow. An empty string is cursor 0.
func parseCursor(b []byte) (uint64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	var v uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// randomKeyTries bounds RANDOMKEY's draws: each draw that lands on a key past
// its deadline deletes it (unless expiry is paused) and draws again, so a
// database full of expired keys may answer nil while the active expiry
// cycle catches up.
const randomKeyTries = 100

func randomKey(c *Ctx) {
	for range randomKeyTries {
		var key string
		found := false
		nonEmpty := c.DB.keys.Random(func(e *Entry) {
			if expired(c.DB, e, c.Now) {
				if !c.ks.expiryPaused.Load() {
					c.ks.expire(c.DB, e, c.Client.sink())
				}
				return
			}
			key, found = e.Key, true
		})
		if !nonEmpty {
			break
		}
		if found {
			c.W.WriteBulkString(key)
			return
		}
	}
	c.W.WriteNull()
}

// rename returns the Run function of RENAME, or of RENAMENX if nx. The value
// keeps its deadline and access time under the new name.
func rename(nx bool) func(c *Ctx) {
	return func(c *Ctx) {
		src, dst := c.Args[1], c.Args[2]
		e := c.Lookup(src)
		if e == nil {
			c.W.WriteError(ErrNoSuchKey)
			return
		}
		if bytes.Equal(src, dst) {
			renameReply(c, nx, false)
			return
		}
		if c.Lookup(dst) != nil {
			if nx {
				renameReply(c, nx, false)
				return
			}
			c.ks.valueGone(c.DB, dst, &c.Lookup(dst).Value)
			c.DB.keys.DeleteLocked(dst)
		}
		c.addEntry(c.DB, dst, e.Value, c.DB.expireAt(e), e.Meta)
		c.ks.valueGone(c.DB, src, &e.Value)
		c.DB.keys.DeleteLocked(src)
		c.Propagate()
		c.Notify(EventGeneric, "rename_from", src)
		c.Notify(EventGeneric, "rename_to", dst)
		renameReply(c, nx, true)
	}
}

// renameReply writes RENAMENX's 1 or 0, or RENAME's OK.
func renameReply(c *Ctx, nx, renamed bool) {
	if nx {
		c.WriteBool(renamed)
	} else {
		c.WriteOK()
	}
}

// addEntry adds key, which must be absent from d, with value v, deadline at
// (0 for none) and metadata meta (see Entry), fires the "new" event in d and
// wakes clients blocked on key. The caller holds key's shard lock in d.
func (c *Ctx) addEntry(d *DB, key []byte, v Value, at int64, meta uint32) {
	e := d.keys.AddLocked(key, v)
	e.Meta = meta
	if d != c.DB && c.ks.watched.count.Load() > 0 { // run touches c.DB's keys
		c.ks.touchWatched(d, [][]byte{key}, true)
	}
	c.ks.fire(d.index, EventNew, "new", key)
	if v.awaited() {
		c.ks.signalReady(d.index, key, v.Kind())
	}
	if at != 0 {
		d.keys.SetExpireLocked(e, at)
	}
}

// dbArg parses args[i] as a database index, writing Redis's error reply and
// returning false if it is not an int32 or names no database.
func (c *Ctx) dbArg(i int) (*DB, bool) {
	n, ok := c.IntArg(i)
	if !ok {
		return nil, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		c.W.WriteError("ERR value is out of range, value must between -2147483648 and 2147483647")
		return nil, false
	}
	if n < 0 || n >= int64(len(c.ks.dbs)) {
		c.W.WriteError(ErrDBIndex)
		return nil, false
	}
	return c.ks.dbs[n], true
}

const errSameObject = "ERR source and destination objects are the same"

// move serves MOVE key db: the value, its deadline and access time go to the
// same key in another database unless that key exists there.
func move(c *Ctx) {
	dst, ok := c.dbArg(2)
	if !ok {
		return
	}
	if dst == c.DB {
		c.W.WriteError(errSameObject)
		return
	}
	key := c.Args[1]
	unlock := lockPair(c.DB, key, dst, key)
	defer unlock()
	e := c.Lookup(key)
	if e == nil || c.ks.lookup(dst, key, c.Now, true, c.Client.sink()) != nil {
		c.W.WriteInt(0)
		return
	}
	c.DB.forget(e) // MOVE locks for itself: it accounts for what it moves
	c.addEntry(dst, key, e.Value, c.DB.expireAt(e), e.Meta)
	c.ks.valueGone(c.DB, key, &e.Value)
	dst.account(dst.keys.FindLocked(key))
	c.DB.keys.DeleteLocked(key)
	c.Propagate()
	c.Notify(EventGeneric, "move_from", key)
	c.ks.fire(dst.index, EventGeneric, "move_to", key)
	c.W.WriteInt(1)
}

// copyCmd serves COPY src dst [DB n] [REPLACE]: dst gets a deep copy of src's
// value and its deadline.
func copyCmd(c *Ctx) {
	dst, replace := c.DB, false
	for i := 3; i < len(c.Args); i++ {
		switch {
		case EqualFold(c.Args[i], "replace"):
			replace = true
		case EqualFold(c.Args[i], "db") && i+1 < len(c.Args):
			d, ok := c.dbArg(i + 1)
			if !ok {
				return
			}
			dst = d
			i++
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	srcKey, dstKey := c.Args[1], c.Args[2]
	if dst == c.DB && bytes.Equal(srcKey, dstKey) {
		c.W.WriteError(errSameObject)
		return
	}
	unlock := lockPair(c.DB, srcKey, dst, dstKey)
	defer unlock()
	e := c.LookupRead(srcKey)
	if e == nil {
		c.W.WriteInt(0)
		return
	}
	if old := c.ks.lookup(dst, dstKey, c.Now, true, c.Client.sink()); old != nil {
		if !replace {
			c.W.WriteInt(0)
			return
		}
		c.ks.valueGone(dst, dstKey, &old.Value)
		dst.forget(old) // COPY locks for itself: it accounts alone
		dst.keys.DeleteLocked(dstKey)
	}
	c.addEntry(dst, dstKey, copyValue(e.Value), c.DB.expireAt(e), copiedEncoding(e)|c.ks.newMeta(c.Now))
	dst.account(dst.keys.FindLocked(dstKey))
	c.Propagate()
	c.ks.fire(dst.index, EventGeneric, "copy_to", dstKey)
	c.W.WriteInt(1)
}
