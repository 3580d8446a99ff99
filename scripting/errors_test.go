package scripting

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"myredis/db"
)

// suffix is what Redis appends to a script's error: its SHA1 and where.
func suffix(script string) string {
	return " script: " + sha1Hex([]byte(script)) + ", on @user_script:1.\r\n"
}

func errCase(script, msg string) evalCase {
	return evalCase{script, nil, "-" + msg + suffix(script)}
}

// TestScriptErrors checks each error path against Redis 7.0.15's words.
func TestScriptErrors(t *testing.T) {
	runEvalCases(t, 2, []evalCase{
		errCase("return redis.call('nosuch')", "ERR Unknown Redis command called from script"),
		errCase("return redis.call('get')", "ERR Wrong number of args calling Redis command from script"),
		errCase("return redis.call('object')", "ERR Wrong number of args calling Redis command from script"),
		errCase("return redis.call('object','nosuch')", "ERR Unknown Redis command called from script"),
		errCase("return redis.call('multi')", "ERR This Redis command is not allowed from script"),
		errCase("return redis.call('eval','return 1','0')", "ERR This Redis command is not allowed from script"),
		errCase("error('x')", "ERR user_script:1: x"),
		errCase("error(12)", "ERR user_script:1: 12"),
		errCase("error()", "ERR nil"),
		errCase("error({err='X y'})", "X y"),
		errCase("error({err=5})", "5"),
		errCase("return foo", "ERR user_script:1: Script attempted to access nonexistent global variable 'foo'"),
		errCase("foo = 1", "ERR user_script:1: Attempt to modify a readonly table"),
		errCase("string.x = 1", "ERR user_script:1: Attempt to modify a readonly table"),
		errCase("redis.call = nil", "ERR user_script:1: Attempt to modify a readonly table"),
		errCase("rawset(_G, 'x', 1)", "ERR Attempt to modify a readonly table"),
		errCase("setmetatable(_G, nil)", "ERR Attempt to modify a readonly table"),
		errCase("return os", "ERR user_script:1: Script attempted to access nonexistent global variable 'os'"),
		errCase("return loadfile", "ERR user_script:1: Script attempted to access nonexistent global variable 'loadfile'"),
		errCase("return print", "ERR user_script:1: Script attempted to access nonexistent global variable 'print'"),
		errCase("return require", "ERR user_script:1: Script attempted to access nonexistent global variable 'require'"),
		errCase("return dofile", "ERR user_script:1: Script attempted to access nonexistent global variable 'dofile'"),
		errCase("redis.setresp(4)", "ERR RESP version must be 2 or 3."),
		errCase("redis.setresp()", "ERR redis.setresp() requires one argument."),
		errCase("return redis.set_repl(99)", "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."),
		errCase("return redis.set_repl()", "ERR redis.set_repl() requires two arguments."),
		errCase("return redis.log(99, 'x')", "ERR Invalid debug level."),
		errCase("return redis.log(1)", "ERR redis.log() requires two arguments or more."),
		errCase("return redis.log('a', 'x')", "ERR First argument must be a number (log level)."),
		errCase("return redis.call()", "ERR Please specify at least one argument for this redis lib call"),
		errCase("return redis.call({})", "ERR Lua redis lib command arguments must be strings or integers"),
		errCase("return redis.sha1hex()", "ERR wrong number of arguments"),
		{"return redis.pcall('nosuch')", nil, "-ERR Unknown Redis command called from script\r\n"},
		{"return redis.error_reply(1)", nil, "-ERR wrong number or type of arguments\r\n"},
		{"return redis.status_reply()", nil, "-ERR wrong number or type of arguments\r\n"},
		{"return redis.error_reply('MY bad')", nil, "-MY bad\r\n"},
		{"return redis.error_reply('bad')", nil, "-ERR bad\r\n"},
		{"return redis.error_reply('x').err", nil, "$5\r\nERR x\r\n"},
		{"return 1 +", nil, "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n"},
		{"return 1", []string{"x"}, "-ERR value is not an integer or out of range\r\n"},
		{"return 1", []string{"5"}, "-ERR Number of keys can't be greater than number of args\r\n"},
		{"return 1", []string{"-1"}, "-ERR Number of keys can't be negative\r\n"},
		{"local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), type(e), e}", nil,
			"*3\r\n$5\r\nfalse\r\n$6\r\nstring\r\n$44\r\nERR Unknown Redis command called from script\r\n"},
		{"local ok, e = pcall(error, 'x') return {tostring(ok), type(e), e}", nil, "*3\r\n$5\r\nfalse\r\n$6\r\nstring\r\n$1\r\nx\r\n"},
		{"local ok, e = pcall(function() error({err='MY x'}) end) return {tostring(ok), type(e), e}", nil,
			"*3\r\n$5\r\nfalse\r\n$6\r\nstring\r\n$4\r\nMY x\r\n"},
		{"redis.call('set','s1','a') return redis.pcall('incr','s1')", nil, "-ERR value is not an integer or out of range\r\n"},
		errCase("return redis.call('incr','s1')", "ERR value is not an integer or out of range"),
		errCase("return redis.call('lpush','s1','x')", "WRONGTYPE Operation against a key holding the wrong kind of value"),
		// Shebangs.
		{"#!lua flags=bad\nreturn 1", nil, "-ERR Unexpected flag in script shebang: bad\r\n"},
		{"#!lua foo=bar\nreturn 1", nil, "-ERR Unknown lua shebang option: foo=bar\r\n"},
		{"#!luax\nreturn 1", nil, "-ERR Unexpected engine in script shebang: #!luax\r\n"},
		{"#!lua", nil, "-ERR Invalid script shebang\r\n"},
		{"#!lua flags=no-writes\nreturn redis.call('set','a','b')", nil,
			"-ERR Write commands are not allowed from read-only scripts. script: " +
				sha1Hex([]byte("#!lua flags=no-writes\nreturn redis.call('set','a','b')")) + ", on @user_script:2.\r\n"},
	})
}

