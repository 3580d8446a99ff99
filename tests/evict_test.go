package tests

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Eviction and maxmemory, against MyRedis and real Redis with the same
// assertions: which keys each policy evicts, the OOM refusals, and
// transactions and scripts over the limit.

// evictValue is the 1 KB value the eviction tests store.
var evictValue = strings.Repeat("v", 1024)

// memInfo returns an integer field of INFO memory or stats.
func memInfo(t testing.TB, ctx context.Context, c *redis.Client, section, field string) int64 {
	t.Helper()
	info, err := c.Info(ctx, section).Result()
	require.NoError(t, err)
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			require.NoError(t, err, field)
			return n
		}
	}
	t.Fatalf("INFO %s has no %s", section, field)
	return 0
}

// limitMemory sets maxmemory to what the server uses now plus room and
// sets the policy.
func limitMemory(t testing.TB, ctx context.Context, c *redis.Client, room int64, policy string) {
	t.Helper()
	used := memInfo(t, ctx, c, "memory", "used_memory")
	require.NoError(t, c.ConfigSet(ctx, "maxmemory-policy", policy).Err())
	require.NoError(t, c.ConfigSet(ctx, "maxmemory", strconv.FormatInt(used+room, 10)).Err())
}

// fill SETs keys prefix0..prefix(n-1) with 1 KB values, in pipelines of
// 50, with a TTL of ttl(i) seconds when ttl is not nil.
func fill(t testing.TB, ctx context.Context, c *redis.Client, prefix string, n int, ttl func(i int) time.Duration) {
	t.Helper()
	for i := 0; i < n; i += 50 {
		p := c.Pipeline()
		for j := i; j < min(i+50, n); j++ {
			var d time.Duration
			if ttl != nil {
				d = ttl(j)
			}
			p.Set(ctx, prefix+strconv.Itoa(j), evictValue, d)
		}
		_, err := p.Exec(ctx)
		require.NoError(t, err)
	}
}

// present returns which of prefix0..prefix(n-1) exist.
func present(t testing.TB, ctx context.Context, c *redis.Client, prefix string, n int) []bool {
	t.Helper()
	p := c.Pipeline()
	cmds := make([]*redis.IntCmd, n)
	for i := range cmds {
		cmds[i] = p.Exists(ctx, prefix+strconv.Itoa(i))
	}
	_, err := p.Exec(ctx)
	require.NoError(t, err)
	out := make([]bool, n)
	for i, c := range cmds {
		out[i] = c.Val() == 1
	}
	return out
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// readAll GETs prefix0..prefix(n-1) once each.
func readAll(t testing.TB, ctx context.Context, c *redis.Client, prefix string, n int) {
	t.Helper()
	p := c.Pipeline()
	for i := 0; i < n; i++ {
		p.Get(ctx, prefix+strconv.Itoa(i))
	}
	_, err := p.Exec(ctx)
	if err != nil && err != redis.Nil {
		require.NoError(t, err)
	}
}

// TestEvictionVolatile: the volatile policies evict only keys with a TTL,
// and volatile-ttl the nearest deadlines first.
func TestEvictionVolatile(t *testing.T) {
	for _, policy := range []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			forBoth(t, func(t *testing.T, s *server) {
				ctx := testContext(t, 30*time.Second)
				c := newClient(t, s, 0)
				limitMemory(t, ctx, c, 1<<20, policy)
				fill(t, ctx, c, "p", 200, nil)
				const n = 2000
				fill(t, ctx, c, "v", n, func(i int) time.Duration { return time.Hour + time.Duration(i)*time.Second })
				assert.Equal(t, 200, count(present(t, ctx, c, "p", 200)), "a persistent key was evicted")
				left := present(t, ctx, c, "v", n)
				kept := count(left)
				assert.Less(t, kept, n/2, "too few volatile keys evicted")
				assert.Positive(t, kept)
				assert.Positive(t, memInfo(t, ctx, c, "stats", "evicted_keys"))
				if policy == "volatile-ttl" {
					early, late := count(left[:n/4]), count(left[3*n/4:])
					t.Logf("volatile-ttl kept %d of the nearest quarter of deadlines, %d of the farthest", early, late)
					assert.Less(t, early, late/2, "volatile-ttl did not evict the nearest deadlines first")
				}
			})
		})
	}
}

// TestEvictionVolatileNothingToEvict: a volatile policy with no volatile
// key behaves as noeviction.
func TestEvictionVolatileNothingToEvict(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctx := testContext(t, 30*time.Second)
		c := newClient(t, s, 0)
		limitMemory(t, ctx, c, 256<<10, "volatile-lru")
		err := error(nil)
		for i := 0; i < 1000 && err == nil; i++ {
			err = c.Set(ctx, "p"+strconv.Itoa(i), evictValue, 0).Err()
		}
		require.Error(t, err)
		assert.Equal(t, "OOM command not allowed when used memory > 'maxmemory'.", err.Error())
	})
}

