package scripting

import (
	"encoding/binary"
	"errors"
	"hash/crc64"
	"strings"

	"myredis/db"
)

// FUNCTION DUMP and RESTORE use Redis's payload: for each library the RDB
// opcode FUNCTION2 (245) and its code as an RDB string, then the RDB
// version (10, two bytes little-endian) and the CRC64 (Jones polynomial,
// reflected, initial value 0, as Redis computes it) of all that, eight
// bytes little-endian. MyRedis writes the strings uncompressed; it reads
// every encoding Redis writes (LZF-compressed strings, integers) and the
// older FUNCTION opcode (246) of Redis 7.0's release candidates.

const (
	rdbOpFunction2 = 245
	rdbOpFunction  = 246
	rdbVersion     = 10
)

var crcTable = crc64.MakeTable(0x95AC9329AC4BC9B5) // Jones, reflected

// redisCRC64 is Redis's crc64(0, b).
func redisCRC64(b []byte) uint64 { return ^crc64.Update(^uint64(0), crcTable, b) }

// dumpLibraries returns the payload of libs.
func dumpLibraries(libs []*library) []byte {
	var b []byte
	for _, l := range libs {
		b = append(b, rdbOpFunction2)
		b = appendRDBLen(b, uint64(len(l.code)))
		b = append(b, l.code...)
	}
	b = append(b, rdbVersion, 0)
	return binary.LittleEndian.AppendUint64(b, redisCRC64(b))
}

// appendRDBLen appends n in RDB's length encoding.
func appendRDBLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|0x40, byte(n))
	case n <= 1<<32-1:
		return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0x81), n)
}

// errPayload is RESTORE's error for a payload whose footer is wrong.
var errPayload = errors.New("DUMP payload version or checksum are wrong")

// parsePayload checks a payload's footer and returns the code of each
// library in it. The error is Redis's reply text.
func parsePayload(p []byte) ([]string, error) {
	if len(p) < 10 {
		return nil, errPayload
	}
	footer := p[len(p)-10:]
	if ver := uint16(footer[0]) | uint16(footer[1])<<8; ver > rdbVersion {
		return nil, errPayload
	}
	if binary.LittleEndian.Uint64(footer[2:]) != redisCRC64(p[:len(p)-8]) {
		return nil, errPayload
	}
	r := rdbReader{b: p[:len(p)-10]}
	var codes []string
	for len(r.b) > 0 {
		switch op := r.b[0]; op {
		case rdbOpFunction2:
			r.b = r.b[1:]
			code, ok := r.str()
			if !ok {
				return nil, errors.New("Failed loading library payload")
			}
			codes = append(codes, code)
		case rdbOpFunction:
			r.b = r.b[1:]
			name, ok1 := r.str()
			engine, ok2 := r.str()
			hasDesc, ok3 := r.length()
			ok4 := true
			if ok3 && hasDesc != 0 {
				_, ok4 = r.str()
			}
			blob, ok5 := r.str()
			if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
				return nil, errors.New("failed loading the given functions payload")
			}
			codes = append(codes, "#!"+engine+" name="+name+"\n"+blob)
		default:
			return nil, errors.New("given type is not a function")
		}
	}
	return codes, nil
}

// rdbReader reads RDB-encoded values from b.
type rdbReader struct{ b []byte }

// length reads a plain RDB length.
func (r *rdbReader) length() (uint64, bool) {
	n, enc, ok := r.lengthOrEncoding()
	return n, ok && !enc
}

// lengthOrEncoding reads an RDB length; enc says it is instead the
// special string encoding n (an integer, or LZF).
func (r *rdbReader) lengthOrEncoding() (n uint64, enc, ok bool) {
	if len(r.b) == 0 {
		return 0, false, false
	}
	c := r.b[0]
	switch c >> 6 {
	case 0:
		r.b = r.b[1:]
		return uint64(c & 0x3f), false, true
	case 1:
		if len(r.b) < 2 {
			return 0, false, false
		}
		n = uint64(c&0x3f)<<8 | uint64(r.b[1])
		r.b = r.b[2:]
		return n, false, true
	case 3:
		r.b = r.b[1:]
		return uint64(c & 0x3f), true, true
	}
	switch c {
	case 0x80:
		if len(r.b) < 5 {
			return 0, false, false
		}
		n = uint64(binary.BigEndian.Uint32(r.b[1:]))
		r.b = r.b[5:]
		return n, false, true
	case 0x81:
		if len(r.b) < 9 {
			return 0, false, false
		}
		n = binary.BigEndian.Uint64(r.b[1:])
		r.b = r.b[9:]
		return n, false, true
	}
	return 0, false, false
}

