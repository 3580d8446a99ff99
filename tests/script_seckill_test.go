package tests

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seckillScript sells one unit atomically. KEYS[1] is the stock (a
// counter), KEYS[2] the set of users who bought, KEYS[3] the order queue
// (a list); ARGV[1] is the user. It returns the stock left after the sale
// (0 or more) when the user bought one unit, seckillSoldOut when the stock
// is gone, seckillAlreadyBought when the user had bought before.
const seckillScript = `
local stock = tonumber(redis.call('GET', KEYS[1]))
if stock == nil or stock <= 0 then
  return -1
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return -2
end
local left = redis.call('DECR', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('RPUSH', KEYS[3], ARGV[1])
return left
`

// The seckill script's replies other than a sale.
const (
	seckillSoldOut       = -1
	seckillAlreadyBought = -2
)

// TestScriptSeckill is the flash sale of the seckill service on one Lua
// script: buyers concurrent go-redis clients, each with its own
// connection and a user id (the last repeats of them reuse the ids of the
// first), try to buy twice each from a stock of units. Exactly units are
// sold, to distinct users, each sale leaves a distinct stock count from
// units-1 down to 0, the queue holds one order per buyer, and no reader
// ever sees the stock below zero.
func TestScriptSeckill(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		const (
			buyers   = 200
			repeats  = 30 // buyers that share a user id with another buyer
			units    = 100
			attempts = 2 // per buyer: the second must not buy again
		)
		ctx := testContext(t, 30*time.Second)
		admin := redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1})
		t.Cleanup(func() { admin.Close() })
		require.NoError(t, admin.Set(ctx, "seckill:stock", units, 0).Err())
		keys := []string{"seckill:stock", "seckill:buyers", "seckill:orders"}
		script := redis.NewScript(seckillScript)

		// An observer reads the stock until the sale ends.
		done := make(chan struct{})
		observed := make(chan error, 1)
		go func() { observed <- watchStock(ctx, admin, "seckill:stock", done) }()

		type result struct {
			user  string
			reply int64
		}
		results := make(chan result, buyers*attempts)
		errs := make(chan error, buyers*attempts)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for b := range buyers {
			user := "user:" + strconv.Itoa(b%(buyers-repeats))
			wg.Go(func() {
				rdb := redis.NewClient(&redis.Options{Addr: s.addr(), PoolSize: 1, MaxRetries: -1,
					DialTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
				defer rdb.Close()
				<-start
				for range attempts {
					n, err := script.Run(ctx, rdb, keys, user).Int64()
					if err != nil {
						errs <- fmt.Errorf("%s: %w", user, err)
						return
					}
					results <- result{user, n}
				}
			})
		}
		begin := time.Now()
		close(start)
		wg.Wait()
		close(done)
		close(results)
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		require.NoError(t, <-observed)

		var lefts []int64
		boughtBy := map[string]int{}
		var soldOut, already []string
		for r := range results {
			switch {
			case r.reply >= 0:
				lefts = append(lefts, r.reply)
				boughtBy[r.user]++
			case r.reply == seckillSoldOut:
				soldOut = append(soldOut, r.user)
			case r.reply == seckillAlreadyBought:
				already = append(already, r.user)
			default:
				t.Errorf("%s: unexpected reply %d", r.user, r.reply)
			}
		}
		assert.Len(t, lefts, units, "units sold")
		slices.Sort(lefts)
		for i, left := range lefts {
			if left != int64(i) {
				t.Errorf("the sales left stock counts %v, want each of 0..%d once", lefts, units-1)
				break
			}
		}
		for user, n := range boughtBy {
			assert.Equal(t, 1, n, "%s bought %d times", user, n)
		}
		for _, user := range already {
			assert.Contains(t, boughtBy, user, "%s was told it had bought, but did not", user)
		}

		stock, err := admin.Get(ctx, "seckill:stock").Int()
		require.NoError(t, err)
		assert.Equal(t, 0, stock, "stock left")
		members, err := admin.SMembers(ctx, "seckill:buyers").Result()
		require.NoError(t, err)
		orders, err := admin.LRange(ctx, "seckill:orders", 0, -1).Result()
		require.NoError(t, err)
		slices.Sort(members)
		slices.Sort(orders)
		var sold []string
		for user := range boughtBy {
			sold = append(sold, user)
		}
		slices.Sort(sold)
		assert.Equal(t, sold, members, "the buyers set holds the users who bought")
		assert.Equal(t, sold, orders, "the order queue holds one order per user who bought")
		t.Logf("%s: %d buyers (%d users), %d sold, %d sold-out and %d already-bought replies, %v",
			s.name, buyers, buyers-repeats, len(lefts), len(soldOut), len(already), time.Since(begin).Round(time.Millisecond))
	})
}

// watchStock reads key until done is closed (at least once, the last read
// after done) or ctx ends, and returns an error if it ever reads a negative
// number or anything but a number.
func watchStock(ctx context.Context, rdb *redis.Client, key string, done <-chan struct{}) error {
	for reads := 0; ; reads++ {
		finished := false
		select {
		case <-done:
			finished = true
		default:
		}
		n, err := rdb.Get(ctx, key).Int64()
		switch {
		case err != nil:
			return fmt.Errorf("read %d of %s: %w", reads, key, err)
		case n < 0:
			return fmt.Errorf("read %d of %s: %d, below zero", reads, key, n)
		case finished:
			return nil
		}
	}
}