// TestEvictionLRU: under allkeys-lru a hot set that is read keeps its
// keys while the keys not read since go. (Redis's LRU clock counts
// seconds, hence the pause.)
func TestEvictionLRU(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctx := testContext(t, 30*time.Second)
		c := newClient(t, s, 0)
		limitMemory(t, ctx, c, 1<<20, "allkeys-lru")
		fill(t, ctx, c, "hot", 100, nil)
		fill(t, ctx, c, "cold", 500, nil)
		require.Zero(t, memInfo(t, ctx, c, "stats", "evicted_keys"), "evicting before the limit")
		time.Sleep(2100 * time.Millisecond)
		readAll(t, ctx, c, "hot", 100)
		for i := 0; i < 4; i++ {
			fill(t, ctx, c, fmt.Sprintf("new%d-", i), 100, nil)
			readAll(t, ctx, c, "hot", 100)
		}
		hot, cold := count(present(t, ctx, c, "hot", 100)), count(present(t, ctx, c, "cold", 500))
		t.Logf("kept %d of 100 hot keys, %d of 500 cold ones", hot, cold)
		assert.GreaterOrEqual(t, hot, 90, "the hot set was evicted")
		evicted := int(memInfo(t, ctx, c, "stats", "evicted_keys"))
		assert.Positive(t, evicted)
		assert.LessOrEqual(t, cold, 500-evicted*3/4, "the evictions did not take mostly cold keys")
	})
}

// TestEvictionLFU: under allkeys-lfu keys read often stay while keys
// written later, but never read, go.
func TestEvictionLFU(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctx := testContext(t, 30*time.Second)
		c := newClient(t, s, 0)
		limitMemory(t, ctx, c, 1<<20, "allkeys-lfu")
		fill(t, ctx, c, "hot", 100, nil)
		for i := 0; i < 20; i++ {
			readAll(t, ctx, c, "hot", 100)
		}
		freq, err := c.ObjectFreq(ctx, "hot0").Result()
		require.NoError(t, err)
		assert.Greater(t, freq, int64(5), "OBJECT FREQ of a key read 20 times")
		fill(t, ctx, c, "new", 2000, nil)
		hot := count(present(t, ctx, c, "hot", 100))
		t.Logf("kept %d of 100 frequently read keys", hot)
		assert.GreaterOrEqual(t, hot, 95, "frequently read keys were evicted")
		assert.Less(t, count(present(t, ctx, c, "new", 2000)), 1000)
	})
}

// TestEvictionAllKeysRandom: keys go, memory stays near the limit.
func TestEvictionAllKeysRandom(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctx := testContext(t, 30*time.Second)
		c := newClient(t, s, 0)
		limitMemory(t, ctx, c, 1<<20, "allkeys-random")
		fill(t, ctx, c, "k", 3000, nil)
		n, err := c.DBSize(ctx).Result()
		require.NoError(t, err)
		assert.Less(t, n, int64(1500))
		// Every command evicts when over the limit, INFO too.
		assert.GreaterOrEqual(t, memInfo(t, ctx, c, "stats", "evicted_keys"), 3000-n)
		// Memory stays within the limit plus what the 100 ms report may
		// add after the last eviction: the client's buffers, counted as in
		// Redis, whose read buffer grows past 64 KB for fill's pipelines.
		maxmemory := memInfo(t, ctx, c, "memory", "maxmemory")
		const slack = 128 << 10
		assert.LessOrEqual(t, memInfo(t, ctx, c, "memory", "used_memory"), maxmemory+slack)
		// Lifted first: over the limit again by the client's buffers,
		// INFO would evict before it answers.
		require.NoError(t, c.ConfigSet(ctx, "maxmemory", "0").Err())
		require.NoError(t, c.ConfigResetStat(ctx).Err())
		assert.Zero(t, memInfo(t, ctx, c, "stats", "evicted_keys"), "after CONFIG RESETSTAT")
		assert.LessOrEqual(t, memInfo(t, ctx, c, "memory", "used_memory_peak"), maxmemory+slack, "the peak after CONFIG RESETSTAT")
	})
}

