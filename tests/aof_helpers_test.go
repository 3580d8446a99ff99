package tests

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// startAOF starts MyRedis with the append-only file on and appendfsync
// fsync, and waits until it has loaded; extraArgs come last and may
// override both.
func startAOF(t testing.TB, fsync string, extraArgs ...string) *server {
	t.Helper()
	s := startServer(t, append([]string{"--appendonly", "yes", "--appendfsync", fsync}, extraArgs...)...)
	waitLoaded(t, s)
	return s
}

// relaunch starts s's program again with s's arguments, directory and
// port, plus extraArgs, after s has exited. It does not wait for the new
// process to answer.
func relaunch(t testing.TB, s *server, extraArgs ...string) *server {
	t.Helper()
	if s.running() {
		t.Fatalf("%s: relaunch while pid %d still runs", s.name, s.pid())
	}
	return launch(t, s.name, s.cmd.Path, s.dir, s.port, append(slices.Clone(s.cmd.Args[1:]), extraArgs...))
}

// restart is relaunch that waits until the new process has loaded its
// append-only file.
func restart(t testing.TB, s *server, extraArgs ...string) *server {
	t.Helper()
	n := relaunch(t, s, extraArgs...)
	if err := n.waitReady(); err != nil {
		t.Fatalf("%s: restart: %v", n.name, err)
	}
	waitLoaded(t, n)
	return n
}

// startOn starts MyRedis (bin is binPath) or real Redis on an existing
// directory, with the AOF on, on a free port, and waits until it has loaded
// the directory's append-only files.
func startOn(t testing.TB, name, bin, dir string, extraArgs ...string) *server {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes"}
	if name == "redis" {
		args = append(args, "--save", "")
	}
	s := launch(t, name, bin, dir, port, append(args, extraArgs...))
	if err := s.waitReady(); err != nil {
		t.Fatalf("%s on %s: %v", name, dir, err)
	}
	waitLoaded(t, s)
	return s
}

// kill sends SIGKILL to s and waits for it to exit.
func kill(t testing.TB, s *server) {
	t.Helper()
	s.cmd.Process.Kill()
	<-s.exited
}

// terminate sends SIGTERM and expects a clean exit within stopTimeout.
func terminate(t testing.TB, s *server) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	if code, err := s.wait(stopTimeout); err != nil || code != 0 {
		t.Fatalf("%s: after SIGTERM: exit code %d, %v", s.name, code, err)
	}
}

// shutdown sends SHUTDOWN and expects a clean exit within stopTimeout.
func shutdown(t testing.TB, s *server) {
	t.Helper()
	c := s.dial(t)
	c.send(string(encodeCommand([]string{"SHUTDOWN"})))
	c.expectClosed(stopTimeout)
	if code, err := s.wait(stopTimeout); err != nil || code != 0 {
		t.Fatalf("%s: after SHUTDOWN: exit code %d, %v", s.name, code, err)
	}
}

