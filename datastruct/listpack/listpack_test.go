package listpack

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// build returns a listpack of the strings ss.
func build(ss ...string) []byte {
	var enc []byte
	for _, s := range ss {
		enc = AppendString(enc, []byte(s))
	}
	return Splice(nil, 0, 0, enc, len(ss), 0)
}

// texts returns the entries of lp as text.
func texts(lp []byte) []string {
	var out []string
	for off := First(lp); off < len(lp); {
		var e Entry
		e, off = Next(lp, off)
		out = append(out, string(e.AppendText(nil)))
	}
	return out
}

func TestEncodings(t *testing.T) {
	long := string(bytes.Repeat([]byte("x"), 300))
	tests := []struct {
		in   string
		kind Kind
		size int // encoded bytes
	}{
		{"0", Int, 1},
		{"127", Int, 1},
		{"128", Int, 3},
		{"-1", Int, 2},
		{"9223372036854775807", Int, 11},
		{"-9223372036854775808", Int, 11},
		{"9223372036854775808", String, 20},
		{"007", String, 4},
		{"-0", String, 3},
		{"+1", String, 3},
		{"", String, 1},
		{"f0", String, 3},
		{long, String, 303},
	}
	for _, tt := range tests {
		enc := AppendString(nil, []byte(tt.in))
		require.Len(t, enc, tt.size, tt.in)
		lp := Splice(nil, 0, 0, enc, 1, 0)
		e, next := Next(lp, First(lp))
		require.Equal(t, len(lp), next)
		require.Equal(t, tt.kind, e.Kind, tt.in)
		require.Equal(t, tt.in, string(e.AppendText(nil)))
		require.True(t, e.Equal([]byte(tt.in)))
		require.True(t, Valid(lp))
	}
}

func TestFloats(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1.5, -3, 1e300, math.Inf(1), math.Inf(-1), 1 << 60, 0.1} {
		lp := Splice(nil, 0, 0, AppendFloat(nil, f), 1, 0)
		e, _ := Next(lp, First(lp))
		require.Equal(t, f, e.Number())
		if f == 0 {
			require.False(t, math.Signbit(e.Number()), "-0 reads back as 0")
		}
	}
}

func TestSpliceAndFind(t *testing.T) {
	lp := build("f0", "v0", "f1", "v1")
	require.Equal(t, 4, Len(lp))
	off := Find(lp, []byte("f1"), 2)
	require.Positive(t, off)
	require.Equal(t, -1, Find(lp, []byte("v0"), 2), "values are not fields")
	end := Skip(lp, Skip(lp, off))
	lp = Splice(lp, off, end, nil, 0, 2)
	require.Equal(t, []string{"f0", "v0"}, texts(lp))
	lp = Splice(lp, First(lp), First(lp), AppendString(nil, []byte("12")), 1, 0)
	require.Equal(t, []string{"12", "f0", "v0"}, texts(lp))
	require.Equal(t, First(lp), Find(lp, []byte("12"), 1))
	lp = Splice(lp, First(lp), len(lp), nil, 0, 3)
	require.Nil(t, lp)
	require.Equal(t, 0, Len(lp))
}

func TestCountSaturates(t *testing.T) {
	var enc []byte
	for range maxCount + 5 {
		enc = AppendInt(enc, 1)
	}
	lp := Splice(nil, 0, 0, enc, maxCount+5, 0)
	require.Equal(t, maxCount+5, Len(lp))
	require.True(t, Valid(lp))
	lp = Splice(lp, First(lp), Skip(lp, First(lp)), nil, 0, 1)
	require.Equal(t, maxCount+4, Len(lp))
}

