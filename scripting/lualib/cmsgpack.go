package lualib

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// OpenCMsgpack registers lua-cmsgpack 0.4.0 as the global cmsgpack and
// returns it: pack, unpack, unpack_one and unpack_limit.
func OpenCMsgpack(L *lua.LState) *lua.LTable {
	t := newModule(L, "cmsgpack", map[string]lua.LGFunction{
		"pack":   msgpackPack,
		"unpack": func(L *lua.LState) int { return msgpackUnpack(L, 0, 0) },
		"unpack_one": func(L *lua.LState) int {
			offset := optInteger(L, 2, 0)
			keepFirst(L)
			return msgpackUnpack(L, 1, offset)
		},
		"unpack_limit": func(L *lua.LState) int {
			limit := checkInteger(L, 2)
			offset := optInteger(L, 3, 0)
			keepFirst(L)
			return msgpackUnpack(L, limit, offset)
		},
	})
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

// keepFirst drops the arguments after the first, if any.
func keepFirst(L *lua.LState) {
	if L.GetTop() > 1 {
		L.SetTop(1)
	}
}

// msgpackMaxNesting is the depth at which pack writes a table as nil, which
// also ends the encoding of a table that contains itself.
const msgpackMaxNesting = 16

// msgpackPack is cmsgpack.pack(v...): the concatenated encodings of its
// arguments.
func msgpackPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		argError(L, 0, "MessagePack pack needs input.")
	}
	if 2*n > maxCStack { // lua_checkstack(L, n) with the n arguments on the stack
		argError(L, 0, "Too many arguments for MessagePack pack.")
	}
	var buf []byte
	for i := 1; i <= n; i++ {
		buf = msgpackEncode(buf, L.Get(i), 0)
	}
	L.Push(lua.LString(buf))
	return 1
}

// msgpackEncode appends the encoding of v, at the given nesting level, to
// buf. Values with no MessagePack form (functions, userdata) are nil.
func msgpackEncode(buf []byte, v lua.LValue, level int) []byte {
	switch v := v.(type) {
	case lua.LString:
		return msgpackBytes(buf, string(v))
	case lua.LBool:
		if v {
			return append(buf, 0xc3)
		}
		return append(buf, 0xc2)
	case lua.LNumber:
		return msgpackNumber(buf, float64(v))
	case *lua.LTable:
		if level == msgpackMaxNesting {
			break
		}
		if n, ok := msgpackArrayLength(v); ok {
			buf = msgpackHeader(buf, 0x90, 0xdc, 0xdd, uint64(n))
			for i := 1; i <= n; i++ {
				buf = msgpackEncode(buf, v.RawGet(lua.LNumber(i)), level+1)
			}
			return buf
		}
		n := 0
		for k, _ := v.Next(lua.LNil); k != lua.LNil; k, _ = v.Next(k) {
			n++
		}
		buf = msgpackHeader(buf, 0x80, 0xde, 0xdf, uint64(n))
		for k, val := v.Next(lua.LNil); k != lua.LNil; k, val = v.Next(k) {
			buf = msgpackEncode(buf, k, level+1)
			buf = msgpackEncode(buf, val, level+1)
		}
		return buf
	}
	return append(buf, 0xc0)
}

// msgpackArrayLength reports whether t's keys are exactly 1..n, and n.
func msgpackArrayLength(t *lua.LTable) (n int, ok bool) {
	var count, max int32
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		f, isNum := k.(lua.LNumber)
		if !isNum || f <= 0 || float64(toInt32(float64(f))) != float64(f) {
			return 0, false
		}
		if i := int32(f); i > max {
			max = i
		}
		count++
	}
	return int(count), max == count
}

// msgpackHeader appends the header of an array or a map of n elements: the
// fix form (fix|n) up to 15, then the 16-bit and the 32-bit forms.
func msgpackHeader(buf []byte, fix, b16, b32 byte, n uint64) []byte {
	switch {
	case n <= 15:
		return append(buf, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(buf, b16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(buf, b32), uint32(n))
	}
}

// msgpackBytes appends s as a raw string: fixraw, then str 8, 16 and 32.
func msgpackBytes(buf []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		buf = append(buf, 0xa0|byte(n))
	case n <= 0xff:
		buf = append(buf, 0xd9, byte(n))
	case n <= 0xffff:
		buf = binary.BigEndian.AppendUint16(append(buf, 0xda), uint16(n))
	default:
		buf = binary.BigEndian.AppendUint32(append(buf, 0xdb), uint32(n))
	}
	return append(buf, s...)
}

