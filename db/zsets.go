package db

import (
	"math"
	"strconv"
	"time"

	"myredis/datastruct/compact"
	"myredis/datastruct/listpack"
	"myredis/datastruct/zset"
	"myredis/resp"
)

// Sorted-set error replies, in Redis's words.
const (
	errZNaN         = "ERR resulting score is not a number (NaN)"
	errZScoreRange  = "ERR min or max is not a float"
	errZLexRange    = "ERR min or max not valid string range item"
	errZCount       = "ERR count should be greater than 0"
	errZNumKeys     = "ERR numkeys should be greater than 0"
	errZWeight      = "ERR weight value is not a float"
	errZLimitByRank = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	errZLexScores   = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
)

// The command names pops are logged as.
var (
	zpopminName = []byte("ZPOPMIN")
	zpopmaxName = []byte("ZPOPMAX")
)

// sortedSet is the value of a zset key: a listpack while within
// zset-max-listpack-entries and -value, a skip list after that, for good
// (see zset.ZSet), as in Redis. A key holds it inline in its entry (see
// Value), so a sortedSet the commands get is a view of the key's value.
type sortedSet struct {
	zset.ZSet
}

// storeSortedSet stores an empty sorted set at key and returns it (see
// storeEmpty): a listpack unless lim allows none or its first member (of
// length firstLen) is already too long, as ZADD creates one in Redis.
func (c *Ctx) storeSortedSet(key []byte, firstLen int, lim *EncodingLimits) *sortedSet {
	s := storeEmpty[*sortedSet](c, key, KindZSet)
	if lim.ZSetEntries == 0 || firstLen > lim.ZSetValue {
		s.Convert()
	}
	return s
}

// newSkiplistSet returns an empty sorted set in the skip-list encoding,
// which keeps -0, for a result built whole (see fitEncoding).
func newSkiplistSet() *sortedSet { return &sortedSet{ZSet: *zset.New()} }

// Kind implements Collection.
func (s *sortedSet) Kind() Kind { return KindZSet }

// Copy implements Collection.
func (s *sortedSet) Copy() any { return &sortedSet{ZSet: *s.ZSet.Copy()} }

// Encoding implements Collection.
func (s *sortedSet) Encoding() string {
	if s.IsListpack() {
		return "listpack"
	}
	return "skiplist"
}

// MemoryUsage implements Collection, leaving out the sorted set's own 16
// bytes (held inline in its key's entry, see Value). A listpack is its
// array. A skip list is a fixed cost (the structs and the skip list's
// head, which has a link for every level) and a fixed cost per element
// (node, its links, map entry and bucket slot) plus the member's bytes,
// held twice (node and map), extrapolated from the first samples; the
// figures follow the Go heap a set of 10 short members measures.
func (s *sortedSet) MemoryUsage(samples int) int64 {
	if s.IsListpack() {
		return int64(s.MemoryBytes())
	}
	const base, perElem = 640, 144
	n, bytes := 0, int64(0)
	for e := s.First(); e != nil && n < samples; e = e.Next() {
		n++
		bytes += 2 * allocSize(int64(len(e.Member)))
	}
	if n == 0 {
		return base
	}
	return base + int64(s.Len())*(perElem+bytes/int64(n))
}

// insert adds member (absent) with score, converting a listpack that would
// outgrow lim first, as Redis does.
func (s *sortedSet) insert(member []byte, score float64, lim *EncodingLimits) {
	if s.IsListpack() && (s.Len() >= lim.ZSetEntries || len(member) > lim.ZSetValue ||
		s.MemoryBytes()+len(member)+20 > compact.MaxBytes) {
		s.Convert()
	}
	s.Insert(member, score)
}

