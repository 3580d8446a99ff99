package tests

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
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

// TestSlowReaderStallsNoOne: a client that asks for large values and never
// reads holds up no one else, not even a transaction that needs the whole
// keyspace or an AOF rewrite, which both wait for every command in flight.
func TestSlowReaderStallsNoOne(t *testing.T) {
	s := startAOF(t, "everysec")
	rdb := newClient(t, s, 0)
	ctx := testContext(t, time.Minute)
	big := strings.Repeat("x", 16<<20)
	require.NoError(t, rdb.Set(ctx, "big", big, 0).Err())

	// The slow reader: a tiny receive buffer, four GETs of 16 MB, and not
	// a byte read.
	slow, err := net.DialTCP("tcp", nil, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: s.port})
	require.NoError(t, err)
	defer slow.Close()
	require.NoError(t, slow.SetReadBuffer(4096))
	get := encodeCommand([]string{"GET", "big"})
	_, err = slow.Write(append(append(append(append([]byte{}, get...), get...), get...), get...))
	require.NoError(t, err)
	time.Sleep(300 * time.Millisecond) // the server is now stuck writing to it

	within := func(what string, f func(c *rawConn) string, want func(string) bool) {
		t.Helper()
		c := s.dial(t)
		done := make(chan string, 1)
		go func() {
			c.c.SetDeadline(time.Now().Add(time.Second))
			done <- f(c)
		}()
		select {
		case got := <-done:
			assert.True(t, want(got), "%s: got %.80q", what, got)
		case <-time.After(time.Second + 200*time.Millisecond):
			t.Errorf("%s: no answer within 1 s while a client does not read", what)
		}
	}
	is := func(want string) func(string) bool { return func(got string) bool { return got == want } }
	hasPrefix := func(p string) func(string) bool { return func(got string) bool { return strings.HasPrefix(got, p) } }

	within("STRLEN of the key being sent", func(c *rawConn) string { return c.do("STRLEN", "big") }, is(":16777216\r\n"))
	within("MULTI DBSIZE EXEC", func(c *rawConn) string {
		c.do("MULTI")
		c.do("DBSIZE")
		return c.do("EXEC")
	}, is("*1\r\n:1\r\n"))
	for i := range 64 {
		within(fmt.Sprintf("PING %d", i), func(c *rawConn) string { return c.do("PING") }, is("+PONG\r\n"))
	}
	within("SET", func(c *rawConn) string { return c.do("SET", "k", "v") }, is("+OK\r\n"))
	within("GET", func(c *rawConn) string { return c.do("GET", "k") }, is("$1\r\nv\r\n"))
	within("INFO", func(c *rawConn) string { return c.do("INFO") }, hasPrefix("$"))
	within("CLIENT LIST", func(c *rawConn) string { return c.do("CLIENT", "LIST") }, hasPrefix("$"))
	within("BGREWRITEAOF", func(c *rawConn) string { return c.do("BGREWRITEAOF") }, hasPrefix("+Background append only file rewriting"))
	c := s.dial(t)
	waitFor(t, 10*time.Second, "the rewrite to finish", func() bool { return infoField(t, c, "aof_rewrite_in_progress") == "0" })
	assert.Equal(t, "ok", infoField(t, c, "aof_last_bgrewrite_status"))
	within("SET after the rewrite", func(c *rawConn) string { return c.do("SET", "k2", "v") }, is("+OK\r\n"))
}

// TestOutputBufferLimitNormal: client-output-buffer-limit normal applies to
// a client that does not read, as in Redis: past the hard limit it is
// closed.
func TestOutputBufferLimitNormal(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, "--client-output-buffer-limit", "normal 1mb 0 0")
		c := s.dial(t)
		c.mustDo("+OK\r\n", "SET", "big", strings.Repeat("x", 2<<20))
		c.send(string(encodeCommand([]string{"GET", "big"})))
		c.expectClosed(5 * time.Second)
		s.dial(t).mustDo("+PONG\r\n", "PING")
	})
}

