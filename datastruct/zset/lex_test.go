package zset

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// lexModel is Redis's listing of a lex range with LIMIT offset count over
// members ms in the set's order, step by step (genericZrangebylexCommand
// over a listpack): the start, the offset skipped unchecked, then members
// while in range.
func lexModel(ms []string, r LexRange, rev bool, offset, count int) []string {
	start, ok := lexModelStart(ms, r, rev)
	if !ok {
		return nil
	}
	step := 1
	if rev {
		step = -1
	}
	i := start
	for ; offset != 0 && i >= 0 && i < len(ms); offset-- {
		i += step
	}
	var out []string
	for ; count != 0 && i >= 0 && i < len(ms); count, i = count-1, i+step {
		if !rev && !r.belowMax([]byte(ms[i])) || rev && !r.aboveMin([]byte(ms[i])) {
			break
		}
		out = append(out, ms[i])
	}
	return out
}

// lexModelStart is zzlFirstInLexRange (zzlLastInLexRange when rev) over ms.
func lexModelStart(ms []string, r LexRange, rev bool) (int, bool) {
	n := len(ms)
	if r.Empty() || n == 0 || !r.belowMax([]byte(ms[0])) || !r.aboveMin([]byte(ms[n-1])) {
		return 0, false
	}
	if rev {
		for i := n - 1; i >= 0; i-- {
			if r.belowMax([]byte(ms[i])) {
				return i, r.aboveMin([]byte(ms[i]))
			}
		}
		return 0, false
	}
	for i, m := range ms {
		if r.aboveMin([]byte(m)) {
			return i, r.belowMax([]byte(m))
		}
	}
	return 0, false
}

// monotone reports whether f over ms changes value at most once, from
// first on: then a skip list's descent finds the same node whatever its
// levels, and the model holds for the skip-list encoding too.
func monotone(ms []string, first bool, f func(m []byte) bool) bool {
	changed := false
	for _, m := range ms {
		if f([]byte(m)) != first {
			changed = true
		} else if changed {
			return false
		}
	}
	return true
}

// members lists z's members in order.
func members(z *ZSet) []string {
	var out []string
	for n := z.First(); n != nil; n = n.Next() {
		out = append(out, n.Member)
	}
	return out
}

// listRanks lists the members of ranks first..last, from last down when
// rev.
func listRanks(z *ZSet, first, last int, rev bool) []string {
	var out []string
	for it := z.Range(first, last, rev); ; {
		m, _, ok := it.Next()
		if !ok {
			return out
		}
		out = append(out, string(m))
	}
}

// TestLexDifferingScores checks lex ranges with LIMIT, ZLEXCOUNT's count
// and lex deletion over sets whose scores differ, so that lex order is not
// the set's order, against lexModel: always for a listpack, and for a
// skip list when its descent is determined (see monotone).
func TestLexDifferingScores(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	letter := func() string { return string(rune('a' + rng.IntN(8))) }
	bound := func() LexBound {
		switch rng.IntN(8) {
		case 0:
			return LexBound{Inf: -1}
		case 1:
			return LexBound{Inf: 1}
		}
		return LexBound{S: letter(), Ex: rng.IntN(3) == 0}
	}
	for round := 0; round < 3000; round++ {
		z := &ZSet{}
		if round%2 == 1 {
			z = New()
		}
		for range rng.IntN(10) {
			if m := []byte(letter()); z.Find(m) == nil {
				z.Insert(m, float64(rng.IntN(5)))
			}
		}
		ms := members(z)
		r := LexRange{Min: bound(), Max: bound()}
		fwdFixed := z.IsListpack() || monotone(ms, false, r.aboveMin)
		revFixed := z.IsListpack() || monotone(ms, true, r.belowMax)
		offset, count := rng.IntN(6)-1, rng.IntN(6)-1
		for _, rev := range []bool{false, true} {
			if rev && !revFixed || !rev && !fwdFixed {
				continue
			}
			first, last := z.LexRanks(r, rev, offset, count)
			want := lexModel(ms, r, rev, offset, count)
			require.Equal(t, want, listRanks(z, first, last, rev),
				"%v: %+v rev %v LIMIT %d %d", ms, r, rev, offset, count)
		}
		if fwdFixed && revFixed {
			require.Equal(t, len(lexModel(ms, r, false, 0, -1)), z.LexCount(r), "%v: LexCount %+v", ms, r)
		}
		if !fwdFixed {
			continue
		}
		// Deleting: a listpack checks the ends first, a skip list does not.
		want := lexModel(ms, r, false, 0, -1)
		if !z.IsListpack() {
			want = nil
			if i := slices.IndexFunc(ms, func(m string) bool { return r.aboveMin([]byte(m)) }); i >= 0 {
				want = lexModel(ms[i:], LexRange{Min: LexBound{Inf: -1}, Max: r.Max}, false, 0, -1)
			}
		}
		var got []string
		z.DeleteRangeByLex(r, func(n *Node) { got = append(got, n.Member) })
		require.Equal(t, want, got, "%v: DeleteRangeByLex %+v", ms, r)
		require.Equal(t, len(ms)-len(want), z.Len())
	}
}

