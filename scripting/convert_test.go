package scripting

import (
	"strings"
	"testing"
)

// The replies below are Redis 7.0.15's, for the same scripts.

func TestLuaToRESP2(t *testing.T) {
	runEvalCases(t, 2, []evalCase{
		{"return 3.99", nil, ":3\r\n"},
		{"return -3.5", nil, ":-3\r\n"},
		{"return 1e20", nil, ":-9223372036854775808\r\n"},
		{"return {1,2,nil,3}", nil, "*2\r\n:1\r\n:2\r\n"},
		{"return {ok='x'}", nil, "+x\r\n"},
		{"return redis.status_reply('a\\r\\nb')", nil, "+a  b\r\n"},
		{"return {err='x'}", nil, "-x\r\n"},
		{"return {err='-x y'}", nil, "--x y\r\n"},
		{"return {err=5}", nil, "*0\r\n"},
		{"return {ok=5}", nil, "*0\r\n"},
		{"return false", nil, "$-1\r\n"},
		{"return true", nil, ":1\r\n"},
		{"return nil", nil, "$-1\r\n"},
		{"return KEYS[1]..ARGV[1]", []string{"1", "a", "b"}, "$2\r\nab\r\n"},
		{"return {1,{2,3},'x',{ok='y'},{err='z'}}", nil, "*5\r\n:1\r\n*2\r\n:2\r\n:3\r\n$1\r\nx\r\n+y\r\n-z\r\n"},
		{"return {1, redis.pcall('nosuch'), 3}", nil, "*3\r\n:1\r\n-ERR Unknown Redis command called from script\r\n:3\r\n"},
		{"return {double=3.5}", nil, "$3\r\n3.5\r\n"},
		{"return {double='x'}", nil, "*0\r\n"},
		{"return {big_number='123456789012345678901234567890'}", nil, "$30\r\n123456789012345678901234567890\r\n"},
		{"return {map={a=1}}", nil, "*2\r\n$1\r\na\r\n:1\r\n"},
		{"return {set={a=true}}", nil, "*1\r\n$1\r\na\r\n"},
		{"return {verbatim_string={format='txt',string='hello'}}", nil, "$5\r\nhello\r\n"},
		{"redis.setresp(3); return true", nil, ":1\r\n"},
		{"redis.setresp(3); return false", nil, ":0\r\n"},
		{"return redis.call('hgetall','nokey')", nil, "*0\r\n"},
		{"return tostring(redis.call('get','nokey'))", nil, "$5\r\nfalse\r\n"},
		{"redis.setresp(3); return tostring(redis.call('get','nokey'))", nil, "$3\r\nnil\r\n"},
		{"local t = {} t[1] = t return t", nil,
			strings.Repeat("*1\r\n", maxReplyDepth) + "-ERR reached lua stack limit\r\n"},
	})
}

func TestLuaToRESP3(t *testing.T) {
	runEvalCases(t, 3, []evalCase{
		{"return {double=3.5}", nil, ",3.5\r\n"},
		{"return {double=-0.0}", nil, ",-0\r\n"},
		{"return {double=0.1}", nil, ",0.10000000000000001\r\n"},
		{"return {double=1/0}", nil, ",inf\r\n"},
		{"return {double=0/0}", nil, ",-nan\r\n"},
		{"return {big_number='123456789012345678901234567890'}", nil, "(123456789012345678901234567890\r\n"},
		{"return {big_number='12\\r\\n3'}", nil, "(12  3\r\n"},
		{"return {map={a=1}}", nil, "%1\r\n$1\r\na\r\n:1\r\n"},
		{"return {set={a=true}}", nil, "~1\r\n$1\r\na\r\n"},
		{"return {verbatim_string={format='txt',string='hello'}}", nil, "=9\r\ntxt:hello\r\n"},
		{"return {verbatim_string={format='text',string='x'}}", nil, "=5\r\ntex:x\r\n"},
		{"return {verbatim_string={format='t',string='x'}}", nil, "=5\r\nt  :x\r\n"},
		{"return true", nil, ":1\r\n"},
		{"return false", nil, "_\r\n"},
		{"return nil", nil, "_\r\n"},
		{"redis.setresp(3); return true", nil, "#t\r\n"},
		{"redis.setresp(3); return false", nil, "#f\r\n"},
		{"return {1.5}", nil, "*1\r\n:1\r\n"},
	})
}

func TestRESPToLua(t *testing.T) {
	runEvalCases(t, 2, []evalCase{
		{"redis.call('hset','h','a','1','b','2') redis.call('sadd','s','x') redis.call('zadd','z','1.5','m') return 1", nil, ":1\r\n"},
		// RESP2: a map is a flat array, a double a string.
		{"return redis.call('hgetall','h')", nil, "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"return redis.call('zscore','z','m')", nil, "$3\r\n1.5\r\n"},
		// RESP3: the typed tables, which a RESP2 client gets flattened.
		{"redis.setresp(3); redis.call('hset','h1','a','1') return redis.call('hgetall','h1')", nil, "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
		{"redis.setresp(3); local r = redis.call('hgetall','h'); return type(r) .. ' ' .. type(r.map) .. ' ' .. r.map.a", nil, "$13\r\ntable table 1\r\n"},
		{"redis.setresp(3); local r = redis.call('smembers','s'); return tostring(r.set.x)", nil, "$4\r\ntrue\r\n"},
		{"redis.setresp(3); local r = redis.call('zscore','z','m'); return tostring(r.double)", nil, "$3\r\n1.5\r\n"},
		{"redis.setresp(3); return redis.call('exists','nokey')", nil, ":0\r\n"},
		{"local r = redis.call('set','k','v') return r.ok", nil, "$2\r\nOK\r\n"},
		{"local r = redis.pcall('incr','k') return r.err", nil, "$43\r\nERR value is not an integer or out of range\r\n"},
		{"local r = redis.call('get','nokey') return type(r)", nil, "$7\r\nboolean\r\n"},
		{"redis.setresp(3) local r = redis.call('get','nokey') return type(r)", nil, "$3\r\nnil\r\n"},
		// Arguments: numbers as %.17g.
		{"redis.call('set','a',0.1) return redis.call('get','a')", nil, "$19\r\n0.10000000000000001\r\n"},
		{"redis.call('set','a',1e20) return redis.call('get','a')", nil, "$5\r\n1e+20\r\n"},
		{"return redis.call('set','a',1.5)", nil, "+OK\r\n"},
		// Integers, short and long, as exact Lua numbers.
		{"redis.call('set','n','-12') return {redis.call('incr','n'), redis.call('decr','n') - 1}", nil, "*2\r\n:-11\r\n:-13\r\n"},
		{"redis.call('set','n','9007199254740990') return tostring(redis.call('incr','n'))", nil, "$18\r\n9.007199254741e+15\r\n"},
		{"redis.call('set','n','-999999999999999') return redis.call('decr','n') == -1e15", nil, ":1\r\n"},
	})
}
