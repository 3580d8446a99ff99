package scripting

import (
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"myredis/db"
)

// Atomicity without a global lock.
//
// A script's commands run in a db.Atomic section, which EVAL and FCALL open
// themselves (they are flagged db.FlagTakesGate, so Exec takes nothing for
// them). Each script (by SHA1) and each function remembers how it behaved:
//
//   - Not run yet, or known to reach beyond its declared keys: it runs
//     exclusively, holding the whole gate as a keyless EXEC does, and may
//     touch any key, SELECT any database, run KEYS or FLUSHALL. If it
//     stayed within the shards of its declared keys, it is marked safe;
//     otherwise unsafe, for good.
//   - Safe: it runs holding one gate stripe and the shard locks of its
//     declared keys only, concurrently with commands and scripts on other
//     shards. If such a run reaches a key in a shard it does not hold (or a
//     command that needs the whole keyspace) before it has written, the
//     call raises an internal error that unwinds the script, the section
//     ends with nothing to log, and the script runs again from the start,
//     exclusively; it is marked unsafe. Its reply comes from that second
//     run only. (Commands the first run called may show twice in
//     commandstats and MONITOR: that happens once per script at most.)
//   - If it reaches such a key after it has written, the section tries to
//     take that shard without waiting out of lock order (db.Atomic.Exec,
//     for 50 ms at most); if it cannot, the call fails with errNotAtomic
//     (which redis.pcall returns and redis.call raises), and the writes
//     already made stay, as a failing script's do in Redis.
//
// A script is therefore atomic in every case: no other command runs
// between two of its commands on any key it touches, because it holds
// that key's shard (or the whole gate) from its first command to its end.

// errNotAtomic is the error of a call the script cannot make atomically
// (see above).
const errNotAtomic = "ERR Script attempted to access a key it did not declare in KEYS after writing, " +
	"while another client held it; declare every key the script uses"

// sessionHooks is what the engine tells the connection a script runs for,
// when the caller's Client.Ext implements it (the server's sessions do):
// Redis shows a script's commands in the command statistics, the error
// statistics, the slow log and MONITOR as its script client's. The
// methods are called on the caller's goroutine, with the script's locks
// held: they must only record, in memory.
type sessionHooks interface {
	// ScriptStarted is called as EVAL or FCALL starts, which MONITOR
	// shows before the commands the script calls.
	ScriptStarted(cmd *db.Command, dbIndex int, args [][]byte)
	// ScriptCalled is called after each command the script called, in
	// database dbIndex (after the command: a SELECT's new one): errMsg is
	// its error reply ("" if none); rejected says it was refused before
	// running (cmd is nil for an unknown command), with errMsg.
	ScriptCalled(cmd *db.Command, dbIndex int, args [][]byte, took time.Duration, errMsg string, rejected bool)
	// ScriptFailedQuietly is called when the script's reply holds an
	// error already counted when a command it called failed: cmd, the
	// script's command, failed, but the error is not counted twice.
	ScriptFailedQuietly(cmd *db.Command)
}

// A run is one EVAL or FCALL in progress. Other goroutines read it under
// Engine.mu (SCRIPT KILL, FUNCTION STATS, the watchdog): the fields set
// before it is registered do not change while it is; killed and written
// are atomic. Each state keeps one run (state.current), which its calls
// set anew: unregister waits out any reader that may still hold the run
// before the state serves another call.
type run struct {
	e      *Engine
	st     *state
	caller *db.Client
	hooks  sessionHooks
	args   [][]byte // the caller's command line, for FUNCTION STATS
	name   string   // the script's SHA1, or the function's name
	isEval bool
	// started is when the run got its locks (monotonic()), 0 until
	// then: busy-reply-threshold counts from there.
	started atomic.Int64

	readOnly bool // EVAL_RO, FCALL_RO, or the no-writes flag
	compat   bool // an EVAL script without a shebang (see oom.go)
	resp     int  // redis.setresp
	restart  bool // reached an undeclared shard before writing
	killed   atomic.Bool
	written  atomic.Bool // called a write command: it cannot be killed
}

// callSpec describes one EVAL or FCALL to run.
type callSpec struct {
	c          *db.Ctx
	keys, argv [][]byte
	name       string
	isEval     bool
	readOnly   bool
	safety     *atomic.Int32
	script     *script   // EVAL
	fn         *function // FCALL
}

