package scripting

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"myredis/resp"
)

// Conversions between RESP and Lua, as Redis 7.0 documents them.
//
// A command's reply becomes, in RESP2: an integer a number; a bulk string
// a string; a null bulk or null array false; an array a table (an array
// stops at its first nil); a status {ok = s}; an error {err = s}. RESP3
// (redis.setresp(3)) adds: a map {map = {k = v}}, a set {set = {k = true}},
// a double {double = n}, a big number {big_number = s}, a verbatim string
// {verbatim_string = {format = f, string = s}}, a boolean a boolean, a null
// nil.
//
// A script's value becomes: a number an integer (truncated); a string a bulk
// string; true the integer 1 (a RESP3 true after setresp(3)); false and
// nil a null (false a RESP3 false after setresp(3)); a table with err an
// error, with ok a status, with double, big_number, verbatim_string, map or
// set those RESP3 types (as RESP2 types for a RESP2 client), any other
// table an array of its elements 1, 2, ... up to the first nil.

// parseReply converts the RESP value at the start of b, which a command
// wrote, into a Lua value, and returns it with the bytes it took. Error
// replies become error tables marked as already counted
// (ignore_error_stats_update), as Redis marks them.
func parseReply(L *lua.LState, b []byte) (lua.LValue, int) {
	end := bytes.IndexByte(b, '\n')
	line := b[1 : end-1]
	n := end + 1
	switch b[0] {
	case '+':
		t := L.CreateTable(0, 1)
		t.RawSetString("ok", lua.LString(line))
		return t, n
	case '-':
		t := errorTable(L, "-"+string(line))
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
		return t, n
	case ':':
		v, ok := shortDecimal(string(line))
		if !ok {
			v, _ = strconv.ParseInt(string(line), 10, 64)
		}
		return luaInt(v), n
	case '$', '=':
		size, _ := strconv.Atoi(string(line))
		if size < 0 {
			return lua.LFalse, n
		}
		data := b[n : n+size]
		n += size + 2
		if b[0] == '$' {
			return lua.LString(data), n
		}
		v := L.CreateTable(0, 2)
		v.RawSetString("format", lua.LString(data[:3]))
		v.RawSetString("string", lua.LString(data[4:]))
		t := L.CreateTable(0, 1)
		t.RawSetString("verbatim_string", v)
		return t, n
	case '*', '~', '%', '>', '|':
		count, _ := strconv.Atoi(string(line))
		if count < 0 {
			return lua.LFalse, n
		}
		switch b[0] {
		case '%':
			m := L.CreateTable(0, count)
			for range count {
				k, used := parseReply(L, b[n:])
				n += used
				v, used := parseReply(L, b[n:])
				n += used
				m.RawSet(k, v)
			}
			t := L.CreateTable(0, 1)
			t.RawSetString("map", m)
			return t, n
		case '~':
			s := L.CreateTable(0, count)
			for range count {
				k, used := parseReply(L, b[n:])
				n += used
				s.RawSet(k, lua.LTrue)
			}
			t := L.CreateTable(0, 1)
			t.RawSetString("set", s)
			return t, n
		case '|': // an attribute: skipped, then the value it annotates
			for range 2 * count {
				_, used := parseReply(L, b[n:])
				n += used
			}
			v, used := parseReply(L, b[n:])
			return v, n + used
		}
		t := L.CreateTable(count, 0)
		for i := range count {
			v, used := parseReply(L, b[n:])
			n += used
			t.RawSetInt(i+1, v)
		}
		return t, n
	case ',':
		f, _ := strconv.ParseFloat(string(line), 64)
		t := L.CreateTable(0, 1)
		t.RawSetString("double", lua.LNumber(f))
		return t, n
	case '_':
		return lua.LNil, n
	case '#':
		return lua.LBool(len(line) > 0 && line[0] == 't'), n
	case '(':
		t := L.CreateTable(0, 1)
		t.RawSetString("big_number", lua.LString(line))
		return t, n
	}
	return lua.LNil, n
}

// smallInts are the Lua numbers from minSmallInt on, boxed once: boxing a
// number allocates, and most integers scripts meet are small (the 0 and 1
// of SISMEMBER, SADD, EXISTS...).
var smallInts = func() (v [256]lua.LValue) {
	for i := range v {
		v[i] = lua.LNumber(i + minSmallInt)
	}
	return v
}()

const minSmallInt = -8

