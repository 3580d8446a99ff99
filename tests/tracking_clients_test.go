package tests

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/push"
	"github.com/redis/rueidis"
)

// Client-side caching with the clients people use, on both servers:
// rueidis with its default options (RESP3, CLIENT TRACKING ON OPTIN,
// DoCache), go-redis speaking RESP3, and redis-cli -3.

// cachedGet reads k through rueidis's client-side cache and reports whether
// the value came from the cache.
func cachedGet(t *testing.T, ctx context.Context, c rueidis.Client, k string) (string, bool) {
	t.Helper()
	res := c.DoCache(ctx, c.B().Get().Key(k).Cache(), time.Minute)
	v, err := res.ToString()
	if err != nil {
		t.Fatalf("DoCache GET %s: %v", k, err)
	}
	return v, res.IsCacheHit()
}

// checkRueidisCache runs the client-side caching cycle through c, a
// rueidis client with default options, while set writes from elsewhere:
// a cached value is served from the cache, a write invalidates it within
// moments, and the next read gets the new value.
func checkRueidisCache(t *testing.T, c rueidis.Client, set func(k, v string)) {
	ctx := testContext(t, 20*time.Second)
	const k = "csc:{product}:1"
	set(k, "v1")
	if v, hit := cachedGet(t, ctx, c, k); v != "v1" || hit {
		t.Fatalf("first DoCache: %q hit=%v, want v1 from the server", v, hit)
	}
	if v, hit := cachedGet(t, ctx, c, k); v != "v1" || !hit {
		t.Fatalf("second DoCache: %q hit=%v, want v1 from the cache", v, hit)
	}
	set(k, "v2")
	start := time.Now()
	for {
		v, hit := cachedGet(t, ctx, c, k)
		if v == "v2" {
			t.Logf("invalidated after %v", time.Since(start))
			break
		}
		if !hit || time.Since(start) > 5*time.Second {
			t.Fatalf("after SET v2: %q hit=%v after %v", v, hit, time.Since(start))
		}
		time.Sleep(time.Millisecond)
	}
	if v, hit := cachedGet(t, ctx, c, k); v != "v2" || !hit {
		t.Fatalf("DoCache after the new value: %q hit=%v, want v2 from the cache", v, hit)
	}
}

func TestTrackingRueidis(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{s.addr()}})
		if err != nil {
			t.Fatalf("rueidis with default options: %v", err)
		}
		defer c.Close()
		w := s.dial(t)
		checkRueidisCache(t, c, func(k, v string) { w.mustDo("+OK\r\n", "SET", k, v) })
	})
}

func TestTrackingGoRedisPushes(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctx := testContext(t, 10*time.Second)
		// One connection, so the pushes arrive where the commands go.
		rdb := redis.NewClient(&redis.Options{Addr: s.addr(), Protocol: 3, PoolSize: 1})
		defer rdb.Close()
		pushes := make(chan []any, 4)
		err := rdb.RegisterPushNotificationHandler("invalidate", pushHandler(pushes), false)
		if err != nil {
			t.Skipf("this go-redis has no push handlers: %v", err)
		}
		if err := rdb.Do(ctx, "CLIENT", "TRACKING", "ON").Err(); err != nil {
			t.Fatalf("CLIENT TRACKING ON: %v", err)
		}
		rdb.Get(ctx, "gk")
		w := s.dial(t)
		w.mustDo("+OK\r\n", "SET", "gk", "v")
		deadline := time.After(5 * time.Second)
		for {
			rdb.Ping(ctx) // the pushes are read with the next reply
			select {
			case p := <-pushes:
				if len(p) != 2 || p[0] != "invalidate" {
					t.Fatalf("push %v, want invalidate [gk]", p)
				}
				return
			case <-deadline:
				t.Fatal("no invalidate push")
			case <-time.After(10 * time.Millisecond):
			}
		}
	})
}

func TestTrackingRedisCLI(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		host, port, _ := strings.Cut(s.addr(), ":")
		cmd := exec.Command("redis-cli", "-3", "--no-raw", "--show-pushes", "yes", "-h", host, "-p", port)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		cmd.Stdout = &out // redis-cli buffers a pipe: read it all at the end
		if err := cmd.Start(); err != nil {
			t.Skipf("redis-cli: %v", err)
		}
		defer cmd.Process.Kill()
		stdin.Write([]byte("CLIENT TRACKING ON\nGET clik\n"))
		w := s.dial(t)
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(trackingInfo(w), "tracking_total_keys:1"); {
			if time.Now().After(deadline) {
				t.Fatal("redis-cli's GET never got tracked")
			}
			time.Sleep(5 * time.Millisecond)
		}
		w.mustDo("+OK\r\n", "SET", "clik", "v")
		stdin.Write([]byte("PING\n")) // redis-cli prints the pushes it reads before the reply
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("redis-cli: %v", err)
		}
		if want := "OK\n(nil)\n-> invalidate: 'clik'\nPONG\n"; out.String() != want {
			t.Fatalf("redis-cli printed %q, want %q", out.String(), want)
		}
	})
}

// pushHandler hands the pushes go-redis reads to a channel.
type pushHandler chan []any

func (h pushHandler) HandlePushNotification(_ context.Context, _ push.NotificationHandlerContext, n []any) error {
	select {
	case h <- n:
	default:
	}
	return nil
}