// invoke runs a script or a function for c and writes its reply.
func (e *Engine) invoke(cs *callSpec) {
	c := cs.c
	st := e.pool.get(c.Client.ID)
	clean := false
	defer func() {
		if clean {
			st.reset()
			e.pool.put(c.Client.ID, st)
		} else {
			e.pool.drop(st) // a Go panic unwound it: do not reuse it
		}
	}()
	r := &st.current
	*r = run{e: e, st: st, caller: c.Client, args: c.Args, name: cs.name, isEval: cs.isEval, readOnly: cs.readOnly,
		compat: cs.script != nil && cs.script.flags&flagCompat != 0}
	r.hooks, _ = c.Client.Ext.(sessionHooks)
	now := c.Now
	if now == 0 {
		now = time.Now().UnixMilli()
	}
	st.run = r
	// Registered before it takes locks, so that commands waiting for them
	// poll (see db.SetScriptWait); timed from when it has them, so that
	// waiting for another script's locks does not make it busy itself.
	e.register(r)
	defer e.unregister(r)

	exclusive := cs.safety.Load() != safetySafe
	for {
		r.resp = 2
		result, failed, err := st.attempt(cs, exclusive, now)
		if err != nil { // a busy script held the locks
			c.W.WriteError(err.Error())
			break
		}
		if r.restart && !exclusive && !r.killed.Load() {
			cs.safety.Store(safetyUnsafe)
			exclusive, r.restart = true, false
			st.L.SetTop(0)
			continue
		}
		rw := replyWriter{w: c.W, resp3: r.resp == 3}
		if r.hooks != nil {
			rw.quiet = func() { r.hooks.ScriptFailedQuietly(c.Cmd) }
		}
		if failed {
			r.writeFailure(&rw, result)
		} else {
			rw.write(result, 0)
		}
		break
	}
	clean = true
}

// attempt runs the script once in an Atomic section, exclusive or holding
// the declared keys, and returns its value or its error object.
func (st *state) attempt(cs *callSpec, exclusive bool, now int64) (result lua.LValue, failed bool, err error) {
	a := &st.atomic
	if err := st.e.ks.BeginAtomic(a, cs.c.Client, cs.keys, exclusive, now); err != nil {
		return nil, false, err
	}
	defer a.End()
	st.run.started.CompareAndSwap(0, monotonic())
	L := st.L
	if cs.isEval {
		L.Push(st.evalFunction(cs.script))
		st.keys.fill(st, cs.keys)
		st.argv.fill(st, cs.argv)
		st.killable(!cs.script.bounded)
		result, failed = st.outcome(L.PCall(0, 1, st.errHandler))
	} else {
		fn := st.function(cs.fn)
		L.Push(fn)
		L.Push(st.fkeys.array(L, cs.keys, cs.fn.keepsNoArgs))
		L.Push(st.fargv.array(L, cs.argv, cs.fn.keepsNoArgs))
		st.killable(!cs.fn.bounded)
		result, failed = st.outcome(L.PCall(2, 1, st.errHandler))
		fn.Env = st.funcEnvOf(cs.fn.lib) // setfenv(1, ...) in the function does not last
	}
	if a.Exclusive() && !st.run.restart {
		if a.Escaped() {
			cs.safety.Store(safetyUnsafe)
		} else {
			cs.safety.CompareAndSwap(safetyUnknown, safetySafe)
		}
	}
	return result, failed, nil
}

// killable makes the code the state runs next check the kill switch
// before every instruction, or not: code that cannot loop runs without it
// (see runsBounded). reset puts the switch back.
func (st *state) killable(on bool) {
	if on {
		st.L.SetContext(st.kill)
	} else {
		st.L.RemoveContext()
	}
}

// outcome returns the value a call left on the stack, or its error object.
func (st *state) outcome(err error) (lua.LValue, bool) {
	L := st.L
	if err == nil {
		v := L.Get(-1)
		L.Pop(1)
		return v, false
	}
	var aerr *lua.ApiError
	if errors.As(err, &aerr) {
		return aerr.Object, true
	}
	return lua.LString(err.Error()), true
}

// stringCache remembers the Lua strings a function's arguments became in
// the last call, by position, to give the next call the same values where
// its arguments are the same: each new Lua string costs two allocations
// (its bytes and its interface box), and a function's keys are mostly the
// same from one call to the next. Strings are values, so sharing them
// between calls shows nowhere. Only short strings at the first positions
// are kept, so that a cache holds little.
//
// It also keeps the table it last made for a function that only reads
// its parameters' fields (function.keepsNoArgs): such a function cannot
// have kept or changed it, so the next call of such a function gets the
// same table, refilled, instead of a new one.
type stringCache struct {
	vals [maxCachedStrings]lua.LValue
	t    *lua.LTable // the reusable table, nil until one is made
	n    int         // the entries in t, from 1
}

