package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// group is the consumer group every worker reads the order streams in.
const group = "workers"

// workerMain is "seckill worker": it moves every product's orders into
// the store until SIGINT or SIGTERM.
func workerMain(args []string) error {
	fs := flag.NewFlagSet("worker", flag.ExitOnError)
	configPath := fs.String("config", "config.json", "the config file")
	claimIdle := fs.Duration("claim-idle", 30*time.Second, "take over orders another worker left pending this long")
	fs.Parse(args)
	cfg, err := LoadConfig(*configPath)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	rdb := newRedisClient(cfg.Redis)
	defer rdb.Close()
	host, _ := os.Hostname()
	w := &Worker{rdb: rdb, store: store, consumer: fmt.Sprintf("%s-%d", host, os.Getpid()), claimIdle: *claimIdle}
	log.Printf("seckill worker: consumer %s", w.consumer)
	errc := make(chan error, len(cfg.Products))
	for _, p := range cfg.Products {
		go func() { errc <- w.Run(ctx, p.ID) }()
	}
	for range cfg.Products {
		if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
			stop()
			return err
		}
	}
	return nil
}

// A Worker moves orders from the product streams into the store: read in
// the consumer group, insert, XACK. An order is acknowledged only after
// its row is stored, so a worker that dies leaves its unacknowledged
// orders pending, and another (or its successor) claims them once they
// have been idle for claimIdle. Safe for concurrent use: Run once per
// product.
type Worker struct {
	rdb       redis.UniversalClient
	store     *Store
	consumer  string
	claimIdle time.Duration
}

// readBlock is how long one XREADGROUP waits for new orders; readCount
// how many it takes at most.
const (
	readBlock = time.Second
	readCount = 100
)

// Run moves pid's orders until ctx ends, claiming orders left pending too
// long on start and every claimIdle/2. It retries MyRedis's and the
// store's errors after a pause; it returns ctx's error.
func (w *Worker) Run(ctx context.Context, pid string) error {
	stream := ordersKey(pid)
	var nextClaim time.Time
	grouped := false // the group exists, as far as we know
	for ctx.Err() == nil {
		var err error
		if !grouped {
			err = w.ensureGroup(ctx, stream)
			grouped = err == nil
		}
		if err == nil && !time.Now().Before(nextClaim) {
			err = w.claim(ctx, stream)
			nextClaim = time.Now().Add(w.claimIdle / 2)
		}
		if err == nil {
			err = w.read(ctx, stream)
		}
		if err != nil && ctx.Err() == nil {
			log.Printf("seckill worker: %s: %v", stream, err)
			grouped = false // the stream may have gone (NOGROUP), or a node restarted empty
			sleep(ctx, time.Second)
		}
	}
	return ctx.Err()
}

// ensureGroup creates the consumer group (and the stream) if missing,
// reading from the stream's start so no order is ever skipped.
func (w *Worker) ensureGroup(ctx context.Context, stream string) error {
	err := w.rdb.XGroupCreateMkStream(ctx, stream, group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("XGROUP CREATE: %w", err)
	}
	return nil
}

// claim takes over, with XAUTOCLAIM, every order pending for claimIdle or
// longer (from a dead worker, say) and stores it.
func (w *Worker) claim(ctx context.Context, stream string) error {
	start := "0-0"
	for {
		msgs, next, err := w.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: stream, Group: group, Consumer: w.consumer, MinIdle: w.claimIdle, Start: start, Count: readCount,
		}).Result()
		if err != nil {
			return fmt.Errorf("XAUTOCLAIM: %w", err)
		}
		if len(msgs) > 0 {
			log.Printf("seckill worker: %s: claimed %d pending orders", stream, len(msgs))
		}
		if err := w.ackStored(ctx, stream, msgs); err != nil {
			return err
		}
		if next == "0-0" {
			return nil
		}
		start = next
	}
}

// read takes new orders with XREADGROUP, waiting up to readBlock, and
// stores them.
func (w *Worker) read(ctx context.Context, stream string) error {
	res, err := w.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: w.consumer, Streams: []string{stream, ">"}, Count: readCount, Block: readBlock,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil // nothing new
	}
	if err != nil {
		return fmt.Errorf("XREADGROUP: %w", err)
	}
	for _, s := range res {
		if err := w.ackStored(ctx, stream, s.Messages); err != nil {
			return err
		}
	}
	return nil
}

// ackStored inserts msgs into the store and then acknowledges them. An entry
// that is not an order (it lacks uid or pid) is logged and acknowledged,
// so that it is not claimed forever.
func (w *Worker) ackStored(ctx context.Context, stream string, msgs []redis.XMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		uid, _ := m.Values["uid"].(string)
		pid, _ := m.Values["pid"].(string)
		if uid == "" || pid == "" {
			log.Printf("seckill worker: %s: entry %s is not an order: %v", stream, m.ID, m.Values)
		} else if err := w.store.Insert(ctx, Order{ID: m.ID, UID: uid, PID: pid}); err != nil {
			return err
		}
		ids = append(ids, m.ID)
	}
	if err := w.rdb.XAck(ctx, stream, group, ids...).Err(); err != nil {
		return fmt.Errorf("XACK: %w", err)
	}
	return nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
