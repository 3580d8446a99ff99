package resp

import (
	"reflect"
	"strings"
	"testing"
)

func TestReadReply(t *testing.T) {
	nested := "*2\r\n%1\r\n+k\r\n~2\r\n:1\r\n_\r\n>1\r\n*0\r\n"
	tests := []struct {
		name string
		in   string
		want []string
		err  string
	}{
		{"simple", "+OK\r\n", []string{"+OK\r\n"}, eof},
		{"error", "-ERR x y\r\n", []string{"-ERR x y\r\n"}, eof},
		{"int", ":-12\r\n", []string{":-12\r\n"}, eof},
		{"bulk", "$3\r\na\nb\r\n", []string{"$3\r\na\nb\r\n"}, eof},
		{"null bulk", "$-1\r\n", []string{"$-1\r\n"}, eof},
		{"null array", "*-1\r\n", []string{"*-1\r\n"}, eof},
		{"null", "_\r\n", []string{"_\r\n"}, eof},
		{"double", ",1.5\r\n", []string{",1.5\r\n"}, eof},
		{"bool", "#t\r\n#f\r\n", []string{"#t\r\n", "#f\r\n"}, eof},
		{"big number", "(123\r\n", []string{"(123\r\n"}, eof},
		{"blob error", "!5\r\nERR x\r\n", []string{"!5\r\nERR x\r\n"}, eof},
		{"verbatim", "=6\r\ntxt:hi\r\n", []string{"=6\r\ntxt:hi\r\n"}, eof},
		{"empty array", "*0\r\n", []string{"*0\r\n"}, eof},
		{"nested", nested + "+next\r\n", []string{nested, "+next\r\n"}, eof},
		{"map", "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", []string{"%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n"}, eof},
		{"attribute", "|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n", []string{"|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n"}, eof},
		{"partial", "*2\r\n:1\r\n", nil, unexpectedEOF},
		{"partial bulk", "$3\r\nab", nil, unexpectedEOF},
		{"unknown type", "?\r\n", nil, protoErr("unknown reply type '?'")},
		{"empty line", "\r\n", nil, protoErr("empty reply line")},
		{"bare CR", "+OK\rx", nil, protoErr("expected CRLF after reply line")},
		{"bulk trailer", "$2\r\nabcd", nil, protoErr("expected CRLF after bulk data")},
		{"bad int", ":x\r\n", nil, protoErr("invalid integer reply")},
		{"bad null", "_x\r\n", nil, protoErr("invalid null reply")},
		{"bad bool", "#x\r\n", nil, protoErr("invalid boolean reply")},
		{"bad bulk", "$-2\r\n", nil, protoErr("invalid bulk length")},
		{"bad blob error", "!-1\r\n", nil, protoErr("invalid bulk length")},
		{"bad count", "%-1\r\n", nil, protoErr("invalid multibulk length")},
		{"huge count", "*99999999999\r\n", nil, protoErr("invalid multibulk length")},
		{"long line", "+" + strings.Repeat("x", 70000), nil, protoErr("too big reply line")},
	}
	for _, tt := range tests {
		for _, c := range chunkings {
			r := NewReader(c.wrap(strings.NewReader(tt.in)))
			var got []string
			var err error
			for {
				var reply []byte
				if reply, err = r.ReadReply(); err != nil {
					break
				}
				got = append(got, string(reply))
			}
			if !reflect.DeepEqual(got, tt.want) || errText(err) != tt.err {
				t.Errorf("%s/%s: got %q, %v; want %q, %s", tt.name, c.name, got, err, tt.want, tt.err)
			}
		}
	}
}

func TestReadReplyCopies(t *testing.T) {
	r := NewReader(strings.NewReader("+a\r\n+b\r\n"))
	first, _ := r.ReadReply()
	if _, err := r.ReadReply(); err != nil || string(first) != "+a\r\n" {
		t.Errorf("first reply %q after the second read, %v", first, err)
	}
}
