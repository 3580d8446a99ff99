package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClusterClient checks, on the three nodes (MyRedis or Redis) and
// without streams, what the service needs from go-redis's ClusterClient:
// the script loads on every master, a product's three keys map to one
// node (their hash tag), and the stock and rate-limit pipelines work.
func TestClusterClient(t *testing.T) {
	n := startNodes(t)
	ctx := context.Background()
	rdb := newRedisClient(Redis{Addrs: n.addrs})
	t.Cleanup(func() { rdb.Close() })
	cc, ok := rdb.(*redis.ClusterClient)
	require.True(t, ok, "several addresses make a ClusterClient")

	sale := &Sale{rdb: rdb}
	require.NoError(t, sale.Load(ctx))
	var masters atomic.Int32
	require.NoError(t, cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		masters.Add(1)
		loaded, err := c.ScriptExists(ctx, buyScript.Hash()).Result()
		if err == nil && !loaded[0] {
			t.Errorf("the buy script is not loaded on %s", c.Options().Addr)
		}
		return err
	}))
	assert.EqualValues(t, 3, masters.Load())

	owners := make(map[string]bool)
	for _, pid := range []string{"phone", "tv", "p1", "p2", "p3", "p4"} {
		var nodes []string
		for _, key := range []string{stockKey(pid), buyersKey(pid), ordersKey(pid)} {
			c, err := cc.MasterForKey(ctx, key)
			require.NoError(t, err)
			nodes = append(nodes, c.Options().Addr)
			slot, err := c.ClusterKeySlot(ctx, key).Result()
			require.NoError(t, err)
			assert.Equal(t, cc.ClusterKeySlot(ctx, stockKey(pid)).Val(), slot, "%s's slot", key)
		}
		assert.Equal(t, nodes[0], nodes[1], pid)
		assert.Equal(t, nodes[0], nodes[2], pid)
		owners[nodes[0]] = true

		require.NoError(t, sale.Stock(ctx, Product{ID: pid, Stock: 7}))
		require.NoError(t, sale.Stock(ctx, Product{ID: pid, Stock: 9}), "SETNX keeps a sale's stock")
		left, sold, err := sale.Counts(ctx, pid)
		require.NoError(t, err)
		assert.Equal(t, [2]int64{7, 0}, [2]int64{left, sold})
	}
	assert.Greater(t, len(owners), 1, "the products spread over the nodes")
	_, _, err := sale.Counts(ctx, "nosuchproduct")
	assert.ErrorIs(t, err, errUnknownProduct)

	now := time.Now()
	for i := range 3 {
		allowed, err := sale.Allow(ctx, "rl-user", 2, now)
		require.NoError(t, err)
		assert.Equal(t, i < 2, allowed, "attempt %d", i)
	}
}
