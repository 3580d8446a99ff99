package tests

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// These tests check what a client blocked in BLPOP and its relatives gets
// when the keys it waits on change type, move between databases or are
// flushed: as in Redis, it is served only from a key that holds what it
// waits for, never answered -WRONGTYPE because of a change made while it
// waited. Each scenario runs in several workers at once, many times, since
// the bugs it guards against are races between the waker and the woken.

// Concurrency of the scenarios: workers at once, and rounds in all.
const (
	typeWorkers = 4
	typeRounds  = 200
)

// serveTimeout bounds the wait for a blocked client's reply once what
// serves it has run.
const serveTimeout = 3 * time.Second

// wireConn is a connection for worker goroutines: unlike rawConn it returns
// errors instead of failing the test, so any goroutine may use it (one at a
// time). Every read and write has a deadline.
type wireConn struct {
	c net.Conn
	r *bufio.Reader
}

// dialWire opens a wireConn to s, closed by the test's cleanup.
func dialWire(t testing.TB, s *server) *wireConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.addr(), ioTimeout)
	require.NoError(t, err, "%s: dial", s.name)
	t.Cleanup(func() { c.Close() })
	return &wireConn{c: c, r: bufio.NewReader(c)}
}

func (c *wireConn) send(args ...string) error {
	c.c.SetWriteDeadline(time.Now().Add(ioTimeout))
	_, err := c.c.Write(encodeCommand(args))
	return err
}

// read returns the next reply, waiting at most d for it.
func (c *wireConn) read(d time.Duration) (string, error) {
	c.c.SetReadDeadline(time.Now().Add(d))
	reply, err := readReply(c.r)
	return string(reply), err
}

func (c *wireConn) do(args ...string) (string, error) {
	if err := c.send(args...); err != nil {
		return "", err
	}
	return c.read(ioTimeout)
}

// expect runs args and returns an error unless the reply is want.
func (c *wireConn) expect(want string, args ...string) error {
	got, err := c.do(args...)
	if err != nil {
		return fmt.Errorf("%q: %w", args, err)
	}
	if got != want {
		return fmt.Errorf("%q: got %q, want %q", args, got, want)
	}
	return nil
}

// id returns the connection's CLIENT ID.
func (c *wireConn) id() (string, error) {
	got, err := c.do("CLIENT", "ID")
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(strings.TrimPrefix(got, ":"), "\r\n"), nil
}

// waitBlocked polls CLIENT LIST through ctl until the client with id shows
// the b (blocked) flag, for at most ioTimeout.
func waitBlocked(ctl *wireConn, id string) error {
	for deadline := time.Now().Add(ioTimeout); ; {
		got, err := ctl.do("CLIENT", "LIST", "ID", id)
		if err != nil {
			return err
		}
		if f := clientField(got, "flags"); strings.Contains(f, "b") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("client %s never blocked: %q", id, got)
		}
		time.Sleep(time.Millisecond)
	}
}

// clientField returns the value of field name in a CLIENT LIST line.
func clientField(line, name string) string {
	for _, f := range strings.Fields(strings.TrimPrefix(line, "$")) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	return ""
}

// step is one command and the reply it must get. "{k}" in an argument is
// replaced by the round's key.
type step struct {
	cmd  []string
	want string
}

func expand(args []string, key string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.ReplaceAll(a, "{k}", key)
	}
	return out
}

// bulk returns s as a RESP bulk string.
func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

// arr returns a RESP array of the raw replies items.
func arr(items ...string) string { return fmt.Sprintf("*%d\r\n", len(items)) + strings.Join(items, "") }

// blockedScenario is one round: the blocker selects db and sends block on
// the round's key, and blocks; ctl (in database 0) runs change, which must
// leave it blocked with no reply, then serve, after which the blocker's
// reply must be want(key); then ctl runs after.
//
// Nothing else may touch the key between serve and the blocker's reply:
// Redis serves a blocked client before it runs any other command, MyRedis
// as soon as the client's turn comes, and the scenarios test neither.
type blockedScenario struct {
	name          string
	db            string // the blocker's database; "" means 0
	block         []string
	change, serve []step
	want          func(key string) string
	after         []step
	// workers running at once, each on keys of its own; 0 means
	// typeWorkers. Scenarios that change whole databases need 1.
	workers int
}

