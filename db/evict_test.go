package db

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLFUCounter(t *testing.T) {
	now := int64(1_000_000) * 60000 // a whole minute
	meta := lfuMinutes(now)<<8 | 10
	assert.Equal(t, uint32(10), lfuDecayed(meta, now, 1), "no time passed")
	assert.Equal(t, uint32(7), lfuDecayed(meta, now+3*60000, 1), "one per minute")
	assert.Equal(t, uint32(9), lfuDecayed(meta, now+3*60000, 2), "one per two minutes")
	assert.Equal(t, uint32(0), lfuDecayed(meta, now+30*60000, 1), "never below 0")
	assert.Equal(t, uint32(10), lfuDecayed(meta, now+30*60000, 0), "decay off")
	wrapped := uint32(0xffff)<<8 | 10 // the 16-bit minute wraps
	assert.Equal(t, uint32(8), lfuDecayed(wrapped, int64(0x10001)*60000, 1))
	// Below lfuInitVal every access counts; above, fewer and fewer do.
	assert.Equal(t, uint32(5), lfuLogIncr(4, 10))
	c := uint32(lfuInitVal)
	for range 1000 {
		c = lfuLogIncr(c, 10)
	}
	assert.Greater(t, c, uint32(10))
	assert.Less(t, c, uint32(40), "1000 accesses with log factor 10")
	assert.Equal(t, uint32(255), lfuLogIncr(255, 0))
}

func TestEvictionPoolOffer(t *testing.T) {
	var ev evictor
	for i := range 40 {
		ev.offer(candidate{score: uint64(i * 7 % 40), key: strconv.Itoa(i)})
	}
	require.Len(t, ev.pool, evpoolSize)
	for i := 1; i < len(ev.pool); i++ {
		assert.Less(t, ev.pool[i-1].score, ev.pool[i].score, "sorted by score")
	}
	assert.Equal(t, uint64(40-evpoolSize), ev.pool[0].score, "keeps the best 16")
	ev.offer(candidate{score: 100, key: ev.pool[0].key}) // the same key again: rescored
	assert.Len(t, ev.pool, evpoolSize)
	assert.Equal(t, uint64(100), ev.pool[evpoolSize-1].score)
}

// TestEvictKeyspace fills a keyspace past a small limit under each policy
// and checks what went, the counters, and that the totals stay true.
func TestEvictKeyspace(t *testing.T) {
	value := string(make([]byte, 1000))
	for _, tc := range []struct {
		policy     Policy
		persistent bool // the persistent keys must all stay
	}{
		{PolicyAllKeysLRU, false}, {PolicyAllKeysLFU, false}, {PolicyAllKeysRandom, false},
		{PolicyVolatileLRU, true}, {PolicyVolatileLFU, true}, {PolicyVolatileRandom, true}, {PolicyVolatileTTL, true},
	} {
		t.Run(strconv.Itoa(int(tc.policy)), func(t *testing.T) {
			ks := New(NewTable(), 4)
			ks.SetEviction(EvictionConfig{MaxMemory: 100 << 10, Policy: tc.policy, Samples: 5, Tenacity: 100, LFULogFactor: 10, LFUDecayTime: 1})
			cl := &Client{DB: 1}
			for i := range 20 {
				run(ks, cl, []string{"SET", "p" + strconv.Itoa(i), value})
			}
			for i := range 400 {
				require.True(t, ks.Evict())
				run(ks, cl, []string{"SET", "v" + strconv.Itoa(i), value, "EX", strconv.Itoa(1000 + i)})
			}
			require.True(t, ks.Evict())
			assert.LessOrEqual(t, ks.MemUsage().Total(), int64(100<<10))
			assert.Positive(t, ks.stats.EvictedKeys.Load())
			assert.Equal(t, int64(420)-ks.stats.EvictedKeys.Load(), int64(ks.dbs[1].Len()))
			if tc.persistent {
				assert.Equal(t, ":20\r\n", run(ks, cl, []string{"EXISTS", "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9",
					"p10", "p11", "p12", "p13", "p14", "p15", "p16", "p17", "p18", "p19"}))
			}
			checkAccounting(t, ks)
		})
	}
}

// TestEvictNothing: noeviction, or a volatile policy with no volatile key,
// reports that nothing can be freed.
func TestEvictNothing(t *testing.T) {
	for _, p := range []Policy{PolicyNoEviction, PolicyVolatileLRU, PolicyVolatileTTL} {
		ks := New(NewTable(), 2)
		ks.SetEviction(EvictionConfig{MaxMemory: 1, Policy: p, Samples: 5, Tenacity: 10})
		run(ks, &Client{}, []string{"SET", "k", "v"})
		assert.False(t, ks.Evict(), "policy %d", p)
		assert.Equal(t, 1, ks.dbs[0].Len())
	}
}

func TestObjectFreqIdletime(t *testing.T) {
	ks := New(NewTable(), 1)
	cl := &Client{}
	run(ks, cl, []string{"SET", "k", "v"})
	assert.Contains(t, run(ks, cl, []string{"OBJECT", "FREQ", "k"}), "-ERR An LFU maxmemory policy is not selected")
	ks.SetEviction(EvictionConfig{Policy: PolicyAllKeysLFU, Samples: 5, LFULogFactor: 10, LFUDecayTime: 1})
	// A new key: an old one's bits are the LRU clock's until they adjust.
	run(ks, cl, []string{"SET", "n", "v"})
	assert.Equal(t, ":5\r\n", run(ks, cl, []string{"OBJECT", "FREQ", "n"}), "a new key starts at LFU_INIT_VAL")
	run(ks, cl, []string{"GET", "n"})
	assert.Equal(t, ":6\r\n", run(ks, cl, []string{"OBJECT", "FREQ", "n"}), "the first access above it always counts")
	run(ks, cl, []string{"TYPE", "n"}, []string{"EXISTS", "n"}, []string{"TTL", "n"})
	assert.Equal(t, ":6\r\n", run(ks, cl, []string{"OBJECT", "FREQ", "n"}), "no touch")
	assert.Contains(t, run(ks, cl, []string{"OBJECT", "IDLETIME", "n"}), "-ERR An LFU maxmemory policy is selected, idle time not tracked.")
}
