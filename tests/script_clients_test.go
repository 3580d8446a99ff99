package tests

import (
	"context"
	"crypto/sha1"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scriptCommands records the names of the scripting commands (EVAL*,
// SCRIPT, FCALL*) a go-redis client sends. Safe for concurrent use.
type scriptCommands struct {
	mu    sync.Mutex
	names []string
}

func (r *scriptCommands) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *scriptCommands) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (r *scriptCommands) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		name := cmd.FullName()
		if strings.HasPrefix(name, "eval") || strings.HasPrefix(name, "script") || strings.HasPrefix(name, "fcall") {
			r.mu.Lock()
			r.names = append(r.names, name)
			r.mu.Unlock()
		}
		return next(ctx, cmd)
	}
}

// take returns the names recorded since the last take.
func (r *scriptCommands) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := r.names
	r.names = nil
	return names
}

// TestScriptGoRedisRun drives go-redis's Script helper: Run sends EVALSHA
// of the SHA1 the client computes itself and falls back to EVAL on
// NOSCRIPT, which caches the script for the next EVALSHA; after SCRIPT
// FLUSH it falls back again. RunRO does the same with the _RO forms, and
// the server-SHA variant loads the script with SCRIPT LOAD.
func TestScriptGoRedisRun(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctx := testContext(t, 20*time.Second)
		rdb := newClient(t, s, 0)
		rec := &scriptCommands{}
		rdb.AddHook(rec)
		require.NoError(t, rdb.ScriptFlush(ctx).Err())
		rec.take()

		incr := redis.NewScript(`return {KEYS[1], ARGV[1], redis.call('INCRBY', KEYS[1], ARGV[1])}`)
		run := func(want int64) {
			t.Helper()
			got, err := incr.Run(ctx, rdb, []string{"counter"}, 5).Slice()
			require.NoError(t, err)
			assert.Equal(t, []any{"counter", "5", want}, got)
		}
		exists := func() bool {
			t.Helper()
			found, err := incr.Exists(ctx, rdb).Result()
			require.NoError(t, err)
			require.Len(t, found, 1)
			rec.take()
			return found[0]
		}
		assert.False(t, exists(), "the script is cached before its first run")
		run(5)
		assert.Equal(t, []string{"evalsha", "eval"}, rec.take(), "the first Run: EVALSHA, NOSCRIPT, then EVAL")
		assert.True(t, exists(), "EVAL caches the script under the SHA1 go-redis computed")
		run(10)
		assert.Equal(t, []string{"evalsha"}, rec.take(), "the second Run: EVALSHA alone")

		require.NoError(t, rdb.ScriptFlush(ctx).Err())
		rec.take()
		assert.False(t, exists(), "SCRIPT FLUSH empties the cache")
		run(15)
		assert.Equal(t, []string{"evalsha", "eval"}, rec.take(), "after SCRIPT FLUSH: EVALSHA, NOSCRIPT, then EVAL")
		run(20)
		assert.Equal(t, []string{"evalsha"}, rec.take())

		// The read-only forms.
		get := redis.NewScript(`return redis.call('GET', KEYS[1])`)
		v, err := get.RunRO(ctx, rdb, []string{"counter"}).Text()
		require.NoError(t, err)
		assert.Equal(t, "20", v)
		assert.Equal(t, []string{"evalsha_ro", "eval_ro"}, rec.take())
		v, err = get.RunRO(ctx, rdb, []string{"counter"}).Text()
		require.NoError(t, err)
		assert.Equal(t, "20", v)
		assert.Equal(t, []string{"evalsha_ro"}, rec.take())
		err = redis.NewScript(`return redis.call('DEL', KEYS[1])`).RunRO(ctx, rdb, []string{"counter"}).Err()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Write commands are not allowed from read-only scripts")
		rec.take()

		// A script whose SHA1 the server computes: SCRIPT LOAD, then EVALSHA.
		// After a flush the helper still gets its result (go-redis's own
		// fallback path).
		served := redis.NewScriptServerSHA(`return 'served'`)
		got, err := served.Run(ctx, rdb, nil).Text()
		require.NoError(t, err)
		assert.Equal(t, "served", got)
		assert.Equal(t, []string{"script", "evalsha"}, rec.take(), "SCRIPT LOAD, then EVALSHA")
		assert.Equal(t, fmt.Sprintf("%x", sha1.Sum([]byte(`return 'served'`))), served.Hash(),
			"SCRIPT LOAD answers the body's SHA1")
		require.NoError(t, rdb.ScriptFlush(ctx).Err())
		got, err = served.Run(ctx, rdb, nil).Text()
		require.NoError(t, err)
		assert.Equal(t, "served", got)

		// A script error reaches the client as Redis words it.
		err = redis.NewScript(`return redis.call('NOSUCH')`).Run(ctx, rdb, nil).Err()
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "ERR Unknown Redis command called from script script: "), err.Error())
	})
}

