package db

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// maxStringLen is the longest string a command may build, Redis's default
// proto-max-bulk-len (512 MiB).
const maxStringLen = 512 << 20

const errStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"

// Argument words of the forms string writes are logged in.
var (
	setName     = []byte("SET")
	pxatName    = []byte("PXAT")
	persistName = []byte("PERSIST")
	keepTTLName = []byte("KEEPTTL")
)

// registerStrings adds the string commands, and through registerBits the
// bitmap commands that also work on string values.
func registerStrings(t *Table) {
	cmd := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "string", Since: since, Summary: summary, Run: run})
	}
	const (
		read  = FlagReadonly
		write = FlagWrite | FlagDenyOOM
		fast  = FlagFast
	)
	cmd("get", 2, read|fast, "1.0.0", "Returns the string value of a key.", get)
	cmd("set", -3, write, "1.0.0", "Sets a key to a string, with optional expiry and conditions.", set)
	cmd("setnx", 3, write|fast, "1.0.0", "Sets a key to a string only if the key does not exist.", setnx)
	cmd("setex", 4, write, "2.0.0", "Sets a key to a string that expires after some seconds.", setex(expEX))
	cmd("psetex", 4, write, "2.6.0", "Sets a key to a string that expires after some milliseconds.", setex(expPX))
	cmd("getset", 3, write|fast, "1.0.0", "Sets a key to a string and returns its previous value.", getset)
	cmd("getdel", 2, FlagWrite|fast, "6.2.0", "Returns a key's string value and deletes the key.", getdel)
	cmd("getex", -2, FlagWrite|fast, "6.2.0", "Returns a key's string value and changes or removes its expiry.", getex)
	cmd("incr", 2, write|fast, "1.0.0", "Adds one to the integer value of a key.", incr(1))
	cmd("decr", 2, write|fast, "1.0.0", "Subtracts one from the integer value of a key.", incr(-1))
	cmd("incrby", 3, write|fast, "1.0.0", "Adds a number to the integer value of a key.", incrby)
	cmd("decrby", 3, write|fast, "1.0.0", "Subtracts a number from the integer value of a key.", decrby)
	cmd("incrbyfloat", 3, write|fast, "2.6.0", "Adds a decimal number to the numeric value of a key.", incrbyfloat)
	cmd("append", 3, write|fast, "2.0.0", "Appends a string to the value of a key, creating it if needed.", appendCmd)
	cmd("strlen", 2, read|fast, "2.2.0", "Returns the length of a key's string value.", strlen)
	cmd("getrange", 4, read, "2.4.0", "Returns a substring of a key's string value.", getrange)
	cmd("substr", 4, read, "1.0.0", "Returns a substring of a key's string value (old name of GETRANGE).", getrange)
	cmd("setrange", 4, write, "2.2.0", "Overwrites part of a key's string value from an offset.", setrange)

	cmd("mget", -2, read|fast, "1.0.0", "Returns the string values of several keys.", mget)
	cmd("mset", -3, write, "1.0.1", "Sets several keys to string values.", mset(false))
	cmd("msetnx", -3, write, "1.0.1", "Sets several keys to string values only if none of them exists.", mset(true))
	cmd("lcs", -3, read, "7.0.0", "Finds the longest common subsequence of two keys' strings.", lcs)

	registerBits(t)
}

// stringArg returns the string value of the live key (nil if the key is
// missing) for a command that reads it. If the key holds another kind it
// writes WRONGTYPE and returns ok false.
func (c *Ctx) stringArg(key []byte) (e *Entry, ok bool) {
	e = c.LookupRead(key)
	return e, c.CheckKind(e, KindString)
}

// strOf returns the string value of e, or nil if e is nil.
func strOf(e *Entry) []byte {
	if e == nil {
		return nil
	}
	return e.Value.Str()
}

// writeString writes e's value as a bulk reply, or a null if e is nil.
func (c *Ctx) writeString(e *Entry) {
	if e == nil {
		c.W.WriteNull()
	} else {
		c.W.WriteBulk(e.Value.Str())
	}
}