// str reads an RDB string in any of its encodings.
func (r *rdbReader) str() (string, bool) {
	n, enc, ok := r.lengthOrEncoding()
	if !ok {
		return "", false
	}
	if !enc {
		if uint64(len(r.b)) < n {
			return "", false
		}
		s := string(r.b[:n])
		r.b = r.b[n:]
		return s, true
	}
	var v int64
	switch n {
	case 0:
		if len(r.b) < 1 {
			return "", false
		}
		v, r.b = int64(int8(r.b[0])), r.b[1:]
	case 1:
		if len(r.b) < 2 {
			return "", false
		}
		v, r.b = int64(int16(binary.LittleEndian.Uint16(r.b))), r.b[2:]
	case 2:
		if len(r.b) < 4 {
			return "", false
		}
		v, r.b = int64(int32(binary.LittleEndian.Uint32(r.b))), r.b[4:]
	case 3:
		clen, ok1 := r.length()
		ulen, ok2 := r.length()
		if !ok1 || !ok2 || uint64(len(r.b)) < clen || ulen > 1<<30 {
			return "", false
		}
		out, ok := lzfDecompress(r.b[:clen], int(ulen))
		r.b = r.b[clen:]
		return string(out), ok
	default:
		return "", false
	}
	return itoa(v), true
}

// lzfDecompress expands LZF data into exactly n bytes. Each control byte
// below 32 starts a run of that many plus one literal bytes; any other is a
// back reference: its top three bits give the length minus two (7 means a
// length byte follows), its low five bits and the next byte the distance
// minus one.
func lzfDecompress(in []byte, n int) ([]byte, bool) {
	out := make([]byte, 0, n)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 {
			run := ctrl + 1
			if i+run > len(in) || len(out)+run > n {
				return nil, false
			}
			out = append(out, in[i:i+run]...)
			i += run
			continue
		}
		length := ctrl >> 5
		if length == 7 {
			if i >= len(in) {
				return nil, false
			}
			length += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, false
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[i]) - 1
		i++
		length += 2
		if ref < 0 || len(out)+length > n {
			return nil, false
		}
		for k := range length {
			out = append(out, out[ref+k])
		}
	}
	return out, len(out) == n
}

// functionDump is FUNCTION DUMP.
func (e *Engine) functionDump(c *db.Ctx) {
	c.W.WriteBulk(dumpLibraries(e.libs.Load().sorted()))
}

// functionRestore is FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE].
func (e *Engine) functionRestore(c *db.Ctx) {
	if len(c.Args) > 4 {
		writeSubcommandError(c)
		return
	}
	policy := "append"
	if len(c.Args) == 4 {
		policy = strings.ToLower(string(c.Args[3]))
		if policy != "append" && policy != "replace" && policy != "flush" {
			c.W.WriteError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
	}
	codes, err := parsePayload(c.Args[2])
	if err != nil {
		c.W.WriteError("ERR " + err.Error())
		return
	}
	e.libMu.Lock()
	defer e.libMu.Unlock()
	// The payload's libraries are first loaded on their own, as Redis does.
	loaded := &librarySet{gen: 0, libs: map[string]*library{}, funcs: map[string]*function{}}
	var fresh []*library
	for _, code := range codes {
		lib, _, err := e.createLibrary(loaded, code, false, 0)
		if err != nil {
			c.W.WriteError("ERR " + err.Error())
			return
		}
		fresh = append(fresh, lib)
		loaded = loaded.with(nil, lib)
	}
	set := e.libs.Load()
	var drop []*library
	switch policy {
	case "flush":
		drop = set.sorted()
	default:
		for _, l := range fresh {
			if old := set.libs[l.name]; old != nil {
				if policy == "append" {
					c.W.WriteError("ERR Library " + l.name + " already exists")
					return
				}
				drop = append(drop, old)
			}
		}
		for _, l := range fresh {
			for _, f := range l.funcs {
				if other := set.funcs[strings.ToLower(f.name)]; other != nil && !containsLib(drop, other.lib) {
					c.W.WriteError("ERR Function " + f.name + " already exists")
					return
				}
			}
		}
	}
	e.libs.Store(set.with(drop, fresh...))
	c.Propagate()
	c.WriteOK()
}

func containsLib(libs []*library, l *library) bool {
	for _, x := range libs {
		if x == l {
			return true
		}
	}
	return false
}
