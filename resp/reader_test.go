package resp

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads commands from rd until an error and returns them as
// strings, with the final error.
func readAll(r *Reader) ([][]string, error) {
	var cmds [][]string
	for {
		args, err := r.ReadCommand()
		if err != nil {
			return cmds, err
		}
		cmd := make([]string, len(args))
		for i, a := range args {
			cmd[i] = string(a)
		}
		cmds = append(cmds, cmd)
	}
}

// errText names err for comparing with a table: a ProtocolError's text, or
// the sentinel's own text.
func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// chunkings feeds each input whole, one byte at a time, and in halves, so
// that every parse step is also tested resuming after a short read.
var chunkings = []struct {
	name string
	wrap func(io.Reader) io.Reader
}{
	{"whole", func(r io.Reader) io.Reader { return r }},
	{"bytes", iotest.OneByteReader},
	{"halves", iotest.HalfReader},
}

var (
	eof           = io.EOF.Error()
	unexpectedEOF = io.ErrUnexpectedEOF.Error()
	queryLimit    = ErrQueryBufferLimit.Error()
)

func protoErr(msg string) string { return (&ProtocolError{msg}).Error() }

// The expected results below were checked against redis-server 7.0.15 by
// sending the same bytes (an EOF case is one where Redis keeps waiting).
var readCommandTests = []struct {
	name  string
	in    string
	want  [][]string
	err   string
	limit Limits
}{
	// Multibulk.
	{name: "ping", in: "*1\r\n$4\r\nPING\r\n", want: [][]string{{"PING"}}, err: eof},
	{name: "set", in: "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", want: [][]string{{"SET", "k", "hello"}}, err: eof},
	{name: "empty bulk", in: "*2\r\n$4\r\necho\r\n$0\r\n\r\n", want: [][]string{{"echo", ""}}, err: eof},
	{name: "binary bulk", in: "*2\r\n$4\r\necho\r\n$3\r\na\r\n\r\n", want: [][]string{{"echo", "a\r\n"}}, err: eof},
	{name: "bytes after data unchecked", in: "*1\r\n$4\r\nPINGXY", want: [][]string{{"PING"}}, err: eof},
	{name: "byte after count CR unchecked", in: "*1\rX$4\r\nPING\r\n", want: [][]string{{"PING"}}, err: eof},
	{name: "byte after bulk CR unchecked", in: "*1\r\n$4\rXPING\r\n", want: [][]string{{"PING"}}, err: eof},
	{name: "null array skipped", in: "*-1\r\n*1\r\n$4\r\nping\r\n", want: [][]string{{"ping"}}, err: eof},
	{name: "empty array skipped", in: "*0\r\n*1\r\n$4\r\nping\r\n", want: [][]string{{"ping"}}, err: eof},
	{name: "negative count skipped", in: "*-5\r\nping\r\n", want: [][]string{{"ping"}}, err: eof},
	{name: "only skipped", in: "*0\r\n", err: eof},
	{name: "max count waits", in: "*2147483647\r\n", err: unexpectedEOF},
	{name: "max bulk waits", in: "*1\r\n$536870912\r\n", err: unexpectedEOF},
	{name: "partial data", in: "*1\r\n$4\r\nping", err: unexpectedEOF},
	{name: "partial trailer", in: "*1\r\n$4\r\nping\r", err: unexpectedEOF},
	{name: "partial args", in: "*3\r\n$3\r\nset\r\n$1\r\na\r\nx", err: unexpectedEOF},
	{name: "partial header", in: "*1\r\n$4", err: unexpectedEOF},
	{name: "count plus", in: "*+1\r\n$4\r\nping\r\n", err: protoErr("invalid multibulk length")},
	{name: "count leading zero", in: "*01\r\n$4\r\nping\r\n", err: protoErr("invalid multibulk length")},
	{name: "count space", in: "* 1\r\n", err: protoErr("invalid multibulk length")},
	{name: "count empty", in: "*\r\n", err: protoErr("invalid multibulk length")},
	{name: "count letters", in: "*x\r\n", err: protoErr("invalid multibulk length")},
	{name: "count minus zero", in: "*-0\r\nping\r\n", err: protoErr("invalid multibulk length")},
	{name: "count above int32", in: "*2147483648\r\n", err: protoErr("invalid multibulk length")},
	{name: "count huge", in: "*99999999999\r\n", err: protoErr("invalid multibulk length")},
	{name: "count overflow", in: "*99999999999999999999\r\n", err: protoErr("invalid multibulk length")},
	{name: "count ends in LF", in: "*1\n$4\r\nping\r\n", err: protoErr("invalid multibulk length")},
	{name: "count 1000 digits", in: "*" + strings.Repeat("1", 1000) + "\r\n", err: protoErr("invalid multibulk length")},
	{name: "count too long", in: "*" + strings.Repeat("1", 70000), err: protoErr("too big mbulk count string")},
	{name: "not dollar", in: "*1\r\nx4\r\n", err: protoErr("expected '$', got 'x'")},
	{name: "not dollar CR", in: "*1\r\n\r\n", err: protoErr("expected '$', got ' '")},
	{name: "not dollar LF", in: "*1\r\n\n\r\n", err: protoErr("expected '$', got ' '")},
	{name: "not dollar high byte", in: "*1\r\n\xff\r\n", err: protoErr("expected '$', got '\xff'")},
	{name: "no partial array", in: "*2\r\n$3\r\nfoo\r\nx\r\n", err: protoErr("expected '$', got 'x'")},
	{name: "bulk null", in: "*1\r\n$-1\r\n", err: protoErr("invalid bulk length")},
	{name: "bulk negative", in: "*1\r\n$-5\r\n", err: protoErr("invalid bulk length")},
	{name: "bulk empty", in: "*1\r\n$\r\n", err: protoErr("invalid bulk length")},
	{name: "bulk leading zero", in: "*1\r\n$04\r\nping\r\n", err: protoErr("invalid bulk length")},
	{name: "bulk plus", in: "*1\r\n$+4\r\nping\r\n", err: protoErr("invalid bulk length")},
	{name: "bulk minus zero", in: "*1\r\n$-0\r\nping\r\n", err: protoErr("invalid bulk length")},
	{name: "bulk above limit", in: "*1\r\n$536870913\r\n", err: protoErr("invalid bulk length")},
	{name: "bulk 2^31", in: "*1\r\n$2147483648\r\n", err: protoErr("invalid bulk length")},
	{name: "bulk ends in LF", in: "*1\r\n$4\nping\r\n\r\n", err: protoErr("invalid bulk length")},
	{name: "bulk 1000 digits", in: "*1\r\n$" + strings.Repeat("1", 1000) + "\r\n", err: protoErr("invalid bulk length")},
	{name: "bulk length too long", in: "*1\r\n$" + strings.Repeat("1", 70000), err: protoErr("too big bulk count string")},
	{name: "big bulk", in: "*2\r\n$4\r\necho\r\n$70000\r\n" + strings.Repeat("a", 70000) + "\r\n",
		want: [][]string{{"echo", strings.Repeat("a", 70000)}}, err: eof},

	// Inline.
	{name: "inline LF", in: "ping\n", want: [][]string{{"ping"}}, err: eof},
	{name: "inline CRLF", in: "ping\r\n", want: [][]string{{"ping"}}, err: eof},
	{name: "inline blank lines", in: "\r\n\nping\r\n", want: [][]string{{"ping"}}, err: eof},
	{name: "inline spaces only", in: "   \r\nping\r\n", want: [][]string{{"ping"}}, err: eof},
	{name: "inline leading space", in: " ping\r\n", want: [][]string{{"ping"}}, err: eof},
	{name: "inline leading star after space", in: " *1\r\n", want: [][]string{{"*1"}}, err: eof},
	{name: "inline plus", in: "+ping\r\n", want: [][]string{{"+ping"}}, err: eof},
	{name: "inline extra CR", in: "ping\r\r\n", want: [][]string{{"ping"}}, err: eof},
	{name: "inline LF then CRLF", in: "ping\n\r\n", want: [][]string{{"ping"}}, err: eof},
	{name: "inline args", in: "set a  b\tc\r\n", want: [][]string{{"set", "a", "b", "c"}}, err: eof},
	{name: "inline CR separates", in: "echo a\rb\r\n", want: [][]string{{"echo", "a", "b"}}, err: eof},
	{name: "inline VT inside", in: "echo a\vb\r\n", want: [][]string{{"echo", "a\vb"}}, err: eof},
	{name: "inline FF inside", in: "echo a\fb\r\n", want: [][]string{{"echo", "a\fb"}}, err: eof},
	{name: "inline VT before arg", in: "echo \va\r\n", want: [][]string{{"echo", "a"}}, err: eof},
	{name: "inline VT after word", in: "echo\va\r\n", want: [][]string{{"echo\va"}}, err: eof},
	{name: "inline NUL is data", in: "echo a\x00b\r\n", want: [][]string{{"echo", "a\x00b"}}, err: eof},
	{name: "double quotes", in: "echo \"a b\"\r\n", want: [][]string{{"echo", "a b"}}, err: eof},
	{name: "hex escape", in: "echo \"a\\x41b\"\r\n", want: [][]string{{"echo", "aAb"}}, err: eof},
	{name: "hex both cases", in: "echo \"\\x4A\\x4a\"\r\n", want: [][]string{{"echo", "JJ"}}, err: eof},
	{name: "hex short", in: "echo \"a\\x4\"\r\n", want: [][]string{{"echo", "ax4"}}, err: eof},
	{name: "hex bad", in: "echo \"a\\xZZ\"\r\n", want: [][]string{{"echo", "axZZ"}}, err: eof},
	{name: "hex empty", in: "echo \"\\x\"\r\n", want: [][]string{{"echo", "x"}}, err: eof},
	{name: "hex g", in: "echo \"\\xg1\"\r\n", want: [][]string{{"echo", "xg1"}}, err: eof},
	{name: "escapes", in: "echo \"a\\nb\\r\\t\\b\\a\\q\"\r\n", want: [][]string{{"echo", "a\nb\r\t\b\aq"}}, err: eof},
	{name: "escaped quote", in: "echo \"a\\\"b\"\r\n", want: [][]string{{"echo", "a\"b"}}, err: eof},
	{name: "escaped backslash", in: "echo \"\\\\\"\r\n", want: [][]string{{"echo", "\\"}}, err: eof},
	{name: "single quotes", in: "echo 'a\\'b'\r\n", want: [][]string{{"echo", "a'b"}}, err: eof},
	{name: "single quote literal escapes", in: "echo 'a\\nb'\r\n", want: [][]string{{"echo", "a\\nb"}}, err: eof},
	{name: "single quote backslashes", in: "echo 'a\\\\b'\r\n", want: [][]string{{"echo", "a\\\\b"}}, err: eof},
	{name: "empty quotes", in: "echo \"\" ''\r\n", want: [][]string{{"echo", "", ""}}, err: eof},
	{name: "quote opens mid-arg", in: "echo a\"b\"\r\n", want: [][]string{{"echo", "ab"}}, err: eof},
	{name: "single quote mid-arg", in: "echo a'b c'\r\n", want: [][]string{{"echo", "ab c"}}, err: eof},
	{name: "quote then tab", in: "echo \"a\"\t\r\n", want: [][]string{{"echo", "a"}}, err: eof},
	{name: "quote then VT", in: "echo \"a\"\v\r\n", want: [][]string{{"echo", "a"}}, err: eof},
	{name: "quote then FF", in: "echo \"a\"\f\r\n", want: [][]string{{"echo", "a"}}, err: eof},
	{name: "quote then CR", in: "echo \"a\"\rb\r\n", want: [][]string{{"echo", "a", "b"}}, err: eof},
	{name: "unquoted backslash", in: "echo \\x41\r\n", want: [][]string{{"echo", "\\x41"}}, err: eof},
	{name: "unbalanced single", in: "echo 'a'b'\r\n", err: protoErr("unbalanced quotes in request")},
	{name: "unbalanced open", in: "echo \"ab\r\n", err: protoErr("unbalanced quotes in request")},
	{name: "unbalanced trailing text", in: "echo \"ab\"c\r\n", err: protoErr("unbalanced quotes in request")},
	{name: "unbalanced single trailing", in: "echo 'ab'c\r\n", err: protoErr("unbalanced quotes in request")},
	{name: "unbalanced backslash end", in: "echo \"a\\\r\n", err: protoErr("unbalanced quotes in request")},
	{name: "unbalanced escaped close", in: "echo \"\\\"\r\n", err: protoErr("unbalanced quotes in request")},
	{name: "unbalanced mid-arg", in: "echo a\"b c\"d\r\n", err: protoErr("unbalanced quotes in request")},
	{name: "unbalanced after backslash", in: "echo a\\\"b\r\n", err: protoErr("unbalanced quotes in request")},
	{name: "inline partial", in: "ping", err: unexpectedEOF},
	{name: "inline spaces partial", in: "   ", err: unexpectedEOF},
	{name: "inline too long", in: "echo " + strings.Repeat("a", 70000), err: protoErr("too big inline request")},
	{name: "inline too long with LF", in: "echo " + strings.Repeat("a", 100000) + "\r\n", err: protoErr("too big inline request")},
	{name: "empty input", in: "", err: eof},

	// The one-pass path for whole commands (quickMultibulk) and where it
	// hands over to the general one.
	{name: "empty bulk", in: "*2\r\n$3\r\nget\r\n$0\r\n\r\n", want: [][]string{{"get", ""}}, err: eof},
	{name: "unchecked bytes", in: "*2\rX$1\rYaZW$2\r\nbc\r\n", want: [][]string{{"a", "bc"}}, err: eof},
	{name: "count leading zero", in: "*01\r\n$1\r\na\r\n", err: protoErr("invalid multibulk length")},
	{name: "bulk leading zero", in: "*1\r\n$01\r\na\r\n", err: protoErr("invalid bulk length")},
	{name: "nine-digit bulk", in: "*1\r\n$000000001\r\na\r\n", err: protoErr("invalid bulk length")},
	{name: "ten-digit bulk", in: "*1\r\n$1000000000\r\n", err: protoErr("invalid bulk length")},
	{name: "count then space", in: "*1 \r\n$1\r\na\r\n", err: protoErr("invalid multibulk length")},
	{name: "bulk missing dollar", in: "*2\r\n$1\r\na\r\n:1\r\n", err: protoErr("expected '$', got ':'")},

	// Pipelines and mixtures.
	{name: "pipeline", in: "*1\r\n$4\r\nping\r\n\r\nping\r\n*2\r\n$3\r\nget\r\n$1\r\nk\r\nset k v\r\n",
		want: [][]string{{"ping"}, {"ping"}, {"get", "k"}, {"set", "k", "v"}}, err: eof},
	{name: "commands before error", in: "ping\r\n*1\r\n$-1\r\n", want: [][]string{{"ping"}}, err: protoErr("invalid bulk length")},

	// Limits.
	{name: "bulk limit ok", in: "*1\r\n$10\r\n0123456789\r\n", limit: Limits{MaxBulkLen: 10},
		want: [][]string{{"0123456789"}}, err: eof},
	{name: "bulk limit", in: "*1\r\n$11\r\n", limit: Limits{MaxBulkLen: 10}, err: protoErr("invalid bulk length")},
	{name: "unauthenticated count", in: "*11\r\n", limit: Limits{Unauthenticated: true}, err: protoErr("unauthenticated multibulk length")},
	{name: "unauthenticated count ok", in: "*1\r\n$4\r\nPING\r\n", limit: Limits{Unauthenticated: true}, want: [][]string{{"PING"}}, err: eof},
	{name: "unauthenticated bulk", in: "*1\r\n$16385\r\n", limit: Limits{Unauthenticated: true}, err: protoErr("unauthenticated bulk length")},
	{name: "unauthenticated invalid count", in: "*2147483648\r\n", limit: Limits{Unauthenticated: true}, err: protoErr("invalid multibulk length")},
	{name: "count limit ok", in: "*2\r\n$1\r\na\r\n$1\r\nb\r\n", limit: Limits{MaxMultibulk: 2},
		want: [][]string{{"a", "b"}}, err: eof},
	{name: "count limit", in: "*3\r\n", limit: Limits{MaxMultibulk: 2}, err: protoErr("invalid multibulk length")},
	{name: "inline limit ok", in: "0123456789\n", limit: Limits{MaxInline: 10},
		want: [][]string{{"0123456789"}}, err: eof},
	{name: "inline limit", in: "0123456789a\n", limit: Limits{MaxInline: 10}, err: protoErr("too big inline request")},
	{name: "inline limit counts CR", in: "012345678\r\n", limit: Limits{MaxInline: 9}, err: protoErr("too big inline request")},
	{name: "header limit ok", in: "*1\r\n$9\r\n012345678\r\n", limit: Limits{MaxInline: 2},
		want: [][]string{{"012345678"}}, err: eof},
	{name: "header limit", in: "*1\r\n$10\r\n", limit: Limits{MaxInline: 2}, err: protoErr("too big bulk count string")},
	{name: "query limit ok", in: "*1\r\n$32\r\n" + strings.Repeat("x", 32) + "\r\n", limit: Limits{MaxQuery: 43},
		want: [][]string{{strings.Repeat("x", 32)}}, err: eof},
	{name: "query limit", in: "*1\r\n$33\r\n" + strings.Repeat("x", 33) + "\r\n", limit: Limits{MaxQuery: 43}, err: queryLimit},
	{name: "query limit inline", in: strings.Repeat("x", 50) + "\r\n", limit: Limits{MaxQuery: 42}, err: queryLimit},
	{name: "query limit per command", in: strings.Repeat("ping\r\n", 20), limit: Limits{MaxQuery: 42},
		want: [][]string{{"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"},
			{"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}, {"ping"}}, err: eof},
}

func TestReadCommand(t *testing.T) {
	for _, tt := range readCommandTests {
		for _, c := range chunkings {
			t.Run(tt.name+"/"+c.name, func(t *testing.T) {
				r := NewReader(c.wrap(strings.NewReader(tt.in)))
				r.SetLimits(tt.limit)
				got, err := readAll(r)
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("commands = %q, want %q", got, tt.want)
				}
				if errText(err) != tt.err {
					t.Errorf("error = %q, want %q", errText(err), tt.err)
				}
				if _, again := r.ReadCommand(); errText(again) != errText(err) {
					t.Errorf("second error = %v, want %v again", again, err)
				}
			})
		}
	}
}

func TestReadCommandErrorKinds(t *testing.T) {
	_, err := NewReader(strings.NewReader("*x\r\n")).ReadCommand()
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Msg != "invalid multibulk length" {
		t.Errorf("error = %#v, want *ProtocolError", err)
	}
	r := NewReader(strings.NewReader(strings.Repeat("x", 100)))
	r.SetLimits(Limits{MaxQuery: 10})
	if _, err := r.ReadCommand(); err != ErrQueryBufferLimit {
		t.Errorf("error = %v, want ErrQueryBufferLimit", err)
	}
	boom := errors.New("boom")
	r = NewReader(io.MultiReader(strings.NewReader("ping\r\npi"), iotest.ErrReader(boom)))
	if args, err := r.ReadCommand(); err != nil || string(args[0]) != "ping" {
		t.Fatalf("ReadCommand = %q, %v", args, err)
	}
	if _, err := r.ReadCommand(); err != boom {
		t.Errorf("error = %v, want the reader's error", err)
	}
}

// countingReader counts Read calls.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

func TestReadCommandReadsOnlyWhenNeeded(t *testing.T) {
	batch := strings.Repeat("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", 100)
	cr := &countingReader{r: strings.NewReader(batch)}
	r := NewReader(cr)
	for i := range 100 {
		if _, err := r.ReadCommand(); err != nil {
			t.Fatal(err)
		}
		if cr.reads != 1 {
			t.Fatalf("after command %d: %d reads, want 1", i, cr.reads)
		}
		if want := len(batch) / 100 * (99 - i); r.Buffered() != want {
			t.Fatalf("Buffered() = %d, want %d", r.Buffered(), want)
		}
	}
}

// onceReader returns its bytes on the first Read and fails the test if
// read again.
type onceReader struct {
	data []byte
	t    *testing.T
	done bool
}

func (o *onceReader) Read(p []byte) (int, error) {
	if o.done {
		o.t.Fatal("Read called after the command was complete")
	}
	o.done = true
	return copy(p, o.data), nil
}

func TestReadCommandDoesNotReadAhead(t *testing.T) {
	r := NewReader(&onceReader{data: []byte("*1\r\n$4\r\nPING\r\n"), t: t})
	if args, err := r.ReadCommand(); err != nil || len(args) != 1 {
		t.Fatalf("ReadCommand = %q, %v", args, err)
	}
}

func TestHugeDeclaredLengthDoesNotAllocate(t *testing.T) {
	for _, in := range []string{
		"*1\r\n$2000000000\r\n0123456789",
		"*2000000000\r\n$1\r\na\r\n",
	} {
		r := NewReader(strings.NewReader(in))
		r.SetLimits(Limits{MaxBulkLen: 4 << 30, MaxQuery: 8 << 30})
		if _, err := r.ReadCommand(); err != io.ErrUnexpectedEOF {
			t.Errorf("%q: error = %v, want ErrUnexpectedEOF", in, err)
		}
		if cap(r.buf) > initialBufSize || cap(r.spans) > 16 {
			t.Errorf("%q: buffer cap %d, spans cap %d after 30 bytes", in, cap(r.buf), cap(r.spans))
		}
	}
}

func TestBufferGrowsAsDataArrivesAndShrinks(t *testing.T) {
	const size = 1 << 20
	var in []byte
	in = AppendCommand(in, [][]byte{[]byte("SET"), []byte("k"), bytes.Repeat([]byte("v"), size)})
	in = AppendCommand(in, [][]byte{[]byte("GET"), []byte("k")})
	r := NewReader(iotest.HalfReader(bytes.NewReader(in)))
	args, err := r.ReadCommand()
	if err != nil || len(args[2]) != size {
		t.Fatalf("ReadCommand: %d args, %v", len(args), err)
	}
	if c := cap(r.buf); c < size || c > size+size/8 {
		t.Errorf("buffer cap %d for a %d-byte command: want the exact size", c, size)
	}
	if _, err := r.ReadCommand(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadCommand(); err != io.EOF {
		t.Fatalf("error = %v, want EOF", err)
	}
	if cap(r.buf) != initialBufSize {
		t.Errorf("buffer cap %d after the big command, want %d", cap(r.buf), initialBufSize)
	}
}

func TestRoundTrip(t *testing.T) {
	cmds := [][][]byte{
		{[]byte("SET"), []byte("key"), []byte("value")},
		{[]byte("")},
		{[]byte("\r\n\x00\"'"), bytes.Repeat([]byte{0xff}, 100000)},
		{[]byte("*1"), []byte("$-1")},
	}
	var in []byte
	for _, c := range cmds {
		in = AppendCommand(in, c)
	}
	for _, c := range chunkings {
		r := NewReader(c.wrap(bytes.NewReader(in)))
		for i, want := range cmds {
			got, err := r.ReadCommand()
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: command %d = %q, %v; want %q", c.name, i, got, err, want)
			}
		}
		if _, err := r.ReadCommand(); err != io.EOF {
			t.Errorf("%s: error = %v, want EOF", c.name, err)
		}
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"7", 7, true},
		{"-7", -7, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"99999999999999999999", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"-0", 0, false},
		{"00", 0, false},
		{"01", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1a", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseInt([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseInt(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func BenchmarkReadCommand(b *testing.B) {
	const batch = 64
	var in []byte
	for range batch {
		in = AppendCommand(in, [][]byte{[]byte("SET"), []byte("key:000123"), []byte("some value of 32 bytes.........")})
	}
	src := bytes.NewReader(in)
	r := NewReader(src)
	b.SetBytes(int64(len(in) / batch))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%batch == 0 {
			src.Reset(in)
		}
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestReadCommandAllocs(t *testing.T) {
	in := AppendCommand(nil, [][]byte{[]byte("SET"), []byte("key"), []byte("value")})
	src := bytes.NewReader(in)
	r := NewReader(src)
	allocs := testing.AllocsPerRun(100, func() {
		src.Reset(in)
		if _, err := r.ReadCommand(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ReadCommand allocates %v times per SET, want 0", allocs)
	}
}
