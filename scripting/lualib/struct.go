package lualib

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// OpenStruct registers Roberto Ierusalimschy's struct library (struct.c 1.7,
// as Redis has it) as the global struct and returns it: pack, unpack and
// size, with the sizes and alignment of x86-64 (short 2, int 4, long and
// size_t 8, native order little-endian, maximum alignment 8).
//
// Format options: '<' '>' set little or big endian, "![n]" the maximum
// alignment (8 without n), 'x' a zero byte, 'b' 'B' 'h' 'H' 'l' 'L' 'T'
// integers (lower case signed), "i[n]" "I[n]" integers of n bytes (4 by
// default, at most 32), 'f' 'd' float and double, "c[n]" n bytes of a string
// (packing "c0" takes it whole; unpacking, the previous number gives the
// size), 's' a string ending in a zero byte; ' ' is ignored.
func OpenStruct(L *lua.LState) *lua.LTable {
	return newModule(L, "struct", map[string]lua.LGFunction{
		"pack":   structPack,
		"unpack": structUnpack,
		"size":   structSize,
	})
}

const (
	structMaxIntSize = 32
	structMaxAlign   = 8 // the alignment of double in a struct on x86-64
)

// A structFormat reads a format string, as a C string, and keeps the
// endianness and alignment its options set.
type structFormat struct {
	L      *lua.LState
	s      string
	i      int
	little bool
	align  uint64
}

func newStructFormat(L *lua.LState) *structFormat {
	return &structFormat{L: L, s: cString(checkString(L, 1)), little: true, align: 1}
}

func (f *structFormat) more() bool { return f.i < len(f.s) }

// option returns the next option and its size (0 for options that have
// none), reading the number after 'c', 'i' and 'I'.
func (f *structFormat) option() (opt byte, size uint64) {
	opt = f.s[f.i]
	f.i++
	switch opt {
	case 'b', 'B', 'x':
		return opt, 1
	case 'h', 'H':
		return opt, 2
	case 'i', 'I':
		n := f.number(4)
		if n > structMaxIntSize {
			raise(f.L, "integral size %d is larger than limit of %d", n, structMaxIntSize)
		}
		return opt, uint64(n)
	case 'f':
		return opt, 4
	case 'l', 'L', 'T', 'd':
		return opt, 8
	case 'c':
		return opt, uint64(f.number(1))
	}
	return opt, 0
}

// number reads the decimal number at the current position, or returns def
// if there is none. The number must fit in a C int.
func (f *structFormat) number(def int) int {
	if !f.more() || !isDigit(f.s[f.i]) {
		return def
	}
	a := 0
	for f.more() && isDigit(f.s[f.i]) {
		d := int(f.s[f.i] - '0')
		if a > math.MaxInt32/10 || a*10 > math.MaxInt32-d {
			raise(f.L, "integral size overflow")
		}
		a = a*10 + d
		f.i++
	}
	return a
}

// padding returns the number of bytes that align an option of the given size
// at offset n: to its size, or to the maximum alignment if that is smaller.
// Like struct.c, it assumes a power of 2 ("i3" gets odd results).
func (f *structFormat) padding(n uint64, opt byte, size uint64) uint64 {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > f.align {
		size = f.align
	}
	return (size - n&(size-1)) & (size - 1)
}

// control handles the options that set the endianness and alignment, and
// fails on an unknown option.
func (f *structFormat) control(opt byte) {
	switch opt {
	case ' ':
	case '>':
		f.little = false
	case '<':
		f.little = true
	case '!':
		a := f.number(structMaxAlign)
		if a <= 0 || a&(a-1) != 0 {
			raise(f.L, "alignment %d is not a power of 2", a)
		}
		f.align = uint64(a)
	default:
		argError(f.L, 1, "invalid format option '"+string([]byte{opt})+"'")
	}
}