// luaInt returns n as a Lua number.
func luaInt(n int64) lua.LValue {
	if i := n - minSmallInt; i >= 0 && i < int64(len(smallInts)) {
		return smallInts[i]
	}
	return lua.LNumber(n)
}

// maxReplyDepth is how deeply a script's reply may nest: Redis runs out of
// Lua stack there and answers the error below in place of the value.
const maxReplyDepth = 7995

// replyWriter converts a script's value into the reply (see the rules
// above).
type replyWriter struct {
	w *resp.Writer
	// resp3 is the script's protocol (redis.setresp), which decides what
	// booleans become.
	resp3 bool
	// quiet is called for each error reply written uncounted: one a
	// command the script called gave, already counted then.
	quiet func()
}

func (rw *replyWriter) write(v lua.LValue, depth int) {
	w := rw.w
	if depth >= maxReplyDepth {
		w.WriteError("ERR reached lua stack limit")
		return
	}
	switch x := v.(type) {
	case lua.LString:
		w.WriteBulkString(string(x))
	case lua.LBool:
		switch {
		case rw.resp3:
			w.WriteBool(bool(x))
		case bool(x):
			w.WriteInt(1)
		default:
			w.WriteNull()
		}
	case lua.LNumber:
		w.WriteInt(int64(float64(x)))
	case *lua.LTable:
		rw.writeTable(x, depth)
	default:
		w.WriteNull()
	}
}

func (rw *replyWriter) writeTable(t *lua.LTable, depth int) {
	w := rw.w
	if msg, ok := t.RawGetString("err").(lua.LString); ok {
		rw.writeError(string(msg), t.RawGetString("ignore_error_stats_update") == lua.LTrue)
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.WriteSimple(noLineEnds(string(s)))
		return
	}
	if f, ok := t.RawGetString("double").(lua.LNumber); ok {
		writeDouble(w, float64(f))
		return
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		w.WriteBigNumber(noLineEnds(string(s)))
		return
	}
	if vs, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, okf := vs.RawGetString("format").(lua.LString)
		s, oks := vs.RawGetString("string").(lua.LString)
		if okf && oks {
			w.WriteVerbatim(verbatimFormat(string(format)), string(s))
			return
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		n := 0
		pairsOf(m, func(lua.LValue, lua.LValue) { n++ })
		w.WriteMap(n)
		pairsOf(m, func(k, v lua.LValue) {
			rw.write(k, depth+1)
			rw.write(v, depth+1)
		})
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		n := 0
		pairsOf(s, func(lua.LValue, lua.LValue) { n++ })
		w.WriteSet(n)
		pairsOf(s, func(k, _ lua.LValue) { rw.write(k, depth+1) })
		return
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.WriteArray(n)
	for i := 1; i <= n; i++ {
		rw.write(t.RawGetInt(i), depth+1)
	}
}

// writeError writes the error reply msg (its code first); one already
// counted is written without counting it again.
func (rw *replyWriter) writeError(msg string, counted bool) {
	if !counted {
		rw.w.WriteError(msg)
		return
	}
	b := make([]byte, 0, len(msg)+3)
	b = append(b, '-')
	b = append(b, noLineEnds(msg)...)
	rw.w.WriteRaw(append(b, "\r\n"...))
	if rw.quiet != nil {
		rw.quiet()
	}
}

// noLineEnds replaces CR and LF by spaces, as Redis does in a status.
func noLineEnds(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	return s
}

// verbatimFormat is the three-byte format of a verbatim string: the
// first three bytes of f, padded with spaces, as Redis takes them.
func verbatimFormat(f string) string {
	if i := strings.IndexByte(f, 0); i >= 0 {
		f = f[:i]
	}
	if len(f) >= 3 {
		return f[:3]
	}
	return f + "   "[len(f):]
}

// writeDouble writes f as Redis's addReplyDouble does, a NaN with its
// sign as C's printf shows it.
func writeDouble(w *resp.Writer, f float64) {
	if !math.IsNaN(f) {
		w.WriteDouble(f)
		return
	}
	s := formatNumber(f)
	if w.Protocol() == 3 {
		w.WriteRaw([]byte("," + s + "\r\n"))
	} else {
		w.WriteBulkString(s)
	}
}

// pairsOf calls fn for each pair of t in the order next gives them (the
// array part, then the keys in the order they were added), the same on
// every call; LTable.ForEach follows Go's map iteration, which changes
// from one call to the next.
func pairsOf(t *lua.LTable, fn func(k, v lua.LValue)) {
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		fn(k, v)
	}
}
