package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// raiseAttempts bounds Raise's retries when other processes keep changing
// the counter between its read and its write.
const raiseAttempts = 10

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

// Raise reads the counter, then creates it with SET NX, or raises it with
// INCRBY by the difference; both are atomic against other processes'
// INCRBY leases, so the counter never goes down. A SET NX that finds the
// counter created meanwhile starts over.
func (s *redisStore) Raise(ctx context.Context, k string, v int64) error {
	key := s.counter(k)
	for range raiseAttempts {
		cur, err := s.client.Get(ctx, key).Int64()
		switch {
		case errors.Is(err, redis.Nil):
			created, err := s.client.SetNX(ctx, key, v, 0).Result()
			if err != nil || created {
				return err
			}
		case err != nil:
			return err
		case cur >= v:
			return nil
		default:
			return s.client.IncrBy(ctx, key, v-cur).Err()
		}
	}
	return fmt.Errorf("counter %s changed %d times while being set", key, raiseAttempts)
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
