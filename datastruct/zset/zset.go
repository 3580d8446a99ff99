package zset

import (
	"bytes"

	"myredis/datastruct/compact"
	"myredis/datastruct/dict"
	"myredis/datastruct/listpack"
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
func (r *LexRange) aboveMin(m []byte) bool {
	b := &r.Min
	switch {
	case b.Inf != 0:
		return b.Inf < 0
	case b.Ex:
		return string(m) > b.S
	}
	return string(m) >= b.S
}

// belowMax reports whether m is at or before the range's upper end.
func (r *LexRange) belowMax(m []byte) bool {
	b := &r.Max
	switch {
	case b.Inf != 0:
		return b.Inf > 0
	case b.Ex:
		return string(m) < b.S
	}
	return string(m) <= b.S
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

// ZSet is a sorted set: members ordered by (score, member). Ranks are
// 0-based. It has Redis's two encodings: while small, a listpack of
// member, score, member, score... in order (one byte slice: lookups and
// updates are O(n)); after Convert, a skip list beside a member→node map
// (O(1) lookup by member, O(log n) ranks and ranges). The zero value is an
// empty listpack set; New returns an empty skip-list set. A ZSet is not
// safe for concurrent use.
//
// The nodes a listpack set hands out are decoded copies: linked to each
// other (Next, Prev) when a method returns a node of the set's order, not
// linked (Next and Prev return nil) when returned by UpdateScore or
// Random, and in either case they stop reflecting the set when it changes.
type ZSet struct {
	v compact.Value[table] // the listpack, or the skip list
}

// list returns the listpack (nil, empty, in the skip-list encoding).
func (z *ZSet) list() []byte { return z.v.Bytes() }

// tab returns the skip-list encoding, nil while z is a listpack.
func (z *ZSet) tab() *table { return z.v.Big() }

// table is the skip-list encoding.
type table struct {
	m  dict.Map[*Node]
	sl skipList
}

// New returns an empty sorted set in the skip-list encoding.
func New() *ZSet {
	z := &ZSet{}
	z.v.SetBig(newTable())
	return z
}

// newTable returns an empty skip-list encoding.
func newTable() *table {
	t := &table{}
	t.sl.init()
	return t
}

// IsListpack reports whether z is in the listpack encoding.
func (z *ZSet) IsListpack() bool { return z.tab() == nil }

// Len returns the number of members.
func (z *ZSet) Len() int {
	if z.tab() == nil {
		return listpack.Len(z.list()) / 2
	}
	return z.tab().sl.length
}

// Find returns member's node, or nil.
func (z *ZSet) Find(member []byte) *Node {
	if z.tab() == nil {
		return z.lpFind(member)
	}
	if e := z.tab().m.Find(member); e != nil {
		return e.Value
	}
	return nil
}

// Score returns member's score and whether it is a member; it does not
// allocate.
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.tab() == nil {
		return z.lpScore(member)
	}
	if e := z.tab().m.Find(member); e != nil {
		return e.Value.Score, true
	}
	return 0, false
}

// Insert adds member, which must be absent, with score. member is copied.
func (z *ZSet) Insert(member []byte, score float64) {
	if z.tab() == nil {
		z.lpInsert(member, score)
		return
	}
	e := z.tab().m.Add(member, nil)
	e.Value = z.tab().sl.insert(e.Key, score)
}

// UpdateScore changes the score of n, a node of z, and returns the node
// now holding the member (n itself when its place in the order is kept).
func (z *ZSet) UpdateScore(n *Node, score float64) *Node {
	if z.tab() == nil {
		return z.lpNode(z.lpSetScore([]byte(n.Member), score))
	}
	if (n.prev == nil || n.prev.less(score, n.Member)) && (n.Next() == nil || !n.Next().less(score, n.Member)) {
		n.Score = score
		return n
	}
	z.tab().sl.delete(n.Member, n.Score)
	nn := z.tab().sl.insert(n.Member, score)
	z.tab().m.Find([]byte(n.Member)).Value = nn
	return nn
}

// SetScore changes the score of member, which must be present.
func (z *ZSet) SetScore(member []byte, score float64) {
	if z.tab() == nil {
		z.lpSetScore(member, score)
		return
	}
	z.UpdateScore(z.tab().m.Find(member).Value, score)
}

// Delete removes member and reports whether it was present.
func (z *ZSet) Delete(member []byte) bool {
	if z.tab() == nil {
		return z.lpDelete(member)
	}
	e := z.tab().m.Delete(member)
	if e == nil {
		return false
	}
	z.tab().sl.delete(e.Value.Member, e.Value.Score)
	return true
}

// Rank returns the 0-based ascending rank of n, a node of z.
func (z *ZSet) Rank(n *Node) int {
	if z.tab() == nil {
		return z.lpRank(n)
	}
	return z.tab().sl.rank(n.Member, n.Score) - 1
}

// RankOf returns the 0-based ascending rank of member and whether it is
// a member; it does not allocate.
func (z *ZSet) RankOf(member []byte) (int, bool) {
	if z.tab() == nil {
		return z.lpRankOf(member)
	}
	n := z.Find(member)
	if n == nil {
		return 0, false
	}
	return z.Rank(n), true
}

// ByRank returns the node at 0-based ascending rank r, or nil.
func (z *ZSet) ByRank(r int) *Node {
	if z.tab() == nil {
		if r < 0 || r >= z.Len() {
			return nil
		}
		return &z.view()[r].Node
	}
	return z.tab().sl.byRank(r + 1)
}

// First returns the lowest node, or nil if z is empty.
func (z *ZSet) First() *Node { return z.ByRank(0) }

// Last returns the highest node, or nil if z is empty.
func (z *ZSet) Last() *Node { return z.ByRank(z.Len() - 1) }

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
// returns how many: those from the first at least r's min while at most
// its max. When scores differ, a listpack set, as Redis's, removes nothing
// unless its first member is at most the max and its last at least the
// min; a skip-list set does not check (see lex.go).
func (z *ZSet) DeleteRangeByLex(r LexRange, fn func(n *Node)) int {
	if z.tab() == nil && !z.inLexRange(&r) {
		return 0
	}
	return z.deleteRange(
		func(n *Node, _ int) bool { return !r.aboveMin(stringBytes(n.Member)) },
		func(n *Node, _ int) bool { return r.belowMax(stringBytes(n.Member)) }, fn)
}

// deleteRange removes the nodes from the first for which before is false
// while in holds (both given the node and its 1-based rank).
func (z *ZSet) deleteRange(before, in func(n *Node, rank int) bool, fn func(n *Node)) int {
	if z.tab() == nil {
		return z.lpDeleteRange(before, in, fn)
	}
	return z.tab().sl.deleteRange(before, in, func(n *Node) {
		z.tab().m.Delete([]byte(n.Member))
		if fn != nil {
			fn(n)
		}
	})
}

// Scan continues a scan of z's members from cursor with dict.Map's
// guarantee: see dict.Map.Scan. A listpack set is visited whole, whatever
// the cursor, with next cursor 0, as Redis does. fn must not change z.
func (z *ZSet) Scan(cursor uint64, count int, fn func(n *Node)) uint64 {
	if z.tab() == nil {
		v := z.view()
		for i := range v {
			fn(&v[i].Node)
		}
		return 0
	}
	return z.tab().m.Scan(cursor, count, func(e *dict.Entry[*Node]) { fn(e.Value) })
}

// Random returns a uniformly random node, or nil if z is empty.
func (z *ZSet) Random() *Node {
	if z.tab() == nil {
		return z.lpRandom()
	}
	if e := z.tab().m.Random(); e != nil {
		return e.Value
	}
	return nil
}

// Copy returns a deep copy of z in the same encoding.
func (z *ZSet) Copy() *ZSet {
	if z.tab() == nil {
		c := &ZSet{}
		c.v.SetBytes(bytes.Clone(z.list()))
		return c
	}
	c := New()
	for n := z.First(); n != nil; n = n.Next() {
		c.Insert([]byte(n.Member), n.Score)
	}
	return c
}

// Convert moves a listpack set into the skip-list encoding; a skip-list
// set is left as it is.
func (z *ZSet) Convert() {
	if z.tab() != nil {
		return
	}
	v := z.view()
	z.v.SetBig(newTable()) // in place: z's owner may keep a tag in z.v
	for i := range v {
		z.Insert([]byte(v[i].Member), v[i].Score)
	}
}

// Compact moves a skip-list set into the listpack encoding (its -0 scores
// becoming 0); a listpack set is left as it is.
func (z *ZSet) Compact() {
	if z.tab() == nil {
		return
	}
	var enc []byte
	for n := z.First(); n != nil; n = n.Next() {
		enc = listpack.AppendFloat(listpack.AppendString(enc, []byte(n.Member)), n.Score)
	}
	n := z.Len()
	z.v.SetBytes(listpack.Splice(nil, 0, 0, enc, 2*n, 0))
}

// Grow makes room in a listpack set's array for n more bytes of
// entries (see listpack.EncodedLen), so that inserts adding up to them
// reallocate it at most once; a skip-list set ignores it.
func (z *ZSet) Grow(n int) {
	if z.tab() == nil && n > 0 {
		z.v.SetBytes(listpack.Grow(z.list(), n))
	}
}

// MemoryBytes returns the bytes a listpack set's array holds (0 for a
// skip-list set).
func (z *ZSet) MemoryBytes() int { return cap(z.list()) }
