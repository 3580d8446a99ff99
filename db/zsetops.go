package db

import (
	"math"
	"math/rand/v2"
	"slices"

	"myredis/datastruct/zset"
	"myredis/resp"
)

// zsetSetSource is what ZUNION, ZINTER, ZDIFF and their relatives need of
// a set key's value: sets take part as members with score 1. The set
// family's value type implements it; calls happen under the key's lock.
type zsetSetSource interface {
	Len() int
	Contains(member []byte) bool
	// ForEach calls fn with every member until fn returns false; fn must
	// not keep member or change the set. (datastruct/set.Set's methods.)
	ForEach(fn func(member []byte) bool) bool
}

// The set operations of ZUNION, ZINTER and ZDIFF.
const (
	zopUnion = iota
	zopInter
	zopDiff
)

// AGGREGATE modes.
const (
	aggSum = iota
	aggMin
	aggMax
)

func registerZSetOps(cmd func(name string, arity int, flags Flag, since, summary string, run func(*Ctx))) {
	const write = FlagWrite | FlagDenyOOM
	cmd("zunion", -3, FlagReadonly, "6.2.0", "Returns the union of sorted sets.",
		zsetOpCmd(zopUnion, false))
	cmd("zinter", -3, FlagReadonly, "6.2.0", "Returns the intersection of sorted sets.",
		zsetOpCmd(zopInter, false))
	cmd("zdiff", -3, FlagReadonly, "6.2.0", "Returns the members of the first sorted set missing from the others.",
		zsetOpCmd(zopDiff, false))
	cmd("zunionstore", -4, write, "2.0.0", "Stores the union of sorted sets in a key.",
		zsetOpCmd(zopUnion, true))
	cmd("zinterstore", -4, write, "2.0.0", "Stores the intersection of sorted sets in a key.",
		zsetOpCmd(zopInter, true))
	cmd("zdiffstore", -4, write, "6.2.0", "Stores the difference of sorted sets in a key.",
		zsetOpCmd(zopDiff, true))
	cmd("zintercard", -3, FlagReadonly, "7.0.0", "Counts the members of the intersection of sorted sets.",
		zintercard)
	cmd("zrandmember", -2, FlagReadonly, "6.2.0", "Returns random members of a sorted set.", zrandmember)
	cmd("zscan", -3, FlagReadonly, "2.8.0", "Iterates over the members and scores of a sorted set.", zscan)
}

// zsrc is one input of a set operation: a sorted set or a set (either nil
// for a missing key) and its weight.
type zsrc struct {
	z      *sortedSet
	set    zsetSetSource
	weight float64
}

func (s *zsrc) len() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.set != nil:
		return s.set.Len()
	}
	return 0
}

// score returns member's weighted score in s and whether it is there.
//
// The score is the plain product, NaN for 0 times infinity: as in Redis,
// only the first source of an intersection (and every source of a union)
// takes NaN as 0; the others' NaN goes into the aggregate.
func (s *zsrc) score(member []byte) (float64, bool) {
	switch {
	case s.z != nil:
		if score, ok := s.z.Score(member); ok {
			return score * s.weight, true
		}
	case s.set != nil && s.set.Contains(member):
		return s.weight, true
	}
	return 0, false
}

// each calls fn with every member of s and its weighted score.
func (s *zsrc) each(fn func(member []byte, score float64)) {
	switch {
	case s.z != nil:
		for n := s.z.First(); n != nil; n = n.Next() {
			fn([]byte(n.Member), weigh(n.Score, s.weight))
		}
	case s.set != nil:
		s.set.ForEach(func(m []byte) bool {
			fn(m, weigh(1, s.weight))
			return true
		})
	}
}

// weigh multiplies a score by a weight, taking NaN (0 times infinity) as 0
// as Redis does.
func weigh(score, weight float64) float64 {
	if v := score * weight; v == v {
		return v
	}
	return 0
}

// aggregate combines the score so far, a, with b as Redis does: a sum that
// is NaN (opposite infinities, or a NaN b) is 0, and MIN and MAX keep a
// unless b compares below or above it (so a NaN b changes nothing).
func aggregate(mode int, a, b float64) float64 {
	switch mode {
	case aggMin:
		if b < a {
			return b
		}
		return a
	case aggMax:
		if b > a {
			return b
		}
		return a
	}
	if v := a + b; v == v {
		return v
	}
	return 0
}

