package scripting

import lua "github.com/yuin/gopher-lua"

// runsBounded reports whether code compiled to p runs a bounded number of
// Lua instructions: it has no loop (no backward jump), defines no function,
// reads no upvalue (for a function: another function of its library) and
// names none of the globals that lead to new code (load and loadstring,
// or _G, where they can be read). Everything it calls is then a Go
// function, and it ends after at most its own instructions.
//
// Such code runs without a context (see state.attempt): gopher-lua then
// skips the kill switch's check before every instruction, and SCRIPT KILL
// stops the code at its next redis.call instead (see state.redisCall), or
// as it ends.
func runsBounded(p *lua.FunctionProto) bool {
	if p == nil || len(p.FunctionPrototypes) > 0 {
		return false
	}
	code := p.Code
	for pc := 0; pc < len(code); pc++ {
		inst := code[pc]
		switch int(inst >> 26) {
		case lua.OP_JMP:
			if int(inst&0x3ffff)-0x1ffff < 0 { // sBx: the offset is signed
				return false
			}
		case lua.OP_FORPREP, lua.OP_FORLOOP, lua.OP_TFORLOOP, lua.OP_CLOSURE, lua.OP_GETUPVAL:
			return false
		case lua.OP_GETGLOBAL:
			switch p.Constants[inst&0x3ffff] {
			case lua.LString("_G"), lua.LString("load"), lua.LString("loadstring"):
				return false
			}
		case lua.OP_SETLIST:
			if inst>>9&0x1ff == 0 { // C = 0: the next word is C
				pc++
			}
		}
	}
	return true
}