// runBlocked runs sc typeRounds times against s, shared among its workers,
// each round on a key of its own, and reports every failure.
func runBlocked(t *testing.T, s *server, sc blockedScenario) {
	workers := sc.workers
	if workers == 0 {
		workers = typeWorkers
	}
	db := sc.db
	if db == "" {
		db = "0"
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		ctl, blocker := dialWire(t, s), dialWire(t, s)
		require.NoError(t, blocker.expect("+OK\r\n", "SELECT", db))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range typeRounds / workers {
				key := fmt.Sprintf("%s:%d:%d", sc.name, w, r)
				if err := blockedRound(ctl, blocker, sc, key); err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func blockedRound(ctl, blocker *wireConn, sc blockedScenario, key string) error {
	id, err := blocker.id()
	if err != nil {
		return err
	}
	if err := blocker.send(expand(sc.block, key)...); err != nil {
		return err
	}
	if err := waitBlocked(ctl, id); err != nil {
		return err
	}
	for _, st := range append(sc.change, sc.serve...) {
		if err := ctl.expect(st.want, expand(st.cmd, key)...); err != nil {
			return err
		}
	}
	got, err := blocker.read(serveTimeout)
	if err != nil {
		return fmt.Errorf("blocked client: no reply after the serving push: %w", err)
	}
	if want := sc.want(key); got != want {
		return fmt.Errorf("blocked client got %q, want %q", got, want)
	}
	for _, st := range sc.after {
		if err := ctl.expect(st.want, expand(st.cmd, key)...); err != nil {
			return err
		}
	}
	// Leave nothing for the next round.
	return ctl.expect(":0\r\n", "DEL", key)
}

// Changes that leave a list blocker waiting: the key is pushed to (which
// signals it), then holds a string, or a sorted set, when the transaction
// ends; or it is flushed away.
var (
	listToString = []step{
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"LPUSH", "{k}", "a"}, "+QUEUED\r\n"},
		{[]string{"DEL", "{k}"}, "+QUEUED\r\n"},
		{[]string{"SET", "{k}", "foo"}, "+QUEUED\r\n"},
		{[]string{"EXEC"}, "*3\r\n:1\r\n:1\r\n+OK\r\n"},
		{[]string{"DEL", "{k}"}, ":1\r\n"},
	}
	listToZSet = []step{
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"RPUSH", "{k}", "a"}, "+QUEUED\r\n"},
		{[]string{"DEL", "{k}"}, "+QUEUED\r\n"},
		{[]string{"ZADD", "{k}", "1", "a"}, "+QUEUED\r\n"},
		{[]string{"EXEC"}, "*3\r\n:1\r\n:1\r\n:1\r\n"},
		{[]string{"DEL", "{k}"}, ":1\r\n"},
	}
	zsetToList = []step{
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"ZADD", "{k}", "1", "a"}, "+QUEUED\r\n"},
		{[]string{"DEL", "{k}"}, "+QUEUED\r\n"},
		{[]string{"LPUSH", "{k}", "x"}, "+QUEUED\r\n"},
		{[]string{"EXEC"}, "*3\r\n:1\r\n:1\r\n:1\r\n"},
		{[]string{"DEL", "{k}"}, ":1\r\n"},
	}
	zsetToString = []step{
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"ZADD", "{k}", "1", "a"}, "+QUEUED\r\n"},
		{[]string{"DEL", "{k}"}, "+QUEUED\r\n"},
		{[]string{"SET", "{k}", "foo"}, "+QUEUED\r\n"},
		{[]string{"EXEC"}, "*3\r\n:1\r\n:1\r\n+OK\r\n"},
		{[]string{"DEL", "{k}"}, ":1\r\n"},
	}
	pushB = []step{{[]string{"RPUSH", "{k}", "b"}, ":1\r\n"}}
	zaddB = []step{{[]string{"ZADD", "{k}", "2", "b"}, ":1\r\n"}}
)

