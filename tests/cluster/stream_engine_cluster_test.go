package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStreamsInCluster: stream commands go to their key's node from any
// node; XREAD and XREADGROUP over streams of several nodes get CROSSSLOT;
// an XREAD BLOCK forwarded to the key's node waits there, on a connection
// of its own, while other clients' commands forwarded through the same
// node to the same peer go on, and is served by an XADD sent through a
// third node.
func TestStreamsInCluster(t *testing.T) {
	c := startCluster(t, "")
	a, z := c.client(0), c.client(2)
	s1, s2 := c.keyOn(1, "s"), c.keyOn(2, "s")

	require.Equal(t, "1-1", a.XAdd(ctx, &redis.XAddArgs{Stream: s1, ID: "1-1", Values: []string{"f", "v"}}).Val())
	require.NoError(t, a.XGroupCreate(ctx, s1, "g", "0").Err())
	got, err := z.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{s1, ">"}}).Result()
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "1-1", got[0].Messages[0].ID)
	assert.Equal(t, int64(1), c.client(1).XLen(ctx, s1).Val(), "the stream lives on its owner")
	assert.Equal(t, int64(1), a.XPending(ctx, s1, "g").Val().Count)

	err = a.XRead(ctx, &redis.XReadArgs{Streams: []string{s1, s2, "0", "0"}}).Err()
	require.Error(t, err)
	assert.Equal(t, "CROSSSLOT Keys in request don't hash to the same slot", err.Error())
	err = a.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{s1, s2, ">", ">"}}).Err()
	require.Error(t, err)
	assert.Equal(t, "CROSSSLOT Keys in request don't hash to the same slot", err.Error())

	// A blocked XREAD on node 1, sent through node 0 on a connection of
	// one client that keeps others for its other commands.
	blocked := make(chan []redis.XStream, 1)
	reader := redis.NewClient(&redis.Options{Addr: c.nodes[0].addr, PoolSize: 1})
	t.Cleanup(func() { reader.Close() })
	go func() {
		res, _ := reader.XRead(ctx, &redis.XReadArgs{Streams: []string{s1, "$"}, Block: 0}).Result()
		blocked <- res
	}()
	pollUntil(t, func() bool { return oneBlocked(c.client(1)) })
	start := time.Now()
	for i := range 20 {
		require.NoError(t, a.Set(ctx, c.keyOn(1, "k"), i, 0).Err())
		require.NoError(t, a.XAdd(ctx, &redis.XAddArgs{Stream: s2, Values: []string{"n", "1"}}).Err())
	}
	assert.Less(t, time.Since(start), 5*time.Second, "forwarded traffic goes on while an XREAD waits")
	select {
	case <-blocked:
		t.Fatal("XREAD BLOCK answered before an entry came")
	default:
	}
	require.NoError(t, z.XAdd(ctx, &redis.XAddArgs{Stream: s1, ID: "2-1", Values: []string{"new", "entry"}}).Err())
	select {
	case res := <-blocked:
		require.Len(t, res, 1)
		assert.Equal(t, "2-1", res[0].Messages[0].ID)
	case <-time.After(10 * time.Second):
		t.Fatal("the blocked XREAD was not served")
	}
}

// oneBlocked reports whether a node has exactly one blocked client.
func oneBlocked(rdb *redis.Client) bool {
	return strings.Contains(rdb.Info(ctx, "clients").Val(), "blocked_clients:1\r\n")
}

// pollUntil polls cond for up to 10 seconds.
func pollUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "timed out")
	}
}
