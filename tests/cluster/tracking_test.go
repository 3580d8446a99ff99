package cluster

import (
	"strconv"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"
)

// Client-side caching in a cluster: a tracking client's read of a key
// another node owns is forwarded and tracked there, and the invalidation
// comes back through the node the client is connected to, whichever node
// the write went through.

// readPush reads one reply (a push) from c within replyWithin.
func (c *rawConn) readPush(t *testing.T) string {
	t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(replyWithin))
	reply, err := c.r.ReadReply()
	require.NoError(t, err, "no invalidation push")
	return string(reply)
}

func invalidation(key string) string {
	return ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + strconv.Itoa(len(key)) + "\r\n" + key + "\r\n"
}

func TestTrackingThroughForwardingNode(t *testing.T) {
	c := startCluster(t, "")
	a := dialRaw(t, c.nodes[0].addr)
	_, err := a.do([]string{"HELLO", "3"})
	require.NoError(t, err)
	replies, err := a.do([]string{"CLIENT", "TRACKING", "ON"})
	require.NoError(t, err)
	require.Equal(t, "+OK\r\n", replies[0])
	k := c.keyOn(1, "trk:") // owned by node 1, read through node 0
	direct, via2, via0 := dialRaw(t, c.nodes[1].addr), dialRaw(t, c.nodes[2].addr), dialRaw(t, c.nodes[0].addr)
	for i, w := range []*rawConn{direct, via2, via0} {
		replies, err := a.do([]string{"GET", k})
		require.NoError(t, err)
		if i == 0 {
			require.Equal(t, "_\r\n", replies[0])
		}
		_, err = w.do([]string{"SET", k, "v" + strconv.Itoa(i)})
		require.NoError(t, err)
		require.Equal(t, invalidation(k), a.readPush(t), "write %d", i)
	}
	// A key of the node itself, and one read in a transaction forwarded whole.
	own := c.keyOn(0, "trk-own:")
	_, err = a.do([]string{"GET", own})
	require.NoError(t, err)
	_, err = via2.do([]string{"SET", own, "x"})
	require.NoError(t, err)
	require.Equal(t, invalidation(own), a.readPush(t))
	replies, err = a.do([]string{"MULTI"}, []string{"GET", k}, []string{"EXEC"})
	require.NoError(t, err)
	require.Equal(t, "*1\r\n$2\r\nv2\r\n", replies[2])
	_, err = direct.do([]string{"SET", k, "after-multi"})
	require.NoError(t, err)
	require.Equal(t, invalidation(k), a.readPush(t))
	// Nothing else is pending: the next reply is PONG.
	replies, err = a.do([]string{"PING"})
	require.NoError(t, err)
	require.Equal(t, "+PONG\r\n", replies[0])
}

// checkRueidisCluster runs the DoCache cycle with a rueidis client: cached,
// invalidated by a write through another node, read again.
func checkRueidisCluster(t *testing.T, cl rueidis.Client, set func(k, v string)) {
	const k = "csc:product:7"
	get := func() (string, bool) {
		res := cl.DoCache(ctx, cl.B().Get().Key(k).Cache(), time.Minute)
		v, err := res.ToString()
		require.NoError(t, err)
		return v, res.IsCacheHit()
	}
	set(k, "v1")
	v, hit := get()
	require.Equal(t, "v1", v)
	require.False(t, hit)
	v, hit = get()
	require.Equal(t, "v1", v)
	require.True(t, hit, "the second DoCache comes from the cache")
	set(k, "v2")
	start := time.Now()
	for {
		if v, _ = get(); v == "v2" {
			t.Logf("invalidated after %v", time.Since(start))
			break
		}
		require.Less(t, time.Since(start), 5*time.Second, "never invalidated")
		time.Sleep(time.Millisecond)
	}
	v, hit = get()
	require.Equal(t, "v2", v)
	require.True(t, hit)
}

func TestTrackingRueidisCluster(t *testing.T) {
	c := startCluster(t, "")
	writer := c.client(2)
	set := func(k, v string) { require.NoError(t, writer.Set(ctx, k, v, 0).Err()) }
	t.Run("cluster-client", func(t *testing.T) {
		cl, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{c.nodes[0].addr}})
		require.NoError(t, err)
		defer cl.Close()
		checkRueidisCluster(t, cl, set)
	})
	t.Run("through-one-node", func(t *testing.T) {
		cl, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{c.nodes[0].addr}, ForceSingleClient: true})
		require.NoError(t, err)
		defer cl.Close()
		checkRueidisCluster(t, cl, set)
	})
}
