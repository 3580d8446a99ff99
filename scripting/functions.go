package scripting

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"myredis/db"
	"myredis/resp"
)

// A library is one FUNCTION LOAD payload, compiled. Immutable.
type library struct {
	name  string
	code  string // the whole payload, shebang included, as FUNCTION LIST WITHCODE shows it
	proto *lua.FunctionProto
	funcs map[string]*function // by name
	// plainEnv: the code assigns no global, so its functions may run with
	// the globals table itself as their environment (see assignsGlobals).
	plainEnv bool
}

// A function is one function a library registered.
type function struct {
	name    string
	desc    string
	hasDesc bool
	flags   scriptFlags
	lib     *library
	safety  atomic.Int32
	// keepsNoArgs: the callback only reads fields of its keys and
	// arguments tables (see onlyIndexesParams), which may be reused.
	keepsNoArgs bool
	// bounded: the callback runs a bounded number of instructions (see
	// runsBounded).
	bounded bool
}

// A librarySet is every library loaded at one time, with their functions.
// Immutable: every FUNCTION change installs a new set (Engine.libs), and
// the Lua states set up the libraries of the set a call uses.
type librarySet struct {
	gen       uint64
	libs      map[string]*library  // by name, case-sensitive
	funcs     map[string]*function // by lower-case name: function names ignore case
	codeBytes int64
}

// with returns a new set: s without the libraries in drop, plus add.
func (s *librarySet) with(drop []*library, add ...*library) *librarySet {
	n := &librarySet{gen: s.gen + 1, libs: map[string]*library{}, funcs: map[string]*function{}}
	for name, l := range s.libs {
		if !slices.Contains(drop, l) {
			n.libs[name] = l
		}
	}
	for _, l := range add {
		n.libs[l.name] = l
	}
	for _, l := range n.libs {
		n.codeBytes += int64(len(l.code))
		for _, f := range l.funcs {
			n.funcs[strings.ToLower(f.name)] = f
		}
	}
	return n
}

// sorted returns the libraries in name order.
func (s *librarySet) sorted() []*library {
	out := make([]*library, 0, len(s.libs))
	for _, l := range s.libs {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b *library) int { return strings.Compare(a.name, b.name) })
	return out
}

// loadTimeout bounds how long FUNCTION LOAD may run a library's code, as
// in Redis (not while the AOF loads).
const loadTimeout = 500 * time.Millisecond

// errLibraryName is Redis's error for a bad library or function name.
const errLibraryName = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

// validName reports whether name is made of letters, digits and
// underscores, and not empty.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// libraryMeta reads a library's shebang: "#!<engine> name=<name>". It
// returns the engine, the name and the code after the shebang line (from
// its line feed, so that line numbers count the shebang).
func libraryMeta(code string) (engine, name, body string, err error) {
	if !strings.HasPrefix(code, "#!") {
		return "", "", "", scriptError("Missing library metadata")
	}
	end := strings.IndexByte(code, '\n')
	if end < 0 {
		return "", "", "", scriptError("Invalid library metadata")
	}
	parts, ok := resp.SplitArgs([]byte(code[:end]))
	if !ok || len(parts) == 0 {
		return "", "", "", scriptError("Invalid library metadata")
	}
	engine = string(parts[0][2:])
	found := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(string(p[:5]), "name=") {
			if found {
				return "", "", "", scriptError("Invalid metadata value, name argument was given multiple times")
			}
			name, found = string(p[5:]), true
			continue
		}
		return "", "", "", scriptError("Invalid metadata value given: " + string(p))
	}
	if !found {
		return "", "", "", scriptError("Library name was not given")
	}
	return engine, name, code[end:], nil
}

// loadSink collects what redis.register_function registers while a
// library's code runs in a state.
type loadSink struct {
	lib   *library
	quiet bool // setting a library up again in another state: no logs
	cbs   map[string]*lua.LFunction
}

