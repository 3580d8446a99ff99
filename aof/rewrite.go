package aof

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"myredis/resp"
)

// ErrRewriteInProgress is returned by Rewrite while another rewrite runs.
// Its text is Redis's reply after "ERR ".
var ErrRewriteInProgress = errors.New("Background append only file rewriting already in progress")

// Rewrite starts a background rewrite (BGREWRITEAOF) and returns at once:
// ErrRewriteInProgress when one is running, ErrClosed after Close, or the
// I/O error of preparing it. Progress and the result show in Info.
//
// It first creates the next incremental file and lists it in the manifest.
// Then, in a new goroutine, it calls snapshot, which must call rotate
// exactly once, at the instant its point-in-time view of the dataset is
// taken: rotate switches Append to the new incremental file, so every
// write appended before it must be in the snapshot and every write after it
// must not. (With Append called under the keys' locks, the snapshot side
// holds every lock while it calls rotate and marks its epoch.) rotate
// makes no system call. snapshot then emits the dataset as commands;
// emit may be called from any goroutine until snapshot returns (a writer
// may dump a key before changing it), is safe for concurrent use, copies
// args before returning, and panics if called after snapshot returned.
//
// When snapshot succeeds the commands become the new base file (written to
// a temporary file and fsynced), the manifest is replaced atomically to
// list the new base and the incremental files from the new one on, and the
// old files are deleted. When it fails (or never calls rotate, which is
// then done for it) the temporary file is deleted and the old base and
// incremental files stay listed before the new incremental file, so
// nothing is lost.
func (a *AOF) Rewrite(snapshot func(rotate func(), emit func(db int, args [][]byte)) error) error {
	a.mu.Lock()
	pending := a.rotPending
	a.mu.Unlock()
	if pending {
		return ErrRewriteInProgress // the last rewrite's switch has not reached the writer yet
	}
	if err := a.rw.begin(); err != nil {
		return err
	}
	incr, seq, err := a.addIncr()
	if err != nil {
		a.rw.end(err)
		return err
	}
	a.log.Info("background AOF rewrite started", "incr", a.incrName(seq))
	go a.rewrite(incr, seq, snapshot)
	return nil
}

// addIncr creates the next incremental file and lists it last in the
// manifest.
func (a *AOF) addIncr() (*os.File, int64, error) {
	a.manMu.Lock()
	defer a.manMu.Unlock()
	if !a.started {
		return nil, 0, errors.New("aof: Rewrite before Start")
	}
	m := a.man
	e := fileEntry{name: a.incrName(m.nextSeq(typeIncr)), seq: m.nextSeq(typeIncr), typ: typeIncr}
	path := filepath.Join(a.dir, e.name)
	f, err := createExclusive(path)
	if err != nil {
		return nil, 0, err
	}
	incrs := append(append([]fileEntry(nil), m.incrs...), e)
	if replaced, err := a.persist(&manifest{base: m.base, incrs: incrs}); err != nil {
		f.Close()
		if !replaced {
			os.Remove(path) // ours, and empty
		}
		return nil, 0, err
	}
	return f, e.seq, nil
}

// rewrite is the background part of Rewrite.
func (a *AOF) rewrite(incr *os.File, incrSeq int64, snapshot func(rotate func(), emit func(db int, args [][]byte)) error) {
	tmp, err := a.writeBase(func() { a.rotate(incr) }, snapshot)
	if err == nil && a.rw.aborted.Load() {
		err = ErrClosed
	}
	if err == nil {
		err = a.install(tmp, incrSeq)
	} else if tmp != "" {
		os.Remove(tmp)
	}
	if err != nil {
		a.log.Error("background AOF rewrite failed", "err", err)
	} else {
		a.log.Info("background AOF rewrite finished successfully")
	}
	a.rw.end(err)
}

// writeBase runs snapshot, writing what it emits to a new temporary file,
// which it fsyncs. It returns the file's path ("" when it could not be
// created; else the caller removes or keeps it) and the first error of
// snapshot or of the writes. The rotate passed to snapshot calls rotate,
// once; when snapshot does not call it, rotate is called after snapshot
// returned (an error then).
func (a *AOF) writeBase(rotate func(), snapshot func(rotate func(), emit func(db int, args [][]byte)) error) (string, error) {
	f, err := createTemp(a.dir, "temp-rewriteaof-"+a.opts.Filename+".")
	if err != nil {
		rotate() // a new incr file may be listed: appends must go there
		return "", err
	}
	w := bufio.NewWriterSize(fileWriter{f, a.baseWriteFn}, 1<<20)
	var (
		mu   sync.Mutex // guards the fields below
		db   = -1
		enc  []byte
		werr error
		done bool
	)
	emit := func(d int, args [][]byte) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			panic("aof: emit called after the snapshot returned")
		}
		if werr != nil || a.rw.aborted.Load() {
			return
		}
		enc = enc[:0]
		if d != db {
			enc = resp.AppendCommand(enc, [][]byte{selectCmd, strconv.AppendInt(nil, int64(d), 10)})
			db = d
		}
		enc = resp.AppendCommand(enc, args)
		_, werr = w.Write(enc)
	}
	var once sync.Once
	var rotated atomic.Bool
	rotateOnce := func() {
		once.Do(func() {
			rotate()
			rotated.Store(true)
		})
	}
	err = snapshot(rotateOnce, emit)
	if !rotated.Load() {
		rotateOnce()
		if err == nil {
			err = errors.New("aof: snapshot did not call rotate")
		}
	}
	mu.Lock()
	done = true
	mu.Unlock()
	if err == nil {
		err = werr
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		err = fmt.Errorf("aof: writing the new base file: %w", err)
	}
	return f.Name(), errors.Join(err, f.Close())
}

