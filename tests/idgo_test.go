package tests

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The idgo tests run examples/idgo (bin/idgo) against a MyRedis started with
// appendfsync always, and talk to idgo as its users do: redis-cli, go-redis
// with default options, raw frames.

// durableArgs make MyRedis acknowledge a write only once it is on disk.
var durableArgs = []string{"--appendonly", "yes", "--appendfsync", "always"}

// startDurableServer starts MyRedis with appendfsync always.
func startDurableServer(t *testing.T) *server {
	t.Helper()
	return startServer(t, durableArgs...)
}

// myredisArgs returns the command line startServer gives a server on port
// and dir with durableArgs, for restarting it on its own files.
func myredisArgs(port int, dir string) []string {
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir}
	return append(args, durableArgs...)
}

// idgoConfig writes an idgo configuration for port, leasing batch IDs from
// the MyRedis at storage, into dir and returns its path.
func idgoConfig(t *testing.T, dir string, port int, storage string, batch int) string {
	t.Helper()
	path := filepath.Join(dir, "idgo.yaml")
	cfg := fmt.Sprintf("addr: 127.0.0.1:%d\nlog_level: warn\nbatch: %d\nstorage:\n  addrs: [%s]\n", port, batch, storage)
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o644))
	return path
}

// launchIdgo starts idgo with the configuration at cfg (which names port)
// and waits until it answers PING.
func launchIdgo(t *testing.T, dir string, port int, cfg string) *server {
	t.Helper()
	s := launch(t, "idgo", idgoPath, dir, port, []string{"-config", cfg})
	require.NoError(t, s.waitReady())
	return s
}

// startIdgo starts idgo over MyRedis at storage on a free port.
func startIdgo(t *testing.T, storage *server, batch int) *server {
	t.Helper()
	if idgoPath == "" {
		t.Skip("idgo is built only with MyRedis (MYREDIS_BIN is set)")
	}
	dir := t.TempDir()
	port, err := freePort()
	require.NoError(t, err)
	return launchIdgo(t, dir, port, idgoConfig(t, dir, port, storage.addr(), batch))
}

// redisCLI runs redis-cli against s with args and stdin, and returns its
// output.
func redisCLI(t *testing.T, s *server, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(redisCLIPath, append([]string{"-p", strconv.Itoa(s.port)}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return string(out)
}

func TestIdgoRedisCLI(t *testing.T) {
	skipIfMissing(t, redisCLIPath)
	store := startDurableServer(t)
	idgo := startIdgo(t, store, 3)
	assert.Equal(t, "0\n", redisCLI(t, idgo, "", "GET", "abc"), "a generator never set")
	assert.Equal(t, "OK\n", redisCLI(t, idgo, "", "SET", "abc", "100"))
	for want := 101; want <= 104; want++ { // one connection each
		assert.Equal(t, strconv.Itoa(want)+"\n", redisCLI(t, idgo, "", "GET", "abc"))
	}
	// Commands on stdin, one connection.
	assert.Equal(t, "105\n106\n107\n1\n0\n", redisCLI(t, idgo, "GET abc\nGET abc\nGET abc\nEXISTS abc\nEXISTS nope\n"))
	// The counter lives in MyRedis, above every ID handed out.
	counter, err := strconv.Atoi(strings.TrimSpace(redisCLI(t, store, "", "GET", "idgo:{abc}")))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, counter, 107)
	// SET never moves a generator back (batch 3: 108 and 109 were leased
	// with 107 and are dropped); above the counter it restarts there.
	assert.Equal(t, "OK\n110\n", redisCLI(t, idgo, "SET abc 50\nGET abc\n"))
	assert.Equal(t, "OK\n1001\n1002\n", redisCLI(t, idgo, "SET abc 1000\nGET abc\nGET abc\n"))
	assert.Equal(t, "1\n0\n0\n0\n", redisCLI(t, idgo, "DEL abc\nGET abc\nEXISTS abc\nDEL abc\n"))
	assert.Equal(t, "0\n", redisCLI(t, store, "", "EXISTS", "idgo:{abc}"))
	assert.Equal(t, "OK\n6\n", redisCLI(t, idgo, "SET abc 5\nGET abc\n"), "SET after DEL starts anew")
	assert.Contains(t, redisCLI(t, idgo, "", "INCR", "abc"), "ERR unknown command 'INCR', idgo supports GET, SET")
}

func TestIdgoGoRedisDefaultOptions(t *testing.T) {
	store := startDurableServer(t)
	idgo := startIdgo(t, store, 5)
	ctx := testContext(t, 10*time.Second)
	c := redis.NewClient(&redis.Options{Addr: idgo.addr()}) // RESP3 HELLO, CLIENT SETINFO
	t.Cleanup(func() { c.Close() })

	n, err := c.Do(ctx, "GET", "orders").Int64()
	require.NoError(t, err)
	assert.Zero(t, n)
	require.NoError(t, c.Set(ctx, "orders", 0, 0).Err())
	for want := int64(1); want <= 3; want++ {
		got, err := c.Do(ctx, "GET", "orders").Int64()
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	// A pipeline of GETs across several blocks.
	cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for range 50 {
			p.Do(ctx, "GET", "orders")
		}
		return nil
	})
	require.NoError(t, err)
	for i, cmd := range cmds {
		got, err := cmd.(*redis.Cmd).Int64()
		require.NoError(t, err)
		require.Equal(t, int64(4+i), got)
	}
	exists, err := c.Exists(ctx, "orders").Result()
	require.NoError(t, err)
	assert.Equal(t, int64(1), exists)
	deleted, err := c.Del(ctx, "orders").Result()
	require.NoError(t, err)
	assert.Equal(t, int64(1), deleted)
	assert.EqualError(t, c.Incr(ctx, "orders").Err(),
		"ERR unknown command 'incr', idgo supports GET, SET, EXISTS, DEL, PING, ECHO, QUIT, HELLO, SELECT, CLIENT SETINFO|SETNAME, COMMAND")

	// RESP2, as redis-py and older clients speak.
	c2 := redis.NewClient(&redis.Options{Addr: idgo.addr(), Protocol: 2})
	t.Cleanup(func() { c2.Close() })
	require.NoError(t, c2.Set(ctx, "orders", 41, 0).Err())
	got, err := c2.Get(ctx, "orders").Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(42), got)
}

