package server

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestErrorCode(t *testing.T) {
	for msg, want := range map[string]string{
		"ERR syntax error": "ERR",
		"WRONGTYPE Operation against a key holding the wrong kind of value": "WRONGTYPE",
		"EXECABORT Transaction discarded because of previous errors.":       "EXECABORT",
		"NOSPACEHERE":                   "ERR", // no space: ERR, as Redis falls back
		strings.Repeat("X", 31) + " at": "ERR", // the space is beyond where Redis looks
		strings.Repeat("X", 30) + " at": strings.Repeat("X", 30),
		"":                              "ERR",
	} {
		assert.Equal(t, want, errorCode(msg), "errorCode(%q)", msg)
	}
}

func TestErrorStats(t *testing.T) {
	var e errorStats
	e.add("WRONGTYPE Operation against a key")
	e.add("ERR syntax error")
	e.add("ERR unknown command")
	codes, counts := e.sorted()
	assert.Equal(t, []string{"ERR", "WRONGTYPE"}, codes)
	assert.Equal(t, []int64{2, 1}, counts)

	for i := range 2 * maxErrorCodes {
		e.add("CODE" + strconv.Itoa(i) + " x")
	}
	e.add("ERR again") // a code already known still counts
	codes, counts = e.sorted()
	assert.Len(t, codes, maxErrorCodes)
	i := slices.Index(codes, "ERR")
	if assert.GreaterOrEqual(t, i, 0) {
		assert.Equal(t, int64(3), counts[i])
	}

	e.reset()
	codes, _ = e.sorted()
	assert.Empty(t, codes)
}
