package scripting

import (
	"math"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"

	"myredis/db"
	"myredis/resp"
	"myredis/scripting/lualib"
)

// A state is one prepared Lua state with Redis's sandbox, pooled and reused
// by every script and function call; it serves one call at a time.
//
// Its globals are read-only, as in Redis 7.0: the environment a script sees
// (evalEnv, exposed as _G) is an empty table whose metatable looks names up
// in the sandbox's globals (evalG, which holds the call's KEYS and ARGV),
// failing on a name that is not there; assigning a global, rawset or setmetatable on
// it fails with "Attempt to modify a readonly table". Every library table
// (string, math, redis...) is likewise an empty proxy whose metatable
// reads the real table, so a script cannot change what the next call of
// the pooled state sees. Functions (FCALL) run in funcEnv, whose metatable
// reads the load API while FUNCTION LOAD runs a library and the runtime
// globals afterwards, as Redis switches them. Code that assigns no global
// runs with evalG or funcG itself as its environment instead, which saves
// a metatable lookup on every global read (see assignsGlobals).
type state struct {
	e    *Engine
	L    *lua.LState
	kill *killSwitch // the context of its Lua code

	evalEnv, evalG           *lua.LTable
	evalAPI, funcAPI         *lua.LTable // the redis tables of scripts and of functions, behind their proxies
	funcEnv, funcMeta, funcG *lua.LTable
	loadG                    *lua.LTable
	// shown maps each protected table to the table its contents come
	// from (for pairs, next, rawget), nil for one that shows nothing.
	shown      map[*lua.LTable]*lua.LTable
	errHandler *lua.LFunction
	ipairsIter *lua.LFunction // ipairs's iterator, made once

	evalGen uint64                     // the script cache generation evalFns belong to
	evalFns map[*script]*lua.LFunction // the scripts' main functions, made once per state
	libGen  uint64                     // the library set libFns was last checked against
	// libFns holds, per library set up in the state, its callbacks by
	// function name.
	libFns map[*library]map[string]*lua.LFunction

	atomic db.Atomic // the section of the call in progress, reused

	keys, argv   argTable    // the scripts' KEYS and ARGV, refilled by each call
	fkeys, fargv stringCache // the strings of the functions' keys and arguments

	run     *run                // the call in progress, nil between calls
	active  atomic.Pointer[run] // run, for the other goroutines (see Engine.register)
	current run                 // what run points to, reused by every call (see Engine.unregister)
	loading *loadSink           // FUNCTION LOAD in progress in this state

	// cmds remembers the commands the state's scripts called last.
	cmds db.LookupCache

	// Scratch for redis.call, reused by every call.
	args  [][]byte
	arena []byte
	w     *resp.Writer
	reply []byte
}

