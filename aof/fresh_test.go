package aof

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oldAOF returns a directory holding an AOF (base 1, incr 1) with the
// command "SET old 1", as a server that once had appendonly yes leaves it,
// and the files of its AOF directory.
func oldAOF(t *testing.T) (dir string, files map[string]string) {
	t.Helper()
	dir, _, _ = buildDir(t, [][][]byte{args("SET", "old", "1")})
	return dir, readDir(t, filepath.Join(dir, "appendonlydir"))
}

// heldSnapshot is a snapshot for StartFresh that calls rotate, signals
// rotated, and waits for release before it emits its dataset and returns
// err.
type heldSnapshot struct {
	rotated, release chan struct{}
	err              error
}

func newHeldSnapshot() *heldSnapshot {
	return &heldSnapshot{rotated: make(chan struct{}), release: make(chan struct{})}
}

func (h *heldSnapshot) run(rotate func(), emit func(int, [][]byte)) error {
	rotate()
	close(h.rotated)
	<-h.release
	emit(0, args("SET", "a", "1"))
	emit(4, args("RPUSH", "l", "x", "y"))
	return h.err
}

// doneChan returns a done callback for StartFresh and the channel it
// sends its argument to.
func doneChan() (func(error), chan error) {
	ch := make(chan error, 2)
	return func(err error) { ch <- err }, ch
}

func TestStartFresh(t *testing.T) {
	for _, policy := range []string{FsyncAlways, FsyncEverysec, FsyncNo} {
		t.Run(policy, func(t *testing.T) {
			dir, oldFiles := oldAOF(t)
			aofDir := filepath.Join(dir, "appendonlydir")
			a := open(t, dir, policy, false)
			snap := newHeldSnapshot()
			done, doneCh := doneChan()
			require.NoError(t, a.StartFresh(snap.run, done))
			<-snap.rotated

			// Writes after the snapshot's instant wait for the new base.
			seq := a.Append(0, args("SET", "a", "2"))
			a.AppendTx([]Write{{DB: 4, Args: args("RPUSH", "l", "z")}, {DB: 5, Args: args("SET", "b", "1")}})
			seq = max(seq, a.Append(5, args("INCR", "b")))
			waited := make(chan error, 2)
			go func() { waited <- a.WaitDurable(seq) }()
			go func() { waited <- a.WaitDurable(0) }() // what the base holds
			select {
			case err := <-waited:
				t.Fatalf("WaitDurable returned %v before the new base was written", err)
			case <-time.After(100 * time.Millisecond):
			}
			assert.Equal(t, "1", infoField(a, "aof_rewrite_in_progress"))
			assert.Equal(t, oldFiles["appendonly.aof.manifest"], readDir(t, aofDir)["appendonly.aof.manifest"])

			close(snap.release)
			require.NoError(t, <-doneCh)
			require.NoError(t, <-waited)
			require.NoError(t, <-waited)
			assert.Equal(t, "0", infoField(a, "aof_rewrite_in_progress"))
			assert.Equal(t, "ok", infoField(a, "aof_last_bgrewrite_status"))
			require.NoError(t, a.Err())

			// A rewrite works after it, and later writes are durable.
			require.NoError(t, a.WaitDurable(a.Append(0, args("SET", "c", "1"))))
			require.NoError(t, a.Close())
			files := readDir(t, aofDir)
			assert.Equal(t, "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
				files["appendonly.aof.manifest"])
			assert.Len(t, files, 3, "files besides the manifest, the new base and the new incr: %v", keys(files))
			got, err := load(t, dir, false)
			require.NoError(t, err)
			assert.Equal(t, []string{"0:SET a 1", "4:RPUSH l x y", "0:SET a 2", "4:RPUSH l z", "5:SET b 1", "5:INCR b", "0:SET c 1"}, got)
		})
	}
}

// TestStartFreshThenRewrite: the AOF StartFresh began rewrites like one
// that was loaded.
func TestStartFreshThenRewrite(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, FsyncEverysec, false) // no AOF yet: Open creates base 1
	snap := newHeldSnapshot()
	close(snap.release)
	done, doneCh := doneChan()
	require.NoError(t, a.StartFresh(snap.run, done))
	require.NoError(t, <-doneCh)
	a.Append(0, args("SET", "x", "1"))
	require.NoError(t, a.Rewrite(func(rotate func(), emit func(int, [][]byte)) error {
		rotate()
		emit(0, args("SET", "all", "1"))
		return nil
	}))
	waitRewrite(t, a)
	require.NoError(t, a.WaitDurable(a.Append(0, args("SET", "y", "1"))))
	require.NoError(t, a.Close())
	assert.Equal(t, "file appendonly.aof.3.base.aof seq 3 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
		readDir(t, filepath.Join(dir, "appendonlydir"))["appendonly.aof.manifest"])
	got, err := load(t, dir, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"0:SET all 1", "0:SET y 1"}, got)
}

// TestStartFreshCrash: a crash at any point before the new manifest leaves
// the old AOF as it was: the directory, copied while the base is written,
// holds the old files unchanged, and loads the old data.
func TestStartFreshCrash(t *testing.T) {
	dir, oldFiles := oldAOF(t)
	aofDir := filepath.Join(dir, "appendonlydir")
	a := open(t, dir, FsyncAlways, false)
	snap := newHeldSnapshot()
	require.NoError(t, a.StartFresh(snap.run, nil))
	<-snap.rotated
	a.Append(0, args("SET", "new", "1"))
	time.Sleep(20 * time.Millisecond) // let the writer write it

	image := t.TempDir()
	require.NoError(t, os.Rename(copyDir(t, aofDir), filepath.Join(image, "appendonlydir")))
	crashed := readDir(t, filepath.Join(image, "appendonlydir"))
	for name, content := range oldFiles {
		assert.Equal(t, content, crashed[name], name)
	}
	for name := range crashed {
		if _, old := oldFiles[name]; !old {
			assert.True(t, strings.HasPrefix(name, "temp-"), "%s is not a temporary file", name)
		}
	}
	got, err := load(t, image, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"0:SET old 1"}, got)

	close(snap.release)
	waitRewrite(t, a)
	require.NoError(t, a.Close())
}

