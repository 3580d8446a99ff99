// Command idgo is an ID generator speaking the Redis protocol, compatible
// with github.com/flike/idgo, that keeps its counters in MyRedis instead of
// MySQL. GET key returns the next ID of generator key; IDs are leased from
// MyRedis in blocks (one INCRBY each) and served from memory. See the
// README's idgo section and idgo.yaml.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	path := flag.String("config", "idgo.yaml", "the YAML configuration file")
	flag.Parse()
	if err := run(*path); err != nil {
		fmt.Fprintln(os.Stderr, "idgo:", err)
		os.Exit(1)
	}
}

// run loads the configuration, listens and serves until SIGINT or SIGTERM.
func run(path string) error {
	cfg, err := LoadConfig(path)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevels[cfg.LogLevel]}))
	store := newRedisStore(cfg.Storage)
	defer store.Close()
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := NewServer(NewService(store, cfg.Batch), log)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		s := <-sig
		log.Info("stopping", "signal", s.String())
		l.Close()
	}()
	log.Info("idgo serving", "addr", l.Addr().String(), "storage", cfg.Storage.Addrs, "batch", cfg.Batch)
	srv.Serve(l)
	srv.Close()
	return nil
}
