package tests

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStreamAOFKill9UnderLoad: on both servers under appendfsync always, a
// producer (XADD), a consumer (XREADGROUP then XACK) and a claimer
// (XAUTOCLAIM) run until the server is killed with -9. After the restart
// every acknowledged XADD is there (and at most the one in flight more),
// no acknowledged XACK's entry is pending, every entry delivered and not
// acknowledged is pending, and what the claimer took stays its own unless
// acknowledged.
func TestStreamAOFKill9UnderLoad(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, append([]string{"--appendonly", "yes", "--appendfsync", "always"}, redisAOFArgs...)...)
		waitLoaded(t, s)
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		admin := newRawClient(t, s, 0)
		require.NoError(t, admin.XGroupCreateMkStream(ctx, "q", "g", "0").Err())

		var (
			wg        sync.WaitGroup
			added     int                 // the last entry whose XADD was acknowledged
			delivered = map[string]bool{} // acknowledged XREADGROUP deliveries to "consumer"
			acked     = map[string]bool{} // entries of acknowledged XACKs
			inFlight  []string            // the XACK that got no reply, if any
			claimed   = map[string]bool{} // acknowledged XAUTOCLAIMs by "claimer"
		)
		producer, consumer, claimer := newRawClient(t, s, 0), newRawClient(t, s, 0), newRawClient(t, s, 0)
		wg.Go(func() {
			for i := 1; ; i++ {
				if producer.XAdd(ctx, &redis.XAddArgs{Stream: "q", ID: strconv.Itoa(i) + "-0", Values: []string{"n", strconv.Itoa(i)}}).Err() != nil {
					return
				}
				added = i
			}
		})
		wg.Go(func() {
			for {
				streams, err := consumer.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "consumer",
					Streams: []string{"q", ">"}, Count: 10, Block: 20 * time.Millisecond}).Result()
				if err != nil && !errors.Is(err, redis.Nil) {
					return
				}
				var ids []string
				for _, st := range streams {
					for _, m := range st.Messages {
						ids = append(ids, m.ID)
						delivered[m.ID] = true
					}
				}
				// Every other batch stays pending, for the claimer.
				if len(ids) == 0 || len(delivered)%20 >= 10 {
					continue
				}
				if consumer.XAck(ctx, "q", "g", ids...).Err() != nil {
					inFlight = ids
					return
				}
				for _, id := range ids {
					acked[id] = true
				}
			}
		})
		wg.Go(func() {
			for {
				ids, _, err := claimer.XAutoClaimJustID(ctx, &redis.XAutoClaimArgs{Stream: "q", Group: "g",
					MinIdle: 50 * time.Millisecond, Start: "0-0", Count: 5, Consumer: "claimer"}).Result()
				if err != nil {
					return
				}
				for _, id := range ids {
					claimed[id] = true
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
		time.Sleep(1500 * time.Millisecond)
		kill(t, s)
		wg.Wait()

		s = restart(t, s)
		rdb := newRawClient(t, s, 0)
		require.Positive(t, added, "no XADD acknowledged")
		n := int(rdb.XLen(ctx, "q").Val())
		assert.True(t, n == added || n == added+1, "%d entries after the restart, %d acknowledged", n, added)
		last, err := rdb.XRevRangeN(ctx, "q", "+", "-", 1).Result()
		require.NoError(t, err)
		require.Len(t, last, 1)
		assert.Contains(t, []string{strconv.Itoa(added) + "-0", strconv.Itoa(added+1) + "-0"}, last[0].ID)

		pel, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "q", Group: "g", Start: "-", End: "+", Count: 1 << 20}).Result()
		require.NoError(t, err)
		owner := map[string]string{}
		for _, p := range pel {
			owner[p.ID] = p.Consumer
		}
		maybeAcked := map[string]bool{}
		for _, id := range inFlight {
			maybeAcked[id] = true
		}
		for id := range acked {
			assert.NotContains(t, owner, id, "acknowledged XACK of %s undone", id)
		}
		for id := range delivered {
			if !acked[id] && !maybeAcked[id] {
				assert.Contains(t, owner, id, "%s was delivered, never acknowledged, and is not pending", id)
			}
		}
		for id := range claimed {
			if o, ok := owner[id]; ok {
				assert.Equal(t, "claimer", o, "%s was claimed by claimer", id)
			}
		}
		require.NotEmpty(t, claimed, "the claimer took nothing over")
		t.Logf("%d entries added, %d delivered, %d acknowledged, %d claimed, %d pending after kill -9",
			added, len(delivered), len(acked), len(claimed), len(pel))
	})
}
