package db

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTimeoutMillis: blocking timeouts read as Redis 7.0 reads them, a C
// long double rounded up to milliseconds.
func TestTimeoutMillis(t *testing.T) {
	cases := []struct {
		in string
		ms int64
		ok bool
	}{
		{"0", 0, true}, {"1", 1000, true}, {"0.0001", 1, true}, {"1e-400", 1, true},
		{"-0.0001", 0, true}, {"-1", -1000, true}, {"0x10", 16000, true}, {"0x1p-1", 500, true},
		{"9223372036854775.807", math.MaxInt64, true}, {"1e400", -1, true}, {"inf", -1, true}, {"+Infinity", -1, true},
		{"1e5000", 0, false}, {"1e-5000", 0, false}, {"nan", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"0b1", 0, false}, {"1_0", 0, false}, {"", 0, false}, {"abc", 0, false},
	}
	for _, tc := range cases {
		ms, ok := timeoutMillis([]byte(tc.in))
		assert.Equal(t, tc.ok, ok, tc.in)
		if tc.ok && ok {
			assert.Equal(t, tc.ms, ms, tc.in)
		}
	}
}

// TestParseFloat: scores and weights read as strtod reads them, refusing
// what overflows or underflows a double.
func TestParseFloat(t *testing.T) {
	for in, want := range map[string]float64{"1.5": 1.5, "0x10": 16, "-0X1P-1": -0.5, "inf": math.Inf(1), "-Infinity": math.Inf(-1), "5e-324": 5e-324, "0e-999": 0, "0x0p5": 0} {
		f, ok := ParseFloat([]byte(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, f, in)
	}
	f, ok := ParseFloat([]byte("-0"))
	assert.True(t, ok && math.Signbit(f), "-0 keeps its sign")
	for _, in := range []string{"1e400", "1e-400", "-1e400", "0x1p-2000", "nan", " 1", "1 ", "1_0", "0x", ""} {
		_, ok := ParseFloat([]byte(in))
		assert.False(t, ok, in)
	}
}