// TestScriptGoRedisFunctions drives go-redis's function helpers: FUNCTION
// LOAD (and REPLACE), FCALL, FCALL_RO, FUNCTION LIST, DUMP, FLUSH and
// RESTORE.
func TestScriptGoRedisFunctions(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctx := testContext(t, 20*time.Second)
		rdb := newClient(t, s, 0)
		require.NoError(t, rdb.FunctionFlush(ctx).Err())
		lib := "#!lua name=counters\n" +
			"redis.register_function('bump', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)\n" +
			"redis.register_function{function_name = 'peek', callback = function(keys) return redis.call('GET', keys[1]) end, flags = {'no-writes'}}\n"
		name, err := rdb.FunctionLoad(ctx, lib).Result()
		require.NoError(t, err)
		assert.Equal(t, "counters", name)
		n, err := rdb.FCall(ctx, "bump", []string{"c"}, 7).Int64()
		require.NoError(t, err)
		assert.Equal(t, int64(7), n)
		v, err := rdb.FCallRO(ctx, "peek", []string{"c"}).Text()
		require.NoError(t, err)
		assert.Equal(t, "7", v)
		err = rdb.FCallRO(ctx, "bump", []string{"c"}, 1).Err()
		require.Error(t, err)
		assert.Equal(t, "ERR Can not execute a script with write flag using *_ro command.", err.Error())

		libs, err := rdb.FunctionList(ctx, redis.FunctionListQuery{LibraryNamePattern: "count*", WithCode: true}).Result()
		require.NoError(t, err)
		require.Len(t, libs, 1)
		assert.Equal(t, "counters", libs[0].Name)
		assert.Equal(t, "LUA", libs[0].Engine)
		assert.Equal(t, lib, libs[0].Code)
		fns := map[string][]string{}
		for _, f := range libs[0].Functions {
			fns[f.Name] = f.Flags
		}
		assert.Equal(t, map[string][]string{"bump": {}, "peek": {"no-writes"}}, fns)

		dump, err := rdb.FunctionDump(ctx).Result()
		require.NoError(t, err)
		require.NoError(t, rdb.FunctionFlush(ctx).Err())
		assert.EqualError(t, rdb.FCall(ctx, "bump", []string{"c"}, 1).Err(), "ERR Function not found",
			"after FUNCTION FLUSH")
		require.NoError(t, rdb.FunctionRestore(ctx, dump).Err())
		n, err = rdb.FCall(ctx, "bump", []string{"c"}, 1).Int64()
		require.NoError(t, err)
		assert.Equal(t, int64(8), n)
		_, err = rdb.FunctionLoad(ctx, lib).Result()
		assert.EqualError(t, err, "ERR Library 'counters' already exists")
		_, err = rdb.FunctionLoadReplace(ctx, lib).Result()
		assert.NoError(t, err)
	})
}

// TestScriptFunctionDumpRestore moves a function library between the two
// servers with FUNCTION DUMP and RESTORE, both ways: each server restores
// the other's payload (the payload's bytes need not match: Redis
// compresses the code), lists the same library, and runs its functions.
func TestScriptFunctionDumpRestore(t *testing.T) {
	my, ref := startServer(t), startRedis(t)
	ctx := testContext(t, 20*time.Second)
	lib := "#!lua name=moved\n" +
		"redis.register_function('hello', function(keys, args) return 'hello ' .. args[1] end)\n" +
		"-- padding, long enough for Redis to compress the code: " + strings.Repeat("abc", 40) + "\n"
	for _, dir := range []struct{ from, to *server }{{ref, my}, {my, ref}} {
		t.Run(dir.from.name+" to "+dir.to.name, func(t *testing.T) {
			from, to := newClient(t, dir.from, 0), newClient(t, dir.to, 0)
			for _, c := range []*redis.Client{from, to} {
				require.NoError(t, c.FunctionFlush(ctx).Err())
			}
			require.NoError(t, from.FunctionLoad(ctx, lib).Err())
			dump, err := from.FunctionDump(ctx).Result()
			require.NoError(t, err)
			require.NoError(t, to.FunctionRestore(ctx, dump).Err())
			got, err := to.FCall(ctx, "hello", nil, "world").Text()
			require.NoError(t, err)
			assert.Equal(t, "hello world", got)
			libs, err := to.FunctionList(ctx, redis.FunctionListQuery{WithCode: true}).Result()
			require.NoError(t, err)
			require.Len(t, libs, 1)
			assert.Equal(t, lib, libs[0].Code)

			// RESTORE's policies: APPEND (the default) refuses a library
			// that exists, REPLACE replaces it, FLUSH empties first.
			err = to.Do(ctx, "FUNCTION", "RESTORE", dump).Err()
			assert.EqualError(t, err, "ERR Library moved already exists")
			assert.NoError(t, to.Do(ctx, "FUNCTION", "RESTORE", dump, "REPLACE").Err())
			require.NoError(t, to.FunctionLoad(ctx, "#!lua name=other\nredis.register_function('o', function() return 1 end)").Err())
			assert.NoError(t, to.Do(ctx, "FUNCTION", "RESTORE", dump, "FLUSH").Err())
			libs, err = to.FunctionList(ctx, redis.FunctionListQuery{}).Result()
			require.NoError(t, err)
			require.Len(t, libs, 1, "FLUSH leaves only the restored library")
			assert.Equal(t, "moved", libs[0].Name)
		})
	}
}