// zsetOpArgs reads the numkeys at Args[num], the keys after it and, from
// opts, the options the command accepts, writing Redis's error when
// something is wrong. It returns the sources and where the options start.
func (c *Ctx) zsetOpSources(num int) (srcs []zsrc, opts int, ok bool) {
	n, ok := c.IntArg(num)
	if !ok {
		return nil, 0, false
	}
	if n < 1 {
		c.W.WriteError("ERR at least 1 input key is needed for '" + c.Cmd.Name + "' command")
		return nil, 0, false
	}
	if n > int64(len(c.Args)-num-1) {
		c.W.WriteError(ErrSyntax)
		return nil, 0, false
	}
	srcs = make([]zsrc, n)
	for i := range srcs {
		e := c.LookupRead(c.Args[num+1+i])
		srcs[i].weight = 1
		switch {
		case e == nil:
		case e.Value.Kind() == KindZSet:
			srcs[i].z = e.Value.Obj().(*sortedSet)
		case e.Value.Kind() == KindSet:
			if set, isSet := e.Value.Obj().(zsetSetSource); isSet {
				srcs[i].set = set
				break
			}
			fallthrough
		default:
			c.W.WriteError(ErrWrongType)
			return nil, 0, false
		}
	}
	return srcs, num + 1 + int(n), true
}

// zsetOpCmd returns ZUNION, ZINTER or ZDIFF, or with store their STORE
// form, whose destination is Args[1].
func zsetOpCmd(op int, store bool) func(c *Ctx) {
	num := 1
	if store {
		num = 2
	}
	return func(c *Ctx) {
		srcs, i, ok := c.zsetOpSources(num)
		if !ok {
			return
		}
		mode, withScores := aggSum, false
		for ; i < len(c.Args); i++ {
			left := len(c.Args) - i - 1
			switch a := c.Args[i]; {
			case op != zopDiff && EqualFold(a, "weights") && left >= len(srcs):
				for j := range srcs {
					i++
					w, ok := ParseFloat(c.Args[i])
					if !ok {
						c.W.WriteError(errZWeight)
						return
					}
					srcs[j].weight = w
				}
			case op != zopDiff && EqualFold(a, "aggregate") && left >= 1:
				i++
				switch b := c.Args[i]; {
				case EqualFold(b, "sum"):
					mode = aggSum
				case EqualFold(b, "min"):
					mode = aggMin
				case EqualFold(b, "max"):
					mode = aggMax
				default:
					c.W.WriteError(ErrSyntax)
					return
				}
			case !store && EqualFold(a, "withscores"):
				withScores = true
			default:
				c.W.WriteError(ErrSyntax)
				return
			}
		}
		res := zsetCombine(op, mode, srcs)
		if store {
			res.fitEncoding(c.limits())
			c.zsetStore(c.Args[1], res)
			return
		}
		out := newZReply(c.W, withScores)
		out.begin(res.Len())
		for n := res.First(); n != nil; n = n.Next() {
			out.add(n)
		}
	}
}

// zsetCombine computes op over srcs (aggregating with mode) into a new set.
// It may reorder srcs.
func zsetCombine(op, mode int, srcs []zsrc) *sortedSet {
	// Built as a skiplist (keeping -0), as Redis does; a STORE fits the encoding.
	res := newSkiplistSet()
	if op != zopDiff {
		// Smallest first: an intersection walks only the smallest input.
		slices.SortStableFunc(srcs, func(a, b zsrc) int { return a.len() - b.len() })
	}
	switch op {
	case zopUnion:
		for i := range srcs {
			srcs[i].each(func(m []byte, score float64) {
				if n := res.Find(m); n != nil {
					res.UpdateScore(n, aggregate(mode, n.Score, score))
				} else {
					res.Insert(m, score)
				}
			})
		}
	case zopInter:
		srcs[0].each(func(m []byte, score float64) {
			for i := 1; i < len(srcs); i++ {
				other, ok := srcs[i].score(m)
				if !ok {
					return
				}
				score = aggregate(mode, score, other)
			}
			res.Insert(m, score)
		})
	case zopDiff:
		srcs[0].each(func(m []byte, score float64) {
			for i := 1; i < len(srcs); i++ {
				if _, ok := srcs[i].score(m); ok {
					return
				}
			}
			res.Insert(m, score)
		})
	}
	return res
}

