package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"myredis/db"
)

func TestRedacted(t *testing.T) {
	s := New(configForTest(), db.New(db.NewTable(), 16), nil, discardLogger())
	cases := []struct{ line, want string }{
		{"AUTH pw", "AUTH (redacted)"},
		{"AUTH user pw", "AUTH (redacted) (redacted)"},
		{"AUTH a b c", "AUTH a b c"}, // refused before Redis reads a secret
		{"HELLO 3 AUTH default pw SETNAME n", "HELLO 3 AUTH (redacted) (redacted) SETNAME n"},
		{"HELLO AUTH default pw", "HELLO AUTH default pw"}, // "AUTH" is read as the protocol version
		{"HELLO 4 AUTH default pw", "HELLO 4 AUTH default pw"},
		{"HELLO 2 SETNAME n AUTH u p", "HELLO 2 SETNAME n AUTH (redacted) (redacted)"},
		{"HELLO 2 BOGUS AUTH u p", "HELLO 2 BOGUS AUTH u p"},
		{"CONFIG SET requirepass pw", "CONFIG SET requirepass (redacted)"},
		{"CONFIG SET timeout 5 MASTERAUTH pw masteruser u", "CONFIG SET timeout 5 MASTERAUTH (redacted) masteruser (redacted)"},
		{"CONFIG SET nosuch x requirepass pw", "CONFIG SET nosuch x requirepass (redacted)"},
		{"CONFIG SET timeout 5 requirepass", "CONFIG SET timeout 5 requirepass"},
		{"SET requirepass pw", "SET requirepass pw"},
		{"GET auth", "GET auth"},
		{"HELLO 3", "HELLO 3"},
	}
	for _, tc := range cases {
		args := splitLine(tc.line)
		cmd, errMsg := s.table.Lookup(args)
		if cmd == nil {
			t.Fatalf("%s: %s", tc.line, errMsg)
		}
		got := redacted(cmd, args)
		assert.Equal(t, tc.want, string(joinLine(got)), tc.line)
		assert.Equal(t, tc.line, string(joinLine(args)), "the arguments themselves are left alone")
	}
}

func splitLine(line string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(line) {
		out = append(out, []byte(f))
	}
	return out
}

func joinLine(args [][]byte) []byte {
	var out []byte
	for i, a := range args {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, a...)
	}
	return out
}
