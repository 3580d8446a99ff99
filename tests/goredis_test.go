package tests

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// newClient returns a go-redis client with default options (RESP3 via HELLO 3,
// CLIENT SETINFO) except the address and db, closed by the test's cleanup.
func newClient(t testing.TB, s *server, db int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.addr(), DB: db})
	t.Cleanup(func() { c.Close() })
	return c
}

// testContext returns a context that ends with the test or after d.
func testContext(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestGoRedisBasics(t *testing.T) {
	s := startServer(t)
	rdb := newClient(t, s, 0)
	ctx := testContext(t, 20*time.Second)

	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET k = %q, %v; want v", v, err)
	}
	if _, err := rdb.Get(ctx, "missing").Result(); err != redis.Nil {
		t.Fatalf("GET missing: err %v, want redis.Nil", err)
	}
	for want := int64(1); want <= 3; want++ {
		if n, err := rdb.Incr(ctx, "n").Result(); err != nil || n != want {
			t.Fatalf("INCR = %d, %v; want %d", n, err, want)
		}
	}
	if ok, err := rdb.Expire(ctx, "k", 100*time.Second).Result(); err != nil || !ok {
		t.Fatalf("EXPIRE = %v, %v; want true", ok, err)
	}
	if ttl, err := rdb.TTL(ctx, "k").Result(); err != nil || ttl <= 90*time.Second || ttl > 100*time.Second {
		t.Fatalf("TTL = %v, %v; want about 100s", ttl, err)
	}
	if ttl, err := rdb.TTL(ctx, "n").Result(); err != nil || ttl != -1 {
		t.Fatalf("TTL of a persistent key = %v, %v; want -1", ttl, err)
	}
	if err := rdb.MSet(ctx, "a", "1", "b", "2").Err(); err != nil {
		t.Fatalf("MSET: %v", err)
	}
	vals, err := rdb.MGet(ctx, "a", "missing", "b").Result()
	if err != nil || fmt.Sprint(vals) != "[1 <nil> 2]" {
		t.Fatalf("MGET = %v, %v; want [1 <nil> 2]", vals, err)
	}
	if n, err := rdb.Exists(ctx, "a", "b", "missing", "a").Result(); err != nil || n != 3 {
		t.Fatalf("EXISTS = %d, %v; want 3", n, err)
	}
	if n, err := rdb.Del(ctx, "a", "b", "missing").Result(); err != nil || n != 2 {
		t.Fatalf("DEL = %d, %v; want 2", n, err)
	}
}

func TestGoRedisScan(t *testing.T) {
	s := startServer(t)
	rdb := newClient(t, s, 0)
	ctx := testContext(t, 20*time.Second)
	const n = 500
	for i := 0; i < n; i++ {
		if err := rdb.Set(ctx, fmt.Sprintf("key:%d", i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	var cursor uint64
	for calls := 0; ; calls++ {
		if calls > 10*n {
			t.Fatalf("SCAN did not finish after %d calls", calls)
		}
		keys, next, err := rdb.Scan(ctx, cursor, "key:*", 10).Result()
		if err != nil {
			t.Fatalf("SCAN %d: %v", cursor, err)
		}
		for _, k := range keys {
			seen[k] = true
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	if len(seen) != n {
		t.Fatalf("SCAN returned %d distinct keys, want %d", len(seen), n)
	}
	// The iterator helper walks the same way.
	count := 0
	for it := rdb.Scan(ctx, 0, "key:1*", 50).Iterator(); it.Next(ctx); count++ {
	}
	if want := 111; count < want { // key:1, key:10..19, key:100..199
		t.Fatalf("SCAN MATCH key:1* iterated %d keys, want at least %d", count, want)
	}
}

func TestGoRedisSelectDB(t *testing.T) {
	s := startServer(t)
	rdb := newClient(t, s, 3)
	ctx := testContext(t, 20*time.Second)
	if err := rdb.Set(ctx, "in3", "yes", 0).Err(); err != nil {
		t.Fatalf("SET in db 3: %v", err)
	}
	c := s.dial(t)
	c.mustDo("$-1\r\n", "GET", "in3")
	c.mustDo("+OK\r\n", "SELECT", "3")
	c.mustDo("$3\r\nyes\r\n", "GET", "in3")
	c.mustDo(":1\r\n", "DBSIZE")
}

func TestGoRedisPipeline(t *testing.T) {
	s := startServer(t)
	rdb := newClient(t, s, 0)
	ctx := testContext(t, 20*time.Second)
	const n = 1000
	cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < n/2; i++ {
			p.Set(ctx, fmt.Sprintf("p:%d", i), i, 0)
			p.Incr(ctx, "p:count")
		}
		return nil
	})
	if err != nil || len(cmds) != n {
		t.Fatalf("Pipelined: %d replies, %v; want %d", len(cmds), err, n)
	}
	for i, cmd := range cmds {
		if i%2 == 1 {
			if got := cmd.(*redis.IntCmd).Val(); got != int64(i/2+1) {
				t.Fatalf("pipelined INCR %d = %d, want %d", i/2, got, i/2+1)
			}
		} else if got := cmd.(*redis.StatusCmd).Val(); got != "OK" {
			t.Fatalf("pipelined SET %d = %q, want OK", i/2, got)
		}
	}
	if v, err := rdb.Get(ctx, "p:499").Result(); err != nil || v != "499" {
		t.Fatalf("GET p:499 = %q, %v", v, err)
	}
}

func TestGoRedisConcurrent(t *testing.T) {
	s := startServer(t)
	rdb := newClient(t, s, 0)
	ctx := testContext(t, 30*time.Second)
	const workers, rounds = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- concurrentWorker(ctx, rdb, w, rounds)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n, err := rdb.Get(ctx, "shared").Int(); err != nil || n != workers*rounds {
		t.Fatalf("shared counter = %d, %v; want %d", n, err, workers*rounds)
	}
}

// concurrentWorker increments the shared counter and writes and reads back
// its own keys.
func concurrentWorker(ctx context.Context, rdb *redis.Client, w, rounds int) error {
	for i := 0; i < rounds; i++ {
		if err := rdb.Incr(ctx, "shared").Err(); err != nil {
			return err
		}
		if err := setAndGet(ctx, rdb, fmt.Sprintf("w%d:%d", w, i), fmt.Sprintf("v%d", i)); err != nil {
			return fmt.Errorf("worker %d: %w", w, err)
		}
	}
	return nil
}