// TestMaxmemoryClients: past maxmemory-clients the biggest client is
// closed and counted in evicted_clients, as in Redis; CLIENT NO-EVICT
// exempts a client; a percentage is taken of maxmemory, and CONFIG SET
// applies at once.
func TestMaxmemoryClients(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, "--maxmemory-clients", "1mb")
		admin := s.dial(t)
		admin.mustDo("+OK\r\n", "CLIENT", "NO-EVICT", "on") // its 2 MB SET counts too
		admin.mustDo("+OK\r\n", "SET", "big", strings.Repeat("x", 8<<20))
		evicted := func() string { return infoFields(t, admin, "stats")["evicted_clients"] }
		reply := "$" + strconv.Itoa(8<<20) + "\r\n" + strings.Repeat("x", 8<<20) + "\r\n"

		// A client that asks for 32 MB and does not read: more than the
		// sockets' buffers hold.
		get := string(encodeCommand([]string{"GET", "big"}))
		notReading := func(smallBuffer bool) *rawConn {
			c := s.dial(t)
			if smallBuffer {
				require.NoError(t, c.c.(*net.TCPConn).SetReadBuffer(4096))
			}
			c.send(strings.Repeat(get, 4))
			time.Sleep(300 * time.Millisecond) // three of MyRedis's 100 ms checks
			return c
		}
		notReading(true).expectClosed(5 * time.Second)
		waitFor(t, 5*time.Second, "evicted_clients to count it", func() bool { return evicted() == "1" })
		// The exempt client gets its 8 MB.
		admin.mustDo(reply, "GET", "big")

		// 1% of 100 MB is 1 MB; 100% leaves room.
		admin.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory", "100mb", "maxmemory-clients", "1%")
		notReading(false).expectClosed(5 * time.Second)
		admin.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory-clients", "100%")
		c := notReading(false)
		c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		got, err := io.ReadAll(io.LimitReader(c.r, int64(4*len(reply))))
		require.NoError(t, err)
		assert.Equal(t, 4*len(reply), len(got), "within the limit the client is served")
		assert.Equal(t, "2", evicted())
	})
}

// TestClientKillStuckWriter: CLIENT KILL closes a client that does not
// read at once, its unsent replies discarded. (Redis 7.0 closes the
// socket with the replies it already wrote still queued in the kernel,
// which trickles them out a window at a time: with a small receive buffer
// the connection stays open for minutes. Client eviction, which runs
// before Redis writes, does not show it.)
func TestClientKillStuckWriter(t *testing.T) {
	s := startServer(t)
	admin := s.dial(t)
	admin.mustDo("+OK\r\n", "SET", "big", strings.Repeat("x", 8<<20))
	c := s.dial(t)
	id := strings.Trim(c.do("CLIENT", "ID"), ":\r\n")
	require.NoError(t, c.c.(*net.TCPConn).SetReadBuffer(4096))
	c.send(strings.Repeat(string(encodeCommand([]string{"GET", "big"})), 4))
	time.Sleep(300 * time.Millisecond)
	admin.mustDo(":1\r\n", "CLIENT", "KILL", "ID", id)
	c.expectClosed(5 * time.Second)
}

// expiringWrites are the writes of TestRestartAfterDeadlines: every type,
// each key given a deadline 1.5 s ahead between two writes, as a rate
// limiter does, plus one key whose deadline is an hour ahead.
var expiringWrites = [][]string{
	{"SET", "k", "v", "PX", "1500"},
	{"INCR", "c"}, {"PEXPIRE", "c", "1500"}, {"INCR", "c"},
	{"INCR", "rl"}, {"PEXPIRE", "rl", "1500"}, {"INCR", "rl"}, {"INCR", "rl"},
	{"RPUSH", "l", "a", "b"}, {"PEXPIRE", "l", "1500"}, {"RPUSH", "l", "c"},
	{"HSET", "h", "f1", "1"}, {"PEXPIRE", "h", "1500"}, {"HSET", "h", "f2", "2"},
	{"SADD", "s", "a"}, {"PEXPIRE", "s", "1500"}, {"SADD", "s", "b"},
	{"ZADD", "z", "1", "a"}, {"PEXPIRE", "z", "1500"}, {"ZADD", "z", "2", "b"},
	{"SET", "later", "v", "EX", "3600"},
	{"SET", "forever", "v"},
}