// createLibrary compiles code and runs it to learn its functions, as
// FUNCTION LOAD does, checking it against set: a library of the same name
// is an error unless replace. It returns the new library and the one it
// replaces, if any.
func (e *Engine) createLibrary(set *librarySet, code string, replace bool, timeout time.Duration) (lib, old *library, err error) {
	engine, name, body, err := libraryMeta(code)
	if err != nil {
		return nil, nil, err
	}
	if !validName(name) {
		return nil, nil, scriptError(errLibraryName)
	}
	if !strings.EqualFold(engine, "lua") {
		return nil, nil, scriptError("Engine '" + engine + "' not found")
	}
	old = set.libs[name]
	if old != nil && !replace {
		return nil, nil, scriptError("Library '" + name + "' already exists")
	}
	proto, cerr := compile(body, "user_function")
	if cerr != nil {
		return nil, nil, scriptError("Error compiling function: " + cerr.Error())
	}
	lib = &library{name: name, code: code, proto: proto, funcs: map[string]*function{}, plainEnv: !assignsGlobals(proto)}
	st := e.pool.get(0)
	cbs, err := st.setUp(lib, timeout, false)
	if err == nil {
		st.libFns[lib] = cbs // kept if the library is installed (see function)
	}
	st.reset()
	e.pool.put(0, st)
	if err != nil {
		return nil, nil, err
	}
	if len(lib.funcs) == 0 {
		return nil, nil, scriptError("No functions registered")
	}
	for _, f := range lib.funcs {
		if other := set.funcs[strings.ToLower(f.name)]; other != nil && other.lib != old {
			return nil, nil, scriptError("Function " + f.name + " already exists")
		}
	}
	return lib, old, nil
}

// setUp runs lib's code in the state in load mode: its globals are the load
// API, redis.register_function records functions (in lib.funcs when the
// library is new, quiet false) and their callbacks, which setUp returns.
// timeout, if positive, stops code that runs longer.
func (st *state) setUp(lib *library, timeout time.Duration, quiet bool) (map[string]*lua.LFunction, error) {
	L := st.L
	sink := &loadSink{lib: lib, quiet: quiet, cbs: map[string]*lua.LFunction{}}
	st.loading = sink
	st.funcMeta.RawSetString("__index", st.loadG)
	var cancel context.CancelFunc = func() {}
	if timeout > 0 {
		var ctx context.Context
		ctx, cancel = context.WithTimeout(context.Background(), timeout)
		L.SetContext(ctx)
	}
	fn := L.NewFunctionFromProto(lib.proto)
	fn.Env = st.funcEnv
	L.Push(fn)
	err := L.PCall(0, 0, nil)
	timedOut := L.Context() != context.Context(st.kill) && L.Context().Err() != nil
	cancel()
	L.SetContext(st.kill)
	st.funcMeta.RawSetString("__index", st.funcG)
	st.loading = nil
	if err != nil {
		msg := "ERR FUNCTION LOAD timeout"
		if !timedOut {
			msg = loadErrorText(err)
		}
		return nil, scriptError("Error registering functions: " + msg)
	}
	for _, cb := range sink.cbs {
		if cb.Proto != nil {
			cb.Proto = st.bindRedis(cb.Proto, st.funcAPI)
		}
	}
	return sink.cbs, nil
}

// loadErrorText is the message of an error raised while a library loads:
// a Redis error table's err, or "ERR " and the error itself.
func loadErrorText(err error) string {
	var aerr *lua.ApiError
	if !errors.As(err, &aerr) {
		return "ERR " + err.Error()
	}
	if t, ok := aerr.Object.(*lua.LTable); ok {
		return luaString(t.RawGetString("err"))
	}
	return "ERR " + luaString(aerr.Object)
}

// function returns the state's callback for f, setting f's library up in
// the state first if the state has not yet.
func (st *state) function(f *function) *lua.LFunction {
	set := st.e.libs.Load()
	if st.libGen != set.gen {
		// Forget the libraries no longer loaded.
		for lib := range st.libFns {
			if set.libs[lib.name] != lib {
				delete(st.libFns, lib)
			}
		}
		st.libGen = set.gen
	}
	cbs := st.libFns[f.lib]
	if cbs == nil {
		cbs, _ = st.setUp(f.lib, 0, true)
		st.libFns[f.lib] = cbs
	}
	fn := cbs[f.name]
	fn.Env = st.funcEnvOf(f.lib)
	return fn
}

// funcEnvOf returns the environment lib's functions run with: the
// functions' globals, through their proxy unless the library assigns no
// global (see assignsGlobals).
func (st *state) funcEnvOf(lib *library) *lua.LTable {
	if lib.plainEnv {
		return st.funcG
	}
	return st.funcEnv
}

