package lualib

import (
	"fmt"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// OpenCJSON registers Lua CJSON 2.1.0 as the global cjson and returns it:
// encode, decode, their settings, new (a module with its own settings) and
// null, the value JSON's null decodes to.
//
// null is a userdata that stands for the NULL light userdata of Redis's Lua:
// the modules cjson.new makes share it, so that decoded nulls compare equal
// across them, as they do in Redis.
func OpenCJSON(L *lua.LState) *lua.LTable {
	t := newCJSON(L, L.NewUserData())
	L.SetGlobal("cjson", t)
	return t
}

// The defaults of a new cjson module's settings.
const (
	cjsonSparseRatio     = 2
	cjsonSparseSafe      = 10
	cjsonMaxDepth        = 1000
	cjsonNumberPrecision = 14
)

// cjsonConfig holds one module's settings. The enumerated ones hold the
// index of their option ("off" 0, "on" 1, "null" 2).
type cjsonConfig struct {
	sparseConvert         int
	sparseRatio           int32
	sparseSafe            int32
	encodeMaxDepth        int32
	decodeMaxDepth        int32
	encodeInvalidNumbers  int
	decodeInvalidNumbers  int
	encodeKeepBuffer      int // kept and reported only: it changes no result
	encodeNumberPrecision int32
}

// newCJSON returns a cjson module table with default settings.
func newCJSON(L *lua.LState, null *lua.LUserData) *lua.LTable {
	cfg := &cjsonConfig{
		sparseRatio:           cjsonSparseRatio,
		sparseSafe:            cjsonSparseSafe,
		encodeMaxDepth:        cjsonMaxDepth,
		decodeMaxDepth:        cjsonMaxDepth,
		decodeInvalidNumbers:  1,
		encodeKeepBuffer:      1,
		encodeNumberPrecision: cjsonNumberPrecision,
	}
	t := newModuleTable(L, map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				argError(L, 1, "expected 1 argument")
			}
			e := jsonEncoder{L: L, cfg: cfg, null: null}
			e.value(L.Get(1), 0, 1)
			L.Push(lua.LString(e.buf))
			return 1
		},
		"decode": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				argError(L, 1, "expected 1 argument")
			}
			d := jsonDecoder{L: L, cfg: cfg, null: null, data: checkString(L, 1), slots: 1}
			L.Push(d.decode())
			return 1
		},
		"encode_sparse_array": func(L *lua.LState) int {
			cjsonArgs(L, 3)
			enumOption(L, 1, &cfg.sparseConvert, nil)
			intOption(L, 2, &cfg.sparseRatio, 0, math.MaxInt32)
			intOption(L, 3, &cfg.sparseSafe, 0, math.MaxInt32)
			return 3
		},
		"encode_max_depth": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			intOption(L, 1, &cfg.encodeMaxDepth, 1, math.MaxInt32)
			return 1
		},
		"decode_max_depth": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			intOption(L, 1, &cfg.decodeMaxDepth, 1, math.MaxInt32)
			return 1
		},
		"encode_number_precision": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			intOption(L, 1, &cfg.encodeNumberPrecision, 1, 14)
			return 1
		},
		"encode_keep_buffer": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			enumOption(L, 1, &cfg.encodeKeepBuffer, nil)
			return 1
		},
		"encode_invalid_numbers": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			enumOption(L, 1, &cfg.encodeInvalidNumbers, []string{"off", "on", "null"})
			return 1
		},
		"decode_invalid_numbers": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			enumOption(L, 1, &cfg.decodeInvalidNumbers, nil)
			return 1
		},
		"new": func(L *lua.LState) int {
			L.Push(newCJSON(L, null))
			return 1
		},
	})
	t.RawSetString("null", null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

// cjsonArgs checks that a setting function got at most n arguments, and
// pads them with nils to n: the settings it pushes come after them.
func cjsonArgs(L *lua.LState, n int) {
	if L.GetTop() > n {
		argError(L, n+1, "found too many arguments")
	}
	for L.GetTop() < n {
		L.Push(lua.LNil)
	}
}

// intOption sets *setting from argument n unless it is nil or absent, and
// pushes the setting. Like Lua CJSON, it reports a value out of range as an
// error in argument 1 whichever argument it is, and takes the integer
// modulo 2^32 first.
func intOption(L *lua.LState, n int, setting *int32, min, max int32) {
	if L.Get(n) != lua.LNil {
		v := int32(checkInteger(L, n))
		if v < min || v > max {
			argError(L, 1, fmt.Sprintf("expected integer between %d and %d", min, max))
		}
		*setting = v
	}
	L.Push(lua.LNumber(*setting))
}

// enumOption sets *setting from argument n unless it is nil or absent: a
// boolean means options 0 and 1, a string names an option ("off" and "on"
// when options is nil). It pushes the setting: a boolean for options 0 and 1,
// else the option's name.
func enumOption(L *lua.LState, n int, setting *int, options []string) {
	if options == nil {
		options = []string{"off", "on"}
	}
	switch v := L.Get(n).(type) {
	case lua.LBool:
		*setting = 0
		if v {
			*setting = 1
		}
	case *lua.LNilType:
	default:
		*setting = checkOption(L, n, options)
	}
	if *setting <= 1 {
		L.Push(lua.LBool(*setting == 1))
	} else {
		L.Push(lua.LString(options[*setting]))
	}
}

// checkOption is luaL_checkoption without a default.
func checkOption(L *lua.LState, n int, options []string) int {
	name := cString(checkString(L, n))
	for i, o := range options {
		if o == name {
			return i
		}
	}
	argError(L, n, "invalid option '"+name+"'")
	return 0
}

// ---- Encoding ----

// jsonEscapes holds the escape of each byte that cjson escapes: the control
// characters, '"', '/', '\\' and DEL. Other bytes, UTF-8 or not, pass as
// they are.
var jsonEscapes = func() [256]string {
	var e [256]string
	for c := 0; c < 0x20; c++ {
		e[c] = fmt.Sprintf("\\u%04x", c)
	}
	e['\b'], e['\t'], e['\n'], e['\f'], e['\r'] = `\b`, `\t`, `\n`, `\f`, `\r`
	e['"'], e['/'], e['\\'], e[0x7f] = `\"`, `\/`, `\\`, `\u007f`
	return e
}()

// A jsonEncoder writes one value as JSON. slots counts the values Lua
// CJSON's C code would hold on the Lua stack, which cannot exceed maxCStack.
type jsonEncoder struct {
	L    *lua.LState
	cfg  *cjsonConfig
	null *lua.LUserData
	buf  []byte
}

// value appends v, which is at the given nesting depth of tables, with
// slots values on the C stack (v the last).
func (e *jsonEncoder) value(v lua.LValue, depth int32, slots int) {
	switch v := v.(type) {
	case lua.LString:
		e.string(string(v))
	case lua.LNumber:
		e.number(float64(v))
	case lua.LBool:
		if v {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case *lua.LTable:
		depth++
		if depth > e.cfg.encodeMaxDepth || slots+3 > maxCStack {
			raise(e.L, "Cannot serialise, excessive nesting (%d)", depth)
		}
		if n := e.arrayLength(v); n > 0 {
			e.array(v, n, depth, slots)
		} else {
			e.object(v, depth, slots)
		}
	case *lua.LNilType:
		e.buf = append(e.buf, "null"...)
	default:
		if v == lua.LValue(e.null) {
			e.buf = append(e.buf, "null"...)
			return
		}
		raise(e.L, "Cannot serialise %s: type not supported", v.Type().String())
	}
}

func (e *jsonEncoder) string(s string) {
	e.buf = append(e.buf, '"')
	for i := 0; i < len(s); i++ {
		if esc := jsonEscapes[s[i]]; esc != "" {
			e.buf = append(e.buf, esc...)
		} else {
			e.buf = append(e.buf, s[i])
		}
	}
	e.buf = append(e.buf, '"')
}

func (e *jsonEncoder) number(f float64) {
	invalid := math.IsInf(f, 0) || math.IsNaN(f)
	switch e.cfg.encodeInvalidNumbers {
	case 0:
		if invalid {
			raise(e.L, "Cannot serialise number: must not be NaN or Inf")
		}
	case 1:
		if math.IsNaN(f) {
			e.buf = append(e.buf, "nan"...) // never "-nan"
			return
		}
	default:
		if invalid {
			e.buf = append(e.buf, "null"...)
			return
		}
	}
	e.buf = append(e.buf, formatG(f, int(e.cfg.encodeNumberPrecision))...)
}

// arrayLength returns the length of t as a JSON array, or -1 if t must be an
// object: every key must be an integer of at least 1. An array whose largest
// index exceeds both the safe size and ratio times its number of elements
// is excessively sparse: an error, or an object if sparse conversion is on.
// The arithmetic is Lua CJSON's, with C's int (a key past 2^31 makes the
// largest index negative, and the table an object).
func (e *jsonEncoder) arrayLength(t *lua.LTable) int32 {
	var max, items int32
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		f, ok := k.(lua.LNumber)
		if !ok || math.Floor(float64(f)) != float64(f) || f < 1 {
			return -1
		}
		if float64(f) > float64(max) {
			max = toInt32(float64(f))
		}
		items++
	}
	cfg := e.cfg
	if cfg.sparseRatio > 0 && max > items*cfg.sparseRatio && max > cfg.sparseSafe {
		if cfg.sparseConvert == 0 {
			raise(e.L, "Cannot serialise table: excessively sparse array")
		}
		return -1
	}
	return max
}

func (e *jsonEncoder) array(t *lua.LTable, n int32, depth int32, slots int) {
	e.buf = append(e.buf, '[')
	for i := int32(1); i <= n; i++ {
		if i > 1 {
			e.buf = append(e.buf, ',')
		}
		e.value(t.RawGet(lua.LNumber(i)), depth, slots+1)
	}
	e.buf = append(e.buf, ']')
}

func (e *jsonEncoder) object(t *lua.LTable, depth int32, slots int) {
	e.buf = append(e.buf, '{')
	first := true
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		switch k := k.(type) {
		case lua.LNumber:
			e.buf = append(e.buf, '"')
			e.number(float64(k))
			e.buf = append(e.buf, '"', ':')
		case lua.LString:
			e.string(string(k))
			e.buf = append(e.buf, ':')
		default:
			raise(e.L, "Cannot serialise %s: table key must be a number or string", k.Type().String())
		}
		e.value(v, depth, slots+2)
	}
	e.buf = append(e.buf, '}')
}