// newState builds a state with the sandbox.
func newState(e *Engine) *state {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 256,
		RegistrySize: 256 * 20, RegistryMaxSize: 256 * 1024})
	st := &state{e: e, L: L, shown: map[*lua.LTable]*lua.LTable{},
		evalFns: map[*script]*lua.LFunction{}, libFns: map[*library]map[string]*lua.LFunction{},
		keys: argTable{name: "KEYS"}, argv: argTable{name: "ARGV"}}
	st.kill = &killSwitch{}
	L.SetContext(st.kill)
	st.w = resp.NewWriter(nil)

	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath}, {lua.CoroutineLibName, lua.OpenCoroutine}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	lualib.OpenStdlib(L)
	lualib.Open(L)
	raw := L.G.Global

	// The builtins Redis keeps, as they are, then those MyRedis wraps.
	builtins := L.NewTable()
	for _, name := range []string{"assert", "getmetatable", "load", "loadstring",
		"rawequal", "select", "type", "unpack", "xpcall", "_VERSION"} {
		builtins.RawSetString(name, raw.RawGetString(name))
	}
	for name, fn := range map[string]lua.LGFunction{
		"tostring": luaToString, "pcall": luaPCall, "error": luaError, "rawset": st.rawset, "rawget": st.rawget,
		"setmetatable": st.setmetatable, "next": st.next, "pairs": st.pairs, "ipairs": st.ipairs,
		"collectgarbage": luaCollectGarbage, "gcinfo": luaGCInfo,
		"tonumber": luaToNumber(raw.RawGetString("tonumber").(*lua.LFunction).GFunction),
	} {
		builtins.RawSetString(name, L.NewFunction(fn))
	}

	// Libraries: the real tables stay hidden behind proxies.
	libs := map[string]*lua.LTable{}
	for _, name := range []string{"string", "table", "math", "coroutine", "cjson", "cmsgpack", "bit", "struct"} {
		if t, ok := raw.RawGetString(name).(*lua.LTable); ok {
			libs[name] = t
		}
	}
	libs["math"].RawSetString("random", L.NewFunction(luaRandom))
	libs["math"].RawSetString("randomseed", L.NewFunction(luaRandomSeed))
	// A coroutine runs under its creator's context itself (the kill
	// switch, or FUNCTION LOAD's timeout), not under the child context
	// gopher-lua gives a new thread (see killSwitch).
	co := libs["coroutine"]
	for _, name := range []string{"create", "wrap"} {
		orig := co.RawGetString(name).(*lua.LFunction).GFunction
		co.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			n := orig(L)
			if L.Context() == nil { // bounded code, which has no Lua function to run in a thread
				return n
			}
			switch v := L.Get(-1).(type) {
			case *lua.LState: // create returns the thread
				v.SetContext(L.Context())
			case *lua.LFunction: // wrap, a function over the thread
				v.Upvalues[0].Value().(*lua.LState).SetContext(L.Context())
			}
			return n
		}))
	}
	proxies := map[string]lua.LValue{}
	for name, t := range libs {
		proxies[name] = st.protect(t, false)
	}
	// ("x"):upper() reads the string library through its proxy. gopher-lua
	// makes the library its own strings' metatable: strings get one of
	// their own, and the library loses the __index that made it one.
	libs["string"].RawSetString("__index", lua.LNil)
	strMeta := st.metaIndex(proxies["string"].(*lua.LTable))
	strMeta.RawSetString("__metatable", st.frozen())
	L.SetMetatable(lua.LString(""), strMeta)

	// The globals of scripts and of functions differ only in their redis
	// table; while FUNCTION LOAD runs a library, only redis exists.
	globals := func(redis *lua.LTable) *lua.LTable {
		g := L.NewTable()
		builtins.ForEach(func(k, v lua.LValue) { g.RawSet(k, v) })
		for name, p := range proxies {
			g.RawSetString(name, p)
		}
		g.RawSetString("redis", st.protect(redis, false))
		L.SetMetatable(g, st.strictMeta(nil))
		return g
	}
	st.evalAPI, st.funcAPI = st.redisAPI(apiEval), st.redisAPI(apiFunction)
	st.evalG = globals(st.evalAPI)
	st.funcG = globals(st.funcAPI)
	st.loadG = L.NewTable()
	st.loadG.RawSetString("redis", st.protect(st.redisAPI(apiLoad), true))
	L.SetMetatable(st.loadG, st.strictMeta(nil))

	// KEYS and ARGV are set in the scripts' globals for each call.
	st.evalEnv = st.proxy(st.evalG, st.evalG)
	st.evalG.RawSetString("_G", st.evalEnv)
	st.funcMeta = st.metaIndex(st.funcG)
	st.funcMeta.RawSetString("__newindex", L.NewFunction(luaReadonly))
	st.funcMeta.RawSetString("__metatable", st.frozen())
	st.funcEnv = L.NewTable()
	L.SetMetatable(st.funcEnv, st.funcMeta)
	st.shown[st.funcEnv] = st.funcG
	st.funcG.RawSetString("_G", st.funcEnv)

	// Go functions' environment (getfenv) is the sandbox too.
	L.G.Global = st.evalEnv
	L.Env = st.evalEnv
	st.errHandler = L.NewFunction(st.handleError)
	st.ipairsIter = L.NewFunction(st.ipairsNext)
	return st
}

