package main

import (
	"context"
	"flag"
	"fmt"
	"time"
)

// auditMain is "seckill audit": it waits until the workers have stored
// every sale (or -wait passes), prints the totals as
// "stock=… sold=… orders=… duplicates=… oversold=…" and fails when the
// sale is not consistent.
func auditMain(args []string) error {
	fs := flag.NewFlagSet("audit", flag.ExitOnError)
	configPath := fs.String("config", "config.json", "the config file")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for the workers to store every sale")
	fs.Parse(args)
	cfg, err := LoadConfig(*configPath)
	if err != nil {
		return err
	}
	ctx := context.Background()
	store, err := OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	rdb := newRedisClient(cfg.Redis)
	defer rdb.Close()
	sale := &Sale{rdb: rdb}
	var a Audit
	deadline := time.Now().Add(*wait)
	for {
		a, err = sale.Audit(ctx, store, cfg.Products)
		if err != nil || a.Settled() || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	fmt.Println(a)
	return a.Check()
}

// An Audit compares the sale in MyRedis with the orders in the store.
type Audit struct {
	Stock      int64 // configured, every product
	Left       int64 // stock:{P}, summed
	Sold       int64 // buyers:{P} members, summed
	Queued     int64 // orders:{P} entries, summed
	Pending    int64 // entries read by a worker but not acknowledged
	Orders     int64 // rows in the store
	Duplicates int64 // rows beyond one per (user, product), plus stream entries beyond one per buyer
	Oversold   int64 // units sold beyond the stock, a negative stock, and rows with no buyer behind them
	Missing    int64 // buyers with no row in the store
}

// Audit reads products' keys and the store's orders. It reads the
// products one at a time, so run it when the sale has ended.
func (s *Sale) Audit(ctx context.Context, store *Store, products []Product) (Audit, error) {
	var a Audit
	for _, p := range products {
		left, _, err := s.Counts(ctx, p.ID)
		if err != nil {
			return a, err
		}
		buyers, err := s.rdb.SMembers(ctx, buyersKey(p.ID)).Result()
		if err != nil {
			return a, err
		}
		queued, err := s.rdb.XLen(ctx, ordersKey(p.ID)).Result()
		if err != nil {
			return a, err
		}
		pending, err := s.rdb.XPending(ctx, ordersKey(p.ID), group).Result()
		if err != nil {
			return a, fmt.Errorf("XPENDING %s: %w", ordersKey(p.ID), err)
		}
		orders, err := store.Orders(ctx, p.ID)
		if err != nil {
			return a, err
		}
		sold := int64(len(buyers))
		a.Stock += p.Stock
		a.Left += left
		a.Sold += sold
		a.Queued += queued
		a.Pending += pending.Count
		a.Orders += int64(len(orders))
		a.Duplicates += max(0, queued-sold)
		a.Oversold += max(0, sold-p.Stock) + max(0, -left)
		isBuyer := make(map[string]bool, len(buyers))
		for _, b := range buyers {
			isBuyer[b] = true
		}
		stored := make(map[string]bool, len(orders))
		for _, o := range orders {
			switch {
			case stored[o.UID]:
				a.Duplicates++
			case !isBuyer[o.UID]:
				a.Oversold++
			}
			stored[o.UID] = true
		}
		for _, b := range buyers {
			if !stored[b] {
				a.Missing++
			}
		}
	}
	return a, nil
}

// Settled reports whether the workers have caught up: every buyer has a
// row and nothing is pending.
func (a Audit) Settled() bool { return a.Missing == 0 && a.Pending == 0 }

func (a Audit) String() string {
	return fmt.Sprintf("stock=%d sold=%d orders=%d duplicates=%d oversold=%d",
		a.Stock, a.Sold, a.Orders, a.Duplicates, a.Oversold)
}

// Check returns an error describing every inconsistency, nil when none.
func (a Audit) Check() error {
	var problems []string
	if a.Left+a.Sold != a.Stock {
		problems = append(problems, fmt.Sprintf("left %d + sold %d != stock %d", a.Left, a.Sold, a.Stock))
	}
	if a.Duplicates > 0 {
		problems = append(problems, fmt.Sprintf("%d duplicates", a.Duplicates))
	}
	if a.Oversold > 0 {
		problems = append(problems, fmt.Sprintf("%d oversold", a.Oversold))
	}
	if a.Missing > 0 || a.Pending > 0 {
		problems = append(problems, fmt.Sprintf("%d buyers without an order row, %d orders pending", a.Missing, a.Pending))
	}
	if a.Queued != a.Sold {
		problems = append(problems, fmt.Sprintf("%d orders queued for %d buyers", a.Queued, a.Sold))
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("the sale is not consistent: %v", problems)
}
