package scripting

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"

	"myredis/db"
)

func TestScriptCache(t *testing.T) {
	ks, e := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	sha := sha1Hex([]byte("return 1"))
	assert.Equal(t, "-"+errNoScript+"\r\n", exec(ks, cl, 2, "EVALSHA", sha, "0"))
	assert.Equal(t, "$40\r\n"+sha+"\r\n", exec(ks, cl, 2, "SCRIPT", "LOAD", "return 1"))
	assert.Equal(t, ":1\r\n", exec(ks, cl, 2, "EVALSHA", sha, "0"))
	assert.Equal(t, ":1\r\n", exec(ks, cl, 2, "EVALSHA", strings.ToUpper(sha), "0"), "SHA1s ignore case")
	assert.Equal(t, "*3\r\n:1\r\n:1\r\n:0\r\n", exec(ks, cl, 2, "SCRIPT", "EXISTS", sha, strings.ToUpper(sha), "nosuch"))
	assert.Equal(t, "-"+errNoScript+"\r\n", exec(ks, cl, 2, "EVALSHA", "abc", "0"))
	// EVAL caches too.
	exec(ks, cl, 2, "EVAL", "return 2", "0")
	assert.Equal(t, ":2\r\n", exec(ks, cl, 2, "EVALSHA", sha1Hex([]byte("return 2")), "0"))
	assert.Equal(t, int64(2), e.Info()["number_of_cached_scripts"])

	assert.Equal(t, "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n", exec(ks, cl, 2, "SCRIPT", "FLUSH", "x"))
	assert.Equal(t, "+OK\r\n", exec(ks, cl, 2, "SCRIPT", "FLUSH", "ASYNC"))
	assert.Equal(t, "*1\r\n:0\r\n", exec(ks, cl, 2, "SCRIPT", "EXISTS", sha))
	assert.Equal(t, int64(0), e.Info()["number_of_cached_scripts"])
	assert.Equal(t, "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '+'\r\n",
		exec(ks, cl, 2, "SCRIPT", "LOAD", "return +"))
}

// TestPoolReuse checks that calls reuse prepared states: one at a time
// needs one state, however many calls.
func TestPoolReuse(t *testing.T) {
	ks, e := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	exec(ks, cl, 2, "FUNCTION", "LOAD", "#!lua name=l\nredis.register_function('f', function(k, a) return #a end)")
	for i := range 500 {
		require.Equal(t, ":1\r\n", exec(ks, cl, 2, "EVAL", "return redis.call('incr', KEYS[1]) > 0", "1", "k"))
		require.Equal(t, ":2\r\n", exec(ks, cl, 2, "FCALL", "f", "0", "a", strconv.Itoa(i)))
	}
	assert.Equal(t, int64(1), e.pool.size())
}

// TestSelectDoesNotLeak: a script's SELECT is its own, and the script
// starts in its caller's database.
func TestSelectDoesNotLeak(t *testing.T) {
	ks, _ := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	exec(ks, cl, 2, "SELECT", "2")
	assert.Equal(t, "+OK\r\n", exec(ks, cl, 2, "EVAL", "redis.call('set','here','2') redis.call('select','5') return redis.call('set','there','5')", "0"))
	assert.Equal(t, 2, cl.DB)
	assert.Equal(t, "$1\r\n2\r\n", exec(ks, cl, 2, "GET", "here"))
	exec(ks, cl, 2, "SELECT", "5")
	assert.Equal(t, "$1\r\n5\r\n", exec(ks, cl, 2, "GET", "there"))
}

// TestBlockingCommandsRefused: in a script, the blocking commands are
// refused (noscript), as in Redis 7.0.
func TestBlockingCommandsRefused(t *testing.T) {
	ks, _ := newTestEngine(t, Options{})
	const script = "return redis.call('blpop', KEYS[1], 0)"
	assert.Equal(t, "-ERR This Redis command is not allowed from script"+suffix(script), exec(ks, &db.Client{ID: 1}, 2, "EVAL", script, "1", "l"))
}

