package db

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValueLayout(t *testing.T) {
	// A 16-byte value puts an entry in the 48-byte size class.
	assert.Equal(t, uintptr(16), unsafe.Sizeof(Value{}))
	assert.Equal(t, uintptr(48), unsafe.Sizeof(Entry{}))
}

func TestValueKinds(t *testing.T) {
	var zero Value
	assert.Equal(t, KindString, zero.Kind())
	assert.Empty(t, zero.Str())
	assert.Nil(t, zero.Obj())

	b := make([]byte, 3, 10)
	copy(b, "abc")
	v := StringValue(b)
	require.Equal(t, KindString, v.Kind())
	assert.Equal(t, "abc", string(v.Str()))
	assert.Equal(t, 10, cap(v.Str()))
	assert.Same(t, &b[0], &v.Str()[0], "shares the array")
	assert.Nil(t, v.Obj())

	for _, o := range []Collection{&listValue{}, &hashValue{}, &setValue{}, &sortedSet{}, &streamValue{}, &fakeList{}} {
		v := CollectionValue(o)
		assert.Equal(t, o.Kind(), v.Kind())
		assert.Same(t, o, v.Obj())
		assert.Nil(t, v.Str())
		assert.False(t, v.IsString())
	}
}
