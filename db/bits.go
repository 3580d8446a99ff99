package db

import (
	"encoding/binary"
	"math/bits"
)

// Bitmaps are strings read as bits, the most significant bit of the first
// byte being bit 0. A missing key reads as an empty string.

const (
	errBitOffset = "ERR bit offset is not an integer or out of range"
	errBitValue  = "ERR bit is not an integer or out of range"
)

// registerBits adds the bitmap commands.
func registerBits(t *Table) {
	cmd := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "bitmap", Since: since, Summary: summary, Run: run})
	}
	cmd("setbit", 4, FlagWrite|FlagDenyOOM, "2.2.0", "Sets or clears one bit of a string, growing it as needed.", setbit)
	cmd("getbit", 3, FlagReadonly|FlagFast, "2.2.0", "Returns one bit of a string.", getbit)
	cmd("bitcount", -2, FlagReadonly, "2.6.0", "Counts the set bits of a string, or of a byte or bit range of it.", bitcount)
	cmd("bitpos", -3, FlagReadonly, "2.8.7", "Finds the first set or clear bit of a string, or of a range of it.", bitpos)
	cmd("bitop", -4, FlagWrite|FlagDenyOOM, "2.6.0", "Stores the bitwise AND, OR, XOR or NOT of strings in a key.", bitop)
}

// bitOffsetArg parses args[i] as a bit offset: an integer from 0 to the
// last bit of the longest string allowed. It writes Redis's error otherwise.
func (c *Ctx) bitOffsetArg(i int) (int64, bool) {
	n, ok := ParseInt(c.Args[i])
	if !ok || n < 0 || n>>3 >= maxStringLen {
		c.W.WriteError(errBitOffset)
		return 0, false
	}
	return n, true
}

// bitAt returns bit i of s, 0 beyond its end.
func bitAt(s []byte, i int64) int64 {
	if i>>3 >= int64(len(s)) {
		return 0
	}
	return int64(s[i>>3]>>(7-i&7)) & 1
}

// setbit sets a bit, growing the string with zero bytes, and replies with
// the bit's previous value. Only an actual change is logged.
func setbit(c *Ctx) {
	offset, ok := c.bitOffsetArg(2)
	if !ok {
		return
	}
	on, ok := ParseInt(c.Args[3])
	if !ok || on&^1 != 0 {
		c.W.WriteError(errBitValue)
		return
	}
	key := c.Args[1]
	e := c.Lookup(key)
	if !c.CheckKind(e, KindString) {
		return
	}
	if e == nil {
		e = c.Store(key, Value{}, false)
	}
	// Redis makes the value raw even when the bit does not change.
	c.edited(e)
	old := bitAt(e.Value.Str(), offset)
	n := int(offset>>3) + 1
	if old == on && n <= len(e.Value.Str()) {
		c.W.WriteInt(old)
		return
	}
	e.Value.SetStr(growZero(e.Value.Str(), n))
	mask := byte(0x80) >> (offset & 7)
	if on == 1 {
		e.Value.Str()[offset>>3] |= mask
	} else {
		e.Value.Str()[offset>>3] &^= mask
	}
	c.Propagate()
	c.Notify(EventString, "setbit", key)
	c.W.WriteInt(old)
}

func getbit(c *Ctx) {
	offset, ok := c.bitOffsetArg(2)
	if !ok {
		return
	}
	if e, ok := c.stringArg(c.Args[1]); ok {
		c.W.WriteInt(bitAt(strOf(e), offset))
	}
}

// unitArg parses the BYTE or BIT word of BITCOUNT and BITPOS, writing a
// syntax error for anything else.
func (c *Ctx) unitArg(i int) (isBit, ok bool) {
	switch a := c.Args[i]; {
	case EqualFold(a, "bit"):
		return true, true
	case EqualFold(a, "byte"):
		return false, true
	}
	c.W.WriteError(ErrSyntax)
	return false, false
}

// bitRange resolves the start and end of BITCOUNT or BITPOS, counted in
// bytes or (isBit) in bits, negative from the end, over a string of n
// bytes. It returns the inclusive range of bits they cover, clamped to the
// string, and false when that is empty.
func bitRange(start, end, n int64, isBit bool) (lo, hi int64, ok bool) {
	total := n
	if isBit {
		total *= 8
	}
	start, end, ok = clampRange(start, end, total)
	if !ok {
		return 0, 0, false
	}
	if !isBit {
		start, end = start*8, end*8+7
	}
	return start, end, true
}

// bitcount serves BITCOUNT key [start end [BYTE|BIT]]. A missing key counts
// 0 before its arguments are even checked, as in Redis.
func bitcount(c *Ctx) {
	e, ok := c.stringArg(c.Args[1])
	if !ok {
		return
	}
	if e == nil {
		c.W.WriteInt(0)
		return
	}
	s := e.Value.Str()
	lo, hi, ok := int64(0), int64(len(s))*8-1, len(s) > 0
	switch len(c.Args) {
	case 2:
	case 4, 5:
		start, ok1 := c.IntArg(2)
		if !ok1 {
			return
		}
		end, ok1 := c.IntArg(3)
		if !ok1 {
			return
		}
		if start < 0 && end < 0 && start > end {
			c.W.WriteInt(0)
			return
		}
		isBit := false
		if len(c.Args) == 5 {
			if isBit, ok1 = c.unitArg(4); !ok1 {
				return
			}
		}
		lo, hi, ok = bitRange(start, end, int64(len(s)), isBit)
	default:
		c.W.WriteError(ErrSyntax)
		return
	}
	if !ok {
		c.W.WriteInt(0)
		return
	}
	c.W.WriteInt(countBits(s, lo, hi))
}

