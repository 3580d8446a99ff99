package db

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"myredis/datastruct/glob"
	// The package name would collide with the SET command's function set.
	setds "myredis/datastruct/set"
	"myredis/resp"
)

// setValue is a set key's value: an intset while small and all integers, a
// hash table after that (see setds.Set). A key holds it inline in its
// entry (see Value), so a setValue the commands get is a view of the key's
// value.
type setValue struct{ setds.Set }

// Kind returns KindSet.
func (*setValue) Kind() Kind { return KindSet }

// Copy returns a deep copy in the same encoding.
func (s *setValue) Copy() any { return &setValue{s.Clone()} }

// Encoding returns "intset" or "hashtable", as Redis 7.0 reports them.
func (s *setValue) Encoding() string {
	if s.IsIntset() {
		return "intset"
	}
	return "hashtable"
}

var sremName = []byte("SREM")

// Set-specific error replies, in Redis's words.
const (
	errTooManyKeys   = "ERR Number of keys can't be greater than number of args"
	errLimitNegative = "ERR LIMIT can't be negative"
	errInvalidCursor = "ERR invalid cursor"
)

// registerSets adds the set commands.
func registerSets(t *Table) {
	const (
		read  = FlagReadonly
		write = FlagWrite
		oom   = FlagDenyOOM
		fast  = FlagFast
	)
	cmd := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "set", Since: since, Summary: summary, Run: run})
	}
	cmd("sadd", -3, write|oom|fast, "1.0.0", "Adds members to a set, creating it if needed.", sadd)
	cmd("srem", -3, write|fast, "1.0.0", "Removes members from a set.", srem)
	cmd("scard", 2, read|fast, "1.0.0", "Returns the number of members of a set.", collectionLen(KindSet))
	cmd("sismember", 3, read|fast, "1.0.0", "Reports whether a value is a member of a set.", sismember)
	cmd("smismember", -3, read|fast, "6.2.0", "Reports whether each of several values is a member of a set.", smismember)
	cmd("smembers", 2, read, "1.0.0", "Returns every member of a set.", smembers)
	cmd("srandmember", -2, read, "1.0.0", "Returns random members of a set.", srandmember)
	cmd("spop", -2, write|fast, "1.0.0", "Removes and returns random members of a set.", spop)
	cmd("smove", 4, write|fast, "1.0.0", "Moves a member from one set to another.", smove)
	cmd("sinter", -2, read, "1.0.0", "Returns the intersection of sets.", setOp(setInter, false))
	cmd("sinterstore", -3, write|oom, "1.0.0", "Stores the intersection of sets in a key.", setOp(setInter, true))
	cmd("sunion", -2, read, "1.0.0", "Returns the union of sets.", setOp(setUnion, false))
	cmd("sunionstore", -3, write|oom, "1.0.0", "Stores the union of sets in a key.", setOp(setUnion, true))
	cmd("sdiff", -2, read, "1.0.0", "Returns the members of the first set missing from the others.", setOp(setDiff, false))
	cmd("sdiffstore", -3, write|oom, "1.0.0", "Stores the members of the first set missing from the others in a key.", setOp(setDiff, true))
	cmd("sintercard", -3, read, "7.0.0", "Returns the number of members of the intersection of sets.", sintercard)
	cmd("sscan", -3, read, "2.8.0", "Iterates over the members of a set.", sscan)
}

// setArg returns the set at key, nil if the key is missing (see lookupAs).
func (c *Ctx) setArg(key []byte, read bool) (*setValue, bool) {
	return lookupAs[*setValue](c, key, KindSet, read)
}

// writeMembers writes every member of s as an array, or as a RESP3 set if
// asSet.
func writeMembers(w *resp.Writer, s *setValue, asSet bool) {
	if asSet {
		w.WriteSet(s.Len())
	} else {
		w.WriteArray(s.Len())
	}
	s.ForEach(func(m []byte) bool {
		w.WriteBulk(m)
		return true
	})
}

