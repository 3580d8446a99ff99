package db

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPauseExpiryKeepsKeys: while expiry is paused, reads see a key past its
// deadline as missing but delete nothing, log nothing and count nothing;
// once it resumes, the next read deletes it.
func TestPauseExpiryKeepsKeys(t *testing.T) {
	ks := New(NewTable(), 16)
	var logged []string
	ks.OnWrite(func(db int, args [][]byte) uint64 { logged = append(logged, joinArgs(db, args)); return 0 })
	run(ks, &Client{}, []string{"SET", "dead", "1"}, []string{"SET", "live", "2"})
	pastDeadline(t, ks, 0, "dead")
	logged = nil

	ks.PauseExpiry(true)
	got := run(ks, &Client{},
		[]string{"GET", "dead"}, []string{"EXISTS", "dead"}, []string{"TTL", "dead"}, []string{"TYPE", "dead"},
		[]string{"RANDOMKEY"}, []string{"RANDOMKEY"}, []string{"DBSIZE"})
	assert.Equal(t, "$-1\r\n:0\r\n:-2\r\n+none\r\n$4\r\nlive\r\n$4\r\nlive\r\n:2\r\n", got)
	assert.Empty(t, logged)
	assert.Zero(t, ks.Stats().ExpiredKeys.Load())

	ks.PauseExpiry(false)
	assert.Equal(t, "$-1\r\n:1\r\n", run(ks, &Client{}, []string{"GET", "dead"}, []string{"DBSIZE"}))
	assert.Equal(t, []string{"0 DEL dead"}, logged)
	assert.EqualValues(t, 1, ks.Stats().ExpiredKeys.Load())
}

// TestPauseExpiryWriteStillDeletes: a command that writes deletes an expired
// key it meets even while expiry is paused, so it never adds a second entry
// for a key that is still there.
func TestPauseExpiryWriteStillDeletes(t *testing.T) {
	for _, cmd := range [][]string{
		{"SET", "dead", "new"},
		{"RPUSH", "dead", "new"},
		{"SADD", "dead", "new"},
	} {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			ks := New(NewTable(), 16)
			run(ks, &Client{}, []string{"SET", "dead", "1"})
			pastDeadline(t, ks, 0, "dead")
			ks.PauseExpiry(true)
			run(ks, &Client{}, cmd)
			require.Equal(t, ":1\r\n", run(ks, &Client{}, []string{"DBSIZE"}))
			assert.EqualValues(t, 1, ks.Stats().ExpiredKeys.Load())
			assert.Equal(t, ":-1\r\n", run(ks, &Client{}, []string{"TTL", "dead"}))
		})
	}
}