// TestEffectsPropagation checks what the write hooks receive: a script's
// writes, not the script; none, one alone, several as MULTI … EXEC.
func TestEffectsPropagation(t *testing.T) {
	ks, _ := newTestEngine(t, Options{})
	var mu sync.Mutex
	var log []string
	ks.OnWrite(func(d int, args [][]byte) uint64 {
		mu.Lock()
		defer mu.Unlock()
		log = append(log, fmt.Sprintf("%d %q", d, args))
		return 0
	})
	ks.OnTransaction(func(writes []db.Write) uint64 {
		mu.Lock()
		defer mu.Unlock()
		log = append(log, "MULTI")
		for _, w := range writes {
			log = append(log, fmt.Sprintf("%d %q", w.DB, w.Args))
		}
		log = append(log, "EXEC")
		return 0
	})
	take := func() []string { mu.Lock(); defer mu.Unlock(); out := log; log = nil; return out }
	cl := &db.Client{ID: 1}
	exec(ks, cl, 2, "EVAL", "return redis.call('get', KEYS[1])", "1", "a")
	assert.Empty(t, take())
	exec(ks, cl, 2, "EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "a")
	assert.Equal(t, []string{`0 ["set" "a" "x"]`}, take())
	exec(ks, cl, 2, "EVAL", "redis.call('set', KEYS[1], 'x') redis.call('select', 3) return redis.call('incr', 'n')", "1", "a")
	assert.Equal(t, []string{"MULTI", `0 ["set" "a" "x"]`, `3 ["incr" "n"]`, "EXEC"}, take())
	// A script that errors half-way keeps, and logs, what it wrote.
	exec(ks, cl, 2, "EVAL", "redis.call('set', KEYS[1], 'y') redis.call('incr', KEYS[1])", "1", "a")
	assert.Equal(t, []string{`0 ["set" "a" "y"]`}, take())
	assert.Equal(t, "$1\r\ny\r\n", exec(ks, cl, 2, "GET", "a"))
	// redis.set_repl(REPL_NONE): applied, not logged.
	exec(ks, cl, 2, "EVAL", "redis.set_repl(redis.REPL_NONE) return redis.call('set', KEYS[1], 'z')", "1", "a")
	assert.Empty(t, take())
	// Functions too, and FUNCTION LOAD itself.
	exec(ks, cl, 2, "FUNCTION", "LOAD", "#!lua name=l\nredis.register_function('f', function(k, a) return redis.call('incr', k[1]) end)")
	exec(ks, cl, 2, "FCALL", "f", "1", "c")
	assert.Equal(t, []string{`0 ["FUNCTION" "LOAD" "#!lua name=l\nredis.register_function('f', function(k, a) return redis.call('incr', k[1]) end)"]`,
		`0 ["incr" "c"]`}, take())
	// Inside MULTI, the script's writes join the transaction's block.
	exec(ks, cl, 2, "MULTI")
	exec(ks, cl, 2, "SET", "t", "1")
	exec(ks, cl, 2, "EVAL", "redis.call('set', 'u', 1) return redis.call('set', 'v', 2)", "0")
	assert.Equal(t, "*2\r\n+OK\r\n+OK\r\n", exec(ks, cl, 2, "EXEC"))
	assert.Equal(t, []string{"MULTI", `0 ["SET" "t" "1"]`, `0 ["set" "u" "1"]`, `0 ["set" "v" "2"]`, "EXEC"}, take())
}

// TestSessionHooks checks what the caller's session learns: the script's
// start (MONITOR), each command it called, and quietly failed replies.
func TestSessionHooks(t *testing.T) {
	ks, _ := newTestEngine(t, Options{})
	rec := &recorder{}
	cl := &db.Client{ID: 1, Ext: rec}
	exec(ks, cl, 2, "EVAL", "redis.call('set','a','1') redis.call('select','3') redis.pcall('incr','nokey') redis.pcall('nosuch') return redis.call('get')", "0")
	assert.Equal(t, []string{"eval"}, rec.started)
	assert.Equal(t, []string{"0 set a 1", "3 select 3", "3 incr nokey", "3 nosuch -> ERR Unknown Redis command called from script (rejected)",
		"3 get -> ERR Wrong number of args calling Redis command from script (rejected)"}, rec.called)
	assert.Equal(t, 1, rec.quiet, "the script's error was counted when GET failed")
}

// TestAtomicityDeclared: scripts that read, compute and write keys they
// declare never interleave, with each other or with plain commands, and
// run concurrently on other keys.
func TestAtomicityDeclared(t *testing.T) {
	ks, e := newTestEngine(t, Options{})
	const script = "local v = tonumber(redis.call('get', KEYS[1]) or '0') redis.call('set', KEYS[1], v + 1) return v + 1"
	const workers, rounds = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			cl := &db.Client{ID: int64(w + 1)}
			for i := range rounds {
				exec(ks, cl, 2, "EVAL", script, "1", "counter")
				exec(ks, cl, 2, "EVAL", script, "1", "own"+strconv.Itoa(w))
				if i%10 == 0 {
					exec(ks, cl, 2, "INCRBY", "counter", "0") // a plain command on the same key
				}
			}
		})
	}
	wg.Wait()
	cl := &db.Client{ID: 99}
	assert.Equal(t, fmt.Sprintf("$%d\r\n%d\r\n", len(strconv.Itoa(workers*rounds)), workers*rounds), exec(ks, cl, 2, "GET", "counter"))
	s := e.scripts.Load().lookup([]byte(sha1Hex([]byte(script))))
	assert.Equal(t, safetySafe, s.safety.Load(), "the script stays within its keys")
}

