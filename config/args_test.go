package config

import (
	"math/rand"
	"reflect"
	"testing"
	"time"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		line string
		want []string // nil with ok false for an error
		ok   bool
	}{
		{"port 6379", []string{"port", "6379"}, true},
		{"  port \t 6379  ", []string{"port", "6379"}, true},
		{"", nil, true},
		{`logfile ""`, []string{"logfile", ""}, true},
		{`a "b c" d`, []string{"a", "b c", "d"}, true},
		{`a "\n\r\t\b\a\\\"\q"`, []string{"a", "\n\r\t\b\a\\\"q"}, true},
		{`a "\x41\x7a\x4"`, []string{"a", "Azx4"}, true},
		{`a "\xZZ"`, []string{"a", "xZZ"}, true},
		{`a 'it\'s "x"'`, []string{"a", `it's "x"`}, true},
		{`a 'no\nescape'`, []string{"a", `no\nescape`}, true},
		{`ab"cd ef"`, []string{`abcd ef`}, true},
		{`a "unterminated`, nil, false},
		{`a 'unterminated`, nil, false},
		{`a "closed"glued`, nil, false},
		{`a 'closed'glued`, nil, false},
		{`a "trailing\`, nil, false},
		{`a ""`, []string{"a", ""}, true},
	}
	for _, tt := range tests {
		got, ok := splitArgs(tt.line)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

// TestQuoteRoundTrip checks that splitArgs reads back every quoted string.
func TestQuoteRoundTrip(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	for n := 0; n < 2000; n++ {
		b := make([]byte, rng.Intn(12))
		for i := range b {
			b[i] = byte(rng.Intn(256))
		}
		s := string(b)
		got, ok := splitArgs("x " + quote(s))
		if !ok || len(got) != 2 || got[1] != s {
			t.Fatalf("seed %d: quote(%q) = %s read back as %q, %v", seed, s, quote(s), got, ok)
		}
	}
}