// ---- Decoding ----

type jsonTokenType int

const (
	tokObjBegin jsonTokenType = iota
	tokObjEnd
	tokArrBegin
	tokArrEnd
	tokString
	tokNumber
	tokBoolean
	tokNull
	tokColon
	tokComma
	tokEnd
	tokWhitespace
	tokError
	tokUnknown
)

// jsonTokenNames are the names decode errors give the tokens.
var jsonTokenNames = [...]string{
	"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END",
	"T_WHITESPACE", "T_ERROR", "T_UNKNOWN",
}

// jsonCharTokens classifies the first byte of a token; tokUnknown needs a
// closer look.
var jsonCharTokens = func() [256]jsonTokenType {
	var c [256]jsonTokenType
	for i := range c {
		c[i] = tokError
	}
	c['{'], c['}'], c['['], c[']'] = tokObjBegin, tokObjEnd, tokArrBegin, tokArrEnd
	c[','], c[':'] = tokComma, tokColon
	c[0] = tokEnd
	c[' '], c['\t'], c['\n'], c['\r'] = tokWhitespace, tokWhitespace, tokWhitespace, tokWhitespace
	for _, ch := range "fiInNt\"+-0123456789" {
		c[ch] = tokUnknown
	}
	return c
}()

// jsonUnescapes maps the byte after a backslash to the byte it stands for;
// 0 is an invalid escape, 'u' a \uXXXX escape.
var jsonUnescapes = [256]byte{
	'"': '"', '\\': '\\', '/': '/', 'b': '\b', 't': '\t', 'n': '\n', 'f': '\f', 'r': '\r', 'u': 'u',
}