// listBlockers are the list commands that block, each with its reply once
// served with the element b.
var listBlockers = []struct {
	name  string
	block []string
	want  func(key string) string
}{
	{"BLPOP", []string{"BLPOP", "{k}", "0"}, func(k string) string { return arr(bulk(k), bulk("b")) }},
	{"BRPOP", []string{"BRPOP", "{k}", "0"}, func(k string) string { return arr(bulk(k), bulk("b")) }},
	{"BLMOVE", []string{"BLMOVE", "{k}", "{k}:dst", "LEFT", "RIGHT", "0"}, func(string) string { return bulk("b") }},
	{"BRPOPLPUSH", []string{"BRPOPLPUSH", "{k}", "{k}:dst", "0"}, func(string) string { return bulk("b") }},
	{"BLMPOP", []string{"BLMPOP", "0", "1", "{k}", "LEFT", "COUNT", "2"}, func(k string) string { return arr(bulk(k), arr(bulk("b"))) }},
}

// zsetBlockers are the sorted-set commands that block, each with its reply
// once served with member b of score 2.
var zsetBlockers = []struct {
	name  string
	block []string
	want  func(key string) string
}{
	{"BZPOPMIN", []string{"BZPOPMIN", "{k}", "0"}, func(k string) string { return arr(bulk(k), bulk("b"), bulk("2")) }},
	{"BZPOPMAX", []string{"BZPOPMAX", "{k}", "0"}, func(k string) string { return arr(bulk(k), bulk("b"), bulk("2")) }},
	{"BZMPOP", []string{"BZMPOP", "0", "1", "{k}", "MIN"}, func(k string) string { return arr(bulk(k), arr(arr(bulk("b"), bulk("2")))) }},
}

// TestBlockedClientSurvivesTypeChange: a key a client waits on is pushed to
// inside a transaction that leaves it holding another type; the client
// stays blocked, gets no -WRONGTYPE, and is served by a later push.
func TestBlockedClientSurvivesTypeChange(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		for _, b := range listBlockers {
			for _, ch := range []struct {
				name  string
				steps []step
			}{{"string", listToString}, {"zset", listToZSet}} {
				t.Run(b.name+"/"+ch.name, func(t *testing.T) {
					runBlocked(t, s, blockedScenario{name: b.name + ch.name, block: b.block, change: ch.steps, serve: pushB, want: b.want})
				})
			}
		}
		for _, b := range zsetBlockers {
			for _, ch := range []struct {
				name  string
				steps []step
			}{{"string", zsetToString}, {"list", zsetToList}} {
				t.Run(b.name+"/"+ch.name, func(t *testing.T) {
					runBlocked(t, s, blockedScenario{name: b.name + ch.name, block: b.block, change: ch.steps, serve: zaddB, want: b.want})
				})
			}
		}
	})
}

// TestBlockedClientSurvivesFlush: a push undone by FLUSHALL or FLUSHDB in
// the same transaction, or a flush while the client waits, wakes no one
// with an error; the next push serves the client.
func TestBlockedClientSurvivesFlush(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		for _, flush := range []string{"FLUSHALL", "FLUSHDB"} {
			t.Run(flush, func(t *testing.T) {
				change := []step{
					{[]string{"MULTI"}, "+OK\r\n"},
					{[]string{"LPUSH", "{k}", "a"}, "+QUEUED\r\n"},
					{[]string{flush}, "+QUEUED\r\n"},
					{[]string{"SET", "{k}", "foo"}, "+QUEUED\r\n"},
					{[]string{"EXEC"}, "*3\r\n:1\r\n+OK\r\n+OK\r\n"},
					{[]string{flush}, "+OK\r\n"},
				}
				runBlocked(t, s, blockedScenario{name: flush, block: listBlockers[0].block, change: change,
					serve: pushB, want: listBlockers[0].want, workers: 1})
			})
		}
	})
}