// putString makes a copy of b the string value of key, keeping the key's
// deadline. e is key's live entry, or nil if key is missing. An existing
// string's array is reused when b fits it without wasting much.
func (c *Ctx) putString(e *Entry, key, b []byte) *Entry {
	if e != nil && e.Value.Obj() == nil && cap(e.Value.Str()) >= len(b) && cap(e.Value.Str()) <= 2*len(b)+16 {
		e.Value.SetStr(append(e.Value.Str()[:0], b...))
		setEncoding(e, encAuto)
		c.touch(e)
		return e
	}
	return c.storeString(e, key, b, true)
}

// edited records that e's string was changed in place, which Redis reports
// as the raw encoding.
func (c *Ctx) edited(e *Entry) {
	setEncoding(e, encRaw)
	c.touch(e)
}

// checkLength reports whether a string of size bytes plus add more stays
// within maxStringLen; otherwise it writes Redis's error.
func (c *Ctx) checkLength(size, add int64) bool {
	if size > maxStringLen-add {
		c.W.WriteError(errStringTooLong)
		return false
	}
	return true
}

func get(c *Ctx) {
	if e, ok := c.stringArg(c.Args[1]); ok {
		c.writeString(e)
	}
}

// The expiry options of SET and GETEX.
const (
	expNone = iota
	expEX
	expPX
	expEXAT
	expPXAT
)

// setOptions are the parsed options of SET (or GETEX, which takes the expiry
// options and PERSIST).
type setOptions struct {
	nx, xx, get, keepTTL, persist bool
	exp                           int    // expNone or the expiry option given
	expArg                        []byte // the expiry option's argument
}

// parseSetOptions parses args as SET's options, or GETEX's if getex. It
// writes a syntax error and returns false for an unknown option or a
// conflict, as Redis does: NX with XX, KEEPTTL or PERSIST with an expiry, two
// different expiry options. Repeating an option is allowed; the last
// expiry argument wins.
func (c *Ctx) parseSetOptions(args [][]byte, getex bool) (o setOptions, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		exp := expNone
		switch {
		case EqualFold(a, "nx") && !getex && !o.xx:
			o.nx = true
		case EqualFold(a, "xx") && !getex && !o.nx:
			o.xx = true
		case EqualFold(a, "get") && !getex:
			o.get = true
		case EqualFold(a, "keepttl") && !getex && o.exp == expNone:
			o.keepTTL = true
		case EqualFold(a, "persist") && getex && o.exp == expNone:
			o.persist = true
		case EqualFold(a, "ex"):
			exp = expEX
		case EqualFold(a, "px"):
			exp = expPX
		case EqualFold(a, "exat"):
			exp = expEXAT
		case EqualFold(a, "pxat"):
			exp = expPXAT
		default:
			c.W.WriteError(ErrSyntax)
			return o, false
		}
		if exp == expNone {
			continue
		}
		if o.keepTTL || o.persist || o.exp != expNone && o.exp != exp || i+1 == len(args) {
			c.W.WriteError(ErrSyntax)
			return o, false
		}
		o.exp, o.expArg = exp, args[i+1]
		i++
	}
	return o, true
}

// expireAt returns the absolute deadline, in unix milliseconds, that o's
// expiry option asks for. It writes Redis's error and returns false when the
// argument is not an integer, not positive, or overflows.
func (c *Ctx) expireAt(o *setOptions) (int64, bool) {
	n, ok := ParseInt(o.expArg)
	if !ok {
		c.W.WriteError(ErrNotInt)
		return 0, false
	}
	seconds := o.exp == expEX || o.exp == expEXAT
	if n <= 0 || seconds && n > math.MaxInt64/1000 {
		c.writeInvalidExpire()
		return 0, false
	}
	if seconds {
		n *= 1000
	}
	if o.exp == expEX || o.exp == expPX {
		if n > math.MaxInt64-c.Now {
			c.writeInvalidExpire()
			return 0, false
		}
		n += c.Now
	}
	return n, true
}

func (c *Ctx) writeInvalidExpire() {
	c.W.WriteError(fmt.Sprintf(ErrInvalidExp, c.Cmd.FullName()))
}

