package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue #12, item 4: MyRedis never starts over AOF files it cannot load.
// A server whose AOF directory has lost its manifest, or whose manifest
// lists files that are gone, must refuse to start, say which files, and
// leave every byte of every file as it was.

// aofFiles returns the name and content of every file in dir.
func aofFiles(t testing.TB, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	files := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		files[e.Name()] = string(data)
	}
	return files
}

// writeKeys sets n keys k0… on s and checks the replies.
func writeKeys(t testing.TB, s *server, n int) {
	t.Helper()
	c := s.dial(t)
	for i := range n {
		c.mustDo("+OK\r\n", "SET", "k"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
}

// crashedAOF starts MyRedis with appendfsync always, writes keys, kills it
// with SIGKILL and returns it with its AOF directory.
func crashedAOF(t *testing.T) (*server, string) {
	t.Helper()
	s := startAOF(t, "always")
	waitLoaded(t, s)
	writeKeys(t, s, 20)
	kill(t, s)
	return s, aofDir(s)
}

// refusedStart relaunches s, expects it to exit non-zero before serving,
// and returns it with its log.
func refusedStart(t *testing.T, s *server) (*server, string) {
	t.Helper()
	n := relaunch(t, s)
	code, err := n.wait(startTimeout)
	if assert.NoError(t, err, "the server did not exit by itself") {
		assert.NotZero(t, code, "the server exited with 0")
	}
	return n, readLog(t, n)
}

func TestAOFMissingManifestRefusesStart(t *testing.T) {
	s, dir := crashedAOF(t)
	manifest := filepath.Join(dir, "appendonly.aof.manifest")
	saved, err := os.ReadFile(manifest)
	require.NoError(t, err)
	require.NoError(t, os.Remove(manifest))
	before := aofFiles(t, dir)
	require.Contains(t, before, "appendonly.aof.1.incr.aof")
	require.NotEmpty(t, before["appendonly.aof.1.incr.aof"])

	n, log := refusedStart(t, s)
	for name := range before {
		assert.Contains(t, log, name, "the error does not name %s", name)
	}
	assert.Contains(t, log, dir)
	assert.Equal(t, before, aofFiles(t, dir), "the refused start changed the AOF directory")
	if t.Failed() {
		return
	}

	// With the manifest back, every key is there.
	require.NoError(t, os.WriteFile(manifest, saved, 0o644))
	n = restart(t, n)
	c := n.dial(t)
	for i := range 20 {
		v := "v" + strconv.Itoa(i)
		c.mustDo("$"+strconv.Itoa(len(v))+"\r\n"+v+"\r\n", "GET", "k"+strconv.Itoa(i))
	}
}

func TestAOFManifestNamesMissingFilesRefusesStart(t *testing.T) {
	s, dir := crashedAOF(t)
	manifest := filepath.Join(dir, "appendonly.aof.manifest")
	saved, err := os.ReadFile(manifest)
	require.NoError(t, err)
	missing := []string{"appendonly.aof.2.incr.aof", "appendonly.aof.3.incr.aof"}
	edited := string(saved)
	for i, name := range missing {
		edited += "file " + name + " seq " + strconv.Itoa(i+2) + " type i\n"
	}
	require.NoError(t, os.WriteFile(manifest, []byte(edited), 0o644))
	before := aofFiles(t, dir)

	_, log := refusedStart(t, s)
	for _, name := range missing {
		assert.Contains(t, log, name, "the error does not name the missing %s", name)
	}
	assert.Equal(t, before, aofFiles(t, dir), "the refused start changed the AOF directory")
}
