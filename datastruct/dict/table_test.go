package dict

import (
	"fmt"
	"testing"
	"unsafe"
)

func TestEntrySize(t *testing.T) {
	// With a 16-byte value an entry fits the 48-byte size class; a change
	// that grows it costs 16 bytes per key.
	if got := unsafe.Sizeof(Entry[[2]*int]{}); got != 48 {
		t.Errorf("sizeof Entry[[2]*int] = %d, want 48", got)
	}
}

func TestTableGrowShrink(t *testing.T) {
	var tb table[int]
	key := func(i int) []byte { return fmt.Appendf(nil, "k%d", i) }
	const n = 1000
	for i := range n {
		k := key(i)
		tb.insert(hashBytes(k), &Entry[int]{Key: string(k), Value: i})
		if len(tb.buckets) < tb.n {
			t.Fatalf("after %d inserts: %d buckets", tb.n, len(tb.buckets))
		}
	}
	if len(tb.buckets) != 1024 {
		t.Errorf("1000 keys: %d buckets, want 1024", len(tb.buckets))
	}
	for i := range n {
		k := key(i)
		if e := tb.find(hashBytes(k), k); e == nil || e.Value != i {
			t.Fatalf("find %s = %v", k, e)
		}
	}
	for i := range n {
		k := key(i)
		if e := tb.remove(hashBytes(k), k); e == nil || e.Value != i {
			t.Fatalf("remove %s = %v", k, e)
		}
		if tb.remove(hashBytes(k), k) != nil {
			t.Fatalf("second remove %s found it", k)
		}
		if len(tb.buckets) > minBuckets && tb.n < len(tb.buckets)/8 {
			t.Fatalf("%d keys in %d buckets: did not shrink", tb.n, len(tb.buckets))
		}
	}
	if tb.n != 0 || len(tb.buckets) != minBuckets {
		t.Errorf("emptied: n=%d buckets=%d", tb.n, len(tb.buckets))
	}
	if tb.random() != nil {
		t.Error("random on empty table returned an entry")
	}
}

func TestTableScanEmpty(t *testing.T) {
	var tb table[int]
	calls := 0
	next, n := tb.scan(12345, func(*Entry[int]) { calls++ })
	if next != 0 || n != 0 || calls != 0 {
		t.Errorf("scan of zero table = %d, %d, %d calls", next, n, calls)
	}
}