// TestMixedBlockersOnOneKey: clients waiting on one key for a list and for a
// sorted set are each served by their own type, in the order they blocked,
// whoever blocked first.
func TestMixedBlockersOnOneKey(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		ctl := dialWire(t, s)
		for r := range typeRounds {
			key := fmt.Sprintf("mixed:%d", r)
			var blockers []*wireConn
			for _, cmd := range [][]string{{"BLPOP", key, "0"}, {"BZPOPMIN", key, "0"}, {"BLPOP", key, "0"}} {
				c := dialWire(t, s)
				id, err := c.id()
				require.NoError(t, err)
				require.NoError(t, c.send(cmd...))
				require.NoError(t, waitBlocked(ctl, id))
				blockers = append(blockers, c)
			}
			require.NoError(t, ctl.expect(":1\r\n", "ZADD", key, "1", "m"))
			got, err := blockers[1].read(serveTimeout)
			require.NoError(t, err, "the sorted-set blocker behind a list blocker")
			require.Equal(t, arr(bulk(key), bulk("m"), bulk("1")), got)
			require.NoError(t, ctl.expect(":2\r\n", "RPUSH", key, "x", "y"))
			for i, want := range []string{"x", "y"} {
				got, err := blockers[2*i].read(serveTimeout)
				require.NoError(t, err)
				require.Equal(t, arr(bulk(key), bulk(want)), got, "list blocker %d", i)
			}
			for _, c := range blockers {
				c.c.Close()
			}
		}
	})
}

// TestTypeChangeKeepsFIFO: two clients wait on a key whose type changes;
// both stay blocked and a later push serves them in the order they blocked.
func TestTypeChangeKeepsFIFO(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		ctl := dialWire(t, s)
		first, second := dialWire(t, s), dialWire(t, s)
		for r := range typeRounds {
			key := fmt.Sprintf("fifo:%d", r)
			for _, c := range []*wireConn{first, second} {
				id, err := c.id()
				require.NoError(t, err)
				require.NoError(t, c.send("BLPOP", key, "0"))
				require.NoError(t, waitBlocked(ctl, id))
			}
			for _, st := range listToString {
				require.NoError(t, ctl.expect(st.want, expand(st.cmd, key)...))
			}
			require.NoError(t, ctl.expect(":2\r\n", "RPUSH", key, "x", "y"))
			for i, c := range []*wireConn{first, second} {
				got, err := c.read(serveTimeout)
				require.NoError(t, err)
				require.Equal(t, arr(bulk(key), bulk([]string{"x", "y"}[i])), got, "client %d", i)
			}
		}
	})
}

