package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests check CLIENT PAUSE against both servers: while clients are
// paused, keys past their deadline are not deleted (Redis keeps the
// dataset still for a failover), and a transaction's EXEC waits for the
// pause when it holds writes.

// statsField returns one field of INFO stats.
func statsField(t testing.TB, c *rawConn, name string) string {
	t.Helper()
	reply := c.do("INFO", "stats")
	for _, line := range strings.Split(reply, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO stats has no %s: %q", name, reply)
	return ""
}

// expiredEvents subscribes a new connection to the expired events of
// database 0, after turning them on.
func expiredEvents(t *testing.T, s *server, ctl *rawConn) *wireConn {
	ctl.mustDo("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "Ex")
	sub := dialWire(t, s)
	require.NoError(t, sub.expect("*3\r\n$9\r\nsubscribe\r\n$22\r\n__keyevent@0__:expired\r\n:1\r\n",
		"SUBSCRIBE", "__keyevent@0__:expired"))
	return sub
}

// expiredMessage is the event a subscriber of expiredEvents gets for key.
func expiredMessage(key string) string {
	return arr(bulk("message"), bulk("__keyevent@0__:expired"), bulk(key))
}

// TestPauseWriteHoldsExpiry: under CLIENT PAUSE WRITE, a key past its
// deadline reads as missing but is not deleted, lazily or actively: no
// expired event, expired_keys and DBSIZE do not move. After UNPAUSE it is
// deleted.
func TestPauseWriteHoldsExpiry(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		ctl := s.dial(t)
		sub := expiredEvents(t, s, ctl)
		ctl.mustDo("+OK\r\n", "SET", "keep", "v")
		ctl.mustDo("+OK\r\n", "SET", "k", "v", "PX", "100")
		ctl.mustDo("+OK\r\n", "CLIENT", "PAUSE", "100000", "WRITE")
		waitFor(t, 5*time.Second, "k to read as expired", func() bool { return ctl.do("PTTL", "k") == ":-2\r\n" })
		time.Sleep(300 * time.Millisecond) // three active expiry cycles at hz 10

		ctl.mustDo("$-1\r\n", "GET", "k")
		ctl.mustDo(":0\r\n", "EXISTS", "k")
		ctl.mustDo(":-2\r\n", "TTL", "k")
		ctl.mustDo("+none\r\n", "TYPE", "k")
		ctl.mustDo(arr(bulk("keep")), "KEYS", "*")
		ctl.mustDo(":2\r\n", "DBSIZE")
		assert.Equal(t, "0", statsField(t, ctl, "expired_keys"))
		_, err := sub.read(100 * time.Millisecond)
		require.Error(t, err, "an expired event during the pause")

		ctl.mustDo("+OK\r\n", "CLIENT", "UNPAUSE")
		ctl.mustDo("$-1\r\n", "GET", "k")
		ctl.mustDo(":1\r\n", "DBSIZE")
		assert.Equal(t, "1", statsField(t, ctl, "expired_keys"))
		got, err := sub.read(ioTimeout)
		require.NoError(t, err)
		assert.Equal(t, expiredMessage("k"), got)
	})
}

// TestPauseHoldsActiveExpiry: under CLIENT PAUSE WRITE or ALL, the active
// expiry cycle deletes nothing: the expired event of a key whose deadline
// passes early in the pause comes only once the pause has ended.
func TestPauseHoldsActiveExpiry(t *testing.T) {
	const pause = 700 * time.Millisecond
	for _, mode := range []string{"WRITE", "ALL"} {
		t.Run(mode, func(t *testing.T) {
			eachServer(t, func(t *testing.T, start starter) {
				s := start(t)
				ctl := s.dial(t)
				sub := expiredEvents(t, s, ctl)
				ctl.mustDo("+OK\r\n", "SET", "k", "v", "PX", "100")
				sent := time.Now()
				ctl.mustDo("+OK\r\n", "CLIENT", "PAUSE", "700", mode)
				got, err := sub.read(ioTimeout)
				require.NoError(t, err)
				assert.Equal(t, expiredMessage("k"), got)
				// The server's pause began after sent; allow for clocks
				// read at millisecond precision.
				assert.GreaterOrEqual(t, time.Since(sent), pause-20*time.Millisecond,
					"the key expired during the %s pause", mode)
				assert.Equal(t, "1", statsField(t, ctl, "expired_keys"))
				ctl.mustDo(":0\r\n", "DBSIZE")
			})
		})
	}
}

// TestPauseHoldsExec: a transaction opened before a WRITE pause starts runs
// when its EXEC arrives only if it holds no writes; one that holds writes
// waits for the pause to end, whether its writes were queued before the
// pause or are sent during it (then queueing them waits too).
func TestPauseHoldsExec(t *testing.T) {
	const pause = 500 * time.Millisecond
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		ctl := s.dial(t)
		tx := dialWire(t, s)
		ctl.mustDo("+OK\r\n", "SET", "k", "old")

		// Writes queued before the pause: EXEC waits.
		require.NoError(t, tx.expect("+OK\r\n", "MULTI"))
		require.NoError(t, tx.expect("+QUEUED\r\n", "SET", "k", "new"))
		sent := time.Now()
		ctl.mustDo("+OK\r\n", "CLIENT", "PAUSE", "500", "WRITE")
		require.NoError(t, tx.send("EXEC"))
		_, err := tx.read(pause / 2)
		require.Error(t, err, "EXEC of a write answered during the pause")
		ctl.mustDo(bulk("old"), "GET", "k")
		got, err := tx.read(ioTimeout)
		require.NoError(t, err)
		assert.Equal(t, "*1\r\n+OK\r\n", got)
		assert.GreaterOrEqual(t, time.Since(sent), pause-20*time.Millisecond)
		ctl.mustDo(bulk("new"), "GET", "k")

		// A write sent during the pause waits to be queued, then EXEC runs.
		require.NoError(t, tx.expect("+OK\r\n", "MULTI"))
		sent = time.Now()
		ctl.mustDo("+OK\r\n", "CLIENT", "PAUSE", "500", "WRITE")
		require.NoError(t, tx.send("SET", "k", "newer"))
		_, err = tx.read(pause / 2)
		require.Error(t, err, "a write was queued during the pause")
		got, err = tx.read(ioTimeout)
		require.NoError(t, err)
		assert.Equal(t, "+QUEUED\r\n", got)
		assert.GreaterOrEqual(t, time.Since(sent), pause-20*time.Millisecond)
		require.NoError(t, tx.expect("*1\r\n+OK\r\n", "EXEC"))
		ctl.mustDo(bulk("newer"), "GET", "k")

		// A transaction of reads runs during the pause.
		require.NoError(t, tx.expect("+OK\r\n", "MULTI"))
		require.NoError(t, tx.expect("+QUEUED\r\n", "GET", "k"))
		ctl.mustDo("+OK\r\n", "CLIENT", "PAUSE", "10000", "WRITE")
		sent = time.Now()
		require.NoError(t, tx.expect(arr(bulk("newer")), "EXEC"))
		assert.Less(t, time.Since(sent), pause, "EXEC of reads waited for the pause")
		ctl.mustDo("+OK\r\n", "CLIENT", "UNPAUSE")
	})
}