// fileWriter writes to f through write (baseWriteFn).
type fileWriter struct {
	f     *os.File
	write func(f *os.File, b []byte) (int, error)
}

func (w fileWriter) Write(b []byte) (int, error) { return w.write(w.f, b) }

// rotate makes Append write to f from now on.
func (a *AOF) rotate(f *os.File) {
	a.mu.Lock()
	a.rot = &rotation{file: f, at: len(a.buf)}
	a.rotPending = true
	a.db = -1 // every file starts in database 0: the next write selects
	a.mu.Unlock()
	a.kick()
}

// install makes the rewritten base at tmp current: renamed to the next base
// name, listed in a new manifest with the incremental files from incrSeq
// on; the files that manifest no longer lists are deleted. On error tmp is
// gone, and the old files stay listed.
func (a *AOF) install(tmp string, incrSeq int64) error {
	a.manMu.Lock()
	defer a.manMu.Unlock()
	m := a.man
	base := fileEntry{name: a.baseName(m.nextSeq(typeBase)), seq: m.nextSeq(typeBase), typ: typeBase}
	path := filepath.Join(a.dir, base.name)
	if err := renameNoClobber(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	var keep, drop []fileEntry
	if m.base != nil && m.base.name != base.name {
		drop = append(drop, *m.base)
	}
	for _, e := range m.incrs {
		if e.seq >= incrSeq {
			keep = append(keep, e)
		} else {
			drop = append(drop, e)
		}
	}
	if replaced, err := a.persist(&manifest{base: &base, incrs: keep}); err != nil {
		if replaced {
			// Either manifest may be the one a crash leaves: keep every file.
			a.sizes.reset(a.dir, a.man)
		} else {
			os.Remove(path)
		}
		return err
	}
	a.removeFiles(drop)
	a.sizes.reset(a.dir, a.man)
	return nil
}

// NeedsRewrite reports whether auto-aof-rewrite-percentage and
// auto-aof-rewrite-min-size ask for a rewrite now: no rewrite is running,
// percentage > 0, the AOF is larger than minSize and it has grown by at
// least percentage percent over the base.
func (a *AOF) NeedsRewrite(percentage int, minSize int64) bool {
	if percentage <= 0 || a.rw.info().inProgress {
		return false
	}
	base, cur := a.sizes.get()
	if cur <= minSize {
		return false
	}
	return cur*100/max(base, 1)-100 >= int64(percentage)
}

// rewriteState tracks rewrites for Rewrite, Close and Info. Safe for
// concurrent use.
type rewriteState struct {
	aborted atomic.Bool    // Close was called
	wg      sync.WaitGroup // the running rewrite

	mu         sync.Mutex
	inProgress bool
	start      time.Time
	lastSec    int64 // -1 before the first rewrite
	lastStatus string
	count      int
	failures   int // consecutive
}

// rewriteInfo is a snapshot of rewriteState for INFO.
type rewriteInfo struct {
	inProgress      bool
	lastSec, curSec int64
	lastStatus      string
	count, failures int
}

func (r *rewriteState) begin() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.aborted.Load():
		return ErrClosed
	case r.inProgress:
		return ErrRewriteInProgress
	}
	r.inProgress, r.start = true, time.Now()
	r.wg.Add(1)
	return nil
}

func (r *rewriteState) end(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inProgress = false
	r.lastSec = int64(time.Since(r.start).Seconds())
	r.lastStatus = statusOf(err)
	if err != nil {
		r.failures++
	} else {
		r.count++
		r.failures = 0
	}
	r.wg.Done()
}

// abort makes a running rewrite fail and waits for it to end; later
// rewrites fail with ErrClosed.
func (r *rewriteState) abort() {
	r.mu.Lock()
	r.aborted.Store(true)
	r.mu.Unlock()
	r.wg.Wait()
}

func (r *rewriteState) info() rewriteInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	in := rewriteInfo{inProgress: r.inProgress, lastSec: r.lastSec, curSec: -1,
		lastStatus: r.lastStatus, count: r.count, failures: r.failures}
	if r.inProgress {
		in.curSec = int64(time.Since(r.start).Seconds())
	}
	return in
}
