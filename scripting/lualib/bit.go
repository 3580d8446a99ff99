package lualib

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// OpenBit registers LuaBitOp 1.0.2 as the global bit and returns it: 32-bit
// operations on numbers, whose results are signed 32-bit integers.
func OpenBit(L *lua.LState) *lua.LTable {
	return newModule(L, "bit", map[string]lua.LGFunction{
		"tobit":   func(L *lua.LState) int { return pushBits(L, bitArg(L, 1)) },
		"bnot":    func(L *lua.LState) int { return pushBits(L, ^bitArg(L, 1)) },
		"band":    bitFold(func(a, b uint32) uint32 { return a & b }),
		"bor":     bitFold(func(a, b uint32) uint32 { return a | b }),
		"bxor":    bitFold(func(a, b uint32) uint32 { return a ^ b }),
		"lshift":  bitShift(func(b, n uint32) uint32 { return b << n }),
		"rshift":  bitShift(func(b, n uint32) uint32 { return b >> n }),
		"arshift": bitShift(func(b, n uint32) uint32 { return uint32(int32(b) >> n) }),
		"rol":     bitShift(func(b, n uint32) uint32 { return b<<n | b>>(32-n) }),
		"ror":     bitShift(func(b, n uint32) uint32 { return b<<(32-n) | b>>n }),
		"bswap":   bitSwap,
		"tohex":   bitToHex,
	})
}

// bitArg converts argument n as LuaBitOp does: it adds 2^52+2^51 to the
// number and keeps the low 32 bits of the sum's representation, which rounds
// to the nearest integer (ties to even) and wraps modulo 2^32. Strings Lua
// converts to numbers are numbers; anything else is an error.
func bitArg(L *lua.LState, n int) uint32 {
	f, ok := toNumber(L.Get(n))
	b := uint32(math.Float64bits(f + 6755399441055744.0))
	if b == 0 && !ok {
		typeError(L, n, "number")
	}
	return b
}

// pushBits pushes b as the signed 32-bit number LuaBitOp returns.
func pushBits(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(int32(b)))
	return 1
}

// bitFold is band, bor and bxor: the first argument, then the others from
// the last to the second, as LuaBitOp reads them (and reports the first bad
// one it meets).
func bitFold(op func(a, b uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1)
		for i := L.GetTop(); i > 1; i-- {
			b = op(b, bitArg(L, i))
		}
		return pushBits(L, b)
	}
}

// bitShift is a shift or rotation of the first argument by the second,
// modulo 32.
func bitShift(op func(b, n uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1)
		n := bitArg(L, 2) & 31
		return pushBits(L, op(b, n))
	}
}

func bitSwap(L *lua.LState) int {
	b := bitArg(L, 1)
	return pushBits(L, b>>24|b>>8&0xff00|(b&0xff00)<<8|b<<24)
}

// bitToHex is bit.tohex(x [,n]): the low |n| hexadecimal digits of x (8 by
// default, at most 8), upper-case when n is negative.
func bitToHex(L *lua.LState) int {
	b := bitArg(L, 1)
	n := int32(8)
	if L.GetTop() >= 2 {
		n = int32(bitArg(L, 2))
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n > 8 || n < 0 {
		n = 8 // -(-2^31) overflows; gcc's code takes it as more than 8
	}
	buf := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		buf[i] = digits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
