package main

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSale runs the whole system on three nodes with appendfsync always:
// two web servers, two workers, each store. See runSale, and the
// subtests for a dead worker's orders and a node killed mid-sale.
func TestSale(t *testing.T) {
	n := startNodes(t)
	t.Run("sqlite", func(t *testing.T) {
		runSale(t, n, Config{SQLite: &SQLite{Path: filepath.Join(t.TempDir(), "orders.db")}}, "phone-sqlite")
	})
	t.Run("mariadb", func(t *testing.T) {
		runSale(t, n, startMariaDB(t), "phone-mariadb")
	})
	t.Run("dead worker's orders", func(t *testing.T) { testDeadWorker(t, n) })
	t.Run("node killed mid-sale", func(t *testing.T) { testNodeRestart(t, n) })
}

const saleStock = 200

// runSale sells saleStock units to 3,000 attempts from 800 users (10%
// forged) through both web servers, SIGKILLs worker 0 once 50 units are
// sold and starts it again, and checks: exactly the stock sold, one order
// per buyer, every acknowledged sale exactly one row, no forged or expired
// token bought, and nothing lost by the killed worker.
func runSale(t *testing.T, n *nodes, store Config, pid string) {
	s := openShop(t, n, store, pid, saleStock)
	ctx := context.Background()

	expired, _ := NewTokens(s.cfg.Backend.APISecret, func() time.Time { return time.Now().Add(-tokenTTL) }).Issue("late", pid)
	status, reason := s.check(t, "late", expired)
	assert.Equal(t, 403, status)
	assert.Equal(t, "expired_token", reason)

	done := make(chan LoadResult)
	go func() { done <- s.load(t, 3000, 800, 0.1, 1) }()
	s.soldAtLeast(t, 50)
	s.workers[0].stop(syscall.SIGKILL)
	s.workers[0].start()
	res := <-done
	a := s.settle(t)

	require.NoError(t, a.Check())
	assert.EqualValues(t, saleStock, a.Sold, "sold")
	assert.EqualValues(t, saleStock, a.Orders, "rows")
	assert.Zero(t, a.Left, "left")
	assert.Zero(t, res.ForgedAccepted, "forged tokens that bought")
	assert.Positive(t, res.Forbidden, "forged tokens refused")
	assert.Equal(t, saleStock, res.Bought, "acknowledged sales")
	assert.Zero(t, res.Failed)
	late, err := s.sale.rdb.SIsMember(ctx, buyersKey(pid), "late").Result()
	require.NoError(t, err)
	assert.False(t, late, "the expired token bought")
	assertOneRowPerSale(t, s, res.BoughtBy)
}

// assertOneRowPerSale checks that the store holds exactly one row per
// acknowledged sale and no other.
func assertOneRowPerSale(t *testing.T, s *shop, acked []string) {
	orders, err := s.store.Orders(context.Background(), s.pid)
	require.NoError(t, err)
	rows := make(map[string]int)
	for _, o := range orders {
		rows[o.UID]++
	}
	for _, uid := range acked {
		assert.Equal(t, 1, rows[uid], "rows for acknowledged buyer %s", uid)
		rows[uid]--
	}
	for uid, c := range rows {
		assert.Zero(t, c, "rows for %s beyond its acknowledged sales", uid)
	}
}

// testDeadWorker: orders a worker read and never acknowledged (it died
// between XREADGROUP and XACK) are claimed by the live workers once idle
// for claimIdle, and stored once each.
func testDeadWorker(t *testing.T, n *nodes) {
	const pid, stock = "ghost", 30
	ctx := context.Background()
	rdb := newRedisClient(Redis{Addrs: n.addrs})
	t.Cleanup(func() { rdb.Close() })
	sale := &Sale{rdb: rdb}
	require.NoError(t, sale.Load(ctx))
	require.NoError(t, sale.Stock(ctx, Product{ID: pid, Stock: stock}))
	for i := range stock {
		id, _, err := sale.Buy(ctx, "g"+string(rune('a'+i)), pid)
		require.NoError(t, err)
		require.NotEmpty(t, id)
	}
	require.NoError(t, rdb.XGroupCreateMkStream(ctx, ordersKey(pid), group, "0").Err())
	read, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: "dead-worker",
		Streams: []string{ordersKey(pid), ">"}, Count: stock}).Result()
	require.NoError(t, err)
	require.Len(t, read[0].Messages, stock)

	s := openShop(t, n, Config{SQLite: &SQLite{Path: filepath.Join(t.TempDir(), "orders.db")}}, pid, stock)
	a := s.settle(t)
	require.NoError(t, a.Check())
	assert.EqualValues(t, stock, a.Orders)
	logs := s.workers[0].logText() + s.workers[1].logText()
	assert.Contains(t, logs, "claimed", "a worker claimed the dead worker's orders")
}

// testNodeRestart SIGKILLs the node that holds the product's keys once 50
// units are sold and starts it again 300 ms later (its AOF, fsynced
// always, brings the sale back); a second round of buyers then sells the
// rest. Nothing oversells, and every acknowledged sale (a 200 from
// /check) is in the buyer set and has its row.
func testNodeRestart(t *testing.T, n *nodes) {
	const pid, stock = "restart", 300
	s := openShop(t, n, Config{SQLite: &SQLite{Path: filepath.Join(t.TempDir(), "orders.db")}}, pid, stock)
	ctx := context.Background()
	owner := n.index(t, ownerOf(t, s, stockKey(pid)))

	done := make(chan LoadResult)
	go func() { done <- s.load(t, 4000, 1500, 0.05, 2) }()
	s.soldAtLeast(t, 50)
	n.restart(t, owner, 300*time.Millisecond)
	first := <-done
	second := s.load(t, 4000, 3000, 0, 3)
	a := s.settle(t)

	require.NoError(t, a.Check())
	assert.EqualValues(t, stock, a.Sold, "sold")
	assert.Zero(t, first.ForgedAccepted+second.ForgedAccepted)
	acked := append(first.BoughtBy, second.BoughtBy...)
	for _, uid := range acked {
		in, err := s.sale.rdb.SIsMember(ctx, buyersKey(pid), uid).Result()
		require.NoError(t, err)
		assert.True(t, in, "acknowledged buyer %s lost", uid)
	}
	orders, err := s.store.Orders(ctx, pid)
	require.NoError(t, err)
	stored := make(map[string]bool)
	for _, o := range orders {
		stored[o.UID] = true
	}
	for _, uid := range acked {
		assert.True(t, stored[uid], "acknowledged buyer %s has no row", uid)
	}
	t.Logf("node %s killed and restarted; %d attempts failed meanwhile", n.addrs[owner], first.Failed)
}

// ownerOf returns the address of the node that holds key.
func ownerOf(t *testing.T, s *shop, key string) string {
	cc, ok := s.sale.rdb.(*redis.ClusterClient)
	require.True(t, ok, "three nodes make a ClusterClient")
	c, err := cc.MasterForKey(context.Background(), key)
	require.NoError(t, err)
	return c.Options().Addr
}
