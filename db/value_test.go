package db

import (
	"reflect"
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

	for _, o := range []Collection{&listValue{}, &streamValue{}, &fakeList{}} {
		v := CollectionValue(o)
		assert.Equal(t, o.Kind(), v.Kind())
		assert.Same(t, o, v.Obj(), "held by pointer")
		assert.Nil(t, v.Str())
		assert.False(t, v.IsString())
	}
}

// TestValueInline checks that a hash, set or sorted set lives in the
// Value itself, and that changes through Obj's view, conversions to the
// big encoding included, keep the kind.
func TestValueInline(t *testing.T) {
	lim := DefaultEncodingLimits
	h := &hashValue{}
	h.set([]byte("f"), []byte("v"), &lim)
	zs := &sortedSet{}
	zs.insert([]byte("m"), 1, &lim)
	ss := &setValue{}
	ss.Add([]byte("1"), lim.SetIntsetEntries)
	for _, o := range []Collection{h, ss, zs} {
		v := CollectionValue(o)
		view := v.Obj()
		require.Equal(t, o.Kind(), v.Kind())
		assert.Equal(t, unsafe.Pointer(&v), reflect.ValueOf(view).UnsafePointer(), "a view of the value")
		assert.Nil(t, v.Str())
		assert.Equal(t, 1, view.Len())
		assert.Equal(t, o.Encoding(), view.Encoding())
	}
	for _, tc := range []struct {
		empty Collection
		big   func(o Collection)
	}{
		{&hashValue{}, func(o Collection) { o.(*hashValue).convert() }},
		{&setValue{}, func(o Collection) { o.(*setValue).Add([]byte("x"), lim.SetIntsetEntries) }},
		{&sortedSet{}, func(o Collection) { o.(*sortedSet).Convert() }},
	} {
		v := CollectionValue(tc.empty)
		kind := v.Kind()
		tc.big(v.Obj())
		assert.Equal(t, kind, v.Kind(), "kind kept")
		assert.Contains(t, []string{"hashtable", "skiplist"}, v.Obj().Encoding())
	}
}