// TestRestartAfterDeadlines: keys whose deadline passes while the server
// is down are gone when it serves again (with their DELs in the AOF), and a
// key whose deadline is ahead keeps it. Redis does the same; it is checked
// too when installed.
func TestRestartAfterDeadlines(t *testing.T) {
	for _, stop := range []string{"SIGKILL", "SIGTERM"} {
		t.Run(stop, func(t *testing.T) {
			servers := []*server{startAOF(t, "always")}
			if haveRedis() {
				servers = append(servers, startOn(t, "redis", redisServerPath, t.TempDir(), "--appendfsync", "always"))
			}
			for _, s := range servers {
				c := s.dial(t)
				for _, w := range expiringWrites {
					c.do(w...)
				}
				if stop == "SIGKILL" {
					kill(t, s)
				} else {
					terminate(t, s)
				}
			}
			time.Sleep(2 * time.Second)
			for _, s := range servers {
				n := restart(t, s)
				c := n.dial(t)
				for _, key := range []string{"k", "c", "rl", "l", "h", "s", "z"} {
					assert.Equal(t, ":0\r\n", c.do("EXISTS", key), "%s: %s outlived its deadline", n.name, key)
				}
				assert.Equal(t, ":2\r\n", c.do("DBSIZE"), n.name)
				ttl, err := strconv.Atoi(strings.Trim(c.do("TTL", "later"), ":\r\n"))
				require.NoError(t, err)
				assert.InDelta(t, 3600, ttl, 10, "%s: the deadline ahead is kept", n.name)
				assert.Equal(t, ":-1\r\n", c.do("TTL", "forever"), n.name)
				if n.name == "myredis" {
					assert.Contains(t, readAOF(t, n), "$3\r\nDEL\r\n$1\r\nc\r\n", "the expired keys' DELs are logged")
				}
			}
		})
	}
}

// readAOF returns the contents of every file in s's AOF directory.
func readAOF(t *testing.T, s *server) string {
	t.Helper()
	var all []byte
	for _, line := range manifestFiles(t, aofDir(s)) {
		b, err := os.ReadFile(filepath.Join(aofDir(s), strings.Fields(line)[1]))
		require.NoError(t, err)
		all = append(all, b...)
	}
	return string(all)
}

// TestReadersSeeOnlyDurableWrites: under appendfsync always, no reply (to
// the writer or to anyone else) shows a write that a kill -9 takes back.
// Writers increment a counter while readers poll it; after kill -9 and a
// restart, the counter is at least the highest value any reader saw.
func TestReadersSeeOnlyDurableWrites(t *testing.T) {
	s := startAOF(t, "always")
	cycles := 25
	if testing.Short() {
		cycles = 5
	}
	for cycle := range cycles {
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		seen, acked := int64(0), int64(0)
		var wg sync.WaitGroup
		// Several writers: while one waits for its fsync, the others'
		// increments are applied and not yet in the file.
		for range 4 {
			writer := newRawClient(t, s, 0)
			wg.Go(func() {
				for ctx.Err() == nil {
					n, err := writer.Incr(ctx, "counter").Result()
					if err != nil {
						return
					}
					mu.Lock()
					acked = max(acked, n)
					mu.Unlock()
				}
			})
		}
		for range 4 {
			reader := newRawClient(t, s, 0)
			wg.Go(func() {
				for ctx.Err() == nil {
					n, err := reader.Get(ctx, "counter").Int64()
					if err != nil && err != redis.Nil {
						return
					}
					mu.Lock()
					seen = max(seen, n)
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Duration(100+cycle%7*30) * time.Millisecond)
		kill(t, s)
		cancel()
		wg.Wait()
		s = restart(t, s)
		got, err := newClient(t, s, 0).Get(testContext(t, ioTimeout), "counter").Int64()
		if err == redis.Nil {
			err = nil
		}
		require.NoError(t, err)
		mu.Lock()
		require.GreaterOrEqual(t, got, seen, "cycle %d: a reader saw %d, but after kill -9 the counter is %d", cycle, seen, got)
		require.GreaterOrEqual(t, got, acked, "cycle %d: %d was acknowledged, but after kill -9 the counter is %d", cycle, acked, got)
		mu.Unlock()
	}
}

// TestStartWithoutConfigFile: like redis-server, my_redis with no file and
// only --port listens on Redis's default bind, "* -::*".
func TestStartWithoutConfigFile(t *testing.T) {
	port, err := freePort()
	require.NoError(t, err)
	dir := t.TempDir()
	s := launch(t, "myredis", binPath, dir, port, []string{"--port", strconv.Itoa(port)})
	require.NoError(t, s.waitReady())
	s.dial(t).mustDo("+PONG\r\n", "PING")
	if c, err := net.DialTimeout("tcp", net.JoinHostPort("::1", strconv.Itoa(port)), time.Second); err == nil {
		c.Close() // IPv6 works here: the wildcard listens on it too
	} else if _, err6 := net.Listen("tcp6", "[::1]:0"); err6 == nil {
		t.Errorf("IPv6 works on this machine but the server does not listen on it: %v", err)
	}

	// A second server on the same port fails and names the address.
	second := launch(t, "myredis", binPath, t.TempDir(), port, []string{"--port", strconv.Itoa(port)})
	code, err := second.wait(startTimeout)
	require.NoError(t, err)
	assert.NotZero(t, code)
	assert.Contains(t, readLog(t, second), "0.0.0.0:"+strconv.Itoa(port))
}
