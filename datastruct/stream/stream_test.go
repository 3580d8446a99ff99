package stream

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// entry is one element of the model: a sorted slice of entries.
type entry struct {
	id ID
	fv []string
}

func toStrings(fv [][]byte) []string {
	out := make([]string, len(fv))
	for i, b := range fv {
		out[i] = string(b)
	}
	return out
}

func toBytes(fv []string) [][]byte {
	out := make([][]byte, len(fv))
	for i, s := range fv {
		out[i] = []byte(s)
	}
	return out
}

func collect(s *Stream, start, end ID, rev bool, limit int) []entry {
	out := []entry{}
	s.Range(start, end, rev, func(id ID, fv [][]byte) bool {
		out = append(out, entry{id, toStrings(fv)})
		return len(out) < limit
	})
	return out
}

// modelRange is Range on the model.
func modelRange(model []entry, start, end ID, rev bool, limit int) []entry {
	out := []entry{}
	for _, e := range model {
		if !e.id.Less(start) && !end.Less(e.id) {
			out = append(out, e)
		}
	}
	if rev {
		slices.Reverse(out)
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// TestModel runs random adds, deletes, trims and range reads on a Stream
// and on a sorted slice of entries, and checks they agree.
func TestModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	s := New()
	lim := []NodeLimits{DefaultNodeLimits, {MaxEntries: 5}, {MaxBytes: 200}, {MaxEntries: 3, MaxBytes: 100}}[rng.IntN(4)]
	t.Logf("node limits %+v", lim)
	var model []entry
	var last ID
	randomID := func() ID {
		if len(model) > 0 && rng.IntN(4) > 0 {
			id := model[rng.IntN(len(model))].id
			if rng.IntN(3) == 0 {
				id.Seq++
			}
			return id
		}
		return ID{uint64(rng.IntN(int(last.Ms + 2))), uint64(rng.IntN(4))}
	}
	for step := 0; step < 30000; step++ {
		switch op := rng.IntN(20); {
		case op < 10: // add
			id := last
			if rng.IntN(2) == 0 {
				id.Ms += uint64(rng.IntN(3))
			}
			id.Seq += uint64(1 + rng.IntN(2))
			var fv []string
			if rng.IntN(5) == 0 {
				for i := range 1 + rng.IntN(3) {
					fv = append(fv, fmt.Sprint("f", i, rng.IntN(2)), fmt.Sprint(rng.IntN(1000)))
				}
			} else {
				fv = []string{"field", fmt.Sprint(rng.IntN(1 << rng.IntN(20)))}
			}
			if rng.IntN(200) == 0 {
				fv[1] = string(make([]byte, 3000)) // fills nodes by bytes
			}
			s.Add(id, toBytes(fv), lim)
			model = append(model, entry{id, fv})
			last = id
		case op < 13: // delete
			id := randomID()
			i := slices.IndexFunc(model, func(e entry) bool { return e.id == id })
			require.Equal(t, i >= 0, s.Delete(id), "step %d: Delete(%v)", step, id)
			if i >= 0 {
				model = slices.Delete(model, i, i+1)
			}
		case op < 14: // trim by length
			maxLen := int64(rng.IntN(len(model) + 2))
			tr := Trim{MaxLen: maxLen, Approx: rng.IntN(2) == 0}
			n := s.Trim(tr)
			if tr.Approx {
				require.GreaterOrEqual(t, int64(s.Len()), min(maxLen, int64(len(model))), "step %d", step)
			} else {
				require.Equal(t, max(int64(len(model))-maxLen, 0), n, "step %d", step)
			}
			model = model[n:]
		case op < 15: // trim by ID
			minID := randomID()
			tr := Trim{ByMinID: true, MinID: minID, Approx: rng.IntN(2) == 0}
			n := s.Trim(tr)
			want := int64(slices.IndexFunc(model, func(e entry) bool { return !e.id.Less(minID) }))
			if want < 0 {
				want = int64(len(model))
			}
			if tr.Approx {
				require.LessOrEqual(t, n, want, "step %d", step)
			} else {
				require.Equal(t, want, n, "step %d", step)
			}
			model = model[n:]
		default: // read a range
			a, b := randomID(), randomID()
			if rng.IntN(10) == 0 {
				a, b = MinID, MaxID
			}
			rev := rng.IntN(2) == 0
			limit := 1 + rng.IntN(50)
			require.Equal(t, modelRange(model, a, b, rev, limit), collect(s, a, b, rev, limit),
				"step %d: range %v %v rev %v", step, a, b, rev)
			require.Equal(t, len(modelRange(model, a, b, rev, limit)), s.Count(a, b, limit), "step %d: count %v %v", step, a, b)
			require.Equal(t, len(modelRange(model, a, b, rev, len(model)+1)), s.Count(a, b, 0), "step %d: count %v %v", step, a, b)
		}
		require.Equal(t, len(model), s.Len(), "step %d", step)
		var first, lastLive ID
		if len(model) > 0 {
			first, lastLive = model[0].id, model[len(model)-1].id
		}
		require.Equal(t, first, s.FirstID(), "step %d", step)
		require.Equal(t, lastLive, s.LastEntryID(), "step %d", step)
		require.Equal(t, walkNodeBytes(s), s.nodeBytes, "step %d: the running count of the nodes' bytes", step)
		if step%1000 == 0 {
			require.Equal(t, append([]entry{}, model...), collect(s, MinID, MaxID, false, len(model)+1), "step %d", step)
			c := s.Copy()
			require.Equal(t, collect(s, MinID, MaxID, false, len(model)+1), collect(c, MinID, MaxID, false, len(model)+1))
			require.Equal(t, walkNodeBytes(c), c.nodeBytes, "step %d: the copy's count of its nodes' bytes", step)
		}
	}
	require.Equal(t, append([]entry{}, model...), collect(s, MinID, MaxID, false, len(model)+1))
}

// walkNodeBytes sums the bytes of s's nodes, which s.nodeBytes counts as
// they change.
func walkNodeBytes(s *Stream) int {
	n := 0
	for c := s.nodes.First(); c.Valid(); c.Next() {
		n += c.Value().memory()
	}
	return n
}

// TestApproxTrimWholeNodes: trimming with ~ drops whole nodes of 100
// entries, as Redis's defaults make it.
func TestApproxTrimWholeNodes(t *testing.T) {
	s := New()
	for i := range 1000 {
		s.Add(ID{uint64(i + 1), 0}, toBytes([]string{"f", "v"}), DefaultNodeLimits)
	}
	require.Equal(t, int64(900), s.Trim(Trim{MaxLen: 50, Approx: true}))
	require.Equal(t, 100, s.Len())
	require.Equal(t, ID{901, 0}, s.FirstID())
	require.Equal(t, int64(0), s.Trim(Trim{MaxLen: 50, Approx: true, Limit: 10}))
	require.Equal(t, int64(50), s.Trim(Trim{MaxLen: 50}))
	require.Equal(t, ID{951, 0}, s.FirstID())
}

// TestIndexModel checks the index against a sorted slice of keys.
func TestIndexModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	var ix index[int]
	model := map[ID]int{}
	sorted := func() []ID {
		keys := make([]ID, 0, len(model))
		for k := range model {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, ID.Compare)
		return keys
	}
	// Keys are random, or, for a stretch of steps, appended past the
	// last and deleted from the first, as a PEL is used as a queue.
	queue := false
	for step := 0; step < 20000; step++ {
		if step%500 == 0 {
			queue = rng.IntN(2) == 0
		}
		id := ID{uint64(rng.IntN(2000)), uint64(rng.IntN(2))}
		if queue && ix.Len() > 0 {
			if c := ix.Last(); rng.IntN(2) == 0 {
				id = ID{c.Key().Ms + 1, 0}
			} else if c := ix.First(); rng.IntN(5) > 0 {
				id = c.Key()
			}
		}
		switch rng.IntN(4) {
		case 0, 1:
			require.Equal(t, step, *ix.Set(id, step))
			model[id] = step
			require.Equal(t, step, *ix.Ptr(id))
		case 2:
			_, ok := model[id]
			require.Equal(t, ok, ix.Delete(id))
			delete(model, id)
			require.Nil(t, ix.Ptr(id))
		case 3:
			keys := sorted()
			i, _ := slices.BinarySearchFunc(keys, id, ID.Compare)
			c := ix.SeekGE(id)
			if i < len(keys) {
				require.True(t, c.Valid())
				require.Equal(t, keys[i], c.Key())
				require.Equal(t, model[keys[i]], c.Value())
			} else {
				require.False(t, c.Valid())
			}
			j, found := slices.BinarySearchFunc(keys, id, ID.Compare)
			if !found {
				j--
			}
			c = ix.SeekLE(id)
			if j >= 0 {
				require.True(t, c.Valid())
				require.Equal(t, keys[j], c.Key())
			} else {
				require.False(t, c.Valid())
			}
		}
		require.Equal(t, len(model), ix.Len())
	}
	keys := sorted()
	var got []ID
	for c := ix.First(); c.Valid(); c.Next() {
		got = append(got, c.Key())
	}
	require.Equal(t, keys, got)
	got = got[:0]
	for c := ix.Last(); c.Valid(); c.Prev() {
		got = append(got, c.Key())
	}
	slices.Reverse(got)
	require.Equal(t, keys, got)
}

