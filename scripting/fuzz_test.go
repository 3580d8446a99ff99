package scripting

import (
	"strings"
	"testing"
	"time"

	"myredis/db"
)

// FuzzEval feeds random scripts, with random keys and arguments, to EVAL
// and EVAL_RO in-process, in both protocols: whatever the script does, the
// engine must answer with one reply and never panic. Scripts that run
// longer than a few milliseconds are stopped as SHUTDOWN stops them, so
// that an endless loop ends; scripts calling string.rep are skipped, since
// one can ask for any amount of memory, as in Redis.
func FuzzEval(f *testing.F) {
	for _, s := range []string{
		"return 1", "return redis.call('set', KEYS[1], ARGV[1])", "return {1, 'a', {ok='x'}, {err='y'}}",
		"redis.setresp(3) return redis.call('hgetall', KEYS[1])", "return redis.pcall('nosuch')",
		"local t = {} for i = 1, 10 do t[i] = i end return t", "error({err='E x'})", "while true do end",
		"return {map={a={set={b=true}}}, double=1/0}", "redis.call('select', 3) return redis.call('dbsize')",
		"return pcall(redis.call, 'incr', KEYS[1])", "local co = coroutine.create(function() end) return 1",
		"setfenv(0, {}) return 1", "return loadstring(ARGV[1])()", "return redis.sha1hex(ARGV[1])",
		"redis.set_repl(0) return redis.call('lpush', KEYS[1], ARGV[1])", "return tostring(0/0)",
	} {
		f.Add(s, "k", "v", false)
	}
	ks := db.New(db.NewTable(), 16)
	e := New(ks, Options{BusyThreshold: func() time.Duration { return 5 * time.Millisecond }})
	e.Abort() // any script running past the threshold is stopped
	cl := &db.Client{ID: 1}
	f.Fuzz(func(t *testing.T, script, key, arg string, resp3 bool) {
		if strings.Contains(script, "rep") {
			t.Skip()
		}
		proto := 2
		if resp3 {
			proto = 3
		}
		for _, cmd := range []string{"EVAL", "EVAL_RO"} {
			reply := exec(ks, cl, proto, cmd, script, "1", key, arg)
			if reply == "" {
				t.Fatalf("%s %q: no reply", cmd, script)
			}
		}
		cl.DB = 0
	})
}
