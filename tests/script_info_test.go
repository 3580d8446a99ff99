package tests

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// infoFields returns the fields of one INFO section as a map.
func infoFields(t testing.TB, c *rawConn, section string) map[string]string {
	t.Helper()
	n, ok := parseDiffNode(c.do("INFO", section))
	require.True(t, ok && n.kind == '$', "INFO %s: %q", section, n.raw)
	fields := map[string]string{}
	for _, line := range strings.Split(n.text, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = v
		}
	}
	return fields
}

// TestScriptInfo checks the INFO fields scripts and functions change, on
// both servers: the script cache's and the libraries' counts (INFO
// memory), and the commandstats of the commands a script calls, counted
// as if a client had sent them, beside the EVAL's and FCALL's own.
func TestScriptInfo(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		c := s.dial(t)
		c.mustDo("+OK\r\n", "SCRIPT", "FLUSH")
		c.mustDo("+OK\r\n", "FUNCTION", "FLUSH")
		c.mustDo("+OK\r\n", "CONFIG", "RESETSTAT")
		mem := infoFields(t, c, "memory")
		assert.Equal(t, "0", mem["number_of_cached_scripts"])
		assert.Equal(t, "0", mem["number_of_functions"])
		assert.Equal(t, "0", mem["number_of_libraries"])
		for _, name := range []string{"used_memory_scripts", "used_memory_lua", "used_memory_vm_eval",
			"used_memory_vm_functions", "used_memory_functions", "used_memory_scripts_eval"} {
			n, err := strconv.ParseInt(mem[name], 10, 64)
			if assert.NoError(t, err, "INFO memory %s: %q", name, mem[name]) {
				assert.GreaterOrEqual(t, n, int64(0), name)
			}
		}

		c.do("SCRIPT", "LOAD", "return 1")
		c.do("EVAL", "redis.call('SET', KEYS[1], 'v') return redis.call('GET', KEYS[1])", "1", "k")
		c.mustDo("$5\r\nstats\r\n", "FUNCTION", "LOAD", "#!lua name=stats\n"+
			"redis.register_function('incr2', function(keys) redis.call('INCR', keys[1]) return redis.call('INCR', keys[1]) end)\n"+
			"redis.register_function('noop', function() return 0 end)")
		c.mustDo(":2\r\n", "FCALL", "incr2", "1", "n")
		mem = infoFields(t, c, "memory")
		assert.Equal(t, "2", mem["number_of_cached_scripts"], "SCRIPT LOAD and EVAL each cache a script")
		assert.Equal(t, "2", mem["number_of_functions"])
		assert.Equal(t, "1", mem["number_of_libraries"])

		calls := map[string]string{}
		stat := regexp.MustCompile(`(?m)^cmdstat_([a-z|_]+):calls=(\d+),`)
		for _, m := range stat.FindAllStringSubmatch(c.do("INFO", "commandstats"), -1) {
			calls[m[1]] = m[2]
		}
		for name, want := range map[string]string{"eval": "1", "set": "1", "get": "1", "fcall": "1", "incr": "2",
			"script|load": "1", "function|load": "1"} {
			assert.Equal(t, want, calls[name], "cmdstat_%s calls", name)
		}

		c.mustDo("+OK\r\n", "SCRIPT", "FLUSH")
		c.mustDo("+OK\r\n", "FUNCTION", "FLUSH")
		mem = infoFields(t, c, "memory")
		assert.Equal(t, "0", mem["number_of_cached_scripts"])
		assert.Equal(t, "0", mem["number_of_libraries"])
	})
}

// TestScriptMonitorSlowlog checks how the commands a script runs show, on
// both servers: MONITOR shows the EVAL from its client, then each command
// the script called from "lua"; the slow log holds the EVAL and, before
// it, the commands it called.
func TestScriptMonitorSlowlog(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		mon, c := s.dial(t), s.dial(t)
		mon.mustDo("+OK\r\n", "MONITOR")
		c.mustDo("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0")
		c.mustDo("+OK\r\n", "SLOWLOG", "RESET")
		script := "redis.call('SET', KEYS[1], 'b') return redis.pcall('INCR', KEYS[1])"
		c.mustDo("-ERR value is not an integer or out of range\r\n", "EVAL", script, "1", "a")
		c.mustDo("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "10000")

		line := regexp.MustCompile(`^\+\d+\.\d{6} \[0 ([^\]]+)\] (.*)\r\n$`)
		for _, want := range []string{ // CONFIG and SLOWLOG, admin commands, are not shown
			`127.0.0.1 "EVAL" "` + script + `" "1" "a"`,
			`lua "SET" "a" "b"`,
			`lua "INCR" "a"`,
		} {
			got := mon.read()
			m := line.FindStringSubmatch(got)
			require.NotNil(t, m, "monitor line %q", got)
			from, _, _ := strings.Cut(m[1], ":")
			assert.Equal(t, want, from+" "+m[2])
		}

		n, ok := parseDiffNode(c.do("SLOWLOG", "GET", "10"))
		require.True(t, ok)
		var logged []string
		for _, e := range n.elems {
			if len(e.elems) < 4 {
				continue
			}
			var args []string
			for _, a := range e.elems[3].elems {
				args = append(args, a.text)
			}
			logged = append(logged, strings.Join(args, " "))
		}
		assert.Equal(t, []string{ // the CONFIG SET that raised the threshold is under it
			"EVAL " + script + " 1 a",
			"INCR a",
			"SET a b",
			"SLOWLOG RESET",
		}, logged, "the slow log, newest first")
	})
}
