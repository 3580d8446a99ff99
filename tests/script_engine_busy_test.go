package tests

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of long scripts run against MyRedis and real Redis alike
// (eachServer), with busy-reply-threshold at 100 ms.

const (
	busyEval     = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
	busyFunction = "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n"
	killedSuffix = " script: %s, on @user_script:1.\r\n"
)

func scriptSHA(body string) string {
	sum := sha1.Sum([]byte(body))
	return hex.EncodeToString(sum[:])
}

// startBusy starts a server with a short busy threshold and runs script on
// a connection of its own, without reading the reply; it returns once
// other clients get -BUSY.
func startBusy(t *testing.T, start starter, cmd ...string) (*server, *rawConn, *rawConn) {
	t.Helper()
	s := start(t, "--busy-reply-threshold", "100")
	c := s.dial(t)
	runner := s.dial(t)
	runner.send(string(encodeCommand(cmd)))
	waitFor(t, 10*time.Second, "the script to make the server busy", func() bool {
		return strings.HasPrefix(c.do("GET", "x"), "-BUSY")
	})
	return s, c, runner
}

func TestScriptEngineBusyAndKill(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		const script = "local i = 0 while true do i = i + 1 end"
		s, c, runner := startBusy(t, start, "EVAL", script, "0")
		c.mustDo(busyEval, "PING")
		c.mustDo(busyEval, "FUNCTION", "STATS")
		c.mustDo(busyEval, "FUNCTION", "KILL")
		c.mustDo(busyEval, "SHUTDOWN")

		// MULTI is answered; a command queued meanwhile fails the EXEC.
		c.mustDo("+OK\r\n", "MULTI")
		c.mustDo(busyEval, "SET", "x", "1")
		assert.True(t, strings.HasPrefix(c.do("EXEC"), "-EXECABORT Transaction discarded because of: BUSY"))

		// A new connection is accepted and answered.
		fresh := s.dial(t)
		assert.True(t, strings.HasPrefix(fresh.do("HELLO", "3"), "%7\r\n"), "HELLO during a busy script")
		fresh.mustDo(busyEval, "GET", "x")

		c.mustDo("+OK\r\n", "SCRIPT", "KILL")
		assert.Equal(t, "-ERR Script killed by user with SCRIPT KILL..."+strings.Replace(killedSuffix, "%s", scriptSHA(script), 1), runner.read())
		c.mustDo("$-1\r\n", "GET", "x")
		c.mustDo("-NOTBUSY No scripts in execution right now.\r\n", "SCRIPT", "KILL")
	})
}

func TestScriptEngineUnkillableAndShutdownNosave(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s, c, runner := startBusy(t, start, "EVAL", "redis.call('set', 'w', '1') while true do end", "0")
		c.mustDo("-UNKILLABLE Sorry the script already executed write commands against the dataset. "+
			"You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n",
			"SCRIPT", "KILL")
		c.mustDo(busyEval, "SHUTDOWN")
		c.send(string(encodeCommand([]string{"SHUTDOWN", "NOSAVE"})))
		c.expectClosed(stopTimeout)
		runner.expectClosed(stopTimeout)
		_, err := s.wait(stopTimeout)
		require.NoError(t, err, "the server exits")
	})
}

func TestScriptEngineFunctionKill(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t, "--busy-reply-threshold", "100")
		c := s.dial(t)
		c.mustDo("$4\r\nspin\r\n", "FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function('spin', function() while true do end end)")
		runner := s.dial(t)
		runner.send(string(encodeCommand([]string{"FCALL", "spin", "0"})))
		waitFor(t, 10*time.Second, "the function to make the server busy", func() bool {
			return c.do("GET", "x") == busyFunction
		})
		stats := c.do("FUNCTION", "STATS")
		assert.True(t, strings.HasPrefix(stats, "*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n$7\r\ncommand\r\n*3\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n$11\r\nduration_ms\r\n:"), "%q", stats)
		c.mustDo(busyFunction, "SCRIPT", "KILL")
		c.mustDo("+OK\r\n", "FUNCTION", "KILL")
		assert.Equal(t, "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n", runner.read())
		c.mustDo("+PONG\r\n", "PING")
	})
}

// TestScriptEngineDisconnectMidScript: a client that goes away while its
// script runs breaks nothing: the script completes, and the server serves.
func TestScriptEngineDisconnectMidScript(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		runner := s.dial(t)
		runner.send(string(encodeCommand([]string{"EVAL",
			"local i = 0 while i < 3000000 do i = i + 1 end return redis.call('set', KEYS[1], i)", "1", "done"})))
		runner.c.Close()
		c := s.dial(t)
		waitFor(t, 20*time.Second, "the script to finish", func() bool { return c.do("GET", "done") == "$7\r\n3000000\r\n" })
		c.mustDo("+PONG\r\n", "PING")
	})
}

// TestScriptEngineErrorHalfWay: a script that fails half-way keeps what it
// wrote before, as in Redis, and answers the error.
func TestScriptEngineErrorHalfWay(t *testing.T) {
	const script = "redis.call('set', KEYS[1], '1') redis.call('lpush', KEYS[1], 'x') redis.call('set', KEYS[2], '2')"
	onBoth(t, nil, func(s *server) []string {
		c := s.dial(t)
		return []string{
			c.do("EVAL", script, "2", "a", "b"),
			c.do("GET", "a"),
			c.do("GET", "b"),
			c.do("EVAL", "redis.call('set', KEYS[1], 'p') return redis.pcall('lpush', KEYS[1], 'x')", "1", "p"),
			c.do("GET", "p"),
		}
	})
}