// setResult is what setString did.
type setResult int

const (
	setFailed  setResult = iota // an error reply was written
	setAborted                  // NX or XX stopped it; nothing written unless GET
	setDone
)

// setString is the core of SET and its variants: it sets key to val under
// the options o, writing only the old value (for GET) or an error; the
// caller writes the success or abort reply. A write with an expiry is logged
// as SET key val PXAT <deadline>; otherwise as sent, without GET.
func (c *Ctx) setString(key, val []byte, o *setOptions) setResult {
	var at int64
	if o.exp != expNone {
		var ok bool
		if at, ok = c.expireAt(o); !ok {
			return setFailed
		}
	}
	var e *Entry
	if o.get {
		var ok bool
		if e, ok = c.stringArg(key); !ok {
			return setFailed
		}
		c.writeString(e)
	} else {
		e = c.Lookup(key)
	}
	if o.nx && e != nil || o.xx && e == nil {
		return setAborted
	}
	e = c.storeString(e, key, val, o.keepTTL || at != 0)
	c.Notify(EventString, "set", key)
	switch {
	case at != 0:
		c.SetExpire(e, at)
		c.Notify(EventGeneric, "expire", key)
		c.propagateScratch(at, setName, key, val, pxatName)
	case o.get:
		c.PropagateAs(withoutGet(c.Args)...)
	default:
		c.Propagate()
	}
	return setDone
}

// withoutGet returns a copy of SET's args without its GET options.
func withoutGet(args [][]byte) [][]byte {
	out := make([][]byte, 0, len(args))
	for i, a := range args {
		if i < 3 || !EqualFold(a, "get") {
			out = append(out, a)
		}
	}
	return out
}

func set(c *Ctx) {
	o, ok := c.parseSetOptions(c.Args[3:], false)
	if !ok {
		return
	}
	switch r := c.setString(c.Args[1], c.Args[2], &o); {
	case o.get:
		// The old value is the reply.
	case r == setDone:
		c.WriteOK()
	case r == setAborted:
		c.W.WriteNull()
	}
}

func setnx(c *Ctx) {
	o := setOptions{nx: true}
	c.WriteBool(c.setString(c.Args[1], c.Args[2], &o) == setDone)
}

// setex returns the Run function of SETEX (exp expEX) or PSETEX (expPX):
// SET key value with a relative expiry given before the value.
func setex(exp int) func(c *Ctx) {
	return func(c *Ctx) {
		o := setOptions{exp: exp, expArg: c.Args[2]}
		if c.setString(c.Args[1], c.Args[3], &o) == setDone {
			c.WriteOK()
		}
	}
}

func getset(c *Ctx) {
	o := setOptions{get: true}
	c.setString(c.Args[1], c.Args[2], &o)
}

// getdel writes the key's value and deletes it; the write is logged as DEL.
func getdel(c *Ctx) {
	key := c.Args[1]
	e, ok := c.stringArg(key)
	if !ok {
		return
	}
	c.writeString(e)
	if e != nil {
		c.delKey(key)
		c.PropagateAs(delName, key)
	}
}

// getex writes the key's value and then applies its option: a new deadline
// (logged as PEXPIREAT, or as DEL when it has already passed and the key is
// deleted) or PERSIST (logged only if the key had a deadline).
func getex(c *Ctx) {
	o, ok := c.parseSetOptions(c.Args[2:], true)
	if !ok {
		return
	}
	key := c.Args[1]
	e, ok := c.stringArg(key)
	if !ok {
		return
	}
	if e == nil {
		c.W.WriteNull()
		return
	}
	var at int64
	if o.exp != expNone {
		if at, ok = c.expireAt(&o); !ok {
			return
		}
	}
	c.writeString(e)
	switch {
	case at != 0 && c.PastDeadline(at):
		c.delKey(key)
		c.PropagateAs(delName, key)
	case at != 0:
		c.SetExpire(e, at)
		c.PropagateAs(pexpireatName, key, strconv.AppendInt(nil, at, 10))
		c.Notify(EventGeneric, "expire", key)
	case o.persist && e.HasDeadline():
		c.SetExpire(e, 0)
		c.PropagateAs(persistName, key)
		c.Notify(EventGeneric, "persist", key)
	}
}

