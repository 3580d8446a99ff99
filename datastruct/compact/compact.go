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
// outgrow 1 GB (LISTPACK_MAX_SAFETY_SIZE).
const MaxBytes = 1 << 30

// bigMark in Value.n marks a pointer to the big encoding.
const bigMark = math.MaxUint32

// Value is either a byte slice or a *T. The zero value holds the empty
// (nil) slice. A Value is not safe for concurrent use.
type Value[T any] struct {
	p    unsafe.Pointer // the slice's array, or the *T
	n, c uint32         // the slice's length and capacity; n == bigMark for a *T
}

// Bytes returns the byte slice, nil when v holds a *T (or the empty slice).
// It shares v's array.
func (v *Value[T]) Bytes() []byte {
	if v.n == bigMark || v.p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(v.p), v.c)[:v.n]
}

// SetBytes makes v hold b, whose length and capacity must be at most
// MaxBytes; v keeps b's array.
func (v *Value[T]) SetBytes(b []byte) {
	if cap(b) > MaxBytes {
		panic("compact: a compact encoding of more than MaxBytes")
	}
	v.p, v.n, v.c = unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b)), uint32(cap(b))
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
	v.p, v.n, v.c = unsafe.Pointer(t), bigMark, 0
}