// TestAtomicityUndeclared: a script that builds key names from its
// arguments, declaring none, is atomic too (it runs exclusively), and so is
// one that reads the whole keyspace.
func TestAtomicityUndeclared(t *testing.T) {
	ks, e := newTestEngine(t, Options{})
	const script = "local k = 'c:' .. ARGV[1] local v = tonumber(redis.call('get', k) or '0') redis.call('set', k, v + 1) return redis.call('dbsize')"
	const workers, rounds = 8, 150
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			cl := &db.Client{ID: int64(w + 1)}
			for range rounds {
				exec(ks, cl, 2, "EVAL", script, "0", "shared")
				exec(ks, cl, 2, "INCR", "c:plain")
			}
		})
	}
	wg.Wait()
	want := strconv.Itoa(workers * rounds)
	assert.Equal(t, "$"+strconv.Itoa(len(want))+"\r\n"+want+"\r\n", exec(ks, &db.Client{}, 2, "GET", "c:shared"))
	s := e.scripts.Load().lookup([]byte(sha1Hex([]byte(script))))
	assert.Equal(t, safetyUnsafe, s.safety.Load())
}

// TestRestartExclusive: a script known to stay within its keys that, with
// other arguments, reaches another key before writing, is run again from
// the start exclusively, answers once, and is exclusive from then on.
func TestRestartExclusive(t *testing.T) {
	ks, e := newTestEngine(t, Options{})
	rec := &recorder{}
	cl := &db.Client{ID: 1, Ext: rec}
	const script = "local n = redis.call('get', ARGV[1]) return redis.call('incr', KEYS[1])"
	s, err := e.scripts.Load().load([]byte(script))
	require.NoError(t, err)

	assert.Equal(t, ":1\r\n", exec(ks, cl, 2, "EVAL", script, "1", "k", "k"))
	assert.Equal(t, safetySafe, s.safety.Load())
	assert.Equal(t, ":2\r\n", exec(ks, cl, 2, "EVAL", script, "1", "k", "elsewhere"))
	assert.Equal(t, safetyUnsafe, s.safety.Load())
	assert.Equal(t, "$1\r\n2\r\n", exec(ks, cl, 2, "GET", "k"), "incremented once")
}