// mget writes each key's string value, or a null for a missing key or one
// of another kind.
func mget(c *Ctx) {
	keys := c.Args[1:]
	c.W.WriteArray(len(keys))
	for _, key := range keys {
		e := c.LookupRead(key)
		if e != nil && e.Value.Kind() != KindString {
			e = nil
		}
		c.writeString(e)
	}
}

// mset returns the Run function of MSET, or of MSETNX if nx, which sets
// nothing and replies 0 when any of the keys exists.
func mset(nx bool) func(c *Ctx) {
	return func(c *Ctx) {
		if len(c.Args)%2 == 0 {
			c.W.WriteError("ERR wrong number of arguments for '" + c.Cmd.FullName() + "' command")
			return
		}
		if nx {
			for i := 1; i < len(c.Args); i += 2 {
				if c.Lookup(c.Args[i]) != nil {
					c.W.WriteInt(0)
					return
				}
			}
		}
		for i := 1; i < len(c.Args); i += 2 {
			c.storeString(c.Lookup(c.Args[i]), c.Args[i], c.Args[i+1], false)
			c.Notify(EventString, "set", c.Args[i])
		}
		c.Propagate()
		if nx {
			c.W.WriteInt(1)
		} else {
			c.WriteOK()
		}
	}
}

// incr returns the Run function of INCR (delta 1) and DECR (-1).
func incr(delta int64) func(c *Ctx) {
	return func(c *Ctx) { c.incrBy(delta) }
}

func incrby(c *Ctx) {
	if delta, ok := c.IntArg(2); ok {
		c.incrBy(delta)
	}
}

func decrby(c *Ctx) {
	delta, ok := c.IntArg(2)
	if !ok {
		return
	}
	if delta == math.MinInt64 {
		c.W.WriteError("ERR decrement would overflow")
		return
	}
	c.incrBy(-delta)
}

// incrBy adds delta to the integer value of args[1] (0 if missing), keeping
// the key's deadline, and replies with the result.
func (c *Ctx) incrBy(delta int64) {
	key := c.Args[1]
	e := c.Lookup(key)
	if !c.CheckKind(e, KindString) {
		return
	}
	var n int64
	if e != nil {
		var ok bool
		if n, ok = ParseInt(e.Value.Str()); !ok {
			c.W.WriteError(ErrNotInt)
			return
		}
	}
	if delta > 0 && n > math.MaxInt64-delta || delta < 0 && n < math.MinInt64-delta {
		c.W.WriteError(ErrOverflow)
		return
	}
	n += delta
	var buf [20]byte
	c.putString(e, key, strconv.AppendInt(buf[:0], n, 10))
	c.Propagate()
	c.Notify(EventString, "incrby", key)
	c.W.WriteInt(n)
}

// incrbyfloat adds a decimal increment with Redis's long double arithmetic
// and formatting. It is logged as SET key <result> KEEPTTL, so that replay
// does not depend on floating point.
func incrbyfloat(c *Ctx) {
	key := c.Args[1]
	e := c.Lookup(key)
	if !c.CheckKind(e, KindString) {
		return
	}
	cur := newLongDouble()
	if e != nil {
		var ok bool
		if cur, ok = parseLongDouble(e.Value.Str()); !ok {
			c.W.WriteError(ErrNotFloat)
			return
		}
	}
	inc, ok := parseLongDouble(c.Args[2])
	if !ok {
		c.W.WriteError(ErrNotFloat)
		return
	}
	sum, ok := addLongDouble(cur, inc)
	if !ok {
		c.W.WriteError(ErrNaNOrInf)
		return
	}
	s := formatLongDouble(sum)
	setEncoding(c.putString(e, key, s), encText)
	c.W.WriteBulk(s)
	c.PropagateAs(setName, key, s, keepTTLName)
	c.Notify(EventString, "incrbyfloat", key)
}

