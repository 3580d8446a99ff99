package zset

import (
	"math/rand/v2"
	"unsafe"

	"myredis/datastruct/listpack"
)

// The listpack encoding: member and score entries alternate, in (score,
// member) order; a score is a listpack integer when integral, so -0 reads
// back as 0, as in Redis.

// viewNode is a node of a view with its one link, so that a view is one
// allocation (and one for its members' text).
type viewNode struct {
	Node
	link [1]link
}

// view decodes a listpack set into nodes linked in order. The nodes are
// copies: they stay valid, but stop reflecting z when it changes.
func (z *ZSet) view() []viewNode {
	lp := z.list()
	n := listpack.Len(lp) / 2
	if n == 0 {
		return nil
	}
	nodes := make([]viewNode, n)
	text := make([]byte, 0, len(lp)+16)
	for i, off := 0, listpack.First(lp); i < n; i++ {
		var m, sc listpack.Entry
		m, off = listpack.Next(lp, off)
		sc, off = listpack.Next(lp, off)
		nodes[i].link[0].span = len(text) // the member's start, until linked below
		text = m.AppendText(text)
		nodes[i].Score = sc.Number()
	}
	// text is never written again, so the members may share it.
	all := unsafe.String(unsafe.SliceData(text), len(text))
	for i := range nodes {
		end := len(all)
		if i+1 < n {
			end = nodes[i+1].link[0].span
		}
		nodes[i].Member = all[nodes[i].link[0].span:end]
	}
	for i := range nodes {
		v := &nodes[i]
		v.link[0] = link{}
		if i+1 < n {
			v.link[0].next = &nodes[i+1].Node
		}
		if i > 0 {
			v.prev = &nodes[i-1].Node
		}
		v.links = v.link[:]
	}
	return nodes
}

// lpFind returns member's node, or nil.
func (z *ZSet) lpFind(member []byte) *Node {
	if listpack.Find(z.list(), member, 2) < 0 {
		return nil
	}
	v := z.view()
	for i := range v {
		if v[i].Member == string(member) {
			return &v[i].Node
		}
	}
	return nil
}

// lpRankOf returns the 0-based rank of member and whether it is there.
func (z *ZSet) lpRankOf(member []byte) (int, bool) {
	var buf [80]byte
	enc := listpack.AppendString(buf[:0], member)
	lp := z.list()
	for off, rank := listpack.First(lp), 0; off < len(lp); rank++ {
		next := listpack.Skip(lp, off)
		if string(lp[off:next]) == string(enc) {
			return rank, true
		}
		off = listpack.Skip(lp, next)
	}
	return 0, false
}

// lpScore returns member's score and whether it is a member.
func (z *ZSet) lpScore(member []byte) (float64, bool) {
	lp := z.list()
	off := listpack.Find(lp, member, 2)
	if off < 0 {
		return 0, false
	}
	score, _ := listpack.Number(lp, listpack.Skip(lp, off))
	return score, true
}

// lpInsert adds member, which must be absent, with score, before the
// first element that sorts after it, and returns its offset.
func (z *ZSet) lpInsert(member []byte, score float64) int {
	lp := z.list()
	off := listpack.First(lp)
	for off < len(lp) && lpLess(lp, off, score, member) {
		off = listpack.Skip(lp, listpack.Skip(lp, off))
	}
	var buf [96]byte
	enc := listpack.AppendFloat(listpack.AppendString(buf[:0], member), score)
	z.v.SetBytes(listpack.Splice(lp, off, off, enc, 2, 0))
	return off
}

// lpLess reports whether the element at off sorts before (score, member).
// It does not allocate.
func lpLess(lp []byte, off int, score float64, member []byte) bool {
	var buf [24]byte
	m, next := listpack.Text(lp, off, buf[:0])
	s, _ := listpack.Number(lp, next)
	return s < score || s == score && string(m) < string(member)
}

// lpSetScore changes the score of member, which must be present, and
// returns the offset of its element. Found in one pass, the element keeps
// its place (its score rewritten, in place when the encoding keeps its
// size) unless the new score moves it in the order.
func (z *ZSet) lpSetScore(member []byte, score float64) int {
	lp := z.list()
	var buf [80]byte
	enc := listpack.AppendString(buf[:0], member)
	prev, off := -1, listpack.First(lp)
	for {
		next := listpack.Skip(lp, off)
		if string(lp[off:next]) == string(enc) {
			break
		}
		prev, off = off, listpack.Skip(lp, next)
	}
	scoreOff := listpack.Skip(lp, off)
	end := listpack.Skip(lp, scoreOff)
	if (prev < 0 || lpLess(lp, prev, score, member)) && (end == len(lp) || !lpLess(lp, end, score, member)) {
		var sbuf [9]byte
		z.v.SetBytes(listpack.Splice(lp, scoreOff, end, listpack.AppendFloat(sbuf[:0], score), 1, 1))
		return off
	}
	z.v.SetBytes(listpack.Splice(lp, off, end, nil, 0, 2))
	return z.lpInsert(member, score)
}

// lpNode returns an unlinked copy of the element at off.
func (z *ZSet) lpNode(off int) *Node {
	m, next := listpack.Next(z.list(), off)
	sc, _ := listpack.Next(z.list(), next)
	return &Node{Member: string(m.AppendText(nil)), Score: sc.Number()}
}

// lpDelete removes member and reports whether it was there.
func (z *ZSet) lpDelete(member []byte) bool {
	off := listpack.Find(z.list(), member, 2)
	if off < 0 {
		return false
	}
	end := listpack.Skip(z.list(), listpack.Skip(z.list(), off))
	z.v.SetBytes(listpack.Splice(z.list(), off, end, nil, 0, 2))
	return true
}

// lpRank returns the 0-based rank of n's member, which must be present:
// how many elements sort before it.
func (z *ZSet) lpRank(n *Node) int {
	rank := 0
	for off := listpack.First(z.list()); off < len(z.list()); rank++ {
		m, next := listpack.Next(z.list(), off)
		sc, after := listpack.Next(z.list(), next)
		if s := sc.Number(); s > n.Score || s == n.Score && m.Compare([]byte(n.Member)) >= 0 {
			break
		}
		off = after
	}
	return rank
}

// lpDeleteRange removes the elements from the first for which before is
// false while in holds (given an unlinked copy of the element and its
// 1-based rank), calling fn (if not nil) with each.
func (z *ZSet) lpDeleteRange(before, in func(n *Node, rank int) bool, fn func(n *Node)) int {
	start, end, removed := -1, -1, 0
	off := listpack.First(z.list())
	for rank := 1; off < len(z.list()); rank++ {
		m, next := listpack.Next(z.list(), off)
		sc, after := listpack.Next(z.list(), next)
		n := &Node{Member: string(m.AppendText(nil)), Score: sc.Number()}
		if start < 0 {
			if before(n, rank) {
				off = after
				continue
			}
			start = off
		}
		if !in(n, rank) {
			break
		}
		if fn != nil {
			fn(n)
		}
		removed++
		off = after
	}
	if start < 0 || removed == 0 {
		return 0
	}
	end = off
	z.v.SetBytes(listpack.Splice(z.list(), start, end, nil, 0, 2*removed))
	return removed
}

// lpRandom returns an unlinked copy of a uniformly random element, or nil.
func (z *ZSet) lpRandom() *Node {
	n := z.Len()
	if n == 0 {
		return nil
	}
	off := listpack.First(z.list())
	for range 2 * rand.IntN(n) {
		off = listpack.Skip(z.list(), off)
	}
	return z.lpNode(off)
}
