package cluster

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScriptsInCluster: EVAL and FCALL go whole to the node that owns
// their keys, keys on several nodes get CROSSSLOT, a keyless script runs
// where it is sent (and may only touch that node's keys), and the script
// cache and function libraries changes reach every node.
func TestScriptsInCluster(t *testing.T) {
	c := startCluster(t, "")
	a, b, z := c.client(0), c.client(1), c.client(2)
	onB := "{" + c.keyOn(1, "k") + "}x" // its hash tag places KEYS[1] .. ":n" on node 1 too

	// Forwarded whole to node 1, declared key and an undeclared one with
	// the same hash tag.
	got, err := a.Eval(ctx, "redis.call('set', KEYS[1], ARGV[1]) return redis.call('incr', KEYS[1] .. ':n')", []string{onB}, "v").Int()
	require.NoError(t, err)
	assert.Equal(t, 1, got)
	assert.Equal(t, "v", b.Get(ctx, onB).Val(), "the script ran on the key's owner")

	err = a.Eval(ctx, "return 1", []string{c.keyOn(1, "x"), c.keyOn(2, "y")}).Err()
	require.Error(t, err)
	assert.Equal(t, "CROSSSLOT Keys in request don't hash to the same slot", err.Error())

	assert.Equal(t, int64(7), a.Eval(ctx, "return 7", nil).Val())
	err = a.Eval(ctx, "return redis.call('get', ARGV[1])", nil, c.keyOn(2, "far")).Err()
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "ERR Script attempted to access a non local key in a cluster node"), err.Error())
	err = a.Eval(ctx, "#!lua flags=no-cluster\nreturn 1", nil).Err()
	require.Error(t, err)
	assert.Equal(t, "ERR Can not run script on cluster, 'no-cluster' flag is set.", err.Error())

	// SCRIPT LOAD through node 0 reaches every node: EVALSHA works
	// through node 2 for a key of node 1, and keyless on node 2.
	sha, err := a.ScriptLoad(ctx, "return redis.call('get', KEYS[1])").Result()
	require.NoError(t, err)
	assert.Equal(t, "v", z.EvalSha(ctx, sha, []string{onB}).Val())
	for i := range 3 {
		assert.Equal(t, []bool{true}, c.client(i).ScriptExists(ctx, sha).Val(), "node %d", i)
	}
	require.NoError(t, z.ScriptFlush(ctx).Err())
	for i := range 3 {
		assert.Equal(t, []bool{false}, c.client(i).ScriptExists(ctx, sha).Val(), "node %d after SCRIPT FLUSH", i)
	}

	// FUNCTION LOAD, DELETE and FLUSH reach every node.
	lib := "#!lua name=clib\nredis.register_function('cget', function(k) return redis.call('get', k[1]) end)"
	require.Equal(t, "clib", a.FunctionLoad(ctx, lib).Val())
	assert.Equal(t, "v", z.FCall(ctx, "cget", []string{onB}).Val())
	for i := range 3 {
		libs, err := c.client(i).FunctionList(ctx, redis.FunctionListQuery{}).Result()
		require.NoError(t, err)
		require.Len(t, libs, 1, "node %d", i)
	}
	require.NoError(t, b.FunctionDelete(ctx, "clib").Err())
	for i := range 3 {
		assert.Empty(t, c.client(i).FunctionList(ctx, redis.FunctionListQuery{}).Val(), "node %d after FUNCTION DELETE", i)
	}
}
