package aof

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRedisLoadsOurDir starts real Redis (when installed) on a directory
// this package wrote, after a rewrite, and reads the keys back.
func TestRedisLoadsOurDir(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed")
	}
	dir := t.TempDir()
	a := open(t, dir, FsyncAlways, false)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	a.Append(0, args("SET", "a", "1"))
	err := a.Rewrite(func(rotate func(), emit func(int, [][]byte)) error {
		rotate()
		emit(0, args("SET", "a", "1"))
		emit(3, args("RPUSH", "l", "x", "y"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitRewrite(t, a)
	a.Append(3, args("INCR", "n"))
	a.AppendTx([]Write{{DB: 0, Args: args("INCR", "a")}, {DB: 5, Args: args("SET", "s", "v w")}})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	srv := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--dir", dir, "--daemonize", "no")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	cli := func(args ...string) string {
		out, _ := exec.Command("redis-cli", append([]string{"-p", port}, args...)...).Output()
		return strings.TrimSpace(string(out))
	}
	deadline := time.Now().Add(10 * time.Second)
	for cli("PING") != "PONG" {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range []struct{ db, cmd, key, want string }{
		{"0", "GET", "a", "2"},
		{"3", "LRANGE", "l", "x\ny"},
		{"3", "GET", "n", "1"},
		{"5", "GET", "s", "v w"},
	} {
		args := []string{"-n", c.db, c.cmd, c.key}
		if c.cmd == "LRANGE" {
			args = append(args, "0", "-1")
		}
		if got := cli(args...); got != c.want {
			t.Errorf("db %s %s %s: got %q, want %q", c.db, c.cmd, c.key, got, c.want)
		}
	}
}
