package zset

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pair is one element of the model: a sorted slice of pairs.
type pair struct {
	member string
	score  float64
}

func comparePairs(a, b pair) int {
	if c := cmp.Compare(a.score, b.score); c != 0 {
		return c
	}
	return cmp.Compare(a.member, b.member)
}

// encodings returns an empty set of each encoding, by name.
func encodings() map[string]func() *ZSet {
	return map[string]func() *ZSet{"skiplist": New, "listpack": func() *ZSet { return &ZSet{} }}
}

// TestModel runs random operations on a ZSet of each encoding and on a
// sorted slice and checks they agree on contents, ranks and ranges.
func TestModel(t *testing.T) {
	for name, newSet := range encodings() {
		t.Run(name, func(t *testing.T) { testModel(t, newSet()) })
	}
}

func testModel(t *testing.T, z *ZSet) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	listpack := z.IsListpack()
	var model []pair
	find := func(m string) int {
		return slices.IndexFunc(model, func(p pair) bool { return p.member == m })
	}
	for step := 0; step < 20000; step++ {
		m := fmt.Sprint(rng.IntN(300))
		score := float64(rng.IntN(20))
		switch op := rng.IntN(10); {
		case op < 5: // add or update
			if i := find(m); i >= 0 {
				model = slices.Delete(model, i, i+1)
				if rng.IntN(2) == 0 {
					z.UpdateScore(z.Find([]byte(m)), score)
				} else {
					z.SetScore([]byte(m), score)
				}
			} else {
				z.Insert([]byte(m), score)
			}
			model = append(model, pair{m, score})
			slices.SortFunc(model, comparePairs)
		case op < 7:
			i := find(m)
			if got := z.Delete([]byte(m)); got != (i >= 0) {
				t.Fatalf("step %d: Delete(%s) = %v", step, m, got)
			}
			if i >= 0 {
				model = slices.Delete(model, i, i+1)
			}
		case op < 8: // delete a score range
			r := ScoreRange{Min: score, Max: score + float64(rng.IntN(3)), MinEx: rng.IntN(2) == 0, MaxEx: rng.IntN(2) == 0}
			n := z.DeleteRangeByScore(r, nil)
			before := len(model)
			model = slices.DeleteFunc(model, func(p pair) bool { return r.aboveMin(p.score) && r.belowMax(p.score) })
			if n != before-len(model) {
				t.Fatalf("step %d: DeleteRangeByScore %+v removed %d, want %d", step, r, n, before-len(model))
			}
		case op < 9 && len(model) > 0: // delete a rank range
			start := rng.IntN(len(model))
			end := min(start+rng.IntN(4), len(model)-1)
			if n := z.DeleteRangeByRank(start, end, nil); n != end-start+1 {
				t.Fatalf("step %d: DeleteRangeByRank(%d,%d) = %d", step, start, end, n)
			}
			model = slices.Delete(model, start, end+1)
		default:
			checkRanges(t, step, z, model, score, m)
		}
		if z.Len() != len(model) {
			t.Fatalf("step %d: Len %d, want %d", step, z.Len(), len(model))
		}
		if z.IsListpack() != listpack {
			t.Fatalf("step %d: the encoding changed", step)
		}
	}
	checkRanges(t, -1, z, model, 5, "5")
	c := z.Copy()
	c.Convert()
	checkRanges(t, -1, c, model, 5, "5")
	c.Compact()
	checkRanges(t, -1, c, model, 5, "5")
}

// checkRanges compares order, ranks and range lookups with the model.
func checkRanges(t *testing.T, step int, z *ZSet, model []pair, score float64, member string) {
	t.Helper()
	i := 0
	for n := z.First(); n != nil; n = n.Next() {
		if i >= len(model) || n.Member != model[i].member || n.Score != model[i].score {
			t.Fatalf("step %d: element %d is %s/%v, model %v", step, i, n.Member, n.Score, model)
		}
		if r := z.Rank(n); r != i {
			t.Fatalf("step %d: Rank(%s) = %d, want %d", step, n.Member, r, i)
		}
		if r, ok := z.RankOf([]byte(n.Member)); !ok || r != i {
			t.Fatalf("step %d: RankOf(%s) = %d %v, want %d", step, n.Member, r, ok, i)
		}
		if b := z.ByRank(i); b == nil || b.Member != n.Member {
			t.Fatalf("step %d: ByRank(%d) wrong", step, i)
		}
		if f := z.Find([]byte(n.Member)); f == nil || f.Member != n.Member || f.Score != n.Score {
			t.Fatalf("step %d: Find(%s) wrong", step, n.Member)
		}
		if sc, ok := z.Score([]byte(n.Member)); !ok || sc != n.Score {
			t.Fatalf("step %d: Score(%s) = %v %v", step, n.Member, sc, ok)
		}
		i++
	}
	if i != len(model) || z.ByRank(i) != nil {
		t.Fatalf("step %d: %d elements, model %d", step, i, len(model))
	}
	if l := z.Last(); len(model) > 0 && (l == nil || l.Member != model[len(model)-1].member) {
		t.Fatalf("step %d: Last wrong", step)
	}
	checkRange(t, z, model, 0, len(model)-1)
	for _, r := range []ScoreRange{{Min: score, Max: score + 2}, {Min: score, Max: score + 2, MinEx: true, MaxEx: true}, {Min: score + 1, Max: score}} {
		first, last := len(model), -1
		for j, p := range model {
			if r.aboveMin(p.score) && r.belowMax(p.score) {
				first, last = min(first, j), j
			}
		}
		if f, l := z.ScoreRanks(r); f <= l || first <= last {
			require.Equal(t, [2]int{first, last}, [2]int{f, l}, "step %d: ScoreRanks %+v", step, r)
		}
		checkRange(t, z, model, first, last)
	}
}

