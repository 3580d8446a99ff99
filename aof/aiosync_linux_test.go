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

func TestAIOSync(t *testing.T) {
	s := newTestAIO(t)
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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
	r, w, err := os.Pipe() // a pipe cannot be fsynced: EINVAL
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if err := s.sync(w); err == nil {
		t.Fatal("fdatasync of a pipe succeeded")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := s.sync(f); err != nil { // an error leaves the syncer usable
		t.Fatalf("sync after an error: %v", err)
	}
}

func TestAlwaysUsesAIO(t *testing.T) {
	if _, err := newAIOSyncer(); err != nil {
		t.Skipf("no Linux native AIO here: %v", err)
	}
	a, err := Open(Options{Dir: t.TempDir(), Fsync: FsyncAlways})
	if err != nil {
		t.Fatal(err)
	}
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
		b, err := Open(Options{Dir: t.TempDir(), Fsync: fsync})
		if err != nil {
			t.Fatal(err)
		}
		if b.SyncsAsync() {
			t.Errorf("appendfsync %s uses the AIO syncer", fsync)
		}
		b.Close()
	}
}

func TestAIOFallback(t *testing.T) {
	if _, err := newAIOSyncer(); err != nil {
		t.Skipf("no Linux native AIO here: %v", err)
	}
	a, err := Open(Options{Dir: t.TempDir(), Fsync: FsyncAlways})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	r, w, err := os.Pipe() // a file AIO cannot fsync, as on a kernel without IOCB_CMD_FDSYNC
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	a.probeAIO(w)
	if a.SyncsAsync() {
		t.Fatal("still syncing through AIO after the probe failed")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := a.syncFn(f); err != nil {
		t.Fatalf("the fallback fsync: %v", err)
	}
}