// TestSwapDBWakesBlockedClients: after SWAPDB, a client blocked in a
// database is served from the list or sorted set that the swap brought into
// it, and stays blocked (without an error) where the swap brought a key of
// another type, or brought a list and took it away again in one
// transaction.
func TestSwapDBWakesBlockedClients(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		in1 := func(st ...step) []step { // st run in database 1
			out := append([]step{{[]string{"SELECT", "1"}, "+OK\r\n"}}, st...)
			return append(out, step{[]string{"SELECT", "0"}, "+OK\r\n"})
		}
		swap := step{[]string{"SWAPDB", "0", "1"}, "+OK\r\n"}
		queued := step{[]string{"SWAPDB", "0", "1"}, "+QUEUED\r\n"}
		for _, sc := range []blockedScenario{
			{name: "list", block: listBlockers[0].block, want: listBlockers[0].want,
				serve: append(in1(step{[]string{"RPUSH", "{k}", "b"}, ":1\r\n"}), swap), after: []step{swap}},
			{name: "zset", block: zsetBlockers[0].block, want: zsetBlockers[0].want,
				serve: append(in1(step{[]string{"ZADD", "{k}", "2", "b"}, ":1\r\n"}), swap), after: []step{swap}},
			{name: "blmove", block: listBlockers[2].block, want: listBlockers[2].want,
				serve: append(in1(step{[]string{"RPUSH", "{k}", "b"}, ":1\r\n"}), swap), after: []step{swap}},
			{name: "bzmpop", block: zsetBlockers[2].block, want: zsetBlockers[2].want,
				serve: append(in1(step{[]string{"ZADD", "{k}", "2", "b"}, ":1\r\n"}), swap), after: []step{swap}},
			{name: "wrongtype", block: listBlockers[0].block, want: listBlockers[0].want, serve: pushB,
				// A sorted set comes in and goes back: no reply.
				change: append(append(in1(step{[]string{"ZADD", "{k}", "2", "b"}, ":1\r\n"}), swap, swap),
					in1(step{[]string{"DEL", "{k}"}, ":1\r\n"})...)},
			{name: "multi-in-and-out", block: listBlockers[0].block, want: listBlockers[0].want, serve: pushB,
				// Two swaps in one transaction leave database 0 as it was:
				// the list came and went before anyone could be served.
				change: append(append(in1(step{[]string{"RPUSH", "{k}", "a"}, ":1\r\n"}),
					step{[]string{"MULTI"}, "+OK\r\n"}, queued, queued, step{[]string{"EXEC"}, "*2\r\n+OK\r\n+OK\r\n"}),
					in1(step{[]string{"DEL", "{k}"}, ":1\r\n"})...)},
			{name: "multi", block: listBlockers[0].block, want: listBlockers[0].want,
				serve: append(in1(step{[]string{"RPUSH", "{k}", "b"}, ":1\r\n"}),
					step{[]string{"MULTI"}, "+OK\r\n"}, queued, step{[]string{"EXEC"}, "*1\r\n+OK\r\n"}),
				after: []step{swap}},
		} {
			t.Run(sc.name, func(t *testing.T) {
				sc.name = "swap-" + sc.name
				sc.workers = 1 // SWAPDB moves every worker's keys
				runBlocked(t, s, sc)
			})
		}
	})
}

// TestMoveWakesBlockedClients: MOVE of a list or sorted set into the
// database where a client waits on its name serves the client; MOVE of a
// string leaves it blocked without an error.
func TestMoveWakesBlockedClients(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		move := step{[]string{"MOVE", "{k}", "1"}, ":1\r\n"}
		for _, sc := range []blockedScenario{
			{name: "list", block: listBlockers[0].block, want: listBlockers[0].want,
				serve: []step{{[]string{"RPUSH", "{k}", "b"}, ":1\r\n"}, move}},
			{name: "zset", block: zsetBlockers[0].block, want: zsetBlockers[0].want,
				serve: []step{{[]string{"ZADD", "{k}", "2", "b"}, ":1\r\n"}, move}},
			{name: "string", block: listBlockers[0].block, want: listBlockers[0].want,
				change: []step{{[]string{"SET", "{k}", "foo"}, "+OK\r\n"}, move,
					{[]string{"SELECT", "1"}, "+OK\r\n"}, {[]string{"DEL", "{k}"}, ":1\r\n"}, {[]string{"SELECT", "0"}, "+OK\r\n"}},
				serve: []step{{[]string{"RPUSH", "{k}", "b"}, ":1\r\n"}, move}},
			{name: "multi", block: listBlockers[0].block, want: listBlockers[0].want,
				serve: []step{{[]string{"RPUSH", "{k}", "b"}, ":1\r\n"}, {[]string{"MULTI"}, "+OK\r\n"},
					{[]string{"MOVE", "{k}", "1"}, "+QUEUED\r\n"}, {[]string{"EXEC"}, "*1\r\n:1\r\n"}}},
		} {
			t.Run(sc.name, func(t *testing.T) {
				sc.name = "move-" + sc.name
				sc.db = "1" // the blockers wait in database 1; ctl moves from 0
				runBlocked(t, s, sc)
			})
		}
	})
}