// zintercard serves ZINTERCARD numkeys key ... [LIMIT limit].
func zintercard(c *Ctx) {
	srcs, i, ok := c.zsetOpSources(1)
	if !ok {
		return
	}
	limit := int64(0)
	for ; i < len(c.Args); i++ {
		if !EqualFold(c.Args[i], "limit") || i+1 >= len(c.Args) {
			c.W.WriteError(ErrSyntax)
			return
		}
		i++
		if limit, ok = c.zsetCountArg(i, true, "ERR LIMIT can't be negative"); !ok {
			return
		}
	}
	slices.SortStableFunc(srcs, func(a, b zsrc) int { return a.len() - b.len() })
	var count int64
	srcs[0].each(func(m []byte, _ float64) {
		if limit > 0 && count >= limit {
			return
		}
		for i := 1; i < len(srcs); i++ {
			if _, ok := srcs[i].score(m); !ok {
				return
			}
		}
		count++
	})
	c.W.WriteInt(count)
}

// zrandmember serves ZRANDMEMBER key [count [WITHSCORES]]: a positive
// count asks for distinct members, a negative one allows repeats.
func zrandmember(c *Ctx) {
	if len(c.Args) == 2 {
		s, ok := c.zsetArg(c.Args[1], true)
		switch {
		case !ok:
		case s == nil:
			c.W.WriteNull()
		default:
			c.W.WriteBulkString(s.Random().Member)
		}
		return
	}
	count, ok := c.IntArg(2)
	if !ok {
		return
	}
	if count == math.MinInt64 {
		c.W.WriteError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return
	}
	withScores := false
	if len(c.Args) > 3 {
		if len(c.Args) > 4 || !EqualFold(c.Args[3], "withscores") {
			c.W.WriteError(ErrSyntax)
			return
		}
		withScores = true
		if count < -math.MaxInt64/2 || count > math.MaxInt64/2 {
			c.W.WriteError("ERR value is out of range")
			return
		}
	}
	s, ok := c.zsetArg(c.Args[1], true)
	if !ok {
		return
	}
	out := newZReply(c.W, withScores)
	switch {
	case s == nil || count == 0:
		out.begin(0)
	case count < 0:
		out.begin(int(-count))
		for ; count < 0; count++ {
			out.add(s.Random())
		}
	case count >= int64(s.Len()):
		// The whole set, in the order Redis walks a listpack for it.
		out.begin(s.Len())
		for n := s.Last(); n != nil; n = n.Prev() {
			out.add(n)
		}
	default:
		out.begin(int(count))
		for _, n := range randomDistinct(s, int(count)) {
			out.add(n)
		}
	}
}

// randomDistinct returns count distinct random members of s, count < s.Len().
func randomDistinct(s *sortedSet, count int) []*zset.Node {
	if count*3 > s.Len() {
		// Many of them: shuffle the first count of all the nodes.
		all := make([]*zset.Node, 0, s.Len())
		for n := s.First(); n != nil; n = n.Next() {
			all = append(all, n)
		}
		for i := 0; i < count; i++ {
			j := i + rand.IntN(len(all)-i)
			all[i], all[j] = all[j], all[i]
		}
		return all[:count]
	}
	seen := make(map[string]bool, count)
	out := make([]*zset.Node, 0, count)
	for len(out) < count {
		if n := s.Random(); !seen[n.Member] {
			seen[n.Member] = true
			out = append(out, n)
		}
	}
	return out
}

// zscan serves ZSCAN key cursor [MATCH pattern] [COUNT count]. A set
// still in its small encoding is returned whole with cursor 0, as Redis
// does.
func zscan(c *Ctx) {
	c.scanElements(true, func() (scanFunc, bool) {
		s, ok := c.zsetArg(c.Args[1], true)
		if s == nil || !ok {
			return nil, ok
		}
		return func(cursor uint64, count int, visit func(elem, value []byte)) uint64 {
			var num []byte
			each := func(n *zset.Node) {
				num = resp.FormatDouble(num[:0], n.Score)
				visit(stringBytes(n.Member), num)
			}
			return s.Scan(cursor, count, each)
		}, true
	})
}
