package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The keys of product P share the hash tag {P}, so they live on one node
// of a cluster and one script can touch them all.
func stockKey(pid string) string  { return "stock:{" + pid + "}" }  // units left, an integer
func buyersKey(pid string) string { return "buyers:{" + pid + "}" } // the set of users who bought
func ordersKey(pid string) string { return "orders:{" + pid + "}" } // the order stream, fields uid and pid

// rateKey counts uid's /check attempts in one second of Unix time.
func rateKey(uid string, sec int64) string { return "rate:{" + uid + "}:" + strconv.FormatInt(sec, 10) }

// buyScript is the quantity service: with KEYS = stock, buyers, orders of
// one product and ARGV = user, product, it sells one unit to the user
// unless the stock is gone or the user bought before. It returns
// {1, order id} for a sale, {0, "sold_out"} or {0, "already_bought"}.
// Nothing runs between its reads and its writes, on any client.
var buyScript = redis.NewScript(`
local stock = tonumber(redis.call('GET', KEYS[1]))
if stock == nil or stock <= 0 then
  return {0, 'sold_out'}
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return {0, 'already_bought'}
end
redis.call('DECR', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
local id = redis.call('XADD', KEYS[3], '*', 'uid', ARGV[1], 'pid', ARGV[2])
return {1, id}
`)

// A Sale is the sale's state, all of it in MyRedis: a Sale holds only a
// client, so any number of processes can share the same nodes. Safe for
// concurrent use.
type Sale struct {
	rdb redis.UniversalClient
}

// newRedisClient returns a client of the configured nodes: a
// ClusterClient when several are listed, a plain client for one.
func newRedisClient(cfg Redis) redis.UniversalClient {
	if len(cfg.Addrs) == 1 {
		return redis.NewClient(&redis.Options{Addr: cfg.Addrs[0], Password: cfg.Password})
	}
	return redis.NewClusterClient(&redis.ClusterOptions{Addrs: cfg.Addrs, Password: cfg.Password})
}

// Load loads the buy script into every node (SCRIPT LOAD reaches each
// master), so the first EVALSHA finds it; go-redis's Script falls back to
// EVAL on NOSCRIPT all the same (after a node restarts without it, say).
func (s *Sale) Load(ctx context.Context) error {
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return buyScript.Load(ctx, c).Err()
		})
	}
	return buyScript.Load(ctx, s.rdb).Err()
}

// Stock puts p on sale with its configured stock unless its stock is
// already set (another server did it, or the sale is under way).
func (s *Sale) Stock(ctx context.Context, p Product) error {
	return s.rdb.SetNX(ctx, stockKey(p.ID), p.Stock, 0).Err()
}

// SetStock sets the units of pid left, whatever they were.
func (s *Sale) SetStock(ctx context.Context, pid string, stock int64) error {
	return s.rdb.Set(ctx, stockKey(pid), stock, 0).Err()
}

// errUnknownProduct: the product has no stock key.
var errUnknownProduct = errors.New("unknown_product")

// Counts returns the units of pid left and sold (the buyers).
func (s *Sale) Counts(ctx context.Context, pid string) (left, sold int64, err error) {
	var get *redis.StringCmd
	var card *redis.IntCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, stockKey(pid))
		card = p.SCard(ctx, buyersKey(pid))
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return 0, 0, errUnknownProduct
	}
	if err != nil {
		return 0, 0, err
	}
	left, err = get.Int64()
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", stockKey(pid), err)
	}
	return left, card.Val(), nil
}

// Buy runs the buy script for uid and pid. It returns the order id when
// the user bought one unit, or "" and the reason ("sold_out",
// "already_bought") when not.
func (s *Sale) Buy(ctx context.Context, uid, pid string) (orderID, reason string, err error) {
	res, err := buyScript.Run(ctx, s.rdb, []string{stockKey(pid), buyersKey(pid), ordersKey(pid)}, uid, pid).Slice()
	if err != nil {
		return "", "", err
	}
	if len(res) != 2 {
		return "", "", fmt.Errorf("buy script: unexpected reply %v", res)
	}
	ok, _ := res[0].(int64)
	text, _ := res[1].(string)
	if ok == 1 {
		return text, "", nil
	}
	return "", text, nil
}

// Allow counts one /check attempt of uid in the current second and
// reports whether it is within limit attempts.
func (s *Sale) Allow(ctx context.Context, uid string, limit int, now time.Time) (bool, error) {
	key := rateKey(uid, now.Unix())
	var incr *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.Incr(ctx, key)
		p.Expire(ctx, key, 2*time.Second)
		return nil
	})
	if err != nil {
		return false, err
	}
	return incr.Val() <= int64(limit), nil
}
