package scripting

import lua "github.com/yuin/gopher-lua"

// onlyIndexesParams reports whether a function compiled to p can do
// nothing with the tables FCALL passes it (its first two parameters, the
// keys and the arguments) but read their fields (t[k]) and their length
// (#t). Such a function cannot keep a table past the call (in an upvalue,
// a table, a closure, a coroutine, its reply), pass it to a function or
// change it, so FCALL may hand it the same two tables on every call,
// refilled (see stringCache). Any other use of registers 0 and 1, writing
// them included, answers false: the check is a conservative scan of the
// function's bytecode (gopher-lua's Lua 5.1 instruction set), which needs
// no look at nested functions, since those reach a parameter only through
// an upvalue the closure instruction captures here.
func onlyIndexesParams(p *lua.FunctionProto) bool {
	if p == nil || p.IsVarArg != 0 { // a Go function, or ... holding the tables
		return false
	}
	param := func(reg int) bool { return reg < 2 }
	rk := func(v int) bool { return v&(1<<8) == 0 && param(v) } // a register, not a constant
	code := p.Code
	for pc := 0; pc < len(code); pc++ {
		inst := code[pc]
		a, b, c := int(inst>>18)&0xff, int(inst&0x1ff), int(inst>>9)&0x1ff
		var uses bool
		switch op := int(inst >> 26); op {
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS: // R(A) := R(B)[RK(C)]: B may be a parameter
			uses = param(a) || rk(c)
		case lua.OP_LEN: // R(A) := #R(B)
			uses = param(a)
		case lua.OP_JMP, lua.OP_CLOSE, lua.OP_NOP: // no register read
		case lua.OP_EQ, lua.OP_LT, lua.OP_LE: // A is a flag
			uses = rk(b) || rk(c)
		case lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV, lua.OP_MOD, lua.OP_POW,
			lua.OP_SETTABLE, lua.OP_SETTABLEKS, lua.OP_SELF:
			uses = param(a) || rk(b) || rk(c)
		case lua.OP_MOVE, lua.OP_MOVEN, lua.OP_UNM, lua.OP_NOT, lua.OP_TESTSET, lua.OP_CONCAT:
			// R(B) (to R(C) for CONCAT, where C >= B) is read.
			uses = param(a) || param(b)
		case lua.OP_LOADK, lua.OP_LOADBOOL, lua.OP_LOADNIL, lua.OP_GETUPVAL, lua.OP_GETGLOBAL,
			lua.OP_NEWTABLE, lua.OP_VARARG, lua.OP_SETGLOBAL, lua.OP_SETUPVAL, lua.OP_TEST,
			lua.OP_CALL, lua.OP_TAILCALL, lua.OP_FORPREP, lua.OP_FORLOOP, lua.OP_TFORLOOP:
			// Registers from A on are read or written; B and C, if any,
			// are counts, flags or indexes.
			uses = param(a)
		case lua.OP_RETURN: // R(A) ... R(A+B-2); B = 1 returns nothing
			uses = b != 1 && param(a)
		case lua.OP_SETLIST: // R(A)[...] := R(A+1) ...; C = 0: the next word is C
			uses = param(a)
			if c == 0 {
				pc++
			}
		case lua.OP_CLOSURE:
			// The instructions that follow say what the closure captures:
			// MOVE 0 B captures register B, GETUPVAL 0 B an upvalue.
			nested := int(inst & 0x3ffff)
			if param(a) || nested >= len(p.FunctionPrototypes) {
				return false
			}
			for n := p.FunctionPrototypes[nested].NumUpvalues; n > 0 && pc+1 < len(code); n-- {
				pc++
				if next := code[pc]; int(next>>26) == lua.OP_MOVE && param(int(next&0x1ff)) {
					uses = true
				}
			}
		default: // an instruction this scan does not know
			uses = true
		}
		if uses {
			return false
		}
	}
	return true
}
