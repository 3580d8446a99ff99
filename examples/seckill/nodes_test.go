package main

import (
	"context"
	"fmt"
	"math/rand/v2"
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
)

// The processes the integration tests run: seckillBin is built by
// TestMain; serverBin is MyRedis built by TestMain from ../../my_redis,
// or the binary SECKILL_SERVER_BIN names (SECKILL_SERVER_BIN=
// /usr/bin/redis-server runs the same tests on a real Redis Cluster).
var seckillBin, serverBin string

const redisCLI = "/usr/bin/redis-cli"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "seckill-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		seckillBin = filepath.Join(dir, "seckill")
		if err := goBuild(".", seckillBin, "."); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if serverBin = os.Getenv("SECKILL_SERVER_BIN"); serverBin == "" {
			serverBin = filepath.Join(dir, "my_redis")
			if err := goBuild("../..", serverBin, "./my_redis"); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

func goBuild(dir, out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// A proc is a process a test started, stopped by PID at cleanup.
type proc struct {
	t    testing.TB
	name string
	args []string
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

// startProc runs path with args, logging to a file in dir, and stops it
// with SIGTERM (SIGKILL after 5 s) at cleanup.
func startProc(t testing.TB, dir, name, path string, args ...string) *proc {
	p := &proc{t: t, name: name, args: append([]string{path}, args...), log: filepath.Join(dir, name+".log")}
	p.start()
	t.Cleanup(func() { p.stop(syscall.SIGTERM) })
	return p
}

// start runs the process (again, after a kill).
func (p *proc) start() {
	logf, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	p.cmd = exec.Command(p.args[0], p.args[1:]...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		cmd.Wait()
		logf.Close()
		close(done)
	}(p.cmd, p.done)
}

// stop sends sig to the process and waits for it to end.
func (p *proc) stop(sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// logText returns what the process has logged so far.
func (p *proc) logText() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// nodes are three cluster nodes with appendonly yes and appendfsync
// always: MyRedis on 127.0.0.1, .2 and .3 at one port (self/peers), or a
// real Redis Cluster of three masters on 127.0.0.1.
type nodes struct {
	addrs []string
	procs []*proc
}

// startNodes starts the cluster.
func startNodes(t *testing.T) *nodes {
	dir := t.TempDir()
	port := freePort(t)
	n := &nodes{}
	realRedis := isRealRedis(t)
	for i := range 3 {
		nodeDir := filepath.Join(dir, "node"+strconv.Itoa(i))
		if err := os.Mkdir(nodeDir, 0o755); err != nil {
			t.Fatal(err)
		}
		args := []string{"--dir", nodeDir, "--save", "", "--appendonly", "yes", "--appendfsync", "always"}
		var addr string
		if realRedis {
			addr = "127.0.0.1:" + strconv.Itoa(port+i)
			args = append(args, "--bind", "127.0.0.1", "--port", strconv.Itoa(port+i),
				"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
		} else {
			host := fmt.Sprintf("127.0.0.%d", i+1)
			addr = net.JoinHostPort(host, strconv.Itoa(port))
			members := fmt.Sprintf("127.0.0.1:%d,127.0.0.2:%d,127.0.0.3:%d", port, port, port)
			args = append(args, "--bind", host, "--port", strconv.Itoa(port), "--self", addr, "--peers", members)
		}
		n.addrs = append(n.addrs, addr)
		n.procs = append(n.procs, startProc(t, dir, "node"+strconv.Itoa(i), serverBin, args...))
	}
	for i := range n.addrs {
		n.waitPing(t, i)
	}
	if realRedis {
		createRedisCluster(t, n.addrs)
	}
	return n
}

// isRealRedis reports whether serverBin is Redis rather than MyRedis.
func isRealRedis(t *testing.T) bool {
	out, err := exec.Command(serverBin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", serverBin, err)
	}
	return strings.HasPrefix(string(out), "Redis server")
}

// createRedisCluster assigns the slots of a real Redis Cluster with
// redis-cli --cluster create and waits until every node says ok.
func createRedisCluster(t *testing.T, addrs []string) {
	if _, err := os.Stat(redisCLI); err != nil {
		t.Skip("redis-cli is not installed: it creates the real Redis Cluster")
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	out, err := exec.Command(redisCLI, append(args, "--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, a := range addrs {
		waitUntil(t, 10*time.Second, "cluster_state:ok on "+a, func() bool {
			c := redis.NewClient(&redis.Options{Addr: a})
			defer c.Close()
			info, _ := c.ClusterInfo(context.Background()).Result()
			return strings.Contains(info, "cluster_state:ok")
		})
	}
}

// waitPing waits until node i answers PING.
func (n *nodes) waitPing(t *testing.T, i int) {
	waitUntil(t, 10*time.Second, "node "+n.addrs[i]+" answering PING", func() bool {
		c := redis.NewClient(&redis.Options{Addr: n.addrs[i], MaxRetries: -1})
		defer c.Close()
		return c.Ping(context.Background()).Err() == nil
	})
}

// restart SIGKILLs node i and starts it again on its data directory.
func (n *nodes) restart(t *testing.T, i int, down time.Duration) {
	n.procs[i].stop(syscall.SIGKILL)
	time.Sleep(down)
	n.procs[i].start()
	n.waitPing(t, i)
}

// index returns the index of the node at addr.
func (n *nodes) index(t *testing.T, addr string) int {
	for i, a := range n.addrs {
		if a == addr {
			return i
		}
	}
	t.Fatalf("no node at %s (nodes %v)", addr, n.addrs)
	return -1
}

// freePort returns a port free on 127.0.0.1, .2 and .3, whose next two
// ports and cluster bus ports (+10000) are free on 127.0.0.1 too.
func freePort(t *testing.T) int {
	for range 50 {
		port := 20000 + rand.IntN(2000)
		ok := true
		for _, hp := range []string{"127.0.0.2:0", "127.0.0.3:0", "127.0.0.1:1", "127.0.0.1:2",
			"127.0.0.1:10000", "127.0.0.1:10001", "127.0.0.1:10002", "127.0.0.1:0"} {
			host, off, _ := net.SplitHostPort(hp)
			d, _ := strconv.Atoi(off)
			l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port+d)))
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
	t.Fatal("no free port")
	return 0
}

// waitUntil polls cond every 20 ms until it holds, failing the test after
// timeout.
func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
