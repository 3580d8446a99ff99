package stream

import (
	"runtime"
	"testing"
)

// BenchmarkAddMemory adds b.N small "field value" entries, several per
// millisecond as XADD s * f v under load makes them, and reports the heap
// bytes each takes (Redis 7.0 takes about 13).
func BenchmarkAddMemory(b *testing.B) {
	fv := [][]byte{[]byte("f"), []byte("v")}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := New()
	for i := 0; i < b.N; i++ {
		s.Add(ID{1_700_000_000_000 + uint64(i/800), uint64(i % 800)}, fv, DefaultNodeLimits)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "bytes/entry")
	runtime.KeepAlive(s)
}
