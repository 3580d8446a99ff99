package db

import (
	"math"
	"strconv"
	"time"

	"myredis/datastruct/list"
	"myredis/resp"
)

// listValue is the value of a list key: a list.List that implements
// Collection.
type listValue struct{ list.List }

func (*listValue) Kind() Kind { return KindList }

func (l *listValue) Copy() any { return &listValue{*l.Clone()} }

// Encoding is always "quicklist": Redis 7.0 reports it for every list,
// however small.
func (*listValue) Encoding() string { return "quicklist" }

// Argument words of the forms list writes are logged in.
var (
	lpopName  = []byte("LPOP")
	rpopName  = []byte("RPOP")
	lmoveName = []byte("LMOVE")
	rpoplpush = []byte("RPOPLPUSH")
)

// List-specific error replies, in Redis's words.
const (
	errIndexRange = "ERR index out of range"
	errNumkeys    = "ERR numkeys should be greater than 0"
	errCountPos   = "ERR count should be greater than 0"
	errRankZero   = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errCountNeg   = "ERR COUNT can't be negative"
	errMaxlenNeg  = "ERR MAXLEN can't be negative"
)

// registerLists adds the list commands, blocking ones included.
func registerLists(t *Table) {
	const (
		read  = FlagReadonly
		write = FlagWrite
		oom   = FlagDenyOOM
		fast  = FlagFast
		block = FlagBlocking
	)
	cmd := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "list", Since: since, Summary: summary, Run: run})
	}
	cmd("lpush", -3, write|oom|fast, "1.0.0", "Prepends elements to a list, creating it if needed.", push(true, false))
	cmd("rpush", -3, write|oom|fast, "1.0.0", "Appends elements to a list, creating it if needed.", push(false, false))
	cmd("lpushx", -3, write|oom|fast, "2.2.0", "Prepends elements to a list only if it exists.", push(true, true))
	cmd("rpushx", -3, write|oom|fast, "2.2.0", "Appends elements to a list only if it exists.", push(false, true))
	cmd("lpop", -2, write|fast, "1.0.0", "Removes and returns the first elements of a list.", pop(true))
	cmd("rpop", -2, write|fast, "1.0.0", "Removes and returns the last elements of a list.", pop(false))
	cmd("llen", 2, read|fast, "1.0.0", "Returns the length of a list.", collectionLen(KindList))
	cmd("lrange", 4, read, "1.0.0", "Returns a range of elements of a list.", lrange)
	cmd("lindex", 3, read, "1.0.0", "Returns the element of a list at an index.", lindex)
	cmd("lset", 4, write|oom, "1.0.0", "Replaces the element of a list at an index.", lset)
	cmd("lrem", 4, write, "1.0.0", "Removes elements equal to a value from a list.", lrem)
	cmd("ltrim", 4, write, "1.0.0", "Keeps only a range of elements of a list.", ltrim)
	cmd("linsert", 5, write|oom, "2.2.0", "Inserts an element before or after another in a list.", linsert)
	cmd("lpos", -3, read, "6.0.6", "Returns the indexes of the elements of a list equal to a value.", lpos)
	cmd("lmove", 5, write|oom, "6.2.0", "Pops an element from one end of a list and pushes it onto another list.", lmove(false))
	cmd("rpoplpush", 3, write|oom, "1.2.0", "Pops the last element of a list and prepends it to another list.", rpoplpushCmd(false))
	cmd("blpop", -3, write|block|FlagNoScript, "2.0.0", "Pops the first element of the first non-empty list, blocking until there is one.", bpop(true))
	cmd("brpop", -3, write|block|FlagNoScript, "2.0.0", "Pops the last element of the first non-empty list, blocking until there is one.", bpop(false))
	cmd("blmove", 6, write|oom|block|FlagNoScript, "6.2.0", "Moves an element between lists, blocking until the source has one.", lmove(true))
	cmd("brpoplpush", 4, write|oom|block|FlagNoScript, "2.2.0", "Moves the last element of a list to the front of another, blocking until there is one.", rpoplpushCmd(true))
	cmd("lmpop", -4, write, "7.0.0", "Pops elements from the first non-empty list of several.", lmpop(false))
	cmd("blmpop", -5, write|block, "7.0.0", "Pops elements from the first non-empty list of several, blocking until there is one.", lmpop(true))
}

