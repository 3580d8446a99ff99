// Package compact holds a collection's two encodings in 16 bytes: either
// the byte slice of its compact encoding (a listpack, an intset) or a
// pointer to its big one (a hash table, a skip list). A small hash or set
// then costs its 16-byte header and its bytes, where a slice header beside
// a pointer would cost 32.
package compact

import (
	"math"
	"unsafe"
)

// MaxBytes is the largest compact encoding a collection keeps: past it,
// it converts to its big one, as Redis converts a listpack that would
// outgrow 1 GB (LISTPACK_MAX_SAFETY_SIZE). It is 256 MB here, so that the
// length and capacity fit 28 bits.
const MaxBytes = 1<<28 - 1

// TagBits is how many top bits of a Value's capacity word belong to its
// owner (see Value).
const TagBits = 4

const (
	tagMask = math.MaxUint32 &^ (1<<(32-TagBits) - 1)
	// bigMark in Value.n marks a pointer to the big encoding.
	bigMark = math.MaxUint32
)

// Value is either a byte slice or a *T. The zero value holds the empty
// (nil) slice. A Value is not safe for concurrent use.
//
// Layout (which the db package's Value mirrors, to hold a collection in a
// key's entry): p is the slice's array or the *T, always a real pointer the
// GC follows; n is the slice's length, or bigMark for a *T; c is the
// slice's capacity (0 for a *T) in its low 32-TagBits bits, and a tag in
// its top TagBits bits that SetBytes and SetBig keep: the owner's, which
// this package never reads.
type Value[T any] struct {
	p    unsafe.Pointer // the slice's array, or the *T
	n, c uint32         // the slice's length; capacity and tag
}

// Bytes returns the byte slice, nil when v holds a *T (or the empty slice).
// It shares v's array.
func (v *Value[T]) Bytes() []byte {
	if v.n == bigMark || v.p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(v.p), v.c&^tagMask)[:v.n]
}

// SetBytes makes v hold b, whose length must be at most MaxBytes; v keeps
// b's array (and as much of its capacity as MaxBytes allows).
func (v *Value[T]) SetBytes(b []byte) {
	if len(b) > MaxBytes {
		panic("compact: a compact encoding of more than MaxBytes")
	}
	v.p, v.n = unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b))
	v.c = v.c&tagMask | uint32(min(cap(b), MaxBytes))
}

// Big returns the *T v holds, or nil when it holds bytes.
func (v *Value[T]) Big() *T {
	if v.n != bigMark {
		return nil
	}
	return (*T)(v.p)
}

// SetBig makes v hold t, which must not be nil.
func (v *Value[T]) SetBig(t *T) {
	v.p, v.n, v.c = unsafe.Pointer(t), bigMark, v.c&tagMask
}
