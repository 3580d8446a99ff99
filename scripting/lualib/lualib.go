// Package lualib provides the four libraries Redis's scripting environment
// adds to Lua 5.1 (cjson, cmsgpack, bit and struct) for a gopher-lua state.
//
// Each library behaves as the version bundled with Redis 7.0.15 does on
// x86-64 Linux: the same results byte for byte and the same error messages,
// including the numeric conversions its C code leaves to the C library and the
// hardware (strtod, printf's %.14g, out-of-range casts) and the limits of the
// Lua stack (LUAI_MAXCSTACK) that its C code runs into. Errors carry the
// position of the calling Lua code as gopher-lua names its chunk (Redis's is
// "user_script").
//
// What differs, because gopher-lua differs from Lua 5.1:
//   - Where the libraries walk a table (cjson.encode's objects, cmsgpack.pack's
//     maps) they follow gopher-lua's order (next): array part, then keys in
//     insertion order. Lua 5.1's order depends on its hash layout, so an
//     object or map with several non-array keys may list them in another
//     order. Arrays, and tables with one other key, encode identically.
//   - cjson.null is a full userdata: tostring shows its address, not
//     "userdata: (nil)".
//   - gopher-lua does not record whether a call was a method call, which
//     Lua 5.1's argument errors leave out of their count; a call whose first
//     argument holds the called function under the name it was called by
//     counts as one.
//
// cmsgpack.unpack and struct.unpack return up to 8000 values, as in Redis: a
// state whose registry cannot grow that far (lua.Options.RegistryMaxSize)
// fails with "registry overflow" first.
//
// The functions of an LState, like the state itself, must not be used by two
// goroutines at once; states opened separately share nothing.
package lualib

import (
	"fmt"
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// Open registers cjson, cmsgpack, bit and struct as globals of L, as Redis's
// scripting environment has them.
func Open(L *lua.LState) {
	OpenCJSON(L)
	OpenStruct(L)
	OpenCMsgpack(L)
	OpenBit(L)
}

// maxCStack is Lua 5.1's LUAI_MAXCSTACK: a C function may hold at most this
// many values on its stack; Redis's libraries fail with "stack overflow"
// past it, and this package fails where they do.
const maxCStack = 8000

// newModule returns a table holding fns, set as the global name.
func newModule(L *lua.LState, name string, fns map[string]lua.LGFunction) *lua.LTable {
	t := newModuleTable(L, fns)
	L.SetGlobal(name, t)
	return t
}

// newModuleTable returns a table holding fns, in the same order every time
// (pairs lists them alphabetically).
func newModuleTable(L *lua.LState, fns map[string]lua.LGFunction) *lua.LTable {
	names := make([]string, 0, len(fns))
	for k := range fns {
		names = append(names, k)
	}
	sort.Strings(names)
	t := L.NewTable()
	for _, k := range names {
		t.RawSetString(k, L.NewFunction(fns[k]))
	}
	return t
}

// raise is luaL_error: it raises msg prefixed with the position of the Lua
// code that called the running Go function ("user_script:1: "), or with
// nothing when a Go function (pcall) called it.
func raise(L *lua.LState, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	L.Error(lua.LString(where(L)+msg), 0)
}

// raiseNoPosition raises msg as it is, as Lua's own runtime errors inside a
// C function ("table index is nil") are raised.
func raiseNoPosition(L *lua.LState, msg string) {
	L.Error(lua.LString(msg), 0)
}

// where is luaL_where(L, 1) for the running Go function.
func where(L *lua.LState) string {
	dbg, ok := L.GetStack(1)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.CurrentLine <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", dbg.Source, dbg.CurrentLine)
}

// funcName is the name luaL_argerror gives the running Go function: the name
// its Lua caller called it by, or "?".
func funcName(L *lua.LState) string {
	dbg, ok := L.GetStack(0)
	if !ok {
		return "?"
	}
	if _, err := L.GetInfo("n", dbg, lua.LNil); err != nil {
		return "?"
	}
	switch name := dbg.Name; {
	case name == "", name == "(anonymous)", name == "main chunk", name[0] == '<':
		return "?"
	default:
		return name
	}
}

// argError is luaL_argerror. Like it, it does not count the object of a
// method call (obj:name(...)) as an argument. gopher-lua's debug information
// does not tell method calls apart: a call whose first argument is a table
// that holds the running function under the name it was called by counts as
// one.
func argError(L *lua.LState, n int, msg string) {
	name := funcName(L)
	if isMethodCall(L, name) {
		n--
		if n == 0 {
			raise(L, "calling '%s' on bad self (%s)", name, msg)
		}
	}
	raise(L, "bad argument #%d to '%s' (%s)", n, name, msg)
}

// isMethodCall reports whether the running Go function was called as
// name on its first argument (see argError).
func isMethodCall(L *lua.LState, name string) bool {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok || name == "?" {
		return false
	}
	dbg, ok := L.GetStack(0)
	if !ok {
		return false
	}
	fn, err := L.GetInfo("f", dbg, lua.LNil)
	return err == nil && t.RawGetString(name) == fn
}

// typeError is luaL_typerror.
func typeError(L *lua.LState, n int, want string) {
	argError(L, n, want+" expected, got "+typeName(L, n))
}

// typeName is luaL_typename: the type of argument n, "no value" past the
// last one.
func typeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return L.Get(n).Type().String()
}

// toNumber is lua_tonumber: a number, or a string Lua 5.1 converts to one.
func toNumber(v lua.LValue) (float64, bool) {
	switch v := v.(type) {
	case lua.LNumber:
		return float64(v), true
	case lua.LString:
		return str2number(string(v))
	}
	return 0, false
}

// checkNumber is luaL_checknumber.
func checkNumber(L *lua.LState, n int) float64 {
	f, ok := toNumber(L.Get(n))
	if !ok {
		typeError(L, n, "number")
	}
	return f
}

// checkInteger is luaL_checkinteger: lua_Integer is 64 bits wide, and the
// conversion truncates.
func checkInteger(L *lua.LState, n int) int64 {
	return toInt64(checkNumber(L, n))
}

// optInteger is luaL_optinteger.
func optInteger(L *lua.LState, n int, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkInteger(L, n)
}

// checkString is luaL_checklstring: a string, or a number converted to one.
func checkString(L *lua.LState, n int) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return numberToString(float64(v))
	}
	typeError(L, n, "string")
	return ""
}

// cString is s as a C function sees it through a char pointer: up to its
// first NUL byte.
func cString(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	return s
}