func sadd(c *Ctx) {
	key := c.Args[1]
	s, ok := c.setArg(key, false)
	if !ok {
		return
	}
	if s == nil {
		s = storeEmpty[*setValue](c, key, KindSet)
	}
	s.Reserve(c.Args[2:], c.limits().SetIntsetEntries)
	added := 0
	for _, m := range c.Args[2:] {
		if s.Add(m, c.limits().SetIntsetEntries) {
			added++
		}
	}
	if added > 0 {
		c.Propagate()
		c.Notify(EventSet, "sadd", key)
	}
	c.W.WriteInt(int64(added))
}

func srem(c *Ctx) {
	s, ok := c.setArg(c.Args[1], false)
	switch {
	case !ok:
	case s == nil:
		c.W.WriteInt(0)
	default:
		c.removeMembers(s, EventSet, "srem", s.Remove)
	}
}

func sismember(c *Ctx) {
	if s, ok := c.setArg(c.Args[1], true); ok {
		c.WriteBool(s != nil && s.Contains(c.Args[2]))
	}
}

func smismember(c *Ctx) {
	s, ok := c.setArg(c.Args[1], true)
	if !ok {
		return
	}
	c.W.WriteArray(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		c.WriteBool(s != nil && s.Contains(m))
	}
}

func smembers(c *Ctx) {
	s, ok := c.setArg(c.Args[1], true)
	switch {
	case !ok:
	case s == nil:
		c.W.WriteSet(0)
	default:
		writeMembers(c.W, s, true)
	}
}

// errRandCount is the error for the one count SRANDMEMBER and HRANDFIELD
// refuse, math.MinInt64, whose absolute value does not fit.
const errRandCount = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"

// randCountArg parses args[i] as the count of SRANDMEMBER or HRANDFIELD,
// writing Redis's error and returning false when it is not an integer in
// [-MaxInt64, MaxInt64].
func (c *Ctx) randCountArg(i int) (int64, bool) {
	n, ok := c.IntArg(i)
	if ok && n == math.MinInt64 {
		c.W.WriteError(errRandCount)
		return 0, false
	}
	return n, ok
}

// srandmember serves SRANDMEMBER key [count]: one random member, or count
// distinct ones (at most the whole set), or with a negative count, -count
// members that may repeat.
func srandmember(c *Ctx) {
	if len(c.Args) > 3 {
		c.W.WriteError(ErrSyntax)
		return
	}
	if len(c.Args) == 2 {
		s, ok := c.setArg(c.Args[1], true)
		switch {
		case !ok:
		case s == nil:
			c.W.WriteNull()
		default:
			var buf [20]byte
			c.W.WriteBulk(s.Random(buf[:0]))
		}
		return
	}
	n, ok := c.randCountArg(2)
	if !ok {
		return
	}
	s, ok := c.setArg(c.Args[1], true)
	switch {
	case !ok:
	case s == nil || n == 0:
		c.W.WriteArray(0)
	case n < 0:
		c.W.WriteArray(int(-n))
		var buf [20]byte
		for range -n {
			c.W.WriteBulk(s.Random(buf[:0]))
		}
	case n >= int64(s.Len()):
		writeMembers(c.W, s, false)
	default:
		c.W.WriteArray(int(n))
		var buf [20]byte
		sampleDistinct(int(n), s.Len(), s.ForEach,
			func() []byte { return s.Random(buf[:0]) },
			func(m []byte) []byte { return m },
			func(m []byte) { c.W.WriteBulk(m) })
	}
}

