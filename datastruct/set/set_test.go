package set

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSetModel checks Set against a Go map over random operations, with
// integer and non-integer members so that sets convert at random moments.
func TestSetModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for round := range 20 {
		var s Set
		model := map[string]bool{}
		// Some rounds stay integers only, and grow past the intset limit.
		textual := round%2 == 0
		for i := range 3000 {
			var m []byte
			if textual && rng.IntN(50) == 0 {
				m = []byte("m" + strconv.Itoa(rng.IntN(100)))
			} else {
				// Mostly 16-bit members; now and then 32 or 64-bit ones
				// that widen the intset.
				n := int64(rng.IntN(800)) - 400
				if rng.IntN(300) == 0 {
					n <<= 8 + 8*rng.IntN(7)
				}
				m = strconv.AppendInt(nil, n, 10)
			}
			switch op := rng.IntN(10); {
			case op < 5:
				if got, want := s.Add(m, DefaultMaxIntset), !model[string(m)]; got != want {
					t.Fatalf("round %d op %d: Add(%s) = %v, want %v", round, i, m, got, want)
				}
				model[string(m)] = true
			case op < 7:
				if got, want := s.Remove(m), model[string(m)]; got != want {
					t.Fatalf("round %d op %d: Remove(%s) = %v, want %v", round, i, m, got, want)
				}
				delete(model, string(m))
			case op < 9:
				if got, want := s.Contains(m), model[string(m)]; got != want {
					t.Fatalf("round %d op %d: Contains(%s) = %v, want %v", round, i, m, got, want)
				}
			default:
				if p := s.Pop(nil); p != nil {
					if !model[string(p)] {
						t.Fatalf("round %d op %d: Pop returned %s, not a member", round, i, p)
					}
					delete(model, string(p))
				} else if len(model) != 0 {
					t.Fatalf("round %d op %d: Pop of a non-empty set returned nil", round, i)
				}
			}
			if s.Len() != len(model) {
				t.Fatalf("round %d op %d: Len = %d, want %d", round, i, s.Len(), len(model))
			}
		}
		checkMembers(t, &s, model)
		c := s.Clone()
		if c.IsIntset() != s.IsIntset() {
			t.Fatalf("round %d: clone changed the encoding", round)
		}
		checkMembers(t, &c, model)
		c.Add([]byte("only-in-clone"), DefaultMaxIntset)
		if s.Contains([]byte("only-in-clone")) {
			t.Fatalf("round %d: clone shares storage", round)
		}
	}
}

// checkMembers checks that ForEach and a full Scan both see exactly model,
// and that an intset iterates in increasing order.
func checkMembers(t *testing.T, s *Set, model map[string]bool) {
	t.Helper()
	var each []string
	s.ForEach(func(m []byte) bool { each = append(each, string(m)); return true })
	if s.IsIntset() && !slices.IsSortedFunc(each, func(a, b string) int {
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		return int(x - y)
	}) {
		t.Errorf("intset not in order: %v", each)
	}
	scanned := map[string]bool{}
	for cursor := uint64(0); ; {
		cursor = s.Scan(cursor, 5, func(m []byte) { scanned[string(m)] = true })
		if cursor == 0 {
			break
		}
	}
	if len(each) != len(model) || len(scanned) != len(model) {
		t.Fatalf("ForEach saw %d, Scan %d, want %d members", len(each), len(scanned), len(model))
	}
	for _, m := range each {
		if !model[m] || !scanned[m] {
			t.Fatalf("member %s: in model %v, scanned %v", m, model[m], scanned[m])
		}
	}
}

func TestEncoding(t *testing.T) {
	var s Set
	for i := range DefaultMaxIntset {
		s.Add(strconv.AppendInt(nil, int64(i), 10), DefaultMaxIntset)
	}
	if !s.IsIntset() {
		t.Fatalf("%d integers: not an intset", DefaultMaxIntset)
	}
	s.Add([]byte("100000"), DefaultMaxIntset)
	if s.IsIntset() {
		t.Fatalf("%d integers: still an intset", DefaultMaxIntset+1)
	}
	s.Remove([]byte("100000"))
	if s.IsIntset() {
		t.Fatal("a hash table set went back to an intset")
	}
	for _, m := range []string{"01", "-0", "+1", " 1", "1 ", "", "9223372036854775808", "1.0", "abc"} {
		var s Set
		s.Add([]byte(m), DefaultMaxIntset)
		if s.IsIntset() {
			t.Errorf("member %q kept an intset", m)
		}
		if !s.Contains([]byte(m)) {
			t.Errorf("member %q lost", m)
		}
	}
	for _, n := range []int64{0, -1, math.MaxInt64, math.MinInt64} {
		var s Set
		m := strconv.AppendInt(nil, n, 10)
		s.Add(m, DefaultMaxIntset)
		if !s.IsIntset() || !s.Contains(m) || s.Contains([]byte("x")) {
			t.Errorf("member %d: intset %v, contains %v", n, s.IsIntset(), s.Contains(m))
		}
	}
}

