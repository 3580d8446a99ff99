package zset

import (
	"unsafe"

	"myredis/datastruct/listpack"
)

// ScoreRanks returns the 0-based ascending ranks of the first and the last
// member whose score is in r; first > last when there is none. It does not
// allocate.
func (z *ZSet) ScoreRanks(r ScoreRange) (first, last int) {
	if t := z.tab(); t != nil {
		return t.sl.ranksWhere(
			func(n *Node) bool { return !r.aboveMin(n.Score) },
			func(n *Node) bool { return r.belowMax(n.Score) })
	}
	lp := z.list()
	first, last = 0, -1
	for off, rank := listpack.First(lp), 0; off < len(lp); rank++ {
		var score float64
		score, off = listpack.Number(lp, listpack.Skip(lp, off))
		if !r.aboveMin(score) {
			first = rank + 1
		}
		if !r.belowMax(score) {
			break
		}
		last = rank
	}
	return first, last
}

// ranksWhere returns the 0-based ranks of the first node for which below
// is false (length if none) and of the last for which notAbove holds (-1
// if none), given that each holds for a prefix of the list.
func (sl *skipList) ranksWhere(below, notAbove func(n *Node) bool) (first, last int) {
	first, last = sl.length, -1
	if n := sl.firstWhere(below); n != nil {
		first = sl.rank(n.Member, n.Score) - 1
	}
	if n := sl.lastWhere(notAbove); n != nil {
		last = sl.rank(n.Member, n.Score) - 1
	}
	return first, last
}

// stringBytes returns the bytes of s without copying; they are read-only.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Iter lists the members of a range of ranks (see Range) without
// allocating. It is valid until its set changes.
type Iter struct {
	z            *ZSet
	next, lo, hi int // the rank of the next member; the range
	rev          bool
	node         *Node // skip list: the node of rank next
	off          int   // listpack, ascending: the offset of rank next
	base         int   // listpack, descending: the rank of offs[0]
	offs         [64]int32
	buf          [24]byte // room to format an integer member
}

// Range returns an iterator over the members of 0-based ascending ranks
// lo to hi, listed from lo up, or from hi down when rev; lo > hi is the
// empty range, and a range must otherwise lie within 0..Len()-1.
func (z *ZSet) Range(lo, hi int, rev bool) Iter {
	it := Iter{z: z, lo: lo, hi: hi, rev: rev, next: lo}
	if rev {
		it.next = hi
	}
	if lo > hi {
		return it
	}
	switch {
	case z.tab() != nil:
		it.node = z.tab().sl.byRank(it.next + 1)
	case rev:
		it.base = hi + 1 // nothing recorded yet
	default:
		it.off = z.lpOffset(lo)
	}
	return it
}

// lpOffset returns the offset of the member of rank r of a listpack set.
func (z *ZSet) lpOffset(r int) int {
	lp := z.list()
	off := listpack.First(lp)
	for range 2 * r {
		off = listpack.Skip(lp, off)
	}
	return off
}

// Next returns the next member and its score, or ok false after the
// last. member is read-only and valid until the next call or a change of
// the set.
func (it *Iter) Next() (member []byte, score float64, ok bool) {
	if it.lo > it.hi || it.next < it.lo || it.next > it.hi {
		return nil, 0, false
	}
	if it.node != nil {
		n := it.node
		if it.rev {
			it.node, it.next = n.prev, it.next-1
		} else {
			it.node, it.next = n.links[0].next, it.next+1
		}
		return stringBytes(n.Member), n.Score, true
	}
	lp := it.z.list()
	off := it.off
	if it.rev {
		if it.next < it.base {
			it.record()
		}
		off = int(it.offs[it.next-it.base])
		it.next--
	} else {
		it.next++
	}
	member, off = listpack.Text(lp, off, it.buf[:0])
	score, off = listpack.Number(lp, off)
	it.off = off
	return member, score, true
}

// record fills offs with the offsets of the members of ranks up to next,
// as many as it holds (listpack, descending).
func (it *Iter) record() {
	it.base = max(it.lo, it.next-len(it.offs)+1)
	lp := it.z.list()
	off := it.z.lpOffset(it.base)
	for i := range it.next - it.base + 1 {
		it.offs[i] = int32(off)
		off = listpack.Skip(lp, listpack.Skip(lp, off))
	}
}
