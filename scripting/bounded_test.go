package scripting

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"myredis/db"
)

// TestRunsBounded: code without loops, functions, upvalues or the globals
// that lead to new code runs bounded; any of those makes it unbounded.
func TestRunsBounded(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
	}{
		{`local stock = tonumber(redis.call("GET", KEYS[1]))
		  if stock == nil or stock <= 0 then return -1 end
		  if redis.call("SISMEMBER", KEYS[2], ARGV[1]) == 1 then return -2 end
		  redis.call("DECR", KEYS[1]) redis.call("SADD", KEYS[2], ARGV[1]) return stock - 1`, true},
		{`return 1`, true},
		{`local t = {1, 2, 3} return pcall(redis.call, 'GET', t[1]) and #t or 0`, true},
		{`while true do end`, false},
		{`repeat local x = 1 until x == 1`, false},
		{`for i = 1, 3 do end`, false},
		{`for k, v in pairs(KEYS) do end`, false},
		{`local f = function() end return f()`, false},
		{`return loadstring('while true do end')()`, false},
		{`return load('return 1')()`, false},
		{`return _G.loadstring('return 1')()`, false},
	} {
		proto, err := compile(tc.code, "t")
		require.NoError(t, err, tc.code)
		assert.Equal(t, tc.want, runsBounded(proto), tc.code)
	}
	inner, err := compile("local up = 1 return function(K) return up end", "t")
	require.NoError(t, err)
	assert.False(t, runsBounded(inner.FunctionPrototypes[0]), "an upvalue")
	assert.False(t, runsBounded(nil), "a Go function")
}

// TestKillBounded: SCRIPT KILL and FUNCTION KILL stop code that runs
// without the kill switch at its next redis.call, with the error of a
// killed script, and the state then serves the next call.
func TestKillBounded(t *testing.T) {
	var e *Engine
	var killEval bool
	ks, e := newTestEngine(t, Options{KeyOwned: func(key []byte) bool {
		if string(key) == "trigger" { // killed while its command runs
			assert.Empty(t, e.killScript(killEval))
		}
		return true
	}})
	cl := &db.Client{ID: 1}
	script := "redis.call('GET', 'trigger') return redis.call('GET', 'other')"
	killEval = true
	assert.Equal(t, "-ERR Script killed by user with SCRIPT KILL..."+suffix(script), exec(ks, cl, 2, "EVAL", script, "0"))
	assert.Equal(t, ":1\r\n", exec(ks, cl, 2, "EVAL", "return 1", "0"))

	killEval = false
	require.Equal(t, "$1\r\nl\r\n", exec(ks, cl, 2, "FUNCTION", "LOAD",
		"#!lua name=l\nredis.register_function('f', function(K)\nredis.call('GET', K[1])\nreturn redis.call('GET', 'other')\nend)"))
	assert.Equal(t, "-ERR Script killed by user with SCRIPT KILL... script: f, on @user_function:4.\r\n",
		exec(ks, cl, 2, "FCALL", "f", "1", "trigger"))
	assert.Equal(t, ":1\r\n", exec(ks, cl, 2, "EVAL", "return 1", "0"))
}

// TestBoundedFunctionNewState: a state that sets a library up to run a
// bounded function runs the library's code with the kill switch, and the
// function without.
func TestBoundedFunctionNewState(t *testing.T) {
	ks, e := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	require.Equal(t, "$1\r\nl\r\n", exec(ks, cl, 2, "FUNCTION", "LOAD",
		"#!lua name=l\nfor i = 1, 2 do end\nredis.register_function('f', function(K) return K[1] end)"))
	held := e.pool.get(0) // the state that loaded the library: the call needs another
	assert.Equal(t, "$1\r\nk\r\n", exec(ks, cl, 2, "FCALL", "f", "1", "k"))
	e.pool.put(0, held)
	assert.Equal(t, "$1\r\nk\r\n", exec(ks, cl, 2, "FCALL", "f", "1", "k"))
}