// infoField returns one field of INFO persistence.
func infoField(t testing.TB, c *rawConn, name string) string {
	t.Helper()
	reply := c.do("INFO", "persistence")
	for _, line := range strings.Split(reply, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO persistence has no %s: %q", name, reply)
	return ""
}

// waitFor polls cond every 10 ms until it holds or d passes, then fails
// the test with what.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitLoaded waits until s has finished loading its data. MyRedis answers
// before it starts loading, and INFO shows loading:0 then too, so it waits
// for the log line that ends the replay first, then for loading:0. Real
// Redis (whatever the test calls it: MYREDIS_BIN may name it) needs only
// loading:0.
func waitLoaded(t testing.TB, s *server) {
	t.Helper()
	if s.cmd.Path != redisServerPath && argValue(s.cmd.Args, "--appendonly") == "yes" {
		waitFor(t, startTimeout, "append-only file loaded", func() bool {
			if !s.running() {
				t.Fatalf("%s exited while loading: %v", s.name, s.exitErr)
			}
			return strings.Contains(readLog(t, s), "append-only file loaded")
		})
	}
	c := s.dial(t)
	waitFor(t, startTimeout, "loading:0", func() bool { return infoField(t, c, "loading") == "0" })
	c.c.Close()
}

// argValue returns the value of the last occurrence of the option name in
// a command line, or "".
func argValue(args []string, name string) string {
	v := ""
	for i := 0; i+1 < len(args); i++ {
		if args[i] == name {
			v = args[i+1]
		}
	}
	return v
}

// readLog returns the server's log so far.
func readLog(t testing.TB, s *server) string {
	t.Helper()
	out, err := os.ReadFile(s.logPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// aofDir returns the directory of s's multi-part AOF.
func aofDir(s *server) string { return filepath.Join(s.dir, "appendonlydir") }

// manifestFiles returns the "name seq type" lines of the manifest in dir.
func manifestFiles(t testing.TB, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "appendonly.aof.manifest"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// manifestFile returns the name of the last file of type typ ("b" or "i")
// in the manifest in dir, or "" when there is none.
func manifestFile(t testing.TB, dir, typ string) string {
	t.Helper()
	name := ""
	for _, line := range manifestFiles(t, dir) {
		f := strings.Fields(line)
		if len(f) == 6 && f[0] == "file" && f[5] == typ {
			name = f[1]
		}
	}
	return name
}

// newRawClient is newClient without retries (a retried INCR after a kill
// would count twice) and with RESP2, for any server.
func newRawClient(t testing.TB, s *server, db int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.addr(), DB: db, Protocol: 2, MaxRetries: -1,
		DisableIdentity: true, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

// keyState is one key as dumpKeys sees it: its type, its value in a
// canonical text form and its PEXPIRETIME.
type keyState struct {
	typ, value string
	expireAt   int64
}

func (k keyState) String() string {
	return fmt.Sprintf("%s %s pexpiretime=%d", k.typ, k.value, k.expireAt)
}

// dumpKeys returns every key of the first 16 databases of s, named
// "db:key", in a form that does not depend on the server's internal order.
func dumpKeys(t testing.TB, s *server) map[string]keyState {
	t.Helper()
	ctx := testContext(t, 30*time.Second)
	out := map[string]keyState{}
	for db := 0; db < 16; db++ {
		c := newRawClient(t, s, db)
		var keys []string
		iter := c.Scan(ctx, 0, "*", 1000).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Fatalf("%s: SCAN db %d: %v", s.name, db, err)
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		for _, k := range keys {
			st := keyState{typ: c.Type(ctx, k).Val()}
			var v any
			var err error
			switch st.typ {
			case "string":
				v, err = c.Get(ctx, k).Result()
			case "list":
				v, err = c.LRange(ctx, k, 0, -1).Result()
			case "hash":
				v, err = c.HGetAll(ctx, k).Result() // fmt prints maps sorted
			case "set":
				var m []string
				m, err = c.SMembers(ctx, k).Result()
				slices.Sort(m)
				v = m
			case "zset":
				var zs []redis.Z
				zs, err = c.ZRangeWithScores(ctx, k, 0, -1).Result()
				var m []string
				for _, z := range zs {
					m = append(m, fmt.Sprintf("%v=%s", z.Member, strconv.FormatFloat(z.Score, 'g', -1, 64)))
				}
				v = m
			case "stream": // its entries (groups are compared by the stream tests)
				v, err = c.XRange(ctx, k, "-", "+").Result()
			default:
				t.Fatalf("%s: db %d key %q has type %q", s.name, db, k, st.typ)
			}
			if err != nil {
				t.Fatalf("%s: read db %d key %q: %v", s.name, db, k, err)
			}
			st.value = fmt.Sprintf("%q", v)
			if st.expireAt, err = c.Do(ctx, "PEXPIRETIME", k).Int64(); err != nil {
				t.Fatalf("%s: PEXPIRETIME db %d %q: %v", s.name, db, k, err)
			}
			out[strconv.Itoa(db)+":"+k] = st
		}
	}
	return out
}

// compareKeys fails the test with every difference between two dumps.
func compareKeys(t testing.TB, what string, want, got map[string]keyState) {
	t.Helper()
	var diffs []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: missing (want %v)", k, w))
		} else if g != w {
			diffs = append(diffs, fmt.Sprintf("%s:\n\tgot  %v\n\twant %v", k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: unexpected %v", k, g))
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		if len(diffs) > 20 {
			diffs = append(diffs[:20], fmt.Sprintf("... and %d more", len(diffs)-20))
		}
		t.Fatalf("%s: %d of %d keys differ:\n%s", what, len(diffs), len(want), strings.Join(diffs, "\n"))
	}
	if len(want) == 0 {
		t.Fatalf("%s: empty dataset", what)
	}
}

// A dataCmd is one command of a dataset, run in database db.
type dataCmd struct {
	db   int
	args []any
}

// datasetDBs are the databases the datasets use.
var datasetDBs = []int{0, 3, 9, 15}

// dataset returns commands that build keys of type typ ("string", "list",
// "hash", "set", "zset") in several databases: small and large (over the
// rewrite's 64-element chunks) values, some with a TTL far in the future,
// some with a TTL set by each way of setting one.
func dataset(typ string) []dataCmd {
	var cmds []dataCmd
	add := func(db int, args ...any) { cmds = append(cmds, dataCmd{db, args}) }
	for _, db := range datasetDBs {
		for i, n := range []int{1, 5, 64, 65, 200} {
			key := fmt.Sprintf("%s:%d:%d", typ, db, n)
			for j := 0; j < n; j++ {
				switch typ {
				case "string":
					if j == 0 {
						add(db, "SET", key, strings.Repeat("v\r\n\x00", n))
						add(db, "SET", key+":int", n*1000+db)
						add(db, "INCRBY", key+":int", 7)
						add(db, "APPEND", key+":app", "x\r\n")
						add(db, "SET", key+":empty", "")
					}
				case "list":
					add(db, "RPUSH", key, fmt.Sprintf("e%d", j), j)
				case "hash":
					add(db, "HSET", key, fmt.Sprintf("f%d", j), fmt.Sprintf("v%d\n", j))
				case "set":
					add(db, "SADD", key, j*7, fmt.Sprintf("m%d", j))
					add(db, "SADD", key+":ints", j*13-100)
				case "zset":
					add(db, "ZADD", key, float64(j)/3-10, fmt.Sprintf("m%d", j))
				}
			}
			switch i {
			case 1:
				add(db, "EXPIRE", key, 5000+db)
			case 2:
				add(db, "PEXPIREAT", key, time.Now().Add(time.Hour).UnixMilli()+int64(db))
			case 3:
				add(db, "EXPIREAT", key, time.Now().Add(2*time.Hour).Unix())
			}
		}
	}
	if typ == "zset" {
		add(0, "ZADD", "zset:special", "-inf", "a", "+inf", "b", 0, "c", 1e300, "d", -0.125, "e")
		add(0, "ZINCRBY", "zset:special", 0.1, "c")
	}
	if typ == "string" {
		add(1, "SET", "string:px", "v", "PX", 3_600_000)
		add(1, "SETEX", "string:ex", 7200, "v")
		add(1, "SET", "string:keep", "v", "EX", 100)
		add(1, "SET", "string:keep", "w", "KEEPTTL")
		add(1, "SET", "string:persist", "v", "EX", 100)
		add(1, "PERSIST", "string:persist")
		add(1, "INCRBYFLOAT", "string:float", "1.5")
		add(1, "SET", "string:gone", "v")
		add(1, "DEL", "string:gone")
	}
	return cmds
}

// dataTypes are the data types the datasets cover.
var dataTypes = []string{"string", "list", "hash", "set", "zset"}

// writeData runs cmds against s with pipelines, one per database, and
// fails the test on any error reply.
func writeData(t testing.TB, s *server, cmds []dataCmd) {
	t.Helper()
	ctx := testContext(t, 30*time.Second)
	pipes := map[int]redis.Pipeliner{}
	for _, c := range cmds {
		p := pipes[c.db]
		if p == nil {
			p = newRawClient(t, s, c.db).Pipeline()
			pipes[c.db] = p
		}
		p.Do(ctx, c.args...)
	}
	for db, p := range pipes {
		res, err := p.Exec(ctx)
		if err != nil {
			for _, r := range res {
				if r.Err() != nil {
					t.Fatalf("%s: db %d: %v: %v", s.name, db, r.Args(), r.Err())
				}
			}
			t.Fatalf("%s: db %d: %v", s.name, db, err)
		}
	}
}

// writeAOFFile writes cmds to path as RESP commands, with a SELECT
// before each change of database, like an AOF of Redis 6.
func writeAOFFile(t testing.TB, path string, cmds []dataCmd) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	db := -1
	for _, c := range cmds {
		if c.db != db {
			db = c.db
			w.Write(encodeCommand([]string{"SELECT", strconv.Itoa(db)}))
		}
		args := make([]string, len(c.args))
		for i, a := range c.args {
			args[i] = fmt.Sprint(a)
		}
		w.Write(encodeCommand(args))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// testSeed returns the seed of a random test, from MYREDIS_SEED when set,
// and logs it.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if env := os.Getenv("MYREDIS_SEED"); env != "" {
		var err error
		if seed, err = strconv.ParseUint(env, 10, 64); err != nil {
			t.Fatalf("MYREDIS_SEED=%q: %v", env, err)
		}
	}
	t.Logf("seed %d (replay with MYREDIS_SEED=%d)", seed, seed)
	return seed
}

// An ack is one acknowledged pipeline of a hammer: when its replies came
// back and the highest INCR reply among them.
type ack struct {
	at    time.Time
	value int64
}

// A hammer is a set of clients that each pipeline INCRs of "counter", an
// LPUSH of a unique element to "list" and, when spread > 0, INCRs of keys
// "k:<n>" with n below spread, and record what the server acknowledged.
// Its fields are valid after stop returns.
type hammer struct {
	spread int

	mu       sync.Mutex
	acks     []ack            // per pipeline, in the order they were acknowledged
	incrs    int64            // acknowledged INCRs of counter
	maxIncr  int64            // the highest INCR reply
	pushed   []string         // elements whose LPUSH was acknowledged
	maxLen   int64            // the highest LPUSH reply
	keyIncrs map[string]int64 // acknowledged INCRs of each k:<n>
	err      error            // the first error of any client

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startHammer starts clients goroutines hammering s. The seed makes the
// choice of k:<n> keys repeatable.
func startHammer(t testing.TB, s *server, clients, spread int, seed uint64) *hammer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &hammer{spread: spread, keyIncrs: map[string]int64{}, cancel: cancel}
	for i := 0; i < clients; i++ {
		rdb := newRawClient(t, s, 0)
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				if err := h.round(ctx, rdb, rng, fmt.Sprintf("c%d:%d", i, n)); err != nil {
					h.mu.Lock()
					if h.err == nil && ctx.Err() == nil {
						h.err = err
					}
					h.mu.Unlock()
					return
				}
			}
		}()
	}
	return h
}

// hammerIncrs is the number of INCRs of counter per pipeline.
const hammerIncrs = 16

// round sends one pipeline and records the replies that came back, even
// when the connection broke before the others.
func (h *hammer) round(ctx context.Context, rdb *redis.Client, rng *rand.Rand, elem string) error {
	p := rdb.Pipeline()
	incrs := make([]*redis.IntCmd, hammerIncrs)
	for i := range incrs {
		incrs[i] = p.Incr(ctx, "counter")
	}
	push := p.LPush(ctx, "list", elem)
	key := ""
	var keyIncr *redis.IntCmd
	if h.spread > 0 {
		key = "k:" + strconv.Itoa(rng.IntN(h.spread))
		keyIncr = p.Incr(ctx, key)
	}
	_, err := p.Exec(context.WithoutCancel(ctx)) // a cancel would cut a pipeline in half
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	a := ack{at: now}
	for _, c := range incrs {
		if c.Err() == nil {
			h.incrs++
			a.value = max(a.value, c.Val())
		}
	}
	if a.value > 0 {
		h.acks = append(h.acks, a)
		h.maxIncr = max(h.maxIncr, a.value)
	}
	if push.Err() == nil {
		h.pushed = append(h.pushed, elem)
		h.maxLen = max(h.maxLen, push.Val())
	}
	if keyIncr != nil && keyIncr.Err() == nil {
		h.keyIncrs[key]++
	}
	return err
}

// acked returns the number of pipelines acknowledged so far.
func (h *hammer) acked() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.acks)
}

// stop stops the clients and waits for them.
func (h *hammer) stop() {
	h.cancel()
	h.wg.Wait()
}
