package tests

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestSeckill is the "never oversell" pattern end to end: buyers concurrent
// clients each run WATCH stock; GET stock; MULTI; DECR stock; EXEC, retrying
// when EXEC aborts, until they bought one unit or saw the stock at 0. Exactly
// stock buyers succeed, the stock ends at 0, no DECR ever returns a
// negative value and no EXEC aborts without a sale in between.
func TestSeckill(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		// Each sale aborts a buyer's EXEC at most once (the buyer watches
		// again after that sale), so stock+1 attempts always reach a sale or
		// "sold out": a buyer that needs more saw a spurious abort.
		const (
			buyers      = 200
			stock       = 100
			maxAttempts = stock + 1
		)
		rdb := redis.NewClient(&redis.Options{Addr: s.addr(), PoolSize: buyers, MaxRetries: -1,
			DialTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
		t.Cleanup(func() { rdb.Close() })
		ctx := testContext(t, 20*time.Second)
		if err := rdb.Set(ctx, "stock", stock, 0).Err(); err != nil {
			t.Fatal(err)
		}

		var sold, aborts, negative atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, buyers)
		start := time.Now()
		for b := range buyers {
			wg.Go(func() {
				bought, err := buy(ctx, rdb, maxAttempts, &aborts, &negative)
				if err != nil {
					errs <- fmt.Errorf("buyer %d: %w", b, err)
				}
				if bought {
					sold.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := negative.Load(); n != 0 {
			t.Errorf("%d DECR stock replies were negative", n)
		}
		if got := sold.Load(); got != stock {
			t.Errorf("%d buyers succeeded, want %d", got, stock)
		}
		if left, err := rdb.Get(ctx, "stock").Int(); err != nil || left != 0 {
			t.Errorf("stock ends at %d (%v), want 0", left, err)
		}
		t.Logf("%s: %d buyers, %d sold, %d aborted EXECs, %v", s.name, buyers, sold.Load(), aborts.Load(),
			time.Since(start).Round(time.Millisecond))
	})
}

// errSoldOut ends a buyer's attempts once it has seen no stock left.
var errSoldOut = errors.New("sold out")

// buy runs the check-and-decrement transaction until it commits, the stock
// is seen at 0 or below, or maxAttempts runs out (an error). Aborted EXECs
// are counted in aborts, negative DECR replies in negative.
func buy(ctx context.Context, rdb *redis.Client, maxAttempts int, aborts, negative *atomic.Int64) (bool, error) {
	for range maxAttempts {
		err := rdb.Watch(ctx, func(tx *redis.Tx) error {
			n, err := tx.Get(ctx, "stock").Int()
			if err != nil {
				return err
			}
			if n <= 0 {
				return errSoldOut
			}
			var decr *redis.IntCmd
			if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				decr = p.Decr(ctx, "stock")
				return nil
			}); err != nil {
				return err
			}
			if decr.Val() < 0 {
				negative.Add(1)
			}
			return nil
		}, "stock")
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, errSoldOut):
			return false, nil
		case errors.Is(err, redis.TxFailedErr):
			aborts.Add(1)
		default:
			return false, err
		}
	}
	return false, fmt.Errorf("no result after %d attempts", maxAttempts)
}
