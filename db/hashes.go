package db

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"unsafe"

	"myredis/datastruct/dict"
)

// Redis's default limits for its compact hash encoding
// (hash-max-listpack-entries and hash-max-listpack-value).
const (
	hashMaxListpackEntries = 512
	hashMaxListpackValue   = 64
)

// hashValue is a hash key's value. While small it is a flat slice of
// fields and values in insertion order, like Redis's listpack; a hash with
// more than hashMaxListpackEntries fields, or that was ever given a field
// or value longer than hashMaxListpackValue bytes, becomes a dict.Map for
// good. Fields and values handed out are read-only and valid until the hash
// is next changed.
type hashValue struct {
	pairs [][]byte // field, value, field, value, ... while m is nil
	m     *dict.Map[[]byte]
}

// Kind returns KindHash.
func (*hashValue) Kind() Kind { return KindHash }

// Copy returns a deep copy in the same encoding.
func (h *hashValue) Copy() any {
	c := &hashValue{}
	if h.m == nil {
		c.pairs = make([][]byte, len(h.pairs))
		for i, b := range h.pairs {
			c.pairs[i] = bytes.Clone(b)
		}
		return c
	}
	c.m = new(dict.Map[[]byte])
	h.m.ForEach(func(e *dict.Entry[[]byte]) bool {
		c.m.Add(stringBytes(e.Key), bytes.Clone(e.Value))
		return true
	})
	return c
}

// Encoding returns "listpack" or "hashtable", as Redis 7.0 reports them.
func (h *hashValue) Encoding() string {
	if h.m == nil {
		return "listpack"
	}
	return "hashtable"
}

// hashEntrySize is what a hash table field costs besides its bytes: the
// entry, the value's slice header and, on average, one bucket pointer.
const hashEntrySize = int64(unsafe.Sizeof(dict.Entry[[]byte]{})) + 8

// MemoryUsage estimates the bytes h holds; a hash table measures at most
// samples fields and extrapolates.
func (h *hashValue) MemoryUsage(samples int) int64 {
	n := int64(unsafe.Sizeof(*h))
	if h.m == nil {
		n += 24 * int64(cap(h.pairs))
		for _, b := range h.pairs {
			n += int64(cap(b))
		}
		return n
	}
	var seen, size int64
	h.m.ForEach(func(e *dict.Entry[[]byte]) bool {
		seen++
		size += hashEntrySize + int64(len(e.Key)+cap(e.Value))
		return seen < int64(samples)
	})
	if seen > 0 {
		n += size * int64(h.m.Len()) / seen
	}
	return n
}

// Len returns the number of fields.
func (h *hashValue) Len() int {
	if h.m != nil {
		return h.m.Len()
	}
	return len(h.pairs) / 2
}

// index returns the position of field in pairs, or -1.
func (h *hashValue) index(field []byte) int {
	for i := 0; i < len(h.pairs); i += 2 {
		if bytes.Equal(h.pairs[i], field) {
			return i
		}
	}
	return -1
}

// get returns the value of field and whether it is there.
func (h *hashValue) get(field []byte) ([]byte, bool) {
	if h.m != nil {
		if e := h.m.Find(field); e != nil {
			return e.Value, true
		}
		return nil, false
	}
	if i := h.index(field); i >= 0 {
		return h.pairs[i+1], true
	}
	return nil, false
}

// set sets field to a copy of value and reports whether the field is new.
func (h *hashValue) set(field, value []byte) bool {
	if h.m == nil && (len(field) > hashMaxListpackValue || len(value) > hashMaxListpackValue) {
		h.convert()
	}
	if h.m != nil {
		if e := h.m.Find(field); e != nil {
			e.Value = reuseBytes(e.Value, value)
			return false
		}
		h.m.Add(field, bytes.Clone(value))
		return true
	}
	if i := h.index(field); i >= 0 {
		h.pairs[i+1] = reuseBytes(h.pairs[i+1], value)
		return false
	}
	h.pairs = append(h.pairs, bytes.Clone(field), bytes.Clone(value))
	if len(h.pairs)/2 > hashMaxListpackEntries {
		h.convert()
	}
	return true
}

// reuseBytes returns a copy of b, in old's array when it fits without
// wasting much.
func reuseBytes(old, b []byte) []byte {
	if cap(old) >= len(b) && cap(old) <= 2*len(b)+16 {
		return append(old[:0], b...)
	}
	return bytes.Clone(b)
}

// convert moves a listpack hash into a hash table.
func (h *hashValue) convert() {
	h.m = new(dict.Map[[]byte])
	for i := 0; i < len(h.pairs); i += 2 {
		h.m.Add(h.pairs[i], h.pairs[i+1])
	}
	h.pairs = nil
}

