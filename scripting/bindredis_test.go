package scripting

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"

	"myredis/db"
)

// TestBindRedis: redis.call and redis.pcall read as a whole are bound to
// the state's functions; any other read of redis stays a read.
func TestBindRedis(t *testing.T) {
	api := lua.LTable{}
	st := &state{}
	for _, tc := range []struct {
		code  string
		bound int // the reads bound
	}{
		{"return redis.call('PING')", 1},
		{"redis.call('SET', 'a', 'b') return redis.pcall('GET', 'a')", 2},
		{"return redis.call == redis.call", 2},
		{"local r = redis return r.call('PING')", 0},
		{"return redis.sha1hex('x')", 0},
		{"local redis = {call = tostring} return redis.call(1)", 0},
		{"redis.call = 1", 0},
	} {
		p, err := compile(tc.code, "t")
		require.NoError(t, err, tc.code)
		q := st.bindRedis(p, &api)
		loads := 0
		for _, inst := range q.Code {
			if int(inst>>26) == lua.OP_LOADK && int(inst&0x3ffff) >= len(p.Constants) {
				loads++
			}
		}
		assert.Equal(t, tc.bound, loads, tc.code)
		assert.Equal(t, tc.bound == 0, q == p, tc.code)
		assert.Len(t, q.Code, len(p.Code), "jumps keep their targets")
	}
}

// TestBoundRedisRuns: scripts and functions whose redis.call is bound run
// as Redis runs them: same function, errors at their lines, pcall, the
// read-only redis table.
func TestBoundRedisRuns(t *testing.T) {
	runEvalCases(t, 2, []evalCase{
		{"return redis.call == redis.call and redis.pcall == redis.pcall and redis.call ~= redis.pcall", nil, ":1\r\n"},
		{"redis.call('SET', 'a', 'b')\nreturn redis.call('GET', 'a')", nil, "$1\r\nb\r\n"},
		{"local ok, err = pcall(redis.call, 'NOPE') return err", nil, "$44\r\nERR Unknown Redis command called from script\r\n"},
		{"return redis.pcall('NOPE').err", nil, "$44\r\nERR Unknown Redis command called from script\r\n"},
		errCase("redis.call = 1", "ERR user_script:1: Attempt to modify a readonly table"),
		{"local x = 1\nredis.call('NOPE')", nil, "-ERR Unknown Redis command called from script script: " +
			sha1Hex([]byte("local x = 1\nredis.call('NOPE')")) + ", on @user_script:2.\r\n"},
	})
	ks, _ := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	require.Equal(t, "$1\r\nl\r\n", exec(ks, cl, 2, "FUNCTION", "LOAD",
		"#!lua name=l\nredis.register_function('f', function(K)\nredis.call('SET', K[1], 'v')\nreturn {redis.call('GET', K[1]), redis.pcall('NOPE').err}\nend)"))
	assert.Equal(t, "*2\r\n$1\r\nv\r\n$44\r\nERR Unknown Redis command called from script\r\n", exec(ks, cl, 2, "FCALL", "f", "1", "k"))
}
