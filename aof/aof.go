// Package aof keeps MyRedis's append-only file in Redis 7's multi-part
// layout: a manifest naming one base file and the incremental files
// appended since, all RESP commands (aof-use-rdb-preamble no). It appends
// writes with group commit, replays the files at start-up, checks and fixes
// them, and rewrites the base in the background.
//
// The AOF is a hook on writes: the keyspace reports each effective write to
// Append and knows nothing of files; the server waits with WaitDurable
// before replying.
package aof

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"myredis/rawio"
	"myredis/resp"
)

// Fsync policies (appendfsync).
const (
	FsyncAlways   = "always"
	FsyncEverysec = "everysec"
	FsyncNo       = "no"
)

// Options configure an AOF. Zero fields select Redis's defaults.
type Options struct {
	Dir           string // the server's dir; files go in Dir/Dirname
	Dirname       string // appenddirname, default "appendonlydir"
	Filename      string // appendfilename, default "appendonly.aof"
	Fsync         string // appendfsync: FsyncAlways, FsyncEverysec (default) or FsyncNo
	LoadTruncated bool   // aof-load-truncated: Load truncates a torn tail instead of failing
	Logger        *slog.Logger
}

// ErrClosed is returned by WaitDurable for writes that were not made
// durable before Close, and by Start and Rewrite after Close.
var ErrClosed = errors.New("aof: closed")

// Timing of the background work.
const (
	flushInterval = 100 * time.Millisecond // the writer's round when nobody waits; also the retry pace after an error
	syncInterval  = time.Second            // everysec
	syncStall     = 2 * time.Second        // everysec: an fsync running longer makes writers wait
	maxSpareBuf   = 4 << 20                // a larger append buffer is not kept for reuse
)

// An AOF appends writes to the current incremental file. All methods are
// safe for concurrent use, except that Load and Start (or StartFresh
// instead of both) must run before the others (Open, then Load, then
// Start) and Close last.
type AOF struct {
	opts    Options
	log     *slog.Logger
	dir     string    // Dir/Dirname
	manName string    // manifest file name in dir
	epoch   time.Time // the origin of syncClock

	// Injectable for tests; set before Start.
	writeFn     func(f *os.File, b []byte) (int, error) // the writer's appends (default: defaultWrite)
	syncFn      func(f *os.File) error                  // every fsync of an incr file, called with fileMu held (default: defaultSync)
	baseWriteFn func(f *os.File, b []byte) (int, error) // the writes of a new base file
	tick        time.Duration                           // flushInterval
	every       time.Duration                           // syncInterval
	stall       time.Duration                           // syncStall

	manMu   sync.Mutex // guards man, the manifest file and started
	man     *manifest
	started bool

	mu           sync.Mutex // the append mutex: guards the fields below
	cond         *sync.Cond // on mu; broadcast whenever written, synced, errors, syncing or the policy change
	always       bool       // the fsync policy (SetFsync): always,
	everysec     bool       // everysec, or neither for no
	buf          []byte     // appended, not yet taken by the writer
	spare        []byte     // an emptied buffer to reuse
	seq          uint64     // sequence number of the last Append
	db           int        // database of the last appended command; -1 forces a SELECT
	rot          *rotation  // a switch to a new incr file, not yet taken by the writer
	rotPending   bool       // a rotation is not yet complete (the writer has not switched files)
	written      uint64     // every write up to this seq is in the file (write(2) done)
	synced       uint64     // every write up to this seq is fsynced
	writeErr     error      // last round of the writer failed
	syncErr      error      // last background fsync failed (counts only under everysec)
	syncing      bool       // a background fsync is running since syncStart
	syncStart    time.Time
	closed       bool  // the writer has stopped
	freshPending bool  // StartFresh's base is not yet written and listed: no write is durable
	freshErr     error // the error that stopped StartFresh; permanent

	// durable is durableCountLocked(), stored under mu whenever one of its
	// inputs changes, so that WaitDurable can see without mu that a write is
	// durable. syncClock is the start of the running background fsync (a
	// clock() value) or 0, stored with syncing.
	// They sit on a cache line of their own, away from the fields each
	// Append writes.
	_         [64]byte
	durable   atomic.Uint64
	syncClock atomic.Int64
	_         [48]byte

	// Owned by the writer goroutine.
	cur      *os.File // the incr file being appended; replaced under fileMu
	out      []byte   // bytes for cur not yet written
	next     *os.File // the file to switch to once out is written and fsynced
	nextOut  []byte   // bytes for next
	unsynced bool     // cur holds written bytes not yet fsynced by the writer
	size     int64    // bytes in cur
	wAlways  bool     // the policy of the writer's current round is always
	// While tracking (under always, and after it until an fsync succeeds):
	// the size of cur its last successful fsync covered, the bytes written
	// to it since, and whether an fsync of them failed. After a failed
	// fsync the kernel may have dropped those pages while still reporting
	// a later fsync as successful, so the next fsync first cuts cur back to
	// syncedSize and writes tail again (redoTail).
	tracking   bool
	syncedSize int64
	tail       []byte
	resync     bool
	syncStop   chan struct{}  // closing it stops the running background fsync goroutine; nil when none runs
	syncWG     sync.WaitGroup // every background fsync goroutine, stopped or not
	aioTried   bool           // AIO was set up or tried once: never again
	finishing  bool           // Close's last round: start no background fsync

	fileMu  sync.Mutex  // held around every fsync of cur, by the writer to replace cur, and to set aio while the writer runs
	aio     *aioSyncer  // when the kernel offers it, under always: defaultSync goes through it
	aioOn   atomic.Bool // aio != nil, for SyncsAsync
	aioOnce sync.Once   // Close releases aio

	wake     chan struct{} // kicks the writer
	quit     chan struct{} // closed by Close
	done     chan struct{} // closed when the writer has exited
	quitOnce sync.Once

	sizes sizes
	rw    rewriteState
}