// TestSandboxValues checks what the sandbox offers, as Redis's does.
func TestSandboxValues(t *testing.T) {
	runEvalCases(t, 2, []evalCase{
		{"return redis.sha1hex('')", nil, "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n"},
		{"return redis.sha1hex(1)", nil, "$40\r\n356a192b7913b04c54574d18c28d46e6395428ab\r\n"},
		{"return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM", nil, "$13\r\n7.0.15 458767\r\n"},
		{"return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING, redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}",
			nil, "*9\r\n:0\r\n:1\r\n:2\r\n:3\r\n:0\r\n:1\r\n:2\r\n:2\r\n:3\r\n"},
		{"return redis.replicate_commands()", nil, ":1\r\n"},
		{"return redis.set_repl(redis.REPL_NONE)", nil, "$-1\r\n"},
		{"return redis.log(redis.LOG_WARNING, 'hello', 'world')", nil, "$-1\r\n"},
		{"return string.format('%d', 5) .. table.concat({1,2}, ',') .. tostring(math.floor(2.5))", nil, "$5\r\n51,22\r\n"},
		{"return _VERSION", nil, "$7\r\nLua 5.1\r\n"},
		{"return type(gcinfo())", nil, "$6\r\nnumber\r\n"},
		{"return select('#', 1, 2)", nil, ":2\r\n"},
		{"local t = {} setmetatable(t, {__index=function() return 5 end}) return t.x", nil, ":5\r\n"},
		{"return loadstring('return 7')()", nil, ":7\r\n"},
		{"return type(coroutine)", nil, "$5\r\ntable\r\n"},
		{"return tostring(1/3) .. ' ' .. tostring(-0) .. ' ' .. tostring(1e15) .. ' ' .. tostring(1/0)", nil,
			"$29\r\n0.33333333333333 -0 1e+15 inf\r\n"},
		{"local n = 0 for k in pairs(string) do n = n + 1 end return n > 5", nil, ":1\r\n"},
		{"return ('abc'):upper()", nil, "$3\r\nABC\r\n"},
		{"return type(getmetatable(_G))", nil, "$5\r\ntable\r\n"},
		{"local co = coroutine.wrap(function() coroutine.yield(1) end) return co()", nil, ":1\r\n"},
	})
}

