package lualib

import "testing"

// bitCases cover bit: the conversion of numbers to 32 bits (rounding, wrapping, huge values,
// strings), every operation, and the argument errors.
// The replies are Redis 7.0.15's (TestDifferential checks them against
// redis-server).
var bitCases = []luaCase{
	{"tobit", `return V(bit.tobit(0), bit.tobit(1), bit.tobit(-1), bit.tobit(0xffffffff), bit.tobit(2^32), bit.tobit(2^32 + 5), bit.tobit(2^31), bit.tobit(-2^31 - 1))`, []any{"0", "1", "-1", "-1", "0", "5", "-2147483648", "2147483647"}},
	{"tobit rounding", `return V(bit.tobit(0.5), bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-0.5), bit.tobit(-1.5), bit.tobit(-2.5), bit.tobit(0.49999999999999994), bit.tobit(1.4999999))`, []any{"0", "2", "2", "0", "-2", "-2", "0", "1"}},
	{"tobit large", `return V(bit.tobit(2^51), bit.tobit(2^51 + 1), bit.tobit(2^52), bit.tobit(2^52 + 1), bit.tobit(2^53), bit.tobit(2^53 + 2), bit.tobit(2^60 + 2^40 + 12345), bit.tobit(-2^52 - 3))`, []any{"0", "0", "0", "0", "0", "1", "48", "-12"}},
	{"tobit huge", `return V(bit.tobit(1e300), bit.tobit(-1e300), bit.tobit(1e18), bit.tobit(-1e18), bit.tobit(2^63), bit.tobit(2^64 + 2^20))`, []any{"-2013235812", "-2013235812", "1733216256", "1733216256", "0", "256"}},
	{"tobit inf nan", `return V(bit.tobit((1/0)), bit.tobit(-(1/0)), bit.tobit(0/0), bit.tobit(-(0/0)))`, []any{"0", "0", "0", "0"}},
	{"tobit tiny", `return V(bit.tobit(5e-324), bit.tobit(-5e-324), bit.tobit(1e-10))`, []any{"0", "0", "0"}},
	{"tobit strings", `return V(bit.tobit('12'), bit.tobit(' 0x10 '), bit.tobit('1e2'), bit.tobit('-7'), bit.tobit('0'), bit.tobit('12\0abc'), bit.tobit('0x1p4'), bit.tobit('inf'))`, []any{"12", "16", "100", "-7", "0", "12", "16", "0"}},
	{"tobit bad string", `return E(function() return bit.tobit('abc') end)`, "user_script:1: bad argument #1 to 'tobit' (number expected, got string)"},
	{"tobit empty string", `return E(function() return bit.tobit('') end)`, "user_script:1: bad argument #1 to 'tobit' (number expected, got string)"},
	{"tobit no argument", `return E(function() return bit.tobit() end)`, "user_script:1: bad argument #1 to 'tobit' (number expected, got no value)"},
	{"tobit table", `return E(function() return bit.tobit({}) end)`, "user_script:1: bad argument #1 to 'tobit' (number expected, got table)"},
	{"tobit boolean", `return E(function() return bit.tobit(true) end)`, "user_script:1: bad argument #1 to 'tobit' (number expected, got boolean)"},
	{"tobit nil", `return E(function() return bit.tobit(nil) end)`, "user_script:1: bad argument #1 to 'tobit' (number expected, got nil)"},
	{"tobit direct pcall", `return E(bit.tobit)`, "bad argument #1 to '?' (number expected, got no value)"},
	{"tobit local name", `local f = bit.tobit return E(function() return f('x') end)`, "user_script:1: bad argument #1 to 'f' (number expected, got string)"},
	{"bnot", `return V(bit.bnot(0), bit.bnot(-1), bit.bnot(0x12345678), bit.bnot(2^32))`, []any{"-1", "0", "-305419897", "-1"}},
	{"band", `return V(bit.band(0xff, 0x0f), bit.band(-1, 0x80000000), bit.band(1), bit.band(7, 6, 3), bit.band(-1, -1))`, []any{"15", "-2147483648", "1", "2", "-1"}},
	{"bor", `return V(bit.bor(1, 2, 4, 8), bit.bor(0x80000000, 1), bit.bor(0))`, []any{"15", "-2147483647", "0"}},
	{"bxor", `return V(bit.bxor(5, 3), bit.bxor(-1, 0x0f0f0f0f), bit.bxor(1, 1, 1))`, []any{"6", "-252645136", "1"}},
	{"band no argument", `return E(function() return bit.band() end)`, "user_script:1: bad argument #1 to 'band' (number expected, got no value)"},
	{"band bad last argument", `return E(function() return bit.band(1, 'x', {}) end)`, "user_script:1: bad argument #3 to 'band' (number expected, got table)"},
	{"band bad second argument", `return E(function() return bit.band(1, 'x', 2) end)`, "user_script:1: bad argument #2 to 'band' (number expected, got string)"},
	{"bor nil middle", `return E(function() return bit.bor(1, nil, 2) end)`, "user_script:1: bad argument #2 to 'bor' (number expected, got nil)"},
	{"lshift", `return V(bit.lshift(1, 0), bit.lshift(1, 31), bit.lshift(1, 32), bit.lshift(1, 33), bit.lshift(1, -1), bit.lshift(0xff, 28), bit.lshift(3, 1.5))`, []any{"1", "-2147483648", "1", "2", "-2147483648", "-268435456", "12"}},
	{"rshift", `return V(bit.rshift(-1, 28), bit.rshift(-1, 0), bit.rshift(0x80000000, 31), bit.rshift(256, 4), bit.rshift(1, 32))`, []any{"15", "-1", "1", "16", "1"}},
	{"arshift", `return V(bit.arshift(-256, 4), bit.arshift(256, 4), bit.arshift(0x80000000, 31), bit.arshift(-1, 31), bit.arshift(0x7fffffff, 30))`, []any{"-16", "16", "-1", "-1", "1"}},
	{"rol", `return V(bit.rol(0x12345678, 4), bit.rol(0x12345678, 0), bit.rol(0x12345678, 32), bit.rol(0x80000001, 1), bit.rol(1, -1))`, []any{"591751041", "305419896", "305419896", "3", "-2147483648"}},
	{"ror", `return V(bit.ror(0x12345678, 4), bit.ror(0x12345678, 0), bit.ror(0x12345678, 36), bit.ror(1, 1), bit.ror(1, -1))`, []any{"-2128394905", "305419896", "-2128394905", "-2147483648", "2"}},
	{"shift missing count", `return E(function() return bit.lshift(1) end)`, "user_script:1: bad argument #2 to 'lshift' (number expected, got no value)"},
	{"bswap", `return V(bit.bswap(0x12345678), bit.bswap(-1), bit.bswap(0xff), bit.bswap(0x80))`, []any{"2018915346", "-1", "-16777216", "-2147483648"}},
	{"tohex", `return V(bit.tohex(255), bit.tohex(-1), bit.tohex(255, -4), bit.tohex(255, 2), bit.tohex(0x12345678, 3), bit.tohex(1, 0), bit.tohex(255, 9), bit.tohex(255, -9), bit.tohex(2^32 + 0xab))`, []any{"s:000000ff", "s:ffffffff", "s:00FF", "s:ff", "s:678", "s:", "s:000000ff", "s:000000FF", "s:000000ab"}},
	{"tohex min int", `return V(bit.tohex(255, -2147483648), bit.tohex(255, 2^31))`, []any{"s:000000FF", "s:000000FF"}},
	{"tohex nil count", `return E(function() return bit.tohex(255, nil) end)`, "user_script:1: bad argument #2 to 'tohex' (number expected, got nil)"},
	{"tohex bad count", `return E(function() return bit.tohex(255, 'x') end)`, "user_script:1: bad argument #2 to 'tohex' (number expected, got string)"},
	{"module", `local n = 0 for k, v in pairs(bit) do n = n + 1 end return n`, int64(12)},
	{"tohex string count", `return V(bit.tohex(255, '4'), bit.tohex('255', -2))`, []any{"s:00ff", "s:FF"}},
	{"band many", `return V(bit.band(-1, -2, -4, -8, -16, -32, -64, -128))`, []any{"-128"}},
	{"method call", `return E(function() return bit:band(1) end)`, "user_script:1: calling 'band' on bad self (number expected, got table)"},
	{"method call second argument", `return E(function() return bit:lshift(1) end)`, "user_script:1: calling 'lshift' on bad self (number expected, got table)"},
}

func TestBit(t *testing.T) { runCases(t, bitCases) }