// order is the byte order the format sets.
func (f *structFormat) order() interface {
	binary.ByteOrder
	binary.AppendByteOrder
} {
	if f.little {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// structPack is struct.pack(format, v...).
func structPack(L *lua.LState) int {
	f := newStructFormat(L)
	// struct.c pushes a nil after the arguments: a missing one is "nil".
	L.Push(lua.LNil)
	arg := 2
	var buf []byte
	var total uint64
	for f.more() {
		opt, size := f.option()
		pad := f.padding(total, opt, size)
		total += pad
		buf = append(buf, make([]byte, pad)...)
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			buf = f.putInteger(buf, checkNumber(L, arg), int(size))
			arg++
		case 'x':
			buf = append(buf, 0)
		case 'f':
			buf = f.order().AppendUint32(buf, math.Float32bits(float32(checkNumber(L, arg))))
			arg++
		case 'd':
			buf = f.order().AppendUint64(buf, math.Float64bits(checkNumber(L, arg)))
			arg++
		case 'c', 's':
			s := checkString(L, arg)
			arg++
			if size == 0 {
				size = uint64(len(s))
			}
			if uint64(len(s)) < size {
				argError(L, arg, "string too short") // sic: the next argument
			}
			buf = append(buf, s[:size]...)
			if opt == 's' {
				buf = append(buf, 0)
				size++
			}
		default:
			f.control(opt)
		}
		total += size
	}
	L.Push(lua.LString(buf))
	return 1
}

// putInteger appends n as an integer of size bytes. A negative n converts as
// a C long, others as an unsigned long; bytes past the eighth are zero.
func (f *structFormat) putInteger(buf []byte, n float64, size int) []byte {
	var v uint64
	if n < 0 {
		v = uint64(toInt64(n))
	} else {
		v = toUint64(n)
	}
	b := make([]byte, size)
	for i := 0; i < size; i++ {
		if f.little {
			b[i] = byte(v)
		} else {
			b[size-1-i] = byte(v)
		}
		v >>= 8
	}
	return append(buf, b...)
}

// getInteger reads an integer of len(b) bytes. Past eight bytes only the
// least significant eight count; the sign extension of a signed one shifts
// by (8*size-1) mod 64 bits, as x86-64 does with struct.c's shift.
func (f *structFormat) getInteger(b string, signed bool) float64 {
	var v uint64
	for i := range len(b) {
		if f.little {
			v = v<<8 | uint64(b[len(b)-1-i])
		} else {
			v = v<<8 | uint64(b[i])
		}
	}
	if !signed {
		return float64(v)
	}
	mask := ^uint64(0) << (uint(8*len(b)-1) & 63)
	if v&mask != 0 {
		v |= mask
	}
	return float64(int64(v))
}

// structUnpack is struct.unpack(format, data [, pos]): the values, then the
// position after them.
func structUnpack(L *lua.LState) int {
	f := newStructFormat(L)
	data := checkString(L, 2)
	ld := uint64(len(data))
	pos := uint64(optInteger(L, 3, 1)) // a size_t: negative offsets are huge
	if pos == 0 {
		argError(L, 3, "offset must be 1 or greater")
	}
	pos--
	nargs := L.GetTop()
	var results []lua.LValue
	for f.more() {
		opt, size := f.option()
		pos += f.padding(pos, opt, size)
		if size > ld || pos > ld-size {
			argError(L, 2, "data string too short")
		}
		if nargs+len(results)+2 > maxCStack {
			raise(L, "stack overflow (too many results)")
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			signed := 'a' <= opt && opt <= 'z'
			results = append(results, lua.LNumber(f.getInteger(data[pos:pos+size], signed)))
		case 'x':
		case 'f':
			bits := f.order().Uint32([]byte(data[pos : pos+4]))
			results = append(results, lua.LNumber(math.Float32frombits(bits)))
		case 'd':
			bits := f.order().Uint64([]byte(data[pos : pos+8]))
			results = append(results, lua.LNumber(math.Float64frombits(bits)))
		case 'c':
			if size == 0 {
				var n float64
				ok := false
				if len(results) > 0 {
					n, ok = toNumber(results[len(results)-1])
				}
				if !ok {
					raise(L, "format 'c0' needs a previous size")
				}
				size = toUint64(n)
				results = results[:len(results)-1]
				if size > ld || pos > ld-size {
					argError(L, 2, "data string too short")
				}
			}
			results = append(results, lua.LString(data[pos:pos+size]))
		case 's':
			e := strings.IndexByte(data[pos:], 0)
			if e < 0 {
				raise(L, "unfinished string in data")
			}
			size = uint64(e) + 1
			results = append(results, lua.LString(data[pos:pos+uint64(e)]))
		default:
			f.control(opt)
		}
		pos += size
	}
	for _, v := range results {
		L.Push(v)
	}
	L.Push(lua.LNumber(int64(pos + 1)))
	return len(results) + 1
}

// structSize is struct.size(format): the size of what pack makes of it. It
// ignores the letters and digits that are no options.
func structSize(L *lua.LState) int {
	f := newStructFormat(L)
	var pos uint64
	for f.more() {
		opt, size := f.option()
		pos += f.padding(pos, opt, size)
		switch {
		case opt == 's':
			argError(L, 1, "option 's' has no fixed size")
		case opt == 'c' && size == 0:
			argError(L, 1, "option 'c0' has no fixed size")
		}
		if !isAlnum(opt) {
			f.control(opt)
		}
		pos += size
	}
	L.Push(lua.LNumber(int64(pos)))
	return 1
}
