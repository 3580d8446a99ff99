package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConfigSetAppendOnly: CONFIG SET appendonly yes turns the AOF on while
// serving, as in Redis: INFO says so at once, the dataset written before is
// in the new base, and a write acknowledged after it survives kill -9.
// appendonly no turns it off: later writes are not logged.
func TestConfigSetAppendOnly(t *testing.T) {
	for _, fsync := range []string{"always", "everysec"} {
		t.Run(fsync, func(t *testing.T) {
			s := startServer(t, "--appendfsync", fsync)
			c := s.dial(t)
			for i := range 100 {
				c.mustDo("+OK\r\n", "SET", fmt.Sprint("before", i), "v")
			}
			c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
			assert.Equal(t, "1", infoField(t, c, "aof_enabled"))
			for i := range 100 {
				c.mustDo("+OK\r\n", "SET", fmt.Sprint("after", i), "v")
			}
			kill(t, s)

			n := restart(t, s, "--appendonly", "yes")
			c = n.dial(t)
			c.mustDo(":200\r\n", "DBSIZE")
			c.mustDo("$1\r\nv\r\n", "GET", "before99")
			c.mustDo("$1\r\nv\r\n", "GET", "after99")

			c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "no")
			assert.Equal(t, "0", infoField(t, c, "aof_enabled"))
			c.mustDo("+OK\r\n", "SET", "unlogged", "v")
			kill(t, n)
			n = restart(t, n, "--appendonly", "yes")
			c = n.dial(t)
			c.mustDo(":200\r\n", "DBSIZE")
			c.mustDo(":0\r\n", "EXISTS", "unlogged")
		})
	}
}

// TestConfigSetAppendOnlyRefused: when the AOF cannot be turned on, CONFIG
// SET fails and leaves appendonly off, in CONFIG GET too.
func TestConfigSetAppendOnlyRefused(t *testing.T) {
	s := startServer(t)
	// An AOF directory with files but no manifest: MyRedis will not touch it.
	dir := filepath.Join(s.dir, "appendonlydir")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	incr := filepath.Join(dir, "appendonly.aof.1.incr.aof")
	require.NoError(t, os.WriteFile(incr, []byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"), 0o644))
	c := s.dial(t)
	got := c.do("CONFIG", "SET", "appendonly", "yes", "timeout", "7")
	assert.Regexp(t, `^-ERR CONFIG SET failed \(possibly related to argument 'appendonly'\) - .*appendonly\.aof\.1\.incr\.aof`, got)
	c.mustDo("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n", "CONFIG", "GET", "appendonly")
	c.mustDo("*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n", "CONFIG", "GET", "timeout")
	assert.Equal(t, "0", infoField(t, c, "aof_enabled"))
	data, err := os.ReadFile(incr)
	require.NoError(t, err)
	assert.Equal(t, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", string(data), "the file is left as it was")
}

// TestConfigSetAppendFsync: the fsync policy changes on a running AOF, and
// writes keep being acknowledged and kept across kill -9.
func TestConfigSetAppendFsync(t *testing.T) {
	s := startAOF(t, "no")
	c := s.dial(t)
	for i, policy := range []string{"always", "everysec", "no", "always"} {
		c.mustDo("+OK\r\n", "CONFIG", "SET", "appendfsync", policy)
		// The running AOF says it switched (the aof package's tests count
		// the fsyncs each policy makes).
		waitFor(t, ioTimeout, "the AOF to switch to "+policy, func() bool {
			return strings.Count(readLog(t, s), `msg="AOF fsync policy set" appendfsync=`+policy) >= 1+i/3
		})
		c.mustDo("+OK\r\n", "SET", fmt.Sprint("k", i), policy)
	}
	time.Sleep(10 * time.Millisecond)
	kill(t, s)
	c = restart(t, s).dial(t)
	c.mustDo(":4\r\n", "DBSIZE")
	c.mustDo("$6\r\nalways\r\n", "GET", "k3")
}
