package tests

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// aofCommands returns the commands of every file of s's multi-part AOF,
// in the manifest's order, each as its words, SELECTs left out.
func aofCommands(t testing.TB, s *server) [][]string {
	t.Helper()
	var cmds [][]string
	for _, line := range manifestFiles(t, aofDir(s)) {
		f := strings.Fields(line)
		if len(f) != 6 || f[0] != "file" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(aofDir(s), f[1]))
		require.NoError(t, err)
		r := bufio.NewReader(bytes.NewReader(data))
		for {
			raw, err := readReply(r)
			if len(raw) == 0 && err != nil {
				break
			}
			require.NoError(t, err, "%s: a command of the AOF", f[1])
			n, ok := parseDiffNode(string(raw))
			require.True(t, ok && n.kind == '*', "%s: %q is not a command", f[1], raw)
			var words []string
			for _, e := range n.elems {
				words = append(words, e.text)
			}
			if !strings.EqualFold(words[0], "SELECT") {
				cmds = append(cmds, words)
			}
		}
	}
	return cmds
}

// TestScriptAOF checks, on both servers with appendfsync always, that the
// AOF holds a script's effects and not the script: the commands it ran,
// in MULTI/EXEC when there are several, with the values TIME and
// math.random gave (so a replay needs no Lua); FUNCTION LOAD as itself.
// After kill -9 every acknowledged effect and the library are back, and
// after BGREWRITEAOF and a restart the library still is.
func TestScriptAOF(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, append([]string{"--appendonly", "yes", "--appendfsync", "always"}, redisAOFArgs...)...)
		waitLoaded(t, s)
		c := s.dial(t)
		c.mustDo("+OK\r\n", "FUNCTION", "FLUSH")
		c.mustDo("+OK\r\n", "SCRIPT", "FLUSH")
		aofStart := len(aofCommands(t, s))
		c.mustDo(":1\r\n", "EVAL", "local t = redis.call('TIME') redis.call('SET', KEYS[1], t[1] .. '.' .. t[2]) return redis.call('INCR', KEYS[2])", "2", "when", "n")
		c.mustDo("$-1\r\n", "EVAL", "redis.call('SET', KEYS[1], math.random(1000000000))", "1", "r")
		c.mustDo(":1\r\n", "EVAL", "return redis.call('INCR', 'solo')", "0")
		c.mustDo("$1\r\n1\r\n", "EVAL", "return redis.call('GET', 'solo')", "0")
		c.mustDo("$-1\r\n", "EVAL", "redis.call('DEL', 'nothing')", "0")
		lib := "#!lua name=lib\nredis.register_function('f', function(keys) return redis.call('INCR', keys[1]) end)"
		c.mustDo("$3\r\nlib\r\n", "FUNCTION", "LOAD", lib)
		c.mustDo(":1\r\n", "FCALL", "f", "1", "c")
		when, r := c.do("GET", "when"), c.do("GET", "r")

		got := aofCommands(t, s)[aofStart:]
		for i, cmd := range got {
			got[i][0] = strings.ToUpper(cmd[0])
			if got[i][0] == "FUNCTION" && len(cmd) > 1 {
				got[i][1] = strings.ToUpper(cmd[1])
			}
		}
		parse := func(bulk string) string { n, _ := parseDiffNode(bulk); return n.text }
		assert.Equal(t, [][]string{
			{"MULTI"}, {"SET", "when", parse(when)}, {"INCR", "n"}, {"EXEC"},
			{"SET", "r", parse(r)},
			{"INCR", "solo"},
			{"FUNCTION", "LOAD", lib},
			{"INCR", "c"},
		}, got, "the AOF after the scripts: their effects, not the scripts")

		kill(t, s)
		s = restart(t, s)
		c = s.dial(t)
		for key, want := range map[string]string{"when": when, "r": r, "n": "$1\r\n1\r\n", "solo": "$1\r\n1\r\n", "c": "$1\r\n1\r\n"} {
			assert.Equal(t, want, c.do("GET", key), "%s after kill -9", key)
		}
		c.mustDo(":2\r\n", "FCALL", "f", "1", "c")

		c.mustDo(rewriteStarted, "BGREWRITEAOF")
		waitRewrite(t, c)
		c.mustDo(":3\r\n", "FCALL", "f", "1", "c")
		terminate(t, s)
		s = restart(t, s)
		c = s.dial(t)
		c.mustDo(":4\r\n", "FCALL", "f", "1", "c")
		listed, _ := parseDiffNode(c.do("FUNCTION", "LIST", "WITHCODE"))
		require.Len(t, listed.elems, 1, "FUNCTION LIST after BGREWRITEAOF and a restart")
		assert.Contains(t, listed.raw, lib)
	})
}

// TestScriptAOFBetweenServers checks that each server loads the other's
// AOF with a function library in it, in its rewritten base and in its
// incremental file, and the effects of a script: the libraries' functions
// run and the keys hold what they held.
func TestScriptAOFBetweenServers(t *testing.T) {
	skipIfMissing(t, redisServerPath)
	libA := "#!lua name=liba\nredis.register_function('fa', function(keys) return redis.call('INCR', keys[1]) end)"
	libB := "#!lua name=libb\nredis.register_function('fb', function(keys) return redis.call('DECR', keys[1]) end)"
	write := func(t *testing.T, s *server) map[string]keyState {
		c := s.dial(t)
		c.mustDo("$4\r\nliba\r\n", "FUNCTION", "LOAD", libA)
		c.mustDo(":1\r\n", "EVAL", "redis.call('SET', KEYS[1], 'x') return redis.call('INCR', KEYS[2])", "2", "s", "n")
		c.mustDo(rewriteStarted, "BGREWRITEAOF")
		waitRewrite(t, c)
		c.mustDo("$4\r\nlibb\r\n", "FUNCTION", "LOAD", libB)
		c.mustDo(":1\r\n", "FCALL", "fa", "1", "a")
		c.mustDo(":-1\r\n", "FCALL", "fb", "1", "b")
		return dumpKeys(t, s)
	}
	check := func(t *testing.T, s *server, want map[string]keyState) {
		compareKeys(t, "after loading the other server's AOF", want, dumpKeys(t, s))
		c := s.dial(t)
		c.mustDo(":2\r\n", "FCALL", "fa", "1", "a")
		c.mustDo(":-2\r\n", "FCALL", "fb", "1", "b")
	}
	t.Run("redis loads myredis", func(t *testing.T) {
		s := startAOF(t, "always")
		want := write(t, s)
		terminate(t, s)
		check(t, startOn(t, "redis", redisServerPath, s.dir, redisAOFArgs...), want)
	})
	t.Run("myredis loads redis", func(t *testing.T) {
		r := startRedis(t, append([]string{"--appendonly", "yes", "--appendfsync", "always"}, redisAOFArgs...)...)
		waitLoaded(t, r)
		want := write(t, r)
		shutdown(t, r)
		check(t, startOn(t, "myredis", binPath, r.dir), want)
	})
}
