package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"myredis/db"
)

// TestLookupCache runs a sequence of lines through the session's cached
// lookup: each must find what the table finds, errors included, whatever
// the line before cached.
func TestLookupCache(t *testing.T) {
	table := db.NewTable()
	sess := &Session{srv: &Server{table: table}}
	for _, line := range []string{
		"get k", "get k", "GET k", "get", "get k k", "get k",
		"command", "command count", "command", "command info get", "command info get",
		"set k v", "set k v ex 1", "set k", "SeT k v",
		"nosuch a", "nosuch a", "get k",
	} {
		args := [][]byte{}
		for _, f := range strings.Fields(line) {
			args = append(args, []byte(f))
		}
		want, wantErr := table.Lookup(args)
		got, gotErr := sess.lookup(args)
		require.Same(t, want, got, line)
		require.Equal(t, wantErr, gotErr, line)
	}
}