func appendCmd(c *Ctx) {
	key, add := c.Args[1], c.Args[2]
	e := c.Lookup(key)
	if !c.CheckKind(e, KindString) {
		return
	}
	if e == nil {
		c.Store(key, StringValue(bytes.Clone(add)), false)
		c.W.WriteInt(int64(len(add)))
	} else {
		if !c.checkLength(int64(len(e.Value.Str())), int64(len(add))) {
			return
		}
		e.Value.SetStr(append(e.Value.Str(), add...))
		c.edited(e)
		c.W.WriteInt(int64(len(e.Value.Str())))
	}
	c.Propagate()
	c.Notify(EventString, "append", key)
}

func strlen(c *Ctx) {
	if e, ok := c.stringArg(c.Args[1]); ok {
		c.W.WriteInt(int64(len(strOf(e))))
	}
}

// getrange serves GETRANGE and SUBSTR: negative indexes count from the end,
// and the range is clamped to the string.
func getrange(c *Ctx) {
	start, ok := c.IntArg(2)
	if !ok {
		return
	}
	end, ok := c.IntArg(3)
	if !ok {
		return
	}
	e, ok := c.stringArg(c.Args[1])
	if !ok {
		return
	}
	s := strOf(e)
	n := int64(len(s))
	// Both ends before the start would clamp to the first byte: Redis
	// answers empty instead.
	lo, hi, ok := clampRange(start, end, n)
	if !ok || start < 0 && end < 0 && start > end {
		c.W.WriteBulk(nil)
		return
	}
	c.W.WriteBulk(s[lo : hi+1])
}

// setrange overwrites the value from an offset, padding with zero bytes,
// and replies with the new length. An empty value changes nothing, not even
// a missing key.
func setrange(c *Ctx) {
	offset, ok := c.IntArg(2)
	if !ok {
		return
	}
	if offset < 0 {
		c.W.WriteError("ERR offset is out of range")
		return
	}
	key, val := c.Args[1], c.Args[3]
	e := c.Lookup(key)
	if !c.CheckKind(e, KindString) {
		return
	}
	if len(val) == 0 {
		c.W.WriteInt(int64(len(strOf(e))))
		return
	}
	if !c.checkLength(offset, int64(len(val))) {
		return
	}
	if e == nil {
		e = c.Store(key, Value{}, false)
	}
	e.Value.SetStr(growZero(e.Value.Str(), int(offset)+len(val)))
	copy(e.Value.Str()[offset:], val)
	c.edited(e)
	c.Propagate()
	c.Notify(EventString, "setrange", key)
	c.W.WriteInt(int64(len(e.Value.Str())))
}

// growZero returns b extended with zero bytes to at least n bytes.
func growZero(b []byte, n int) []byte {
	if n <= len(b) {
		return b
	}
	return append(b, make([]byte, n-len(b))...)
}

// INCRBYFLOAT computes as Redis does on x86-64, in C's long double: the
// 80-bit extended format, with a 64-bit mantissa and binary exponents up to
// 16384. big.Float at that precision rounds the same way.
const (
	ldPrec   = 64
	ldMaxExp = 16384  // MantExp of the largest finite value
	ldMinExp = -16444 // MantExp of the smallest subnormal
	// ldMaxLen is Redis's MAX_LONG_DOUBLE_CHARS: longer text is no number.
	ldMaxLen = 5 * 1024
)

func newLongDouble() *big.Float { return new(big.Float).SetPrec(ldPrec) }

