// Package cluster tests a three-node MyRedis cluster on 127.0.0.1,
// 127.0.0.2 and 127.0.0.3 (Linux routes all of 127/8 to loopback): each
// node runs the real binary with its own redis.conf and data directory.
package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	mycluster "myredis/cluster"
)

const (
	startTimeout = 10 * time.Second
	stopTimeout  = 5 * time.Second
)

var binPath string

// TestMain builds ./my_redis once into a temporary directory.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "myredis-cluster-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "my_redis")
	args := []string{"build", "-o", binPath}
	if raceEnabled { // under -race, the nodes are built with -race too
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./my_redis")...)
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./my_redis: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// A node is one cluster member's process.
type node struct {
	addr string
	conf string
	cmd  *exec.Cmd
	done chan struct{}
}

// A testCluster is three nodes started by a test and stopped by its cleanup.
type testCluster struct {
	t     *testing.T
	nodes []*node
	ring  *mycluster.Ring
}

// freePort returns a port free on 127.0.0.1, .2 and .3 alike.
func freePort(t *testing.T) int {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		ok := true
		for _, h := range []string{"127.0.0.2", "127.0.0.3"} {
			l, err := net.Listen("tcp", net.JoinHostPort(h, strconv.Itoa(port)))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return port
		}
	}
	t.Fatal("no port free on all three addresses")
	return 0
}

// startCluster writes a redis.conf per node, listing the peers in a
// different order on each, and starts the nodes.
func startCluster(t *testing.T, extra string) *testCluster {
	port := freePort(t)
	addrs := make([]string, 3)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("127.0.0.%d:%d", i+1, port)
	}
	c := &testCluster{t: t, ring: mycluster.NewRing(addrs, mycluster.DefaultVirtualNodes, nil)}
	for i, a := range addrs {
		dir := t.TempDir()
		var peers []string
		for j := range addrs {
			if p := addrs[(i+2*j)%3]; p != a { // a different order per node
				peers = append(peers, p)
			}
		}
		conf := filepath.Join(dir, "redis.conf")
		text := fmt.Sprintf("bind 127.0.0.%d\nport %d\ndir %s\nsave \"\"\nself %s\npeers %s\n%s",
			i+1, port, dir, a, strings.Join(peers, ","), extra)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		n := &node{addr: a, conf: conf}
		c.nodes = append(c.nodes, n)
		c.start(n)
	}
	return c
}

