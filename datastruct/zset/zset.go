package zset

import (
	"myredis/datastruct/dict"
)

// ScoreRange is an interval of scores; MinEx and MaxEx make an end exclusive.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// aboveMin reports whether s is at or past the range's lower end.
func (r *ScoreRange) aboveMin(s float64) bool {
	return s > r.Min || !r.MinEx && s == r.Min
}

// belowMax reports whether s is at or before the range's upper end.
func (r *ScoreRange) belowMax(s float64) bool {
	return s < r.Max || !r.MaxEx && s == r.Max
}

// Empty reports whether no score can be in r.
func (r *ScoreRange) Empty() bool {
	return r.Min > r.Max || r.Min == r.Max && (r.MinEx || r.MaxEx)
}

// LexBound is one end of a LexRange: Inf -1 is "-" (below everything), +1
// is "+" (above everything), 0 a member S, exclusive when Ex.
type LexBound struct {
	S   string
	Ex  bool
	Inf int
}

// LexRange is an interval of members, for sets whose scores are all equal.
type LexRange struct{ Min, Max LexBound }

// aboveMin reports whether m is at or past the range's lower end.
func (r *LexRange) aboveMin(m string) bool {
	b := &r.Min
	switch {
	case b.Inf != 0:
		return b.Inf < 0
	case b.Ex:
		return m > b.S
	}
	return m >= b.S
}

// belowMax reports whether m is at or before the range's upper end.
func (r *LexRange) belowMax(m string) bool {
	b := &r.Max
	switch {
	case b.Inf != 0:
		return b.Inf > 0
	case b.Ex:
		return m < b.S
	}
	return m <= b.S
}

// Empty reports whether no member can be in r.
func (r *LexRange) Empty() bool {
	lo, hi := &r.Min, &r.Max
	switch {
	case lo.Inf > 0 || hi.Inf < 0:
		return true
	case lo.Inf < 0 || hi.Inf > 0:
		return false
	}
	return lo.S > hi.S || lo.S == hi.S && (lo.Ex || hi.Ex)
}

// ZSet is a sorted set: members ordered by (score, member) with O(1)
// lookup by member. Ranks are 0-based. The zero value is not usable: call
// New. A ZSet is not safe for concurrent use.
type ZSet struct {
	m  dict.Map[*Node]
	sl skipList
}

// New returns an empty sorted set.
func New() *ZSet {
	z := &ZSet{}
	z.sl.init()
	return z
}

// Len returns the number of members.
func (z *ZSet) Len() int { return z.sl.length }

// Find returns member's node, or nil.
func (z *ZSet) Find(member []byte) *Node {
	if e := z.m.Find(member); e != nil {
		return e.Value
	}
	return nil
}

// Insert adds member, which must be absent, with score and returns its
// node. member is copied.
func (z *ZSet) Insert(member []byte, score float64) *Node {
	e := z.m.Add(member, nil)
	e.Value = z.sl.insert(e.Key, score)
	return e.Value
}

// UpdateScore changes the score of n, a node of z, and returns the node
// now holding the member (n itself when its place in the order is kept).
func (z *ZSet) UpdateScore(n *Node, score float64) *Node {
	if (n.prev == nil || n.prev.less(score, n.Member)) && (n.Next() == nil || !n.Next().less(score, n.Member)) {
		n.Score = score
		return n
	}
	z.sl.delete(n.Member, n.Score)
	nn := z.sl.insert(n.Member, score)
	z.m.Find([]byte(n.Member)).Value = nn
	return nn
}

// Delete removes member and reports whether it was present.
func (z *ZSet) Delete(member []byte) bool {
	e := z.m.Delete(member)
	if e == nil {
		return false
	}
	z.sl.delete(e.Value.Member, e.Value.Score)
	return true
}

// Rank returns the 0-based ascending rank of n, a node of z.
func (z *ZSet) Rank(n *Node) int { return z.sl.rank(n.Member, n.Score) - 1 }

// ByRank returns the node at 0-based ascending rank r, or nil.
func (z *ZSet) ByRank(r int) *Node { return z.sl.byRank(r + 1) }