// TestNotAtomicAfterWrite: a declared-mode script that reaches a shard
// another client holds, after writing, gets the documented error; what it
// wrote stays.
func TestNotAtomicAfterWrite(t *testing.T) {
	ks, e := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	const script = "redis.call('set', KEYS[1], 'w') return redis.pcall('get', ARGV[1])"
	s, err := e.scripts.Load().load([]byte(script))
	require.NoError(t, err)
	s.safety.Store(safetySafe)
	// Hold the shard of the other key, as a client in the middle of a
	// command would.
	var a db.Atomic
	other := &db.Client{ID: 2}
	require.NoError(t, ks.BeginAtomic(&a, other, [][]byte{[]byte("held")}, false, 0))
	got := exec(ks, cl, 2, "EVAL", script, "1", "mine", "held")
	a.End()
	assert.Equal(t, "-"+errNotAtomic+"\r\n", got)
	assert.Equal(t, "$1\r\nw\r\n", exec(ks, cl, 2, "GET", "mine"))
}

func TestKillAndBusy(t *testing.T) {
	threshold := 50 * time.Millisecond
	ks, e := newTestEngine(t, Options{BusyThreshold: func() time.Duration { return threshold }})
	cl := &db.Client{ID: 1}
	assert.Equal(t, "-NOTBUSY No scripts in execution right now.\r\n", exec(ks, cl, 2, "SCRIPT", "KILL"))

	done := make(chan string)
	go func() { done <- exec(ks, &db.Client{ID: 2}, 2, "EVAL", "while true do end", "0") }()
	require.Eventually(t, func() bool { return e.Busy() != "" }, 5*time.Second, time.Millisecond)
	assert.Equal(t, errBusyEval, e.Busy())
	assert.Equal(t, "-"+errBusyEval+"\r\n", exec(ks, cl, 2, "FUNCTION", "KILL"))
	assert.Equal(t, "-"+errBusyEval+"\r\n", exec(ks, cl, 2, "FUNCTION", "STATS"))
	assert.Equal(t, "+OK\r\n", exec(ks, cl, 2, "SCRIPT", "KILL"))
	assert.Equal(t, "-ERR Script killed by user with SCRIPT KILL..."+suffix("while true do end"), <-done)
	assert.Equal(t, "", e.Busy())

	// A script that has written cannot be killed.
	go func() {
		done <- exec(ks, &db.Client{ID: 2}, 2, "EVAL", "redis.call('set','w','1') local i = 0 while i < 1e12 do i = i + 1 end", "0")
	}()
	require.Eventually(t, func() bool { return e.Busy() != "" }, 5*time.Second, time.Millisecond)
	assert.Contains(t, exec(ks, cl, 2, "SCRIPT", "KILL"), "-UNKILLABLE Sorry the script already executed write commands")
	e.Abort() // as SHUTDOWN NOSAVE does
	assert.Contains(t, <-done, "Script killed")
	assert.Equal(t, "$1\r\n1\r\n", exec(ks, cl, 2, "GET", "w"), "its write stays")

	// FUNCTION KILL, and FUNCTION STATS of a busy function.
	e.mu.Lock()
	e.aborting = false
	e.mu.Unlock()
	exec(ks, cl, 2, "FUNCTION", "LOAD", "#!lua name=l\nredis.register_function('spin', function() while true do end end)")
	go func() { done <- exec(ks, &db.Client{ID: 2}, 2, "FCALL", "spin", "0") }()
	require.Eventually(t, func() bool { return e.Busy() != "" }, 5*time.Second, time.Millisecond)
	assert.Equal(t, errBusyFunction, e.Busy())
	assert.Equal(t, "-"+errBusyFunction+"\r\n", exec(ks, cl, 2, "SCRIPT", "KILL"))
	stats := exec(ks, cl, 2, "FUNCTION", "STATS")
	assert.Contains(t, stats, "$4\r\nspin\r\n$7\r\ncommand\r\n*3\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n")
	assert.Equal(t, "+OK\r\n", exec(ks, cl, 2, "FUNCTION", "KILL"))
	assert.Equal(t, "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n", <-done)

	// A script spinning in a coroutine is killed too, and the state then
	// serves the next call.
	for _, script := range []string{
		"local co = coroutine.create(function() while true do end end) local ok = coroutine.resume(co) return ok",
		"local f = coroutine.wrap(function() while true do end end) return f()",
	} {
		go func() { done <- exec(ks, &db.Client{ID: 2}, 2, "EVAL", script, "0") }()
		require.Eventually(t, func() bool { return e.Busy() != "" }, 5*time.Second, time.Millisecond)
		assert.Equal(t, "+OK\r\n", exec(ks, cl, 2, "SCRIPT", "KILL"))
		assert.Contains(t, <-done, "-ERR Script killed by user with SCRIPT KILL...", script)
		assert.Equal(t, ":1\r\n", exec(ks, &db.Client{ID: 2}, 2, "EVAL", "return 1", "0"))
	}
}