// reserve makes room in a listpack for the new members of ZADD's pairs
// (score, member, ...), whose scores are parsed, so that adding them
// reallocates it at most once; not when they will convert it.
func (s *sortedSet) reserve(pairs [][]byte, scores []float64, lim *EncodingLimits) {
	if !s.IsListpack() {
		return
	}
	n, added := 0, 0
	for i := 1; i < len(pairs); i += 2 {
		if len(pairs[i]) > lim.ZSetValue {
			return
		}
		if _, found := s.Score(pairs[i]); !found {
			var buf [16]byte
			n += listpack.EncodedLen(pairs[i]) + len(listpack.AppendFloat(buf[:0], scores[i/2]))
			added++
		}
	}
	if s.Len()+added <= lim.ZSetEntries && s.MemoryBytes()+n <= compact.MaxBytes {
		s.Grow(n)
	}
}

// fitEncoding gives a set built whole in the skip-list encoding (the
// results of ZUNIONSTORE and friends) the encoding Redis gives it: a
// listpack when within both limits.
func (s *sortedSet) fitEncoding(lim *EncodingLimits) {
	if s.Len() > lim.ZSetEntries {
		return
	}
	for n := s.First(); n != nil; n = n.Next() {
		if len(n.Member) > lim.ZSetValue {
			return
		}
	}
	s.Compact()
}

func registerZSets(t *Table) {
	cmd := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "sorted-set", Since: since, Summary: summary, Run: run})
	}
	const (
		read  = FlagReadonly
		write = FlagWrite | FlagDenyOOM
		fast  = FlagFast
	)
	cmd("zadd", -4, write|fast, "1.2.0", "Adds members to a sorted set, or updates their scores.", zadd)
	cmd("zincrby", 4, write|fast, "1.2.0", "Increments the score of a member in a sorted set.", zincrby)
	cmd("zrem", -3, FlagWrite|fast, "1.2.0", "Removes members from a sorted set.", zrem)
	cmd("zcard", 2, read|fast, "1.2.0", "Returns the number of members in a sorted set.", collectionLen(KindZSet))
	cmd("zscore", 3, read|fast, "1.2.0", "Returns the score of a member in a sorted set.", zscore)
	cmd("zmscore", -3, read|fast, "6.2.0", "Returns the scores of several members in a sorted set.", zmscore)
	cmd("zcount", 4, read|fast, "2.0.0", "Counts the members of a sorted set within a score range.", zcount)
	cmd("zlexcount", 4, read|fast, "2.8.9", "Counts the members of a sorted set within a lexicographical range.", zlexcount)
	cmd("zrank", 3, read|fast, "2.0.0", "Returns the ascending rank of a member in a sorted set.", zrank(false))
	cmd("zrevrank", 3, read|fast, "2.0.0", "Returns the descending rank of a member in a sorted set.", zrank(true))

	cmd("zrange", -4, read, "1.2.0", "Returns members of a sorted set by rank, score or lexicographical range.",
		zrangeCmd(zrangeAuto, dirAuto, false))
	cmd("zrangestore", -5, write, "6.2.0", "Stores a range of a sorted set in another key.",
		zrangeCmd(zrangeAuto, dirAuto, true))
	cmd("zrevrange", -4, read, "1.2.0", "Returns members of a sorted set by rank, highest first.",
		zrangeCmd(zrangeRank, dirRev, false))
	cmd("zrangebyscore", -4, read, "1.0.5", "Returns members of a sorted set within a score range.",
		zrangeCmd(zrangeScore, dirFwd, false))
	cmd("zrevrangebyscore", -4, read, "2.2.0", "Returns members of a sorted set within a score range, highest first.",
		zrangeCmd(zrangeScore, dirRev, false))
	cmd("zrangebylex", -4, read, "2.8.9", "Returns members of a sorted set within a lexicographical range.",
		zrangeCmd(zrangeLex, dirFwd, false))
	cmd("zrevrangebylex", -4, read, "2.8.9", "Returns members of a sorted set within a lexicographical range, highest first.",
		zrangeCmd(zrangeLex, dirRev, false))

	cmd("zremrangebyrank", 4, FlagWrite, "2.0.0", "Removes the members of a sorted set within a rank range.", zremrangeByRank)
	cmd("zremrangebyscore", 4, FlagWrite, "1.2.0", "Removes the members of a sorted set within a score range.", zremrangeByScore)
	cmd("zremrangebylex", 4, FlagWrite, "2.8.9", "Removes the members of a sorted set within a lexicographical range.", zremrangeByLex)

	cmd("zpopmin", -2, FlagWrite|fast, "5.0.0", "Removes and returns the members with the lowest scores.", zpop(false))
	cmd("zpopmax", -2, FlagWrite|fast, "5.0.0", "Removes and returns the members with the highest scores.", zpop(true))
	cmd("bzpopmin", -3, FlagWrite|FlagBlocking|FlagNoScript|fast, "5.0.0", "Removes and returns the member with the lowest score, blocking until one is there.", bzpop(false))
	cmd("bzpopmax", -3, FlagWrite|FlagBlocking|FlagNoScript|fast, "5.0.0", "Removes and returns the member with the highest score, blocking until one is there.", bzpop(true))
	cmd("zmpop", -4, FlagWrite, "7.0.0", "Removes and returns members from the first non-empty sorted set of several.",
		zmpop(1, false))
	cmd("bzmpop", -5, FlagWrite|FlagBlocking, "7.0.0", "Removes and returns members from the first non-empty sorted set of several, blocking until one is there.",
		zmpop(2, true))

	registerZSetOps(cmd)
}