// TestSandboxNotPoisoned runs scripts that try to change what later
// scripts see, on the same pooled state, and checks that they cannot.
func TestSandboxNotPoisoned(t *testing.T) {
	ks, e := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	for _, s := range []string{
		"getmetatable('').__index = nil",
		"getmetatable(_G).__index = nil",
		"setfenv(0, {})",
		"setfenv(1, {redis = 1})",
		"KEYS = 5",
		"local mt = getmetatable(string) mt.__index = {}",
		"rawset(string, 'upper', nil)",
		"table.insert = nil",
		"local _, g = ipairs(_G) g.redis = nil g.KEYS = nil",
		"local _, s = ipairs(string) s.upper = nil",
		"local _, r = ipairs(redis) r.call = nil",
	} {
		exec(ks, cl, 2, "EVAL", s, "0")
	}
	assert.Equal(t, "$3\r\nABC\r\n", exec(ks, cl, 2, "EVAL", "return ('abc'):upper() .. string.sub('x', 2)", "0"))
	assert.Equal(t, "+PONG\r\n", exec(ks, cl, 2, "EVAL", "return redis.call('ping')", "0"))
	assert.Equal(t, "$1\r\nk\r\n", exec(ks, cl, 2, "EVAL", "return KEYS[1]", "1", "k"))
	assert.Equal(t, "$-1\r\n", exec(ks, cl, 2, "EVAL", "return KEYS[1]", "0"), "the last call's KEYS are gone")
	assert.Equal(t, int64(1), e.pool.size(), "one state served every call")
}

// TestGlobalsEnv: code that assigns no global reads the globals table
// itself (see assignsGlobals), code that does reads it through its proxy;
// either way every assignment fails and a missing global is an error, in
// the same words.
func TestGlobalsEnv(t *testing.T) {
	const readonly = "ERR user_script:1: Attempt to modify a readonly table"
	runEvalCases(t, 2, []evalCase{
		{"return type(redis) .. type(KEYS) .. type(_G.redis)", nil, "$15\r\ntabletabletable\r\n"},
		errCase("local x = 1 return nosuch", "ERR user_script:1: Script attempted to access nonexistent global variable 'nosuch'"),
		errCase("local g = _G g.redis = 1", readonly),
		errCase("local g = _G g.x = 1", readonly),
		errCase("local _, g = ipairs(_G) rawset(g, 'redis', 1)", "ERR Attempt to modify a readonly table"),
		errCase("local r = redis r.call = 1", readonly),
		errCase("(function() local f = function() return nosuch end return f() end)()",
			"ERR user_script:1: Script attempted to access nonexistent global variable 'nosuch'"),
		{"local f = function() redis = 1 end return 1", nil, ":1\r\n"},
		errCase("local f = function() redis = 1 end f()", readonly),
		errCase("local f = function() KEYS = 1 end return nosuch", "ERR user_script:1: Script attempted to access nonexistent global variable 'nosuch'"),
		errCase("function f() end", readonly),
	})

	ks, _ := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	do := func(words ...string) string { return exec(ks, cl, 2, words...) }
	require.Equal(t, "$5\r\nplain\r\n", do("FUNCTION", "LOAD", "#!lua name=plain\n"+
		"redis.register_function('p1', function(k, a) return type(redis) .. type(_G.tostring) end)\n"+
		"redis.register_function('p2', function(k, a) return nosuch end)\n"+
		"redis.register_function('p3', function(k, a) local g = _G g.redis = 1 end)"))
	require.Equal(t, "$6\r\nassign\r\n", do("FUNCTION", "LOAD", "#!lua name=assign\n"+
		"redis.register_function('a1', function(k, a) return type(redis) end)\n"+
		"redis.register_function('a2', function(k, a) tostring = nil end)"))
	for range 2 { // the state set up, then reused
		assert.Equal(t, "$13\r\ntablefunction\r\n", do("FCALL", "p1", "0"))
		assert.Equal(t, "-ERR user_function:3: Script attempted to access nonexistent global variable 'nosuch' script: p2, on @user_function:3.\r\n", do("FCALL", "p2", "0"))
		assert.Equal(t, "-ERR user_function:4: Attempt to modify a readonly table script: p3, on @user_function:4.\r\n", do("FCALL", "p3", "0"))
		assert.Equal(t, "$5\r\ntable\r\n", do("FCALL", "a1", "0"))
		assert.Equal(t, "-ERR user_function:3: Attempt to modify a readonly table script: a2, on @user_function:3.\r\n", do("FCALL", "a2", "0"))
	}
}
