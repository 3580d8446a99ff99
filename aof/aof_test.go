package aof

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// open opens an AOF in dir and fails the test on error.
func open(t testing.TB, dir, fsync string, loadTruncated bool) *AOF {
	t.Helper()
	a, err := Open(Options{Dir: dir, Fsync: fsync, LoadTruncated: loadTruncated})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// recorder is an exec that records every command as "db:ARGS…", tracking
// SELECT as a server would.
type recorder struct {
	db   int
	cmds []string
}

func (r *recorder) exec(args [][]byte) error {
	if strings.EqualFold(string(args[0]), "select") {
		db, err := strconv.Atoi(string(args[1]))
		if err != nil {
			return err
		}
		r.db = db
		return nil
	}
	r.cmds = append(r.cmds, fmt.Sprintf("%d:%s", r.db, bytes.Join(args, []byte(" "))))
	return nil
}

// load opens dir and loads it, returning the recorded commands.
func load(t testing.TB, dir string, loadTruncated bool) ([]string, error) {
	t.Helper()
	a, err := Open(Options{Dir: dir, LoadTruncated: loadTruncated})
	if err != nil {
		return nil, err
	}
	var r recorder
	_, err = a.Load(r.exec)
	return r.cmds, err
}

func args(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	for _, policy := range []string{FsyncAlways, FsyncEverysec, FsyncNo} {
		t.Run(policy, func(t *testing.T) {
			dir := t.TempDir()
			a := open(t, dir, policy, false)
			if _, err := a.Load(func([][]byte) error { t.Fatal("fresh AOF replayed a command"); return nil }); err != nil {
				t.Fatal(err)
			}
			if err := a.Start(); err != nil {
				t.Fatal(err)
			}
			var want []string
			for i := 0; i < 2000; i++ {
				db := rng.IntN(16)
				v := strings.Repeat("v\r\n", rng.IntN(5))
				seq := a.Append(db, args("SET", "k"+strconv.Itoa(i), v))
				want = append(want, fmt.Sprintf("%d:SET k%d %s", db, i, v))
				if i%100 == 0 {
					if err := a.WaitDurable(seq); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := load(t, dir, false)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("loaded %d commands, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestFreshLayout checks the files a first start creates, as Redis 7 does.
func TestFreshLayout(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, FsyncEverysec, true)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if err != nil {
		t.Fatal(err)
	}
	want := "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
	if string(got) != want {
		t.Fatalf("manifest %q, want %q", got, want)
	}
	for _, name := range []string{"appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof"} {
		if _, err := os.Stat(filepath.Join(dir, "appendonlydir", name)); err != nil {
			t.Error(err)
		}
	}
}

// TestGroupCommit checks that under always every WaitDurable returns only
// after an fsync covering its write, and that fsyncs are shared.
func TestGroupCommit(t *testing.T) {
	a := open(t, t.TempDir(), FsyncAlways, false)
	var (
		mu      sync.Mutex
		mem     []byte // everything written
		durable int    // prefix of mem covered by a finished fsync
		syncs   atomic.Int64
	)
	a.writeFn = func(f *os.File, b []byte) (int, error) {
		n, err := f.Write(b)
		mu.Lock()
		mem = append(mem, b[:n]...)
		mu.Unlock()
		return n, err
	}
	a.syncFn = func(f *os.File) error {
		mu.Lock()
		upto := len(mem)
		mu.Unlock()
		time.Sleep(time.Millisecond) // a disk: slow enough for waiters to pile up
		err := f.Sync()
		mu.Lock()
		durable = max(durable, upto)
		mu.Unlock()
		syncs.Add(1)
		return err
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	const clients, perClient = 50, 40
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Go(func() {
			for i := range perClient {
				cmd := args("SET", fmt.Sprintf("k%d-%d", c, i), "v")
				seq := a.Append(0, cmd)
				if err := a.WaitDurable(seq); err != nil {
					errs <- err
					return
				}
				enc := fmt.Sprintf("$%d\r\n%s\r\n", len(cmd[1]), cmd[1])
				mu.Lock()
				ok := bytes.Contains(mem[:durable], []byte(enc))
				mu.Unlock()
				if !ok {
					errs <- fmt.Errorf("WaitDurable(%d) returned before %s was fsynced", seq, cmd[1])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	n := syncs.Load()
	t.Logf("%d writes, %d fsyncs", clients*perClient, n)
	if n > clients*perClient/4 {
		t.Fatalf("%d fsyncs for %d writes: group commit is not sharing fsyncs", n, clients*perClient)
	}
}

// buildDir writes cmds (one per Append, in database 0) to a fresh AOF in a
// new directory and returns it with the path and content of its incr file.
func buildDir(t *testing.T, cmds [][][]byte) (dir, incr string, content []byte) {
	t.Helper()
	dir = t.TempDir()
	a := open(t, dir, FsyncNo, false)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		a.Append(0, c)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	incr = filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	content, err := os.ReadFile(incr)
	if err != nil {
		t.Fatal(err)
	}
	return dir, incr, content
}

func TestTornTail(t *testing.T) {
	cmds := [][][]byte{args("SET", "a", "1"), args("INCR", "a"), args("RPUSH", "list", "x", "yy", "")}
	dir, incr, content := buildDir(t, cmds)
	lastStart := bytes.LastIndex(content, []byte("*5\r\n"))
	want := []string{"0:SET a 1", "0:INCR a"}
	for off := lastStart + 1; off < len(content); off++ {
		if err := os.WriteFile(incr, content[:off], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := load(t, dir, false)
		var ce *CorruptError
		if !errors.As(err, &ce) || !ce.Truncated || ce.Valid != int64(lastStart) {
			t.Fatalf("cut at %d without aof-load-truncated: got %v, want a truncation error with Valid %d", off, err, lastStart)
		}
		got, err := load(t, dir, true)
		if err != nil {
			t.Fatalf("cut at %d: %v", off, err)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("cut at %d: loaded %q, want %q", off, got, want)
		}
		if fi, _ := os.Stat(incr); fi.Size() != int64(lastStart) {
			t.Fatalf("cut at %d: file is %d bytes after load, want %d", off, fi.Size(), lastStart)
		}
	}
}

func TestTornTailOnlyInLastFile(t *testing.T) {
	dir, incr, content := buildDir(t, [][][]byte{args("SET", "a", "1")})
	// Make the incr file the base of a manifest with a later incr file.
	man := "file appendonly.aof.1.incr.aof seq 1 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
	writeFile(t, filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"), man)
	writeFile(t, filepath.Join(dir, "appendonlydir", "appendonly.aof.2.incr.aof"), "")
	writeFile(t, incr, string(content[:len(content)-1]))
	_, err := load(t, dir, true)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.File != "appendonly.aof.1.incr.aof" {
		t.Fatalf("torn base file loaded: %v", err)
	}
}

func writeFile(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptMiddle(t *testing.T) {
	cmds := [][][]byte{args("SET", "a", "1"), args("SET", "b", "2"), args("SET", "c", "3")}
	tests := []struct {
		name   string
		find   string // the first occurrence is replaced
		with   string
		offset func(content []byte) int
		reason string
	}{
		{"bad bulk marker", "$1\r\nb", "x1\r\nb", func(c []byte) int { return bytes.Index(c, []byte("$1\r\nb")) }, "expected '$'"},
		{"bad array marker", "*3\r\n$3\r\nSET\r\n$1\r\nb", "!3\r\n$3\r\nSET\r\n$1\r\nb", func(c []byte) int { return bytes.Index(c, []byte("*3\r\n$3\r\nSET\r\n$1\r\nb")) }, "expected '*'"},
		{"long bulk", "$1\r\nb", "$2\r\nb", func(c []byte) int { return bytes.Index(c, []byte("b\r\n")) + 2 }, "expected CRLF after bulk"},
		{"bad number", "*3\r\n$3\r\nSET\r\n$1\r\nc", "*3\r\n$x\r\nSET\r\n$1\r\nc", func(c []byte) int { return bytes.Index(c, []byte("$3\r\nSET\r\n$1\r\nc")) + 1 }, "expected a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, incr, content := buildDir(t, cmds)
			off := tc.offset(content)
			bad := bytes.Replace(content, []byte(tc.find), []byte(tc.with), 1)
			writeFile(t, incr, string(bad))
			_, err := load(t, dir, true)
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Truncated || ce.Offset != int64(off) || ce.Reason != tc.reason {
				t.Fatalf("got %v, want a format error at offset %d: %s", err, off, tc.reason)
			}
			if !strings.Contains(err.Error(), "appendonly.aof.1.incr.aof") || !strings.Contains(err.Error(), strconv.Itoa(off)) {
				t.Fatalf("error %q does not name the file and offset %d", err, off)
			}
			if got, _ := os.ReadFile(incr); !bytes.Equal(got, bad) {
				t.Fatal("a corrupt file was modified")
			}
		})
	}
}

func TestMulti(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
		torn  bool
		valid int
	}{
		{"complete", "*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*1\r\n$4\r\nEXEC\r\n", []string{"0:INCR a"}, false, 0},
		{"unfinished", "*2\r\n$4\r\nINCR\r\n$1\r\nb\r\n*1\r\n$5\r\nmulti\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n", []string{"0:INCR b"}, true, 21},
		{"torn in transaction", "*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*1\r\n$4\r\nEX", nil, true, 0},
		{"select inside", "*1\r\n$5\r\nMULTI\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*1\r\n$4\r\nexec\r\n", []string{"3:INCR a"}, false, 0},
		{"annotation", "#TS:123\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n", []string{"0:INCR a"}, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r recorder
			_, err := Replay(strings.NewReader(tc.input), r.exec)
			var ce *CorruptError
			if tc.torn {
				if !errors.As(err, &ce) || !ce.Truncated || ce.Valid != int64(tc.valid) {
					t.Fatalf("got %v, want a truncation at %d", err, tc.valid)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if strings.Join(r.cmds, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("replayed %q, want %q", r.cmds, tc.want)
			}
		})
	}
}

func TestAppendTx(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, FsyncNo, false)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	a.Append(1, args("SET", "x", "1"))
	seq := a.AppendTx([]Write{{DB: 2, Args: args("INCR", "a")}, {DB: 3, Args: args("INCR", "b")}})
	if err := a.WaitDurable(seq); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := load(t, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "1:SET x 1|2:INCR a|3:INCR b"; strings.Join(got, "|") != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestManifestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		m    manifest
	}{
		{"base only", manifest{base: &fileEntry{"appendonly.aof.1.base.aof", 1, 'b'}}},
		{"base and incrs", manifest{base: &fileEntry{"a.2.base.aof", 2, 'b'},
			incrs: []fileEntry{{"a.3.incr.aof", 3, 'i'}, {"a.4.incr.aof", 4, 'i'}}}},
		{"history", manifest{base: &fileEntry{"b", 1, 'b'}, history: []fileEntry{{"h", 1, 'h'}}, incrs: []fileEntry{{"i", 5, 'i'}}}},
		{"quoted name", manifest{incrs: []fileEntry{{"my aof \"x\"\x01.incr", 1, 'i'}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.m.format()
			got, err := parseManifest(text)
			if err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			if again := got.format(); !bytes.Equal(again, text) {
				t.Fatalf("round trip changed %q into %q", text, again)
			}
		})
	}
}

func TestManifestParseErrors(t *testing.T) {
	tests := []struct{ name, text string }{
		{"empty", ""},
		{"comments only", "# nothing\n"},
		{"no newline", "file a seq 1 type b"},
		{"missing type", "file a seq 1\n"},
		{"odd words", "file a seq\n"},
		{"two bases", "file a seq 1 type b\nfile b seq 2 type b\n"},
		{"decreasing incr", "file a seq 2 type i\nfile b seq 1 type i\n"},
		{"bad seq", "file a seq x type i\n"},
		{"path name", "file ../a seq 1 type i\n"},
		{"bad type", "file a seq 1 type z\n"},
	}
	for _, tc := range tests {
		if _, err := parseManifest([]byte(tc.text)); err == nil {
			t.Errorf("%s: %q parsed", tc.name, tc.text)
		}
	}
	m, err := parseManifest([]byte("# comment\nseq 3 type i file x unknown y\n"))
	if err != nil || m.incrs[0] != (fileEntry{"x", 3, 'i'}) {
		t.Fatalf("keys in any order, unknown keys ignored: %v %+v", err, m)
	}
}

// copyDir copies the flat directory src into a new directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dst, e.Name()), string(data))
	}
	return dst
}

// TestLoadRedisDir loads testdata/redis7, written by Redis 7.0.15 (with
// aof-use-rdb-preamble no, after a BGREWRITEAOF), and appends to it.
func TestLoadRedisDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.Rename(copyDir(t, "testdata/redis7"), filepath.Join(dir, "appendonlydir")); err != nil {
		t.Fatal(err)
	}
	got, err := load(t, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0:RPUSH l x y z", "0:SET a 1", "3:SET b 2", "3:PEXPIREAT b 1795305104030",
		"0:incr a", "2:hset h f v", "0:INCR c", "0:INCR c"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("loaded %q\nwant %q", got, want)
	}
	a := open(t, dir, FsyncAlways, false)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.WaitDurable(a.Append(5, args("SET", "new", "1"))); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	got, err = load(t, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if g := got[len(got)-1]; len(got) != len(want)+1 || g != "5:SET new 1" {
		t.Fatalf("appended to Redis's incr file, loaded %q", got)
	}
}

func TestLegacyConversion(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "appendonly.aof"), "*2\r\n$6\r\nSELECT\r\n$1\r\n4\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
	a := open(t, dir, FsyncEverysec, false)
	var r recorder
	if _, err := a.Load(r.exec); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	a.Append(0, args("SET", "z", "1"))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "appendonly.aof")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("legacy file still in dir: %v", err)
	}
	man, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"; string(man) != want {
		t.Fatalf("manifest %q, want %q (as Redis 7 converts)", man, want)
	}
	got, err := load(t, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	// The base leaves database 4 selected; the incr file starts in 0.
	if want := "4:SET k v|0:SET z 1"; strings.Join(got, "|") != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestWriteErrors makes the disk fail (ENOSPC, with partial writes) and
// recover: writes are refused meanwhile and resume by themselves, with
// nothing lost or doubled.
func TestWriteErrors(t *testing.T) {
	for _, policy := range []string{FsyncAlways, FsyncEverysec} {
		t.Run(policy, func(t *testing.T) {
			dir := t.TempDir()
			a := open(t, dir, policy, false)
			a.tick = time.Millisecond
			var failing atomic.Bool
			a.writeFn = func(f *os.File, b []byte) (int, error) {
				if failing.Load() {
					n, _ := f.Write(b[:len(b)/2])
					return n, syscall.ENOSPC
				}
				return f.Write(b)
			}
			if err := a.Start(); err != nil {
				t.Fatal(err)
			}
			if err := a.WaitDurable(a.Append(0, args("SET", "a", "1"))); err != nil {
				t.Fatal(err)
			}
			failing.Store(true)
			seq := a.Append(0, args("SET", "b", strings.Repeat("x", 100)))
			if err := a.WaitDurable(seq); !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("WaitDurable on a full disk: %v", err)
			}
			if !errors.Is(a.Err(), syscall.ENOSPC) {
				t.Fatalf("Err on a full disk: %v", a.Err())
			}
			if f := infoField(a, "aof_last_write_status"); f != "err" {
				t.Fatalf("aof_last_write_status %q", f)
			}
			failing.Store(false)
			deadline := time.Now().Add(5 * time.Second)
			for a.Err() != nil {
				if time.Now().After(deadline) {
					t.Fatal("writes did not resume")
				}
				time.Sleep(time.Millisecond)
			}
			if err := a.WaitDurable(a.Append(0, args("SET", "c", "3"))); err != nil {
				t.Fatal(err)
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := load(t, dir, false)
			if err != nil {
				t.Fatal(err)
			}
			want := "0:SET a 1|0:SET b " + strings.Repeat("x", 100) + "|0:SET c 3"
			if strings.Join(got, "|") != want {
				t.Fatalf("got %q", got)
			}
		})
	}
}

// TestFsyncErrorAlways fails fsyncs the way Linux can: the failed fsync's
// dirty pages are dropped (here: the file is cut back to what the last good
// fsync covered) and the next fsync reports success. Every write must still
// be in the file once fsyncs work again, in order and once.
func TestFsyncErrorAlways(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, FsyncAlways, false)
	a.tick = time.Millisecond
	var failing atomic.Bool
	var goodSize int64 // the file size the last successful fsync covered
	a.syncFn = func(f *os.File) error {
		if failing.Load() {
			if err := f.Truncate(goodSize); err != nil { // the pages are gone
				t.Error(err)
			}
			return syscall.EIO
		}
		st, err := f.Stat()
		if err != nil {
			return err
		}
		goodSize = st.Size()
		return f.Sync()
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	want := []string{"0:SET a 0"}
	if err := a.WaitDurable(a.Append(0, args("SET", "a", "0"))); err != nil {
		t.Fatal(err)
	}
	failing.Store(true)
	for i := 1; i <= 3; i++ {
		v := strconv.Itoa(i)
		want = append(want, "0:SET a "+v)
		if err := a.WaitDurable(a.Append(0, args("SET", "a", v))); !errors.Is(err, syscall.EIO) {
			t.Fatalf("WaitDurable with failing fsync: %v", err)
		}
	}
	failing.Store(false)
	for a.Err() != nil {
		time.Sleep(time.Millisecond)
	}
	want = append(want, "0:SET a 4")
	if err := a.WaitDurable(a.Append(0, args("SET", "a", "4"))); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := load(t, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("after fsync errors the AOF holds %q, want %q", got, want)
	}
}

func infoField(a *AOF, name string) string {
	for _, f := range a.Info() {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// waitRewrite polls until no rewrite runs.
func waitRewrite(t *testing.T, a *AOF) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for infoField(a, "aof_rewrite_in_progress") != "0" {
		if time.Now().After(deadline) {
			t.Fatal("rewrite did not finish")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRewrite hammers INCR and RPUSH while a rewrite runs: base plus the
// new incr file must give exactly the live dataset.
func TestRewrite(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, FsyncEverysec, false)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	// The model keyspace: one lock, held while applying and appending, as
	// the real keyspace holds a key's shard lock.
	var mu sync.Mutex
	counters := map[string]int{}
	lists := map[string]int{}
	write := func(db int, key string, list bool) {
		mu.Lock()
		defer mu.Unlock()
		if list {
			lists[key]++
			a.Append(db, args("RPUSH", key, "x"))
		} else {
			counters[key]++
			a.Append(db, args("INCR", key))
		}
	}
	for i := range 100 {
		write(i%3, fmt.Sprintf("%d:c%d", i%3, i%10), i%2 == 0)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				db := (g + i) % 3
				write(db, fmt.Sprintf("%d:c%d", db, i%10), i%2 == 0)
			}
		})
	}
	snapshot := func(rotate func(), emit func(db int, args [][]byte)) error {
		mu.Lock()
		rotate()
		c, l := maps(counters), maps(lists)
		mu.Unlock()
		for k, v := range c {
			db, _ := strconv.Atoi(k[:1])
			emit(db, args("SET", k, strconv.Itoa(v)))
		}
		for k, v := range l {
			db, _ := strconv.Atoi(k[:1])
			for range v {
				emit(db, args("RPUSH", k, "x"))
			}
		}
		return nil
	}
	time.Sleep(20 * time.Millisecond)
	if err := a.Rewrite(snapshot); err != nil {
		t.Fatal(err)
	}
	if err := a.Rewrite(snapshot); err != ErrRewriteInProgress {
		t.Fatalf("second rewrite: %v", err)
	}
	waitRewrite(t, a)
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if s := infoField(a, "aof_last_bgrewrite_status"); s != "ok" {
		t.Fatalf("rewrite status %q", s)
	}
	man, _ := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if want := "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"; string(man) != want {
		t.Fatalf("manifest %q, want %q", man, want)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "appendonlydir"))
	if len(entries) != 3 {
		t.Fatalf("old files left: %v", entries)
	}

	// Replay into a model and compare.
	gotC, gotL := map[string]int{}, map[string]int{}
	var db int
	aa := open(t, dir, FsyncEverysec, false)
	_, err := aa.Load(func(cmd [][]byte) error {
		key := string(cmd[len(cmd)-1])
		if len(cmd) > 1 {
			key = string(cmd[1])
		}
		switch string(cmd[0]) {
		case "SELECT":
			db, _ = strconv.Atoi(key)
		case "SET":
			gotC[key], _ = strconv.Atoi(string(cmd[2]))
		case "INCR":
			gotC[key]++
		case "RPUSH":
			gotL[key]++
		}
		if cmd[0][0] != 'S' || string(cmd[0]) == "SET" {
			if want := strconv.Itoa(db); key[:1] != want {
				return fmt.Errorf("key %s replayed in db %d", key, db)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(gotC) != fmt.Sprint(counters) || fmt.Sprint(gotL) != fmt.Sprint(lists) {
		t.Fatalf("after rewrite loaded\n%v %v\nwant\n%v %v", gotC, gotL, counters, lists)
	}
}

func maps(m map[string]int) map[string]int {
	c := make(map[string]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// TestRewriteFails keeps the old files when the snapshot fails.
func TestRewriteFails(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, FsyncNo, false)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	a.Append(0, args("SET", "a", "1"))
	err := a.Rewrite(func(rotate func(), emit func(int, [][]byte)) error {
		emit(0, args("SET", "a", "1"))
		return errors.New("boom")
	})
	if err != nil {
		t.Fatal(err)
	}
	waitRewrite(t, a)
	if s := infoField(a, "aof_last_bgrewrite_status"); s != "err" {
		t.Fatalf("status %q", s)
	}
	a.Append(0, args("SET", "b", "2"))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := load(t, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "0:SET a 1|0:SET b 2"; strings.Join(got, "|") != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "appendonlydir", "temp-rewriteaof-appendonly.aof")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temp file left: %v", err)
	}
}

func TestNeedsRewrite(t *testing.T) {
	a := open(t, t.TempDir(), FsyncNo, false)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.NeedsRewrite(100, 0) != false {
		t.Fatal("empty AOF needs a rewrite")
	}
	a.WaitDurable(a.Append(0, args("SET", "k", strings.Repeat("v", 1000))))
	if !a.NeedsRewrite(100, 100) || a.NeedsRewrite(100, 1<<20) || a.NeedsRewrite(0, 0) {
		t.Fatal("NeedsRewrite ignores the size rules")
	}
	if v := infoField(a, "aof_current_size"); v == "0" {
		t.Fatal("aof_current_size not counted")
	}
}

func TestCheck(t *testing.T) {
	dir, incr, content := buildDir(t, [][][]byte{args("SET", "a", "1"), args("SET", "b", "2")})
	manifest := filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")
	var out bytes.Buffer
	if err := Check(manifest, false, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	writeFile(t, incr, string(content[:len(content)-3]))
	if err := Check(manifest, false, &out); err == nil {
		t.Fatal("torn file checked valid")
	}
	if err := Check(incr, true, &out); err != nil {
		t.Fatalf("fix: %v\n%s", err, out.String())
	}
	if err := Check(manifest, false, &out); err != nil {
		t.Fatalf("after fix: %v\n%s", err, out.String())
	}
	writeFile(t, incr, strings.Replace(string(content), "$1\r\na", "?1\r\na", 1))
	if err := Check(manifest, true, &out); err == nil {
		t.Fatal("corrupt middle checked valid")
	}
	t.Log(out.String())
}

// TestEverysecStall checks that under everysec writers wait while a
// background fsync has been running longer than the stall limit.
func TestEverysecStall(t *testing.T) {
	a := open(t, t.TempDir(), FsyncEverysec, false)
	a.every, a.stall = 5*time.Millisecond, 50*time.Millisecond
	release := make(chan struct{})
	var blocked atomic.Bool
	a.syncFn = func(f *os.File) error {
		if blocked.CompareAndSwap(false, true) {
			<-release
		}
		return f.Sync()
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := a.WaitDurable(a.Append(0, args("SET", "a", "1"))); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > a.stall {
		t.Fatal("a write waited for fsync under everysec")
	}
	for !blocked.Load() {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(2 * a.stall)
	done := make(chan error)
	go func() { done <- a.WaitDurable(a.Append(0, args("SET", "b", "2"))) }()
	select {
	case err := <-done:
		t.Fatalf("write acknowledged during a stalled fsync: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}
