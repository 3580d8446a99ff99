// Command my_redis is the MyRedis server.
//
//	my_redis [path/to/redis.conf] [--directive value ...]
//
// Like redis-server, the configuration file comes first and command-line
// directives override it: my_redis redis.conf --port 7000 --dir /tmp/x.
package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"myredis/cluster"
	"myredis/config"
	"myredis/db"
	"myredis/scripting"
	"myredis/server"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 1 && (args[0] == "-v" || args[0] == "--version") {
		fmt.Printf("MyRedis server v=%s (Redis %s compatible)\n", server.Version, server.Version)
		return 0
	}
	if len(args) > 0 && args[0] == "--check-aof" {
		return checkAOF(args[1:])
	}
	path := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		path, args = args[0], args[1:]
	}
	cfg, err := config.Load(path, args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "my_redis: %v\n", err)
		return 1
	}
	logger, closeLog, err := newLogger(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "my_redis: %v\n", err)
		return 1
	}
	defer closeLog()
	logger.Info("configuration loaded", "file", cfg.Path(), "port", cfg.Port(), "databases", cfg.Databases())

	if err := os.MkdirAll(cfg.Dir(), 0o755); err != nil {
		logger.Error("cannot create the working directory", "dir", cfg.Dir(), "err", err)
		return 1
	}
	ks := db.New(db.NewTable(), cfg.Databases())
	// Loading is not serving: until the AOF is loaded, no key expires and
	// no write is propagated.
	ks.SetLoading(cfg.AppendOnly())
	var exec server.Executor // nil: stand-alone
	var router *cluster.Router
	if peers := cfg.Peers(); len(peers) > 0 {
		if cfg.Self() == "" {
			logger.Error("peers are configured but self is not: set self to this node's host:port as the peers list it")
			return 1
		}
		router = cluster.New(cluster.Options{
			Self: cfg.Self(), Peers: peers, Next: server.Local{KS: ks}, Table: ks.Table(),
			Password: cfg.RequirePass, Log: logger, Keyspace: ks,
		})
		exec = router
		logger.Info("cluster mode", "self", cfg.Self(), "members", strings.Join(router.Ring().Members(), ","))
	}
	srv := server.New(cfg, ks, exec, logger)
	logger.Info("keyspace ready", "databases", cfg.Databases(), "commands", len(ks.Table().All()))

	// Everything is wired before the first connection is accepted: the
	// AOF's hooks, the server's persistence, the loading state.
	p := newPersistence(cfg, ks, logger)
	srv.SetPersistence(p)
	defer p.Close()
	srv.SetScripts(newScripting(cfg, ks, router, p, logger))
	if cfg.AppendOnly() {
		if err := p.open(); err != nil {
			logger.Error("cannot open the append-only file", "err", err)
			return 1
		}
	}
	srv.SetLoading(cfg.AppendOnly())
	if err := srv.Listen(); err != nil {
		logger.Error("cannot listen", "err", err)
		return 1
	}
	if pf := cfg.PidFile(); pf != "" {
		if err := os.WriteFile(pf, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			logger.Warn("cannot write pidfile", "file", pf, "err", err)
		} else {
			defer os.Remove(pf)
		}
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		select {
		case sig := <-sigs:
			logger.Info("received signal, shutting down", "signal", sig.String())
			srv.Close()
		case <-srv.Done():
		}
	}()

	// Clients that connect while the AOF loads get -LOADING for whatever
	// needs the data.
	served := make(chan struct{})
	go func() {
		srv.Serve()
		close(served)
	}()
	logger.Info("ready to accept connections")
	stopExpire := make(chan struct{})
	if cfg.AppendOnly() {
		if err := p.load(); err != nil {
			logger.Error("cannot load the append-only file", "err", err)
			srv.Close()
			<-served
			return 1
		}
	}
	go p.autoRewrite(stopExpire)
	// Active expiry starts once the dataset is loaded and stale keys gone.
	go ks.ActiveExpire(cfg.Hz, stopExpire)
	srv.SetLoading(false)
	<-served
	close(stopExpire)
	// Every acknowledged write is already in the file; this flushes and
	// fsyncs the rest.
	if err := p.Close(); err != nil {
		logger.Error("closing the append-only file", "err", err)
		return 1
	}
	logger.Info("server stopped")
	return 0
}

// newScripting creates the scripting engine, which registers EVAL, FCALL,
// SCRIPT and FUNCTION: busy-reply-threshold read live, writing scripts
// refused while the AOF fails, and, in a cluster, scripts kept to this
// node's keys.
func newScripting(cfg *config.Config, ks *db.Keyspace, router *cluster.Router, p *persistence, logger *slog.Logger) *scripting.Engine {
	var threshold atomic.Int64
	load := func() { threshold.Store(cfg.Int("busy-reply-threshold") * int64(time.Millisecond)) }
	load()
	cfg.OnChange(func([]string) { load() })
	opts := scripting.Options{
		Log:           logger,
		BusyThreshold: func() time.Duration { return time.Duration(threshold.Load()) },
		WriteErr:      p.Err,
	}
	if router != nil {
		self := cfg.Self()
		opts.Cluster = true
		opts.KeyOwned = func(key []byte) bool { return router.Ring().Owner(key) == self }
	}
	return scripting.New(ks, opts)
}

// newLogger builds the logger the configuration asks for: loglevel
// debug|verbose|notice|warning|nothing, to logfile or stderr. The level
// follows CONFIG SET loglevel.
func newLogger(cfg *config.Config) (*slog.Logger, func(), error) {
	var out io.Writer = os.Stderr
	closeFn := func() {}
	if name := cfg.LogFile(); name != "" {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("open logfile: %w", err)
		}
		out, closeFn = f, func() { f.Close() }
	}
	level := new(slog.LevelVar)
	setLevel := func() {
		level.Set(map[string]slog.Level{
			"debug": slog.LevelDebug, "verbose": slog.LevelDebug, "notice": slog.LevelInfo,
			"warning": slog.LevelWarn, "nothing": slog.LevelError + 100,
		}[cfg.LogLevel()])
	}
	setLevel()
	cfg.OnChange(func([]string) { setLevel() })
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level})), closeFn, nil
}
