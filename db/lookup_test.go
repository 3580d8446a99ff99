package db

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLookupCache runs a sequence of lines through a LookupCache: each must
// find what the table finds, errors included, whatever the lines before
// left in it, more distinct commands than it remembers among them.
func TestLookupCache(t *testing.T) {
	table := NewTable()
	var cache LookupCache
	for _, line := range []string{
		"get k", "get k", "GET k", "get", "get k k", "get k",
		"command", "command count", "command", "command info get", "command info get",
		"set k v", "set k v ex 1", "set k", "SeT k v",
		"nosuch a", "nosuch a", "get k",
		"strlen k", "exists k", "type k", "ttl k", "pttl k", "incr k", "decr k", "append k v",
		"get k", "set k v", "GET k", "get",
	} {
		args := [][]byte{}
		for _, f := range strings.Fields(line) {
			args = append(args, []byte(f))
		}
		want, wantErr := table.Lookup(args)
		got, gotErr := cache.Lookup(table, args)
		require.Same(t, want, got, line)
		require.Equal(t, wantErr, gotErr, line)
	}
}