// TestRandomIsRedis checks math.random against Redis's sequence from a
// fresh server.
func TestRandomIsRedis(t *testing.T) {
	rand48.Lock()
	rand48.x = 0x1234ABCD330E
	rand48.Unlock()
	runEvalCases(t, 2, []evalCase{
		{"return math.random()", nil, ":0\r\n"},
		{"return tostring(math.random())", nil, "$16\r\n0.84048536971234\r\n"},
		{"return tostring(math.random()) .. ' ' .. tostring(math.random(10)) .. ' ' .. math.random(5,8)", nil, "$20\r\n0.35333609737146 5 6\r\n"},
		{"math.randomseed(1) return tostring(math.random())", nil, "$17\r\n0.041630344484761\r\n"},
	})
}

func TestFunctions(t *testing.T) {
	ks, e := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	do := func(words ...string) string { return exec(ks, cl, 2, words...) }
	assert.Equal(t, "$4\r\nlib1\r\n", do("FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return keys[1] end)"))
	assert.Equal(t, "-ERR Library 'lib1' already exists\r\n", do("FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f1', function() end)"))
	assert.Equal(t, "$4\r\nlib1\r\n", do("FUNCTION", "LOAD", "REPLACE", "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return args[1] end)"))
	assert.Equal(t, "$1\r\na\r\n", do("FCALL", "F1", "1", "k", "a"), "function names ignore case")
	assert.Equal(t, "-ERR Can not execute a script with write flag using *_ro command.\r\n", do("FCALL_RO", "f1", "0"))
	assert.Equal(t, "$4\r\nlib2\r\n", do("FUNCTION", "LOAD",
		"#!lua name=lib2\nredis.register_function{function_name='f2', callback=function(keys, args) return redis.call('set',keys[1],args[1]) end, flags={'no-writes'}, description='desc'}"))
	assert.Equal(t, "-ERR Write commands are not allowed from read-only scripts. script: f2, on @user_function:2.\r\n", do("FCALL_RO", "f2", "1", "k", "v"))
	assert.Equal(t, "-ERR Function f1 already exists\r\n", do("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f1', function() end)"))
	assert.Equal(t, "-ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'error'\r\n",
		do("FUNCTION", "LOAD", "#!lua name=x\nerror('boom')"))
	assert.Equal(t, "-ERR Error compiling function: user_function:2: unexpected symbol near '<eof>'\r\n", do("FUNCTION", "LOAD", "#!lua name=x\nreturn 1 +"))
	assert.Equal(t, "-ERR No functions registered\r\n", do("FUNCTION", "LOAD", "#!lua name=x\n"))
	assert.Equal(t, "-ERR Library name was not given\r\n", do("FUNCTION", "LOAD", "#!lua\n"))

	list := "*1\r\n*8\r\n$12\r\nlibrary_name\r\n$4\r\nlib2\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nf2\r\n" +
		"$11\r\ndescription\r\n$4\r\ndesc\r\n$5\r\nflags\r\n*1\r\n+no-writes\r\n$12\r\nlibrary_code\r\n$176\r\n" +
		"#!lua name=lib2\nredis.register_function{function_name='f2', callback=function(keys, args) return redis.call('set',keys[1],args[1]) end, flags={'no-writes'}, description='desc'}\r\n"
	assert.Equal(t, list, do("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "lib2"))
	assert.Equal(t, int64(2), e.Info()["number_of_libraries"])

	// DUMP, FLUSH, RESTORE round trip; a payload Redis wrote (compressed).
	dump := do("FUNCTION", "DUMP")
	payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
	assert.Equal(t, "+OK\r\n", do("FUNCTION", "FLUSH"))
	assert.Equal(t, "-ERR Function not found\r\n", do("FCALL", "f1", "0"))
	assert.Equal(t, "+OK\r\n", do("FUNCTION", "RESTORE", payload))
	assert.Equal(t, "$1\r\nz\r\n", do("FCALL", "f1", "0", "z"))
	assert.Equal(t, "-ERR Library lib1 already exists\r\n", do("FUNCTION", "RESTORE", payload))
	assert.Equal(t, "+OK\r\n", do("FUNCTION", "RESTORE", payload, "REPLACE"))
	redis, err := hex.DecodeString("f5c3409140a31f23216c7561206e616d653d6d796c69620a72656469732e72656769737465725f0b66756e6374696f6e28276d79400b02272c20400660121f6b6579732c2061726773292072657475726e202768656c6c6f2066726f6d2061e000291f2074686174206973206c6f6e6720656e6f75676820746f20636f6d70726573730120772035012c20803be002050027202b0164290a00f762ad0dd85d12da")
	require.NoError(t, err)
	assert.Equal(t, "+OK\r\n", do("FUNCTION", "RESTORE", string(redis), "FLUSH"))
	assert.Equal(t, "$77\r\nhello from a function that is long enough to compress well, hello hello hello\r\n", do("FCALL", "myfunc", "0"))
	assert.Equal(t, "-ERR DUMP payload version or checksum are wrong\r\n", do("FUNCTION", "RESTORE", "xx"))
	assert.Equal(t, "-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\r\n", do("FUNCTION", "RESTORE", payload, "x"))

	assert.Equal(t, "-ERR Library not found\r\n", do("FUNCTION", "DELETE", "nosuch"))
	assert.Equal(t, "+OK\r\n", do("FUNCTION", "DELETE", "mylib"))
	assert.Equal(t, "*0\r\n", do("FUNCTION", "LIST"))
}

func TestCRC64IsRedis(t *testing.T) {
	assert.Equal(t, uint64(0xe9c6d914c4b8d9ca), redisCRC64([]byte("123456789")))
}

// TestSnapshotWritesLibraries: an AOF rewrite's snapshot starts with the
// libraries as FUNCTION LOAD.
func TestSnapshotWritesLibraries(t *testing.T) {
	ks, _ := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	code := "#!lua name=l\nredis.register_function('f', function() return 1 end)"
	exec(ks, cl, 2, "FUNCTION", "LOAD", code)
	exec(ks, cl, 2, "SET", "k", "v")
	var mu sync.Mutex
	var got []string
	err := ks.Snapshot(func() {}, func(d int, args [][]byte) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprintf("%d %q", d, args))
	})
	require.NoError(t, err)
	assert.Equal(t, []string{fmt.Sprintf("0 %q", [][]byte{[]byte("FUNCTION"), []byte("LOAD"), []byte(code)}), `0 ["SET" "k" "v"]`}, got)
}

