package lualib

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

func TestMain(m *testing.M) {
	// gopher-lua keeps every integer key below MaxArrayIndex (2^26) in a
	// slice, so a five-byte MessagePack map {[2^26-1] = 1} would make the
	// fuzzers allocate a gigabyte. Keys past 2^20 go to the hash part here.
	lua.MaxArrayIndex = 1 << 20
	os.Exit(m.Run())
}

// callLib calls lib.fn(args...) in L and returns its results, or the Lua
// error it raised. A Go panic inside the library (an index out of range)
// fails the test: gopher-lua would turn it into an ApiErrorPanic.
func callLib(t *testing.T, L *lua.LState, lib, fn string, args ...lua.LValue) ([]lua.LValue, string) {
	t.Helper()
	top := L.GetTop()
	L.Push(L.GetField(L.GetGlobal(lib), fn))
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), lua.MultRet, nil)
	if err != nil {
		apiErr, ok := err.(*lua.ApiError)
		require.True(t, ok, "%v", err)
		require.Equal(t, lua.ApiErrorRun, apiErr.Type, "%s.%s panicked: %v", lib, fn, err)
		return nil, apiErr.Object.String()
	}
	results := make([]lua.LValue, L.GetTop()-top)
	for i := range results {
		results[i] = L.Get(top + 1 + i)
	}
	L.SetTop(top)
	return results, ""
}

// newFuzzState is a state with only this package's libraries.
func newFuzzState() *lua.LState {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, RegistrySize: 1024 * 20, RegistryMaxSize: 1024 * 80})
	Open(L)
	return L
}

// FuzzCJSONDecode: cjson.decode never panics, fails only with its own
// messages, and what it decodes encodes (unless it holds NaN or an
// infinity) to a text that decodes and encodes to the same text.
func FuzzCJSONDecode(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x\u00e9",{"b":null}],"c":true}`, `[1e400, -0, 0x1F, NaN]`,
		`"\ud83d\ude00"`, `{"a" 1}`, `[[[[]]]]`, `"\u12`, "[1]\x00x", `-Infinity`, `nan(12)`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		L := newFuzzState()
		defer L.Close()
		v, msg := callLib(t, L, "cjson", "decode", lua.LString(s))
		if msg != "" {
			require.True(t, strings.HasPrefix(msg, "Expected ") || strings.HasPrefix(msg, "Found too many nested") ||
				msg == "JSON parser does not support UTF-16 or UTF-32", "%q: %s", s, msg)
			return
		}
		require.Len(t, v, 1)
		enc, msg := callLib(t, L, "cjson", "encode", v[0])
		if msg != "" {
			require.Equal(t, "Cannot serialise number: must not be NaN or Inf", msg, "%q", s)
			return
		}
		again, msg := callLib(t, L, "cjson", "decode", enc[0])
		require.Empty(t, msg, "%q encodes to %q", s, enc[0])
		enc2, msg := callLib(t, L, "cjson", "encode", again[0])
		require.Empty(t, msg)
		require.Equal(t, enc[0], enc2[0], "%q", s)
	})
}

// FuzzCMsgpackUnpack: cmsgpack.unpack never panics and fails only with its
// own messages, and repacking what it unpacks converges: the first packing
// may cut nesting past 16 levels (to nil) and the second drop the nils that
// makes in arrays, but the second packing unpacks and packs to itself.
func FuzzCMsgpackUnpack(f *testing.F) {
	for _, s := range []string{"\x93\x01\x02\x03", "\x82\xa1a\x01\xa1b\x92\xc3\xc2", "\xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a",
		"\xdd\xff\xff\xff\xff\x01", "\x81\xc0\x01", "\xc1", "\xdb\x00\x00\x00\x05ab", strings.Repeat("\x91", 20) + "\x01",
		"\x92\x01\xc0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		L := newFuzzState()
		defer L.Close()
		vals, msg := callLib(t, L, "cmsgpack", "unpack", lua.LString(s))
		if msg != "" {
			require.Contains(t, []string{"Missing bytes in input.", "Bad data format in input.", "table index is nil",
				"table index is NaN", "stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)",
				"stack overflow (in function mp_decode_to_lua_array)"}, msg, "%q", s)
			return
		}
		if len(vals) == 0 || len(vals) > 4000 {
			return // pack needs 1 to 4000 arguments
		}
		var packs []lua.LValue
		for round := 0; round < 3; round++ {
			packed, msg := callLib(t, L, "cmsgpack", "pack", vals...)
			require.Empty(t, msg, "%q", s)
			packs = append(packs, packed[0])
			vals, msg = callLib(t, L, "cmsgpack", "unpack", packed[0])
			require.Empty(t, msg, "%q packs to %q", s, packed[0])
		}
		require.Equal(t, packs[1], packs[2], "%q", s)
	})
}