type jsonToken struct {
	typ     jsonTokenType
	index   int // of its first byte
	str     string
	num     float64
	boolean bool
	err     string // for tokError
}

// A jsonDecoder reads one JSON text. Like Lua CJSON's, which reads a C
// string, it sees a NUL byte as the end of the text. slots counts the values
// Lua CJSON would hold on the C stack.
type jsonDecoder struct {
	L     *lua.LState
	cfg   *cjsonConfig
	null  *lua.LUserData
	data  string
	pos   int
	depth int
	slots int
}

// at returns the byte at i, or NUL past the end.
func (d *jsonDecoder) at(i int) byte {
	if i < len(d.data) {
		return d.data[i]
	}
	return 0
}

func (d *jsonDecoder) decode() lua.LValue {
	if len(d.data) >= 2 && (d.data[0] == 0 || d.data[1] == 0) {
		raise(d.L, "JSON parser does not support UTF-16 or UTF-32")
	}
	v := d.value(d.next())
	if tok := d.next(); tok.typ != tokEnd {
		d.parseError("the end", tok)
	}
	return v
}

func (d *jsonDecoder) parseError(expected string, tok jsonToken) {
	found := jsonTokenNames[tok.typ]
	if tok.typ == tokError {
		found = tok.err
	}
	raise(d.L, "Expected %s but found %s at character %d", expected, found, tok.index+1)
}