// parseLongDouble parses b as Redis's string2ld does with C's strtold: an
// optional sign, then "inf" or "infinity" (any case), or a decimal mantissa
// with an optional e exponent, or a 0x hexadecimal one with an optional p
// exponent; nothing else, not even spaces. NaN is refused, and so are values
// that overflow the format or underflow to zero.
func parseLongDouble(b []byte) (*big.Float, bool) {
	f := newLongDouble()
	if len(b) == 0 || len(b) >= ldMaxLen {
		return nil, false
	}
	neg := b[0] == '-'
	if b[0] == '-' || b[0] == '+' {
		b = b[1:]
	}
	if EqualFold(b, "inf") || EqualFold(b, "infinity") {
		return f.SetInf(neg), true
	}
	base, expChar, bitsPerDigit := 10, byte('e'), 0
	if len(b) > 2 && b[0] == '0' && b[1]|0x20 == 'x' {
		base, expChar, bitsPerDigit = 16, 'p', 4
		b = b[2:]
	}
	// The mantissa's digits without the point, and the exponent (of 10, or
	// of 2 in hexadecimal) that scales them.
	digits := make([]byte, 0, len(b))
	point := -1
	i := 0
	for ; i < len(b); i++ {
		if b[i] == '.' && point < 0 {
			point = len(digits)
		} else if digitValue(b[i]) < base {
			digits = append(digits, b[i])
		} else {
			break
		}
	}
	if len(digits) == 0 {
		return nil, false
	}
	exp := 0
	if i < len(b) {
		if b[i]|0x20 != expChar {
			return nil, false
		}
		var ok bool
		if exp, ok = parseExponent(b[i+1:]); !ok {
			return nil, false
		}
	}
	if point >= 0 {
		frac := len(digits) - point
		if base == 16 {
			frac *= bitsPerDigit
		}
		exp -= frac
	}
	digits = bytes.TrimLeft(digits, "0")
	if len(digits) == 0 {
		if neg {
			f.Neg(f)
		}
		return f, true
	}
	// Refuse what is surely out of range before computing exactly.
	scale := len(digits) // digits before the point, in units of exp
	if base == 16 {
		scale *= bitsPerDigit
		if exp+scale-4 > ldMaxExp || exp+scale < ldMinExp-1 {
			return nil, false
		}
	} else if exp+scale-1 > 4933 || exp+scale < -4952 {
		return nil, false
	}
	m, _ := new(big.Int).SetString(string(digits), base)
	switch {
	case base == 16:
		f.SetMantExp(f.SetInt(m), exp)
	case exp >= 0:
		f.SetInt(m.Mul(m, pow10(exp)))
	default:
		f.SetRat(new(big.Rat).SetFrac(m, pow10(-exp)))
	}
	// Below the smallest subnormal, what does not round up to it is zero:
	// an underflow. (Subnormals themselves keep 64 bits here: that cannot
	// change what INCRBYFLOAT prints.)
	if e := f.MantExp(nil); e > ldMaxExp || e < ldMinExp-1 || e == ldMinExp-1 && f.MinPrec() == 1 {
		return nil, false
	}
	if neg {
		f.Neg(f)
	}
	return f, true
}

// digitValue returns the value of a hexadecimal digit, or 16 if c is none.
func digitValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return int(c|0x20-'a') + 10
	}
	return 16
}

