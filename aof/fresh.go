package aof

import (
	"fmt"
	"os"
	"path/filepath"
)

// StartFresh begins an AOF whose files were not loaded (appendonly turned on while serving). Call it after Open, instead of Load and Start. It creates a new incremental file, starts the writer and, in the background, writes a new base from snapshot exactly as Rewrite does: snapshot calls rotate at the instant of its point-in-time view, and the caller arranges that Append is called only for writes after that instant. When the base is written and fsynced, a new manifest lists only the new base and the new incremental file, and the files the old manifest listed are deleted. Until then WaitDurable waits (no write is durable before the base it follows is durable and listed). done, if not nil, is called once with nil when the manifest lists the new files, or with the error that stopped it; after an error, Err returns it and WaitDurable returns it for every write, and the AOF stays failed (the caller turns it off with Close).
//
// Until the new manifest is written, the old manifest and every file it
// lists stay as they are, so a crash at any point leaves the AOF the
// server had before: appends go to a temporary file (temp-<appendfilename>.incr.<random>),
// and the base to another (temp-rewriteaof-<appendfilename>.<random>);
// both are renamed to their final names, which must not hold data already,
// just before the manifest that lists them is written.
//
// StartFresh returns at once: an error when it could not begin (ErrClosed
// after Close, ErrRewriteInProgress, or the I/O error of creating the
// file; done is then not called, and Err returns the error too). done runs
// on a goroutine of its own after the work has ended, and may call Close.
// While the base is written, Info shows a rewrite in progress, and Rewrite
// returns ErrRewriteInProgress. Calling StartFresh after Start, or twice,
// panics.
func (a *AOF) StartFresh(snapshot func(rotate func(), emit func(db int, args [][]byte)) error, done func(error)) error {
	a.manMu.Lock()
	defer a.manMu.Unlock()
	if a.started {
		panic("aof: StartFresh after Start or StartFresh")
	}
	select {
	case <-a.quit:
		return ErrClosed
	default:
	}
	if err := a.rw.begin(); err != nil {
		return err
	}
	f, err := createTemp(a.dir, "temp-"+a.opts.Filename+".incr.")
	if err != nil {
		err = fmt.Errorf("aof: creating the incremental file: %w", err)
		a.failFresh(err)
		a.rw.end(err)
		return err
	}
	a.mu.Lock()
	a.freshPending = true
	a.updateDurableLocked()
	a.mu.Unlock()
	a.probeAIO(f)
	a.sizes.set(0, 0)
	a.startWriterLocked(f, 0)
	a.log.Info("AOF turned on: writing a new base file in the background", "incr", filepath.Base(f.Name()))
	go a.runFresh(f.Name(), snapshot, done)
	return nil
}

// runFresh is the background part of StartFresh; tmpIncr is the file the
// writer appends to.
func (a *AOF) runFresh(tmpIncr string, snapshot func(rotate func(), emit func(db int, args [][]byte)) error, done func(error)) {
	// Append goes to tmpIncr from the start: rotate has nothing to switch.
	tmpBase, err := a.writeBase(func() {}, snapshot)
	if err == nil && a.rw.aborted.Load() {
		err = ErrClosed
	}
	if err == nil {
		err = a.installFresh(tmpBase, tmpIncr)
	} else {
		if tmpBase != "" {
			os.Remove(tmpBase)
		}
		os.Remove(tmpIncr) // the writer may go on appending to it: the data goes nowhere
	}
	if err != nil {
		a.failFresh(err)
	} else {
		a.mu.Lock()
		a.freshPending = false
		a.updateDurableLocked()
		a.cond.Broadcast()
		a.mu.Unlock()
		a.log.Info("AOF is on: the new base file is written and listed")
	}
	a.rw.end(err)
	if done != nil {
		done(err)
	}
}

// failFresh makes err the AOF's permanent error.
func (a *AOF) failFresh(err error) {
	a.mu.Lock()
	a.freshErr = err
	a.updateDurableLocked()
	a.cond.Broadcast()
	a.mu.Unlock()
	a.log.Error("turning the AOF on failed; writes are refused until it is turned off", "err", err)
}

// installFresh renames the new base and incremental files to their final
// names, writes the manifest that lists only them, and deletes the files
// the old manifest listed. On error the temporary files are gone, and the
// old manifest and its files are as they were, unless the new manifest was
// put in place but its directory fsync failed: then every file is kept.
func (a *AOF) installFresh(tmpBase, tmpIncr string) error {
	a.manMu.Lock()
	defer a.manMu.Unlock()
	old := a.man
	base := fileEntry{name: a.baseName(old.nextSeq(typeBase)), seq: old.nextSeq(typeBase), typ: typeBase}
	incr := fileEntry{name: a.incrName(old.nextSeq(typeIncr)), seq: old.nextSeq(typeIncr), typ: typeIncr}
	basePath, incrPath := filepath.Join(a.dir, base.name), filepath.Join(a.dir, incr.name)
	if err := renameNoClobber(tmpBase, basePath); err != nil {
		os.Remove(tmpBase)
		os.Remove(tmpIncr)
		return err
	}
	if err := renameNoClobber(tmpIncr, incrPath); err != nil {
		os.Remove(basePath)
		os.Remove(tmpIncr)
		return err
	}
	if replaced, err := a.persist(&manifest{base: &base, incrs: []fileEntry{incr}}); err != nil {
		if !replaced {
			os.Remove(basePath)
			os.Remove(incrPath)
		}
		return err
	}
	var drop []fileEntry
	for _, e := range append(old.files(), old.history...) {
		if e.name != base.name && e.name != incr.name {
			drop = append(drop, e)
		}
	}
	a.removeFiles(drop)
	a.sizes.reset(a.dir, a.man)
	return nil
}
