package stream

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseID(t *testing.T) {
	const max = ^uint64(0)
	for _, c := range []struct {
		in             string
		strict, auto   bool
		want           ID
		autoSeq, valid bool
	}{
		{in: "1-2", want: ID{1, 2}, valid: true},
		{in: "5", want: ID{5, 7}, valid: true}, // missing seq
		{in: "-", want: MinID, valid: true},
		{in: "+", want: MaxID, valid: true},
		{in: "-", strict: true},
		{in: "+", strict: true},
		{in: "", valid: false},
		{in: "1-", valid: false},
		{in: "-1", valid: false},
		{in: "1-*", valid: false},
		{in: "1-*", auto: true, want: ID{1, 0}, autoSeq: true, valid: true},
		{in: "*", auto: true},
		{in: "18446744073709551615-18446744073709551615", want: ID{max, max}, valid: true},
		{in: "18446744073709551616-0"},
		{in: "9999999999999999999-0", want: ID{9999999999999999999, 0}, valid: true},
		{in: "00000000000000000009-1", want: ID{9, 1}, valid: true},
		{in: "+5-1", want: ID{5, 1}, valid: true},
		{in: " 5-1", want: ID{5, 1}, valid: true},
		{in: "05-01", want: ID{5, 1}, valid: true},
		{in: "1-2-3"},
		{in: "1.5"},
		{in: "a-1"},
		{in: "3\x00junk", want: ID{3, 7}, valid: true},
	} {
		id, autoSeq, ok := ParseID([]byte(c.in), 7, c.strict, c.auto)
		assert.Equal(t, c.valid, ok, "%q", c.in)
		if c.valid {
			assert.Equal(t, c.want, id, "%q", c.in)
			assert.Equal(t, c.autoSeq, autoSeq, "%q", c.in)
		}
	}
}

// FuzzParseID: parsing never panics, and every ID reads back from its
// text.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1-2", "0-0", "-", "+", "1-*", "18446744073709551615-1", " -05", "1-2-3"} {
		f.Add(s, uint64(0))
	}
	f.Fuzz(func(t *testing.T, s string, seq uint64) {
		id, _, ok := ParseID([]byte(s), seq, false, true)
		if !ok {
			return
		}
		back, _, ok := ParseID([]byte(id.String()), 0, true, false)
		if !ok || back != id {
			t.Fatalf("%q parsed as %v, which reads back as %v (%v)", s, id, back, ok)
		}
	})
}
