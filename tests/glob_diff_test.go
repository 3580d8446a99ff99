package tests

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// globPatterns is how many random patterns TestGlobDifferential tries.
const globPatterns = 2000

// TestGlobDifferential checks MyRedis's glob matching (KEYS, and through
// the same code SCAN MATCH and the SCAN family) against real Redis: keys
// and patterns are drawn from a small alphabet rich in the characters
// patterns treat specially (* ? [ ] ^ - \), and KEYS must return the same
// keys on both. MYREDIS_SEED replays a run.
func TestGlobDifferential(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if env := os.Getenv("MYREDIS_SEED"); env != "" {
		var err error
		seed, err = strconv.ParseUint(env, 10, 64)
		require.NoError(t, err, "MYREDIS_SEED")
	}
	t.Logf("seed %d (replay with MYREDIS_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	word := func(alphabet string, maxLen int) string {
		b := make([]byte, rng.IntN(maxLen+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	ref := startRedis(t)
	my := startServer(t)
	mc, rc := my.dial(t), ref.dial(t)
	mset := []string{"MSET"}
	for range 80 {
		mset = append(mset, word("abcAB-^[]\\*?!\x00\xe9", 5), "v")
	}
	mc.mustDo("+OK\r\n", mset...)
	rc.mustDo("+OK\r\n", mset...)
	for range globPatterns {
		pattern := word("abcAB-^[]\\*?!", 7)
		got := string(sortedReply([]byte(mc.do("KEYS", pattern)), false))
		want := string(sortedReply([]byte(rc.do("KEYS", pattern)), false))
		require.Equal(t, want, got, "seed %d: KEYS %q", seed, pattern)
	}
	// The same patterns over a hash's fields (HSCAN MATCH), where '\x00'
	// and the other bytes are fields rather than keys.
	hset := []string{"HSET", "h"}
	for i := 1; i < len(mset); i += 2 {
		hset = append(hset, mset[i], "v")
	}
	n := mc.do(hset...)
	require.Equal(t, rc.do(hset...), n)
	for range globPatterns / 4 {
		pattern := word("abcAB-^[]\\*?!", 7)
		cmd := []string{"HSCAN", "h", "0", "MATCH", pattern, "COUNT", "1000"}
		got := string(sortedReply([]byte(mc.do(cmd...)), true))
		want := string(sortedReply([]byte(rc.do(cmd...)), true))
		require.Equal(t, want, got, "seed %d: %q", seed, strings.Join(cmd, " "))
	}
}
