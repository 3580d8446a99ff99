package resp

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"testing/iotest"
)

// fuzzSeeds are inputs for both fuzz targets: commands, replies, and the
// edge cases of lengths and quoting.
var fuzzSeeds = []string{
	"*1\r\n$4\r\nPING\r\n",
	"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\n",
	"*99999999999\r\n",
	"*2147483647\r\n$1\r\na\r\n",
	"$2147483648\r\n",
	"*1\r\n$2147483648\r\n",
	"*1\r\n$-5\r\n",
	"*0\r\n*-1\r\n\r\n",
	"*1\r\n$4\rXPINGXY",
	"set a \"b c\" 'd\\'e' \"\\x41\\n\"\r\n",
	"echo \"unbalanced\r\n",
	"echo a\"b\"c\r\n",
	"echo \"a\\\r\n",
	"%2\r\n+a\r\n:1\r\n+b\r\n*2\r\n$-1\r\n_\r\n",
	"|1\r\n+k\r\n#t\r\n>2\r\n=7\r\ntxt:abc\r\n!3\r\nERR\r\n",
}

func FuzzReadCommand(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		cmds, err := fuzzCommands(t, bytes.NewReader(in))
		checkErr(t, err)
		// Short reads must not change the outcome.
		cmds1, err1 := fuzzCommands(t, iotest.OneByteReader(bytes.NewReader(in)))
		if !reflect.DeepEqual(cmds, cmds1) || errText(err) != errText(err1) {
			t.Fatalf("byte by byte: %q, %v; whole: %q, %v", cmds1, err1, cmds, err)
		}

		var enc []byte
		for _, c := range cmds {
			enc = AppendCommand(enc, c)
		}
		again, err := fuzzCommands(t, bytes.NewReader(enc))
		if !reflect.DeepEqual(again, cmds) || err != io.EOF {
			t.Fatalf("round trip: got %q, %v; want %q, EOF", again, err, cmds)
		}
	})
}

// fuzzCommands reads commands from rd until an error, with small limits so
// that the fuzzer reaches them.
func fuzzCommands(t *testing.T, rd io.Reader) ([][][]byte, error) {
	r := NewReader(rd)
	r.SetLimits(fuzzLimits)
	var cmds [][][]byte
	for {
		args, err := r.ReadCommand()
		if err != nil {
			return cmds, err
		}
		if len(args) == 0 {
			t.Fatal("empty command returned")
		}
		cmds = append(cmds, copyArgs(args))
	}
}

var fuzzLimits = Limits{MaxBulkLen: 1 << 20, MaxMultibulk: 1 << 20, MaxInline: 1 << 10, MaxQuery: 4 << 20}

func FuzzReadReply(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		replies, err := fuzzReplies(bytes.NewReader(in))
		checkErr(t, err)
		if all := bytes.Join(replies, nil); !bytes.HasPrefix(in, all) {
			t.Fatalf("replies %q are not a prefix of the input", all)
		}
		replies1, err1 := fuzzReplies(iotest.OneByteReader(bytes.NewReader(in)))
		if !reflect.DeepEqual(replies, replies1) || errText(err) != errText(err1) {
			t.Fatalf("byte by byte: %q, %v; whole: %q, %v", replies1, err1, replies, err)
		}
		// Each reply read alone is the same single reply.
		for _, want := range replies {
			got, err := NewReader(bytes.NewReader(want)).ReadReply()
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("reply %q read alone: %q, %v", want, got, err)
			}
		}
	})
}

// fuzzReplies reads replies from rd until an error.
func fuzzReplies(rd io.Reader) ([][]byte, error) {
	r := NewReader(rd)
	r.SetLimits(fuzzLimits)
	var replies [][]byte
	for {
		reply, err := r.ReadReply()
		if err != nil {
			return replies, err
		}
		replies = append(replies, reply)
	}
}

func copyArgs(args [][]byte) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = bytes.Clone(a)
		if out[i] == nil {
			out[i] = []byte{}
		}
	}
	return out
}

// checkErr fails unless err is one of the errors a Reader may return over
// an in-memory input.
func checkErr(t *testing.T, err error) {
	t.Helper()
	var pe *ProtocolError
	if err != io.EOF && err != io.ErrUnexpectedEOF && err != ErrQueryBufferLimit && !errors.As(err, &pe) {
		t.Fatalf("unexpected error %#v", err)
	}
}
