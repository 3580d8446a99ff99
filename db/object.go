package db

import (
	"bytes"
	"math"
	"unsafe"
)

// A Collection is the value of a non-string key, returned by Value.Obj. Every
// collection type (list, hash, set, sorted set) implements it, so the generic
// key commands (COPY, OBJECT ENCODING, MEMORY USAGE) handle each kind
// without knowing it. Methods are called with the key's shard lock held.
type Collection interface {
	// Kind returns the collection's type.
	Kind() Kind
	// Len returns the number of elements.
	Len() int
	// Copy returns a deep copy that shares no mutable state with the
	// receiver, of the same dynamic type.
	Copy() any
	// Encoding returns the name OBJECT ENCODING reports for the current
	// representation, such as "listpack" or "hashtable".
	Encoding() string
	// Rewrite adds to cw the commands that rebuild the collection, for the
	// AOF rewrite: Begin with the command, then Add each element, then
	// Flush.
	Rewrite(cw *chunkWriter)
	// MemoryUsage estimates the bytes the collection holds. It may look at
	// only samples elements and extrapolate; samples is at least 1, and
	// math.MaxInt means every element.
	MemoryUsage(samples int) int64
}

// copyValue returns a deep copy of v for COPY. Kinds other than strings
// copy themselves through Collection.
func copyValue(v Value) Value {
	if o := v.Obj(); o != nil {
		return CollectionValue(o.Copy().(Collection))
	}
	return StringValue(bytes.Clone(v.Str()))
}

// Redis's limits for its string encodings: the longest text it stores as an
// integer, and the longest it stores in one allocation with the object header.
const (
	maxIntEncodingLen = 20
	maxEmbstrLen      = 44
)

// encoding returns the name OBJECT ENCODING reports for e's value.
func encoding(e *Entry) string {
	if o := e.Value.Obj(); o != nil {
		return o.Encoding()
	}
	str := e.Value.Str()
	hint := e.Meta & metaEnc
	switch {
	case hint == encRaw:
		return "raw"
	case (hint == encAuto || hint == encUnshared) && isIntEncoded(str):
		return "int"
	case len(str) <= maxEmbstrLen:
		return "embstr"
	}
	return "raw"
}

// isIntEncoded reports whether Redis would store s as an integer: the
// canonical text of an int64.
func isIntEncoded(s []byte) bool {
	if len(s) > maxIntEncodingLen {
		return false
	}
	_, ok := ParseInt(s)
	return ok
}

// sharedIntegers is how many small integers Redis keeps as shared objects;
// OBJECT REFCOUNT reports sharedRefcount for them.
const (
	sharedIntegers = 10000
	sharedRefcount = math.MaxInt32
)

// encUnshared is the fourth encoding hint (see encAuto in keyspace.go): an
// integer Redis holds in an object of its own rather than a shared one,
// as COPY's duplicate of an integer is. Any new value replaces the hint.
const encUnshared = metaEnc

// copiedEncoding returns the encoding hint of COPY's duplicate of e's value:
// e's own, except that a duplicated integer is not shared.
func copiedEncoding(e *Entry) uint32 {
	hint := e.Meta & metaEnc
	if hint == encAuto && e.Value.Obj() == nil && isIntEncoded(e.Value.Str()) {
		return encUnshared
	}
	return hint
}

// refcount returns what OBJECT REFCOUNT reports for e's value: values are
// never shared here, but Redis reports its shared small integers specially.
func refcount(e *Entry) int64 {
	if encoding(e) == "int" && e.Meta&metaEnc != encUnshared {
		if n, _ := ParseInt(e.Value.Str()); n >= 0 && n < sharedIntegers {
			return sharedRefcount
		}
	}
	return 1
}

// entryOverhead is what every key costs besides its name and value: the
// entry itself plus, on average, one bucket slot (the load factor is at most
// one).
const entryOverhead = int64(unsafe.Sizeof(Entry{})) + bucketSlot

// expiringSlot is what a key with a deadline adds: its slot in the shard's
// expiry index, which holds the deadline (the entry has none).
const expiringSlot = 16

// memoryUsage estimates the bytes e takes: the entry, the key's bytes, its
// slot in the expiry index if it has a deadline, and the value, each
// rounded up to the allocator's size class (the name and a string value
// together when they share an allocation). It depends only on e's state
// (see memory.go).
func memoryUsage(e *Entry, samples int) int64 {
	n := entryOverhead
	if e.HasDeadline() {
		n += expiringSlot
	}
	name := int64(len(e.Key))
	switch o := e.Value.Obj(); {
	case o != nil:
		n += allocSize(name) + o.MemoryUsage(samples)
	case sharesKey(e):
		n += allocSize(name + int64(cap(e.Value.Str())))
	default:
		n += allocSize(name) + allocSize(int64(cap(e.Value.Str())))
	}
	return n
}

// sharesKey reports whether e's string value follows its name in one
// allocation (storeString), as a deterministic function of e's state: the
// value's array starts where the name's bytes end.
func sharesKey(e *Entry) bool {
	v := e.Value.Str()
	// Addresses compared as numbers: the end of a name that is an
	// allocation of its own is no pointer one may form.
	end := uintptr(unsafe.Pointer(unsafe.StringData(e.Key))) + uintptr(len(e.Key))
	return cap(v) > 0 && end == uintptr(unsafe.Pointer(unsafe.SliceData(v)))
}

