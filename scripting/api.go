package scripting

import (
	"context"
	"log/slog"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Which redis table a state builds: the one scripts see, the one
// functions see when they run, and the one a library sees while FUNCTION
// LOAD runs it.
type apiKind uint8

const (
	apiEval apiKind = iota
	apiFunction
	apiLoad
)

// The version scripts see, as Redis's redis.REDIS_VERSION and
// REDIS_VERSION_NUM (0x00MMmmpp).
const (
	redisVersion    = "7.0.15"
	redisVersionNum = 7<<16 | 0<<8 | 15
)

// redisAPI builds the redis table of kind for the state.
func (st *state) redisAPI(kind apiKind) *lua.LTable {
	L := st.L
	t := L.NewTable()
	set := func(name string, fn lua.LGFunction) { t.RawSetString(name, L.NewFunction(fn)) }
	num := func(name string, n int) { t.RawSetString(name, lua.LNumber(n)) }

	set("log", st.redisLog)
	num("LOG_DEBUG", 0)
	num("LOG_VERBOSE", 1)
	num("LOG_NOTICE", 2)
	num("LOG_WARNING", 3)
	t.RawSetString("REDIS_VERSION", lua.LString(redisVersion))
	num("REDIS_VERSION_NUM", redisVersionNum)
	if kind == apiLoad {
		set("register_function", st.registerFunction)
		return t
	}
	set("call", func(L *lua.LState) int { return st.redisCall(L, true) })
	set("pcall", func(L *lua.LState) int { return st.redisCall(L, false) })
	set("setresp", st.setResp)
	set("sha1hex", redisSha1hex)
	set("error_reply", redisErrorReply)
	set("status_reply", redisStatusReply)
	set("set_repl", st.setRepl)
	num("REPL_NONE", 0)
	num("REPL_AOF", 1)
	num("REPL_SLAVE", 2)
	num("REPL_REPLICA", 2)
	num("REPL_ALL", 3)
	set("acl_check_cmd", st.aclCheckCmd)
	if kind == apiEval {
		set("replicate_commands", func(L *lua.LState) int { L.Push(lua.LTrue); return 1 })
		set("breakpoint", func(L *lua.LState) int { L.Push(lua.LFalse); return 1 }) // no debugger
		set("debug", func(L *lua.LState) int { return 0 })
	}
	return t
}

// errorTable returns a Redis error as Lua sees it, a table whose err
// field holds the code and the message ("ERR unknown command"): msg is
// "-CODE message", or a message alone, which gets the code ERR. Line ends
// are trimmed, as Redis trims them.
func errorTable(L *lua.LState, msg string) *lua.LTable {
	code := "ERR"
	if strings.HasPrefix(msg, "-") {
		if sp := strings.IndexByte(msg, ' '); sp >= 0 {
			code, msg = msg[1:sp], msg[sp+1:]
		} else {
			msg = msg[1:]
		}
	}
	t := L.CreateTable(0, 2)
	t.RawSetString("err", lua.LString(code+" "+strings.Trim(msg, "\r\n")))
	return t
}

// raise raises msg as a Redis error table (see errorTable).
func raise(L *lua.LState, msg string) {
	L.Error(errorTable(L, msg), 0)
}

// redisLog is redis.log(level, message...).
func (st *state) redisLog(L *lua.LState) int {
	argc := L.GetTop()
	if argc < 2 {
		raise(L, "redis.log() requires two arguments or more.")
	}
	lv, ok := toNumber(L.Get(1))
	if !ok {
		raise(L, "First argument must be a number (log level).")
	}
	level := int(lv)
	if level < 0 || level > 3 {
		raise(L, "Invalid debug level.")
	}
	var b strings.Builder
	for i := 2; i <= argc; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			if i > 2 {
				b.WriteByte(' ')
			}
			b.WriteString(string(v))
		case lua.LNumber:
			if i > 2 {
				b.WriteByte(' ')
			}
			b.WriteString(formatNumber(float64(v)))
		}
	}
	if st.loading != nil && st.loading.quiet {
		return 0 // a library set up again in another state logs nothing twice
	}
	levels := [...]slog.Level{slog.LevelDebug, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn}
	st.e.log.Log(context.Background(), levels[level], b.String(), "source", "script")
	return 0
}

