package db

import (
	"math"
	"strconv"
	"unsafe"
)

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
	return storeEmpty[*hashValue](c, key, KindHash)
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
		h.reserve(c.Args[2:], c.limits())
		added := 0
		for i := 2; i < len(c.Args); i += 2 {
			if h.set(c.Args[i], c.Args[i+1], c.limits()) {
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
	} else if _, found := h.get(c.Args[2], nil); found {
		c.W.WriteInt(0)
		return
	}
	h.set(c.Args[2], c.Args[3], c.limits())
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
		var buf [20]byte
		if v, found := h.get(field, buf[:0]); found {
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
		_, found = h.get(c.Args[2], nil)
	}
	c.WriteBool(found)
}

func hstrlen(c *Ctx) {
	h, ok := c.hashArg(c.Args[1], true)
	if !ok {
		return
	}
	var v []byte
	var buf [20]byte
	if h != nil {
		v, _ = h.get(c.Args[2], buf[:0])
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
		if h != nil {
			h.writeEntries(c.W, fields, values)
		}
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
	var buf [20]byte
	slot := -1
	if h != nil {
		var v []byte
		var found bool
		if v, slot, found = h.lookup(c.Args[2], buf[:0]); found {
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
	if h == nil {
		h = c.newHash(c.Args[1])
	}
	h.setAt(slot, c.Args[2], strconv.AppendInt(buf[:0], cur+incr, 10), c.limits())
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
	var buf [20]byte
	slot := -1
	if h != nil {
		var v []byte
		var found bool
		if v, slot, found = h.lookup(field, buf[:0]); found {
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
	h.setAt(slot, field, s, c.limits())
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
			var buf pairBuf
			c.W.WriteBulk(h.random(&buf).field)
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
	var buf pairBuf
	random := func() hashPair { return h.random(&buf) }
	switch size := h.Len(); {
	case n < 0:
		begin(int(-n))
		for range -n {
			emit(random())
		}
	case n >= int64(size):
		begin(size)
		h.forEach(func(p hashPair) bool { emit(p); return true })
	default:
		begin(int(n))
		sampleDistinct(int(n), size, h.forEach, random,
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