// zsetArg returns the sorted set at key, nil if the key is missing (see lookupAs).
func (c *Ctx) zsetArg(key []byte, read bool) (*sortedSet, bool) {
	return lookupAs[*sortedSet](c, key, KindZSet, read)
}

// zreply writes lists of sorted-set members, with or without their scores.
// Scores are doubles (bulk strings in RESP2); nested puts each member and
// score in an array of two, as Redis 7.0 does in RESP3.
type zreply struct {
	w              *resp.Writer
	scores, nested bool
	// key, when set, opens the same array: BZPOPMIN's [key, member, score].
	key []byte
}

// newZReply returns the writer ZRANGE-like replies use: pairs nested in
// RESP3 only.
func newZReply(w *resp.Writer, withScores bool) zreply {
	return zreply{w: w, scores: withScores, nested: withScores && w.Protocol() == 3}
}

// begin writes the header of a list of n members.
func (r zreply) begin(n int) {
	if r.scores && !r.nested {
		n *= 2
	}
	if r.key != nil {
		r.w.WriteArray(n + 1)
		r.w.WriteBulk(r.key)
		return
	}
	r.w.WriteArray(n)
}

// add writes one member.
func (r zreply) add(n *zset.Node) { r.addMember(stringBytes(n.Member), n.Score) }

// addMember writes member, with score.
func (r zreply) addMember(member []byte, score float64) {
	if r.nested {
		r.w.WriteArray(2)
	}
	r.w.WriteBulk(member)
	if r.scores {
		r.w.WriteDouble(score)
	}
}

// ZADD flags.
const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddCH
	zaddIncr
)

// zadd serves ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ...
func zadd(c *Ctx) {
	flags, i := 0, 2
	for ; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case EqualFold(a, "nx"):
			flags |= zaddNX
		case EqualFold(a, "xx"):
			flags |= zaddXX
		case EqualFold(a, "gt"):
			flags |= zaddGT
		case EqualFold(a, "lt"):
			flags |= zaddLT
		case EqualFold(a, "ch"):
			flags |= zaddCH
		case EqualFold(a, "incr"):
			flags |= zaddIncr
		default:
			goto pairs
		}
	}
pairs:
	elems := len(c.Args) - i
	switch {
	case elems == 0 || elems%2 != 0:
		c.W.WriteError(ErrSyntax)
	case flags&zaddNX != 0 && flags&zaddXX != 0:
		c.W.WriteError("ERR XX and NX options at the same time are not compatible")
	case flags&zaddNX != 0 && flags&(zaddGT|zaddLT) != 0 || flags&zaddGT != 0 && flags&zaddLT != 0:
		c.W.WriteError("ERR GT, LT, and/or NX options at the same time are not compatible")
	case flags&zaddIncr != 0 && elems > 2:
		c.W.WriteError("ERR INCR option supports a single increment-element pair")
	default:
		zaddPairs(c, flags, c.Args[i:])
	}
}

