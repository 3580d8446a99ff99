package stream

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestGroupModel runs random deliveries, acknowledgements, claims and
// consumer deletions on a group and on a map of ID to owner, and checks
// that the group's PEL and every consumer's hold exactly the model's
// entries, in ID order, with the same owners; a deep copy agrees.
func TestGroupModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	s := New()
	g := s.CreateGroup("g", MinID, 0)
	require.Nil(t, s.CreateGroup("g", MinID, 0))
	model := map[ID]string{}
	consumer := func() *Consumer {
		name := fmt.Sprint("c", rng.IntN(4))
		if c := g.Consumer(name); c != nil {
			return c
		}
		return g.CreateConsumer(name, 0)
	}
	check := func(step int) {
		require.Equal(t, len(model), g.PendingCount(), "step %d", step)
		var last ID
		n := 0
		g.PendingRange(MinID, MaxID, func(id ID, p *Pending) bool {
			require.True(t, n == 0 || last.Less(id), "step %d: order", step)
			require.Equal(t, model[id], p.Consumer.Name, "step %d: owner of %v", step, id)
			last, n = id, n+1
			return true
		})
		perConsumer := 0
		g.ForEachConsumer(func(c *Consumer) {
			c.PendingRange(MinID, MaxID, func(id ID, p *Pending) bool {
				require.Equal(t, c, p.Consumer, "step %d", step)
				require.Equal(t, c.Name, model[id], "step %d", step)
				perConsumer++
				return true
			})
		})
		require.Equal(t, len(model), perConsumer, "step %d", step)
	}
	for step := 0; step < 5000; step++ {
		id := ID{uint64(rng.IntN(300)), uint64(rng.IntN(2))}
		switch rng.IntN(6) {
		case 0, 1:
			c := consumer()
			p := g.Deliver(id, c, int64(step))
			require.Equal(t, uint64(1), p.DeliveryCount)
			model[id] = c.Name
		case 2:
			_, ok := model[id]
			require.Equal(t, ok, g.Ack(id), "step %d", step)
			delete(model, id)
		case 3:
			if p := g.Pending(id); p != nil {
				c := consumer()
				g.MoveTo(id, p, c)
				model[id] = c.Name
			}
		case 4:
			name := fmt.Sprint("c", rng.IntN(5))
			want := 0
			for _, owner := range model {
				if owner == name {
					want++
				}
			}
			pending, ok := g.DeleteConsumer(name)
			if ok {
				require.Equal(t, want, pending, "step %d", step)
				for k, owner := range model {
					if owner == name {
						delete(model, k)
					}
				}
			}
		case 5: // acknowledge while walking, as XAUTOCLAIM drops entries
			g.PendingRange(id, MaxID, func(k ID, _ *Pending) bool {
				if rng.IntN(3) == 0 {
					g.Ack(k)
					delete(model, k)
				}
				return rng.IntN(10) > 0
			})
		}
		check(step)
	}
	c := s.Copy()
	require.Equal(t, g.PendingCount(), c.Group("g").PendingCount())
	c.Group("g").PendingRange(MinID, MaxID, func(id ID, p *Pending) bool {
		require.Equal(t, model[id], p.Consumer.Name)
		require.Same(t, c.Group("g").Consumer(p.Consumer.Name), p.Consumer, "the copy's entries point at the copy's consumers")
		return true
	})
}

// TestEntriesBeforeAndLag follows Redis's rules for a group's count of
// entries read and its lag, with and without deletions.
func TestEntriesBeforeAndLag(t *testing.T) {
	s := New()
	g := s.CreateGroup("g", MinID, 0)
	lag, ok := s.Lag(g)
	require.True(t, ok)
	require.Equal(t, int64(0), lag)
	for i := range 5 {
		s.Add(ID{uint64(i + 1), 0}, [][]byte{[]byte("f"), []byte("v")}, DefaultNodeLimits)
	}
	require.Equal(t, int64(5), s.EntriesBefore(ID{5, 0}))
	require.Equal(t, int64(1), s.EntriesBefore(ID{1, 0}))
	require.Equal(t, int64(0), s.EntriesBefore(MinID))
	require.Equal(t, int64(InvalidEntriesRead), s.EntriesBefore(ID{3, 0}), "in the middle")
	require.Equal(t, int64(InvalidEntriesRead), s.EntriesBefore(ID{9, 0}), "in the future")
	s.Delivered(g, ID{1, 0})
	s.Delivered(g, ID{2, 0})
	lag, ok = s.Lag(g)
	require.True(t, ok)
	require.Equal(t, int64(3), lag)
	require.True(t, s.Delete(ID{4, 0}))
	require.True(t, s.RangeHasTombstones(ID{3, 0}, MaxID))
	require.False(t, s.RangeHasTombstones(ID{5, 0}, MaxID))
	_, ok = s.Lag(g)
	require.False(t, ok, "a deletion ahead makes the lag unknown")
}

// TestGroupList: the list Memory walks holds the groups the map does, as
// they are created and destroyed, in a copy too.
func TestGroupList(t *testing.T) {
	s := New()
	empty := s.Memory()
	for _, name := range []string{"a", "b", "c"} {
		require.NotNil(t, s.CreateGroup(name, MinID, 0))
	}
	require.True(t, s.DestroyGroup("b"))
	require.False(t, s.DestroyGroup("b"))
	for _, st := range []*Stream{s, s.Copy()} {
		require.Len(t, st.groupList, 2)
		for _, g := range st.groupList {
			require.Same(t, st.Group(g.name), g)
		}
	}
	require.Greater(t, s.Memory(), empty)
	s.DestroyGroup("a")
	s.DestroyGroup("c")
	require.Equal(t, empty, s.Memory())
}