// TestScriptLock is the lock every client library builds on Redis: SET key
// token NX PX to acquire, and a compare-and-delete script to release, so
// that only the owner's release deletes the key. A lock whose time ran out
// and was taken by another client is not released by its first owner.
// Then workers increment a counter by GET and SET (not atomic by itself)
// under the lock: no increment is lost.
func TestScriptLock(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		ctx := testContext(t, 30*time.Second)
		rdb := newClient(t, s, 0)
		release := redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)
		acquire := func(token string, ttl time.Duration) bool {
			t.Helper()
			ok, err := rdb.SetNX(ctx, "lock", token, ttl).Result()
			require.NoError(t, err)
			return ok
		}
		unlock := func(token string) int64 {
			t.Helper()
			n, err := release.Run(ctx, rdb, []string{"lock"}, token).Int64()
			require.NoError(t, err)
			return n
		}

		require.True(t, acquire("a", 10*time.Second))
		assert.False(t, acquire("b", 10*time.Second), "b acquires a held lock")
		assert.Equal(t, int64(0), unlock("b"), "b releases a's lock")
		assert.Equal(t, "a", rdb.Get(ctx, "lock").Val(), "the lock after b's release")
		assert.Equal(t, int64(1), unlock("a"))
		assert.Equal(t, int64(0), rdb.Exists(ctx, "lock").Val())
		assert.Equal(t, int64(0), unlock("a"), "a second release")

		// a's lock runs out; b takes it; a's late release leaves b's lock.
		require.True(t, acquire("a", 50*time.Millisecond))
		deadline := time.Now().Add(5 * time.Second)
		for rdb.Exists(ctx, "lock").Val() == 1 {
			require.True(t, time.Now().Before(deadline), "the lock never expired")
			time.Sleep(10 * time.Millisecond)
		}
		require.True(t, acquire("b", 10*time.Second))
		assert.Equal(t, int64(0), unlock("a"), "a's late release")
		assert.Equal(t, "b", rdb.Get(ctx, "lock").Val())
		assert.Equal(t, int64(1), unlock("b"))

		// Mutual exclusion: workers × rounds increments under the lock.
		const workers, rounds = 10, 20
		require.NoError(t, rdb.Set(ctx, "counter", 0, 0).Err())
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				if err := lockedIncrements(ctx, s, release, fmt.Sprintf("worker-%d", w), rounds); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		n, err := rdb.Get(ctx, "counter").Int()
		require.NoError(t, err)
		assert.Equal(t, workers*rounds, n, "increments made under the lock")
	})
}

// lockedIncrements takes the lock rounds times, each time reading the
// counter, writing it back plus one and releasing the lock with release,
// which must report that it deleted the worker's own lock. It gives up
// when ctx ends.
func lockedIncrements(ctx context.Context, s *server, release *redis.Script, token string, rounds int) error {
	rdb := redis.NewClient(&redis.Options{Addr: s.addr(), PoolSize: 1})
	defer rdb.Close()
	for r := 0; r < rounds; r++ {
		for {
			ok, err := rdb.SetNX(ctx, "lock", token, 5*time.Second).Result()
			if err != nil {
				return fmt.Errorf("%s: acquire: %w", token, err)
			}
			if ok {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s: round %d: %w", token, r, ctx.Err())
			case <-time.After(time.Millisecond):
			}
		}
		n, err := rdb.Get(ctx, "counter").Int()
		if err != nil {
			return fmt.Errorf("%s: read: %w", token, err)
		}
		if err := rdb.Set(ctx, "counter", n+1, 0).Err(); err != nil {
			return fmt.Errorf("%s: write: %w", token, err)
		}
		deleted, err := release.Run(ctx, rdb, []string{"lock"}, token).Int64()
		if err != nil || deleted != 1 {
			return fmt.Errorf("%s: release: %d, %v; want 1", token, deleted, err)
		}
	}
	return nil
}
