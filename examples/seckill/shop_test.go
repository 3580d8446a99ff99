package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A shop is one product's sale on the test's nodes: two seckill serve
// processes and two workers sharing a config, plus an in-process Sale and
// Store to inspect MyRedis and the orders.
type shop struct {
	cfg     *Config
	pid     string
	servers []string // the web servers' base URLs
	workers []*proc
	sale    *Sale
	store   *Store
}

// claimIdle is the workers' -claim-idle in the tests.
const claimIdle = time.Second

// openShop starts a sale of stock units of pid on n, storing orders in
// store (a config with only a mysql or a sqlite section).
func openShop(t *testing.T, n *nodes, store Config, pid string, stock int64) *shop {
	dir := t.TempDir()
	cfg := store
	cfg.Backend = Backend{APIPort: 8080, APISecret: "test-secret-0123456789", RateLimit: 5}
	cfg.Redis = Redis{Addrs: n.addrs}
	cfg.Products = []Product{{ID: pid, Stock: stock}}
	data, err := json.Marshal(cfg)
	require.NoError(t, err)
	path := filepath.Join(dir, "config.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	loaded, err := LoadConfig(path)
	require.NoError(t, err)

	s := &shop{cfg: loaded, pid: pid}
	for i := range 2 {
		port := strconv.Itoa(freeTCPPort(t))
		startProc(t, dir, "serve"+strconv.Itoa(i), seckillBin, "serve", "-config", path, "-port", port, "-host", "127.0.0.1")
		s.servers = append(s.servers, "http://127.0.0.1:"+port)
	}
	for _, u := range s.servers {
		waitUntil(t, 10*time.Second, "seckill serve at "+u, func() bool {
			resp, err := http.Get(u + "/stock?pid=" + pid)
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
	}
	for i := range 2 {
		s.workers = append(s.workers, startProc(t, dir, "worker"+strconv.Itoa(i), seckillBin,
			"worker", "-config", path, "-claim-idle", claimIdle.String()))
	}
	rdb := newRedisClient(loaded.Redis)
	t.Cleanup(func() { rdb.Close() })
	s.sale = &Sale{rdb: rdb}
	s.store, err = OpenStore(context.Background(), loaded)
	require.NoError(t, err)
	t.Cleanup(func() { s.store.Close() })
	return s
}

// freeTCPPort returns a port free on 127.0.0.1.
func freeTCPPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// load runs a load plan through the shop's servers.
func (s *shop) load(t *testing.T, attempts, users int, forged float64, seed uint64) LoadResult {
	res, err := LoadPlan{Servers: s.servers, PID: s.pid, Attempts: attempts, Users: users, Forged: forged,
		Concurrency: 16, Seed: seed}.Run(context.Background())
	require.NoError(t, err)
	t.Log(res)
	return res
}

// settle waits until the workers have stored every sale and returns the
// audit.
func (s *shop) settle(t *testing.T) Audit {
	var a Audit
	waitUntil(t, 20*time.Second, "the workers to store every sale", func() bool {
		var err error
		a, err = s.sale.Audit(context.Background(), s.store, s.cfg.Products)
		return err == nil && a.Settled()
	})
	t.Logf("audit: %s (left %d, queued %d)", a, a.Left, a.Queued)
	return a
}

// soldAtLeast waits until n units are sold.
func (s *shop) soldAtLeast(t *testing.T, n int64) {
	waitUntil(t, 20*time.Second, fmt.Sprintf("%d units sold", n), func() bool {
		_, sold, err := s.sale.Counts(context.Background(), s.pid)
		return err == nil && sold >= n
	})
}

// check sends one /check with token and returns the status and reason.
func (s *shop) check(t *testing.T, uid, token string) (int, string) {
	var ans struct{ Reason string }
	status, err := get(context.Background(), http.DefaultClient,
		s.servers[0]+"/check?uid="+uid+"&pid="+s.pid+"&token="+token, &ans)
	require.NoError(t, err)
	return status, ans.Reason
}
