package compact

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

func TestValue(t *testing.T) {
	var v Value[int]
	require.Equal(t, uintptr(16), unsafe.Sizeof(v))
	require.Nil(t, v.Bytes())
	require.Nil(t, v.Big())

	b := make([]byte, 3, 10)
	copy(b, "abc")
	v.SetBytes(b)
	require.Equal(t, "abc", string(v.Bytes()))
	require.Equal(t, 10, cap(v.Bytes()))
	require.Nil(t, v.Big())

	n := 42
	v.SetBig(&n)
	require.Nil(t, v.Bytes())
	require.Equal(t, &n, v.Big())

	v.SetBytes(nil)
	require.Nil(t, v.Bytes())
	require.Nil(t, v.Big())
}

// TestTagKept checks that the owner's tag bits survive every change and
// stay out of the capacity.
func TestTagKept(t *testing.T) {
	var v Value[int]
	const tag = 0xa << (32 - TagBits)
	v.c = tag
	v.SetBytes(make([]byte, 2, 5))
	require.Equal(t, 5, cap(v.Bytes()))
	require.Equal(t, uint32(tag), v.c&tagMask)
	n := 1
	v.SetBig(&n)
	require.Equal(t, uint32(tag), v.c)
	v.SetBytes(nil)
	require.Equal(t, uint32(tag), v.c)
}

// TestKeepsAlive checks that the collector keeps what a Value points to.
func TestKeepsAlive(t *testing.T) {
	vs := make([]Value[[64]byte], 100)
	for i := range vs {
		if i%2 == 0 {
			vs[i].SetBytes(append(make([]byte, 0, 40), byte(i)))
		} else {
			vs[i].SetBig(&[64]byte{byte(i)})
		}
	}
	runtime.GC()
	_ = make([]byte, 1<<20) // churn the heap
	runtime.GC()
	for i := range vs {
		if i%2 == 0 {
			require.Equal(t, []byte{byte(i)}, vs[i].Bytes())
		} else {
			require.Equal(t, byte(i), vs[i].Big()[0])
		}
	}
}
