package db

import (
	"math"
	"unsafe"
)

// Value is what a key holds, in 16 bytes so that an Entry fits the 48-byte
// size class: a string (StringValue, Str) or a collection
// (CollectionValue, Obj). The zero Value is the empty string.
//
// Layout. p is always a real Go pointer (or nil) that the GC follows: a
// string's array, or the collection's object. For a string, n and c are
// its slice's length and capacity (c below 2^31, so its top bit is 0).
// For a collection, c's top bit (collection) is set, the three bits under
// it hold its kind (kindBits) and n is 0; p is the collection itself
// (*listValue, *hashValue, *setValue, *sortedSet, *streamValue), or a
// *Collection for any other implementation (kindBoxed).
type Value struct {
	p unsafe.Pointer
	n uint32
	c uint32
}

const (
	collection = 1 << 31
	kindShift  = 28
	kindBits   = 7 << kindShift
	// kindBoxed marks a Collection of another type, held behind a
	// *Collection (the tests' stand-ins).
	kindBoxed = 7
	// maxStrCap is the largest capacity a string keeps; a longer array
	// is kept only up to it.
	maxStrCap = math.MaxInt32
)

// StringValue returns the Value holding b, which it keeps (not a copy).
// b is at most 2 GB long.
func StringValue(b []byte) Value {
	if len(b) > maxStrCap {
		panic("db: a string value of 2 GB or more")
	}
	return Value{p: unsafe.Pointer(unsafe.SliceData(b)), n: uint32(len(b)), c: uint32(min(cap(b), maxStrCap))}
}

// CollectionValue returns the Value holding the collection o, which it
// keeps (not a copy).
func CollectionValue(o Collection) Value {
	var p unsafe.Pointer
	code := uint32(o.Kind())
	switch o := o.(type) {
	case *listValue:
		p = unsafe.Pointer(o)
	case *hashValue:
		p = unsafe.Pointer(o)
	case *setValue:
		p = unsafe.Pointer(o)
	case *sortedSet:
		p = unsafe.Pointer(o)
	case *streamValue:
		p = unsafe.Pointer(o)
	default:
		p, code = unsafe.Pointer(&o), kindBoxed
	}
	return Value{p: p, c: collection | code<<kindShift}
}

// Str returns the string v holds, nil for a collection. It shares v's
// array: a command may edit it in place under the key's shard lock.
func (v *Value) Str() []byte {
	if v.c&collection != 0 || v.p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(v.p), v.c)[:v.n]
}

// SetStr makes v hold the string b (see StringValue).
func (v *Value) SetStr(b []byte) { *v = StringValue(b) }

// IsString reports whether v holds a string.
func (v *Value) IsString() bool { return v.c&collection == 0 }

// Obj returns the collection v holds, nil for a string.
func (v *Value) Obj() Collection {
	if v.c&collection == 0 {
		return nil
	}
	switch Kind(v.c & kindBits >> kindShift) {
	case KindList:
		return (*listValue)(v.p)
	case KindHash:
		return (*hashValue)(v.p)
	case KindSet:
		return (*setValue)(v.p)
	case KindZSet:
		return (*sortedSet)(v.p)
	case KindStream:
		return (*streamValue)(v.p)
	}
	return *(*Collection)(v.p)
}

// Kind returns the type of v.
func (v *Value) Kind() Kind {
	switch code := v.c & kindBits >> kindShift; {
	case v.c&collection == 0:
		return KindString
	case code == kindBoxed:
		return (*(*Collection)(v.p)).Kind()
	default:
		return Kind(code)
	}
}
