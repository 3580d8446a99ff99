// Package zset implements sorted sets in Redis's two encodings: while
// small, a listpack of members and scores in order (one byte slice); after
// that, a skiplist with spans, ordered by (score, member), beside a
// member→node hash map, so lookups by member are O(1) and rank, range and
// positional operations are O(log n).
package zset

import (
	"math/bits"
	"math/rand/v2"
)

// maxLevel bounds a node's height; with a branching factor of 4 it serves
// far more elements than fit in memory.
const maxLevel = 32

// A Node is one element of a sorted set. Member and Score are read-only for
// callers; a Node stays valid until its member is removed or its score
// changed (UpdateScore may return a different node).
type Node struct {
	Member string
	Score  float64
	prev   *Node
	links  []link // links[i] is the forward pointer at level i
}

// link is a forward pointer and how many level-0 steps it skips.
type link struct {
	next *Node
	span int
}

// Next returns the node after n in ascending order, or nil.
func (n *Node) Next() *Node {
	if n.links == nil { // an unlinked copy from a listpack set
		return nil
	}
	return n.links[0].next
}

// Prev returns the node before n in ascending order, or nil.
func (n *Node) Prev() *Node { return n.prev }

// less reports whether n sorts before (score, member).
func (n *Node) less(score float64, member string) bool {
	return n.Score < score || n.Score == score && n.Member < member
}

// skipList is the ordered half of a ZSet. Ranks are 1-based inside it.
type skipList struct {
	head   Node
	tail   *Node
	length int
	level  int
}

func (sl *skipList) init() {
	sl.head.links = make([]link, maxLevel)
	sl.level = 1
}

// randomLevel returns a height with P(level > k) = 4^-k.
func randomLevel() int {
	return min(1+bits.TrailingZeros64(rand.Uint64()|1<<62)/2, maxLevel)
}

// insert adds a node for (member, score), which must not be present.
func (sl *skipList) insert(member string, score float64) *Node {
	var update [maxLevel]*Node
	var rank [maxLevel]int
	x := &sl.head
	for i := sl.level - 1; i >= 0; i-- {
		if i < sl.level-1 {
			rank[i] = rank[i+1]
		}
		for y := x.links[i].next; y != nil && y.less(score, member); y = x.links[i].next {
			rank[i] += x.links[i].span
			x = y
		}
		update[i] = x
	}
	level := randomLevel()
	for i := sl.level; i < level; i++ {
		update[i] = &sl.head
		update[i].links[i].span = sl.length
	}
	sl.level = max(sl.level, level)
	n := &Node{Member: member, Score: score, links: make([]link, level)}
	for i := 0; i < level; i++ {
		n.links[i].next = update[i].links[i].next
		update[i].links[i].next = n
		// update[i] was rank[i] steps in; n lands rank[0]+1 steps in.
		n.links[i].span = update[i].links[i].span - (rank[0] - rank[i])
		update[i].links[i].span = rank[0] - rank[i] + 1
	}
	for i := level; i < sl.level; i++ {
		update[i].links[i].span++
	}
	if update[0] != &sl.head {
		n.prev = update[0]
	}
	if n.links[0].next != nil {
		n.links[0].next.prev = n
	} else {
		sl.tail = n
	}
	sl.length++
	return n
}

// unlink removes x, given update[i], the last node before x at each level.
func (sl *skipList) unlink(x *Node, update *[maxLevel]*Node) {
	for i := 0; i < sl.level; i++ {
		if update[i].links[i].next == x {
			update[i].links[i].span += x.links[i].span - 1
			update[i].links[i].next = x.links[i].next
		} else {
			update[i].links[i].span--
		}
	}
	if next := x.links[0].next; next != nil {
		next.prev = x.prev
	} else {
		sl.tail = x.prev
	}
	for sl.level > 1 && sl.head.links[sl.level-1].next == nil {
		sl.level--
	}
	sl.length--
}

// seek fills update with the last node at each level for which before
// (given the node and its rank) holds, and returns the rank of update[0].
func (sl *skipList) seek(update *[maxLevel]*Node, before func(n *Node, rank int) bool) int {
	x := &sl.head
	rank := 0
	for i := sl.level - 1; i >= 0; i-- {
		for y := x.links[i].next; y != nil && before(y, rank+x.links[i].span); y = x.links[i].next {
			rank += x.links[i].span
			x = y
		}
		update[i] = x
	}
	return rank
}

// delete removes the node for (member, score) and reports whether it was there.
func (sl *skipList) delete(member string, score float64) bool {
	var update [maxLevel]*Node
	sl.seek(&update, func(n *Node, _ int) bool { return n.less(score, member) })
	x := update[0].links[0].next
	if x == nil || x.Score != score || x.Member != member {
		return false
	}
	sl.unlink(x, &update)
	return true
}

// deleteRange removes the nodes from the first for which before is false
// while in holds (both given the node and its rank before any removal),
// calling fn with each removed node, and returns how many it removed.
func (sl *skipList) deleteRange(before, in func(n *Node, rank int) bool, fn func(n *Node)) int {
	var update [maxLevel]*Node
	rank := sl.seek(&update, before) + 1
	removed := 0
	for x := update[0].links[0].next; x != nil && in(x, rank); rank++ {
		next := x.links[0].next
		sl.unlink(x, &update)
		fn(x)
		removed++
		x = next
	}
	return removed
}

// rank returns the 1-based rank of the node for (member, score), which must
// be present.
func (sl *skipList) rank(member string, score float64) int {
	x := &sl.head
	rank := 0
	for i := sl.level - 1; i >= 0; i-- {
		for y := x.links[i].next; y != nil && (y.less(score, member) || y.Member == member && y.Score == score); y = x.links[i].next {
			rank += x.links[i].span
			x = y
		}
		if x.Member == member && x != &sl.head {
			return rank
		}
	}
	panic("zset: rank of a missing member")
}

// byRank returns the node at 1-based rank r, or nil if out of range.
func (sl *skipList) byRank(r int) *Node {
	if r < 1 || r > sl.length {
		return nil
	}
	x := &sl.head
	traversed := 0
	for i := sl.level - 1; i >= 0; i-- {
		for x.links[i].next != nil && traversed+x.links[i].span <= r {
			traversed += x.links[i].span
			x = x.links[i].next
		}
		if traversed == r {
			return x
		}
	}
	return nil
}

// firstWhere returns the first node for which below is false, given that
// below holds for a prefix of the list, or nil.
func (sl *skipList) firstWhere(below func(n *Node) bool) *Node {
	x := &sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for y := x.links[i].next; y != nil && below(y); y = x.links[i].next {
			x = y
		}
	}
	return x.links[0].next
}

// lastWhere returns the last node for which notAbove holds, given that it
// holds for a prefix of the list, or nil.
func (sl *skipList) lastWhere(notAbove func(n *Node) bool) *Node {
	x := &sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for y := x.links[i].next; y != nil && notAbove(y); y = x.links[i].next {
			x = y
		}
	}
	if x == &sl.head {
		return nil
	}
	return x
}