const (
	maxCachedStrings   = 8
	maxCachedStringLen = 64
)

// array returns a Lua array of the strings in items: a new one, or when
// reuse is set the one the cache keeps, refilled.
func (c *stringCache) array(L *lua.LState, items [][]byte, reuse bool) *lua.LTable {
	t := c.t
	if !reuse || t == nil {
		t = L.CreateTable(len(items), 0)
	}
	for i, it := range items {
		if i >= maxCachedStrings || len(it) > maxCachedStringLen {
			t.RawSetInt(i+1, lua.LString(it))
			continue
		}
		if s, ok := c.vals[i].(lua.LString); !ok || string(s) != string(it) {
			c.vals[i] = lua.LString(it)
		}
		t.RawSetInt(i+1, c.vals[i])
	}
	if reuse {
		for i := len(items) + 1; i <= c.n; i++ {
			t.RawSetInt(i, lua.LNil)
		}
		c.t, c.n = t, len(items)
	}
	return t
}

// evalFunction returns the state's function for script s, made from its
// compiled code the first time, with the scripts' environment.
func (st *state) evalFunction(s *script) *lua.LFunction {
	if gen := st.e.scripts.Load().gen; st.evalGen != gen {
		clear(st.evalFns)
		st.evalGen = gen
	}
	fn := st.evalFns[s]
	if fn == nil {
		fn = st.L.NewFunctionFromProto(st.bindRedis(s.proto, st.evalAPI))
		st.evalFns[s] = fn
	}
	fn.Env = st.evalEnv
	if s.plainEnv {
		fn.Env = st.evalG
	}
	return fn
}

// handleError is the message handler of every script call: it turns the
// error into Redis's error table, {err = "CODE message"}, with the source
// and line where it was raised (Redis's __redis__err__handler).
func (st *state) handleError(L *lua.LState) int {
	obj := L.Get(1)
	t, ok := obj.(*lua.LTable)
	if r := st.run; r != nil && r.killed.Load() {
		t, ok = errorTable(L, "Script killed by user with SCRIPT KILL..."), true
	}
	if !ok {
		t = L.CreateTable(0, 3)
		s := "nil"
		switch v := obj.(type) {
		case lua.LString:
			s = lua51Message(string(v))
		case lua.LNumber:
			s = formatNumber(float64(v))
		case lua.LBool:
			s = v.String()
		case *lua.LNilType:
		default:
			s = L.ToStringMeta(v).String()
		}
		t.RawSetString("err", lua.LString("ERR "+s))
	}
	for level := 1; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.What == "G" {
			continue
		}
		t.RawSetString("source", lua.LString("@"+dbg.Source))
		t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
		break
	}
	L.Push(t)
	return 1
}

// writeFailure writes the reply of a script that raised obj: Redis's
// "-<error> script: <name>, on <source>:<line>.".
func (r *run) writeFailure(rw *replyWriter, obj lua.LValue) {
	t, ok := obj.(*lua.LTable)
	if !ok {
		rw.w.WriteError("ERR Error running script " + r.name + ", " + truncate(lua.LVAsString(obj), 100))
		return
	}
	msg := luaString(t.RawGetString("err"))
	if msg == "" {
		msg = "ERR (null)"
	}
	source, line := luaString(t.RawGetString("source")), luaString(t.RawGetString("line"))
	if source != "" && line != "" {
		msg += " script: " + r.name + ", on " + source + ":" + line + "."
	}
	rw.writeError(msg, t.RawGetString("ignore_error_stats_update") == lua.LTrue)
}

