package main

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// redisStore keeps the counters in MyRedis: generator k is the integer
// string at prefix + "{" + k + "}" (the braces make it a hash tag, so in a
// cluster the key lives on the slot of k). It is safe for concurrent use.
type redisStore struct {
	client redis.UniversalClient
	prefix string
}

// newRedisStore connects to cfg.Addrs: a plain client for one address, a
// cluster client for several.
func newRedisStore(cfg StorageConfig) *redisStore {
	var c redis.UniversalClient
	if len(cfg.Addrs) == 1 {
		c = redis.NewClient(&redis.Options{Addr: cfg.Addrs[0], Password: cfg.Password})
	} else {
		c = redis.NewClusterClient(&redis.ClusterOptions{Addrs: cfg.Addrs, Password: cfg.Password})
	}
	return &redisStore{client: c, prefix: cfg.Prefix}
}

// counter returns the key of generator k's counter.
func (s *redisStore) counter(k string) string { return s.prefix + "{" + k + "}" }

// Lease is INCRBY.
func (s *redisStore) Lease(ctx context.Context, k string, n int64) (int64, error) {
	return s.client.IncrBy(ctx, s.counter(k), n).Result()
}

// Set is SET.
func (s *redisStore) Set(ctx context.Context, k string, v int64) error {
	return s.client.Set(ctx, s.counter(k), v, 0).Err()
}

// Exists is EXISTS.
func (s *redisStore) Exists(ctx context.Context, k string) (bool, error) {
	n, err := s.client.Exists(ctx, s.counter(k)).Result()
	return n > 0, err
}

// Del is DEL.
func (s *redisStore) Del(ctx context.Context, k string) (bool, error) {
	n, err := s.client.Del(ctx, s.counter(k)).Result()
	return n > 0, err
}

// Close closes the connections to MyRedis.
func (s *redisStore) Close() error { return s.client.Close() }
