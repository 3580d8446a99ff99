package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// crashCycles is the number of kill -9 and restart cycles of
// TestAOFCrashAlways.
const crashCycles = 20

// TestAOFCrashAlways kills the server at random moments while clients
// pipeline INCRs and LPUSHes under appendfsync always: after each restart
// the counter is at least every value a client was given, so an INCR used
// as an ID generator never hands out an ID twice, and the list holds at
// least every acknowledged push.
func TestAOFCrashAlways(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 1))
	s := startAOF(t, "always")
	waitLoaded(t, s)
	var total int64 // acknowledged pipelines over all cycles
	for cycle := 0; cycle < crashCycles; cycle++ {
		h := startHammer(t, s, 4, 0, rng.Uint64())
		waitFor(t, 5*time.Second, "a first acknowledged pipeline", func() bool { return h.acked() > 0 })
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		kill(t, s)
		h.stop()
		total += int64(len(h.acks))
		s = restart(t, s)
		c := s.dial(t)
		if got := intReply(t, c.do("GET", "counter")); got < h.maxIncr {
			t.Fatalf("cycle %d: counter %d after the restart, but INCR had acknowledged %d", cycle, got, h.maxIncr)
		}
		if n := intReply(t, c.do("LLEN", "list")); n < h.maxLen {
			t.Fatalf("cycle %d: LLEN list %d after the restart, but LPUSH had acknowledged length %d", cycle, n, h.maxLen)
		}
		if next := intReply(t, c.do("INCR", "counter")); next <= h.maxIncr {
			t.Fatalf("cycle %d: INCR after the restart gave %d, already handed out", cycle, next)
		}
	}
	t.Logf("%d cycles, %d acknowledged pipelines of %d INCRs", crashCycles, total, hammerIncrs)
}

// intReply parses an integer or bulk reply holding an integer; a nil bulk
// is 0.
func intReply(t testing.TB, reply string) int64 {
	t.Helper()
	if reply == "$-1\r\n" {
		return 0
	}
	text := reply[1 : len(reply)-2]
	if reply[0] == '$' {
		_, text, _ = strings.Cut(text, "\r\n")
	} else if reply[0] != ':' {
		t.Fatalf("want an integer reply, got %q", reply)
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		t.Fatalf("want an integer reply, got %q", reply)
	}
	return n
}

// TestAOFCrashEverysec kills the server under appendfsync everysec after a
// few seconds of INCRs. Losing at most about 2 s of writes means the
// counter after the restart is at least the last value acknowledged 2.5 s
// before the kill. The AOF also promises more: under everysec a reply
// waits until write(2) has handed the write to the OS, which survives the
// death of the process, so nothing acknowledged may be lost to kill -9.
func TestAOFCrashEverysec(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 2))
	s := startAOF(t, "everysec")
	waitLoaded(t, s)
	for cycle := 0; cycle < 2; cycle++ {
		h := startHammer(t, s, 4, 0, rng.Uint64())
		time.Sleep(3*time.Second + time.Duration(rng.IntN(500))*time.Millisecond)
		killedAt := time.Now()
		kill(t, s)
		h.stop()
		var floor int64 // the highest value acknowledged 2.5 s before the kill
		for _, a := range h.acks {
			if a.at.Before(killedAt.Add(-2500 * time.Millisecond)) {
				floor = max(floor, a.value)
			}
		}
		if floor == 0 {
			t.Fatalf("cycle %d: nothing acknowledged 2.5 s before the kill (%d pipelines in all)", cycle, len(h.acks))
		}
		s = restart(t, s)
		got := intReply(t, s.dial(t).do("GET", "counter"))
		if got < floor {
			t.Fatalf("cycle %d: counter %d after the restart: more than 2.5 s of writes lost (acknowledged %d by then, %d at the kill)",
				cycle, got, floor, h.maxIncr)
		}
		if got < h.maxIncr {
			t.Errorf("cycle %d: counter %d after kill -9, but INCR had acknowledged %d: replies went out before write(2)", cycle, got, h.maxIncr)
		}
	}
}