// tokenError makes an error token at the current position.
func (d *jsonDecoder) tokenError(msg string) jsonToken {
	return jsonToken{typ: tokError, index: d.pos, err: msg}
}

func (d *jsonDecoder) next() jsonToken {
	for jsonCharTokens[d.at(d.pos)] == tokWhitespace {
		d.pos++
	}
	ch := d.at(d.pos)
	tok := jsonToken{typ: jsonCharTokens[ch], index: d.pos}
	switch tok.typ {
	case tokError:
		return d.tokenError("invalid token")
	case tokEnd:
		return tok
	case tokUnknown:
	default:
		d.pos++
		return tok
	}
	rest := d.data[d.pos:]
	switch {
	case ch == '"':
		return d.stringToken()
	case ch == '-' || isDigit(ch):
		if d.cfg.decodeInvalidNumbers == 0 && d.invalidNumber() {
			return d.tokenError("invalid number")
		}
		return d.numberToken()
	case strings.HasPrefix(rest, "true"):
		d.pos += 4
		return jsonToken{typ: tokBoolean, index: tok.index, boolean: true}
	case strings.HasPrefix(rest, "false"):
		d.pos += 5
		return jsonToken{typ: tokBoolean, index: tok.index}
	case strings.HasPrefix(rest, "null"):
		d.pos += 4
		return jsonToken{typ: tokNull, index: tok.index}
	case d.cfg.decodeInvalidNumbers != 0 && d.invalidNumber():
		return d.numberToken()
	}
	return d.tokenError("invalid token")
}

// invalidNumber reports whether the number at the current position is one
// strtod reads but JSON forbids: a leading '+', hexadecimal, a leading zero,
// inf or nan.
func (d *jsonDecoder) invalidNumber() bool {
	p := d.pos
	switch d.at(p) {
	case '+':
		return true
	case '-':
		p++
	}
	switch c := d.at(p); {
	case c == '0':
		c2 := d.at(p + 1)
		return c2|0x20 == 'x' || isDigit(c2)
	case c <= '9' || c >= 0x80: // a C char of 0x80 or more is negative
		return false
	}
	return hasPrefixFold(d.data, p, "inf") || hasPrefixFold(d.data, p, "nan")
}

func (d *jsonDecoder) numberToken() jsonToken {
	v, end := strtod(cString(d.data[d.pos:]), 0)
	if end == 0 {
		return d.tokenError("invalid number")
	}
	tok := jsonToken{typ: tokNumber, index: d.pos, num: v}
	d.pos += end
	return tok
}

func (d *jsonDecoder) stringToken() jsonToken {
	start := d.pos
	d.pos++ // the opening quote
	var b []byte
	for {
		ch := d.at(d.pos)
		if ch == '"' {
			break
		}
		if ch == 0 {
			return d.tokenError("unexpected end of string")
		}
		if ch == '\\' {
			ch = jsonUnescapes[d.at(d.pos+1)]
			if ch == 'u' {
				var ok bool
				if b, ok = d.appendUnicodeEscape(b); !ok {
					return d.tokenError("invalid unicode escape code")
				}
				continue
			}
			if ch == 0 {
				return d.tokenError("invalid escape code")
			}
			d.pos++
		}
		b = append(b, ch)
		d.pos++
	}
	d.pos++ // the closing quote
	return jsonToken{typ: tokString, index: start, str: string(b)}
}

