package lualib

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatG(t *testing.T) {
	for _, c := range []struct {
		f    float64
		prec int
		want string
	}{
		{0, 14, "0"},
		{math.Copysign(0, -1), 14, "-0"},
		{1.5, 14, "1.5"},
		{1e14, 14, "1e+14"},
		{123456789012345, 14, "1.2345678901234e+14"},
		{0.0001, 14, "0.0001"},
		{0.00001, 14, "1e-05"},
		{1.0 / 3, 14, "0.33333333333333"},
		{1e300, 14, "1e+300"},
		{5e-324, 14, "4.9406564584125e-324"},
		{123456, 3, "1.23e+05"},
		{95, 1, "1e+02"},
		{math.Inf(1), 14, "inf"},
		{math.Inf(-1), 14, "-inf"},
		{math.Float64frombits(0x7ff8000000000000), 14, "nan"},
		{math.Float64frombits(0xfff8000000000000), 14, "-nan"},
	} {
		assert.Equal(t, c.want, formatG(c.f, c.prec), "%v %d", c.f, c.prec)
	}
}

func TestStrtod(t *testing.T) {
	for _, c := range []struct {
		s    string
		bits uint64 // of the value
		end  int
	}{
		{"1", 0x3ff0000000000000, 1},
		{"  -1.5e1x", 0xc02e000000000000, 8},
		{"1.", 0x3ff0000000000000, 2},
		{".5", 0x3fe0000000000000, 2},
		{"1e", 0x3ff0000000000000, 1},
		{"1e+", 0x3ff0000000000000, 1},
		{"-0", 0x8000000000000000, 2},
		{"1e400", 0x7ff0000000000000, 5},
		{"1e-400", 0, 6},
		{"0x1F", 0x403f000000000000, 4},
		{"0x1p-2", 0x3fd0000000000000, 6},
		{"0x.8", 0x3fe0000000000000, 4},
		{"0x", 0, 1},
		{"0xg", 0, 1},
		{"0x1p", 0x3ff0000000000000, 3},
		{"inf", 0x7ff0000000000000, 3},
		{"-Infinity", 0xfff0000000000000, 9},
		{"infinit", 0x7ff0000000000000, 3},
		{"nan", 0x7ff8000000000000, 3},
		{"-NaN", 0xfff8000000000000, 4},
		{"nan(123)", 0x7ff800000000007b, 8},
		{"nan(0x10)", 0x7ff8000000000010, 9},
		{"nan(010)", 0x7ff8000000000008, 8},
		{"nan(abc)", 0x7ff8000000000000, 8},
		{"nan(12", 0x7ff8000000000000, 3},
		{"nan(99999999999999999999999)", 0x7fffffffffffffff, 28},
		{"", 0, 0},
		{"-", 0, 0},
		{"- 1", 0, 0},
		{"+.", 0, 0},
		{"x", 0, 0},
	} {
		v, end := strtod(c.s, 0)
		assert.Equal(t, c.end, end, "%q", c.s)
		assert.Equal(t, c.bits, math.Float64bits(v), "%q: %v", c.s, v)
	}
}

func TestStr2Number(t *testing.T) {
	for _, c := range []struct {
		s    string
		want float64
		ok   bool
	}{
		{"12", 12, true},
		{" 0x10 ", 16, true},
		{"1e2\t\n", 100, true},
		{"12\x00abc", 12, true},
		{"12abc", 0, false},
		{"", 0, false},
		{" ", 0, false},
		{"0x", 0, false},
	} {
		v, ok := str2number(c.s)
		assert.Equal(t, c.ok, ok, "%q", c.s)
		if ok {
			assert.Equal(t, c.want, v, "%q", c.s)
		}
	}
}

func TestCasts(t *testing.T) {
	nan := math.NaN()
	assert.Equal(t, int64(-1), toInt64(-1.9))
	assert.Equal(t, int64(math.MinInt64), toInt64(0x1p63))
	assert.Equal(t, int64(math.MinInt64), toInt64(nan))
	assert.Equal(t, int64(math.MinInt64), toInt64(math.Inf(-1)))
	assert.Equal(t, int32(-2147483648), toInt32(-2147483648.5))
	assert.Equal(t, int32(math.MinInt32), toInt32(0x1p31))
	assert.Equal(t, int32(math.MinInt32), toInt32(-2147483649))
	assert.Equal(t, uint64(1<<63), toUint64(0x1p63))
	assert.Equal(t, uint64(1<<63+1<<11), toUint64(0x1p63+0x1p11))
	assert.Equal(t, uint64(0), toUint64(0x1p64))
	assert.Equal(t, uint64(0), toUint64(math.Inf(1)))
	assert.Equal(t, uint64(1<<63), toUint64(nan))
	assert.Equal(t, uint64(math.MaxUint64), toUint64(-1))
}