// del deletes field and reports whether it was there.
func (h *hashValue) del(field []byte) bool {
	if h.m != nil {
		return h.m.Delete(field) != nil
	}
	i := h.index(field)
	if i >= 0 {
		h.pairs = slices.Delete(h.pairs, i, i+2)
	}
	return i >= 0
}

// hashPair is a field and its value.
type hashPair struct{ field, value []byte }

// forEach calls fn for every field until fn returns false, and reports
// whether it saw them all; a listpack is visited in insertion order. fn
// must not change h.
func (h *hashValue) forEach(fn func(p hashPair) bool) bool {
	if h.m != nil {
		return h.m.ForEach(func(e *dict.Entry[[]byte]) bool {
			return fn(hashPair{stringBytes(e.Key), e.Value})
		})
	}
	for i := 0; i < len(h.pairs); i += 2 {
		if !fn(hashPair{h.pairs[i], h.pairs[i+1]}) {
			return false
		}
	}
	return true
}

// random returns a random field and its value; h must not be empty.
func (h *hashValue) random() hashPair {
	if h.m != nil {
		e := h.m.Random()
		return hashPair{stringBytes(e.Key), e.Value}
	}
	i := 2 * rand.IntN(len(h.pairs)/2)
	return hashPair{h.pairs[i], h.pairs[i+1]}
}

// scan continues a scan from cursor with dict.Map's guarantee and returns
// the next cursor; a listpack is visited whole, whatever the cursor, with
// next cursor 0, as Redis does. fn must not change h.
func (h *hashValue) scan(cursor uint64, count int, fn func(p hashPair)) uint64 {
	if h.m != nil {
		return h.m.Scan(cursor, count, func(e *dict.Entry[[]byte]) {
			fn(hashPair{stringBytes(e.Key), e.Value})
		})
	}
	h.forEach(func(p hashPair) bool { fn(p); return true })
	return 0
}

// stringBytes returns the bytes of s without copying them; they must not be
// written to. It reads the immutable keys of a dict.Map.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

var hsetName = []byte("HSET")

// Hash-specific error replies, in Redis's words.
const (
	errHashNotInt   = "ERR hash value is not an integer"
	errHashNotFloat = "ERR hash value is not a float"
	errIncrNaNOrInf = "ERR value is NaN or Infinity"
	errValueRange   = "ERR value is out of range"
)

// registerHashes adds the hash commands.
func registerHashes(t *Table) {
	const (
		read  = FlagReadonly
		write = FlagWrite
		oom   = FlagDenyOOM
		fast  = FlagFast
	)
	cmd := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "hash", Since: since, Summary: summary, Run: run})
	}
	cmd("hset", -4, write|oom|fast, "2.0.0", "Sets fields of a hash, creating it if needed.", hset(false))
	cmd("hmset", -4, write|oom|fast, "2.0.0", "Sets fields of a hash (old form of HSET that replies OK).", hset(true))
	cmd("hsetnx", 4, write|oom|fast, "2.0.0", "Sets a field of a hash only if the field does not exist.", hsetnx)
	cmd("hget", 3, read|fast, "2.0.0", "Returns the value of a field of a hash.", hget)
	cmd("hmget", -3, read|fast, "2.0.0", "Returns the values of fields of a hash.", hmget)
	cmd("hdel", -3, write|fast, "2.0.0", "Deletes fields of a hash.", hdel)
	cmd("hexists", 3, read|fast, "2.0.0", "Reports whether a field exists in a hash.", hexists)
	cmd("hlen", 2, read|fast, "2.0.0", "Returns the number of fields of a hash.", collectionLen(KindHash))
	cmd("hstrlen", 3, read|fast, "3.2.0", "Returns the length of the value of a field of a hash.", hstrlen)
	cmd("hkeys", 2, read, "2.0.0", "Returns every field of a hash.", hashWalk(true, false))
	cmd("hvals", 2, read, "2.0.0", "Returns every value of a hash.", hashWalk(false, true))
	cmd("hgetall", 2, read, "2.0.0", "Returns every field and value of a hash.", hashWalk(true, true))
	cmd("hincrby", 4, write|oom|fast, "2.0.0", "Adds an integer to the value of a field of a hash.", hincrby)
	cmd("hincrbyfloat", 4, write|oom|fast, "2.6.0", "Adds a decimal number to the value of a field of a hash.", hincrbyfloat)
	cmd("hrandfield", -2, read, "6.2.0", "Returns random fields of a hash, with their values if asked.", hrandfield)
	cmd("hscan", -3, read, "2.8.0", "Iterates over the fields and values of a hash.", hscan)
}