// byteMask returns the mask of the bits of byte i that lie in the bit range
// [lo, hi].
func byteMask(i, lo, hi int64) byte {
	m := byte(0xff)
	if i == lo>>3 {
		m &= 0xff >> (lo & 7)
	}
	if i == hi>>3 {
		m &= 0xff << (7 - hi&7)
	}
	return m
}

// countBits counts the set bits of s in the bit range [lo, hi], which lies
// within s.
func countBits(s []byte, lo, hi int64) int64 {
	first, last := lo>>3, hi>>3
	n := bits.OnesCount8(s[first] & byteMask(first, lo, hi))
	if first == last {
		return int64(n)
	}
	n += bits.OnesCount8(s[last] & byteMask(last, lo, hi))
	mid := s[first+1 : last]
	for len(mid) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(mid))
		mid = mid[8:]
	}
	for _, b := range mid {
		n += bits.OnesCount8(b)
	}
	return int64(n)
}

// findBit returns the position of the first bit equal to bit (0 or 1) in
// the bit range [lo, hi] of s, which lies within s, or -1.
func findBit(s []byte, lo, hi int64, bit int64) int64 {
	// Look for a set bit in s, or in its complement when bit is 0.
	var flip byte
	skip := uint64(0) // a word with no bit of interest
	if bit == 0 {
		flip, skip = 0xff, ^uint64(0)
	}
	first, last := lo>>3, hi>>3
	for i := first; i <= last; i++ {
		if i > first && i+8 <= last && binary.LittleEndian.Uint64(s[i:]) == skip {
			i += 7
			continue
		}
		if b := (s[i] ^ flip) & byteMask(i, lo, hi); b != 0 {
			return i*8 + int64(bits.LeadingZeros8(b))
		}
	}
	return -1
}

// bitpos serves BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is
// all clear bits. Without an end, a string of set bits is taken to be
// followed by clear ones, so looking for 0 finds the bit after its end.
func bitpos(c *Ctx) {
	bit, ok := c.IntArg(2)
	if !ok {
		return
	}
	if bit != 0 && bit != 1 {
		c.W.WriteError("ERR The bit argument must be 1 or 0.")
		return
	}
	e, ok := c.stringArg(c.Args[1])
	if !ok {
		return
	}
	if e == nil {
		c.W.WriteInt(-bit)
		return
	}
	s := e.Value.Str()
	start, end, isBit := int64(0), int64(-1), false
	switch n := len(c.Args); {
	case n == 3:
	case n <= 6:
		if start, ok = c.IntArg(3); !ok {
			return
		}
		if n == 6 {
			if isBit, ok = c.unitArg(5); !ok {
				return
			}
		}
		if n >= 5 {
			if end, ok = c.IntArg(4); !ok {
				return
			}
		}
	default:
		c.W.WriteError(ErrSyntax)
		return
	}
	lo, hi, ok := bitRange(start, end, int64(len(s)), isBit)
	if !ok {
		c.W.WriteInt(-1)
		return
	}
	pos := findBit(s, lo, hi, bit)
	if pos < 0 && bit == 0 && len(c.Args) < 5 {
		pos = hi + 1
	}
	c.W.WriteInt(pos)
}

// The BITOP operations.
const (
	bitAnd = iota
	bitOr
	bitXor
	bitNot
)

// bitop serves BITOP op destkey key...: missing keys count as empty strings
// and shorter strings as padded with zero bytes. An empty result deletes
// destkey. The reply is the result's length.
func bitop(c *Ctx) {
	var op int
	switch name := c.Args[1]; {
	case EqualFold(name, "and"):
		op = bitAnd
	case EqualFold(name, "or"):
		op = bitOr
	case EqualFold(name, "xor"):
		op = bitXor
	case EqualFold(name, "not"):
		op = bitNot
	default:
		c.W.WriteError(ErrSyntax)
		return
	}
	if op == bitNot && len(c.Args) != 4 {
		c.W.WriteError("ERR BITOP NOT must be called with a single source key.")
		return
	}
	srcs := make([][]byte, 0, len(c.Args)-3)
	size := 0
	for _, key := range c.Args[3:] {
		e, ok := c.stringArg(key)
		if !ok {
			return
		}
		srcs = append(srcs, strOf(e))
		size = max(size, len(strOf(e)))
	}
	dest := c.Args[2]
	if size == 0 {
		if c.delKey(dest) {
			c.Propagate()
		}
		c.W.WriteInt(0)
		return
	}
	res := make([]byte, size)
	copy(res, srcs[0])
	for _, s := range srcs[1:] {
		switch op {
		case bitAnd:
			for i := range res {
				if i < len(s) {
					res[i] &= s[i]
				} else {
					res[i] = 0
				}
			}
		case bitOr:
			for i, b := range s {
				res[i] |= b
			}
		case bitXor:
			for i, b := range s {
				res[i] ^= b
			}
		}
	}
	if op == bitNot {
		for i := range res {
			res[i] = ^res[i]
		}
	}
	setEncoding(c.Store(dest, StringValue(res), false), encRaw)
	c.Propagate()
	c.Notify(EventString, "set", dest)
	c.W.WriteInt(int64(size))
}
