package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"myredis/aof"
	"myredis/db"
	"myredis/resp"
)

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