// First returns the lowest node, or nil if z is empty.
func (z *ZSet) First() *Node { return z.sl.head.links[0].next }

// Last returns the highest node, or nil if z is empty.
func (z *ZSet) Last() *Node { return z.sl.tail }

// FirstInScore returns the lowest node whose score is in r, or nil.
func (z *ZSet) FirstInScore(r ScoreRange) *Node {
	n := z.sl.firstWhere(func(n *Node) bool { return !r.aboveMin(n.Score) })
	if n == nil || !r.belowMax(n.Score) {
		return nil
	}
	return n
}

// LastInScore returns the highest node whose score is in r, or nil.
func (z *ZSet) LastInScore(r ScoreRange) *Node {
	n := z.sl.lastWhere(func(n *Node) bool { return r.belowMax(n.Score) })
	if n == nil || !r.aboveMin(n.Score) {
		return nil
	}
	return n
}

// InScore reports whether n's score is in r.
func (r *ScoreRange) InScore(n *Node) bool { return r.aboveMin(n.Score) && r.belowMax(n.Score) }

// FirstInLex returns the lowest node whose member is in r, or nil. Like
// every lex operation it assumes all scores are equal.
func (z *ZSet) FirstInLex(r LexRange) *Node {
	n := z.sl.firstWhere(func(n *Node) bool { return !r.aboveMin(n.Member) })
	if n == nil || !r.belowMax(n.Member) {
		return nil
	}
	return n
}

// LastInLex returns the highest node whose member is in r, or nil.
func (z *ZSet) LastInLex(r LexRange) *Node {
	n := z.sl.lastWhere(func(n *Node) bool { return r.belowMax(n.Member) })
	if n == nil || !r.aboveMin(n.Member) {
		return nil
	}
	return n
}

// InLex reports whether n's member is in r.
func (r *LexRange) InLex(n *Node) bool { return r.aboveMin(n.Member) && r.belowMax(n.Member) }

// DeleteRangeByRank removes the members of 0-based ranks start..end
// (inclusive, within range), calls fn with each, and returns how many.
// fn's node must not be kept.
func (z *ZSet) DeleteRangeByRank(start, end int, fn func(n *Node)) int {
	return z.deleteRange(
		func(_ *Node, rank int) bool { return rank <= start },
		func(_ *Node, rank int) bool { return rank <= end+1 }, fn)
}

// DeleteRangeByScore removes the members whose score is in r, calls fn
// with each, and returns how many.
func (z *ZSet) DeleteRangeByScore(r ScoreRange, fn func(n *Node)) int {
	return z.deleteRange(
		func(n *Node, _ int) bool { return !r.aboveMin(n.Score) },
		func(n *Node, _ int) bool { return r.belowMax(n.Score) }, fn)
}

// DeleteRangeByLex removes the members in r, calls fn with each, and
// returns how many.
func (z *ZSet) DeleteRangeByLex(r LexRange, fn func(n *Node)) int {
	return z.deleteRange(
		func(n *Node, _ int) bool { return !r.aboveMin(n.Member) },
		func(n *Node, _ int) bool { return r.belowMax(n.Member) }, fn)
}

func (z *ZSet) deleteRange(before, in func(n *Node, rank int) bool, fn func(n *Node)) int {
	return z.sl.deleteRange(before, in, func(n *Node) {
		z.m.Delete([]byte(n.Member))
		if fn != nil {
			fn(n)
		}
	})
}

// Scan continues a scan of z's members from cursor with dict.Map's
// guarantee: see dict.Map.Scan. fn must not change z.
func (z *ZSet) Scan(cursor uint64, count int, fn func(n *Node)) uint64 {
	return z.m.Scan(cursor, count, func(e *dict.Entry[*Node]) { fn(e.Value) })
}

// Random returns a uniformly random node, or nil if z is empty.
func (z *ZSet) Random() *Node {
	if e := z.m.Random(); e != nil {
		return e.Value
	}
	return nil
}

// Copy returns a deep copy of z.
func (z *ZSet) Copy() *ZSet {
	c := New()
	for n := z.First(); n != nil; n = n.Next() {
		c.Insert([]byte(n.Member), n.Score)
	}
	return c
}
