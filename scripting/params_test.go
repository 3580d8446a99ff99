package scripting

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"myredis/db"
)

// TestOnlyIndexesParams: the scan accepts functions that only read their
// tables' fields and refuses any other use of a parameter.
func TestOnlyIndexesParams(t *testing.T) {
	for _, tc := range []struct {
		body string
		want bool
	}{
		{`local stock = tonumber(redis.call("GET", K[1]))
		  if stock == nil or stock <= 0 then return -1 end
		  if redis.call("SISMEMBER", K[2], A[1]) == 1 then return -2 end
		  redis.call("DECR", K[1]) redis.call("SADD", K[2], A[1]) return stock - 1`, true},
		{`return #K + #A`, true},
		{`return K[1] .. A[1] .. K.x`, true},
		{`for i = 1, #K do redis.call("GET", K[i]) end`, false}, // gopher-lua copies K to a register for this #K
		{`local t = {} t[1] = K[1] local function g(x) return x end return g(A[2])`, true},
		{`return 1`, true},
		{`return K`, false},
		{`return 1, A`, false},
		{`local x = K return x[1]`, false},
		{`K[1] = 'a'`, false},
		{`K.x = 1`, false},
		{`redis.call("GET", K)`, false},
		{`local t = {K}`, false},
		{`local t = {x = A}`, false},
		{`local t = {} t.k = K`, false},
		{`local g = function() return K[1] end return g()`, false},
		{`return coroutine.wrap(function() return A end)()`, false},
		{`for _, k in ipairs(K) do end`, false},
		{`return K:len()`, false},
		{`if K then return 1 end`, false},
		{`return K == A`, false},
		{`return K[A]`, false},
		{`local x = K or {}`, false},
		{`return setmetatable(K, {})`, false},
		{`K = {}`, false},
		{`return K .. ''`, false},
		{`return not A`, false},
		{`return -A`, false},
		{`return A + 1`, false},
		{`return f(A)`, false},
	} {
		proto, err := compile("return function(K, A) "+tc.body+" end", "t")
		require.NoError(t, err, tc.body)
		require.Len(t, proto.FunctionPrototypes, 1)
		assert.Equal(t, tc.want, onlyIndexesParams(proto.FunctionPrototypes[0]), tc.body)
	}
	vararg, err := compile("return function(...) local K = ... return K[1] end", "t")
	require.NoError(t, err)
	assert.False(t, onlyIndexesParams(vararg.FunctionPrototypes[0]))
	assert.False(t, onlyIndexesParams(nil), "a Go function")
}

// TestFunctionArgTablesReused: a function that only reads its tables gets
// the same ones refilled, which hold each call's keys and arguments only;
// one that may keep them gets new ones, which a reusing call does not
// change.
func TestFunctionArgTablesReused(t *testing.T) {
	ks, _ := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	lib := "#!lua name=l\n" +
		"local kept = {}\n" +
		"redis.register_function('show', function(K, A) return {#K, #A, K[1], K[2], K[3], A[1], A[2]} end)\n" +
		"redis.register_function('keep', function(K, A) kept[#kept + 1] = K return #kept end)\n" +
		"redis.register_function('kept', function() return kept[1][1] end)"
	require.Equal(t, "$1\r\nl\r\n", exec(ks, cl, 2, "FUNCTION", "LOAD", lib))
	assert.Equal(t, "*7\r\n:3\r\n:2\r\n$2\r\nk1\r\n$2\r\nk2\r\n$2\r\nk3\r\n$2\r\na1\r\n$2\r\na2\r\n",
		exec(ks, cl, 2, "FCALL", "show", "3", "k1", "k2", "k3", "a1", "a2"))
	// The reply's array ends at K[2], now nil.
	assert.Equal(t, "*3\r\n:1\r\n:2\r\n$2\r\nk9\r\n", exec(ks, cl, 2, "FCALL", "show", "1", "k9", "a1", "a2"))
	assert.Equal(t, ":1\r\n", exec(ks, cl, 2, "FCALL", "keep", "1", "first"))
	assert.Equal(t, "*3\r\n:1\r\n:0\r\n$6\r\nsecond\r\n", exec(ks, cl, 2, "FCALL", "show", "1", "second"))
	assert.Equal(t, "$5\r\nfirst\r\n", exec(ks, cl, 2, "FCALL", "kept", "0"))
}

// TestLookupRemembers: the commands a state remembers answer as the table
// does: by name and number of arguments, subcommands by their own name,
// more distinct commands than it remembers, a wrong number of arguments.
func TestLookupRemembers(t *testing.T) {
	ks, _ := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	script := `redis.call('SET', 'k', 'v') redis.call('SADD', 's', 'm')
		local out = {}
		for round = 1, 2 do
			out[#out + 1] = redis.call('OBJECT', 'ENCODING', 'k')
			out[#out + 1] = redis.call('object', 'REFCOUNT', 'k')
			out[#out + 1] = redis.call('get', 'k')
			out[#out + 1] = redis.pcall('GET', 'k', 'x').err
			for _, c in ipairs({'STRLEN', 'EXISTS', 'TYPE', 'TTL', 'PTTL', 'SCARD', 'DBSIZE', 'PING'}) do
				local r = redis.pcall(c, c == 'SCARD' and 's' or 'k')
				out[#out + 1] = type(r) == 'table' and (r.ok or r.err) or r
			end
		end
		return out`
	wrongArgs := "$58\r\nERR Wrong number of args calling Redis command from script\r\n"
	one := "$6\r\nembstr\r\n:1\r\n$1\r\nv\r\n" + wrongArgs +
		":1\r\n:1\r\n$6\r\nstring\r\n:-1\r\n:-1\r\n:1\r\n" + wrongArgs + "$1\r\nk\r\n"
	assert.Equal(t, "*24\r\n"+one+one, exec(ks, cl, 2, "EVAL", script, "0"))
}