// metaIndex returns a metatable whose __index is t.
func (st *state) metaIndex(t *lua.LTable) *lua.LTable {
	mt := st.L.NewTable()
	mt.RawSetString("__index", t)
	return mt
}

// strictMeta returns the metatable of a table that fails on a missing
// name, as Redis's globals do ("Script attempted to access nonexistent
// global variable"); next, if set, is where names are looked up first.
func (st *state) strictMeta(next *lua.LTable) *lua.LTable {
	mt := st.L.NewTable()
	mt.RawSetString("__index", st.L.NewFunction(func(L *lua.LState) int {
		if next != nil {
			if v := next.RawGet(L.Get(2)); v != lua.LNil {
				L.Push(v)
				return 1
			}
		}
		L.RaiseError("Script attempted to access nonexistent global variable '%s'", L.ToStringMeta(L.Get(2)).String())
		return 0
	}))
	mt.RawSetString("__newindex", st.L.NewFunction(luaReadonly))
	return mt
}

// proxy returns an empty, read-only table that reads through index and
// whose contents, for iteration, are those of shown.
func (st *state) proxy(index, shown *lua.LTable) *lua.LTable {
	mt := st.metaIndex(index)
	mt.RawSetString("__newindex", st.L.NewFunction(luaReadonly))
	mt.RawSetString("__metatable", st.frozen())
	p := st.L.NewTable()
	st.L.SetMetatable(p, mt)
	st.shown[p] = shown
	return p
}

// protect returns the read-only proxy of t, after protecting the tables t
// holds. strict makes a missing name an error, as in the load API's redis
// table.
func (st *state) protect(t *lua.LTable, strict bool) *lua.LTable {
	t.ForEach(func(k, v lua.LValue) {
		if sub, ok := v.(*lua.LTable); ok && st.shown[sub] == nil && sub != t {
			t.RawSet(k, st.protect(sub, false))
		}
	})
	if !strict {
		return st.proxy(t, t)
	}
	mt := st.strictMeta(t)
	mt.RawSetString("__metatable", st.frozen())
	p := st.L.NewTable()
	st.L.SetMetatable(p, mt)
	st.shown[p] = t
	return p
}

// frozen returns a new empty read-only table, what getmetatable shows of
// a protected table.
func (st *state) frozen() *lua.LTable {
	f := st.L.NewTable()
	mt := st.L.NewTable()
	mt.RawSetString("__newindex", st.L.NewFunction(luaReadonly))
	mt.RawSetString("__metatable", f)
	st.L.SetMetatable(f, mt)
	st.shown[f] = nil
	return f
}

// errReadonly is Redis's error for a change to a protected table.
const errReadonly = "Attempt to modify a readonly table"

// luaReadonly is the __newindex of protected tables: the error carries the
// script's position, as Lua reports an assignment.
func luaReadonly(L *lua.LState) int {
	L.RaiseError(errReadonly)
	return 0
}

// isProtected reports whether t is one of the state's protected tables.
func (st *state) isProtected(t *lua.LTable) bool {
	_, ok := st.shown[t]
	return ok
}

// contents returns the table whose entries v shows: the real table behind
// a protected one.
func (st *state) contents(v lua.LValue) lua.LValue {
	if t, ok := v.(*lua.LTable); ok {
		if real, ok := st.shown[t]; ok {
			if real == nil {
				return st.L.NewTable()
			}
			return real
		}
	}
	return v
}

func (st *state) rawset(L *lua.LState) int {
	t := L.CheckTable(1)
	if st.isProtected(t) {
		L.Error(lua.LString(errReadonly), 0)
	}
	L.RawSet(t, L.CheckAny(2), L.CheckAny(3))
	L.SetTop(1)
	return 1
}

func (st *state) rawget(L *lua.LState) int {
	t := L.CheckTable(1)
	L.Push(L.RawGet(st.contents(t).(*lua.LTable), L.CheckAny(2)))
	return 1
}

