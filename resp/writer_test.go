package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriter(t *testing.T) {
	big := strings.Repeat("b", 65536+1)
	tests := []struct {
		name        string
		write       func(w *Writer)
		resp2, rsp3 string
	}{
		{"simple", func(w *Writer) { w.WriteSimple("OK") }, "+OK\r\n", "+OK\r\n"},
		{"error", func(w *Writer) { w.WriteError("ERR syntax error") }, "-ERR syntax error\r\n", "-ERR syntax error\r\n"},
		{"error newlines", func(w *Writer) { w.WriteError("ERR a\r\nb\nc") }, "-ERR a  b c\r\n", "-ERR a  b c\r\n"},
		{"int", func(w *Writer) { w.WriteInt(-42) }, ":-42\r\n", ":-42\r\n"},
		{"int min", func(w *Writer) { w.WriteInt(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"bulk", func(w *Writer) { w.WriteBulk([]byte("a\r\nb")) }, "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"},
		{"bulk empty", func(w *Writer) { w.WriteBulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
		{"bulk string", func(w *Writer) { w.WriteBulkString("hello") }, "$5\r\nhello\r\n", "$5\r\nhello\r\n"},
		{"bulk big", func(w *Writer) { w.WriteBulk([]byte(big)) },
			"$65537\r\n" + big + "\r\n", "$65537\r\n" + big + "\r\n"},
		{"bulk string big", func(w *Writer) { w.WriteInt(1); w.WriteBulkString(big); w.WriteInt(2) },
			":1\r\n$65537\r\n" + big + "\r\n:2\r\n", ":1\r\n$65537\r\n" + big + "\r\n:2\r\n"},
		{"null", func(w *Writer) { w.WriteNull() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w *Writer) { w.WriteNullArray() }, "*-1\r\n", "_\r\n"},
		{"array", func(w *Writer) { w.WriteArray(2); w.WriteInt(1); w.WriteBulkString("x") },
			"*2\r\n:1\r\n$1\r\nx\r\n", "*2\r\n:1\r\n$1\r\nx\r\n"},
		{"empty array", func(w *Writer) { w.WriteArray(0) }, "*0\r\n", "*0\r\n"},
		{"map", func(w *Writer) { w.WriteMap(1); w.WriteBulkString("k"); w.WriteInt(1) },
			"*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"set", func(w *Writer) { w.WriteSet(1); w.WriteInt(1) }, "*1\r\n:1\r\n", "~1\r\n:1\r\n"},
		{"push", func(w *Writer) { w.WritePush(1); w.WriteInt(1) }, "*1\r\n:1\r\n", ">1\r\n:1\r\n"},
		{"double", func(w *Writer) { w.WriteDouble(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n"},
		{"double inf", func(w *Writer) { w.WriteDouble(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"bool true", func(w *Writer) { w.WriteBool(true) }, ":1\r\n", "#t\r\n"},
		{"bool false", func(w *Writer) { w.WriteBool(false) }, ":0\r\n", "#f\r\n"},
		{"verbatim", func(w *Writer) { w.WriteVerbatim("txt", "hi\r\n") }, "$4\r\nhi\r\n\r\n", "=8\r\ntxt:hi\r\n\r\n"},
		{"big number", func(w *Writer) { w.WriteBigNumber("12345678901234567890") },
			"$20\r\n12345678901234567890\r\n", "(12345678901234567890\r\n"},
		{"raw", func(w *Writer) { w.WriteRaw([]byte("+PONG\r\n")) }, "+PONG\r\n", "+PONG\r\n"},
		{"raw big", func(w *Writer) { w.WriteInt(1); w.WriteRaw(AppendBulk(nil, []byte(big))) },
			":1\r\n$65537\r\n" + big + "\r\n", ":1\r\n$65537\r\n" + big + "\r\n"},
	}
	for _, tt := range tests {
		for _, proto := range []int{2, 3} {
			want := tt.resp2
			if proto == 3 {
				want = tt.rsp3
			}
			var out bytes.Buffer
			w := NewWriter(&out)
			w.SetProtocol(proto)
			tt.write(w)
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if out.String() != want {
				t.Errorf("%s RESP%d: wrote %.80q, want %.80q", tt.name, proto, out.String(), want)
			}
			if w.Buffered() != 0 {
				t.Errorf("%s RESP%d: Buffered() = %d after Flush", tt.name, proto, w.Buffered())
			}
			// What was written must read back as complete replies.
			r := NewReader(&out)
			var err error
			for err == nil {
				_, err = r.ReadReply()
			}
			if err != io.EOF {
				t.Errorf("%s RESP%d: ReadReply: %v", tt.name, proto, err)
			}
		}
	}
}

// Expected values were read from redis-server 7.0.15 (ZADD then ZSCORE).
func TestFormatDouble(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0.1, "0.10000000000000001"},
		{1e17, "1e+17"},
		{1e16, "10000000000000000"},
		{1.5, "1.5"},
		{3, "3"},
		{0, "0"},
		{1e-5, "1.0000000000000001e-05"},
		{0.0001, "0.0001"},
		{2.5e-5, "2.5000000000000001e-05"},
		{123456789012345678, "1.2345678901234568e+17"},
		{1e300, "1.0000000000000001e+300"},
		{5e-324, "4.9406564584124654e-324"},
		{-2.5, "-2.5"},
		{-7, "-7"},
		{math.Copysign(0, -1), "-0"},
		{1 << 53, "9007199254740992"},
		{1<<53 - 1, "9007199254740991"},
		{-(1<<53 - 1), "-9007199254740991"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tt := range tests {
		if got := string(FormatDouble([]byte("x"), tt.in)); got != "x"+tt.want {
			t.Errorf("FormatDouble(%v) = %q, want %q", tt.in, got, "x"+tt.want)
		}
	}
}

func TestAppendHelpers(t *testing.T) {
	got := AppendCommand([]byte("x"), [][]byte{[]byte("GET"), []byte("k"), {}})
	if want := "x*3\r\n$3\r\nGET\r\n$1\r\nk\r\n$0\r\n\r\n"; string(got) != want {
		t.Errorf("AppendCommand = %q, want %q", got, want)
	}
	if got := AppendArrayHeader(nil, 7); string(got) != "*7\r\n" {
		t.Errorf("AppendArrayHeader = %q", got)
	}
	if got := AppendBulk(nil, []byte("ab")); string(got) != "$2\r\nab\r\n" {
		t.Errorf("AppendBulk = %q", got)
	}
}

// failWriter fails every write after the first n bytes.
type failWriter struct {
	n   int
	err error
}

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return len(p), nil
	}
	n := f.n
	f.n = 0
	return n, f.err
}

func TestWriterKeepsFirstError(t *testing.T) {
	boom := errors.New("boom")
	fw := &failWriter{n: 5, err: boom}
	w := NewWriter(fw)
	w.WriteSimple("OK")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	w.WriteSimple("OK")
	if err := w.Flush(); err != boom {
		t.Fatalf("Flush = %v, want boom", err)
	}
	fw.err = errors.New("later")
	w.WriteBulk([]byte(strings.Repeat("x", 65536+1)))
	if err := w.Flush(); err != boom || w.Err() != boom {
		t.Errorf("Flush, Err = %v, %v; want the first error", err, w.Err())
	}

	short := NewWriter(writerFunc(func(p []byte) (int, error) { return len(p) - 1, nil }))
	short.WriteSimple("OK")
	if err := short.Flush(); err != io.ErrShortWrite {
		t.Errorf("short write: Flush = %v, want io.ErrShortWrite", err)
	}

	var out bytes.Buffer
	w.SetProtocol(3)
	w.WriteSimple("lost")
	w.Reset(&out)
	if w.Err() != nil || w.Protocol() != 2 || w.Buffered() != 0 {
		t.Errorf("after Reset: Err %v, Protocol %d, Buffered %d", w.Err(), w.Protocol(), w.Buffered())
	}
	w.WriteNull()
	if err := w.Flush(); err != nil || out.String() != "$-1\r\n" {
		t.Errorf("after Reset: wrote %q, %v", out.String(), err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestWriterBufferShrinks(t *testing.T) {
	w := NewWriter(io.Discard)
	for range 100000 {
		w.WriteBulkString("0123456789")
	}
	if w.Buffered() < keepWriteBuf {
		t.Fatalf("Buffered() = %d, test needs a big buffer", w.Buffered())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if cap(w.buf) > keepWriteBuf {
		t.Errorf("buffer cap %d after Flush, want at most %d", cap(w.buf), keepWriteBuf)
	}
}

func TestWriterPanics(t *testing.T) {
	for name, f := range map[string]func(w *Writer){
		"protocol 4":      func(w *Writer) { w.SetProtocol(4) },
		"verbatim format": func(w *Writer) { w.WriteVerbatim("text", "x") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f(NewWriter(io.Discard))
		}()
	}
}

func TestWriterAllocs(t *testing.T) {
	w := NewWriter(io.Discard)
	val := []byte("value")
	allocs := testing.AllocsPerRun(100, func() {
		w.WriteArray(3)
		w.WriteBulk(val)
		w.WriteInt(7)
		w.WriteDouble(0.5)
		w.WriteSimple("OK")
		w.Flush()
	})
	if allocs != 0 {
		t.Errorf("%v allocations per batch, want 0", allocs)
	}
}

func BenchmarkWriter(b *testing.B) {
	w := NewWriter(io.Discard)
	val := []byte("some value of 32 bytes.........")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w.WriteBulk(val)
		w.WriteSimple("OK")
		w.WriteInt(int64(i))
		if i%64 == 63 {
			w.Flush()
		}
	}
}

func TestWriterTake(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	w.WriteSimple("A")
	taken := w.Take([]byte("x"))
	w.WriteSimple("B")
	w.Flush()
	if string(taken) != "x+A\r\n" || out.String() != "+B\r\n" {
		t.Errorf("taken %q, written %q", taken, out.String())
	}
}

// TestWriterWritesOnlyOnFlush: a command writes its reply while it holds
// locks, so no reply, however large, may reach the destination before Flush.
func TestWriterWritesOnlyOnFlush(t *testing.T) {
	var writes int
	w := NewWriter(writerFunc(func(p []byte) (int, error) { writes++; return len(p), nil }))
	big := bytes.Repeat([]byte("x"), 4<<20)
	w.WriteBulk(big)
	w.WriteBulkString(string(big))
	w.WriteRaw(big)
	require.Zero(t, writes, "the destination was written before Flush")
	require.NoError(t, w.Flush())
	require.Equal(t, 1, writes)
}

func TestWriterOnError(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	var seen []string
	w.OnError(func(msg string) { seen = append(seen, msg) })
	w.WriteSimple("OK")
	w.WriteError("WRONGTYPE Operation against a key holding the wrong kind of value")
	w.WriteError("ERR a\r\nb")
	w.Reset(&buf)
	w.WriteError("NOAUTH Authentication required.")
	w.OnError(nil)
	w.WriteError("ERR not seen")
	require.Equal(t, []string{"WRONGTYPE Operation against a key holding the wrong kind of value", "ERR a\r\nb",
		"NOAUTH Authentication required."}, seen)
}