// debianPython is the interpreter Debian's python3-redis (redis-py, which
// make deps installs) is installed for.
const debianPython = "/usr/bin/python3"

// idgoPyClient is a redis-py program with default options: RESP2, no
// HELLO, a connection pool, and a pipeline. It prints what it got.
const idgoPyClient = `
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
assert r.ping() is True
print(r.execute_command("GET", "py"))
assert r.set("py", 10) is True
print([r.execute_command("GET", "py") for _ in range(3)])
p = r.pipeline(transaction=False)
for _ in range(20):
    p.execute_command("GET", "py")
print(p.execute())
print(r.exists("py"), r.exists("nope"), r.delete("py"), r.exists("py"))
try:
    r.incr("py")  # sent as INCRBY py 1
except redis.ResponseError as e:
    print("error:", e)
u = redis.Redis.from_url("redis://127.0.0.1:%s/0" % sys.argv[1], decode_responses=True)
u.set("py", 99)
print(u.execute_command("GET", "py"), u.echo("hi"))
`

func TestIdgoRedisPy(t *testing.T) {
	skipIfMissing(t, debianPython)
	if err := exec.Command(debianPython, "-c", "import redis").Run(); err != nil {
		t.Skip("redis-py (Debian's python3-redis) is not installed; make deps installs it as root")
	}
	store := startDurableServer(t)
	idgo := startIdgo(t, store, 4)
	out, err := exec.Command(debianPython, "-c", idgoPyClient, strconv.Itoa(idgo.port)).CombinedOutput()
	require.NoError(t, err, "%s", out)
	var pipeline []string
	for i := 14; i <= 33; i++ {
		pipeline = append(pipeline, strconv.Itoa(i))
	}
	assert.Equal(t, strings.Join([]string{
		"0",
		"[11, 12, 13]",
		"[" + strings.Join(pipeline, ", ") + "]",
		"1 0 1 0",
		"error: unknown command 'INCRBY', idgo supports GET, SET, EXISTS, DEL, PING, ECHO, QUIT, HELLO, SELECT, CLIENT SETINFO|SETNAME, COMMAND",
		"100 hi",
	}, "\n")+"\n", string(out))
}

func TestIdgoBadFramesAndUnknownCommands(t *testing.T) {
	store := startDurableServer(t)
	idgo := startIdgo(t, store, 5)
	c := idgo.dial(t)
	c.mustDo("-ERR wrong number of arguments for 'get' command\r\n", "GET")
	c.mustDo("-ERR unknown command 'FLUSHALL', idgo supports GET, SET, EXISTS, DEL, PING, ECHO, QUIT, HELLO, SELECT, CLIENT SETINFO|SETNAME, COMMAND\r\n", "FLUSHALL")
	c.send("*1\r\n$-5\r\n")
	assert.Equal(t, "-ERR Protocol error: invalid bulk length\r\n", c.read())
	c.expectClosed(ioTimeout)
}

// idgoClient fetches IDs of one generator in a loop over its own
// connection, reconnecting after errors, until stop is closed.
type idgoClient struct {
	addr string
	ids  []int64 // in the order received
	errs int     // error replies and broken connections
}