func (st *state) setmetatable(L *lua.LState) int {
	if t, ok := L.Get(1).(*lua.LTable); ok && st.isProtected(t) {
		L.Error(lua.LString(errReadonly), 0)
	}
	L.CheckTypes(2, lua.LTNil, lua.LTTable)
	if mt, ok := L.GetMetatable(L.Get(1)).(*lua.LTable); ok && mt.RawGetString("__metatable") != lua.LNil {
		L.RaiseError("cannot change a protected metatable")
	}
	L.SetMetatable(L.CheckTable(1), L.Get(2))
	L.SetTop(1)
	return 1
}

func (st *state) next(L *lua.LState) int {
	t := st.contents(L.CheckTable(1)).(*lua.LTable)
	k, v := t.Next(L.Get(2))
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

func (st *state) pairs(L *lua.LState) int {
	t := L.CheckTable(1)
	L.Push(st.evalG.RawGetString("next"))
	L.Push(t)
	L.Push(lua.LNil)
	return 3
}

// ipairs returns the table it is given, not the one behind a protected
// table, which a script could then change.
func (st *state) ipairs(L *lua.LState) int {
	t := L.CheckTable(1)
	L.Push(st.ipairsIter)
	L.Push(t)
	L.Push(lua.LNumber(0))
	return 3
}

// ipairsNext is ipairs's iterator: it reads the entries a protected table
// shows.
func (st *state) ipairsNext(L *lua.LState) int {
	t := st.contents(L.CheckTable(1)).(*lua.LTable)
	i := L.CheckInt(2) + 1
	v := t.RawGetInt(i)
	if v == lua.LNil {
		return 0
	}
	L.Push(lua.LNumber(i))
	L.Push(v)
	return 2
}

// luaToString is tostring, with numbers formatted as Lua 5.1 formats them
// ("%.14g"), which gopher-lua does not.
func luaToString(L *lua.LState) int {
	v := L.CheckAny(1)
	if n, ok := v.(lua.LNumber); ok {
		L.Push(lua.LString(formatNumber(float64(n))))
		return 1
	}
	L.Push(L.ToStringMeta(v))
	return 1
}

// luaToNumber returns tonumber: orig, gopher-lua's, with a shortcut for
// what scripts mostly give it, a command's reply holding a short decimal
// integer (orig trims, lowers and parses in several steps, and boxes the
// number it returns). The shortcut gives what orig gives.
func luaToNumber(orig lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		if L.GetTop() == 1 {
			if s, ok := L.Get(1).(lua.LString); ok {
				if n, ok := shortDecimal(string(s)); ok {
					L.Push(luaInt(n))
					return 1
				}
			}
		}
		return orig(L)
	}
}

// shortDecimal parses s if it is an optional minus sign and 1 to 15
// decimal digits, nothing else.
func shortDecimal(s string) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// formatNumber formats f as Lua 5.1's tostring does: C's "%.14g".
func formatNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// luaError is Lua 5.1's error(message [, level]): a string or number
// message gets the position of the function level levels up (none when
// that is a Go function, as Lua adds none for a C function); any value,
// nil included, may be raised.
func luaError(L *lua.LState) int {
	obj := L.Get(1)
	level := L.OptInt(2, 1)
	var msg string
	switch v := obj.(type) {
	case lua.LString:
		msg = string(v)
	case lua.LNumber:
		msg = formatNumber(float64(v))
	default:
		L.Error(obj, 0)
		return 0
	}
	if level > 0 {
		if dbg, ok := L.GetStack(level); ok {
			if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.What != "G" && dbg.CurrentLine > 0 {
				msg = dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": " + msg
			}
		}
	}
	L.Error(lua.LString(msg), 0)
	return 0
}

