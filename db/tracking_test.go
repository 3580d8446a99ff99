package db

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"myredis/resp"
)

// trackingKS returns a keyspace whose invalidations are recorded as
// "target:key,key" strings ("target:*" for a flush), with the client that
// caused them ("-" for none).
func trackingKS(t *testing.T) (*Keyspace, *[]string) {
	ks := New(NewTable(), 16)
	var got []string
	ks.OnInvalidate(func(from *Client, invs []Invalidation) {
		by := "-"
		if from != nil {
			by = fmt.Sprint(from.ID)
		}
		for _, inv := range invs {
			keys := "*"
			if inv.Keys != nil {
				var ks []string
				for _, k := range inv.Keys {
					ks = append(ks, string(k))
				}
				keys = strings.Join(ks, ",")
			}
			got = append(got, fmt.Sprintf("%d:%s by %s", inv.Target.ID, keys, by))
		}
	})
	return ks, &got
}

func TestTrackingTable(t *testing.T) {
	ks, got := trackingKS(t)
	a, b, w := &Client{ID: 1}, &Client{ID: 2}, &Client{ID: 3}
	ks.EnableTracking(a, 0, 0, nil)
	ks.EnableTracking(b, 0, TrackNoloop, nil)

	run(ks, a, []string{"MGET", "k1", "k2"}, []string{"SET", "x", "1"}) // SET is no read
	run(ks, b, []string{"GET", "k1"}, []string{"INCR", "n"})
	assert.Equal(t, TrackingStats{Clients: 2, Keys: 2, Items: 3}, ks.TrackingStats())

	run(ks, w, []string{"SET", "k1", "v"}, []string{"SET", "x", "2"})
	slices.Sort(*got)
	assert.Equal(t, []string{"1:k1 by 3", "2:k1 by 3"}, *got)
	assert.Equal(t, TrackingStats{Clients: 2, Keys: 1, Items: 1}, ks.TrackingStats(), "k1's readers are forgotten")

	*got = nil
	run(ks, b, []string{"GET", "k2"}, []string{"SET", "k2", "mine"}) // NOLOOP: b's own write
	assert.Equal(t, []string{"1:k2 by 2"}, *got)

	*got = nil
	run(ks, a, []string{"GET", "k3"})
	run(ks, w, []string{"SELECT", "5"}, []string{"FLUSHDB"})
	slices.Sort(*got)
	assert.Equal(t, []string{"1:* by 3", "2:* by 3"}, *got, "a flush of any database invalidates every tracking client")
	assert.Equal(t, TrackingStats{Clients: 2}, ks.TrackingStats())

	run(ks, a, []string{"GET", "k4"}, []string{"GET", "k5"})
	ks.DisableTracking(a)
	assert.Equal(t, TrackingStats{Clients: 1}, ks.TrackingStats(), "a client that stops tracking leaves the table")
}

func TestTrackingOptinAndScripts(t *testing.T) {
	ks, got := trackingKS(t)
	a, w := &Client{ID: 1}, &Client{ID: 2}
	ks.EnableTracking(a, 0, TrackOptin, nil)
	run(ks, a, []string{"GET", "k"})
	assert.Zero(t, ks.TrackingStats().Keys, "OPTIN without CLIENT CACHING YES")
	a.SetTrackingCaching(true)
	run(ks, a, []string{"MULTI"}, []string{"GET", "k"}, []string{"EXEC"})
	assert.Equal(t, int64(1), ks.TrackingStats().Keys, "CACHING YES covers the transaction")
	run(ks, w, []string{"DEL", "k"}, []string{"SET", "k", "v"})
	assert.Equal(t, []string{"1:k by 2"}, *got)
}

func TestTrackingBcast(t *testing.T) {
	ks, got := trackingKS(t)
	a, b, w := &Client{ID: 1}, &Client{ID: 2}, &Client{ID: 3}
	ks.EnableTracking(a, 0, TrackBcast, []string{"user:", "item:"})
	ks.EnableTracking(b, 0, TrackBcast|TrackNoloop, nil)
	assert.Equal(t, int64(3), ks.TrackingStats().Prefixes)
	run(ks, a, []string{"GET", "user:1"})
	assert.Zero(t, ks.TrackingStats().Keys, "BCAST remembers no reads")

	run(ks, w, []string{"MSET", "user:2", "a", "other", "b", "user:1", "c", "item:9", "d"})
	slices.Sort(*got)
	assert.Equal(t, []string{"1:item:9 by 3", "1:user:1,user:2 by 3", "2:item:9,other,user:1,user:2 by 3"}, *got)

	*got = nil
	run(ks, b, []string{"SET", "user:3", "x"})
	assert.Equal(t, []string{"1:user:3 by 2"}, *got, "NOLOOP in BCAST")
	ks.DisableTracking(a)
	assert.Equal(t, int64(1), ks.TrackingStats().Prefixes)
}

func TestTrackingTableLimitEvicts(t *testing.T) {
	ks, got := trackingKS(t)
	a := &Client{ID: 1}
	ks.EnableTracking(a, 0, 0, nil)
	ks.SetTrackingMaxKeys(3)
	run(ks, a, []string{"MGET", "a", "b", "c", "d", "e"})
	require.Len(t, *got, 2)
	assert.Equal(t, int64(3), ks.TrackingStats().Keys)
	ks.SetTrackingMaxKeys(0)
	run(ks, a, []string{"MGET", "f", "g"})
	assert.Equal(t, int64(5), ks.TrackingStats().Keys, "0: no limit")
}

func TestTrackingRemote(t *testing.T) {
	ks, got := trackingKS(t)
	a := &Client{ID: 1}
	ks.EnableTracking(a, 0, 0, nil)
	get := ks.Table().Get([]byte("get"))
	require.True(t, a.TracksRead(get))
	ks.RememberKeys(a, [][]byte{[]byte("far")})
	ks.InvalidateRemote([][]byte{[]byte("far"), []byte("unknown")})
	ks.InvalidateRemote(nil)
	assert.Equal(t, []string{"1:far by -", "1:* by -"}, *got)
}

// BenchmarkTrackedGet is BenchmarkGet by a client that tracks its reads:
// the difference is what remembering a read costs.
func BenchmarkTrackedGet(b *testing.B) {
	ks := New(NewTable(), 16)
	cl := &Client{ID: 1}
	run(ks, cl, []string{"SET", "key:000000000001", "xxx"})
	ks.EnableTracking(cl, 0, 0, nil)
	get := ks.Table().Get([]byte("get"))
	args := [][]byte{[]byte("GET"), []byte("key:000000000001")}
	w := resp.NewWriter(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		ks.Exec(cl, get, args, w)
		if w.Buffered() > 4096 {
			w.Flush()
		}
	}
}