// TestLexLimitExamples pins the cases the Redis 7.0.15 server answers
// (tests/cases/zsets_corners.yaml checks them against it), in both
// encodings: a LIMIT offset skips members out of the range, and the
// listing then resumes from a member in it.
func TestLexLimitExamples(t *testing.T) {
	lex := func(min, max string) LexRange {
		b := func(s string) LexBound { return LexBound{S: s[1:], Ex: s[0] == '('} }
		return LexRange{Min: b(min), Max: b(max)}
	}
	tests := []struct {
		name          string
		set           string // members in order, of scores 1, 2, ...
		r             LexRange
		rev           bool
		offset, count int
		want          string
	}{
		{"ascending, no offset", "a d b c e", lex("[a", "[c"), false, 0, -1, "a"},
		{"ascending, offset onto out of range", "a d b c e", lex("[a", "[c"), false, 1, -1, ""},
		{"ascending, offset past out of range", "a d b c e", lex("[a", "[c"), false, 2, -1, "b c"},
		{"ascending, offset and count", "a d b c e", lex("[a", "[c"), false, 2, 1, "b"},
		{"ascending, offset to the last in range", "a d b c e", lex("[a", "[c"), false, 3, 5, "c"},
		{"ascending, offset past the end", "a d b c e", lex("[a", "[c"), false, 5, 5, ""},
		{"descending, no offset", "b a c", lex("[b", "[c"), true, 0, -1, "c"},
		{"descending, offset onto out of range", "b a c", lex("[b", "[c"), true, 1, -1, ""},
		{"descending, offset past out of range", "b a c", lex("[b", "[c"), true, 2, -1, "b"},
		{"descending, offset past the start", "b a c", lex("[b", "[c"), true, 3, -1, ""},
	}
	for _, tt := range tests {
		for name, newSet := range encodings() {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				z := newSet()
				for i, m := range strings.Fields(tt.set) {
					z.Insert([]byte(m), float64(i+1))
				}
				first, last := z.LexRanks(tt.r, tt.rev, tt.offset, tt.count)
				require.Equal(t, tt.want, strings.Join(listRanks(z, first, last, tt.rev), " "))
			})
		}
	}
}

// TestDeleteRangeByLexEnds checks that a listpack, as Redis's, deletes
// nothing from a lex range its last member is below, though a member
// before it is in the range.
func TestDeleteRangeByLexEnds(t *testing.T) {
	z := &ZSet{}
	z.Insert([]byte("c"), 1)
	z.Insert([]byte("a"), 2)
	r := LexRange{Min: LexBound{S: "b"}, Max: LexBound{S: "d"}}
	require.Zero(t, z.LexCount(r))
	require.Zero(t, z.DeleteRangeByLex(r, nil))
	require.Equal(t, 2, z.Len())
}