func registerObject(t *Table) {
	t.Register(&Command{Name: "object", Arity: -2, Group: "generic", Since: "2.2.3",
		Summary: "Inspects how a key's value is stored."})
	for _, sub := range []*Command{
		{Name: "encoding", Since: "2.2.3", Summary: "Returns the internal representation of a key's value.",
			Run: objectCmd(func(c *Ctx, e *Entry) { c.W.WriteBulkString(encoding(e)) })},
		{Name: "refcount", Since: "2.2.3", Summary: "Returns the number of references to a key's value.",
			Run: objectCmd(func(c *Ctx, e *Entry) { c.W.WriteInt(refcount(e)) })},
		{Name: "idletime", Since: "2.2.3", Summary: "Returns the seconds since a key was last accessed.",
			Run: objectCmd(func(c *Ctx, e *Entry) {
				if c.ks.Eviction().Policy.lfu() {
					c.W.WriteError("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
					return
				}
				c.W.WriteInt(c.idleSeconds(e))
			})},
		{Name: "freq", Since: "4.0.0", Summary: "Returns a key's access frequency (under an LFU maxmemory policy).",
			Run: objectCmd(func(c *Ctx, e *Entry) {
				cfg := c.ks.Eviction()
				if !cfg.Policy.lfu() {
					c.W.WriteError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
					return
				}
				c.W.WriteInt(int64(lfuDecayed(e.Meta&metaClock, c.Now, cfg.LFUDecayTime)))
			})},
	} {
		sub.Arity, sub.Flags = 3, FlagReadonly
		t.RegisterSub("object", sub)
	}
	t.RegisterSub("object", HelpCommand("6.2.0", "Describes the subcommands."))
}

// objectCmd returns the Run function of an OBJECT subcommand that reports
// on the key in args[2]: a missing key gets a null reply, a present one is
// passed to report. The key's access time is left alone.
func objectCmd(report func(c *Ctx, e *Entry)) func(c *Ctx) {
	return func(c *Ctx) {
		e := c.lookupNoTouch(c.Args[2])
		if e == nil {
			c.W.WriteNull()
			return
		}
		report(c, e)
	}
}

func registerMemory(t *Table) {
	t.Register(&Command{Name: "memory", Arity: -2, Group: "server", Since: "4.0.0",
		Summary: "Reports on memory use."})
	t.RegisterSub("memory", &Command{Name: "usage", Arity: -3, Flags: FlagReadonly, Since: "4.0.0",
		Summary: "Estimates the bytes a key and its value take; SAMPLES n measures n elements of a collection (0: all).", Run: memoryUsageCmd})
	t.RegisterSub("memory", HelpCommand("4.0.0", "Describes the subcommands."))
}

// defaultMemorySamples is MEMORY USAGE's default SAMPLES.
const defaultMemorySamples = 5

// memoryUsageCmd serves MEMORY USAGE key [SAMPLES n].
func memoryUsageCmd(c *Ctx) {
	samples := int64(defaultMemorySamples)
	for i := 3; i < len(c.Args); i += 2 {
		if !EqualFold(c.Args[i], "samples") || i+1 >= len(c.Args) {
			c.W.WriteError(ErrSyntax)
			return
		}
		var ok bool
		if samples, ok = c.IntArg(i + 1); !ok {
			return
		}
		if samples < 0 {
			c.W.WriteError(ErrSyntax)
			return
		}
		if samples == 0 {
			samples = math.MaxInt
		}
	}
	e := c.Lookup(c.Args[2])
	if e == nil {
		c.W.WriteNull()
		return
	}
	c.W.WriteInt(memoryUsage(e, int(samples)))
}

// deleteIfEmpty deletes key if its collection v has no elements left: Redis
// never keeps an empty collection.
func (c *Ctx) deleteIfEmpty(key []byte, v Collection) {
	if v.Len() == 0 {
		c.delKey(key)
	}
}

// removeMembers serves HDEL, SREM and ZREM once the key's collection v (nil
// for a missing key) is found: it removes each member argument with remove
// and, if any went, fires event, deletes the key if v is now empty and
// propagates. It replies with how many were removed.
func (c *Ctx) removeMembers(v Collection, class EventClass, event string, remove func(member []byte) bool) {
	removed := 0
	if v != nil {
		for _, m := range c.Args[2:] {
			if remove(m) {
				removed++
			}
		}
	}
	if removed > 0 {
		c.Notify(class, event, c.Args[1])
		c.deleteIfEmpty(c.Args[1], v)
		c.Propagate()
	}
	c.W.WriteInt(int64(removed))
}

// lookupAs finds key for a command on collections of kind, stored as T: a
// read counts a keyspace hit or miss, a write refreshes the key's access
// time. For another kind it writes WRONGTYPE and returns false; a missing
// key gives the zero T (nil) and true.
func lookupAs[T Collection](c *Ctx, key []byte, kind Kind, read bool) (T, bool) {
	var zero T
	var e *Entry
	if read {
		e = c.LookupRead(key)
	} else if e = c.Lookup(key); e != nil {
		c.touch(e)
	}
	if !c.CheckKind(e, kind) {
		return zero, false
	}
	if e == nil {
		return zero, true
	}
	return e.Value.Obj().(T), true
}

// storeEmpty stores an empty hash, set or sorted set (kind; T its type) at
// key (see Store) and returns it: a view of the entry's value (see Value),
// so creating one allocates nothing. The caller adds an element before
// the command ends, as Redis keeps no empty collection.
func storeEmpty[T Collection](c *Ctx, key []byte, kind Kind) T {
	return c.Store(key, emptyInline(kind), false).Value.Obj().(T)
}

// collectionLen returns the Run function of LLEN, HLEN, SCARD and ZCARD:
// the number of elements of the kind collection at Args[1], 0 when the key
// is missing.
func collectionLen(kind Kind) func(*Ctx) {
	return func(c *Ctx) {
		v, ok := lookupAs[Collection](c, c.Args[1], kind, true)
		switch {
		case !ok:
		case v == nil:
			c.W.WriteInt(0)
		default:
			c.W.WriteInt(int64(v.Len()))
		}
	}
}
