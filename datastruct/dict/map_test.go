package dict

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestMapModel checks Map against a Go map over random operations, and
// that a full scan sees every key.
func TestMapModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	var m Map[int]
	model := map[string]int{}
	for i := range 20000 {
		k := []byte("k" + strconv.Itoa(rng.IntN(500)))
		switch rng.IntN(3) {
		case 0:
			if e := m.Find(k); e != nil {
				e.Value = i
			} else {
				m.Add(k, i)
			}
			model[string(k)] = i
		case 1:
			got := m.Delete(k) != nil
			_, want := model[string(k)]
			if got != want {
				t.Fatalf("op %d: Delete(%s) = %v, want %v", i, k, got, want)
			}
			delete(model, string(k))
		case 2:
			e := m.Find(k)
			v, ok := model[string(k)]
			if (e != nil) != ok || e != nil && e.Value != v {
				t.Fatalf("op %d: Find(%s) = %v, want %v %v", i, k, e, v, ok)
			}
		}
		if m.Len() != len(model) {
			t.Fatalf("op %d: Len = %d, want %d", i, m.Len(), len(model))
		}
	}
	seen := map[string]bool{}
	for cursor := uint64(0); ; {
		cursor = m.Scan(cursor, 7, func(e *Entry[int]) { seen[e.Key] = true })
		if cursor == 0 {
			break
		}
		if cursor >= 1<<63 {
			t.Fatalf("cursor %d does not fit a signed 64-bit integer", cursor)
		}
	}
	for k := range model {
		if !seen[k] {
			t.Errorf("scan missed %s", k)
		}
	}
	if len(model) > 0 && m.Random() == nil {
		t.Error("Random returned nil on a non-empty map")
	}
	n := 0
	m.ForEach(func(*Entry[int]) bool { n++; return true })
	if n != len(model) {
		t.Errorf("ForEach saw %d keys, want %d", n, len(model))
	}
}

// TestMapInsert: Insert adds an absent key only, and returns the entry
// Find then finds.
func TestMapInsert(t *testing.T) {
	var m Map[int]
	for i := range 100 {
		e, added := m.Insert([]byte(strconv.Itoa(i%50)), i)
		if added != (i < 50) || e.Value != i%50 || m.Find([]byte(strconv.Itoa(i%50))) != e {
			t.Fatalf("Insert(%d) = %v %v", i%50, e.Value, added)
		}
	}
	if m.Len() != 50 {
		t.Fatalf("Len = %d, want 50", m.Len())
	}
}