func TestRandomAndMemory(t *testing.T) {
	var s Set
	if s.Random(nil) != nil || s.Pop(nil) != nil {
		t.Fatal("empty set returned a member")
	}
	small := s.MemoryUsage(5)
	for i := range 100 {
		s.Add([]byte("member"+strconv.Itoa(i)), DefaultMaxIntset)
	}
	if got := s.MemoryUsage(math.MaxInt); got <= small {
		t.Errorf("MemoryUsage of 100 members = %d, not above the empty %d", got, small)
	}
	if m := s.Random(nil); !s.Contains(m) {
		t.Errorf("Random returned %s, not a member", m)
	}
}

func BenchmarkAddContains(b *testing.B) {
	var s Set
	m := []byte("element:000000001234")
	for b.Loop() {
		s.Add(m, DefaultMaxIntset)
		s.Contains(m)
	}
}

// TestPopEmptyMember pops the empty member, which is a member like any
// other: Random and Pop return nil only for an empty set.
func TestPopEmptyMember(t *testing.T) {
	var s Set
	require.True(t, s.Add([]byte(""), DefaultMaxIntset))
	require.False(t, s.IsIntset())
	m := s.Random(nil)
	require.NotNil(t, m)
	require.Empty(t, m)
	m = s.Pop(nil)
	require.NotNil(t, m)
	require.Empty(t, m)
	require.Equal(t, 0, s.Len())
	require.Nil(t, s.Pop(nil))
}

// TestIntsetWidths checks that an intset widens to fit its widest member,
// never narrows, and keeps its order across the widths.
func TestIntsetWidths(t *testing.T) {
	var is intset
	add := func(n int64) {
		i, found := is.search(n)
		require.False(t, found)
		is = is.insert(i, n)
	}
	add(5)
	add(-3)
	require.Equal(t, 1, is.width())
	require.Len(t, []byte(is), 3)
	add(math.MaxInt8 + 1)
	require.Equal(t, 2, is.width())
	require.Len(t, []byte(is), 7)
	add(math.MaxInt16 + 1)
	require.Equal(t, 4, is.width())
	add(math.MinInt64)
	require.Equal(t, 8, is.width())
	add(math.MaxInt64)
	want := []int64{math.MinInt64, -3, 5, math.MaxInt8 + 1, math.MaxInt16 + 1, math.MaxInt64}
	for i, n := range want {
		require.Equal(t, n, is.at(i))
		j, found := is.search(n)
		require.True(t, found)
		require.Equal(t, i, j)
	}
	for range want[1:] {
		is = is.delete(0)
	}
	require.Equal(t, 8, is.width(), "an intset never narrows")
	require.Equal(t, int64(math.MaxInt64), is.at(0))
	require.Nil(t, is.delete(0))
}

// TestReserve checks that adding the members Reserve made room for does
// not reallocate the intset, and that it reserves nothing for members that
// will convert the set.
func TestReserve(t *testing.T) {
	var s Set
	var members [][]byte
	for i := range 10 {
		members = append(members, strconv.AppendInt(nil, int64(i*7), 10))
	}
	s.Reserve(members, DefaultMaxIntset)
	reserved := cap(s.ints())
	require.GreaterOrEqual(t, reserved, 1+10*1)
	for _, m := range members {
		s.Add(m, DefaultMaxIntset)
		require.Equal(t, reserved, cap(s.ints()))
	}
	// Into an empty set, members of any width go without reallocating.
	var wide Set
	wideMembers := [][]byte{[]byte("1000"), []byte("-70000"), []byte("5")}
	wide.Reserve(wideMembers, DefaultMaxIntset)
	wideCap := cap(wide.ints())
	require.GreaterOrEqual(t, wideCap, 1+3*4)
	for _, m := range wideMembers {
		wide.Add(m, DefaultMaxIntset)
		require.Equal(t, wideCap, cap(wide.ints()))
	}
	require.Equal(t, 3, wide.Len())
	s.Reserve([][]byte{[]byte("1000"), []byte("a")}, DefaultMaxIntset)
	require.Equal(t, reserved, cap(s.ints()))
	s.Reserve([][]byte{[]byte("1000"), []byte("1001")}, 11)
	require.Equal(t, reserved, cap(s.ints()))
}