// parseExponent parses an optionally signed decimal exponent, saturating
// far beyond any exponent the long double format can reach.
func parseExponent(b []byte) (int, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < 1e8 {
			n = n*10 + int(c-'0')
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// addLongDouble returns a+b, or false if the sum is infinite or NaN.
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	sum := newLongDouble().Add(a, b)
	if sum.Sign() != 0 && sum.MantExp(nil) > ldMaxExp {
		return nil, false
	}
	return sum, true
}

// formatLongDouble formats f as Redis's "human friendly" long doubles: C's
// %.17Lf without trailing zeros (nor a trailing point), and never "-0". No
// exponent is ever printed.
func formatLongDouble(f *big.Float) []byte {
	s := f.Append(nil, 'f', 17)
	s = bytes.TrimRight(s, "0")
	s = bytes.TrimSuffix(s, []byte("."))
	if string(s) == "-0" {
		s = s[1:]
	}
	return s
}

// lcs serves LCS a b [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest
// common subsequence of two strings (a missing key is empty), its length, or
// with IDX the matching ranges, last first, as Redis walks them.
func lcs(c *Ctx) {
	ea, eb := c.LookupRead(c.Args[1]), c.LookupRead(c.Args[2])
	if ea != nil && ea.Value.Kind() != KindString || eb != nil && eb.Value.Kind() != KindString {
		c.W.WriteError("ERR The specified keys must contain string values")
		return
	}
	a, b := strOf(ea), strOf(eb)
	var getLen, getIdx, withLen bool
	var minLen int64
	for i := 3; i < len(c.Args); i++ {
		switch opt := c.Args[i]; {
		case EqualFold(opt, "idx"):
			getIdx = true
		case EqualFold(opt, "len"):
			getLen = true
		case EqualFold(opt, "withmatchlen"):
			withLen = true
		case EqualFold(opt, "minmatchlen") && i+1 < len(c.Args):
			n, ok := c.IntArg(i + 1)
			if !ok {
				return
			}
			minLen = max(n, 0)
			i++
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	if getIdx && getLen {
		c.W.WriteError("ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	// Redis fills a table of (len(a)+1)*(len(b)+1) 32-bit lengths and
	// refuses one larger than proto-max-bulk-len; the same limit applies
	// here although the table below takes a bit per cell.
	if (int64(len(a))+1)*(int64(len(b))+1)*4 > maxStringLen {
		c.W.WriteError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	if getLen {
		c.W.WriteInt(int64(lcsLength(a, b, nil)))
		return
	}
	moves := make([]uint64, (len(a)*len(b)+63)/64)
	n := lcsLength(a, b, moves)
	seq, ranges := lcsWalk(a, b, n, moves)
	if !getIdx {
		c.W.WriteBulk(seq)
		return
	}
	c.W.WriteMap(2)
	c.W.WriteBulkString("matches")
	shown := 0
	for _, r := range ranges {
		if r.n >= minLen {
			shown++
		}
	}
	c.W.WriteArray(shown)
	for _, r := range ranges {
		if r.n < minLen {
			continue
		}
		if withLen {
			c.W.WriteArray(3)
		} else {
			c.W.WriteArray(2)
		}
		c.W.WriteArray(2)
		c.W.WriteInt(r.a)
		c.W.WriteInt(r.a + r.n - 1)
		c.W.WriteArray(2)
		c.W.WriteInt(r.b)
		c.W.WriteInt(r.b + r.n - 1)
		if withLen {
			c.W.WriteInt(r.n)
		}
	}
	c.W.WriteBulkString("len")
	c.W.WriteInt(int64(n))
}

// lcsLength returns the length of the longest common subsequence of a and b
// by dynamic programming over two rows of the table L, where L[i][j] is the
// length for a[:i] and b[:j]. If moves is not nil it records, one bit per
// cell (i, j) with i, j ≥ 1, whether L[i-1][j] > L[i][j-1]: the direction
// Redis's walk back takes where the bytes differ.
func lcsLength(a, b []byte, moves []uint64) int {
	prev := make([]uint32, len(b)+1)
	cur := make([]uint32, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch up, left := prev[j], cur[j-1]; {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case up > left:
				cur[j] = up
				if moves != nil {
					k := (i-1)*len(b) + j - 1
					moves[k/64] |= 1 << (k % 64)
				}
			default:
				cur[j] = left
			}
		}
		prev, cur = cur, prev
	}
	return int(prev[len(b)])
}

// lcsRange is one run of consecutive matches: a[a:a+n] equals b[b:b+n].
type lcsRange struct{ a, b, n int64 }

// lcsWalk walks the table back from its last cell as Redis does (a match
// moves diagonally; otherwise up when moves says so, else left) and returns
// the subsequence, n bytes long, and its runs of consecutive matches in the
// order met, that is from the ends of the strings backwards.
func lcsWalk(a, b []byte, n int, moves []uint64) ([]byte, []lcsRange) {
	seq := make([]byte, n)
	var ranges []lcsRange
	var run lcsRange
	for i, j := len(a), len(b); i > 0 && j > 0; {
		if a[i-1] == b[j-1] {
			n--
			seq[n] = a[i-1]
			i, j = i-1, j-1
			run = lcsRange{a: int64(i), b: int64(j), n: run.n + 1}
			continue
		}
		if run.n > 0 {
			ranges = append(ranges, run)
			run = lcsRange{}
		}
		if k := (i-1)*len(b) + j - 1; moves[k/64]&(1<<(k%64)) != 0 {
			i--
		} else {
			j--
		}
	}
	if run.n > 0 {
		ranges = append(ranges, run)
	}
	return seq, ranges
}