// checkRange checks Range over lo..hi, both ways, against the model.
func checkRange(t *testing.T, z *ZSet, model []pair, lo, hi int) {
	t.Helper()
	for _, rev := range []bool{false, true} {
		var got, want []pair
		for it := z.Range(lo, hi, rev); ; {
			m, sc, ok := it.Next()
			if !ok {
				break
			}
			got = append(got, pair{string(m), sc})
		}
		for j := lo; j <= hi; j++ {
			want = append(want, model[j])
		}
		if rev {
			slices.Reverse(want)
		}
		require.Equal(t, want, got, "Range(%d, %d, %v)", lo, hi, rev)
	}
}

// TestLex checks lex ranges and lex deletion on equal scores against a
// sorted slice of members.
func TestLex(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for round := 0; round < 200; round++ {
		z := New()
		if round%2 == 0 {
			z = &ZSet{}
		}
		var model []string
		for i := 0; i < 50; i++ {
			m := string(rune('a' + rng.IntN(26)))
			if z.Find([]byte(m)) == nil {
				z.Insert([]byte(m), 0)
				model = append(model, m)
			}
		}
		slices.Sort(model)
		bound := func() LexBound {
			switch rng.IntN(6) {
			case 0:
				return LexBound{Inf: -1}
			case 1:
				return LexBound{Inf: 1}
			}
			return LexBound{S: string(rune('a' + rng.IntN(26))), Ex: rng.IntN(2) == 0}
		}
		r := LexRange{Min: bound(), Max: bound()}
		var want []string
		for _, m := range model {
			if r.aboveMin([]byte(m)) && r.belowMax([]byte(m)) {
				want = append(want, m)
			}
		}
		var got []string
		first, last := z.LexRanks(r, false, 0, -1)
		for it := z.Range(first, last, false); ; {
			m, _, ok := it.Next()
			if !ok {
				break
			}
			got = append(got, string(m))
		}
		if !slices.Equal(got, want) || r.Empty() && len(want) > 0 {
			t.Fatalf("range %+v: got %v want %v", r, got, want)
		}
		if n := z.DeleteRangeByLex(r, nil); n != len(want) || z.Len() != len(model)-len(want) {
			t.Fatalf("range %+v: deleted %d want %d", r, n, len(want))
		}
	}
}

func TestCopyAndScan(t *testing.T) {
	for name, newSet := range encodings() {
		t.Run(name, func(t *testing.T) { testCopyAndScan(t, newSet()) })
	}
}

func testCopyAndScan(t *testing.T, z *ZSet) {
	for i := 0; i < 100; i++ {
		z.Insert([]byte(fmt.Sprint(i)), float64(i%7))
	}
	c := z.Copy()
	z.Delete([]byte("5"))
	if c.Len() != 100 || c.Find([]byte("5")) == nil {
		t.Fatal("copy shares state")
	}
	seen := map[string]bool{}
	var cursor uint64
	for {
		cursor = c.Scan(cursor, 10, func(n *Node) { seen[n.Member] = true })
		if cursor == 0 {
			break
		}
	}
	if len(seen) != 100 || c.Random() == nil || New().Random() != nil {
		t.Fatalf("scan saw %d members", len(seen))
	}
}

// TestListpackEncoding checks what the listpack encoding adds: -0 kept as
// 0, members that are integers ordered as text, unlinked copies from
// UpdateScore and Random, and Convert/Compact keeping the order.
func TestListpackEncoding(t *testing.T) {
	z := &ZSet{}
	z.Insert([]byte("a"), math.Copysign(0, -1))
	z.Insert([]byte("b"), 1.5)
	z.Insert([]byte("12"), 1.5)
	z.Insert([]byte("9"), 1.5)
	require.True(t, z.IsListpack())
	sc, ok := z.Score([]byte("a"))
	require.True(t, ok)
	require.False(t, math.Signbit(sc), "-0 reads back as 0")
	var order []string
	for n := z.First(); n != nil; n = n.Next() {
		order = append(order, n.Member)
	}
	require.Equal(t, []string{"a", "12", "9", "b"}, order)
	require.Equal(t, "9", z.Last().Prev().Member)

	n := z.UpdateScore(z.Find([]byte("a")), 2)
	require.Equal(t, 2.0, n.Score)
	require.Nil(t, n.Next())
	require.Nil(t, z.Random().Next())
	require.Equal(t, 3, z.Rank(z.Find([]byte("a"))))

	z.Convert()
	require.False(t, z.IsListpack())
	require.Equal(t, "12", z.First().Member)
	z.Compact()
	require.True(t, z.IsListpack())
	require.Equal(t, "a", z.Last().Member)
	require.Equal(t, 4, z.Len())
}