// hashArg returns the hash at key, nil if the key is missing (see lookupAs).
func (c *Ctx) hashArg(key []byte, read bool) (*hashValue, bool) {
	return lookupAs[*hashValue](c, key, KindHash, read)
}

// newHash stores an empty hash at key, which is missing, and returns it.
// The caller adds a field before returning.
func (c *Ctx) newHash(key []byte) *hashValue {
	h := &hashValue{}
	c.Store(key, Value{Obj: h}, false)
	return h
}

// hset returns the Run function of HSET key field value [field value ...],
// which replies with the number of new fields, or of HMSET (replyOK), which
// replies OK.
func hset(replyOK bool) func(c *Ctx) {
	return func(c *Ctx) {
		if len(c.Args)%2 != 0 {
			c.W.WriteError("ERR wrong number of arguments for '" + c.Cmd.Name + "' command")
			return
		}
		key := c.Args[1]
		h, ok := c.hashArg(key, false)
		if !ok {
			return
		}
		if h == nil {
			h = c.newHash(key)
		}
		added := 0
		for i := 2; i < len(c.Args); i += 2 {
			if h.set(c.Args[i], c.Args[i+1]) {
				added++
			}
		}
		c.Propagate()
		c.Notify(EventHash, "hset", key)
		if replyOK {
			c.WriteOK()
		} else {
			c.W.WriteInt(int64(added))
		}
	}
}

func hsetnx(c *Ctx) {
	key := c.Args[1]
	h, ok := c.hashArg(key, false)
	if !ok {
		return
	}
	if h == nil {
		h = c.newHash(key)
	} else if _, found := h.get(c.Args[2]); found {
		c.W.WriteInt(0)
		return
	}
	h.set(c.Args[2], c.Args[3])
	c.Propagate()
	c.Notify(EventHash, "hset", key)
	c.W.WriteInt(1)
}

func hget(c *Ctx) {
	h, ok := c.hashArg(c.Args[1], true)
	if !ok {
		return
	}
	c.writeField(h, c.Args[2])
}

// writeField writes the value of field in h (which may be nil) as a bulk
// string, or a null if it is missing.
func (c *Ctx) writeField(h *hashValue, field []byte) {
	if h != nil {
		if v, found := h.get(field); found {
			c.W.WriteBulk(v)
			return
		}
	}
	c.W.WriteNull()
}

func hmget(c *Ctx) {
	h, ok := c.hashArg(c.Args[1], true)
	if !ok {
		return
	}
	c.W.WriteArray(len(c.Args) - 2)
	for _, f := range c.Args[2:] {
		c.writeField(h, f)
	}
}

func hdel(c *Ctx) {
	h, ok := c.hashArg(c.Args[1], false)
	switch {
	case !ok:
	case h == nil:
		c.W.WriteInt(0)
	default:
		c.removeMembers(h, EventHash, "hdel", h.del)
	}
}

func hexists(c *Ctx) {
	h, ok := c.hashArg(c.Args[1], true)
	if !ok {
		return
	}
	found := false
	if h != nil {
		_, found = h.get(c.Args[2])
	}
	c.WriteBool(found)
}

func hstrlen(c *Ctx) {
	h, ok := c.hashArg(c.Args[1], true)
	if !ok {
		return
	}
	var v []byte
	if h != nil {
		v, _ = h.get(c.Args[2])
	}
	c.W.WriteInt(int64(len(v)))
}

// hashWalk returns the Run function of HKEYS (fields), HVALS (values) or
// HGETALL (both, a map in RESP3).
func hashWalk(fields, values bool) func(c *Ctx) {
	return func(c *Ctx) {
		h, ok := c.hashArg(c.Args[1], true)
		if !ok {
			return
		}
		n := 0
		if h != nil {
			n = h.Len()
		}
		if fields && values {
			c.W.WriteMap(n)
		} else {
			c.W.WriteArray(n)
		}
		if h == nil {
			return
		}
		h.forEach(func(p hashPair) bool {
			if fields {
				c.W.WriteBulk(p.field)
			}
			if values {
				c.W.WriteBulk(p.value)
			}
			return true
		})
	}
}