// zincrby serves ZINCRBY key increment member, which is ZADD key INCR.
func zincrby(c *Ctx) { zaddPairs(c, zaddIncr, c.Args[2:]) }

// zaddPairs applies score/member pairs to the set at Args[1] under flags
// and replies as ZADD does (the new score under INCR).
func zaddPairs(c *Ctx, flags int, pairs [][]byte) {
	var buf [16]float64
	scores := buf[:0]
	for i := 0; i < len(pairs); i += 2 {
		f, ok := ParseFloat(pairs[i])
		if !ok {
			c.W.WriteError(ErrNotFloat)
			return
		}
		scores = append(scores, f)
	}
	key := c.Args[1]
	s, ok := c.zsetArg(key, false)
	if !ok {
		return
	}
	if s == nil && flags&zaddXX == 0 {
		s = c.storeSortedSet(key, len(pairs[1]), c.limits())
	}
	if s != nil && len(pairs) > 2 && flags&zaddXX == 0 {
		s.reserve(pairs, scores, c.limits())
	}
	var added, updated, processed int
	var score float64
	for i := 0; s != nil && i < len(pairs); i += 2 {
		score = scores[i/2]
		member := pairs[i+1]
		cur, found := s.Score(member)
		if !found {
			if flags&zaddXX == 0 {
				s.insert(member, score, c.limits())
				added++
				processed++
			}
			continue
		}
		if flags&zaddNX != 0 {
			continue
		}
		if flags&zaddIncr != 0 {
			score += cur
			if score != score {
				c.W.WriteError(errZNaN)
				return
			}
		}
		if flags&zaddGT != 0 && score <= cur || flags&zaddLT != 0 && score >= cur {
			continue
		}
		if score != cur {
			s.SetScore(member, score)
			updated++
		}
		processed++
	}
	if added+updated > 0 {
		c.Propagate()
		event := "zadd"
		if flags&zaddIncr != 0 {
			event = "zincr"
		}
		c.Notify(EventZSet, event, key)
	}
	if added > 0 {
		c.SignalReady(key, KindZSet)
	}
	switch {
	case flags&zaddIncr == 0 && flags&zaddCH != 0:
		c.W.WriteInt(int64(added + updated))
	case flags&zaddIncr == 0:
		c.W.WriteInt(int64(added))
	case processed > 0:
		c.W.WriteDouble(score)
	default:
		c.W.WriteNull()
	}
}

// zrem serves ZREM key member ...
func zrem(c *Ctx) {
	s, ok := c.zsetArg(c.Args[1], false)
	switch {
	case !ok:
	case s == nil:
		c.W.WriteInt(0)
	default:
		c.removeMembers(s, EventZSet, "zrem", s.Delete)
	}
}

func zscore(c *Ctx) {
	s, ok := c.zsetArg(c.Args[1], true)
	if !ok {
		return
	}
	c.writeScore(s, c.Args[2])
}

// writeScore writes member's score in s (nil: missing), or a null.
func (c *Ctx) writeScore(s *sortedSet, member []byte) {
	if s != nil {
		if score, ok := s.Score(member); ok {
			c.W.WriteDouble(score)
			return
		}
	}
	c.W.WriteNull()
}

func zmscore(c *Ctx) {
	s, ok := c.zsetArg(c.Args[1], true)
	if !ok {
		return
	}
	c.W.WriteArray(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		c.writeScore(s, m)
	}
}

// zrank returns ZRANK, or ZREVRANK when rev.
func zrank(rev bool) func(c *Ctx) {
	return func(c *Ctx) {
		s, ok := c.zsetArg(c.Args[1], true)
		if !ok {
			return
		}
		var r int
		found := false
		if s != nil {
			r, found = s.RankOf(c.Args[2])
		}
		if !found {
			c.W.WriteNull()
			return
		}
		if rev {
			r = s.Len() - 1 - r
		}
		c.W.WriteInt(int64(r))
	}
}