// sampleDistinct calls emit for n distinct random items of a collection of
// size items, 0 < n < size. When n is a large share of size it walks all
// items once, choosing each with the probability that keeps the sample
// uniform (selection sampling); otherwise it draws random items and skips
// repeats, which id tells apart. Items passed to emit are valid only during
// the call.
func sampleDistinct[T any](n, size int, all func(yield func(T) bool) bool, random func() T, id func(T) []byte, emit func(T)) {
	if n*3 > size {
		left := size
		all(func(item T) bool {
			if rand.IntN(left) < n {
				emit(item)
				n--
			}
			left--
			return n > 0
		})
		return
	}
	seen := make(map[string]struct{}, n)
	for len(seen) < n {
		item := random()
		k := id(item)
		if _, dup := seen[string(k)]; dup {
			continue
		}
		seen[string(k)] = struct{}{}
		emit(item)
	}
}

// spopMoveRatio is Redis's SPOP_MOVE_STRATEGY_MUL: when the members that
// stay are at most count/spopMoveRatio, SPOP moves them to a new set
// instead of popping count members one by one.
const spopMoveRatio = 5

// spop serves SPOP key [count]. It is logged as SREM of the members it
// popped, or as DEL when it popped them all.
func spop(c *Ctx) {
	if len(c.Args) > 3 {
		c.W.WriteError(ErrSyntax)
		return
	}
	key := c.Args[1]
	if len(c.Args) == 3 {
		spopCount(c, key)
		return
	}
	s, ok := c.setArg(key, false)
	switch {
	case !ok:
	case s == nil:
		c.W.WriteNull()
	default:
		var buf [20]byte
		m := s.Pop(buf[:0])
		c.W.WriteBulk(m)
		c.Notify(EventSet, "spop", key)
		c.deleteIfEmpty(key, s)
		c.PropagateAs(sremName, key, m)
	}
}

func spopCount(c *Ctx, key []byte) {
	n, ok := ParseInt(c.Args[2])
	if !ok || n < 0 {
		c.W.WriteError(ErrNotPositive)
		return
	}
	s, ok := c.setArg(key, false)
	switch {
	case !ok:
		return
	case s == nil || n == 0:
		c.W.WriteSet(0)
		return
	}
	c.Notify(EventSet, "spop", key)
	if n >= int64(s.Len()) {
		writeMembers(c.W, s, true)
		c.delKey(key)
		c.PropagateAs(delName, key)
		return
	}
	args := make([][]byte, 2, 2+n)
	args[0], args[1] = sremName, key
	c.W.WriteSet(int(n))
	if remaining := int64(s.Len()) - n; remaining*spopMoveRatio > n {
		for range n {
			m := s.Pop(nil)
			c.W.WriteBulk(m)
			args = append(args, m)
		}
	} else {
		// Move the few members that stay into a new set, which takes
		// the encoding they call for (an intset if all are integers, as
		// in Redis), and reply with what is left in the old one.
		keep := &setValue{}
		for range remaining {
			keep.Add(s.Pop(nil), c.limits().SetIntsetEntries)
		}
		s.ForEach(func(m []byte) bool {
			c.W.WriteBulk(m)
			args = append(args, bytes.Clone(m))
			return true
		})
		c.Store(key, CollectionValue(keep), true)
	}
	c.PropagateAs(args...)
}

// smove serves SMOVE source destination member.
func smove(c *Ctx) {
	src, dst, m := c.Args[1], c.Args[2], c.Args[3]
	from, ok := c.setArg(src, false)
	if !ok {
		return
	}
	if from == nil {
		// Redis answers 0 here even when the destination has another type.
		c.W.WriteInt(0)
		return
	}
	to, ok := c.setArg(dst, false)
	if !ok {
		return
	}
	if bytes.Equal(src, dst) {
		c.WriteBool(from.Contains(m))
		return
	}
	if !from.Remove(m) {
		c.W.WriteInt(0)
		return
	}
	c.Notify(EventSet, "srem", src)
	c.deleteIfEmpty(src, from)
	if to == nil {
		to = storeEmpty[*setValue](c, dst, KindSet)
	}
	if to.Add(m, c.limits().SetIntsetEntries) {
		c.Notify(EventSet, "sadd", dst)
	}
	c.Propagate()
	c.W.WriteInt(1)
}