// hincrby serves HINCRBY key field increment; a missing field counts as 0.
func hincrby(c *Ctx) {
	incr, ok := c.IntArg(3)
	if !ok {
		return
	}
	h, ok := c.hashArg(c.Args[1], false)
	if !ok {
		return
	}
	var cur int64
	if h != nil {
		if v, found := h.get(c.Args[2]); found {
			if cur, ok = ParseInt(v); !ok {
				c.W.WriteError(errHashNotInt)
				return
			}
		}
	}
	if incr < 0 && cur < 0 && incr < math.MinInt64-cur || incr > 0 && cur > 0 && incr > math.MaxInt64-cur {
		c.W.WriteError(ErrOverflow)
		return
	}
	var buf [20]byte
	if h == nil {
		h = c.newHash(c.Args[1])
	}
	h.set(c.Args[2], strconv.AppendInt(buf[:0], cur+incr, 10))
	c.Propagate()
	c.Notify(EventHash, "hincrby", c.Args[1])
	c.W.WriteInt(cur + incr)
}

// hincrbyfloat serves HINCRBYFLOAT key field increment with the long double
// arithmetic and formatting of INCRBYFLOAT. It is logged as HSET key field
// <result>, so that replay does not depend on floating point.
func hincrbyfloat(c *Ctx) {
	incr, ok := parseLongDouble(c.Args[3])
	if !ok {
		c.W.WriteError(ErrNotFloat)
		return
	}
	if incr.IsInf() {
		c.W.WriteError(errIncrNaNOrInf)
		return
	}
	key, field := c.Args[1], c.Args[2]
	h, ok := c.hashArg(key, false)
	if !ok {
		return
	}
	cur := newLongDouble()
	if h != nil {
		if v, found := h.get(field); found {
			if cur, ok = parseLongDouble(v); !ok {
				c.W.WriteError(errHashNotFloat)
				return
			}
		}
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		c.W.WriteError(ErrNaNOrInf)
		return
	}
	s := formatLongDouble(sum)
	if h == nil {
		h = c.newHash(key)
	}
	h.set(field, s)
	c.PropagateAs(hsetName, key, field, s)
	c.Notify(EventHash, "hincrbyfloat", key)
	c.W.WriteBulk(s)
}

// hrandfield serves HRANDFIELD key [count [WITHVALUES]]: one random field,
// or count distinct ones (at most the whole hash), or with a negative count,
// -count fields that may repeat. With WITHVALUES each field is followed by
// its value, or in RESP3 paired with it in an array of two.
func hrandfield(c *Ctx) {
	if len(c.Args) == 2 {
		h, ok := c.hashArg(c.Args[1], true)
		switch {
		case !ok:
		case h == nil:
			c.W.WriteNull()
		default:
			c.W.WriteBulk(h.random().field)
		}
		return
	}
	n, ok := c.randCountArg(2)
	if !ok {
		return
	}
	if len(c.Args) > 4 || len(c.Args) == 4 && !EqualFold(c.Args[3], "withvalues") {
		c.W.WriteError(ErrSyntax)
		return
	}
	withValues := len(c.Args) == 4
	// Redis refuses counts whose reply length would overflow.
	if withValues && (n < -math.MaxInt64/2 || n > math.MaxInt64/2) {
		c.W.WriteError(errValueRange)
		return
	}
	h, ok := c.hashArg(c.Args[1], true)
	if !ok {
		return
	}
	if h == nil || n == 0 {
		c.W.WriteArray(0)
		return
	}
	resp3 := c.W.Protocol() >= 3
	// begin writes the header for k items, emit one item.
	begin := func(k int) {
		if withValues && !resp3 {
			k *= 2
		}
		c.W.WriteArray(k)
	}
	emit := func(p hashPair) {
		if withValues && resp3 {
			c.W.WriteArray(2)
		}
		c.W.WriteBulk(p.field)
		if withValues {
			c.W.WriteBulk(p.value)
		}
	}
	switch size := h.Len(); {
	case n < 0:
		begin(int(-n))
		for range -n {
			emit(h.random())
		}
	case n >= int64(size):
		begin(size)
		h.forEach(func(p hashPair) bool { emit(p); return true })
	default:
		begin(int(n))
		sampleDistinct(int(n), size, h.forEach, h.random,
			func(p hashPair) []byte { return p.field }, emit)
	}
}

// hscan serves HSCAN key cursor [MATCH pattern] [COUNT count]; MATCH
// applies to fields.
func hscan(c *Ctx) {
	c.scanElements(true, func() (scanFunc, bool) {
		h, ok := c.hashArg(c.Args[1], true)
		if h == nil || !ok {
			return nil, ok
		}
		return func(cursor uint64, count int, visit func(elem, value []byte)) uint64 {
			return h.scan(cursor, count, func(p hashPair) { visit(p.field, p.value) })
		}, true
	})
}