// parseScoreBound parses a score range end: a float, "(" before it for
// an exclusive end.
func parseScoreBound(b []byte) (f float64, ex, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		ex, b = true, b[1:]
	}
	// Redis reads the number with strtod: leading space is skipped and
	// nothing at all reads as 0.
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, ex, true
	}
	// Unlike a score, a bound out of a double's range is kept (as ±Inf,
	// or 0): Redis's range parser does not check strtod's ERANGE.
	f, _, ok = parseStrtod(b)
	return f, ex, ok && !math.IsNaN(f)
}

// scoreRangeArgs parses Args[i] and Args[j] as a score range, writing
// Redis's error if either is not one.
func (c *Ctx) scoreRangeArgs(i, j int) (r zset.ScoreRange, ok bool) {
	var ok1, ok2 bool
	r.Min, r.MinEx, ok1 = parseScoreBound(c.Args[i])
	r.Max, r.MaxEx, ok2 = parseScoreBound(c.Args[j])
	if !ok1 || !ok2 {
		c.W.WriteError(errZScoreRange)
		return r, false
	}
	return r, true
}

// parseLexBound parses a lex range end: "-", "+", or a member after "["
// (inclusive) or "(" (exclusive).
func parseLexBound(b []byte) (zset.LexBound, bool) {
	switch {
	case len(b) == 1 && b[0] == '-':
		return zset.LexBound{Inf: -1}, true
	case len(b) == 1 && b[0] == '+':
		return zset.LexBound{Inf: 1}, true
	case len(b) > 0 && (b[0] == '(' || b[0] == '['):
		return zset.LexBound{S: string(b[1:]), Ex: b[0] == '('}, true
	}
	return zset.LexBound{}, false
}

// lexRangeArgs parses Args[i] and Args[j] as a lex range, writing Redis's
// error if either is not one.
func (c *Ctx) lexRangeArgs(i, j int) (r zset.LexRange, ok bool) {
	var ok1, ok2 bool
	r.Min, ok1 = parseLexBound(c.Args[i])
	r.Max, ok2 = parseLexBound(c.Args[j])
	if !ok1 || !ok2 {
		c.W.WriteError(errZLexRange)
		return r, false
	}
	return r, true
}

// zcount serves ZCOUNT key min max.
func zcount(c *Ctx) {
	r, ok := c.scoreRangeArgs(2, 3)
	if ok {
		c.countRange(func(s *sortedSet) int64 { return countRanks(s.ScoreRanks(r)) })
	}
}

// zlexcount serves ZLEXCOUNT key min max.
func zlexcount(c *Ctx) {
	r, ok := c.lexRangeArgs(2, 3)
	if ok {
		c.countRange(func(s *sortedSet) int64 { return int64(s.LexCount(r)) })
	}
}

// countRanks returns how many ranks lie from first to last inclusive.
func countRanks(first, last int) int64 { return int64(max(last-first+1, 0)) }

// countRange replies with count of the sorted set at Args[1], 0 when the
// key is missing.
func (c *Ctx) countRange(count func(s *sortedSet) int64) {
	s, ok := c.zsetArg(c.Args[1], true)
	switch {
	case !ok:
	case s == nil:
		c.W.WriteInt(0)
	default:
		c.W.WriteInt(count(s))
	}
}

// rankRange resolves Redis's start and stop over n members, negative ones
// counting from the end, into 0-based inclusive ranks; ok is false when
// the range is empty.
func rankRange(start, stop int64, n int) (lo, hi int, ok bool) {
	l, h, ok := indexRange(start, stop, int64(n))
	return int(l), int(h), ok
}

// zremrange runs a ZREMRANGEBY* command: parse reads the range from the
// arguments (writing its error), del removes it from a set.
func zremrange(c *Ctx, parse func() bool, del func(s *sortedSet) int) {
	if !parse() {
		return
	}
	key := c.Args[1]
	s, ok := c.zsetArg(key, false)
	if !ok {
		return
	}
	removed := 0
	if s != nil {
		removed = del(s)
	}
	if removed > 0 {
		c.Notify(EventZSet, c.Cmd.Name, key) // the event is the command's name
		c.deleteIfEmpty(key, s)
		c.Propagate()
	}
	c.W.WriteInt(int64(removed))
}