// TestAOFRestartPerType writes keys of each type, with TTLs and in several
// databases, and checks that every key's type, value and PEXPIRETIME
// survive a restart after SIGTERM and one after SHUTDOWN.
func TestAOFRestartPerType(t *testing.T) {
	for _, typ := range dataTypes {
		t.Run(typ, func(t *testing.T) {
			s := startAOF(t, "everysec")
			waitLoaded(t, s)
			writeData(t, s, dataset(typ))
			want := dumpKeys(t, s)
			terminate(t, s)
			s = restart(t, s)
			compareKeys(t, "after SIGTERM and restart", want, dumpKeys(t, s))
			shutdown(t, s)
			s = restart(t, s)
			compareKeys(t, "after SHUTDOWN and restart", want, dumpKeys(t, s))
		})
	}
}

// waitRewrite waits until no rewrite is in progress or scheduled and
// checks that the last one succeeded.
func waitRewrite(t testing.TB, c *rawConn) {
	t.Helper()
	waitFor(t, 20*time.Second, "the rewrite to end", func() bool {
		info := c.do("INFO", "persistence")
		return strings.Contains(info, "aof_rewrite_in_progress:0\r\n") && !strings.Contains(info, "aof_rewrite_scheduled:1\r\n")
	})
	if st := infoField(t, c, "aof_last_bgrewrite_status"); st != "ok" {
		t.Fatalf("aof_last_bgrewrite_status:%s", st)
	}
}

const (
	rewriteStarted    = "+Background append only file rewriting started\r\n"
	rewriteInProgress = "-ERR Background append only file rewriting already in progress\r\n"
)

// TestAOFRewriteUnderLoad runs BGREWRITEAOF on 200k keys while clients
// hammer INCR and LPUSH on a counter, a list and random preloaded keys:
// afterwards, and after a restart from the new base and incremental file,
// every value equals exactly what was acknowledged (no write lost or
// applied twice).
func TestAOFRewriteUnderLoad(t *testing.T) {
	const keys = 200_000
	seed := testSeed(t)
	s := startAOF(t, "always")
	waitLoaded(t, s)
	c := s.dial(t)
	preload := make([]dataCmd, 0, keys+1)
	for i := 0; i < keys; i++ {
		preload = append(preload, dataCmd{0, []any{"SET", "k:" + strconv.Itoa(i), 0}})
	}
	writeData(t, s, preload)
	baseBefore := manifestFile(t, aofDir(s), "b")

	h := startHammer(t, s, 4, keys, seed)
	waitFor(t, 5*time.Second, "the hammer to start", func() bool { return h.acked() > 10 })
	rewriteAt := time.Now()
	// One write, so the second command and INFO arrive while the rewrite
	// of 200k keys runs.
	c.send(string(encodeCommand([]string{"BGREWRITEAOF"})) + string(encodeCommand([]string{"BGREWRITEAOF"})) +
		string(encodeCommand([]string{"INFO", "persistence"})))
	if got := c.read(); got != rewriteStarted {
		t.Fatalf("BGREWRITEAOF: %q", got)
	}
	if got := c.read(); got != rewriteInProgress {
		t.Errorf("BGREWRITEAOF during a rewrite: got %q, want %q", got, rewriteInProgress)
	}
	if info := c.read(); !strings.Contains(info, "aof_rewrite_in_progress:1\r\n") {
		t.Errorf("INFO persistence during the rewrite:\n%s", info)
	}
	waitRewrite(t, c)
	rewriteEnd := time.Now()
	time.Sleep(200 * time.Millisecond) // more writes to the new incremental file
	h.stop()
	if h.err != nil {
		t.Fatalf("hammer: %v", h.err)
	}
	if base := manifestFile(t, aofDir(s), "b"); base == baseBefore {
		t.Errorf("the manifest's base is still %s after the rewrite", base)
	}
	during := 0
	for _, a := range h.acks {
		if a.at.After(rewriteAt) && a.at.Before(rewriteEnd) {
			during++
		}
	}
	t.Logf("rewrite took about %v; %d pipelines acknowledged, %d during the rewrite",
		rewriteEnd.Sub(rewriteAt).Round(time.Millisecond), len(h.acks), during)
	checkHammer(t, s, h, keys)
	terminate(t, s)
	s = restart(t, s)
	checkHammer(t, s, h, keys)
}