// registerFunction is redis.register_function, in its two forms:
// (name, callback) and ({function_name=, callback=, flags=, description=}).
func (st *state) registerFunction(L *lua.LState) int {
	sink := st.loading
	if sink == nil {
		raise(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	argc := L.GetTop()
	if argc < 1 || argc > 2 {
		raise(L, "wrong number of arguments to redis.register_function")
	}
	f := &function{lib: sink.lib}
	var cb *lua.LFunction
	if argc == 2 {
		name, ok := luaStringArg(L.Get(1))
		if !ok {
			raise(L, "first argument to redis.register_function must be a string")
		}
		f.name = name
		if cb, ok = L.Get(2).(*lua.LFunction); !ok {
			raise(L, "second argument to redis.register_function must be a function")
		}
	} else {
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			raise(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		named := false
		for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
			key, ok := luaStringArg(k)
			if !ok {
				raise(L, "named argument key given to redis.register_function is not a string")
			}
			switch strings.ToLower(key) {
			case "function_name":
				if f.name, ok = luaStringArg(v); !ok {
					raise(L, "function_name argument given to redis.register_function must be a string")
				}
				named = true
			case "description":
				if f.desc, ok = luaStringArg(v); !ok {
					raise(L, "description argument given to redis.register_function must be a string")
				}
				f.hasDesc = true
			case "callback":
				if cb, ok = v.(*lua.LFunction); !ok {
					raise(L, "callback argument given to redis.register_function must be a function")
				}
			case "flags":
				list, ok := v.(*lua.LTable)
				if !ok {
					raise(L, "flags argument to redis.register_function must be a table representing function flags")
				}
				for i := 1; ; i++ {
					fv := list.RawGetInt(i)
					if fv == lua.LNil {
						break
					}
					s, ok := luaStringArg(fv)
					flag, known := flagByName(s, true)
					if !ok || !known {
						raise(L, "unknown flag given")
					}
					f.flags |= flag
				}
			default:
				raise(L, "unknown argument given to redis.register_function")
			}
		}
		if !named {
			raise(L, "redis.register_function must get a function name argument")
		}
		if cb == nil {
			raise(L, "redis.register_function must get a callback argument")
		}
	}
	if !validName(f.name) {
		raise(L, errLibraryName)
	}
	if _, dup := sink.cbs[f.name]; dup {
		raise(L, "Function already exists in the library")
	}
	sink.cbs[f.name] = cb
	f.keepsNoArgs, f.bounded = onlyIndexesParams(cb.Proto), runsBounded(cb.Proto)
	if !sink.quiet {
		sink.lib.funcs[f.name] = f
	}
	return 0
}

// luaStringArg is a string or number argument as a string
// (lua_isstring).
func luaStringArg(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return formatNumber(float64(x)), true
	}
	return "", false
}

// snapshotLibraries is the keyspace's snapshot hook: at the snapshot's
// instant it takes the loaded libraries (an immutable set), and emits
// each as FUNCTION LOAD afterwards, as Redis 7 writes them at the start of
// a rewritten AOF.
func (e *Engine) snapshotLibraries() func(emit func(db int, args [][]byte)) {
	set := e.libs.Load()
	if len(set.libs) == 0 {
		return nil
	}
	return func(emit func(db int, args [][]byte)) {
		for _, l := range set.sorted() {
			emit(0, [][]byte{[]byte("FUNCTION"), []byte("LOAD"), []byte(l.code)})
		}
	}
}

// functionLoad is FUNCTION LOAD [REPLACE] code.
func (e *Engine) functionLoad(c *db.Ctx) {
	replace := false
	i := 2
	for ; i < len(c.Args)-1; i++ {
		if !db.EqualFold(c.Args[i], "replace") {
			c.W.WriteError("ERR Unknown option given: " + string(c.Args[i]))
			return
		}
		replace = true
	}
	if i >= len(c.Args) {
		c.W.WriteError("ERR Function code is missing")
		return
	}
	timeout := loadTimeout
	if e.ks.Loading() {
		timeout = 0
	}
	e.libMu.Lock()
	defer e.libMu.Unlock()
	set := e.libs.Load()
	lib, old, err := e.createLibrary(set, string(c.Args[i]), replace, timeout)
	if err != nil {
		c.W.WriteError("ERR " + err.Error())
		return
	}
	var drop []*library
	if old != nil {
		drop = append(drop, old)
	}
	e.libs.Store(set.with(drop, lib))
	c.Propagate()
	c.W.WriteBulkString(lib.name)
}

// functionDelete is FUNCTION DELETE library-name.
func (e *Engine) functionDelete(c *db.Ctx) {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	set := e.libs.Load()
	lib := set.libs[string(c.Args[2])]
	if lib == nil {
		c.W.WriteError("ERR Library not found")
		return
	}
	e.libs.Store(set.with([]*library{lib}))
	c.Propagate()
	c.WriteOK()
}

// functionFlush is FUNCTION FLUSH [ASYNC|SYNC].
func (e *Engine) functionFlush(c *db.Ctx) {
	switch {
	case len(c.Args) > 3:
		writeSubcommandError(c)
		return
	case len(c.Args) == 3 && !db.EqualFold(c.Args[2], "sync") && !db.EqualFold(c.Args[2], "async"):
		c.W.WriteError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	e.libMu.Lock()
	defer e.libMu.Unlock()
	set := e.libs.Load()
	e.libs.Store(set.with(set.sorted()))
	c.Propagate()
	c.WriteOK()
}

// functionList is FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: the
// libraries, in name order, each with its functions in name order.
func (e *Engine) functionList(c *db.Ctx) {
	withCode := false
	var pattern []byte
	hasPattern := false
	for i := 2; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case !withCode && db.EqualFold(a, "withcode"):
			withCode = true
		case !hasPattern && db.EqualFold(a, "libraryname"):
			if i >= len(c.Args)-1 {
				c.W.WriteError("ERR library name argument was not given")
				return
			}
			i++
			pattern, hasPattern = c.Args[i], true
		default:
			c.W.WriteError("ERR Unknown argument " + string(a))
			return
		}
	}
	var libs []*library
	for _, l := range e.libs.Load().sorted() {
		if !hasPattern || globMatch(pattern, []byte(l.name)) {
			libs = append(libs, l)
		}
	}
	w := c.W
	w.WriteArray(len(libs))
	for _, l := range libs {
		if withCode {
			w.WriteMap(4)
		} else {
			w.WriteMap(3)
		}
		w.WriteBulkString("library_name")
		w.WriteBulkString(l.name)
		w.WriteBulkString("engine")
		w.WriteBulkString("LUA")
		w.WriteBulkString("functions")
		names := make([]string, 0, len(l.funcs))
		for name := range l.funcs {
			names = append(names, name)
		}
		slices.Sort(names)
		w.WriteArray(len(names))
		for _, name := range names {
			f := l.funcs[name]
			w.WriteMap(3)
			w.WriteBulkString("name")
			w.WriteBulkString(f.name)
			w.WriteBulkString("description")
			if f.hasDesc {
				w.WriteBulkString(f.desc)
			} else {
				w.WriteNull()
			}
			w.WriteBulkString("flags")
			n := 0
			for _, fn := range scriptFlagNames {
				if f.flags&fn.f != 0 {
					n++
				}
			}
			w.WriteSet(n)
			for _, fn := range scriptFlagNames {
				if f.flags&fn.f != 0 {
					w.WriteSimple(fn.name)
				}
			}
		}
		if withCode {
			w.WriteBulkString("library_code")
			w.WriteBulkString(l.code)
		}
	}
}