// failedFresh checks the state after StartFresh failed with an error
// satisfying want: done got it, Err and WaitDurable return it, Close too,
// and the old AOF is exactly as it was, with no temporary file left.
func failedFresh(t *testing.T, a *AOF, dir string, oldFiles map[string]string, doneCh chan error, seq uint64, want func(error) bool) {
	t.Helper()
	err := <-doneCh
	require.Error(t, err)
	assert.True(t, want(err), "done got %v", err)
	assert.Equal(t, err, a.Err())
	assert.Equal(t, err, a.WaitDurable(seq))
	assert.Equal(t, err, a.WaitDurable(a.Append(0, args("SET", "after", "1"))))
	assert.Equal(t, "err", infoField(a, "aof_last_bgrewrite_status"))
	assert.Equal(t, err, a.Close())
	assert.Equal(t, oldFiles, readDir(t, filepath.Join(dir, "appendonlydir")))
	got, lerr := load(t, dir, false)
	require.NoError(t, lerr)
	assert.Equal(t, []string{"0:SET old 1"}, got)
}

func TestStartFreshBaseWriteFails(t *testing.T) {
	dir, oldFiles := oldAOF(t)
	a := open(t, dir, FsyncEverysec, false)
	a.baseWriteFn = func(f *os.File, b []byte) (int, error) {
		n, _ := f.Write(b[:len(b)/2])
		return n, syscall.ENOSPC
	}
	snap := newHeldSnapshot()
	done, doneCh := doneChan()
	require.NoError(t, a.StartFresh(snap.run, done))
	<-snap.rotated
	seq := a.Append(0, args("SET", "a", "2"))
	close(snap.release)
	failedFresh(t, a, dir, oldFiles, doneCh, seq, func(err error) bool { return errors.Is(err, syscall.ENOSPC) })
}

func TestStartFreshSnapshotFails(t *testing.T) {
	dir, oldFiles := oldAOF(t)
	a := open(t, dir, FsyncAlways, false)
	snap := newHeldSnapshot()
	boom := errors.New("boom")
	snap.err = boom
	done, doneCh := doneChan()
	require.NoError(t, a.StartFresh(snap.run, done))
	<-snap.rotated
	seq := a.Append(0, args("SET", "a", "2"))
	close(snap.release)
	failedFresh(t, a, dir, oldFiles, doneCh, seq, func(err error) bool { return errors.Is(err, boom) })
}

// TestStartFreshRefusesUnlistedFiles: a file with data where the new base
// or incr file would go stops StartFresh, and is left as it is.
func TestStartFreshRefusesUnlistedFiles(t *testing.T) {
	for _, name := range []string{"appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof"} {
		t.Run(name, func(t *testing.T) {
			dir, oldFiles := oldAOF(t)
			stray := filepath.Join(dir, "appendonlydir", name)
			writeFile(t, stray, "stray")
			oldFiles[name] = "stray"
			a := open(t, dir, FsyncNo, false)
			snap := newHeldSnapshot()
			done, doneCh := doneChan()
			require.NoError(t, a.StartFresh(snap.run, done))
			<-snap.rotated
			seq := a.Append(0, args("SET", "a", "2"))
			close(snap.release)
			failedFresh(t, a, dir, oldFiles, doneCh, seq, func(err error) bool { return strings.Contains(err.Error(), stray) })
		})
	}
}

// TestStartFreshClose: Close while the base is written stops StartFresh;
// done gets ErrClosed and the old AOF stays.
func TestStartFreshClose(t *testing.T) {
	dir, oldFiles := oldAOF(t)
	a := open(t, dir, FsyncEverysec, false)
	snap := newHeldSnapshot()
	done, doneCh := doneChan()
	require.NoError(t, a.StartFresh(snap.run, done))
	<-snap.rotated
	seq := a.Append(0, args("SET", "a", "2"))
	closed := make(chan error, 1)
	go func() { closed <- a.Close() }()
	time.Sleep(20 * time.Millisecond) // Close waits for the snapshot
	close(snap.release)
	require.ErrorIs(t, <-closed, ErrClosed)
	require.ErrorIs(t, <-doneCh, ErrClosed)
	require.ErrorIs(t, a.WaitDurable(seq), ErrClosed)
	assert.Equal(t, oldFiles, readDir(t, filepath.Join(dir, "appendonlydir")))
}

func TestStartFreshErrors(t *testing.T) {
	a := open(t, t.TempDir(), FsyncNo, false)
	require.NoError(t, a.Start())
	assert.Panics(t, func() { a.StartFresh(newHeldSnapshot().run, nil) })
	require.NoError(t, a.Close())

	b := open(t, t.TempDir(), FsyncNo, false)
	require.NoError(t, b.Close())
	require.ErrorIs(t, b.StartFresh(newHeldSnapshot().run, nil), ErrClosed)

	// The directory vanished: StartFresh cannot create its file.
	dir := t.TempDir()
	c := open(t, dir, FsyncNo, false)
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "appendonlydir")))
	called := false
	err := c.StartFresh(newHeldSnapshot().run, func(error) { called = true })
	require.Error(t, err)
	assert.False(t, called, "done called after StartFresh returned an error")
	assert.Equal(t, err, c.Err())
	assert.Equal(t, err, c.Close())
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k+"("+strconv.Itoa(len(m[k]))+")")
	}
	return out
}
