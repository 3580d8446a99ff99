package aof

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"myredis/resp"
)

// FuzzLoad replays arbitrary input: it must never panic, every error must
// be a *CorruptError whose Valid is a command boundary within the input,
// and the commands parsed survive an encode → parse round trip.
func FuzzLoad(f *testing.F) {
	good := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	for _, seed := range []string{
		"", good, good[:len(good)-1], good[:7],
		"*1\r\n$5\r\nMULTI\r\n" + good + "*1\r\n$4\r\nEXEC\r\n",
		"*1\r\n$5\r\nMULTI\r\n" + good,
		"*2\r\n$999999999999999999\r\nab",
		"*9999999999\r\n", "*-1\r\n", "*0\r\n", "$3\r\nabc\r\n",
		"#TS:1\r\n" + good, "#no newline",
		"*1\r\n$4\r\nEXEC\r\n", "REDIS0011",
		"*2\r\n$-5\r\n", "*1\r\n$3\r\nabcX\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := newParser(bytes.NewReader(data))
		p.buf = make([]byte, 16) // force buffer growth and refills
		for {
			args, off, err := p.next()
			if err != nil {
				var ce *CorruptError
				if err != io.EOF && !errors.As(err, &ce) {
					t.Fatalf("parser error %T %v", err, err)
				}
				break
			}
			if off < 0 || p.offset() > int64(len(data)) {
				t.Fatalf("command at %d..%d outside the input", off, p.offset())
			}
			enc := resp.AppendCommand(nil, args)
			again, _, err := newParser(bytes.NewReader(enc)).next()
			if err != nil || !bytes.Equal(bytes.Join(again, []byte{0}), bytes.Join(args, []byte{0})) || len(again) != len(args) {
				t.Fatalf("command at %d does not survive a round trip: %q → %q, %v", off, args, again, err)
			}
		}

		_, err := Replay(bytes.NewReader(data), func(args [][]byte) error {
			if len(args) == 0 || strings.EqualFold(string(args[0]), "multi") {
				t.Fatalf("replayed %q", args)
			}
			return nil
		})
		var ce *CorruptError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("replay error %T %v", err, err)
		}
		if ce != nil {
			if ce.Valid < 0 || ce.Valid > int64(len(data)) {
				t.Fatalf("Valid %d out of range", ce.Valid)
			}
			if _, err := Replay(bytes.NewReader(data[:ce.Valid]), func([][]byte) error { return nil }); err != nil && ce.Truncated {
				t.Fatalf("the valid prefix of a torn input does not replay: %v", err)
			}
		}
	})
}