// functionStats is FUNCTION STATS: the function running past the busy
// threshold, if any, and the counts of the one engine.
func (e *Engine) functionStats(c *db.Ctx) {
	name, args, ms, isEval, running := e.runningFunction()
	if running && isEval {
		c.W.WriteError(errBusyEval)
		return
	}
	w := c.W
	w.WriteMap(2)
	w.WriteBulkString("running_script")
	if !running {
		w.WriteNull()
	} else {
		w.WriteMap(3)
		w.WriteBulkString("name")
		w.WriteBulkString(name)
		w.WriteBulkString("command")
		w.WriteArray(len(args))
		for _, a := range args {
			w.WriteBulk(a)
		}
		w.WriteBulkString("duration_ms")
		w.WriteInt(ms)
	}
	set := e.libs.Load()
	w.WriteBulkString("engines")
	w.WriteMap(1)
	w.WriteBulkString("LUA")
	w.WriteMap(2)
	w.WriteBulkString("libraries_count")
	w.WriteInt(int64(len(set.libs)))
	w.WriteBulkString("functions_count")
	w.WriteInt(int64(len(set.funcs)))
}

// fcall is FCALL and FCALL_RO function numkeys key... arg...
func (e *Engine) fcall(c *db.Ctx, ro bool) {
	if h, ok := c.Client.Ext.(sessionHooks); ok {
		h.ScriptStarted(c.Cmd, c.Client.DB, c.Args)
	}
	funcs := e.libs.Load().funcs
	f := funcs[string(c.Args[1])] // names are kept in lower case
	if f == nil {
		f = funcs[strings.ToLower(string(c.Args[1]))]
	}
	if f == nil {
		c.W.WriteError("ERR Function not found")
		return
	}
	numkeys, ok := db.ParseInt(c.Args[2])
	if !ok {
		c.W.WriteError("ERR Bad number of keys provided")
		return
	}
	keys, argv, ok := splitKeys(c, numkeys)
	if !ok {
		return
	}
	if msg := e.checkFlags(f.flags, ro); msg != "" {
		c.W.WriteError(msg)
		return
	}
	e.invoke(&callSpec{c: c, keys: keys, argv: argv, name: f.name, readOnly: ro || f.flags&flagNoWrites != 0,
		safety: &f.safety, fn: f})
}