func zremrangeByRank(c *Ctx) {
	var start, stop int64
	zremrange(c, func() bool {
		var ok bool
		if start, ok = c.IntArg(2); ok {
			stop, ok = c.IntArg(3)
		}
		return ok
	}, func(s *sortedSet) int {
		lo, hi, ok := rankRange(start, stop, s.Len())
		if !ok {
			return 0
		}
		return s.DeleteRangeByRank(lo, hi, nil)
	})
}

func zremrangeByScore(c *Ctx) {
	var r zset.ScoreRange
	zremrange(c, func() (ok bool) {
		r, ok = c.scoreRangeArgs(2, 3)
		return ok
	}, func(s *sortedSet) int { return s.DeleteRangeByScore(r, nil) })
}

func zremrangeByLex(c *Ctx) {
	var r zset.LexRange
	zremrange(c, func() (ok bool) {
		r, ok = c.lexRangeArgs(2, 3)
		return ok
	}, func(s *sortedSet) int { return s.DeleteRangeByLex(r, nil) })
}

// The kinds of range ZRANGE and its relatives take, and their directions;
// auto means the command's options choose.
const (
	zrangeAuto = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

const (
	dirAuto = iota
	dirFwd
	dirRev
)

// zrangeCmd returns the Run function of ZRANGE (store: ZRANGESTORE) or one
// of its legacy forms, which fix the range kind and direction.
func zrangeCmd(kind, dir int, store bool) func(c *Ctx) {
	return func(c *Ctx) {
		src := 1
		if store {
			src = 2
		}
		zrange(c, src, kind, dir, store)
	}
}

// zrange parses and runs a range command whose source key is Args[src],
// followed by the two ends and the options.
func zrange(c *Ctx, src, kind, dir int, store bool) {
	withScores := false
	offset, limit := int64(0), int64(-1)
	for i := src + 3; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case !store && EqualFold(a, "withscores"):
			withScores = true
		case EqualFold(a, "limit") && i+2 < len(c.Args):
			var ok bool
			if offset, ok = c.IntArg(i + 1); !ok {
				return
			}
			if limit, ok = c.IntArg(i + 2); !ok {
				return
			}
			i += 2
		case dir == dirAuto && EqualFold(a, "rev"):
			dir = dirRev
		case kind == zrangeAuto && EqualFold(a, "bylex"):
			kind = zrangeLex
		case kind == zrangeAuto && EqualFold(a, "byscore"):
			kind = zrangeScore
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	if kind == zrangeAuto {
		kind = zrangeRank
	}
	rev := dir == dirRev
	// Redis checks only the count: LIMIT offset -1 passes, and is ignored.
	if limit != -1 && kind == zrangeRank {
		c.W.WriteError(errZLimitByRank)
		return
	}
	if withScores && kind == zrangeLex {
		c.W.WriteError(errZLexScores)
		return
	}
	lo, hi := src+1, src+2
	if rev && kind != zrangeRank {
		lo, hi = hi, lo
	}
	q := zrangeQuery{kind: kind, rev: rev, offset: offset, limit: limit}
	var ok bool
	switch kind {
	case zrangeRank:
		if q.start, ok = c.IntArg(lo); !ok {
			return
		}
		if q.stop, ok = c.IntArg(hi); !ok {
			return
		}
	case zrangeScore:
		if q.score, ok = c.scoreRangeArgs(lo, hi); !ok {
			return
		}
	default:
		if q.lex, ok = c.lexRangeArgs(lo, hi); !ok {
			return
		}
	}
	s, ok := c.zsetArg(c.Args[src], true)
	if !ok {
		return
	}
	if store {
		zrangeStore(c, s, &q)
		return
	}
	out := newZReply(c.W, withScores)
	if s == nil {
		out.begin(0)
		return
	}
	first, last := q.ranks(s)
	out.begin(max(last-first+1, 0))
	for it := s.Range(first, last, rev); ; {
		m, score, ok := it.Next()
		if !ok {
			break
		}
		out.addMember(m, score)
	}
}

// zrangeQuery is a parsed ZRANGE: the range of its kind, its direction
// and its LIMIT (offset, and count: negative for none).
type zrangeQuery struct {
	kind          int
	rev           bool
	start, stop   int64 // zrangeRank
	score         zset.ScoreRange
	lex           zset.LexRange
	offset, limit int64
}

// ranks returns the 0-based ascending ranks of the first and last members
// of s that q selects (first > last: none), to be listed from last down
// when q.rev.
func (q *zrangeQuery) ranks(s *sortedSet) (first, last int) {
	switch q.kind {
	case zrangeRank:
		lo, hi, ok := rankRange(q.start, q.stop, s.Len())
		if !ok {
			return 0, -1
		}
		if q.rev {
			return s.Len() - 1 - hi, s.Len() - 1 - lo
		}
		return lo, hi
	case zrangeLex:
		return s.LexRanks(q.lex, q.rev, int(q.offset), int(q.limit))
	}
	first, last = s.ScoreRanks(q.score)
	// LIMIT: skip offset members from the listing's start, keep limit
	// (Redis skips them without checking their scores, which, scores
	// being in order, comes to the same).
	if q.offset < 0 || first > last || q.offset > int64(last-first) {
		return 0, -1
	}
	n := int64(last - first + 1 - int(q.offset))
	if q.limit >= 0 {
		n = min(n, q.limit)
	}
	if q.rev {
		last -= int(q.offset)
		return last - int(n) + 1, last
	}
	first += int(q.offset)
	return first, first + int(n) - 1
}

// zrangeStore stores the range q selects from s (nil: missing) at Args[1]
// and replies with its size. It builds the destination as Redis does: a
// skip list when it is a range of ranks longer than the listpack limit,
// otherwise a listpack that takes the members in the listing's order and
// converts when one would outgrow it, so that a -0 score added while it is
// a listpack is stored as 0 and one added after stays -0.
func zrangeStore(c *Ctx, s *sortedSet, q *zrangeQuery) {
	dst := &sortedSet{}
	if s != nil {
		lim := c.limits()
		first, last := q.ranks(s)
		if q.kind == zrangeRank && last-first+1 > lim.ZSetEntries {
			dst.Convert()
		}
		for it := s.Range(first, last, q.rev); ; {
			m, score, ok := it.Next()
			if !ok {
				break
			}
			dst.insert(m, score, lim)
		}
	}
	c.zsetStore(c.Args[1], dst)
}

// zsetStore makes s, in the encoding it is to keep, the value of key
// (deleting key if s is empty), as the STORE commands do, logs the
// command, fires the event named after it and replies with s's size.
func (c *Ctx) zsetStore(key []byte, s *sortedSet) {
	if s.Len() == 0 {
		if c.delKey(key) {
			c.Propagate()
		}
		c.W.WriteInt(0)
		return
	}
	n := s.Len()
	c.Store(key, CollectionValue(s), false)
	c.Propagate()
	c.Notify(EventZSet, c.Cmd.Name, key)
	c.SignalReady(key, KindZSet)
	c.W.WriteInt(int64(n))
}

// zsetCountArg parses Args[i] as a pop count, writing err if it is not a
// positive integer (zero is allowed when zeroOK).
func (c *Ctx) zsetCountArg(i int, zeroOK bool, err string) (int64, bool) {
	n, ok := ParseInt(c.Args[i])
	if !ok || n < 0 || n == 0 && !zeroOK {
		c.W.WriteError(err)
		return 0, false
	}
	return n, true
}

// zpop returns ZPOPMIN, or ZPOPMAX when max.
func zpop(max bool) func(c *Ctx) {
	return func(c *Ctx) {
		count, out := int64(1), zreply{w: c.W, scores: true}
		switch len(c.Args) {
		case 2:
		case 3:
			var ok bool
			if count, ok = c.zsetCountArg(2, true, ErrNotPositive); !ok {
				return
			}
			out = newZReply(c.W, true)
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
		key := c.Args[1]
		s, ok := c.zsetArg(key, false)
		if !ok {
			return
		}
		if s == nil {
			out.begin(0)
			return
		}
		c.zsetPop(key, s, max, count, out)
	}
}

// zsetPop removes up to count members from the lowest (highest when max)
// end of s, the set at key, writes them with out, deletes the key if it
// is left empty and logs the pop as ZPOPMIN/ZPOPMAX key count.
func (c *Ctx) zsetPop(key []byte, s *sortedSet, max bool, count int64, out zreply) {
	n := int(min(count, int64(s.Len())))
	out.begin(n)
	for i := 0; i < n; i++ {
		node := s.First()
		if max {
			node = s.Last()
		}
		out.add(node)
		s.Delete([]byte(node.Member))
	}
	if n == 0 {
		return
	}
	name, event := zpopminName, "zpopmin"
	if max {
		name, event = zpopmaxName, "zpopmax"
	}
	c.Notify(EventZSet, event, key)
	c.deleteIfEmpty(key, s)
	c.PropagateAs(name, key, strconv.AppendInt(nil, int64(n), 10))
}

// zsetFirstNonEmpty returns the first of keys holding a sorted set. It
// writes WRONGTYPE and returns ok false if it meets another kind first,
// unless the client has blocked and was woken: then keys of another kind
// are skipped (see blockedSource).
func (c *Ctx) zsetFirstNonEmpty(keys [][]byte) (key []byte, s *sortedSet, ok bool) {
	for _, k := range keys {
		if s, ok = blockedSource[*sortedSet](c, k, KindZSet); !ok {
			return nil, nil, false
		}
		if s != nil {
			return k, s, true
		}
	}
	return nil, nil, true
}

// bzpop returns BZPOPMIN, or BZPOPMAX when max.
func bzpop(max bool) func(c *Ctx) {
	return func(c *Ctx) {
		timeout, ok := c.TimeoutArg(len(c.Args) - 1)
		if !ok {
			return
		}
		keys := c.Args[1 : len(c.Args)-1]
		key, s, ok := c.zsetFirstNonEmpty(keys)
		if !ok {
			return
		}
		if s == nil {
			c.Block(keys, KindZSet, timeout, (*resp.Writer).WriteNullArray)
			return
		}
		c.zsetPop(key, s, max, 1, zreply{w: c.W, scores: true, key: key})
	}
}

// zmpop returns ZMPOP (numkeys at Args[num]) or, when block, BZMPOP.
func zmpop(num int, block bool) func(c *Ctx) {
	return func(c *Ctx) {
		n, ok := ParseInt(c.Args[num])
		if !ok || n < 1 {
			c.W.WriteError(errZNumKeys)
			return
		}
		// MIN|MAX must follow the n keys. Compared this way round, a huge
		// n cannot overflow.
		if n >= int64(len(c.Args)-num-1) {
			c.W.WriteError(ErrSyntax)
			return
		}
		where := num + int(n) + 1
		var max bool
		switch a := c.Args[where]; {
		case EqualFold(a, "min"):
		case EqualFold(a, "max"):
			max = true
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
		count := int64(-1)
		for i := where + 1; i < len(c.Args); i++ {
			if count != -1 || !EqualFold(c.Args[i], "count") || i+1 >= len(c.Args) {
				c.W.WriteError(ErrSyntax)
				return
			}
			i++
			if count, ok = c.zsetCountArg(i, false, errZCount); !ok {
				return
			}
		}
		if count == -1 {
			count = 1
		}
		keys := c.Args[num+1 : where]
		var timeout time.Duration
		if block {
			if timeout, ok = c.TimeoutArg(1); !ok {
				return
			}
		}
		key, s, ok := c.zsetFirstNonEmpty(keys)
		if !ok {
			return
		}
		if s == nil {
			if block {
				c.Block(keys, KindZSet, timeout, (*resp.Writer).WriteNullArray)
			} else {
				c.W.WriteNullArray()
			}
			return
		}
		c.W.WriteArray(2)
		c.W.WriteBulk(key)
		c.zsetPop(key, s, max, count, zreply{w: c.W, scores: true, nested: true})
	}
}