// TestModel checks a listpack against a slice of strings over random
// inserts, deletes and replacements.
func TestModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	var lp []byte
	var model []string
	offsetOf := func(i int) int {
		off := First(lp)
		for range i {
			off = Skip(lp, off)
		}
		return off
	}
	value := func() string {
		switch rng.IntN(4) {
		case 0:
			return strconv.FormatInt(rng.Int64N(1<<40)-1<<39, 10)
		case 1:
			return strconv.Itoa(rng.IntN(200))
		case 2:
			return string(bytes.Repeat([]byte{'a' + byte(rng.IntN(26))}, rng.IntN(100)))
		}
		return "m" + strconv.Itoa(rng.IntN(1000))
	}
	for op := range 5000 {
		i := rng.IntN(len(model) + 1)
		switch {
		case rng.IntN(3) > 0 || len(model) == 0:
			v := value()
			lp = Splice(lp, offsetOf(i), offsetOf(i), AppendString(nil, []byte(v)), 1, 0)
			model = append(model[:i], append([]string{v}, model[i:]...)...)
		case rng.IntN(2) == 0 && i < len(model):
			v := value()
			lp = Splice(lp, offsetOf(i), offsetOf(i+1), AppendString(nil, []byte(v)), 1, 1)
			model[i] = v
		default:
			i = min(i, len(model)-1)
			k := min(1+rng.IntN(3), len(model)-i)
			lp = Splice(lp, offsetOf(i), offsetOf(i+k), nil, 0, k)
			model = append(model[:i], model[i+k:]...)
		}
		require.Equal(t, len(model), Len(lp), "op %d", op)
		require.True(t, Valid(lp), "op %d", op)
		if len(model) > 0 {
			j := rng.IntN(len(model))
			require.Equal(t, offsetOf(slices.Index(model, model[j])), Find(lp, []byte(model[j]), 1), "op %d", op)
		}
	}
	require.Equal(t, model, append([]string(nil), texts(lp)...))
}

// FuzzDecode feeds arbitrary bytes to Valid and, when they pass, walks and
// re-encodes them: decoding must never panic on what Valid accepts, and
// a valid listpack's strings and integers survive re-encoding.
func FuzzDecode(f *testing.F) {
	f.Add(build("f0", "v0", "123", "-5"))
	f.Add([]byte{1, 0, tagLong, 0x80})
	f.Add(Splice(nil, 0, 0, AppendFloat(nil, 1.5), 1, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !Valid(b) {
			return
		}
		var enc []byte
		n := 0
		for off := First(b); off < len(b); n++ {
			var e Entry
			e, off = Next(b, off)
			if e.Kind == Float {
				enc = AppendFloat(enc, e.Float)
			} else {
				enc = AppendString(enc, e.AppendText(nil))
			}
		}
		require.Equal(t, Len(b), n)
		again := Splice(nil, 0, 0, enc, n, 0)
		require.True(t, Valid(again))
		require.Equal(t, n, Len(again))
	})
}

// TestParseCanonical checks the integer detection against strconv: a
// string is stored as an integer exactly when formatting it back gives it.
func TestParseCanonical(t *testing.T) {
	cases := []string{"0", "-0", "00", "01", "-1", "+1", "", "-", "1a", " 1",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "99999999999999999999", "18446744073709551616"}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for range 1000 {
		cases = append(cases, strconv.FormatInt(rng.Int64()>>rng.IntN(64), 10))
	}
	for _, s := range cases {
		n, err := strconv.ParseInt(s, 10, 64)
		want := err == nil && strconv.FormatInt(n, 10) == s
		got, ok := parseCanonical([]byte(s))
		require.Equal(t, want, ok, s)
		if ok {
			require.Equal(t, n, got, s)
		}
	}
}

// BenchmarkFind looks up the 7th of 10 fields of a hash-shaped listpack.
func BenchmarkFind(b *testing.B) {
	var lp []byte
	for i := range 10 {
		enc := AppendString(AppendString(nil, []byte("field:"+strconv.Itoa(i))), []byte("value:"+strconv.Itoa(i)))
		lp = Splice(lp, len(lp), len(lp), enc, 2, 0)
	}
	key := []byte("field:6")
	for range b.N {
		if Find(lp, key, 2) < 0 {
			b.Fatal("not found")
		}
	}
}
