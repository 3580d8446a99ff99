// Package scripting runs Lua scripts as Redis 7.0 does: EVAL, EVALSHA and
// their read-only forms, SCRIPT, FUNCTION, FCALL and FCALL_RO, on Lua 5.1
// (github.com/yuin/gopher-lua).
//
// Scripts are compiled once and cached by the SHA1 of their body; function
// libraries are compiled once when loaded. They run on a pool of prepared
// Lua states (see state), each with Redis's sandbox: string, table, math,
// the libraries of package lualib (cjson, cmsgpack, bit, struct), the redis.*
// API, read-only globals.
//
// A script's commands run in a db.Atomic section: with the shard locks of
// its declared keys when the script is known to stay within them, under the
// exclusive gate otherwise (see run.go). Nothing here re-enters
// Keyspace.Exec, and no lock is held when the reply leaves: the script
// writes its reply into memory, like any command.
//
// Where gopher-lua differs from Lua 5.1, the sandbox brings it back:
// string.format and the table library's compatibility functions come from
// lualib.OpenStdlib, and compile and runtime errors are reworded as Lua 5.1
// words them (cache.go, luaerr.go). What remains different: a runtime error
// does not name the variable involved ("attempt to index a nil value"
// where Lua says "attempt to index local 't' (a nil value)"), an over-long
// expression's compile error does not name its token, and tables are
// iterated in gopher-lua's order (array part, then insertion order).
package scripting

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"myredis/db"
)

func init() {
	// gopher-lua keeps every integer key below MaxArrayIndex (2^26 by
	// default) in a slice and fills the gap with nils, so t[2^26-1] = 1 in
	// a script would allocate a gigabyte. Keys past 2^20 go to the hash.
	lua.MaxArrayIndex = 1 << 20
}

// Options configure an Engine. Every field may be left zero.
type Options struct {
	Log *slog.Logger
	// BusyThreshold returns busy-reply-threshold (lua-time-limit), read
	// live: a script running longer makes other clients' commands fail
	// with -BUSY. Zero or negative: never. Nil means Redis's 5 s.
	BusyThreshold func() time.Duration
	// WriteErr returns why writes cannot be made durable now (the AOF
	// failing), nil when they can: writing scripts then fail as Redis's
	// do with MISCONF.
	WriteErr func() error
	// Cluster says the node is a cluster member: scripts flagged
	// no-cluster are refused, and KeyOwned, if set, says which keys a
	// script may touch here.
	Cluster  bool
	KeyOwned func(key []byte) bool
}

// Engine is the scripting engine of one keyspace: the script cache, the
// function libraries, the pool of Lua states, and the scripts running now.
// Safe for concurrent use. Create it with New.
type Engine struct {
	ks   *db.Keyspace
	opts Options
	log  *slog.Logger

	scripts atomic.Pointer[scriptCache] // replaced whole by SCRIPT FLUSH
	libs    atomic.Pointer[librarySet]  // replaced whole by every FUNCTION change
	libMu   sync.Mutex                  // serialises the FUNCTION changes

	pool statePool

	// The scripts running now, for BUSY, SCRIPT KILL and FUNCTION STATS:
	// each on its state (state.active), all of them in states.
	mu       sync.Mutex
	states   map[*state]struct{} // guarded by mu: the pool's states
	watching atomic.Bool         // the watchdog goroutine runs
	aborting bool                // guarded by mu: the server shuts down (Abort)
	busy     atomic.Int32
	running  atomic.Int32 // the states with a run in progress

	// stateBytes estimates the memory of one prepared Lua state.
	stateBytes int64

	cmds struct{ eval, evalsha, evalRO, evalshaRO, fcall, fcallRO *db.Command }
}

// The values of Engine.busy.
const (
	notBusy      = 0
	busyEval     = 1 // a script run by EVAL or EVALSHA
	busyFunction = 2 // a function run by FCALL
)

// Redis's BUSY errors.
const (
	errBusyEval     = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	errBusyFunction = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
)

// New returns the engine for ks and registers EVAL, EVALSHA, EVAL_RO,
// EVALSHA_RO, FCALL, FCALL_RO, SCRIPT and FUNCTION in its command table,
// and the hook that writes the function libraries into every snapshot (an
// AOF rewrite). Call it once per keyspace, before serving.
func New(ks *db.Keyspace, opts Options) *Engine {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.BusyThreshold == nil {
		opts.BusyThreshold = func() time.Duration { return 5 * time.Second }
	}
	e := &Engine{ks: ks, opts: opts, log: opts.Log}
	e.scripts.Store(newScriptCache(1))
	e.libs.Store(&librarySet{gen: 1})
	e.pool.e = e
	e.states = map[*state]struct{}{}
	e.stateBytes = measureState(e)
	e.registerCommands(ks.Table())
	ks.OnSnapshot(e.snapshotLibraries)
	ks.SetScriptWait(func() bool { return e.running.Load() > 0 }, e.Busy)
	return e
}

// Busy returns the error reply for a command refused because a script has
// run longer than busy-reply-threshold, or "" when none has. The server
// asks before every command that is not flagged allow_busy, before the
// command takes any lock. Cheap: one atomic load.
func (e *Engine) Busy() string {
	switch e.busy.Load() {
	case busyEval:
		return errBusyEval
	case busyFunction:
		return errBusyFunction
	}
	return ""
}

// Abort stops the scripts that have run longer than busy-reply-threshold,
// whether or not they have written, and any that does later: the server is
// shutting down (SHUTDOWN NOSAVE, or a signal while a script is busy).
// Their clients get the error of a killed script; what they wrote stays.
func (e *Engine) Abort() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.aborting = true
	e.checkBusyLocked(monotonic())
}

// Info returns the scripting figures of INFO's memory section, by Redis's
// field names (without the _human ones): used_memory_vm_eval,
// used_memory_scripts_eval, number_of_cached_scripts,
// number_of_functions, number_of_libraries, used_memory_vm_functions and
// used_memory_functions. The VM figures estimate the pooled Lua states
// (each runs both scripts and functions) and the compiled code.
func (e *Engine) Info() map[string]int64 {
	sc := e.scripts.Load()
	libs := e.libs.Load()
	states := int64(e.pool.size())
	vm := states * e.stateBytes
	return map[string]int64{
		"used_memory_vm_eval":      vm/2 + sc.bytes.Load(),
		"used_memory_scripts_eval": sc.bytes.Load() + int64(sc.count.Load())*scriptOverhead,
		"number_of_cached_scripts": int64(sc.count.Load()),
		"number_of_functions":      int64(len(libs.funcs)),
		"number_of_libraries":      int64(len(libs.libs)),
		"used_memory_vm_functions": vm - vm/2 + libs.codeBytes,
		"used_memory_functions":    libs.codeBytes + int64(len(libs.funcs))*functionOverhead,
	}
}

// Memory estimates of the bookkeeping around a cached script and a
// function, for INFO.
const (
	scriptOverhead   = 160
	functionOverhead = 200
)
