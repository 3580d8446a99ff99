package zset

import "myredis/datastruct/listpack"

// Lex ranges assume that all scores are equal, so that the members are in
// lex order. When they are not, these methods find what Redis finds, by
// the same steps: a range holds something only when the set's first member
// is at most its max and its last at least its min; the listing starts at
// the first member at least the min, if that is at most the max (or
// descending, at the last at most the max, if that is at least the min);
// a LIMIT offset skips members without looking at them; the listing then
// goes on while members are at most the max (descending: at least the
// min). In the skip-list encoding "the first member at least the min" is
// where a descent of the list stops, which, when more than one member
// follows one below the min, depends on the list's random levels (as in
// Redis, whose answer is then its own chance).

// inLexRange reports whether r can hold members of z: whether it is not
// empty, z's first member is at most its max and z's last at least its
// min (Redis's zslIsInLexRange and zzlIsInLexRange).
func (z *ZSet) inLexRange(r *LexRange) bool {
	n := z.Len()
	if r.Empty() || n == 0 {
		return false
	}
	first, last := z.Range(0, 0, false), z.Range(n-1, n-1, false)
	m, _, _ := first.Next()
	if !r.belowMax(m) {
		return false
	}
	m, _, _ = last.Next()
	return r.aboveMin(m)
}

// lexStart returns the rank at which Redis starts listing r: ascending,
// the first member at least r's min, descending the last at most its max;
// ok is false when there is none, or it is out of r.
func (z *ZSet) lexStart(r *LexRange, rev bool) (rank int, ok bool) {
	if !z.inLexRange(r) {
		return 0, false
	}
	if t := z.tab(); t != nil {
		var n *Node
		if rev {
			n = t.sl.lastWhere(func(n *Node) bool { return r.belowMax(stringBytes(n.Member)) })
			ok = r.aboveMin(stringBytes(n.Member))
		} else {
			n = t.sl.firstWhere(func(n *Node) bool { return !r.aboveMin(stringBytes(n.Member)) })
			ok = r.belowMax(stringBytes(n.Member))
		}
		return t.sl.rank(n.Member, n.Score) - 1, ok
	}
	lp := z.list()
	var buf [24]byte
	rank = -1
	for off, i := listpack.First(lp), 0; off < len(lp); i++ {
		var m []byte
		m, off = listpack.Text(lp, off, buf[:0])
		off = listpack.Skip(lp, off)
		switch {
		case rev && r.belowMax(m):
			rank, ok = i, r.aboveMin(m)
		case !rev && r.aboveMin(m):
			return i, r.belowMax(m)
		}
	}
	return rank, ok
}

// lexRun returns how many members, from rank start (within range) up, or
// down when rev, stay at most r's max (at least its min when rev), up to
// count (no limit when count is negative).
func (z *ZSet) lexRun(r *LexRange, start int, rev bool, count int) int {
	it := z.Range(start, z.Len()-1, false)
	if rev {
		it = z.Range(0, start, true)
	}
	n := 0
	for ; n != count; n++ {
		m, _, ok := it.Next()
		if !ok || !rev && !r.belowMax(m) || rev && !r.aboveMin(m) {
			break
		}
	}
	return n
}

// LexRanks returns the 0-based ascending ranks of the first and the last
// member Redis lists for r with LIMIT offset count (count negative: no
// limit), listed from last down when rev; first > last when there is
// none. See the top of this file for what it finds when scores differ. It
// does not allocate.
func (z *ZSet) LexRanks(r LexRange, rev bool, offset, count int) (first, last int) {
	start, ok := z.lexStart(&r, rev)
	if !ok || offset < 0 || offset >= z.Len() {
		return 0, -1
	}
	if rev {
		start -= offset
	} else {
		start += offset
	}
	if start < 0 || start >= z.Len() {
		return 0, -1
	}
	n := z.lexRun(&r, start, rev, count)
	if rev {
		return start - n + 1, start
	}
	return start, start + n - 1
}

// LexCount returns ZLEXCOUNT's count of r. A listpack set counts the
// members LexRanks lists; a skip-list set, as Redis's, subtracts the
// ascending start's rank from the descending start's (the rank past the
// last when there is none): equal when scores are equal, and when they
// differ possibly negative, which Redis replies as it is. It does not
// allocate.
func (z *ZSet) LexCount(r LexRange) int {
	first, ok := z.lexStart(&r, false)
	if !ok {
		return 0
	}
	if z.tab() == nil {
		return z.lexRun(&r, first, false, -1)
	}
	last, ok := z.lexStart(&r, true)
	if !ok {
		last = z.Len() - 1
	}
	return last - first + 1
}