// TestOOMNoEviction: over the limit under noeviction, commands that may
// grow memory are refused; reads, DEL, EXPIRE and FLUSHALL work; the
// replies are Redis's, compared line by line.
func TestOOMNoEviction(t *testing.T) {
	transcript := func(s *server) []string {
		c := s.dial(t)
		ctl := s.dial(t)
		var out []string
		do := func(args ...string) { out = append(out, strings.Join(args, " ")+" -> "+c.do(args...)) }
		do("SET", "x", "1")
		do("RPUSH", "l", "a")
		do("SET", "vol", "1", "EX", "100")
		// A transaction queued before the limit, with a denyoom command.
		do("MULTI")
		do("SET", "y", "1")
		ctl.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory", "1")
		do("EXEC")
		// Read-only transaction, and queuing while over the limit.
		do("MULTI")
		do("GET", "x")
		do("EXEC")
		do("MULTI")
		do("MULTI")
		do("WATCH", "x")
		do("DISCARD")
		do("SET", "z", "1")
		do("APPEND", "x", "more")
		do("INCR", "x")
		do("LPUSH", "l", "b")
		do("GET", "x")
		do("LRANGE", "l", "0", "-1")
		do("EXPIRE", "x", "100")
		do("PERSIST", "vol")
		do("DEL", "vol")
		do("UNLINK", "l")
		do("LPOP", "nope")
		do("EVAL", "return redis.call('set','k','v')", "0")
		do("EVAL", "return redis.call('get','x')", "0")
		do("EVAL", "#!lua\nreturn 1", "0")
		do("EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", "0")
		do("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','k','v')", "0")
		do("FLUSHALL")
		do("DBSIZE")
		ctl.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory", "0")
		do("SET", "z", "1")
		return out
	}
	if !haveRedis() {
		t.Skip("redis-server is not installed")
	}
	mine, theirs := transcript(startServer(t)), transcript(startRedis(t))
	for i := range theirs {
		assert.Equal(t, theirs[i], mine[i], "step %d", i)
	}
}

// TestBigkeysMemkeys: redis-cli --bigkeys and --memkeys run to the end
// against MyRedis.
func TestBigkeysMemkeys(t *testing.T) {
	skipIfMissing(t, redisCLIPath)
	s := startServer(t)
	ctx := testContext(t, 30*time.Second)
	c := newClient(t, s, 0)
	require.NoError(t, c.Set(ctx, "s", evictValue, 0).Err())
	require.NoError(t, c.RPush(ctx, "l", "a", "b", "c").Err())
	require.NoError(t, c.HSet(ctx, "h", "f", "v").Err())
	require.NoError(t, c.SAdd(ctx, "set", 1, 2).Err())
	require.NoError(t, c.ZAdd(ctx, "z", redis.Z{Score: 1, Member: "m"}).Err())
	big := runTool(t, s, redisCLIPath, nil, "--bigkeys")
	assert.Contains(t, big, `Biggest string found '"s"' has 1024 bytes`)
	assert.Contains(t, big, `Biggest   list found '"l"' has 3 items`)
	mem := runTool(t, s, redisCLIPath, nil, "--memkeys")
	assert.Contains(t, mem, `Biggest string found '"s"' has`)
	assert.Contains(t, mem, "Sampled 5 keys")
}

// TestEvictionSideEffects: an evicted key fires the "evicted" event and
// makes a transaction WATCHing it fail, in both servers.
func TestEvictionSideEffects(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctx := testContext(t, 30*time.Second)
		c := newClient(t, s, 0)
		require.NoError(t, c.ConfigSet(ctx, "notify-keyspace-events", "Ee").Err())
		sub := newClient(t, s, 0).Subscribe(ctx, "__keyevent@0__:evicted")
		defer sub.Close()
		_, err := sub.Receive(ctx)
		require.NoError(t, err)
		require.NoError(t, c.Set(ctx, "watched", "1", 0).Err())
		w := s.dial(t)
		w.mustDo("+OK\r\n", "WATCH", "watched")
		limitMemory(t, ctx, c, 256<<10, "allkeys-random")
		fill(t, ctx, c, "k", 1000, nil)
		for c.Exists(ctx, "watched").Val() == 1 {
			fill(t, ctx, c, "more", 200, nil) // until the watched key goes too
		}
		w.mustDo("+OK\r\n", "MULTI")
		w.mustDo("+QUEUED\r\n", "GET", "k0")
		w.mustDo("*-1\r\n", "EXEC")
		msg, err := sub.ReceiveMessage(ctx)
		require.NoError(t, err)
		assert.Equal(t, "__keyevent@0__:evicted", msg.Channel)
	})
}