// luaPCall is Redis's pcall: as Lua's, except that an error that is a
// Redis error table ({err = "..."}) comes back as its message, as it did
// before Redis 7 made errors tables.
func luaPCall(L *lua.LState) int {
	L.CheckAny(1)
	nargs := L.GetTop() - 1
	if err := L.PCall(nargs, lua.MultRet, nil); err != nil {
		obj := lua.LValue(lua.LString(err.Error()))
		if aerr, ok := err.(*lua.ApiError); ok {
			obj = aerr.Object
		}
		if t, ok := obj.(*lua.LTable); ok {
			if msg, ok := t.RawGetString("err").(lua.LString); ok {
				obj = msg
			}
		}
		if msg, ok := obj.(lua.LString); ok {
			obj = lua.LString(lua51Message(string(msg)))
		}
		L.Push(lua.LFalse)
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// luaCollectGarbage does not collect: the Go runtime does. "count"
// answers an estimate of the heap in kilobytes, as Lua's does.
func luaCollectGarbage(L *lua.LState) int {
	if L.OptString(1, "collect") == "count" {
		L.Push(lua.LNumber(float64(heapObjects()) / 1024))
		return 1
	}
	L.Push(lua.LNumber(0))
	return 1
}

func luaGCInfo(L *lua.LState) int {
	L.Push(lua.LNumber(heapObjects() / 1024))
	return 1
}

// The script's math.random: the same rand48 generator as Redis's, one for
// the whole process and never reseeded but by math.randomseed, so that a
// server started afresh gives Redis's sequence.
var rand48 = struct {
	sync.Mutex
	x uint64
}{x: 0x1234ABCD330E}

const rand48Max = 1<<31 - 1

// lrand48 advances the generator and returns its next 31 bits.
func lrand48() int64 {
	rand48.Lock()
	defer rand48.Unlock()
	rand48.x = (0x5DEECE66D*rand48.x + 0xB) & (1<<48 - 1)
	return int64(rand48.x >> 17)
}

func srand48(seed int32) {
	rand48.Lock()
	rand48.x = uint64(uint32(seed))<<16 | 0x330E
	rand48.Unlock()
}

func luaRandom(L *lua.LState) int {
	r := float64(lrand48()%rand48Max) / rand48Max
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := checkInt(L, 1, "random")
		if u < 1 {
			L.RaiseError("bad argument #1 to 'random' (interval is empty)")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l, u := checkInt(L, 1, "random"), checkInt(L, 2, "random")
		if l > u {
			L.RaiseError("bad argument #2 to 'random' (interval is empty)")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func luaRandomSeed(L *lua.LState) int {
	srand48(int32(checkInt(L, 1, "randomseed")))
	return 0
}

// checkInt is luaL_checkint: argument n as a C int, with Lua's error.
func checkInt(L *lua.LState, n int, fname string) int {
	v := L.Get(n)
	var f float64
	switch x := v.(type) {
	case lua.LNumber:
		f = float64(x)
	case lua.LString:
		p, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			L.RaiseError("bad argument #%d to '%s' (number expected, got string)", n, fname)
		}
		f = p
	default:
		got := v.Type().String()
		if v == lua.LNil && n > L.GetTop() {
			got = "no value"
		}
		L.RaiseError("bad argument #%d to '%s' (number expected, got %s)", n, fname, got)
	}
	return int(int32(int64(f)))
}

// heapObjects reads the bytes of live heap objects without stopping the
// world.
func heapObjects() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// measureState estimates the memory one prepared state takes, for INFO,
// by building one (which goes to the pool) and comparing the heap.
func measureState(e *Engine) int64 {
	runtime.GC()
	before := heapObjects()
	st := newState(e)
	after := heapObjects()
	e.pool.alive.Add(1)
	e.addState(st)
	e.pool.put(0, st)
	if d := after - before; d > 0 {
		return d
	}
	return 256 << 10
}

// reset makes the state ready for the next call after one ended: the
// environments a script may have changed with setfenv come back, and the
// kill switch is rearmed.
func (st *state) reset() {
	L := st.L
	L.Env = st.evalEnv
	L.G.Global = st.evalEnv
	L.SetTop(0)
	L.SetContext(st.kill)
	st.kill.rearm()
	st.run = nil
}

// argTable is KEYS or ARGV in the scripts' globals. Each call refills the
// same table rather than setting a new one, which costs gopher-lua two map
// writes and an allocation per global; a table the script changed in any
// way but its values is replaced. An entry that already holds the string
// the call passes is left as it is: a script's keys are mostly the same
// from one call to the next, and a new Lua string costs two allocations.
type argTable struct {
	name string
	t    *lua.LTable
	n    int // the entries the last call put in t, from 1

	// last is lua.LNumber(n), boxed once for untouched: boxing a number
	// allocates.
	last lua.LValue
}

// fill makes a.t hold items, from 1, and nothing else.
func (a *argTable) fill(st *state, items [][]byte) {
	if a.t == nil || !a.untouched() {
		a.t = st.L.CreateTable(len(items), 0)
		st.evalG.RawSetString(a.name, a.t)
		a.n = 0
	}
	for i, it := range items {
		if s, ok := a.t.RawGetInt(i + 1).(lua.LString); !ok || string(s) != string(it) {
			a.t.RawSetInt(i+1, lua.LString(it))
		}
	}
	for i := len(items) + 1; i <= a.n; i++ {
		a.t.RawSetInt(i, lua.LNil)
	}
	if a.n != len(items) || a.last == nil {
		a.n, a.last = len(items), lua.LNumber(len(items))
	}
}

// untouched reports whether a.t holds no key but 1..a.n and no
// metatable, as fill left it (its values may have changed). gopher-lua
// keeps the integer keys below lua.MaxArrayIndex in the table's array
// part, whose last entry MaxN finds; Next from there finds any other key.
func (a *argTable) untouched() bool {
	if a.t.Metatable != lua.LNil {
		return false
	}
	switch m := a.t.MaxN(); {
	case m > a.n:
		return false
	case m == 0: // no entry in the array part: ForEach boxes no index
		empty := true
		a.t.ForEach(func(lua.LValue, lua.LValue) { empty = false })
		return empty
	case m < a.n: // the script removed the last entries
		k, _ := a.t.Next(lua.LNumber(m))
		return k == lua.LNil
	}
	k, _ := a.t.Next(a.last)
	return k == lua.LNil
}

// statePool keeps prepared states for reuse: a call takes one and gives it
// back, so states are built only when more calls run at once than ever
// before (and at most maxFreeStates wait idle). The idle states are spread
// over shards, chosen by the caller's client ID, so that calls on several
// cores do not all meet on one mutex. Safe for concurrent use.
type statePool struct {
	e      *Engine
	shards [poolShards]struct {
		mu   sync.Mutex
		free []*state
		_    [40]byte // keeps shards on separate cache lines
	}
	alive atomic.Int64 // states built and not dropped, for INFO
}

const (
	maxFreeStates = 64
	poolShards    = 8
)

// get returns an idle state, from the shard of client id first, or a new
// one.
func (p *statePool) get(id int64) *state {
	for i := range poolShards {
		sh := &p.shards[(uint64(id)+uint64(i))%poolShards]
		sh.mu.Lock()
		if n := len(sh.free); n > 0 {
			st := sh.free[n-1]
			sh.free[n-1] = nil
			sh.free = sh.free[:n-1]
			sh.mu.Unlock()
			return st
		}
		sh.mu.Unlock()
	}
	p.alive.Add(1)
	st := newState(p.e)
	p.e.addState(st)
	return st
}

// put gives st back to the shard of client id; a state whose call ended
// abnormally is not given back, but dropped with drop.
func (p *statePool) put(id int64, st *state) {
	sh := &p.shards[uint64(id)%poolShards]
	sh.mu.Lock()
	if len(sh.free) < maxFreeStates/poolShards {
		sh.free = append(sh.free, st)
		sh.mu.Unlock()
		return
	}
	sh.mu.Unlock()
	p.drop(st)
}

// drop forgets st.
func (p *statePool) drop(st *state) {
	p.alive.Add(-1)
	p.e.removeState(st)
	st.kill.throw()
}

// size returns how many states exist.
func (p *statePool) size() int64 { return max(p.alive.Load(), 1) }