// rotation switches appends to a new incremental file: the first at bytes
// of the append buffer still belong to the old file.
type rotation struct {
	file *os.File
	at   int
}

// Open prepares the AOF directory Dir/Dirname. It reads the manifest and
// checks that every file it lists for loading exists. When there is no
// manifest but a legacy single file Dir/Filename exists, it moves that file
// into the directory as the base, as Redis 7 does; when nothing exists, it
// creates an empty base file and a manifest.
//
// Open never starts over data it cannot load: when the manifest is missing
// but the directory holds AOF files of Filename with data, or when the
// manifest lists files that do not exist, it returns an error naming the
// directory and the files, having created, truncated and deleted nothing.
// Other errors are I/O errors or an invalid manifest or option.
func Open(opts Options) (*AOF, error) {
	if opts.Dirname == "" {
		opts.Dirname = "appendonlydir"
	}
	if opts.Filename == "" {
		opts.Filename = "appendonly.aof"
	}
	if opts.Fsync == "" {
		opts.Fsync = FsyncEverysec
	}
	if err := checkPolicy(opts.Fsync); err != nil {
		return nil, err
	}
	for _, name := range []string{opts.Filename, opts.Dirname} {
		if filepath.Base(name) != name || name == "." || name == ".." {
			return nil, fmt.Errorf("aof: %q must be a plain name, not a path", name)
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a := &AOF{
		opts:    opts,
		log:     opts.Logger,
		dir:     filepath.Join(opts.Dir, opts.Dirname),
		manName: opts.Filename + ".manifest",
		epoch:   time.Now(),
		tick:    flushInterval,
		every:   syncInterval,
		stall:   syncStall,
		db:      -1,
		wake:    make(chan struct{}, 1),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	a.writeFn, a.syncFn, a.baseWriteFn = a.defaultWrite, a.defaultSync, (*os.File).Write
	a.cond = sync.NewCond(&a.mu)
	a.setPolicyLocked(opts.Fsync)
	a.rw.lastStatus, a.rw.lastSec = "ok", -1
	man, err := readManifest(filepath.Join(a.dir, a.manName))
	switch {
	case err == nil:
		if err := a.checkListed(man); err != nil {
			return nil, err
		}
		a.man = man
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	default:
		if err := a.create(); err != nil {
			return nil, err
		}
	}
	if a.always {
		a.useAIO()
	}
	return a, nil
}

// checkPolicy returns an error unless policy is a valid appendfsync value.
func checkPolicy(policy string) error {
	switch policy {
	case FsyncAlways, FsyncEverysec, FsyncNo:
		return nil
	}
	return fmt.Errorf("aof: invalid fsync policy %q", policy)
}

// setPolicyLocked sets the fsync policy; the caller holds mu (or is the
// only user of the AOF).
func (a *AOF) setPolicyLocked(policy string) {
	a.always, a.everysec = policy == FsyncAlways, policy == FsyncEverysec
}

// checkListed returns an error naming every file m lists for loading that
// does not exist.
func (a *AOF) checkListed(m *manifest) error {
	var missing []string
	for _, e := range m.files() {
		_, err := os.Stat(filepath.Join(a.dir, e.name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, e.name)
		case err != nil:
			return fmt.Errorf("aof: %w", err)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("aof: start-up refused: the manifest %s lists %d file(s) that do not exist in %s: %s; "+
		"loading without them would lose their data. Restore the missing files, or restore the manifest "+
		"that matches the files in the directory. Nothing was changed",
		a.manName, len(missing), a.dir, joinFiles(missing))
}

// The writer's appends are raw write(2) calls under always (see useAIO and
// package rawio), ordinary ones otherwise.
//
// Under always the writer's append and its fsync never overlap, so the
// append seldom waits for the disk, and a raw write(2) keeps the runtime's
// monitor thread asleep: about 2 µs of CPU per request on one CPU. Under
// everysec a background fsync can hold an append up, and the runtime should
// then hand the writer's P to the sessions, so the append stays an ordinary
// call.
func (a *AOF) defaultWrite(f *os.File, b []byte) (int, error) {
	if a.wAlways {
		return rawio.WriteFile(f, b)
	}
	return f.Write(b)
}

// defaultSync fsyncs f, through AIO when it is set up. The caller holds
// fileMu (or is the only user of the AOF).
func (a *AOF) defaultSync(f *os.File) error {
	if a.aio != nil {
		return a.aio.sync(f)
	}
	return f.Sync()
}

// useAIO makes the writer's fsyncs asynchronous (Linux native AIO) when
// the kernel allows it. A plain fsync keeps its thread, and with it a P,
// until the runtime notices and hands the P over: on one CPU that stalls
// every command for part of each fsync, and the hand-offs cost more CPU
// than the commands. An AIO fdatasync parks only the writer goroutine; the
// kernel signals its end on an eventfd that the runtime polls like a
// socket. redis-benchmark SET under always on one CPU, MyRedis over Redis:
// 0.84 to 1.09 at -P 1, 1.16 to 1.42 at -P 16.
//
// Open calls it under always, before any other user of the AOF exists.
func (a *AOF) useAIO() {
	a.aioTried = true
	s, err := newAIOSyncer()
	if err != nil {
		a.log.Warn("asynchronous fsync is unavailable; the AOF writer blocks a thread in each fsync", "err", err)
		return
	}
	a.aio = s
	a.aioOn.Store(true)
}

// probeAIO fsyncs f, the file the writer will append to, through AIO: a
// kernel older than 4.18, or a file system that refuses it, fails here
// rather than in the writer, and the writer falls back to a plain fsync.
// It runs before the writer starts.
func (a *AOF) probeAIO(f *os.File) {
	if a.aio == nil {
		return
	}
	if err := a.aio.sync(f); err != nil {
		a.log.Warn("asynchronous fsync does not work on the AOF; the AOF writer blocks a thread in each fsync", "err", err)
		a.aio.close()
		a.aio = nil
		a.aioOn.Store(false)
	}
}

// setupAIO is useAIO and probeAIO for the writer goroutine, the first time
// it runs under always (the policy was switched to always).
func (a *AOF) setupAIO() {
	a.aioTried = true
	s, err := newAIOSyncer()
	if err != nil {
		a.log.Warn("asynchronous fsync is unavailable; the AOF writer blocks a thread in each fsync", "err", err)
		return
	}
	if err := s.sync(a.cur); err != nil {
		a.log.Warn("asynchronous fsync does not work on the AOF; the AOF writer blocks a thread in each fsync", "err", err)
		s.close()
		return
	}
	a.fileMu.Lock()
	a.aio = s
	a.fileMu.Unlock()
	a.aioOn.Store(true)
}

// SyncsAsync reports whether the writer's fsyncs under always leave its
// thread free (see useAIO). When they do not, a server on one CPU should
// run a second P so that commands keep running during each fsync. Under
// another policy it reports whether they would, once set up: Open sets
// AIO up under always, the writer after the first switch to always.
func (a *AOF) SyncsAsync() bool { return a.aioOn.Load() }

// create makes a new AOF directory and manifest: from the legacy file when
// there is one, else with an empty base file. It refuses, changing
// nothing, when the directory holds AOF files with data, which no manifest
// lists.
func (a *AOF) create() error {
	legacy := filepath.Join(a.opts.Dir, a.opts.Filename)
	_, err := os.Stat(legacy)
	haveLegacy := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("aof: %w", err) // never start empty over an AOF we cannot see
	}
	if err := a.refuseUnlisted(legacy, haveLegacy); err != nil {
		return err
	}
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return err
	}
	if haveLegacy {
		return a.convertLegacy(legacy)
	}
	base := fileEntry{name: a.baseName(1), seq: 1, typ: typeBase}
	f, err := createExclusive(filepath.Join(a.dir, base.name))
	if err != nil {
		return err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("aof: %s: %w", base.name, err)
	}
	a.log.Info("creating AOF base file on start", "file", base.name)
	_, err = a.persist(&manifest{base: &base})
	return err
}

// refuseUnlisted returns an error when the AOF directory, which has no
// manifest, holds AOF files of Filename with data: starting would ignore
// them, and later overwrite them. Empty ones are what a crash while
// creating the first files leaves; they are reused. The link an
// interrupted conversion of the legacy file left does not count.
func (a *AOF) refuseUnlisted(legacy string, haveLegacy bool) error {
	found, err := findAOFFiles(a.dir, a.opts.Filename)
	if err != nil {
		return err
	}
	var files []aofFile
	data := false
	for _, f := range found {
		if haveLegacy && f.name == a.opts.Filename && sameFile(legacy, filepath.Join(a.dir, f.name)) {
			continue
		}
		files = append(files, f)
		data = data || f.size > 0
	}
	if !data {
		return nil
	}
	also := ""
	if haveLegacy {
		also = fmt.Sprintf(" (and an old-style single-file AOF %s is in %s)", a.opts.Filename, a.opts.Dir)
	}
	return fmt.Errorf("aof: start-up refused: the AOF directory %s has no manifest %s but holds AOF files: %s%s; "+
		"starting would begin a new, empty AOF beside their data. Restore the manifest, or move these files "+
		"out of the directory to start with an empty AOF. Nothing was changed",
		a.dir, a.manName, joinFiles(files), also)
}

// convertLegacy makes the single-file AOF at legacy the base of a new
// manifest under its own name. It links the file in before writing the
// manifest and removes the old name only after, so a crash at any point
// leaves a loadable AOF (a retry starts over from the legacy file).
func (a *AOF) convertLegacy(legacy string) error {
	dst := filepath.Join(a.dir, a.opts.Filename)
	if !sameFile(legacy, dst) { // else an interrupted conversion linked it already
		if err := checkReusable(dst); err != nil {
			return err
		}
		if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) { // an empty file
			return err
		}
		if err := os.Link(legacy, dst); err != nil {
			if err := os.Rename(legacy, dst); err != nil {
				return err
			}
		}
	}
	if _, err := a.persist(&manifest{base: &fileEntry{name: a.opts.Filename, seq: 1, typ: typeBase}}); err != nil {
		return err
	}
	if err := os.Remove(legacy); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	a.log.Info("migrated an old-style AOF file into the AOF directory", "file", a.opts.Filename, "dir", a.opts.Dirname)
	return syncDir(a.opts.Dir)
}

// persist writes m as the manifest and makes it current. The caller holds
// manMu or is the only user of the AOF. replaced reports whether m is on
// disk (see writeFileAtomic): with an error and replaced, m is current but
// a crash may bring the previous manifest back, so the caller must keep
// the files of both.
func (a *AOF) persist(m *manifest) (replaced bool, err error) {
	replaced, err = writeFileAtomic(a.dir, a.manName, m.format())
	if replaced {
		a.man = m
	}
	if err != nil {
		return replaced, fmt.Errorf("aof: writing manifest: %w", err)
	}
	return true, nil
}

// LoadStats describes one Load.
type LoadStats struct {
	Files    int
	Commands int64 // passed to exec
	Bytes    int64 // read, over all files
	Duration time.Duration
}

// Load replays every file of the manifest in order (base, then incremental
// files) through exec, as Replay does; exec handles SELECT by switching its
// database, and before each file after the first Load issues "SELECT 0" if
// the previous file left another database selected (each file starts in
// database 0). The arguments passed to exec are valid only during the call.
//
// A torn tail of the last file (a command or MULTI transaction cut short by
// a crash) is truncated away with a logged warning when LoadTruncated is
// set, else it is an error. Any other problem is an error: a *CorruptError
// naming the file and byte offset, an I/O error, or exec's error wrapped
// with the file and offset.
func (a *AOF) Load(exec func(args [][]byte) error) (LoadStats, error) {
	start := time.Now()
	var st LoadStats
	files := a.man.files()
	rp := replayer{exec: exec}
	for i, e := range files {
		if i > 0 && rp.db != 0 {
			if err := rp.apply([][]byte{[]byte("SELECT"), []byte("0")}, 0); err != nil {
				return st, err
			}
		}
		n, err := a.loadFile(&rp, e, i == len(files)-1)
		st.Files++
		st.Bytes += n
		if err != nil {
			return st, err
		}
	}
	st.Commands = rp.cmds
	st.Duration = time.Since(start)
	a.log.Info("AOF loaded", "files", st.Files, "commands", st.Commands, "bytes", st.Bytes, "seconds", st.Duration.Seconds())
	return st, nil
}

// loadFile replays one file and returns its size.
func (a *AOF) loadFile(rp *replayer, e fileEntry, last bool) (int64, error) {
	path := filepath.Join(a.dir, e.name)
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("aof: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("aof: %w", err)
	}
	size := fi.Size()
	begin, lastLog := time.Now(), time.Now()
	rp.progress = func(off int64) {
		if time.Since(lastLog) >= time.Second {
			lastLog = time.Now()
			a.log.Info("loading AOF", "file", e.name, "percent", off*100/max(size, 1), "commands", rp.cmds)
		}
	}
	valid, err := rp.run(f)
	var ce *CorruptError
	if errors.As(err, &ce) {
		ce.File = e.name
		if !ce.Truncated || !last || !a.opts.LoadTruncated {
			return size, err
		}
		a.log.Warn("AOF ends with a torn command; truncating it", "file", e.name, "offset", ce.Valid, "size", size, "reason", ce.Reason)
		if err := os.Truncate(path, valid); err != nil {
			return size, fmt.Errorf("aof: truncating %s: %w", e.name, err)
		}
		err = nil
	}
	if err != nil {
		return size, fmt.Errorf("aof: %s: %w", e.name, err)
	}
	a.log.Info("AOF file loaded", "file", e.name, "type", string(e.typ), "bytes", size, "seconds", time.Since(begin).Seconds())
	return size, nil
}

// Start begins appending: it opens the last incremental file of the
// manifest (creating one and listing it when there is none), deletes the
// history files the manifest names, and starts the writer (and, under
// everysec, the background fsync). Call it once, after Load.
func (a *AOF) Start() error {
	a.manMu.Lock()
	defer a.manMu.Unlock()
	if a.started {
		panic("aof: Start called twice")
	}
	select {
	case <-a.quit:
		return ErrClosed
	default:
	}
	m := a.man
	if len(m.incrs) == 0 {
		e := fileEntry{name: a.incrName(m.nextSeq(typeIncr)), seq: m.nextSeq(typeIncr), typ: typeIncr}
		f, err := createExclusive(filepath.Join(a.dir, e.name))
		if err != nil {
			return err
		}
		if err := errors.Join(f.Sync(), f.Close()); err != nil {
			return fmt.Errorf("aof: %s: %w", e.name, err)
		}
		a.log.Info("creating AOF incr file on start", "file", e.name)
		if _, err := a.persist(&manifest{base: m.base, incrs: []fileEntry{e}, history: m.history}); err != nil {
			return err
		}
		m = a.man
	}
	if len(m.history) > 0 {
		if _, err := a.persist(&manifest{base: m.base, incrs: m.incrs}); err != nil {
			return err
		}
		a.removeFiles(m.history)
		m = a.man
	}
	// Open checked that the file exists: never create it here.
	f, err := os.OpenFile(filepath.Join(a.dir, m.incrs[len(m.incrs)-1].name), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("aof: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("aof: %w", err)
	}
	a.probeAIO(f)
	a.sizes.reset(a.dir, m)
	a.startWriterLocked(f, st.Size()) // what loading read back is on disk
	return nil
}

// startWriterLocked makes f, which holds size bytes, the file appends go
// to and starts the writer. The caller holds manMu.
func (a *AOF) startWriterLocked(f *os.File, size int64) {
	a.fileMu.Lock()
	a.cur = f
	a.fileMu.Unlock()
	a.size, a.syncedSize = size, size
	a.started = true
	go a.writeLoop()
}

// incrName and baseName return the name of the incremental or base file with
// sequence number seq.
func (a *AOF) incrName(seq int64) string { return fmt.Sprintf("%s.%d.incr.aof", a.opts.Filename, seq) }
func (a *AOF) baseName(seq int64) string { return fmt.Sprintf("%s.%d.base.aof", a.opts.Filename, seq) }

// removeFiles deletes files of the AOF directory, logging failures (a file
// left behind wastes space but no manifest names it). The caller holds
// manMu, and the files are ones the manifest no longer lists: history, or
// replaced by a completed rewrite.
func (a *AOF) removeFiles(files []fileEntry) {
	for _, e := range files {
		if err := os.Remove(filepath.Join(a.dir, e.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			a.log.Warn("cannot remove old AOF file", "file", e.name, "err", err)
		}
	}
}

// Append encodes one write for database db into the in-memory buffer,
// preceded by SELECT when db differs from the previous write's, and returns
// its sequence number (for WaitDurable). It makes no system call, so it can
// run under the keyspace's locks; the caller must call it in apply order
// per key. args are copied before Append returns.
func (a *AOF) Append(db int, args [][]byte) uint64 {
	a.mu.Lock()
	a.appendLocked(db, args)
	a.seq++
	seq := a.seq
	a.mu.Unlock()
	return seq
}

// A Write is one command for AppendTx and the database it applies to.
type Write struct {
	DB   int
	Args [][]byte
}

// AppendTx appends writes as one MULTI … EXEC transaction, with no other
// write between them, and returns the sequence number of the whole. Replay
// applies a transaction only when its EXEC is in the file. An empty writes
// appends nothing and returns Seq().
func (a *AOF) AppendTx(writes []Write) uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(writes) == 0 {
		return a.seq
	}
	a.appendLocked(writes[0].DB, multiCmd)
	for _, w := range writes {
		a.appendLocked(w.DB, w.Args)
	}
	a.buf = resp.AppendCommand(a.buf, execCmd)
	a.seq++
	return a.seq
}

var (
	multiCmd  = [][]byte{[]byte("MULTI")}
	execCmd   = [][]byte{[]byte("EXEC")}
	selectCmd = []byte("SELECT")
)

func (a *AOF) appendLocked(db int, args [][]byte) {
	if db != a.db {
		var num [20]byte
		a.buf = resp.AppendCommand(a.buf, [][]byte{selectCmd, strconv.AppendInt(num[:0], int64(db), 10)})
		a.db = db
	}
	a.buf = resp.AppendCommand(a.buf, args)
}

// Seq returns the sequence number of the last Append.
func (a *AOF) Seq() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seq
}

// SetFsync changes the fsync policy (FsyncAlways, FsyncEverysec or FsyncNo) for every write appended from now on; safe for concurrent use with every other method.
//
// Under always, WaitDurable returns only once an fsync has covered the
// write, also for earlier writes still waiting; the writer sets up
// asynchronous fsync (see useAIO) the first time it runs under always.
// Under everysec a background goroutine fsyncs once a second; switching to
// always or no stops it. Writes the writer wrote before a switch to always
// are fsynced by its next round, but a failing fsync can be retried
// faithfully (redoTail) only for the bytes written under always. An
// invalid policy is an error, and changes nothing.
func (a *AOF) SetFsync(policy string) error {
	if err := checkPolicy(policy); err != nil {
		return err
	}
	a.mu.Lock()
	a.setPolicyLocked(policy)
	a.updateDurableLocked()
	a.cond.Broadcast() // a waiter may be durable under the new policy
	a.mu.Unlock()
	a.log.Info("AOF fsync policy set", "appendfsync", policy)
	a.kick()
	return nil
}

// WaitDurable blocks until every write up to seq is in the file: written
// and fsynced under always; written (the OS has it, so a crash of the
// process loses nothing) under everysec and no, as Redis writes the AOF
// before it replies. Under everysec it also waits while a background fsync
// has been running for more than 2 seconds, so at most about 2 seconds of
// writes can be lost to a crash of the machine. While StartFresh has not
// listed its new base, no write is durable.
//
// One writer goroutine serves all waiters (group commit): each round it
// writes everything appended since the last round with one write, fsyncs
// once under always, and wakes every waiter. A seq that is already durable
// returns at once without taking the append mutex.
//
// It returns nil once durable; the current write or fsync error when the
// writes are not durable and the AOF is failing (the error that stopped
// StartFresh for every write after it); ErrClosed when the AOF was closed
// first. Call it only after Start.
func (a *AOF) WaitDurable(seq uint64) error {
	if seq < a.durable.Load() && !a.maybeStalled() {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.durableLocked(seq) {
		return nil
	}
	a.kick()
	for !a.durableLocked(seq) {
		if err := a.errLocked(); err != nil {
			return err
		}
		if a.closed {
			return ErrClosed
		}
		a.cond.Wait()
	}
	return nil
}

// maybeStalled reports, without mu, whether a background fsync has been
// running for longer than the stall limit. The policy is not checked: a
// true leaves the decision to durableLocked.
func (a *AOF) maybeStalled() bool {
	start := a.syncClock.Load()
	return start != 0 && a.clock()-start > int64(a.stall)
}

// clock returns the time since Open in nanoseconds, plus one (never 0).
func (a *AOF) clock() int64 { return int64(time.Since(a.epoch)) + 1 }

func (a *AOF) durableLocked(seq uint64) bool {
	if seq >= a.durableCountLocked() {
		return false
	}
	return !(a.everysec && a.syncing && time.Since(a.syncStart) > a.stall)
}

// durableCountLocked returns one more than the last seq that is durable
// under the current policy, ignoring an everysec stall; 0 while StartFresh's
// base is not durable, when not even seq 0 (what the base holds) is.
func (a *AOF) durableCountLocked() uint64 {
	switch {
	case a.freshPending || a.freshErr != nil:
		return 0
	case a.always:
		return a.synced + 1
	}
	return a.written + 1
}

// updateDurableLocked refreshes the lock-free copy of durableCountLocked.
// Call it, with mu held, after changing written, synced, the policy or
// StartFresh's state.
func (a *AOF) updateDurableLocked() { a.durable.Store(a.durableCountLocked()) }

// kick wakes the writer if it is not already due to run.
func (a *AOF) kick() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Err returns the current error, nil when healthy: the write or fsync
// error, or the error that stopped StartFresh. While it is non-nil the
// server should refuse writes (MISCONF). The writer keeps retrying, so a
// write or fsync error clears by itself when the disk recovers; the error
// of StartFresh stays until Close.
func (a *AOF) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.errLocked()
}

func (a *AOF) errLocked() error {
	switch {
	case a.freshErr != nil:
		return a.freshErr
	case a.writeErr != nil:
		return a.writeErr
	case a.everysec: // a background fsync still running after a switch does not count
		return a.syncErr
	}
	return nil
}

// writeLoop is the writer goroutine: a round per kick or tick, a last round
// at Close.
func (a *AOF) writeLoop() {
	defer close(a.done)
	a.mu.Lock()
	always, everysec := a.always, a.everysec
	a.mu.Unlock()
	a.applyPolicy(always, everysec)
	tick := time.NewTicker(a.tick)
	defer tick.Stop()
	for {
		select {
		case <-a.wake:
		case <-tick.C:
		case <-a.quit:
			a.finishing = true
			a.stopSyncLoop()
			a.syncWG.Wait() // no background fsync may race with the last one and Close
			a.finish()
			return
		}
		a.round()
	}
}

// applyPolicy makes the writer follow the policy of its round: under always
// it fsyncs itself, through AIO when it can (set up the first time);
// under everysec a background goroutine fsyncs once a second.
func (a *AOF) applyPolicy(always, everysec bool) {
	a.wAlways = always
	if always && !a.aioTried {
		a.setupAIO()
	}
	switch {
	case everysec && a.syncStop == nil && !a.finishing:
		a.syncStop = make(chan struct{})
		a.syncWG.Add(1)
		go a.syncLoop(a.syncStop)
	case !everysec:
		a.stopSyncLoop()
	}
}

// stopSyncLoop tells the background fsync goroutine, if one runs, to stop.
func (a *AOF) stopSyncLoop() {
	if a.syncStop != nil {
		close(a.syncStop)
		a.syncStop = nil
	}
}

// round takes everything appended so far and writes it.
func (a *AOF) round() {
	a.mu.Lock()
	in, upto, rot := a.buf, a.seq, a.rot
	a.buf, a.spare, a.rot = a.spare[:0], nil, nil
	always, everysec := a.always, a.everysec
	a.mu.Unlock()
	a.applyPolicy(always, everysec)

	switching := rot != nil || a.next != nil
	switch {
	case rot != nil:
		a.out = append(a.out, in[:rot.at]...)
		a.next = rot.file
		a.nextOut = append(a.nextOut, in[rot.at:]...)
	case a.next != nil:
		a.nextOut = append(a.nextOut, in...)
	default:
		a.out = append(a.out, in...)
	}
	fsynced, err := a.flush(always)

	a.mu.Lock()
	if cap(in) <= maxSpareBuf {
		a.spare = in[:0]
	}
	if err == nil {
		a.written = upto
		if fsynced {
			a.synced = max(a.synced, upto)
		}
	}
	if switching && a.next == nil {
		a.rotPending = false
	}
	a.setErrLocked(&a.writeErr, err, "write")
	a.updateDurableLocked()
	a.cond.Broadcast()
	a.mu.Unlock()
}

// flush writes the pending bytes, switching files when a rotation is
// pending, and fsyncs under always (and once more after leaving always).
// fsynced reports that everything written so far is fsynced. On error the
// unwritten bytes stay pending for the next round (a partial write is
// continued, not repeated).
func (a *AOF) flush(always bool) (fsynced bool, err error) {
	if always && !a.tracking {
		// What was written before the switch counts as the base of the
		// cut-back: it was not kept, so it cannot be written again.
		a.tracking = true
		a.syncedSize, a.tail, a.resync = a.size, a.tail[:0], false
	}
	if err := a.writeOut(); err != nil {
		return false, err
	}
	if a.next != nil {
		if err := a.syncCur(); err != nil {
			return false, err
		}
		a.fileMu.Lock()
		old := a.cur
		a.cur, a.next = a.next, nil
		a.fileMu.Unlock()
		a.size, a.syncedSize, a.tail, a.resync = 0, 0, a.tail[:0], false // the new file starts empty
		if err := old.Close(); err != nil {
			a.log.Warn("closing old AOF incr file", "err", err)
		}
		a.out, a.nextOut = a.nextOut, a.out[:0]
		if err := a.writeOut(); err != nil {
			return false, err
		}
	}
	if !a.tracking {
		return false, nil
	}
	if err := a.syncCur(); err != nil {
		return false, err
	}
	a.tracking = always // after leaving always, stop once an fsync has succeeded
	return true, nil
}

// writeOut writes a.out to the current file.
func (a *AOF) writeOut() error {
	for len(a.out) > 0 {
		n, err := a.writeFn(a.cur, a.out)
		if n > 0 {
			a.unsynced = true
			a.size += int64(n)
			a.sizes.grow(int64(n))
			if a.tracking {
				a.tail = append(a.tail, a.out[:n]...)
			}
			a.out = a.out[:copy(a.out, a.out[n:])]
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// syncCur fsyncs the current file if it has unsynced bytes, after writing
// them again if their last fsync failed (while tracking).
func (a *AOF) syncCur() error {
	if a.resync {
		if err := a.redoTail(); err != nil {
			return err
		}
	}
	if !a.unsynced {
		return nil
	}
	a.fileMu.Lock()
	err := a.syncFn(a.cur)
	a.fileMu.Unlock()
	if err != nil {
		a.resync = a.tracking
		return fmt.Errorf("aof: fsync: %w", err)
	}
	a.unsynced = false
	a.syncedSize = a.size
	a.tail = a.tail[:0]
	if cap(a.tail) > maxSpareBuf {
		a.tail = nil
	}
	return nil
}

// redoTail cuts cur back to what its last successful fsync covered and
// writes the bytes since then again, so that the next fsync's success
// really covers them. A failure leaves resync set: the next try starts
// over from the cut.
func (a *AOF) redoTail() error {
	if err := a.cur.Truncate(a.syncedSize); err != nil {
		return fmt.Errorf("aof: cutting back after a failed fsync: %w", err)
	}
	a.size = a.syncedSize
	for b := a.tail; len(b) > 0; { // cur is O_APPEND: this lands at the cut
		n, err := a.writeFn(a.cur, b)
		b = b[n:]
		a.size += int64(n)
		if err != nil {
			return fmt.Errorf("aof: writing again after a failed fsync: %w", err)
		}
	}
	a.resync, a.unsynced = false, true
	return nil
}

// syncLoop fsyncs the current file once a second (everysec) until stop is
// closed.
func (a *AOF) syncLoop(stop <-chan struct{}) {
	defer a.syncWG.Done()
	tick := time.NewTicker(a.every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-stop:
			return
		}
		a.fileMu.Lock()
		a.mu.Lock()
		target := a.written
		if target == a.synced && a.syncErr == nil {
			a.mu.Unlock()
			a.fileMu.Unlock()
			continue
		}
		a.syncing, a.syncStart = true, time.Now()
		a.syncClock.Store(a.clock())
		a.mu.Unlock()
		err := a.syncFn(a.cur)
		a.fileMu.Unlock()

		a.mu.Lock()
		a.syncing = false
		a.syncClock.Store(0)
		if err == nil {
			a.synced = max(a.synced, target)
		} else {
			err = fmt.Errorf("aof: fsync: %w", err)
		}
		a.setErrLocked(&a.syncErr, err, "fsync")
		a.updateDurableLocked()
		a.cond.Broadcast()
		a.mu.Unlock()
	}
}

// setErrLocked stores err in *slot, logging when the state changes between
// healthy and failing.
func (a *AOF) setErrLocked(slot *error, err error, what string) {
	switch {
	case *slot == nil && err != nil:
		a.log.Error("AOF "+what+" failed; writes are refused until it succeeds", "err", err)
	case *slot != nil && err == nil:
		a.log.Info("AOF " + what + " succeeded again; writes are accepted")
	}
	*slot = err
}

// finish is the writer's last round at Close: write and fsync everything,
// close the file.
func (a *AOF) finish() {
	a.round()
	a.mu.Lock()
	err := a.writeErr
	a.mu.Unlock()
	if err == nil {
		a.unsynced = true // whatever the policy, Close fsyncs
		err = a.syncCur()
	}
	if cerr := a.cur.Close(); err == nil {
		err = cerr
	}
	if a.next != nil { // a failing disk kept the writer from switching
		a.next.Close()
	}
	a.mu.Lock()
	if err == nil {
		a.synced = a.written
	}
	a.writeErr = err
	a.closed = true
	a.updateDurableLocked()
	a.cond.Broadcast()
	a.mu.Unlock()
}

// Close waits for a running rewrite to end (its result is discarded, and
// a StartFresh not yet done fails with ErrClosed), then writes and fsyncs
// everything appended and closes the file. It returns the error that kept
// the last writes from being durable, if any: the write or fsync error, or
// the error that stopped StartFresh (ErrClosed when Close stopped it).
// Appends after Close are lost. Calling Close again returns the same
// result.
func (a *AOF) Close() error {
	a.rw.abort()
	a.quitOnce.Do(func() { close(a.quit) })
	a.manMu.Lock()
	started := a.started
	a.manMu.Unlock()
	if started {
		<-a.done
	}
	a.aioOnce.Do(func() {
		if a.aio != nil {
			a.aio.close()
			a.aio = nil
			a.aioOn.Store(false)
		}
	})
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.freshErr != nil {
		return a.freshErr
	}
	if !started {
		return nil
	}
	return a.writeErr
}

// statusOf formats an error status for INFO: "ok" or "err".
func statusOf(err error) string {
	if err != nil {
		return "err"
	}
	return "ok"
}

// An InfoField is one "name:value" line of INFO persistence.
type InfoField struct {
	Name, Value string
}

// Info returns the AOF fields of INFO persistence, in Redis's order. The
// server adds loading and the fields it owns (aof_rewrite_scheduled).
func (a *AOF) Info() []InfoField {
	a.mu.Lock()
	writeStatus := statusOf(a.errLocked())
	bufLen := len(a.buf)
	pendingSync := a.syncing
	a.mu.Unlock()
	r := a.rw.info()
	base, cur := a.sizes.get()
	f := func(name string, v any) InfoField { return InfoField{name, fmt.Sprint(v)} }
	return []InfoField{
		f("aof_enabled", 1),
		f("aof_rewrite_in_progress", boolInt(r.inProgress)),
		f("aof_last_rewrite_time_sec", r.lastSec),
		f("aof_current_rewrite_time_sec", r.curSec),
		f("aof_last_bgrewrite_status", r.lastStatus),
		f("aof_rewrites", r.count),
		f("aof_rewrites_consecutive_failures", r.failures),
		f("aof_last_write_status", writeStatus),
		f("aof_current_size", cur),
		f("aof_base_size", base),
		f("aof_buffer_length", bufLen),
		f("aof_pending_bio_fsync", boolInt(pendingSync)),
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sizes tracks the base file's size and the AOF's total size, for INFO and
// NeedsRewrite. Safe for concurrent use.
type sizes struct {
	mu         sync.Mutex
	base, incr int64
}

// set sets the base size and the size of the incremental files.
func (s *sizes) set(base, incr int64) {
	s.mu.Lock()
	s.base, s.incr = base, incr
	s.mu.Unlock()
}

// reset sets the sizes from the files m lists.
func (s *sizes) reset(dir string, m *manifest) {
	var base, incr int64
	for _, e := range m.files() {
		fi, err := os.Stat(filepath.Join(dir, e.name))
		if err != nil {
			continue
		}
		if e.typ == typeBase {
			base = fi.Size()
		} else {
			incr += fi.Size()
		}
	}
	s.mu.Lock()
	s.base, s.incr = base, incr
	s.mu.Unlock()
}

func (s *sizes) grow(n int64) {
	s.mu.Lock()
	s.incr += n
	s.mu.Unlock()
}

// get returns the base size and the current total size.
func (s *sizes) get() (base, total int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base, s.base + s.incr
}