// msgpackNumber appends f as the smallest integer form when it is an
// integer in int64's range, else as a float when a float holds it exactly,
// else as a double.
func msgpackNumber(buf []byte, f float64) []byte {
	if !math.IsInf(f, 0) && float64(toInt64(f)) == f {
		return msgpackInt(buf, toInt64(f))
	}
	if f32 := float32(f); float64(f32) == f {
		return binary.BigEndian.AppendUint32(append(buf, 0xca), math.Float32bits(f32))
	}
	return binary.BigEndian.AppendUint64(append(buf, 0xcb), math.Float64bits(f))
}

func msgpackInt(buf []byte, n int64) []byte {
	switch {
	case n >= 0 && n <= 127:
		return append(buf, byte(n))
	case n >= 0 && n <= 0xff:
		return append(buf, 0xcc, byte(n))
	case n >= 0 && n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(buf, 0xcd), uint16(n))
	case n >= 0 && n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(buf, 0xce), uint32(n))
	case n >= 0:
		return binary.BigEndian.AppendUint64(append(buf, 0xcf), uint64(n))
	case n >= -32:
		return append(buf, byte(n))
	case n >= -128:
		return append(buf, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(buf, 0xd1), uint16(n))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(buf, 0xd2), uint32(n))
	default:
		return binary.BigEndian.AppendUint64(append(buf, 0xd3), uint64(n))
	}
}

// The errors a msgpackDecoder meets.
const (
	msgpackOK = iota
	msgpackEOF
	msgpackBadFormat
)

// A msgpackDecoder reads values from data[pos:]. It stops at the first
// error, which it keeps in err. slots counts the values lua-cmsgpack would
// hold on the C stack, which cannot exceed maxCStack.
type msgpackDecoder struct {
	L     *lua.LState
	data  string
	pos   int
	err   int
	slots int
}

// need reports whether n more bytes are there, and records an EOF if not.
func (d *msgpackDecoder) need(n uint64) bool {
	if uint64(len(d.data)-d.pos) < n {
		d.err = msgpackEOF
		return false
	}
	return true
}

// be returns the n bytes at data[pos+i:] as a big-endian number; the caller
// checked that they are there.
func (d *msgpackDecoder) be(i, n int) uint64 {
	var v uint64
	for _, c := range []byte(d.data[d.pos+i : d.pos+i+n]) {
		v = v<<8 | uint64(c)
	}
	return v
}

// msgpackNumbers maps the type byte of each number to the size of the number
// after it and to its value, as lua-cmsgpack pushes it.
var msgpackNumbers = map[byte]struct {
	size  int
	value func(uint64) float64
}{
	0xcc: {1, func(u uint64) float64 { return float64(u) }},
	0xcd: {2, func(u uint64) float64 { return float64(u) }},
	0xce: {4, func(u uint64) float64 { return float64(u) }},
	// Lua takes a uint 64 as a signed lua_Integer: 2^63 and more are negative.
	0xcf: {8, func(u uint64) float64 { return float64(int64(u)) }},
	0xd0: {1, func(u uint64) float64 { return float64(int8(u)) }},
	0xd1: {2, func(u uint64) float64 { return float64(int16(u)) }},
	0xd2: {4, func(u uint64) float64 { return float64(int32(u)) }},
	0xd3: {8, func(u uint64) float64 { return float64(int64(u)) }},
	0xca: {4, func(u uint64) float64 { return float64(math.Float32frombits(uint32(u))) }},
	0xcb: {8, math.Float64frombits},
}

