package server

import (
	"testing"
	"time"
)

func TestHumanBytes(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{0, "0B"}, {900, "900B"}, {1024, "1.00K"}, {1536, "1.50K"},
		{5 << 20, "5.00M"}, {3 << 30, "3.00G"}, {2 << 40, "2.00T"},
	} {
		if got := humanBytes(tt.n); got != tt.want {
			t.Errorf("humanBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestValidClientName(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"worker-1", true}, {"", true}, {"a b", false}, {"a\nb", false}, {"caf\xc3\xa9", false},
	} {
		if got := validClientName([]byte(tt.name)); got != tt.ok {
			t.Errorf("validClientName(%q) = %v, want %v", tt.name, got, tt.ok)
		}
	}
}

func TestSamplerRates(t *testing.T) {
	var sm sampler
	if got := sm.opsPerSec(); got != 0 {
		t.Fatalf("empty sampler: %d ops/s, want 0", got)
	}
	start := time.Unix(1000, 0)
	// 500 commands every 100 ms for 20 samples: 5000 ops/s, the ring keeping
	// only the last 16.
	for i := range 20 {
		sm.record(start.Add(time.Duration(i)*sampleEvery), totals{ops: int64(i * 500), netIn: int64(i * 100)})
	}
	if got := sm.opsPerSec(); got != 5000 {
		t.Errorf("opsPerSec = %d, want 5000", got)
	}
	if _, in, out := sm.rates(); in != 1000 || out != 0 {
		t.Errorf("rates: input %v B/s, output %v B/s; want 1000 and 0", in, out)
	}
}
