package scripting

import (
	"slices"

	lua "github.com/yuin/gopher-lua"
)

// bindRedis returns p, or a copy of it for this state in which every
// redis.call and redis.pcall the code reads (the global redis, then its
// field call or pcall, into one register) loads redis's function, api's,
// as a constant instead. The read would give that function every time:
// the redis global and the table behind its proxy are read-only (see
// state), so the copy runs as p does, without the three table lookups of
// each read (the globals, the proxy's metatable, the table behind it).
// Only p's own code is bound, not its nested functions'.
func (st *state) bindRedis(p *lua.FunctionProto, api *lua.LTable) *lua.FunctionProto {
	var q *lua.FunctionProto // the copy, made at the first read found
	consts := map[string]int{}
	for pc := 0; pc+1 < len(p.Code); pc++ {
		get, field := p.Code[pc], p.Code[pc+1]
		a := int(get>>18) & 0xff
		if int(get>>26) != lua.OP_GETGLOBAL || p.Constants[get&0x3ffff] != lua.LString("redis") ||
			int(field>>26) != lua.OP_GETTABLEKS || int(field>>18)&0xff != a || int(field&0x1ff) != a ||
			field>>9&0x100 == 0 { // R(A) := R(A)[K(C)]
			continue
		}
		name, ok := p.Constants[field>>9&0xff].(lua.LString)
		if !ok || name != "call" && name != "pcall" {
			continue
		}
		if q == nil {
			c := *p
			q = &c
			q.Code = slices.Clone(p.Code)
			q.Constants = slices.Clip(p.Constants)
		}
		k, ok := consts[string(name)]
		if !ok {
			k = len(q.Constants)
			q.Constants = append(q.Constants, api.RawGetString(string(name)))
			consts[string(name)] = k
		}
		q.Code[pc] = uint32(lua.OP_LOADK)<<26 | uint32(a)<<18 | uint32(k)  // R(A) := K(k)
		q.Code[pc+1] = uint32(lua.OP_MOVE)<<26 | uint32(a)<<18 | uint32(a) // R(A) := R(A)
		pc++
	}
	if q == nil {
		return p
	}
	return q
}
