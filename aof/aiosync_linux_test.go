package aof

import (
	"os"
	"path/filepath"
	"testing"
)

func newTestAIO(t *testing.T) *aioSyncer {
	t.Helper()
	s, err := newAIOSyncer()
	if err != nil {
		t.Skipf("no Linux native AIO here: %v", err)
	}
	t.Cleanup(s.close)
	return s
}

// tempFile creates an empty file, closed when the test ends.
func tempFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// pipeWriter returns the write end of a pipe, which cannot be fsynced
// (EINVAL), as a file on a kernel without IOCB_CMD_FDSYNC.
func pipeWriter(t *testing.T) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return w
}

func TestAIOSync(t *testing.T) {
	s := newTestAIO(t)
	f := tempFile(t)
	for i := range 20 { // the eventfd and the context are reused
		if _, err := f.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
			t.Fatal(err)
		}
		if err := s.sync(f); err != nil {
			t.Fatalf("sync %d: %v", i, err)
		}
	}
}

func TestAIOSyncError(t *testing.T) {
	s := newTestAIO(t)
	if err := s.sync(pipeWriter(t)); err == nil {
		t.Fatal("fdatasync of a pipe succeeded")
	}
	if err := s.sync(tempFile(t)); err != nil { // an error leaves the syncer usable
		t.Fatalf("sync after an error: %v", err)
	}
}

func TestAlwaysUsesAIO(t *testing.T) {
	newTestAIO(t) // skips without AIO
	a := open(t, t.TempDir(), FsyncAlways, false)
	defer a.Close()
	if !a.SyncsAsync() {
		t.Fatal("appendfsync always does not use asynchronous fsync")
	}
	if _, err := a.Load(func([][]byte) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if !a.SyncsAsync() {
		t.Fatal("Start's probe turned asynchronous fsync off on a regular file")
	}
	seq := a.Append(0, [][]byte{[]byte("SET"), []byte("k"), []byte("v")})
	if err := a.WaitDurable(seq); err != nil {
		t.Fatal(err)
	}
	for _, fsync := range []string{FsyncEverysec, FsyncNo} {
		b := open(t, t.TempDir(), fsync, false)
		if b.SyncsAsync() {
			t.Errorf("appendfsync %s uses the AIO syncer", fsync)
		}
		b.Close()
	}
}

func TestAIOFallback(t *testing.T) {
	newTestAIO(t) // skips without AIO
	a := open(t, t.TempDir(), FsyncAlways, false)
	defer a.Close()
	a.probeAIO(pipeWriter(t))
	if a.SyncsAsync() {
		t.Fatal("still syncing through AIO after the probe failed")
	}
	if err := a.syncFn(tempFile(t)); err != nil {
		t.Fatalf("the fallback fsync: %v", err)
	}
}