// start runs n's process and waits until it answers PING.
func (c *testCluster) start(n *node) {
	t := c.t
	n.cmd = exec.Command(binPath, n.conf)
	if raceEnabled {
		n.cmd.Env = append(os.Environ(), "GORACE=halt_on_error=1")
	}
	logf, err := os.Create(n.conf + ".log")
	if err != nil {
		t.Fatal(err)
	}
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		cmd.Wait()
		logf.Close()
		close(done)
	}(n.cmd, n.done)
	t.Cleanup(func() {
		c.stop(n, syscall.SIGTERM)
		if out, _ := os.ReadFile(n.conf + ".log"); bytes.Contains(out, []byte("WARNING: DATA RACE")) {
			t.Errorf("node %s: the race detector found a data race:\n%s", n.addr, out)
		}
	})
	deadline := time.Now().Add(startTimeout)
	for {
		cl := redis.NewClient(&redis.Options{Addr: n.addr, MaxRetries: -1})
		err := cl.Ping(context.Background()).Err()
		cl.Close()
		var redisErr redis.Error // NOAUTH, say: the node is up
		if err == nil || errors.As(err, &redisErr) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s did not start: %v", n.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends sig to n's process (by its PID) and waits for it to end,
// killing it after stopTimeout.
func (c *testCluster) stop(n *node, sig syscall.Signal) {
	select {
	case <-n.done:
		return
	default:
	}
	n.cmd.Process.Signal(sig)
	select {
	case <-n.done:
	case <-time.After(stopTimeout):
		n.cmd.Process.Kill()
		<-n.done
	}
}

// client returns a plain client of node i, closed at cleanup.
func (c *testCluster) client(i int) *redis.Client {
	cl := redis.NewClient(&redis.Options{Addr: c.nodes[i].addr, MaxRetries: -1, DialTimeout: 3 * time.Second})
	c.t.Cleanup(func() { cl.Close() })
	return cl
}

// keyOn returns a key with the given prefix that node i owns.
func (c *testCluster) keyOn(i int, prefix string) string {
	for j := range 10000 {
		k := prefix + strconv.Itoa(j)
		if c.ring.Owner([]byte(k)) == c.nodes[i].addr {
			return k
		}
	}
	c.t.Fatalf("no key for node %d", i)
	return ""
}

var ctx = context.Background()

func TestEveryKeyThroughEveryNode(t *testing.T) {
	c := startCluster(t, "")
	clients := []*redis.Client{c.client(0), c.client(1), c.client(2)}
	const n = 300
	for i := range n {
		if err := clients[i%3].Set(ctx, "key:"+strconv.Itoa(i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for ni, cl := range clients {
		for i := range n {
			got, err := cl.Get(ctx, "key:"+strconv.Itoa(i)).Result()
			if err != nil || got != strconv.Itoa(i) {
				t.Fatalf("node %d: GET key:%d = %q, %v", ni, i, got, err)
			}
		}
		if size := cl.DBSize(ctx).Val(); size != n {
			t.Errorf("node %d: DBSIZE %d, want %d", ni, size, n)
		}
		if keys := cl.Keys(ctx, "key:*").Val(); len(keys) != n {
			t.Errorf("node %d: KEYS found %d", ni, len(keys))
		}
		seen := map[string]bool{}
		var cursor uint64
		for range 1000 {
			keys, next, err := cl.Scan(ctx, cursor, "", 50).Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				seen[k] = true
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
		if len(seen) != n || cursor != 0 {
			t.Errorf("node %d: SCAN saw %d keys, cursor %d", ni, len(seen), cursor)
		}
		if k := cl.RandomKey(ctx).Val(); !strings.HasPrefix(k, "key:") {
			t.Errorf("node %d: RANDOMKEY %q", ni, k)
		}
	}
	// Each node holds only its own keys.
	for ni := range clients {
		local := 0
		for i := range n {
			if c.ring.Owner([]byte("key:"+strconv.Itoa(i))) == c.nodes[ni].addr {
				local++
			}
		}
		if local == 0 || local == n {
			t.Errorf("node %d owns %d of %d keys", ni, local, n)
		}
	}
	if err := clients[1].FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for ni, cl := range clients {
		if size := cl.DBSize(ctx).Val(); size != 0 {
			t.Errorf("node %d: DBSIZE %d after FLUSHALL", ni, size)
		}
	}
}

func TestSelectedDBTravels(t *testing.T) {
	c := startCluster(t, "")
	key := c.keyOn(1, "db3:")
	a := redis.NewClient(&redis.Options{Addr: c.nodes[0].addr, DB: 3})
	defer a.Close()
	if err := a.Set(ctx, key, "three", 0).Err(); err != nil {
		t.Fatal(err)
	}
	b3 := redis.NewClient(&redis.Options{Addr: c.nodes[1].addr, DB: 3})
	defer b3.Close()
	if got := b3.Get(ctx, key).Val(); got != "three" {
		t.Errorf("B db 3: %q", got)
	}
	if err := c.client(1).Get(ctx, key).Err(); err != redis.Nil {
		t.Errorf("B db 0: %v, want nil", err)
	}
	// Interleaved databases on one client connection.
	for i := range 20 {
		db := i % 4
		cl := redis.NewClient(&redis.Options{Addr: c.nodes[0].addr, DB: db})
		err := cl.Set(ctx, key, db, 0).Err()
		cl.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	for db := range 4 {
		cl := redis.NewClient(&redis.Options{Addr: c.nodes[1].addr, DB: db})
		got := cl.Get(ctx, key).Val()
		cl.Close()
		if got != strconv.Itoa(db) {
			t.Errorf("B db %d: %q", db, got)
		}
	}
}

func TestMultiKeyAcrossNodes(t *testing.T) {
	c := startCluster(t, "")
	k := []string{c.keyOn(0, "m"), c.keyOn(1, "m"), c.keyOn(2, "m"), c.keyOn(1, "n")}
	a := c.client(0)
	if err := a.MSet(ctx, k[2], "v2", k[0], "v0", k[1], "v1", k[3], "v3").Err(); err != nil {
		t.Fatal(err)
	}
	got, err := c.client(2).MGet(ctx, k[3], k[0], "missing", k[2], k[1], k[0]).Result()
	if err != nil {
		t.Fatal(err)
	}
	if want := "[v3 v0 <nil> v2 v1 v0]"; fmt.Sprint(got) != want {
		t.Errorf("MGET %v, want %s", got, want)
	}
	if n := a.Exists(ctx, k[0], k[1], k[2], "missing", k[0]).Val(); n != 4 {
		t.Errorf("EXISTS %d", n)
	}
	if n := c.client(1).Touch(ctx, k...).Val(); n != 4 {
		t.Errorf("TOUCH %d", n)
	}
	if n := c.client(1).Del(ctx, k[0], k[1], k[2], "missing").Val(); n != 3 {
		t.Errorf("DEL %d", n)
	}
	if n := a.Unlink(ctx, k[3], k[0]).Val(); n != 1 {
		t.Errorf("UNLINK %d", n)
	}
	if size := a.DBSize(ctx).Val(); size != 0 {
		t.Errorf("DBSIZE %d", size)
	}
	// RESP3 replies pass through byte for byte.
	r3 := redis.NewClient(&redis.Options{Addr: c.nodes[0].addr, Protocol: 3})
	defer r3.Close()
	r3.Set(ctx, k[2], "x", 0)
	if v := r3.Get(ctx, k[2]).Val(); v != "x" {
		t.Errorf("RESP3 GET %q", v)
	}
}

func TestCrossSlot(t *testing.T) {
	c := startCluster(t, "")
	a := c.client(0)
	src, dst := c.keyOn(1, "src"), c.keyOn(2, "dst")
	a.Set(ctx, src, "v", 0)
	err := a.Rename(ctx, src, dst).Err()
	if err == nil || err.Error() != "CROSSSLOT Keys in request don't hash to the same slot" {
		t.Fatalf("RENAME across nodes: %v", err)
	}
	tag := "{" + c.keyOn(2, "tag") + "}"
	if err := a.Set(ctx, tag+"src", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := a.Rename(ctx, tag+"src", tag+"dst").Err(); err != nil {
		t.Fatalf("RENAME with a shared tag: %v", err)
	}
	if v := c.client(2).Get(ctx, tag+"dst").Val(); v != "v" {
		t.Errorf("after RENAME: %q", v)
	}
	if err := a.MSetNX(ctx, src, "x", dst, "y").Err(); err == nil || !strings.HasPrefix(err.Error(), "CROSSSLOT") {
		t.Errorf("MSETNX across nodes: %v", err)
	}
}

func TestClusterCommands(t *testing.T) {
	c := startCluster(t, "")
	var slots []redis.ClusterSlot
	for i := range c.nodes {
		cl := c.client(i)
		s, err := cl.ClusterSlots(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && fmt.Sprint(s) != fmt.Sprint(slots) {
			t.Fatalf("nodes %d and 0 disagree on CLUSTER SLOTS", i)
		}
		slots = s
		if id := cl.ClusterMyID(ctx).Val(); id != mycluster.NodeID(c.nodes[i].addr) {
			t.Errorf("MYID %q", id)
		}
		if info := cl.ClusterInfo(ctx).Val(); !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:3") {
			t.Errorf("CLUSTER INFO %q", info)
		}
		nodes := cl.ClusterNodes(ctx).Val()
		if strings.Count(nodes, "\n") != 3 || strings.Count(nodes, "myself") != 1 {
			t.Errorf("CLUSTER NODES %q", nodes)
		}
		shards, err := cl.ClusterShards(ctx).Result()
		if err != nil || len(shards) != 3 {
			t.Errorf("CLUSTER SHARDS %v %v", len(shards), err)
		}
		if err := cl.ReadOnly(ctx).Err(); err != nil {
			t.Error(err)
		}
	}
	covered := 0
	for _, s := range slots {
		covered += int(s.End - s.Start + 1)
		if owner := c.ring.SlotOwner(int(s.Start)); s.Nodes[0].Addr != owner {
			t.Fatalf("slot %d: %v, ring says %s", s.Start, s.Nodes, owner)
		}
	}
	if covered != mycluster.SlotCount {
		t.Errorf("CLUSTER SLOTS covers %d slots", covered)
	}
	a := c.client(0)
	if n := a.ClusterKeySlot(ctx, "{user1000}.following").Val(); n != 3443 {
		t.Errorf("KEYSLOT %d", n)
	}
	key := c.keyOn(0, "k")
	a.Set(ctx, key, "v", 0)
	slot := mycluster.Slot([]byte(key))
	if n := a.ClusterCountKeysInSlot(ctx, slot).Val(); n != 1 {
		t.Errorf("COUNTKEYSINSLOT %d", n)
	}
	if keys := a.ClusterGetKeysInSlot(ctx, slot, 10).Val(); fmt.Sprint(keys) != "["+key+"]" {
		t.Errorf("GETKEYSINSLOT %v", keys)
	}
}

func TestClusterClientAndRedisCLI(t *testing.T) {
	c := startCluster(t, "")
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{c.nodes[0].addr}})
	defer cc.Close()
	for i := range 100 {
		if err := cc.Set(ctx, "cc:"+strconv.Itoa(i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	pipe := cc.Pipeline()
	gets := make([]*redis.StringCmd, 100)
	for i := range gets {
		gets[i] = pipe.Get(ctx, "cc:"+strconv.Itoa(i))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i, g := range gets {
		if g.Val() != strconv.Itoa(i) {
			t.Fatalf("cc:%d = %q", i, g.Val())
		}
	}
	// The keys went straight to their owners.
	for i := range 100 {
		k := "cc:" + strconv.Itoa(i)
		owner := c.ring.Owner([]byte(k))
		for ni, n := range c.nodes {
			if n.addr == owner {
				if v := c.client(ni).Get(ctx, k).Val(); v != strconv.Itoa(i) {
					t.Fatalf("%s on its owner: %q", k, v)
				}
			}
		}
	}
	if _, err := exec.LookPath("/usr/bin/redis-cli"); err != nil {
		t.Skip("redis-cli is not installed")
	}
	host, port, _ := net.SplitHostPort(c.nodes[2].addr)
	cli := func(args ...string) string {
		out, err := exec.Command("/usr/bin/redis-cli", append([]string{"-c", "-h", host, "-p", port}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli %v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for i := range 10 {
		k := "cli:" + strconv.Itoa(i)
		if out := cli("SET", k, "v"+k); out != "OK" {
			t.Fatalf("SET: %q", out)
		}
		if out := cli("GET", k); out != "v"+k {
			t.Fatalf("GET: %q", out)
		}
	}
}

func TestNodeFailure(t *testing.T) {
	c := startCluster(t, "")
	a := c.client(0)
	keys := []string{c.keyOn(0, "f"), c.keyOn(1, "f"), c.keyOn(2, "f")}
	for _, k := range keys {
		if err := a.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	c.stop(c.nodes[2], syscall.SIGKILL)
	for range 3 { // the first try on each pooled connection too
		start := time.Now()
		err := a.Get(ctx, keys[2]).Err()
		if err == nil || !strings.HasPrefix(err.Error(), "CLUSTERDOWN") || !strings.Contains(err.Error(), c.nodes[2].addr) {
			t.Fatalf("GET of C's key with C down: %v", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("failing took %v", d)
		}
	}
	for ni := range 2 {
		for _, k := range keys[:2] {
			if v, err := c.client(ni).Get(ctx, k).Result(); v != "v" {
				t.Fatalf("node %d: %s with C down: %q %v", ni, k, v, err)
			}
		}
	}
	if err := a.MGet(ctx, keys...).Err(); err == nil {
		t.Error("MGET touching C succeeded")
	}
	c.start(c.nodes[2]) // no AOF yet: C comes back empty
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := a.Set(ctx, keys[2], "back", 0).Err()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("C's keys did not come back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v := c.client(1).Get(ctx, keys[2]).Val(); v != "back" {
		t.Errorf("after restart: %q", v)
	}
}

func TestRequirePass(t *testing.T) {
	c := startCluster(t, "requirepass s3cret\n")
	cl := redis.NewClient(&redis.Options{Addr: c.nodes[0].addr, Password: "s3cret"})
	defer cl.Close()
	k := c.keyOn(1, "auth")
	if err := cl.Set(ctx, k, "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v := cl.Get(ctx, k).Val(); v != "v" {
		t.Errorf("GET %q", v)
	}
	var redisErr redis.Error
	if err := c.client(1).Get(ctx, k).Err(); !errors.As(err, &redisErr) || !strings.HasPrefix(err.Error(), "NOAUTH") {
		t.Errorf("without a password: %v", err)
	}
}

// TestMemberMismatch starts a node whose member list differs: the others
// refuse to forward to it and say why.
func TestMemberMismatch(t *testing.T) {
	c := startCluster(t, "")
	odd := &node{addr: c.nodes[2].addr, conf: filepath.Join(t.TempDir(), "redis.conf")}
	c.stop(c.nodes[2], syscall.SIGTERM)
	text := fmt.Sprintf("bind 127.0.0.3\nport %s\ndir %s\nsave \"\"\nself %s\npeers %s,127.0.0.9:1\n",
		odd.addr[strings.LastIndexByte(odd.addr, ':')+1:], filepath.Dir(odd.conf), odd.addr, c.nodes[0].addr)
	if err := os.WriteFile(odd.conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c.start(odd)
	k := c.keyOn(2, "mm")
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := c.client(0).Get(ctx, k).Err()
		if err != nil && strings.Contains(err.Error(), "disagrees on the cluster members") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET through a node with other members: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPublishReachesEveryNode subscribes on one node and publishes on
// another: the message arrives, and PUBLISH counts receivers cluster-wide.
func TestPublishReachesEveryNode(t *testing.T) {
	c := startCluster(t, "")
	ctx := context.Background()
	sub := c.client(1).Subscribe(ctx, "news")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // the subscribe confirmation
		t.Fatal(err)
	}
	n, err := c.client(0).Publish(ctx, "news", "hello").Result()
	if err != nil || n != 1 {
		t.Fatalf("PUBLISH = %d, %v; want 1 receiver", n, err)
	}
	msgCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	msg, err := sub.ReceiveMessage(msgCtx)
	if err != nil || msg.Channel != "news" || msg.Payload != "hello" {
		t.Fatalf("received %v, %v", msg, err)
	}
}

// TestTransactionsRunWhereTheirKeysLive runs MULTI/EXEC through node 0 on
// keys node 1 owns, refuses one spanning nodes, and runs a local one.
func TestTransactionsRunWhereTheirKeysLive(t *testing.T) {
	c := startCluster(t, "")
	a := c.client(0)
	remote := "{" + c.keyOn(1, "tx") + "}"
	cmds, err := a.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, remote+"a", "1", 0)
		p.Incr(ctx, remote+"a")
		p.Get(ctx, remote+"a")
		return nil
	})
	if err != nil || cmds[2].(*redis.StringCmd).Val() != "2" {
		t.Fatalf("remote transaction: %v, %v", cmds, err)
	}
	if got := c.client(1).Get(ctx, remote+"a").Val(); got != "2" {
		t.Errorf("owner sees %q, want 2", got)
	}
	_, err = a.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, c.keyOn(1, "x"), "1", 0)
		p.Set(ctx, c.keyOn(2, "y"), "1", 0)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Errorf("transaction across nodes: %v, want CROSSSLOT", err)
	}
	local := c.keyOn(0, "l")
	if _, err := a.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, local, "v", 0)
		return nil
	}); err != nil {
		t.Errorf("local transaction: %v", err)
	}
}

// TestWatchRemoteKey is the seckill pattern through a node that does not own
// the stock: WATCH pins a connection to the owner, so a write by another
// client between WATCH and EXEC aborts the transaction, and an untouched
// one commits.
func TestWatchRemoteKey(t *testing.T) {
	c := startCluster(t, "")
	a := c.client(0)
	stock := c.keyOn(1, "stock")
	if err := a.Set(ctx, stock, "10", 0).Err(); err != nil {
		t.Fatal(err)
	}
	buy := func(interfere bool) error {
		return a.Watch(ctx, func(tx *redis.Tx) error {
			n, err := tx.Get(ctx, stock).Int()
			if err != nil {
				return err
			}
			if interfere {
				c.client(2).Decr(ctx, stock) // another client, through a third node
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, stock, n-1, 0)
				return nil
			})
			return err
		}, stock)
	}
	if err := buy(true); err != redis.TxFailedErr {
		t.Errorf("WATCH broken by another client: %v, want TxFailedErr", err)
	}
	if err := buy(false); err != nil {
		t.Errorf("untouched WATCH: %v", err)
	}
	if got := c.client(1).Get(ctx, stock).Val(); got != "8" {
		t.Errorf("stock = %s, want 8 (one interfering DECR, one sale)", got)
	}
	// Watches split between nodes are refused.
	err := a.Watch(ctx, func(*redis.Tx) error { return nil }, stock, c.keyOn(2, "other"))
	if err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Errorf("WATCH across nodes: %v, want CROSSSLOT", err)
	}
}

// TestNodeRestartFromAOF kills a node with SIGKILL under appendfsync always
// and restarts it: every key it acknowledged, written through other nodes,
// is served again.
func TestNodeRestartFromAOF(t *testing.T) {
	c := startCluster(t, "appendonly yes\nappendfsync always\n")
	a := c.client(0)
	var keys []string
	for i := range 50 {
		k := c.keyOn(2, fmt.Sprintf("durable%d-", i))
		if err := a.Set(ctx, k, k, 0).Err(); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	c.stop(c.nodes[2], syscall.SIGKILL)
	c.start(c.nodes[2])
	for _, k := range keys {
		var got string
		var err error
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if got, err = a.Get(ctx, k).Result(); err == nil || time.Now().After(deadline) {
				break
			}
		}
		if got != k {
			t.Fatalf("after the restart %s = %q, %v; want its value", k, got, err)
		}
	}
}