// toNumber converts a number, or a string holding one, as lua_tonumber.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		f, err := strconv.ParseFloat(strings.TrimSpace(string(x)), 64)
		return f, err == nil
	}
	return 0, false
}

func redisSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "wrong number of arguments")
	}
	var s string
	switch v := L.Get(1).(type) {
	case lua.LString:
		s = string(v)
	case lua.LNumber:
		s = formatNumber(float64(v))
	}
	L.Push(lua.LString(sha1Hex([]byte(s))))
	return 1
}

// redisErrorReply is redis.error_reply(msg): the error table, with the
// code ERR when msg names none. A wrong call returns (not raises) an error.
func redisErrorReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	msg := string(s)
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(errorTable(L, msg))
	return 1
}

// redisStatusReply is redis.status_reply(msg): the table {ok = msg}.
func redisStatusReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", s)
	L.Push(t)
	return 1
}

// setResp is redis.setresp(2|3): the protocol the script's commands reply
// in, and so the Lua types their replies become.
func (st *state) setResp(L *lua.LState) int {
	r, n := st.numberArg(L, "setresp", "one argument")
	if n != 2 && n != 3 {
		raise(L, "RESP version must be 2 or 3.")
	}
	r.resp = n
	return 0
}

// numberArg starts redis.setresp and redis.set_repl: it returns the run in
// progress and the function's one argument as an integer, or raises
// Redis's error for a call outside a script or with another number of
// arguments (wanted, in Redis's words).
func (st *state) numberArg(L *lua.LState, name, wanted string) (*run, int) {
	r := st.run
	if r == nil {
		raise(L, "redis."+name+" can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raise(L, "redis."+name+"() requires "+wanted+".")
	}
	n, _ := toNumber(L.Get(1))
	return r, int(n)
}

// setRepl is redis.set_repl(flags): whether the script's writes from now
// on are logged (REPL_AOF); there are no replicas.
func (st *state) setRepl(L *lua.LState) int {
	_, flags := st.numberArg(L, "set_repl", "two arguments")
	if flags&^3 != 0 {
		raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	st.atomic.SetLogging(flags&1 != 0)
	return 0
}

// aclCheckCmd is redis.acl_check_cmd(command, args...): MyRedis has only
// the default user, who may run every command.
func (st *state) aclCheckCmd(L *lua.LState) int {
	if st.run == nil {
		raise(L, "redis.acl_check_cmd can only be called inside a script invocation")
	}
	args, msg := st.luaArgs(L)
	if msg != "" {
		raise(L, msg)
	}
	if cmd, _ := st.e.ks.Table().Lookup(args); cmd == nil {
		raise(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LTrue)
	return 1
}

// luaArgs converts the arguments of a redis.call into a command line, in
// the state's scratch buffers (valid until the next call): strings as
// they are, numbers as C's "%.17g" writes them. msg is Redis's error for
// arguments that are not a command line.
func (st *state) luaArgs(L *lua.LState) (args [][]byte, msg string) {
	argc := L.GetTop()
	if argc == 0 {
		return nil, "Please specify at least one argument for this redis lib call"
	}
	st.args = st.args[:0]
	st.arena = st.arena[:0]
	for i := 1; i <= argc; i++ {
		start := len(st.arena)
		switch v := L.Get(i).(type) {
		case lua.LString:
			st.arena = append(st.arena, v...)
		case lua.LNumber:
			st.arena = appendDouble17(st.arena, float64(v))
		default:
			return nil, "Lua redis lib command arguments must be strings or integers"
		}
		st.args = append(st.args, st.arena[start:len(st.arena):len(st.arena)])
	}
	// Earlier arguments keep pointing into the old arena if it moved,
	// which stays valid.
	return st.args, ""
}

// appendDouble17 appends f as C's "%.17g" writes it.
func appendDouble17(dst []byte, f float64) []byte {
	if s := formatNumber(f); s == "inf" || s == "-inf" || s == "nan" || s == "-nan" {
		return append(dst, s...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