// TestArgTablesFresh: the KEYS and ARGV a call sees hold its own keys and
// arguments only, whatever an earlier call on the same state did to them.
func TestArgTablesFresh(t *testing.T) {
	ks, _ := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	show := "local out = {} for k, v in pairs(KEYS) do out[#out + 1] = 'K' .. tostring(k) .. '=' .. v end " +
		"for k, v in pairs(ARGV) do out[#out + 1] = 'A' .. tostring(k) .. '=' .. v end " +
		"out[#out + 1] = tostring(getmetatable(KEYS)) return out"
	for _, spoil := range []string{
		"KEYS[1] = 'changed' ARGV[3] = 'added'",
		"KEYS.extra = 1 ARGV[1] = nil",
		"setmetatable(KEYS, {__index = function() return 'x' end})",
		"KEYS[10] = 'far' ARGV[0] = 'zero'",
		"for i = 1, 50 do ARGV[i] = 'v' end",
		"KEYS[2] = nil ARGV[2] = nil ARGV[1] = {}",
		"ARGV[5] = 'x' ARGV[5] = nil KEYS.x = 1 KEYS.x = nil",
		"KEYS[2^21] = 'beyond the array part'",
		"",
	} {
		exec(ks, cl, 2, "EVAL", spoil, "2", "k1", "k2", "a1", "a2")
		assert.Equal(t, "*4\r\n$5\r\nK1=k9\r\n$5\r\nA1=a9\r\n$5\r\nA2=b9\r\n$3\r\nnil\r\n",
			exec(ks, cl, 2, "EVAL", show, "1", "k9", "a9", "b9"), "after %q", spoil)
	}
	assert.Equal(t, "*1\r\n$3\r\nnil\r\n", exec(ks, cl, 2, "EVAL", show, "0"))

	// A function's keys and arguments are new tables on every call.
	exec(ks, cl, 2, "FUNCTION", "LOAD", "#!lua name=l\nredis.register_function('f', function(k, a) "+
		"local r = #k .. #a .. table.concat(k, ',') .. table.concat(a, ',') k[1] = 'changed' a[9] = 'x' return r end)")
	for range 2 {
		assert.Equal(t, "$9\r\n21k1,k2a1\r\n", exec(ks, cl, 2, "FCALL", "F", "2", "k1", "k2", "a1"))
	}
}

