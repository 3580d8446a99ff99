package list

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// check compares l with the model slice, element by element in both
// directions, and checks the chunk invariants.
func check(t *testing.T, l *List, model []string, step int, op string) {
	t.Helper()
	if l.Len() != len(model) {
		t.Fatalf("step %d (%s): Len %d, model %d", step, op, l.Len(), len(model))
	}
	n := 0
	var prev *chunk
	for c := l.head; c != nil; c = c.next {
		if c.prev != prev || c.len() == 0 || len(c.buf) > chunkMax {
			t.Fatalf("step %d (%s): bad chunk %+v", step, op, c)
		}
		for i, s := range c.buf {
			if (i < c.lo || i >= c.hi) && s != "" {
				t.Fatalf("step %d (%s): free slot %d holds %q", step, op, i, s)
			}
		}
		n += c.len()
		prev = c
	}
	if prev != l.tail || n != l.n {
		t.Fatalf("step %d (%s): tail or count wrong (%d vs %d)", step, op, n, l.n)
	}
	if len(model) == 0 {
		return
	}
	i := 0
	for cur := l.Seek(0); cur.Valid(); cur.Next() {
		if cur.Value() != model[i] {
			t.Fatalf("step %d (%s): forward element %d is %q, model %q", step, op, i, cur.Value(), model[i])
		}
		i++
	}
	i = len(model) - 1
	for cur := l.Seek(i); cur.Valid(); cur.Prev() {
		if cur.Value() != model[i] {
			t.Fatalf("step %d (%s): backward element %d is %q, model %q", step, op, i, cur.Value(), model[i])
		}
		i--
	}
}

// removeModel is Remove on a slice.
func removeModel(s []string, count int, v string) ([]string, int) {
	removed := 0
	if count >= 0 {
		out := s[:0:0]
		for _, e := range s {
			if e == v && (count == 0 || removed < count) {
				removed++
				continue
			}
			out = append(out, e)
		}
		return out, removed
	}
	out := slices.Clone(s)
	for i := len(out) - 1; i >= 0 && removed < -count; i-- {
		if out[i] == v {
			out = slices.Delete(out, i, i+1)
			removed++
		}
	}
	return out, removed
}

// TestModel runs random operations on a List and on a plain slice and
// compares them after every step.
func TestModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for round := 0; round < 20; round++ {
		var l List
		var model []string
		// Few distinct values, so Remove and equality find matches.
		val := func() string { return strconv.Itoa(r.IntN(8)) }
		bias := r.IntN(3) // favours growing, shrinking or neither
		for step := 0; step < 3000; step++ {
			op := r.IntN(10)
			switch {
			case op < 2 || op < 3 && bias == 0:
				n := 1 + r.IntN(40)
				for range n {
					v := val()
					if r.IntN(2) == 0 {
						l.PushFront(v)
						model = slices.Insert(model, 0, v)
					} else {
						l.PushBack(v)
						model = append(model, v)
					}
				}
				check(t, &l, model, step, "push")
			case op < 4 && len(model) > 0:
				for n := 1 + r.IntN(30); n > 0 && len(model) > 0; n-- {
					if r.IntN(2) == 0 {
						if got := l.PopFront(); got != model[0] {
							t.Fatalf("step %d: PopFront %q, model %q", step, got, model[0])
						}
						model = model[1:]
					} else {
						if got := l.PopBack(); got != model[len(model)-1] {
							t.Fatalf("step %d: PopBack %q, model %q", step, got, model[len(model)-1])
						}
						model = model[:len(model)-1]
					}
				}
				check(t, &l, model, step, "pop")
			case op == 4:
				i, v := r.IntN(len(model)+1), val()
				l.Insert(i, v)
				model = slices.Insert(model, i, v)
				check(t, &l, model, step, "insert")
			case op == 5 && len(model) > 0:
				i, v := r.IntN(len(model)), val()+"x"
				l.Set(i, v)
				model[i] = v
				if got := l.Index(i); got != v {
					t.Fatalf("step %d: Index %d %q, want %q", step, i, got, v)
				}
				check(t, &l, model, step, "set")
			case op == 6 && (bias == 1 || r.IntN(4) == 0):
				count, v := r.IntN(7)-3, val()
				var want int
				model, want = removeModel(model, count, v)
				if got := l.Remove(count, v); got != want {
					t.Fatalf("step %d: Remove(%d, %q) = %d, want %d", step, count, v, got, want)
				}
				check(t, &l, model, step, "remove")
			case op == 7 && len(model) > 0 && (bias == 1 || r.IntN(4) == 0):
				start := r.IntN(len(model))
				stop := start + r.IntN(len(model)-start)
				l.Trim(start, stop)
				model = slices.Clone(model[start : stop+1])
				check(t, &l, model, step, "trim")
			case op == 8:
				c := l.Clone()
				check(t, c, model, step, "clone")
				if c.Len() > 0 {
					c.Set(0, "changed")
					check(t, &l, model, step, "clone independence")
				}
			}
		}
	}
}

func TestPanics(t *testing.T) {
	var l List
	l.PushBack("a")
	for name, fn := range map[string]func(){
		"index":      func() { l.Index(1) },
		"negative":   func() { l.Index(-1) },
		"trim":       func() { l.Trim(1, 0) },
		"insert":     func() { l.Insert(2, "x") },
		"seek empty": func() { new(List).Seek(0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

func TestMemoryUsage(t *testing.T) {
	var small, big List
	small.PushBack("abc")
	for range 1000 {
		big.PushBack("abcdefgh")
	}
	s, b := small.MemoryUsage(5), big.MemoryUsage(5)
	if s <= 3 || s > 200 {
		t.Errorf("one-element list: %d bytes", s)
	}
	if b < 1000*(8+16) || b > 1000*(8+16)*2 {
		t.Errorf("1000-element list: %d bytes", b)
	}
}

// TestMemoryUsageSamples checks that the estimate measures the first
// samples elements, across chunks, whatever the sample count.
func TestMemoryUsageSamples(t *testing.T) {
	var l List
	model := []string{}
	for i := range 300 {
		v := strconv.Itoa(i * i)
		l.PushFront(v)
		model = append([]string{v}, model...)
	}
	l.PopFront() // the head chunk starts inside its array
	model = model[1:]
	base := l.MemoryUsage(1) - int64(len(model[0])*len(model))
	for _, samples := range []int{1, 5, 127, 128, 129, 299, 300, math.MaxInt} {
		seen, bytes := min(samples, len(model)), 0
		for _, v := range model[:seen] {
			bytes += len(v)
		}
		if got, want := l.MemoryUsage(samples), base+int64(bytes*len(model)/seen); got != want {
			t.Errorf("MemoryUsage(%d) = %d, want %d", samples, got, want)
		}
	}
}

func BenchmarkPushBack(b *testing.B) {
	var l List
	for i := 0; b.Loop(); i++ {
		l.PushBack("value")
	}
}

func BenchmarkPushPopFront(b *testing.B) {
	var l List
	for range 1000 {
		l.PushBack("x")
	}
	for b.Loop() {
		l.PushFront("value")
		l.PopBack()
	}
}

func BenchmarkRange100(b *testing.B) {
	var l List
	for range 1000 {
		l.PushBack("value")
	}
	n := 0
	for b.Loop() {
		cur := l.Seek(0)
		for range 100 {
			n += len(cur.Value())
			cur.Next()
		}
	}
}