// TestEvictionAOF: evictions are logged as DEL, and the dataset read back
// after a restart (without a limit) is the one the server had.
func TestEvictionAOF(t *testing.T) {
	s := startAOF(t, "everysec", "--maxmemory-policy", "allkeys-lru")
	ctx := testContext(t, 30*time.Second)
	c := newClient(t, s, 0)
	limitMemory(t, ctx, c, 512<<10, "allkeys-lru")
	fill(t, ctx, c, "k", 2000, nil)
	require.Positive(t, memInfo(t, ctx, c, "stats", "evicted_keys"))
	// Lifted, so that no command from here on evicts before it runs (KEYS
	// and SHUTDOWN would, while the client buffers keep memory over it).
	require.NoError(t, c.ConfigSet(ctx, "maxmemory", "0").Err())
	keys, err := c.Keys(ctx, "*").Result()
	require.NoError(t, err)
	require.Less(t, len(keys), 2000)
	shutdown(t, s)
	logged := ""
	for _, text := range aofFiles(t, filepath.Join(s.dir, "appendonlydir")) {
		logged += text
	}
	assert.Contains(t, logged, "*2\r\n$3\r\nDEL\r\n")
	// Without maxmemory: a fresh process's base memory differs a little,
	// and under the same limit it could evict a few more keys at once.
	s = restart(t, s)
	c = newClient(t, s, 0)
	after, err := c.Keys(ctx, "*").Result()
	require.NoError(t, err)
	slices.Sort(keys)
	slices.Sort(after)
	assert.Equal(t, keys, after)
}

// TestEvictionRSSBound: under a write load of ten times maxmemory, the
// process stays within 1.5 x maxmemory plus 30 MB, in both servers. Not
// under -race, whose shadow memory multiplies the heap.
func TestEvictionRSSBound(t *testing.T) {
	if raceEnabled {
		t.Skip("RSS under -race measures the race detector")
	}
	skipIfMissing(t, redisBenchmarkPath)
	const maxmemory = 32 << 20
	forBoth(t, func(t *testing.T, s *server) {
		ctx := testContext(t, 60*time.Second)
		c := newClient(t, s, 0)
		require.NoError(t, c.ConfigSet(ctx, "maxmemory-policy", "allkeys-lru").Err())
		require.NoError(t, c.ConfigSet(ctx, "maxmemory", strconv.Itoa(maxmemory)).Err())
		// 320 MB of 1 KB values over 10 million key names, for 20 s at most.
		bench := exec.CommandContext(ctx, redisBenchmarkPath, "-h", "127.0.0.1", "-p", strconv.Itoa(s.port),
			"-t", "set", "-n", "320000", "-r", "10000000", "-d", "1024", "-P", "16", "-c", "20", "-q")
		done := make(chan error, 1)
		require.NoError(t, bench.Start())
		go func() { done <- bench.Wait() }()
		var peak int64
		deadline := time.After(20 * time.Second)
	sample:
		for {
			rss, err := s.rssBytes()
			require.NoError(t, err)
			peak = max(peak, rss)
			select {
			case err := <-done:
				require.NoError(t, err)
				break sample
			case <-deadline:
				bench.Process.Kill()
				<-done
				break sample
			case <-time.After(50 * time.Millisecond):
			}
		}
		evicted := memInfo(t, ctx, c, "stats", "evicted_keys")
		t.Logf("peak RSS %d MB for maxmemory %d MB, %d keys evicted", peak>>20, maxmemory>>20, evicted)
		assert.Positive(t, evicted)
		assert.LessOrEqual(t, peak, int64(maxmemory)*3/2+30<<20, "RSS past 1.5 x maxmemory + 30 MB")
	})
}

// TestEvictionBusyScript: eviction never waits for the locks a running
// script holds: over maxmemory, a command that would evict while a script
// has the keyspace to itself goes on, and SCRIPT KILL (which never evicts)
// stops the script. MyRedis only: Redis reads no other client before the
// script is busy.
func TestEvictionBusyScript(t *testing.T) {
	s := startServer(t)
	ctl := s.dial(t)
	ctl.mustDo("+OK\r\n", "SET", "x", "1")
	ctl.mustDo("+OK\r\n", "CONFIG", "SET", "busy-reply-threshold", "500")
	ctl.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
	busy := s.dial(t)
	busy.send(string(encodeCommand([]string{"EVAL", "while true do end", "0"})))
	time.Sleep(100 * time.Millisecond) // the script runs, holding the keyspace
	ctl.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory", "1")
	getter := s.dial(t)
	getter.send(string(encodeCommand([]string{"GET", "x"})))
	killer := s.dial(t)
	waitFor(t, 5*time.Second, "SCRIPT KILL", func() bool { return killer.do("SCRIPT", "KILL") == "+OK\r\n" })
	reply := busy.read()
	assert.True(t, strings.HasPrefix(reply, "-ERR Script killed by user with SCRIPT KILL"), "the killed script's reply: %q", reply)
	assert.Contains(t, []string{"$1\r\n1\r\n", "$-1\r\n"}, getter.read())
	ctl.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory", "0")
}