// appendUnicodeEscape decodes the \uXXXX escape at the current position (a
// surrogate pair takes two) into b as UTF-8 and moves past it.
func (d *jsonDecoder) appendUnicodeEscape(b []byte) ([]byte, bool) {
	cp := d.hex4(d.pos + 2)
	if cp < 0 {
		return b, false
	}
	n := 6
	if cp&0xf800 == 0xd800 {
		if cp&0x400 != 0 || d.at(d.pos+6) != '\\' || d.at(d.pos+7) != 'u' {
			return b, false // a low surrogate first, or a high one alone
		}
		low := d.hex4(d.pos + 8)
		if low < 0 || low&0xfc00 != 0xdc00 {
			return b, false
		}
		cp = (cp&0x3ff)<<10 | low&0x3ff + 0x10000
		n = 12
	}
	switch {
	case cp <= 0x7f:
		b = append(b, byte(cp))
	case cp <= 0x7ff:
		b = append(b, byte(cp>>6|0xc0), byte(cp&0x3f|0x80))
	case cp <= 0xffff:
		b = append(b, byte(cp>>12|0xe0), byte(cp>>6&0x3f|0x80), byte(cp&0x3f|0x80))
	default:
		b = append(b, byte(cp>>18|0xf0), byte(cp>>12&0x3f|0x80), byte(cp>>6&0x3f|0x80), byte(cp&0x3f|0x80))
	}
	d.pos += n
	return b, true
}

// hex4 returns the value of the four hexadecimal digits at i, or -1.
func (d *jsonDecoder) hex4(i int) int {
	v := 0
	for k := 0; k < 4; k++ {
		c := d.at(i + k)
		switch {
		case isDigit(c):
			v = v<<4 | int(c-'0')
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			v = v<<4 | int(c|0x20-'a'+10)
		default:
			return -1
		}
	}
	return v
}

// descend enters a nested object or array, which needs room for need
// values on the C stack.
func (d *jsonDecoder) descend(need int) {
	d.depth++
	if d.depth > int(d.cfg.decodeMaxDepth) || d.slots+need > maxCStack {
		raise(d.L, "Found too many nested data structures (%d) at character %d", d.depth, d.pos)
	}
}

// value returns the value that starts with tok. It counts the value as a
// slot on the C stack; its caller releases it.
func (d *jsonDecoder) value(tok jsonToken) lua.LValue {
	switch tok.typ {
	case tokString:
		d.slots++
		return lua.LString(tok.str)
	case tokNumber:
		d.slots++
		return lua.LNumber(tok.num)
	case tokBoolean:
		d.slots++
		return lua.LBool(tok.boolean)
	case tokNull:
		d.slots++
		return d.null
	case tokObjBegin:
		return d.object()
	case tokArrBegin:
		return d.array()
	}
	d.parseError("value", tok)
	return nil
}

func (d *jsonDecoder) object() lua.LValue {
	d.descend(3)
	t := d.L.NewTable()
	d.slots++
	tok := d.next()
	if tok.typ == tokObjEnd {
		d.depth--
		return t
	}
	for {
		if tok.typ != tokString {
			d.parseError("object key string", tok)
		}
		key := tok.str
		d.slots++
		if tok = d.next(); tok.typ != tokColon {
			d.parseError("colon", tok)
		}
		t.RawSetString(key, d.value(d.next()))
		d.slots -= 2
		tok = d.next()
		if tok.typ == tokObjEnd {
			d.depth--
			return t
		}
		if tok.typ != tokComma {
			d.parseError("comma or object end", tok)
		}
		tok = d.next()
	}
}

func (d *jsonDecoder) array() lua.LValue {
	d.descend(2)
	t := d.L.NewTable()
	d.slots++
	tok := d.next()
	if tok.typ == tokArrEnd {
		d.depth--
		return t
	}
	for i := 1; ; i++ {
		t.RawSetInt(i, d.value(tok))
		d.slots--
		tok = d.next()
		if tok.typ == tokArrEnd {
			d.depth--
			return t
		}
		if tok.typ != tokComma {
			d.parseError("comma or array end", tok)
		}
		tok = d.next()
	}
}