// listArg returns the list at key, nil if the key is missing (see lookupAs).
func (c *Ctx) listArg(key []byte, read bool) (*listValue, bool) {
	return lookupAs[*listValue](c, key, KindList, read)
}

// newList stores a new empty list at key and returns it.
func (c *Ctx) newList(key []byte) *listValue {
	l := &listValue{}
	c.Store(key, CollectionValue(l), false)
	return l
}

// pushTo pushes v onto the front or back of l.
func pushTo(l *listValue, front bool, v string) {
	if front {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}

// popFrom pops an element from the front or back of l, which is not empty.
func popFrom(l *listValue, front bool) string {
	if front {
		return l.PopFront()
	}
	return l.PopBack()
}

// popTo pops n elements (at most l's length) from the front or back of l,
// the list at key, writing each as a bulk string, fires the pop event if n
// is positive and deletes key if l becomes empty. The caller writes any
// array header and logs the write.
func (c *Ctx) popTo(key []byte, l *listValue, front bool, n int) {
	for range n {
		c.W.WriteBulkString(popFrom(l, front))
	}
	if n > 0 {
		c.Notify(EventList, popEvent(front), key)
	}
	c.deleteIfEmpty(key, l)
}

// pushEvent and popEvent name the keyspace events of a push or pop at the
// front or back.
func pushEvent(front bool) string {
	if front {
		return "lpush"
	}
	return "rpush"
}

func popEvent(front bool) string {
	if front {
		return "lpop"
	}
	return "rpop"
}

// popName is the command a pop from the front or back is logged as.
func popName(front bool) []byte {
	if front {
		return lpopName
	}
	return rpopName
}

// push returns the Run function of LPUSH and RPUSH (front says which end),
// and of LPUSHX and RPUSHX (onlyExisting).
func push(front, onlyExisting bool) func(c *Ctx) {
	return func(c *Ctx) {
		key := c.Args[1]
		l, ok := c.listArg(key, false)
		if !ok {
			return
		}
		if l == nil {
			if onlyExisting {
				c.W.WriteInt(0)
				return
			}
			l = c.newList(key)
		}
		for _, v := range c.Args[2:] {
			pushTo(l, front, string(v))
		}
		c.W.WriteInt(int64(l.Len()))
		c.Propagate()
		c.Notify(EventList, pushEvent(front), key)
		c.SignalReady(key, KindList)
	}
}

// pop returns the Run function of LPOP (front) and RPOP: key [count].
func pop(front bool) func(c *Ctx) {
	return func(c *Ctx) {
		if len(c.Args) > 3 {
			c.W.WriteError("ERR wrong number of arguments for '" + c.Cmd.Name + "' command")
			return
		}
		withCount := len(c.Args) == 3
		count := int64(1)
		if withCount {
			var ok bool
			if count, ok = ParseInt(c.Args[2]); !ok || count < 0 {
				c.W.WriteError(ErrNotPositive)
				return
			}
		}
		key := c.Args[1]
		l, ok := c.listArg(key, false)
		switch {
		case !ok:
			return
		case l == nil && withCount:
			c.W.WriteNullArray()
			return
		case l == nil:
			c.W.WriteNull()
			return
		}
		n := int(min(count, int64(l.Len())))
		if withCount {
			c.W.WriteArray(n)
		}
		c.popTo(key, l, front, n)
		if n > 0 {
			c.Propagate()
		}
	}
}

// bpop returns the Run function of BLPOP (front) and BRPOP: key [key ...]
// timeout. The pop is logged as LPOP or RPOP of the key served.
func bpop(front bool) func(c *Ctx) {
	return func(c *Ctx) {
		last := len(c.Args) - 1
		timeout, ok := c.TimeoutArg(last)
		if !ok {
			return
		}
		keys := c.Args[1:last]
		for _, key := range keys {
			l, ok := blockedSource[*listValue](c, key, KindList)
			if !ok {
				return
			}
			if l == nil {
				continue
			}
			c.W.WriteArray(2)
			c.W.WriteBulk(key)
			c.popTo(key, l, front, 1)
			c.PropagateAs(popName(front), key)
			return
		}
		c.Block(keys, KindList, timeout, (*resp.Writer).WriteNullArray)
	}
}

// rangeArgs parses args[2] and args[3] as LRANGE's and LTRIM's start and
// stop.
func (c *Ctx) rangeArgs() (start, stop int64, ok bool) {
	if start, ok = c.IntArg(2); !ok {
		return
	}
	stop, ok = c.IntArg(3)
	return
}

func lrange(c *Ctx) {
	start, stop, ok := c.rangeArgs()
	if !ok {
		return
	}
	l, ok := c.listArg(c.Args[1], true)
	if !ok {
		return
	}
	if l == nil {
		c.W.WriteArray(0)
		return
	}
	lo, hi, ok := indexRange(start, stop, int64(l.Len()))
	if !ok {
		c.W.WriteArray(0)
		return
	}
	c.W.WriteArray(int(hi - lo + 1))
	cur := l.Seek(int(lo))
	for i := lo; i <= hi; i++ {
		c.W.WriteBulkString(cur.Value())
		cur.Next()
	}
}

// listIndex resolves index over a list of n elements, negative counting
// from the end, and reports whether it is in range.
func listIndex(index int64, n int) (int, bool) {
	if index < 0 {
		index += int64(n)
	}
	return int(index), index >= 0 && index < int64(n)
}

func lindex(c *Ctx) {
	l, ok := c.listArg(c.Args[1], true)
	if !ok {
		return
	}
	if l == nil {
		c.W.WriteNull()
		return
	}
	index, ok := c.IntArg(2)
	if !ok {
		return
	}
	if i, ok := listIndex(index, l.Len()); ok {
		c.W.WriteBulkString(l.Index(i))
	} else {
		c.W.WriteNull()
	}
}

func lset(c *Ctx) {
	l, ok := c.listArg(c.Args[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.W.WriteError(ErrNoSuchKey)
		return
	}
	index, ok := c.IntArg(2)
	if !ok {
		return
	}
	i, ok := listIndex(index, l.Len())
	if !ok {
		c.W.WriteError(errIndexRange)
		return
	}
	l.Set(i, string(c.Args[3]))
	c.WriteOK()
	c.Propagate()
	c.Notify(EventList, "lset", c.Args[1])
}

func lrem(c *Ctx) {
	count, ok := c.IntArg(2)
	if !ok {
		return
	}
	key := c.Args[1]
	l, ok := c.listArg(key, false)
	if !ok {
		return
	}
	removed := 0
	if l != nil {
		// A count beyond the list's length removes every match anyway.
		n := int(max(min(count, math.MaxInt32), math.MinInt32))
		removed = l.Remove(n, string(c.Args[3]))
	}
	c.W.WriteInt(int64(removed))
	if removed > 0 {
		c.Notify(EventList, "lrem", key)
		c.deleteIfEmpty(key, l)
		c.Propagate()
	}
}

func ltrim(c *Ctx) {
	start, stop, ok := c.rangeArgs()
	if !ok {
		return
	}
	key := c.Args[1]
	l, ok := c.listArg(key, false)
	if !ok {
		return
	}
	c.WriteOK()
	if l == nil {
		return
	}
	// Redis fires "ltrim" even when nothing is trimmed.
	c.Notify(EventList, "ltrim", key)
	n := int64(l.Len())
	lo, hi, ok := indexRange(start, stop, n)
	switch {
	case !ok:
		c.delKey(key)
	case lo == 0 && hi == n-1:
		return // nothing trimmed: not a write
	default:
		l.Trim(int(lo), int(hi))
	}
	c.Propagate()
}

func linsert(c *Ctx) {
	var after bool
	switch {
	case EqualFold(c.Args[2], "after"):
		after = true
	case !EqualFold(c.Args[2], "before"):
		c.W.WriteError(ErrSyntax)
		return
	}
	l, ok := c.listArg(c.Args[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.W.WriteInt(0)
		return
	}
	pivot, i := c.Args[3], 0
	for cur := l.Seek(0); cur.Valid(); cur.Next() {
		if cur.Value() == string(pivot) {
			break
		}
		i++
	}
	if i == l.Len() {
		c.W.WriteInt(-1)
		return
	}
	if after {
		i++
	}
	l.Insert(i, string(c.Args[4]))
	c.W.WriteInt(int64(l.Len()))
	c.Propagate()
	c.Notify(EventList, "linsert", c.Args[1])
}

// lpos serves LPOS key element [RANK rank] [COUNT num] [MAXLEN len].
func lpos(c *Ctx) {
	rank, count, maxlen := int64(1), int64(-1), int64(0) // count -1: no COUNT given
	for i := 3; i < len(c.Args); i += 2 {
		if i+1 == len(c.Args) {
			c.W.WriteError(ErrSyntax)
			return
		}
		opt, v := c.Args[i], c.Args[i+1]
		n, isInt := ParseInt(v)
		switch {
		case EqualFold(opt, "rank"):
			if !isInt {
				c.W.WriteError(ErrNotInt)
				return
			}
			if n == 0 {
				c.W.WriteError(errRankZero)
				return
			}
			rank = n
		case EqualFold(opt, "count"):
			if !isInt || n < 0 {
				c.W.WriteError(errCountNeg)
				return
			}
			count = n
		case EqualFold(opt, "maxlen"):
			if !isInt || n < 0 {
				c.W.WriteError(errMaxlenNeg)
				return
			}
			maxlen = n
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	l, ok := c.listArg(c.Args[1], true)
	if !ok {
		return
	}
	if l == nil {
		if count >= 0 {
			c.W.WriteArray(0)
		} else {
			c.W.WriteNull()
		}
		return
	}
	matches := c.findAll(l, string(c.Args[2]), rank, count, maxlen)
	if count >= 0 {
		c.W.WriteArray(len(matches))
		for _, m := range matches {
			c.W.WriteInt(int64(m))
		}
	} else if len(matches) > 0 {
		c.W.WriteInt(int64(matches[0]))
	} else {
		c.W.WriteNull()
	}
}

// findAll returns the indexes of the elements of l equal to v, as LPOS
// finds them: skipping the first |rank|-1 matches, searching from the back
// if rank < 0, stopping after count matches (1 if count < 0, unlimited if
// 0) or maxlen compared elements (0: no limit).
func (c *Ctx) findAll(l *listValue, v string, rank, count, maxlen int64) []int {
	if count < 0 {
		count = 1
	}
	backward := rank < 0
	skip := rank - 1
	switch {
	case rank == math.MinInt64:
		// Redis negates rank in a C long, so LONG_MIN stays negative
		// and then skips no match, as -1 does.
		skip = 0
	case backward:
		skip = -rank - 1
	}
	var out []int
	i, step, cur := 0, 1, l.Seek(0)
	if backward {
		i, step, cur = l.Len()-1, -1, l.Seek(l.Len()-1)
	}
	for seen := int64(0); cur.Valid() && (maxlen == 0 || seen < maxlen); seen++ {
		if cur.Value() == v {
			if skip > 0 {
				skip--
			} else if out = append(out, i); count > 0 && int64(len(out)) == count {
				break
			}
		}
		i += step
		if backward {
			cur.Prev()
		} else {
			cur.Next()
		}
	}
	return out
}

// endArg parses a LEFT or RIGHT argument, reporting whether it is LEFT;
// anything else gets a syntax error and ok false.
func (c *Ctx) endArg(i int) (left, ok bool) {
	switch {
	case EqualFold(c.Args[i], "left"):
		return true, true
	case EqualFold(c.Args[i], "right"):
		return false, true
	}
	c.W.WriteError(ErrSyntax)
	return false, false
}

// lmove returns the Run function of LMOVE src dst LEFT|RIGHT LEFT|RIGHT, or
// of BLMOVE, which takes a timeout after them.
func lmove(blocking bool) func(c *Ctx) {
	return func(c *Ctx) {
		fromLeft, ok := c.endArg(3)
		if !ok {
			return
		}
		toLeft, ok := c.endArg(4)
		if !ok {
			return
		}
		c.move(fromLeft, toLeft, blocking, lmoveName)
	}
}

// rpoplpushCmd returns the Run function of RPOPLPUSH src dst, or of
// BRPOPLPUSH, which takes a timeout after them.
func rpoplpushCmd(blocking bool) func(c *Ctx) {
	return func(c *Ctx) { c.move(false, true, blocking, rpoplpush) }
}

// move serves LMOVE, RPOPLPUSH and their blocking forms once the ends are
// known: it pops from src (args[1]) and pushes onto dst (args[2]), the same
// key rotating it. The blocking forms parse their timeout (the last
// argument), block while src is empty, and are logged as name (LMOVE or
// RPOPLPUSH) without the timeout.
func (c *Ctx) move(fromLeft, toLeft, blocking bool, name []byte) {
	last := len(c.Args) - 1
	var timeout time.Duration
	if blocking {
		var ok bool
		if timeout, ok = c.TimeoutArg(last); !ok {
			return
		}
	}
	srcKey, dstKey := c.Args[1], c.Args[2]
	src, ok := blockedSource[*listValue](c, srcKey, KindList)
	if !ok {
		return
	}
	if src == nil {
		if blocking && !c.Client.NoBlock {
			// Redis 7.0 times out with a null array here, though LMOVE
			// (and BLMOVE inside MULTI) answers a null bulk string.
			c.Block(c.Args[1:2], KindList, timeout, (*resp.Writer).WriteNullArray)
		} else {
			c.W.WriteNull()
		}
		return
	}
	dst, ok := c.listArg(dstKey, false)
	if !ok {
		return
	}
	if dst == nil {
		dst = c.newList(dstKey)
	}
	v := popFrom(src, fromLeft)
	pushTo(dst, toLeft, v)
	c.W.WriteBulkString(v)
	// Redis fires the push before the pop.
	c.Notify(EventList, pushEvent(toLeft), dstKey)
	c.Notify(EventList, popEvent(fromLeft), srcKey)
	c.deleteIfEmpty(srcKey, src) // after the push: src may be dst
	c.SignalReady(dstKey, KindList)
	if blocking {
		args := append([][]byte{name}, c.Args[1:last]...)
		c.PropagateAs(args...)
	} else {
		c.Propagate()
	}
}

// mpopArgs are the parsed arguments of LMPOP and BLMPOP.
type mpopArgs struct {
	keys  [][]byte
	left  bool
	count int64
}

// parseMpop parses numkeys key [key ...] LEFT|RIGHT [COUNT count] from
// args[at], writing Redis's error and returning ok false when they are
// invalid.
func (c *Ctx) parseMpop(at int) (a mpopArgs, ok bool) {
	n, isInt := ParseInt(c.Args[at])
	if !isInt || n <= 0 {
		c.W.WriteError(errNumkeys)
		return a, false
	}
	if n >= int64(len(c.Args)-at-1) { // no room left for LEFT|RIGHT
		c.W.WriteError(ErrSyntax)
		return a, false
	}
	where := at + 1 + int(n)
	a.keys = c.Args[at+1 : where]
	if a.left, ok = c.endArg(where); !ok {
		return a, false
	}
	a.count = 1
	rest := c.Args[where+1:]
	switch {
	case len(rest) == 0:
	case len(rest) == 2 && EqualFold(rest[0], "count"):
		if a.count, isInt = ParseInt(rest[1]); !isInt || a.count <= 0 {
			c.W.WriteError(errCountPos)
			return a, false
		}
	default:
		c.W.WriteError(ErrSyntax)
		return a, false
	}
	return a, true
}

// lmpop returns the Run function of LMPOP numkeys key [key ...]
// LEFT|RIGHT [COUNT count], or of BLMPOP, which takes a timeout first. The
// pop is logged as LPOP or RPOP of the key served with the count popped.
func lmpop(blocking bool) func(c *Ctx) {
	return func(c *Ctx) {
		at := 1
		if blocking {
			at = 2
		}
		a, ok := c.parseMpop(at)
		if !ok {
			return
		}
		var timeout time.Duration
		if blocking {
			if timeout, ok = c.TimeoutArg(1); !ok {
				return
			}
		}
		for _, key := range a.keys {
			l, ok := blockedSource[*listValue](c, key, KindList)
			if !ok {
				return
			}
			if l == nil {
				continue
			}
			n := int(min(a.count, int64(l.Len())))
			c.W.WriteArray(2)
			c.W.WriteBulk(key)
			c.W.WriteArray(n)
			c.popTo(key, l, a.left, n)
			c.PropagateAs(popName(a.left), key, strconv.AppendInt(nil, int64(n), 10))
			return
		}
		if blocking {
			c.Block(a.keys, KindList, timeout, (*resp.Writer).WriteNullArray)
		} else {
			c.W.WriteNullArray()
		}
	}
}