// The set algebra operations.
const (
	setInter = iota
	setUnion
	setDiff
)

// setOp returns the Run function of SINTER, SUNION or SDIFF (op), or of its
// STORE form, which overwrites its destination key whatever it held,
// deletes it when the result is empty, and replies with the result's size.
func setOp(op int, store bool) func(c *Ctx) {
	return func(c *Ctx) {
		keys := c.Args[1:]
		if store {
			keys = c.Args[2:]
		}
		sets, ok := c.setsAt(keys)
		if !ok {
			return
		}
		// A new set starts as an intset and converts as members come, the
		// way Redis builds its results.
		out := &setValue{}
		maxIntset := c.limits().SetIntsetEntries
		switch op {
		case setInter:
			intersect(sets, func(m []byte) bool { out.Add(m, maxIntset); return true })
		case setUnion:
			for _, s := range sets {
				if s != nil {
					s.ForEach(func(m []byte) bool { out.Add(m, maxIntset); return true })
				}
			}
		case setDiff:
			if sets[0] != nil {
				sets[0].ForEach(func(m []byte) bool {
					if !slices.ContainsFunc(sets[1:], func(o *setValue) bool { return o != nil && o.Contains(m) }) {
						out.Add(m, maxIntset)
					}
					return true
				})
			}
		}
		if !store {
			writeMembers(c.W, out, true)
			return
		}
		dst := c.Args[1]
		if out.Len() == 0 {
			if c.delKey(dst) {
				c.Propagate()
			}
			c.W.WriteInt(0)
			return
		}
		n := out.Len()
		c.Store(dst, CollectionValue(out), false)
		c.Propagate()
		c.Notify(EventSet, c.Cmd.Name, dst) // the event is the command's name
		c.W.WriteInt(int64(n))
	}
}

// setsAt returns the sets at keys, with nil for a missing key. If any key
// holds another kind it writes WRONGTYPE and returns false.
func (c *Ctx) setsAt(keys [][]byte) ([]*setValue, bool) {
	sets := make([]*setValue, len(keys))
	for i, k := range keys {
		s, ok := c.setArg(k, true)
		if !ok {
			return nil, false
		}
		sets[i] = s
	}
	return sets, true
}

// intersect calls fn for each member common to all sets (a nil set is
// empty) until fn returns false. It walks the smallest set, reordering sets.
// The member is valid only during the call.
func intersect(sets []*setValue, fn func(m []byte) bool) {
	if slices.Contains(sets, nil) {
		return
	}
	slices.SortFunc(sets, func(a, b *setValue) int { return a.Len() - b.Len() })
	sets[0].ForEach(func(m []byte) bool {
		for _, o := range sets[1:] {
			if !o.Contains(m) {
				return true
			}
		}
		return fn(m)
	})
}

// sintercard serves SINTERCARD numkeys key... [LIMIT limit]: the size of
// the intersection, counting stopped at limit when it is not 0.
func sintercard(c *Ctx) {
	n, ok := ParseInt(c.Args[1])
	if !ok || n <= 0 {
		c.W.WriteError(errNumkeys)
		return
	}
	if n > int64(len(c.Args)-2) {
		c.W.WriteError(errTooManyKeys)
		return
	}
	keys := c.Args[2 : 2+n]
	var limit int64
	for i := 2 + int(n); i < len(c.Args); i += 2 {
		if !EqualFold(c.Args[i], "limit") || i+1 >= len(c.Args) {
			c.W.WriteError(ErrSyntax)
			return
		}
		if limit, ok = ParseInt(c.Args[i+1]); !ok || limit < 0 {
			c.W.WriteError(errLimitNegative)
			return
		}
	}
	sets, ok := c.setsAt(keys)
	if !ok {
		return
	}
	var count int64
	intersect(sets, func([]byte) bool {
		count++
		return limit == 0 || count < limit
	})
	c.W.WriteInt(count)
}

