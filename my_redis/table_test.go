package main

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"

	"myredis/cluster"
	"myredis/config"
	"myredis/db"
	"myredis/scripting"
	"myredis/server"
)

// TestEveryCommandDocumented checks the whole table, as a cluster node
// registers it: every command and subcommand has its documentation, and
// the documentation agrees with its key specs and arity.
func TestEveryCommandDocumented(t *testing.T) {
	ks := db.New(db.NewTable(), 16)
	logger := slog.New(slog.DiscardHandler)
	cluster.New(cluster.Options{Self: "127.0.0.1:1", Peers: []string{"127.0.0.1:2"},
		Next: server.Local{KS: ks}, Table: ks.Table(), Password: func() string { return "" }, Log: logger})
	server.New(config.Default(), ks, nil, logger)
	scripting.New(ks, scripting.Options{})

	n := 0
	for _, c := range ks.Table().All() {
		for _, cmd := range append([]*db.Command{c}, c.Subcommands()...) {
			n++
			name := cmd.FullName()
			assert.NotNil(t, cmd.Doc, "%s: no documentation", name) // even MONITOR's, which has no complexity
			assert.NoError(t, cmd.CheckDoc(), name)
			assert.NotEmpty(t, cmd.Summary, "%s: no summary", name)
			assert.NotEmpty(t, cmd.Since, "%s: no version", name)
		}
	}
	assert.Greater(t, n, 200)
}