// str reads a string of n bytes after a header of h bytes.
func (d *msgpackDecoder) str(h int, n uint64) lua.LValue {
	d.pos += h
	if !d.need(n) {
		return nil
	}
	s := d.data[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return lua.LString(s)
}

// value decodes one value and counts it as a slot on the C stack. It returns
// nil (not lua.LNil) when it sets d.err.
func (d *msgpackDecoder) value() lua.LValue {
	if !d.need(1) {
		return nil
	}
	if d.slots+1 > maxCStack {
		raise(d.L, "stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)")
	}
	v := d.decode()
	if v != nil {
		d.slots++
	}
	return v
}

func (d *msgpackDecoder) decode() lua.LValue {
	t := d.data[d.pos]
	if nt, ok := msgpackNumbers[t]; ok {
		if !d.need(uint64(1 + nt.size)) {
			return nil
		}
		v := nt.value(d.be(1, nt.size))
		d.pos += 1 + nt.size
		return lua.LNumber(v)
	}
	switch {
	case t <= 0x7f: // positive fixint
		d.pos++
		return lua.LNumber(t)
	case t >= 0xe0: // negative fixint
		d.pos++
		return lua.LNumber(int8(t))
	case t <= 0x8f: // fixmap
		d.pos++
		return d.table(uint64(t&0xf), true)
	case t <= 0x9f: // fixarray
		d.pos++
		return d.table(uint64(t&0xf), false)
	case t <= 0xbf: // fixraw
		if !d.need(1 + uint64(t&0x1f)) {
			return nil
		}
		return d.str(1, uint64(t&0x1f))
	case t == 0xc0:
		d.pos++
		return lua.LNil
	case t == 0xc2 || t == 0xc3:
		d.pos++
		return lua.LBool(t == 0xc3)
	case t == 0xd9 || t == 0xda: // str 8 and 16
		h := 2 + int(t-0xd9)
		if !d.need(uint64(h)) {
			return nil
		}
		n := d.be(1, h-1)
		if !d.need(uint64(h) + n) {
			return nil
		}
		return d.str(h, n)
	case t == 0xdb: // str 32
		if !d.need(5) {
			return nil
		}
		return d.str(5, d.be(1, 4))
	case t == 0xdc || t == 0xde: // array and map 16
		if !d.need(3) {
			return nil
		}
		n := d.be(1, 2)
		d.pos += 3
		return d.table(n, t == 0xde)
	case t == 0xdd || t == 0xdf: // array and map 32
		if !d.need(5) {
			return nil
		}
		n := d.be(1, 4)
		d.pos += 5
		return d.table(n, t == 0xdf)
	}
	d.err = msgpackBadFormat // 0xc1, bin, ext and fixext
	return nil
}

// table decodes n elements, or n key-value pairs when isMap, into a new
// table. It reads no more elements than the data holds, whatever n says.
func (d *msgpackDecoder) table(n uint64, isMap bool) lua.LValue {
	t := d.L.NewTable()
	d.slots++
	if !isMap && d.slots+1 > maxCStack {
		raise(d.L, "stack overflow (in function mp_decode_to_lua_array)")
	}
	for i := uint64(1); i <= n; i++ {
		var k lua.LValue = lua.LNumber(i)
		if isMap {
			if k = d.value(); k == nil {
				return nil
			}
		} else {
			d.slots++ // the index
		}
		v := d.value()
		if v == nil {
			return nil
		}
		switch f, _ := k.(lua.LNumber); {
		case k == lua.LNil:
			raiseNoPosition(d.L, "table index is nil")
		case f != f:
			raiseNoPosition(d.L, "table index is NaN")
		}
		t.RawSet(k, v)
		d.slots -= 2
	}
	d.slots-- // the caller counts the table as the value
	return t
}

// msgpackUnpack decodes up to limit values (all when limit and offset are
// both 0) from argument 1, starting offset bytes in. Unless it decodes all,
// it returns the offset of the rest first, -1 when none is left.
func msgpackUnpack(L *lua.LState, limit, offset int64) int {
	s := checkString(L, 1)
	if offset < 0 || limit < 0 {
		// lua-cmsgpack reports the input's length as the limit.
		raise(L, "Invalid request to unpack with offset of %d and limit of %d.", int32(offset), int32(len(s)))
	}
	if uint64(offset) > uint64(len(s)) {
		raise(L, "Start offset %d greater than input length %d.", int32(offset), int32(len(s)))
	}
	all := limit == 0 && offset == 0
	if all {
		limit = math.MaxInt32
	}
	d := msgpackDecoder{L: L, data: s, pos: int(offset), slots: L.GetTop()}
	var values []lua.LValue
	for cnt := int64(0); d.pos < len(s) && cnt < limit; cnt++ {
		v := d.value()
		switch d.err {
		case msgpackEOF:
			raise(L, "Missing bytes in input.")
		case msgpackBadFormat:
			raise(L, "Bad data format in input.")
		}
		values = append(values, v)
	}
	if !all {
		if d.slots+1 > maxCStack {
			raise(L, "stack overflow (in function mp_unpack_full)")
		}
		next := int64(d.pos)
		if d.pos == len(s) {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, v := range values {
		L.Push(v)
	}
	return len(values) + btoi(!all)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