// run fetches IDs until stop is closed.
func (c *idgoClient) run(stop <-chan struct{}) {
	var conn net.Conn
	var r *bufio.Reader
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for {
		select {
		case <-stop:
			return
		default:
		}
		if conn == nil {
			var err error
			if conn, err = net.DialTimeout("tcp", c.addr, time.Second); err != nil {
				c.errs++
				conn = nil
				time.Sleep(5 * time.Millisecond)
				continue
			}
			r = bufio.NewReader(conn)
		}
		conn.SetDeadline(time.Now().Add(2 * time.Second))
		line, err := "", error(nil)
		if _, err = conn.Write([]byte("*2\r\n$3\r\nGET\r\n$3\r\ngen\r\n")); err == nil {
			line, err = r.ReadString('\n')
		}
		if err != nil {
			c.errs++
			conn.Close()
			conn = nil
			continue
		}
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(line, ":"), "\r\n"), 10, 64)
		if !strings.HasPrefix(line, ":") || err != nil {
			c.errs++ // e.g. -ERR storage: while MyRedis restarts
			time.Sleep(time.Millisecond)
			continue
		}
		c.ids = append(c.ids, id)
	}
}

// checkIDs fails the test unless every client got IDs, no ID went to two
// requests and each client's IDs increase. It returns the set of IDs, their
// number and the clients' failed requests.
func checkIDs(t *testing.T, cs []*idgoClient) (seen map[int64]int, total, errs int) {
	t.Helper()
	seen = make(map[int64]int)
	for i, c := range cs {
		errs += c.errs
		require.NotEmpty(t, c.ids, "client %d got no ID (%d errors)", i, c.errs)
		for j, id := range c.ids {
			if other, dup := seen[id]; dup {
				t.Fatalf("ID %d handed out twice (clients %d and %d)", id, other, i)
			}
			seen[id] = i
			if j > 0 {
				require.Greater(t, id, c.ids[j-1], "client %d: IDs not increasing", i)
			}
		}
		total += len(c.ids)
	}
	return seen, total, errs
}

// runClients runs perAddr clients against each of addrs while during runs
// and for d after it, and returns them once they stopped.
func runClients(addrs []string, perAddr int, d time.Duration, during func()) []*idgoClient {
	stop := make(chan struct{})
	var cs []*idgoClient
	var wg sync.WaitGroup
	for _, a := range addrs {
		for range perAddr {
			c := &idgoClient{addr: a}
			cs = append(cs, c)
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.run(stop)
			}()
		}
	}
	defer func() { // also when during fails the test
		close(stop)
		wg.Wait()
	}()
	if during != nil {
		during()
	}
	time.Sleep(d)
	return cs
}

func TestIdgoProcessesShareOneMyRedis(t *testing.T) {
	store := startDurableServer(t)
	a, b := startIdgo(t, store, 7), startIdgo(t, store, 7)
	require.Equal(t, "+OK\r\n", a.dial(t).do("SET", "gen", "0"))
	cs := runClients([]string{a.addr(), b.addr()}, 2, 500*time.Millisecond, nil)
	_, total, errs := checkIDs(t, cs)
	assert.Zero(t, errs)
	t.Logf("%d IDs from 2 idgo processes", total)
}

func TestIdgoCrashNeverRepeatsAnID(t *testing.T) {
	if idgoPath == "" {
		t.Skip("idgo is built only with MyRedis (MYREDIS_BIN is set)")
	}
	store := startDurableServer(t)
	storeDir, storePort := store.dir, store.port
	dir := t.TempDir()
	port, err := freePort()
	require.NoError(t, err)
	cfg := idgoConfig(t, dir, port, store.addr(), 20)
	idgo := launchIdgo(t, dir, port, cfg)
	require.Equal(t, "+OK\r\n", idgo.dial(t).do("SET", "gen", "0"))

	const clients, restarts = 4, 20
	cs := runClients([]string{idgo.addr()}, clients, 200*time.Millisecond, func() {
		for i := range restarts {
			time.Sleep(60 * time.Millisecond)
			idgo.cmd.Process.Kill() // SIGKILL: no chance to clean up
			<-idgo.exited
			if i == restarts/2 {
				store.cmd.Process.Kill()
				<-store.exited
				store = launch(t, "myredis", binPath, storeDir, storePort, myredisArgs(storePort, storeDir))
				require.NoError(t, store.waitReady())
			}
			idgo = launchIdgo(t, dir, port, cfg)
		}
	}) // the last run serves for 200 ms too
	seen, total, errs := checkIDs(t, cs)
	// The service works after the last restarts and continues above every
	// ID handed out; the counter in MyRedis, written by acknowledged
	// leases only, is above them too.
	var highest int64
	for id := range seen {
		highest = max(highest, id)
	}
	after, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(idgo.dial(t).do("GET", "gen"), ":"), "\r\n"), 10, 64)
	require.NoError(t, err)
	assert.Greater(t, after, highest)
	counter, err := newClient(t, store, 0).Get(testContext(t, ioTimeout), "idgo:{gen}").Int64()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, counter, after)
	t.Logf("%d IDs to %d clients (%d failed requests) over %d idgo SIGKILLs and 1 MyRedis SIGKILL",
		total, clients, errs, restarts)
}
