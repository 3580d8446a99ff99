package tests

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limits of TestBadInput.
const (
	badInputWorkers  = 4
	badInputConns    = 2000 // per worker
	badInputDuration = 10 * time.Second
	maxRSS           = 500 << 20
)

// badFrames are hostile requests: malformed, truncated, or declaring huge
// sizes the server must not allocate up front.
var badFrames = []string{
	"*1\r\n$2000000000\r\n",
	"*2000000000\r\n",
	"*1048577\r\n$1\r\nx\r\n",
	"*1\r\n$536870912\r\nabc",
	"*1\r\n$100000000\r\nabc",
	"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$400000000\r\n",
	"*-1\r\n*0\r\n*1\r\n$-1\r\n",
	"*1\r\n$4\r\nPING",
	"*2\r\n$3\r\nGET\r\n",
	"*1\r\n:1\r\n",
	"*1\r\n*1\r\n$4\r\nPING\r\n",
	"$4\r\nPING\r\n",
	"*9223372036854775807\r\n",
	"*1\r\n$9223372036854775807\r\n",
	"*1\r\n$-9223372036854775808\r\n",
	"*1\r\n$3\r\nabcdefgh\r\n",
	"set a \"b\r\n",
	"\"\\x4\"\r\n",
	"\x00\x01\x02\xff\r\n",
}

// TestBadInput floods the server with random and truncated frames from 4
// goroutines while a well-behaved client checks its answers all along.
func TestBadInput(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), badInputDuration)
	defer cancel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)

	var attackers sync.WaitGroup
	var sent atomic.Int64
	for w := 0; w < badInputWorkers; w++ {
		attackers.Add(1)
		go func() {
			defer attackers.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := 0; i < badInputConns && ctx.Err() == nil; i++ {
				if sendGarbage(s.addr(), rng) == nil {
					sent.Add(1)
				}
			}
		}()
	}
	attacked := make(chan struct{})
	go func() { attackers.Wait(); close(attacked) }()

	// The well-behaved client runs until the attackers are done.
	rdb := newClient(t, s, 0)
	goodCtx := testContext(t, badInputDuration+20*time.Second)
	checks := 0
	var failure error
	for done := false; !done && failure == nil; checks++ {
		select {
		case <-attacked:
			done = true
		default:
		}
		failure = setAndGet(goodCtx, rdb, fmt.Sprintf("good:%d", checks%100), fmt.Sprintf("v%d", checks))
	}
	cancel()
	<-attacked
	if failure != nil {
		t.Fatalf("good client, check %d: %v", checks, failure)
	}
	t.Logf("%d hostile connections, %d good SET/GET pairs", sent.Load(), checks)
	if sent.Load() == 0 {
		t.Fatal("no hostile connection could be made")
	}
	c := s.dial(t)
	c.mustDo("+PONG\r\n", "PING")
	rss, err := s.rssBytes()
	if err != nil {
		t.Fatalf("RSS: %v", err)
	}
	t.Logf("RSS after the flood: %d MB", rss>>20)
	if rss > maxRSS {
		t.Errorf("RSS %d MB > %d MB", rss>>20, maxRSS>>20)
	}
}

// setAndGet sets key to val and reads it back.
func setAndGet(ctx context.Context, rdb *redis.Client, key, val string) error {
	if err := rdb.Set(ctx, key, val, 0).Err(); err != nil {
		return fmt.Errorf("SET %s: %w", key, err)
	}
	if got, err := rdb.Get(ctx, key).Result(); err != nil || got != val {
		return fmt.Errorf("GET %s = %q, %v; want %q", key, got, err, val)
	}
	return nil
}

// sendGarbage opens one connection, writes a hostile request, reads a little
// of the answer and closes. Write errors are expected (the server may close
// first) and ignored; only a failure to connect is returned.
func sendGarbage(addr string, rng *rand.Rand) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(50 * time.Millisecond))
	var data []byte
	switch rng.IntN(3) {
	case 0: // random bytes
		data = make([]byte, 1+rng.IntN(200))
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
	case 1: // a valid frame cut short, or with one byte changed
		data = encodeCommand([]string{"SET", "key", "some value"})
		if rng.IntN(2) == 0 {
			data = data[:rng.IntN(len(data))]
		} else {
			data[rng.IntN(len(data))] = byte(rng.IntN(256))
		}
	default:
		data = []byte(badFrames[rng.IntN(len(badFrames))])
	}
	c.Write(data)
	if rng.IntN(8) == 0 {
		io.CopyN(io.Discard, c, 512) // a timeout here is fine
	}
	return nil
}