// TestToNumber: scripts' tonumber, whose shortcut for short decimal
// integers gives what gopher-lua's gives.
func TestToNumber(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	orig := L.GetGlobal("tonumber").(*lua.LFunction).GFunction
	L.SetGlobal("fast", L.NewFunction(luaToNumber(orig)))
	for _, s := range []string{"0", "7", "-7", "-0", "007", "123456789012345", "1234567890123456", "-", "",
		" 1", "1 ", "1.5", "0x10", "1e3", "+1", "12a", "9007199254740993", "nan", "inf"} {
		require.NoError(t, L.DoString(fmt.Sprintf("a, b = tonumber(%q), fast(%q)", s, s)))
		a, b := L.GetGlobal("a"), L.GetGlobal("b")
		assert.Equal(t, a.Type(), b.Type(), "tonumber(%q)", s)
		assert.Equal(t, a.String(), b.String(), "tonumber(%q)", s)
	}
}

// TestFunctionLoadTimeout: a library that runs too long as it loads is
// stopped, and the state serves the next call.
func TestFunctionLoadTimeout(t *testing.T) {
	ks, _ := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	assert.Equal(t, "-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n",
		exec(ks, cl, 2, "FUNCTION", "LOAD", "#!lua name=slow\nwhile true do end"))
	assert.Equal(t, ":1\r\n", exec(ks, cl, 2, "EVAL", "return 1", "0"))
}