// sscan serves SSCAN key cursor [MATCH pattern] [COUNT count].
func sscan(c *Ctx) {
	c.scanElements(false, func() (scanFunc, bool) {
		s, ok := c.setArg(c.Args[1], true)
		if s == nil || !ok {
			return nil, ok
		}
		return func(cursor uint64, count int, visit func(elem, value []byte)) uint64 {
			return s.Scan(cursor, count, func(m []byte) { visit(m, nil) })
		}, true
	})
}

// A scanFunc visits a collection's elements from cursor, about count of
// them, and returns the next cursor; visit gets each element and, for
// hashes and sorted sets, its value.
type scanFunc func(cursor uint64, count int, visit func(elem, value []byte)) uint64

// scanElements serves HSCAN, SSCAN and ZSCAN key cursor [MATCH pattern]
// [COUNT count], in Redis's order of checks: the cursor, then the key
// (find returns its scanner, nil for a missing key, or false after writing
// an error), then the options. With pairs, each element's value follows it
// in the reply.
func (c *Ctx) scanElements(pairs bool, find func() (scanFunc, bool)) {
	cursor, ok := parseCursor(c.Args[2])
	if !ok {
		c.W.WriteError(errInvalidCursor)
		return
	}
	scan, ok := find()
	if !ok {
		return
	}
	if scan == nil {
		writeScanReply(c.W, 0, nil)
		return
	}
	o, ok := c.elementScanArgs(3)
	if !ok {
		return
	}
	var out byteList
	next := scan(cursor, o.count, func(elem, value []byte) {
		if o.match(elem) {
			out.add(elem)
			if pairs {
				out.add(value)
			}
		}
	})
	writeScanReply(c.W, next, &out)
}

// elementScanOptions are the options of HSCAN, SSCAN and ZSCAN.
type elementScanOptions struct {
	pattern []byte // nil matches everything
	count   int
}

// match reports whether b matches the MATCH pattern.
func (o *elementScanOptions) match(b []byte) bool {
	return o.pattern == nil || glob.Match(o.pattern, b, false)
}

// elementScanArgs parses the [MATCH pattern] [COUNT count] options of a
// collection scan from args[i] on, writing Redis's error and returning
// false when they are wrong. COUNT defaults to 10.
func (c *Ctx) elementScanArgs(i int) (o elementScanOptions, ok bool) {
	o.count = 10
	for ; i < len(c.Args); i += 2 {
		if i+1 >= len(c.Args) {
			c.W.WriteError(ErrSyntax)
			return o, false
		}
		switch opt, val := c.Args[i], c.Args[i+1]; {
		case EqualFold(opt, "count"):
			n, ok := c.IntArg(i + 1)
			if !ok {
				return o, false
			}
			if n < 1 {
				c.W.WriteError(ErrSyntax)
				return o, false
			}
			o.count = int(min(n, math.MaxInt32))
		case EqualFold(opt, "match"):
			o.pattern = val
			if len(val) == 1 && val[0] == '*' {
				o.pattern = nil
			}
		default:
			c.W.WriteError(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// writeScanReply writes a collection scan's reply: the next cursor and the
// elements found (none if out is nil).
func writeScanReply(w *resp.Writer, next uint64, out *byteList) {
	var buf [20]byte
	w.WriteArray(2)
	w.WriteBulk(strconv.AppendUint(buf[:0], next, 10))
	if out == nil {
		w.WriteArray(0)
		return
	}
	w.WriteArray(len(out.ends))
	start := 0
	for _, end := range out.ends {
		w.WriteBulk(out.buf[start:end])
		start = end
	}
}

// byteList collects copies of byte strings in one buffer, for a reply whose
// length is known only at the end. The zero value is empty.
type byteList struct {
	buf  []byte
	ends []int // where each string ends in buf
}

// add appends a copy of b.
func (l *byteList) add(b []byte) {
	l.buf = append(l.buf, b...)
	l.ends = append(l.ends, len(l.buf))
}