// luaString is lua_tostring for strings and numbers, "" for the rest.
func luaString(v lua.LValue) string {
	switch x := v.(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return formatNumber(float64(x))
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// redisCall is redis.call (raise) and redis.pcall: it runs one command for
// the script and returns its reply as a Lua value; an error is raised, or
// returned as an error table by pcall.
func (st *state) redisCall(L *lua.LState, raiseErrors bool) int {
	r := st.run
	if r == nil {
		raise(L, "redis.call/pcall can only be called inside a script invocation")
	}
	if r.restart {
		raise(L, "MyRedis restarts this script with the whole keyspace to itself")
	}
	if r.killed.Load() { // code without the kill switch (see runsBounded)
		raise(L, "killed") // handleError words it
	}
	args, msg := st.luaArgs(L)
	if msg != "" {
		t := errorTable(L, msg)
		if raiseErrors {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	L.SetTop(0)
	reply, refusal := st.exec(args)
	if r.restart {
		// Unwind the script: it runs again, exclusively. A pcall in the
		// script may catch this; the run is restarted all the same.
		raise(L, "MyRedis restarts this script with the whole keyspace to itself")
	}
	var v lua.LValue
	if refusal != "" {
		t := errorTable(L, refusal)
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
		v = t
	} else {
		v, _ = parseReply(L, reply)
	}
	if raiseErrors && (refusal != "" || reply[0] == '-') {
		L.Error(v, 0)
	}
	L.Push(v)
	return 1
}

// exec runs one command line for the script in its Atomic section and
// returns the reply, in the script's protocol, or the error that refused it
// before it ran ("message", or "-CODE message"). The reply is valid until
// the next call.
func (st *state) exec(args [][]byte) (reply []byte, refusal string) {
	r, e := st.run, st.e
	a := &st.atomic
	cmd, msg := st.cmds.Lookup(st.e.ks.Table(), args)
	if cmd == nil {
		if strings.HasPrefix(msg, "ERR wrong number of arguments") {
			named := e.ks.Table().Named(args)
			if named == nil { // an unknown subcommand counts for its command
				named = e.ks.Table().Get(args[0])
			}
			return nil, r.refuse(named, args, "Wrong number of args calling Redis command from script")
		}
		return nil, r.refuse(nil, args, "Unknown Redis command called from script")
	}
	if cmd.Flags&db.FlagNoScript != 0 {
		return nil, r.refuse(cmd, args, "This Redis command is not allowed from script")
	}
	if r.readOnly && cmd.Flags&(db.FlagWrite|db.FlagMayReplicate) != 0 {
		return nil, r.refuse(cmd, args, "Write commands are not allowed from read-only scripts.")
	}
	if msg := r.oomRefusal(cmd); msg != "" {
		return nil, r.refuse(cmd, args, msg)
	}
	if cmd.Flags&db.FlagWrite != 0 {
		if !r.written.Load() && e.opts.WriteErr != nil {
			if err := e.opts.WriteErr(); err != nil {
				return nil, r.refuse(cmd, args, "-MISCONF Errors writing to the AOF file: "+err.Error())
			}
		}
		r.written.Store(true)
	}
	if e.opts.KeyOwned != nil {
		var buf [8][]byte
		for _, k := range cmd.Keys(buf[:0], args) {
			if !e.opts.KeyOwned(k) {
				return nil, r.refuse(cmd, args, "Script attempted to access a non local key in a cluster node")
			}
		}
	}
	st.w.Reset(nil)
	st.w.SetProtocol(r.resp)
	start := monotonic()
	switch err := a.Exec(cmd, args, st.w); err {
	case nil:
	case db.ErrUndeclared:
		r.restart = true
		return nil, ""
	default:
		return nil, r.refuse(cmd, args, "-"+errNotAtomic)
	}
	took := time.Duration(monotonic() - start)
	st.reply = st.w.Take(st.reply[:0])
	if r.hooks != nil {
		errMsg := ""
		if st.reply[0] == '-' {
			errMsg = string(st.reply[1 : len(st.reply)-2])
		}
		r.hooks.ScriptCalled(cmd, a.DB(), args, took, errMsg, false)
	}
	return st.reply, ""
}

// refuse reports a call refused before it ran and returns its error.
func (r *run) refuse(cmd *db.Command, args [][]byte, msg string) string {
	if r.hooks != nil {
		full := msg
		if !strings.HasPrefix(full, "-") {
			full = "ERR " + full
		} else {
			full = full[1:]
		}
		r.hooks.ScriptCalled(cmd, r.st.atomic.DB(), args, 0, full, true)
	}
	return msg
}

// Busy detection and killing.

// register records r as running; a watchdog goroutine runs while any
// script does, to notice one running past busy-reply-threshold.
func (e *Engine) register(r *run) {
	r.st.active.Store(r)
	e.running.Add(1)
	if !e.watching.Load() && e.watching.CompareAndSwap(false, true) {
		go e.watch()
	}
}

// unregister forgets r, which has ended. Readers use a run only under
// e.mu, and find it through its state's active, cleared first: once
// unregister has held e.mu, none holds r, which the state's next call
// may then set anew.
func (e *Engine) unregister(r *run) {
	r.st.active.Store(nil)
	e.running.Add(-1)
	e.mu.Lock()
	if e.busy.Load() != notBusy {
		e.checkBusyLocked(monotonic())
	}
	e.mu.Unlock()
}

// addState and removeState keep the set of the pool's states, whose runs
// forEachRunLocked visits.
func (e *Engine) addState(st *state) {
	e.mu.Lock()
	e.states[st] = struct{}{}
	e.mu.Unlock()
}

func (e *Engine) removeState(st *state) {
	e.mu.Lock()
	delete(e.states, st)
	e.mu.Unlock()
}

// forEachRunLocked calls fn for each run in progress. The caller holds
// e.mu.
func (e *Engine) forEachRunLocked(fn func(r *run)) {
	for st := range e.states {
		if r := st.active.Load(); r != nil {
			fn(r)
		}
	}
}

// watch sets the busy state while scripts run, every few milliseconds,
// and ends when none does.
func (e *Engine) watch() {
	for {
		threshold := e.opts.BusyThreshold()
		tick := min(max(threshold/20, time.Millisecond), 10*time.Millisecond)
		time.Sleep(tick)
		if e.running.Load() == 0 {
			e.busy.Store(notBusy)
			e.watching.Store(false)
			// A run registered since the check found no watchdog.
			if e.running.Load() == 0 || !e.watching.CompareAndSwap(false, true) {
				return
			}
			continue
		}
		e.mu.Lock()
		e.checkBusyLocked(monotonic())
		e.mu.Unlock()
	}
}

// checkBusyLocked sets the busy state from the scripts running at now:
// that of the oldest that has run longer than the threshold. While the
// server shuts down, such scripts are stopped. The caller holds e.mu.
func (e *Engine) checkBusyLocked(now int64) {
	threshold := e.opts.BusyThreshold()
	var oldest *run
	e.forEachRunLocked(func(r *run) {
		start := r.started.Load()
		if start == 0 {
			return // waiting for its locks
		}
		if threshold > 0 && now-start >= int64(threshold) || e.aborting && threshold <= 0 {
			if oldest == nil || start < oldest.started.Load() {
				oldest = r
			}
			if e.aborting {
				r.kill()
			}
		}
	})
	switch {
	case oldest == nil:
		e.busy.Store(notBusy)
	case oldest.isEval:
		e.busy.Store(busyEval)
	default:
		e.busy.Store(busyFunction)
	}
}

// kill stops the script at its next Lua instruction.
func (r *run) kill() {
	r.killed.Store(true)
	r.st.kill.throw()
}

// killScript is SCRIPT KILL (isEval) and FUNCTION KILL: it stops the
// script that has run longest, if it has not written, with Redis's
// replies.
func (e *Engine) killScript(isEval bool) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var oldest *run
	e.forEachRunLocked(func(r *run) {
		if start := r.started.Load(); start != 0 && (oldest == nil || start < oldest.started.Load()) {
			oldest = r
		}
	})
	switch {
	case oldest == nil:
		return "NOTBUSY No scripts in execution right now."
	case oldest.written.Load():
		return "UNKILLABLE Sorry the script already executed write commands against the dataset. " +
			"You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
	case isEval && !oldest.isEval:
		return errBusyFunction
	case !isEval && oldest.isEval:
		return errBusyEval
	}
	oldest.kill()
	return ""
}

// runningFunction describes, for FUNCTION STATS, the script that has run
// past the threshold: found is false when there is none; for an EVAL
// script, FUNCTION STATS answers BUSY.
func (e *Engine) runningFunction() (name string, args [][]byte, ms int64, isEval, found bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	threshold := e.opts.BusyThreshold()
	now := monotonic()
	var oldest *run
	e.forEachRunLocked(func(r *run) {
		start := r.started.Load()
		if start != 0 && threshold > 0 && now-start >= int64(threshold) && (oldest == nil || start < oldest.started.Load()) {
			oldest = r
		}
	})
	if oldest == nil {
		return "", nil, 0, false, false
	}
	for _, a := range oldest.args { // copied: the caller's buffer outlives the lock only while the script runs
		args = append(args, append([]byte(nil), a...))
	}
	return oldest.name, args, (now - oldest.started.Load()) / int64(time.Millisecond), oldest.isEval, true
}

// clockBase anchors monotonic.
var clockBase = time.Now()

// monotonic returns the nanoseconds since the package started, on the
// monotonic clock, never 0. It reads one clock where time.Now reads two
// (the wall clock too): a script's commands are timed one by one.
func monotonic() int64 { return int64(time.Since(clockBase)) + 1 }

// itoa formats n in decimal.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
