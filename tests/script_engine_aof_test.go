package tests

import (
	"context"
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

// Scripts' effects in the AOF: what a script wrote, as the commands it ran
// (several in one MULTI/EXEC block), acknowledged only once durable.

// ackScript writes in three places at once: a counter and a list it
// declares, and a set in another database it does not (so it runs with the
// keyspace to itself).
const ackScript = `
redis.call('incr', KEYS[1])
redis.call('rpush', KEYS[2], ARGV[1])
redis.call('select', 2)
redis.call('sadd', 'members', ARGV[1])
return 1`

// declaredScript touches only its declared keys.
const declaredScript = `redis.call('incr', KEYS[1]) return redis.call('rpush', KEYS[2], ARGV[1])`

const ackLibrary = "#!lua name=acks\nredis.register_function('ack', function(keys, args) redis.call('incr', keys[1]) return redis.call('rpush', keys[2], args[1]) end)"

// TestScriptEngineAOFKill9: under appendfsync always, every effect of an
// acknowledged script or function is there after kill -9 and restart, and
// each script's effects are there whole or not at all.
func TestScriptEngineAOFKill9(t *testing.T) {
	s := startAOF(t, "always")
	admin := s.dial(t)
	admin.mustDo("$4\r\nacks\r\n", "FUNCTION", "LOAD", ackLibrary)

	type client struct {
		name  string
		acked []string
	}
	clients := make([]*client, 6)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range clients {
		cl := &client{name: "c" + strconv.Itoa(i)}
		clients[i] = cl
		rdb := newRawClient(t, s, 0)
		wg.Go(func() {
			keys := []string{"n:{" + cl.name + "}", "l:{" + cl.name + "}"}
			for n := 0; ctx.Err() == nil; n++ {
				id := cl.name + ":" + strconv.Itoa(n)
				var err error
				switch n % 3 {
				case 0:
					err = rdb.Eval(ctx, ackScript, keys, id).Err()
				case 1:
					err = rdb.Eval(ctx, declaredScript, keys, id).Err()
				default:
					err = rdb.FCall(ctx, "ack", keys, id).Err()
				}
				if err != nil {
					return // the server was killed
				}
				cl.acked = append(cl.acked, id)
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	kill(t, s)
	stop()
	wg.Wait()

	s = restart(t, s)
	rdb := newRawClient(t, s, 0)
	members := map[string]bool{}
	for _, m := range rdb.Do(context.Background(), "EVAL", "redis.call('select', 2) return redis.call('smembers', 'members')", 0).Val().([]any) {
		members[m.(string)] = true
	}
	total := 0
	for _, cl := range clients {
		require.NotEmpty(t, cl.acked, "%s had no script acknowledged", cl.name)
		list := rdb.LRange(context.Background(), "l:{"+cl.name+"}", 0, -1).Val()
		n, _ := rdb.Get(context.Background(), "n:{"+cl.name+"}").Int()
		assert.Equal(t, len(list), n, "%s: the counter and the list moved together", cl.name)
		require.GreaterOrEqual(t, len(list), len(cl.acked), "%s: acknowledged scripts lost", cl.name)
		for i, id := range cl.acked {
			assert.Equal(t, id, list[i], "%s: effect %d", cl.name, i)
			if mustAtoi(t, id[strings.LastIndexByte(id, ':')+1:])%3 == 0 { // ackScript's
				assert.True(t, members[id], "%s: the set in database 2 has %s", cl.name, id)
			}
		}
		total += len(cl.acked)
	}
	t.Logf("%d acknowledged scripts and functions, all there after kill -9", total)
	assert.Contains(t, s.dial(t).do("FUNCTION", "LIST"), "$12\r\nlibrary_name\r\n$4\r\nacks\r\n")
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

// TestScriptEngineFunctionsPersist: function libraries survive kill -9,
// BGREWRITEAOF (whose base holds them as FUNCTION LOAD, first), and their
// deletion and replacement survive too.
func TestScriptEngineFunctionsPersist(t *testing.T) {
	s := startAOF(t, "always")
	c := s.dial(t)
	lib1 := "#!lua name=lib1\nredis.register_function('one', function() return 1 end)"
	lib1b := "#!lua name=lib1\nredis.register_function('one', function() return 11 end)"
	lib2 := "#!lua name=lib2\nredis.register_function{function_name='two', callback=function(k) return redis.call('incr', k[1]) end, description='d'}"
	c.mustDo("$4\r\nlib1\r\n", "FUNCTION", "LOAD", lib1)
	c.mustDo("$4\r\nlib2\r\n", "FUNCTION", "LOAD", lib2)
	c.mustDo(":1\r\n", "FCALL", "two", "1", "k")

	kill(t, s)
	s = restart(t, s)
	c = s.dial(t)
	c.mustDo(":1\r\n", "FCALL", "one", "0")
	c.mustDo(":2\r\n", "FCALL", "two", "1", "k")
	list := c.do("FUNCTION", "LIST")

	c.mustDo(rewriteStarted, "BGREWRITEAOF")
	waitRewrite(t, c)
	base, err := os.ReadFile(filepath.Join(aofDir(s), manifestFile(t, aofDir(s), "b")))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(base), "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n"),
		"the base starts with the libraries: %q", string(base[:min(len(base), 80)]))
	kill(t, s)
	s = restart(t, s)
	c = s.dial(t)
	assert.Equal(t, list, c.do("FUNCTION", "LIST"), "the libraries after BGREWRITEAOF and restart")
	c.mustDo(":3\r\n", "FCALL", "two", "1", "k")

	c.mustDo("+OK\r\n", "FUNCTION", "DELETE", "lib2")
	c.mustDo("$4\r\nlib1\r\n", "FUNCTION", "LOAD", "REPLACE", lib1b)
	kill(t, s)
	s = restart(t, s)
	c = s.dial(t)
	c.mustDo("-ERR Function not found\r\n", "FCALL", "two", "1", "k")
	c.mustDo(":11\r\n", "FCALL", "one", "0")
	c.mustDo("+OK\r\n", "FUNCTION", "FLUSH")
	kill(t, s)
	s = restart(t, s)
	s.dial(t).mustDo("*0\r\n", "FUNCTION", "LIST")
}

// TestScriptEngineAOFBetweenServers: real Redis loads an AOF MyRedis wrote
// with functions in its base and its incremental file, and MyRedis loads
// one Redis wrote (without the RDB preamble, which MyRedis does not read).
func TestScriptEngineAOFBetweenServers(t *testing.T) {
	skipIfMissing(t, redisServerPath)
	lib := "#!lua name=cnt\nredis.register_function('bump', function(k) return redis.call('incrby', k[1], 10) end)"
	lib2 := "#!lua name=later\nredis.register_function('later', function() return 'l' end)"
	write := func(c *rawConn) {
		c.mustDo("$3\r\ncnt\r\n", "FUNCTION", "LOAD", lib)
		c.mustDo(":10\r\n", "FCALL", "bump", "1", "a")
		c.mustDo(":1\r\n", "EVAL", "redis.call('set', KEYS[1], 'x') redis.call('select', 4) redis.call('set', 'y', 'z') return 1", "1", "b")
		c.mustDo(rewriteStarted, "BGREWRITEAOF")
		waitRewrite(t, c)
		c.mustDo(":20\r\n", "FCALL", "bump", "1", "a")
		c.mustDo("$5\r\nlater\r\n", "FUNCTION", "LOAD", lib2)
		c.mustDo(":2\r\n", "EVAL", "redis.call('rpush', KEYS[1], 'p') return redis.call('rpush', KEYS[1], 'q')", "1", "c")
	}
	check := func(c *rawConn) {
		c.mustDo("$2\r\n20\r\n", "GET", "a")
		c.mustDo("$1\r\nx\r\n", "GET", "b")
		c.mustDo("*2\r\n$1\r\np\r\n$1\r\nq\r\n", "LRANGE", "c", "0", "-1")
		c.mustDo(":30\r\n", "FCALL", "bump", "1", "a")
		c.mustDo("$1\r\nl\r\n", "FCALL", "later", "0")
		c.mustDo("+OK\r\n", "SELECT", "4")
		c.mustDo("$1\r\nz\r\n", "GET", "y")
	}

	mine := startAOF(t, "always")
	write(mine.dial(t))
	shutdown(t, mine)
	check(startOn(t, "redis", redisServerPath, mine.dir).dial(t))

	theirs := startRedis(t, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always")
	write(theirs.dial(t))
	shutdown(t, theirs)
	check(startOn(t, "myredis", binPath, theirs.dir).dial(t))
}

// TestScriptEngineGoRedisScript: go-redis's Script helper (EVALSHA, then
// EVAL when the script is not cached) against MyRedis.
func TestScriptEngineGoRedisScript(t *testing.T) {
	s := startServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: s.addr()})
	t.Cleanup(func() { rdb.Close() })
	incr := redis.NewScript("return redis.call('incrby', KEYS[1], ARGV[1])")
	ctx := context.Background()
	n, err := incr.Run(ctx, rdb, []string{"k"}, 5).Int()
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	require.NoError(t, rdb.ScriptFlush(ctx).Err())
	n, err = incr.Run(ctx, rdb, []string{"k"}, 5).Int()
	require.NoError(t, err)
	assert.Equal(t, 10, n)
	exists, err := incr.Exists(ctx, rdb).Result()
	require.NoError(t, err)
	assert.Equal(t, []bool{true}, exists)
}
