package db

import (
	"math"
	"unsafe"

	"myredis/datastruct/compact"
)

// Value is what a key holds, in 16 bytes so that an Entry fits the 48-byte
// size class: a string (StringValue, Str) or a collection
// (CollectionValue, Obj). The zero Value is the empty string.
//
// Layout. p is always a real Go pointer (or nil) that the GC follows. For
// a string, p, n and c are its slice's array, length and capacity (c below
// 2^31, so its top bit is 0). For a collection, c's top bit (collection) is
// set and the three bits under it hold its kind (kindBits), the top
// compact.TagBits bits of c that a compact.Value leaves to its owner:
//   - a hash, set or sorted set is held inline: v is the compact.Value
//     that hashValue, setds.Set and zset.ZSet consist of (the same
//     layout: a pointer and two uint32), and Obj returns a pointer to v
//     itself as the collection (a view: it lives in the entry, and a
//     change through it is a change of the key's value);
//   - a list or a stream: p is the *listValue or *streamValue, n is 0;
//   - any other implementation: p is a *Collection and n is boxedMark
//     (never a compact.Value's length).
//
// So a small hash, set or sorted set costs its entry and its one array,
// with no object of its own.
type Value struct {
	p unsafe.Pointer
	n uint32
	c uint32
}

const (
	collection = 1 << 31
	kindShift  = 28
	kindBits   = 7 << kindShift
	// boxedMark in n marks a Collection of another type, held behind a
	// *Collection (the tests' stand-ins).
	boxedMark = math.MaxUint32 - 1
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

// CollectionValue returns the Value holding the collection o. A list or a
// stream it keeps; a hash, set or sorted set it takes over: o must not be
// used afterwards (the stored value's Obj is the collection from then on,
// see storeEmpty), nor be a view of another key's value (Copy it).
func CollectionValue(o Collection) Value {
	tag := collection | uint32(o.Kind())<<kindShift
	switch o := o.(type) {
	case *listValue:
		return Value{p: unsafe.Pointer(o), c: tag}
	case *streamValue:
		return Value{p: unsafe.Pointer(o), c: tag}
	case *hashValue:
		return inline(unsafe.Pointer(o), tag)
	case *setValue:
		return inline(unsafe.Pointer(o), tag)
	case *sortedSet:
		return inline(unsafe.Pointer(o), tag)
	}
	return boxed(o)
}

// boxed returns the Value holding o behind a *Collection (boxedMark). A
// function of its own, so that only this case moves o to the heap.
func boxed(o Collection) Value {
	return Value{p: unsafe.Pointer(&o), n: boxedMark, c: collection | uint32(o.Kind())<<kindShift}
}

// emptyInline returns an empty hash, set or sorted set (kind): the zero
// compact.Value (an empty listpack or intset), tagged.
func emptyInline(kind Kind) Value { return Value{c: collection | uint32(kind)<<kindShift} }

// inline returns the Value holding the compact.Value at o (of the same
// layout), tagged with tag.
func inline(o unsafe.Pointer, tag uint32) Value {
	v := *(*Value)(o)
	v.c = v.c&^tagMask | tag
	return v
}

// tagMask covers the bits of Value.c that a compact.Value leaves to its
// owner: the collection bit and the kind.
const tagMask = collection | kindBits

// The inline collections consist of a compact.Value: Value's layout.
var (
	_ [unsafe.Sizeof(Value{}) - unsafe.Sizeof(hashValue{})]struct{}
	_ [unsafe.Sizeof(hashValue{}) - unsafe.Sizeof(Value{})]struct{}
	_ [unsafe.Sizeof(Value{}) - unsafe.Sizeof(setValue{})]struct{}
	_ [unsafe.Sizeof(setValue{}) - unsafe.Sizeof(Value{})]struct{}
	_ [unsafe.Sizeof(Value{}) - unsafe.Sizeof(sortedSet{})]struct{}
	_ [unsafe.Sizeof(sortedSet{}) - unsafe.Sizeof(Value{})]struct{}
	_ [compact.TagBits - 4]struct{}
	_ [4 - compact.TagBits]struct{}
)

// Str returns the string v holds, nil for a collection. It shares v's
// array: a command may edit it in place under the key's shard lock.
func (v *Value) Str() []byte {
	if v.c >= collection {
		return nil
	}
	// Built from its parts: n <= c holds by construction, so no check.
	return *(*[]byte)(unsafe.Pointer(&sliceHeader{v.p, int(v.n), int(v.c)}))
}

// sliceHeader is a []byte's layout.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// SetStr makes v hold the string b (see StringValue).
func (v *Value) SetStr(b []byte) { *v = StringValue(b) }

// IsString reports whether v holds a string.
func (v *Value) IsString() bool { return v.c&collection == 0 }

// Obj returns the collection v holds, nil for a string. A hash, set or
// sorted set is a view of v itself (see Value): it is valid as long as v
// holds it.
func (v *Value) Obj() Collection {
	switch {
	case v.c&collection == 0:
		return nil
	case v.n == boxedMark:
		return *(*Collection)(v.p)
	}
	switch Kind(v.c & kindBits >> kindShift) {
	case KindList:
		return (*listValue)(v.p)
	case KindHash:
		return (*hashValue)(unsafe.Pointer(v))
	case KindSet:
		return (*setValue)(unsafe.Pointer(v))
	case KindZSet:
		return (*sortedSet)(unsafe.Pointer(v))
	case KindStream:
		return (*streamValue)(v.p)
	}
	panic("db: a Value of no kind")
}

// Kind returns the type of v.
func (v *Value) Kind() Kind {
	if v.c < collection {
		return KindString
	}
	return Kind(v.c >> kindShift & 7)
}
