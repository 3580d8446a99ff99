package db

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAvgTTL(t *testing.T) {
	var d DB
	d.noteTTLs(ttlSample{})
	require.Zero(t, d.AvgTTL(), "no sample yet")

	var s ttlSample
	s.add(101_000, 1_000)
	s.add(500, 1_000) // already past: not counted
	d.noteTTLs(s)
	require.Equal(t, int64(100_000), d.AvgTTL(), "the first mean starts the average")

	d.noteTTLs(ttlSample{sum: 50_000, n: 1})
	require.Equal(t, int64(99_000), d.AvgTTL(), "a later mean weighs a fiftieth")
	d.noteTTLs(ttlSample{})
	require.Equal(t, int64(99_000), d.AvgTTL(), "an empty sample changes nothing")
}
