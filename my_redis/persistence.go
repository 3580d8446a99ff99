package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"myredis/aof"
	"myredis/config"
	"myredis/db"
	"myredis/resp"
	"myredis/server"
)

// openAOF opens the append-only file and wires it: writes go to the log
// (once loading ends) and the server holds each reply until the log holds
// the writes it reveals.
func openAOF(cfg *config.Config, ks *db.Keyspace, srv *server.Server, logger *slog.Logger) (*aof.AOF, error) {
	a, err := aof.Open(aof.Options{
		Dir: cfg.Dir(), Dirname: cfg.AppendDirname(), Filename: cfg.AppendFilename(),
		Fsync: cfg.AppendFsync(), LoadTruncated: cfg.AOFLoadTruncated(), Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	ks.OnWrite(func(db int, args [][]byte) uint64 { return a.Append(db, args) })
	ks.OnTransaction(func(writes []db.Write) uint64 {
		tx := make([]aof.Write, len(writes))
		for i, w := range writes {
			tx[i] = aof.Write{DB: w.DB, Args: w.Args}
		}
		return a.AppendTx(tx)
	})
	srv.SetPersistence(persistence{a, ks})
	return a, nil
}

// loadAOF replays the append-only file into ks, which is loading, then
// starts appending, ends loading and deletes the keys whose deadline passed
// while the server was down (their DELs go to the log).
func loadAOF(cfg *config.Config, a *aof.AOF, ks *db.Keyspace, logger *slog.Logger) error {
	stats, err := loadWithLessGC(a, replayer(ks))
	if err != nil {
		return err
	}
	rate := float64(stats.Commands) / max(stats.Duration.Seconds(), 1e-9)
	logger.Info("append-only file loaded", "files", stats.Files, "commands", stats.Commands,
		"bytes", stats.Bytes, "duration", stats.Duration.Round(time.Millisecond), "commands_per_sec", int64(rate))
	if err := a.Start(); err != nil {
		return err
	}
	if cfg.AppendFsync() == aof.FsyncAlways && !a.SyncsAsync() && runtime.GOMAXPROCS(0) < 2 {
		// Without asynchronous fsync the AOF writer spends much of its
		// time blocked in fsync, holding its P until the runtime hands
		// it to another thread; a second P keeps commands running
		// meanwhile. On one CPU: redis-benchmark SET under always went
		// from 0.67-0.72 of Redis to 0.87-0.88 at -P 1.
		runtime.GOMAXPROCS(2)
		logger.Info("appendfsync always on one CPU without asynchronous fsync: running with GOMAXPROCS 2")
	}
	ks.SetLoading(false)
	if n := ks.ExpirePassed(); n > 0 {
		logger.Info("deleted keys whose deadline passed while the server was down", "keys", n)
	}
	return nil
}

// replayer returns the function the AOF loader calls for each logged
// command: it runs the command as a client would, with no reply.
func replayer(ks *db.Keyspace) func(args [][]byte) error {
	cl := &db.Client{NoBlock: true}
	w := resp.NewWriter(io.Discard)
	var n int
	var now int64
	return func(args [][]byte) error {
		// Reading the clock for every replayed command costs more than
		// the commands; a few milliseconds of staleness changes nothing
		// (nothing expires while loading).
		if n%1024 == 0 {
			now = time.Now().UnixMilli()
		}
		n++
		cl.Now = now
		w.Reset(io.Discard) // the replies are not kept
		cmd, errMsg := ks.Table().Lookup(args)
		switch {
		case cmd == nil:
			return fmt.Errorf("bad command in the append-only file: %s", errMsg)
		case cl.Queues(cmd):
			ks.Queue(cl, cmd, args, w)
		default:
			ks.Exec(cl, cmd, args, w)
		}
		return nil
	}
}

// loadingGCPercent is the garbage collector's target (GOGC) while the AOF
// loads. Nearly everything a replay allocates stays live, so collecting
// during it is mostly wasted work: at the default 100, marking took about a
// third of a 1M-key load, and a load went from 0.73-1.03 to 1.08-1.31 M
// commands/s at 400-800.
const loadingGCPercent = 800

// loadWithLessGC replays the AOF with the collector at loadingGCPercent,
// unless GOGC already asks for less collecting, and restores it after.
func loadWithLessGC(a *aof.AOF, exec func(args [][]byte) error) (aof.LoadStats, error) {
	prev := debug.SetGCPercent(loadingGCPercent)
	if prev < 0 || prev > loadingGCPercent { // GOGC=off, or higher
		debug.SetGCPercent(prev)
	}
	defer debug.SetGCPercent(prev)
	return a.Load(exec)
}

// persistence is the AOF as the server sees it.
type persistence struct {
	a  *aof.AOF
	ks *db.Keyspace
}

func (p persistence) WaitDurable(seq uint64) error { return p.a.WaitDurable(seq) }
func (p persistence) Err() error                   { return p.a.Err() }

// Rewrite starts a background rewrite whose base is a point-in-time
// snapshot of the keyspace.
func (p persistence) Rewrite() error { return p.a.Rewrite(p.ks.Snapshot) }

func (p persistence) Info() [][2]string {
	var out [][2]string
	for _, f := range p.a.Info() {
		out = append(out, [2]string{f.Name, f.Value})
	}
	return out
}

// autoRewrite starts a rewrite whenever the log has grown past
// auto-aof-rewrite-percentage of its base (and auto-aof-rewrite-min-size),
// checking once a second until stop is closed.
func autoRewrite(cfg *config.Config, p persistence, logger *slog.Logger, stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if pct := cfg.AutoAOFRewritePercentage(); pct > 0 && p.a.NeedsRewrite(pct, cfg.AutoAOFRewriteMinSize()) {
			logger.Info("starting automatic append-only file rewrite")
			if err := p.Rewrite(); err != nil && err != aof.ErrRewriteInProgress {
				logger.Warn("automatic rewrite failed to start", "err", err)
			}
		}
	}
}

// checkAOF implements my_redis --check-aof [--fix] <file or manifest>.
func checkAOF(args []string) int {
	fix := len(args) > 0 && args[0] == "--fix"
	if fix {
		args = args[1:]
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: my_redis --check-aof [--fix] <file.aof or file.manifest>")
		return 2
	}
	if err := aof.Check(args[0], fix, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