// checkHammer checks that the counter, the list and the keys k:<n> of s
// hold exactly what h had acknowledged (h has stopped without an error).
func checkHammer(t testing.TB, s *server, h *hammer, keys int) {
	t.Helper()
	ctx := testContext(t, 30*time.Second)
	rdb := newRawClient(t, s, 0)
	if got, err := rdb.Get(ctx, "counter").Int64(); err != nil || got != h.incrs {
		t.Errorf("counter = %d, %v; want %d, the acknowledged INCRs", got, err, h.incrs)
	}
	list, err := rdb.LRange(ctx, "list", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(list)
	want := slices.Sorted(slices.Values(h.pushed))
	if !slices.Equal(list, want) {
		t.Errorf("list holds %d elements, want the %d pushed (first difference at sorted index %d)",
			len(list), len(want), firstDiff(list, want))
	}
	p := rdb.Pipeline()
	for i := 0; i < keys; i++ {
		p.Get(ctx, "k:"+strconv.Itoa(i))
	}
	res, err := p.Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, r := range res {
		key := "k:" + strconv.Itoa(i)
		if got, want := r.(*redis.StringCmd).Val(), strconv.FormatInt(h.keyIncrs[key], 10); got != want {
			if bad++; bad <= 5 {
				t.Errorf("%s = %q, want %s", key, got, want)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d keys wrong in all", bad)
	}
}

// firstDiff returns the first index where a and b differ.
func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestAOFAutoRewrite sets a small auto-aof-rewrite-min-size and checks
// that the log rewrites itself (the manifest's base changes) and still
// loads the same data.
func TestAOFAutoRewrite(t *testing.T) {
	s := startAOF(t, "everysec", "--auto-aof-rewrite-min-size", "65536", "--auto-aof-rewrite-percentage", "100")
	waitLoaded(t, s)
	baseBefore := manifestFile(t, aofDir(s), "b")
	var cmds []dataCmd
	for i := 0; i < 2000; i++ { // about 130 KB
		cmds = append(cmds, dataCmd{i % 2, []any{"SET", "key:" + strconv.Itoa(i%300), strings.Repeat("x", 40) + strconv.Itoa(i)}})
	}
	writeData(t, s, cmds)
	waitFor(t, 10*time.Second, "an automatic rewrite", func() bool { return manifestFile(t, aofDir(s), "b") != baseBefore })
	waitRewrite(t, s.dial(t))
	want := dumpKeys(t, s)
	terminate(t, s)
	s = restart(t, s)
	compareKeys(t, "after the automatic rewrite and a restart", want, dumpKeys(t, s))
}

// allData returns the datasets of every type.
func allData() []dataCmd {
	var cmds []dataCmd
	for _, typ := range dataTypes {
		cmds = append(cmds, dataset(typ)...)
	}
	return cmds
}

// laterWrites are writes made after a rewrite, which go to the new
// incremental file.
func laterWrites() []dataCmd {
	cmds := []dataCmd{
		{3, []any{"LPUSH", "list:3:5", "after"}},
		{15, []any{"DEL", "hash:15:1"}},
		{9, []any{"SET", "string:9:1", "after", "EX", 1000}},
		{0, []any{"ZADD", "zset:0:200", 99, "after"}},
		{3, []any{"SREM", "set:3:5", "m1"}},
		{15, []any{"PERSIST", "list:15:5"}},
	}
	for i := 0; i < 100; i++ {
		cmds = append(cmds, dataCmd{i % 3, []any{"INCR", "after:counter"}})
	}
	return cmds
}

// redisAOFArgs make real Redis use the layout MyRedis writes.
var redisAOFArgs = []string{"--aof-use-rdb-preamble", "no", "--appenddirname", "appendonlydir", "--appendfilename", "appendonly.aof"}

// TestAOFRedisLoadsMyRedis checks that real Redis loads a directory
// MyRedis wrote (a rewritten base plus an incremental file) into the same
// keys, types, values and TTLs.
func TestAOFRedisLoadsMyRedis(t *testing.T) {
	skipIfMissing(t, redisServerPath)
	s := startAOF(t, "everysec")
	waitLoaded(t, s)
	writeData(t, s, allData())
	c := s.dial(t)
	c.mustDo(rewriteStarted, "BGREWRITEAOF")
	waitRewrite(t, c)
	writeData(t, s, laterWrites())
	want := dumpKeys(t, s)
	terminate(t, s)
	r := startOn(t, "redis", redisServerPath, s.dir, redisAOFArgs...)
	compareKeys(t, "Redis loading MyRedis's AOF", want, dumpKeys(t, r))
}

// TestAOFMyRedisLoadsRedis checks that MyRedis loads a directory real
// Redis wrote (after a BGREWRITEAOF, plus later writes).
func TestAOFMyRedisLoadsRedis(t *testing.T) {
	r := startRedis(t, append([]string{"--appendonly", "yes"}, redisAOFArgs...)...)
	waitLoaded(t, r)
	writeData(t, r, allData())
	c := r.dial(t)
	c.mustDo(rewriteStarted, "BGREWRITEAOF")
	waitRewrite(t, c)
	writeData(t, r, laterWrites())
	want := dumpKeys(t, r)
	shutdown(t, r)
	s := startOn(t, "myredis", binPath, r.dir)
	compareKeys(t, "MyRedis loading Redis's AOF", want, dumpKeys(t, s))
}

// TestAOFLegacyFile loads a single appendonly.aof written by hand, as
// Redis 6 left them, and checks that it is converted to the multi-part
// layout and still loads after a restart.
func TestAOFLegacyFile(t *testing.T) {
	expireAt := time.Now().Add(time.Hour).UnixMilli()
	cmds := []dataCmd{
		{0, []any{"SET", "s", "v"}},
		{0, []any{"PEXPIREAT", "s", expireAt}},
		{0, []any{"RPUSH", "l", "a", "b", "c"}},
		{2, []any{"HSET", "h", "f", "v", "g", "w"}},
		{2, []any{"SADD", "set", "x", "y"}},
		{15, []any{"ZADD", "z", 1.5, "a", -2, "b"}},
		{15, []any{"PEXPIREAT", "z", expireAt + 1}},
		{0, []any{"INCR", "n"}},
		{0, []any{"MULTI"}},
		{0, []any{"INCR", "n"}},
		{0, []any{"LPUSH", "l", "z"}},
		{0, []any{"EXEC"}},
	}
	ref := startServer(t)
	writeData(t, ref, cmds)
	want := dumpKeys(t, ref)

	dir := t.TempDir()
	legacy := filepath.Join(dir, "appendonly.aof")
	writeAOFFile(t, legacy, cmds)
	s := startOn(t, "myredis", binPath, dir)
	compareKeys(t, "after loading the legacy file", want, dumpKeys(t, s))
	if _, err := os.Stat(legacy); err == nil {
		t.Errorf("%s still exists after the conversion", legacy)
	}
	if manifestFile(t, aofDir(s), "b") == "" {
		t.Errorf("the manifest names no base file: %q", manifestFiles(t, aofDir(s)))
	}
	terminate(t, s)
	s = restart(t, s)
	compareKeys(t, "after converting and restarting", want, dumpKeys(t, s))
}

// checkAOF runs my_redis --check-aof with args and returns its output and
// exit code.
func checkAOF(t testing.TB, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"--check-aof"}, args...)...)
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("my_redis --check-aof: %v", err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// expectRefusal waits for a MyRedis that must not start and checks that
// its log mentions each of want.
func expectRefusal(t testing.TB, s *server, want ...string) {
	t.Helper()
	if code, err := s.wait(startTimeout); err != nil || code == 0 {
		t.Fatalf("the server started (exit code %d, %v); want a refusal", code, err)
	}
	log := readLog(t, s)
	for _, w := range want {
		if !strings.Contains(log, w) {
			t.Errorf("the log does not mention %q:\n%s", w, log)
		}
	}
}

// TestAOFTornTail kills the server, cuts its last command in half and
// restarts it: it refuses with aof-load-truncated no, and loads without the
// torn command (with a warning) by default. A byte corrupted in the middle
// stops start-up with the offset. my_redis --check-aof reports both, and
// --fix repairs only the torn tail.
func TestAOFTornTail(t *testing.T) {
	s := startAOF(t, "always")
	waitLoaded(t, s)
	c := s.dial(t)
	for i := 0; i < 100; i++ {
		c.mustDo("+OK\r\n", "SET", "k"+strconv.Itoa(i), "value"+strconv.Itoa(i))
	}
	c.mustDo(":1\r\n", "RPUSH", "last", "0123456789")
	kill(t, s)
	dir := aofDir(s)
	manifest := filepath.Join(dir, "appendonly.aof.manifest")
	incrName := manifestFile(t, dir, "i")
	incr := filepath.Join(dir, incrName)
	good, err := os.ReadFile(incr)
	if err != nil {
		t.Fatal(err)
	}
	last := bytes.LastIndex(good, []byte("*3\r\n$5\r\nRPUSH"))
	if last < 0 || !bytes.HasSuffix(good, []byte("0123456789\r\n")) {
		t.Fatalf("the incremental file does not end with the RPUSH:\n%q", good)
	}

	// Every cut inside the last command is a torn tail for --check-aof.
	for cut := last + 1; cut < len(good); cut++ {
		if err := os.WriteFile(incr, good[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		out, code := checkAOF(t, manifest)
		if code == 0 || !strings.Contains(out, fmt.Sprintf("ok_up_to=%d,", last)) || !strings.Contains(out, "--fix") {
			t.Fatalf("--check-aof on a file cut at %d (last command at %d): exit %d\n%s", cut, last, code, out)
		}
	}
	cut := last + (len(good)-last)/2
	if err := os.WriteFile(incr, good[:cut], 0o644); err != nil {
		t.Fatal(err)
	}

	// --check-aof --fix on a copy truncates it to the complete commands.
	cp := filepath.Join(t.TempDir(), incrName)
	if err := os.WriteFile(cp, good[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := checkAOF(t, "--fix", cp); code != 0 || !strings.Contains(out, "Successfully truncated") {
		t.Errorf("--check-aof --fix: exit %d\n%s", code, out)
	}
	if fixed, _ := os.ReadFile(cp); !bytes.Equal(fixed, good[:last]) {
		t.Errorf("--check-aof --fix left %d bytes, want %d", len(fixed), last)
	}
	if out, code := checkAOF(t, cp); code != 0 {
		t.Errorf("--check-aof after --fix: exit %d\n%s", code, out)
	}

	// aof-load-truncated no: refuse, naming the file and the offsets.
	refused := relaunch(t, s, "--aof-load-truncated", "no")
	expectRefusal(t, refused, incrName, fmt.Sprintf("offset %d", cut), fmt.Sprintf("offset %d", last))
	if fi, _ := os.Stat(incr); fi.Size() != int64(cut) {
		t.Errorf("a refused start changed the file: %d bytes, want %d", fi.Size(), cut)
	}

	// The default: truncate with a warning and load the rest.
	s = restart(t, refused, "--aof-load-truncated", "yes")
	if log := readLog(t, s); !strings.Contains(log, "level=WARN") || !strings.Contains(log, incrName) {
		t.Errorf("no warning naming %s in the log:\n%s", incrName, log)
	}
	c = s.dial(t)
	c.mustDo("$7\r\nvalue99\r\n", "GET", "k99")
	c.mustDo(":0\r\n", "EXISTS", "last")
	if fi, _ := os.Stat(incr); fi.Size() != int64(last) {
		t.Errorf("after loading the torn file it has %d bytes, want %d", fi.Size(), last)
	}
	kill(t, s)

	// A corrupt byte in the middle: the '$' before the key of SET k50.
	bad := slices.Clone(good[:last])
	mid := bytes.Index(bad, []byte("$3\r\nk50\r\n"))
	if mid < 0 {
		t.Fatal("SET k50 not found in the incremental file")
	}
	bad[mid] = '#'
	if err := os.WriteFile(incr, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := checkAOF(t, manifest)
	if code == 0 || !strings.Contains(out, fmt.Sprintf("0x%016x", mid)) || !strings.Contains(out, "cannot be fixed") {
		t.Errorf("--check-aof on a corrupt file (byte %d): exit %d\n%s", mid, code, out)
	}
	if out, code := checkAOF(t, "--fix", manifest); code == 0 {
		t.Errorf("--check-aof --fix on a corrupt file: exit 0\n%s", out)
	}
	if now, _ := os.ReadFile(incr); !bytes.Equal(now, bad) {
		t.Errorf("--check-aof --fix changed a file corrupt in the middle")
	}
	expectRefusal(t, relaunch(t, s), incrName, fmt.Sprintf("bad format at offset %d", mid))
}

// loadingKeys is the number of SETs in TestAOFLoading's file: enough for
// the load to take a visible moment at a million commands a second.
const loadingKeys = 1_000_000

// TestAOFLoading starts the server on a large AOF and checks that a client
// connecting at once gets -LOADING for GET and loading:1 from INFO until
// the load ends, then the data.
func TestAOFLoading(t *testing.T) {
	dir := t.TempDir()
	aofdir := filepath.Join(dir, "appendonlydir")
	if err := os.Mkdir(aofdir, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for i := 0; i < loadingKeys; i++ {
		k := strconv.Itoa(i)
		fmt.Fprintf(&buf, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n", len(k), k)
	}
	if err := os.WriteFile(filepath.Join(aofdir, "appendonly.aof.1.base.aof"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(aofdir, "appendonly.aof.manifest"),
		[]byte("file appendonly.aof.1.base.aof seq 1 type b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, c := launchAndDial(t, dir)
	loadingSeen := false
	for {
		got := c.do("GET", "0")
		if got == "$1\r\nv\r\n" {
			break
		}
		if got == "$-1\r\n" {
			t.Fatalf("GET answered nil before the load: the server runs commands on the empty keyspace before it marks itself loading")
		}
		if !strings.HasPrefix(got, "-LOADING ") {
			t.Fatalf("GET while loading: %q, want -LOADING or the value", got)
		}
		if !loadingSeen {
			loadingSeen = true
			// A loading:0 counts only if GET still gets -LOADING after it.
			if l := infoField(t, c, "loading"); l != "1" && strings.HasPrefix(c.do("GET", "0"), "-LOADING") {
				t.Errorf("INFO persistence loading:%s while GET gets -LOADING", l)
			}
		}
		time.Sleep(time.Millisecond)
	}
	if !loadingSeen {
		t.Skipf("the load of %d commands ended before the first GET", loadingKeys)
	}
	if l := infoField(t, c, "loading"); l != "0" {
		t.Errorf("loading:%s after the load", l)
	}
	c.mustDo(":"+strconv.Itoa(loadingKeys)+"\r\n", "DBSIZE")
	if m := regexp.MustCompile(`commands_per_sec=(\d+)`).FindStringSubmatch(readLog(t, s)); m != nil {
		t.Logf("replayed %d SETs at %s commands/s", loadingKeys, m[1])
	}
}

// launchAndDial starts MyRedis with the AOF on in dir and returns it with
// a connection opened as soon as the port accepted one.
func launchAndDial(t *testing.T, dir string) (*server, *rawConn) {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s := launch(t, "myredis", binPath, dir, port,
		[]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes"})
	// Dial without pausing: the first moments after the listen are the
	// ones under test.
	deadline := time.Now().Add(startTimeout)
	for {
		conn, err := net.DialTimeout("tcp", s.addr(), time.Second)
		if err == nil {
			t.Cleanup(func() { conn.Close() })
			return s, &rawConn{t: t, c: conn, r: bufio.NewReader(conn)}
		}
		if !s.running() || time.Now().After(deadline) {
			t.Fatalf("no connection: %v (exited: %v)", err, !s.running())
		}
	}
}

// TestAOFNothingRunsBeforeLoad connects the moment the server listens, on
// a legacy AOF (whose conversion takes a few fsyncs before the load): the
// first command must get -LOADING or see the loaded data, never run on the
// empty keyspace. A write run there would be acknowledged, never logged,
// and lost at the next restart.
func TestAOFNothingRunsBeforeLoad(t *testing.T) {
	for trial := 0; trial < 3; trial++ {
		dir := t.TempDir()
		writeAOFFile(t, filepath.Join(dir, "appendonly.aof"), []dataCmd{{0, []any{"SET", "k", "v"}}})
		s, c := launchAndDial(t, dir)
		if got := c.do("GET", "k"); got != "$1\r\nv\r\n" && !strings.HasPrefix(got, "-LOADING ") {
			t.Fatalf("trial %d: the first GET got %q: the server ran it before loading its AOF", trial, got)
		}
		kill(t, s)
	}
}