// TestUnorderedNode: after XSETID moves the last ID back past a deleted
// entry, the next adds follow it in the same node; reads, counts and
// deletes skip deleted entries before comparing IDs, as Redis does.
func TestUnorderedNode(t *testing.T) {
	ids := func(es []entry) []ID {
		out := []ID{}
		for _, e := range es {
			out = append(out, e.id)
		}
		return out
	}
	a, b, c := ID{30, 0}, ID{307, 2}, ID{308, 0}
	s := New()
	s.Add(a, toBytes([]string{"f", "1"}), DefaultNodeLimits)
	s.Add(MaxID, toBytes([]string{"f", "2"}), DefaultNodeLimits)
	require.True(t, s.Delete(MaxID))
	s.LastID = ID{284, 1} // XSETID
	s.Add(b, toBytes([]string{"f", "3"}), DefaultNodeLimits)
	s.Add(c, toBytes([]string{"f", "4"}), DefaultNodeLimits)
	require.Equal(t, 1, s.NodeCount())
	first := s.nodes.First()
	require.True(t, first.Value().unordered)

	for _, s := range []*Stream{s, s.Copy()} {
		for _, tt := range []struct {
			start, end ID
			want       []ID
		}{
			{MinID, MaxID, []ID{a, b, c}},
			{ID{300, 0}, ID{307, 5}, []ID{b}},
			{MinID, ID{400, 0}, []ID{a, b, c}},
			{ID{308, 0}, MaxID, []ID{c}},
			{ID{309, 0}, MaxID, []ID{}},
		} {
			fwd := ids(collect(s, tt.start, tt.end, false, 10))
			require.Equal(t, tt.want, fwd, "range %v %v", tt.start, tt.end)
			rev := slices.Clone(tt.want)
			slices.Reverse(rev)
			require.Equal(t, rev, ids(collect(s, tt.start, tt.end, true, 10)), "reverse %v %v", tt.start, tt.end)
			require.Equal(t, len(tt.want), s.Count(tt.start, tt.end, 0), "count %v %v", tt.start, tt.end)
		}
		require.Equal(t, c, s.LastEntryID())
	}
	require.False(t, s.Delete(MaxID), "deleted already")
	require.True(t, s.Delete(b))
	require.Equal(t, []ID{a, c}, ids(collect(s, MinID, MaxID, false, 10)))
}
