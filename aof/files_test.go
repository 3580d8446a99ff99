package aof

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readDir returns the name and content of every file in dir.
func readDir(t testing.TB, dir string) map[string]string {
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

// twoFileDir returns a directory whose AOF, never rewritten, holds data in
// its incr file (its base is empty), with the path of the AOF directory.
func twoFileDir(t *testing.T) (dir, aofDir string) {
	t.Helper()
	dir, _, _ = buildDir(t, [][][]byte{args("SET", "a", "1"), args("SET", "b", "2")})
	return dir, filepath.Join(dir, "appendonlydir")
}

func TestOpenRefusesFilesWithoutManifest(t *testing.T) {
	dir, aofDir := twoFileDir(t)
	require.NoError(t, os.Remove(filepath.Join(aofDir, "appendonly.aof.manifest")))
	before := readDir(t, aofDir)

	_, err := Open(Options{Dir: dir})
	require.Error(t, err)
	for _, want := range []string{aofDir, "appendonly.aof.1.base.aof (0 bytes)", "appendonly.aof.1.incr.aof", "refused", "manifest"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.Equal(t, before, readDir(t, aofDir), "Open changed the directory")
}

func TestOpenRefusesOtherAOFNames(t *testing.T) {
	for _, name := range []string{"appendonly.aof.7.base.rdb", "appendonly.aof.3.incr.aof", "appendonly.aof"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			aofDir := filepath.Join(dir, "appendonlydir")
			require.NoError(t, os.Mkdir(aofDir, 0o755))
			writeFile(t, filepath.Join(aofDir, name), "data")
			writeFile(t, filepath.Join(aofDir, "other.aof.1.incr.aof"), "not ours")
			_, err := Open(Options{Dir: dir})
			require.Error(t, err)
			assert.Contains(t, err.Error(), name+" (4 bytes)")
			assert.NotContains(t, err.Error(), "other.aof")
			assert.Equal(t, map[string]string{name: "data", "other.aof.1.incr.aof": "not ours"}, readDir(t, aofDir))
		})
	}
}

// TestOpenRefusesLegacyBesideFiles: an old-style file is converted only
// when the directory holds no AOF data that it would be mixed with.
func TestOpenRefusesLegacyBesideFiles(t *testing.T) {
	dir, aofDir := twoFileDir(t)
	require.NoError(t, os.Remove(filepath.Join(aofDir, "appendonly.aof.manifest")))
	legacy := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	writeFile(t, filepath.Join(dir, "appendonly.aof"), legacy)
	before := readDir(t, aofDir)
	_, err := Open(Options{Dir: dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "appendonly.aof.1.incr.aof")
	assert.Contains(t, err.Error(), "old-style")
	assert.Equal(t, before, readDir(t, aofDir))
	got, err := os.ReadFile(filepath.Join(dir, "appendonly.aof"))
	require.NoError(t, err)
	assert.Equal(t, legacy, string(got))
}

// TestOpenResumesInterruptedConversion: a crash after the legacy file was
// linked into the directory, before the manifest, is finished on restart.
func TestOpenResumesInterruptedConversion(t *testing.T) {
	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	require.NoError(t, os.Mkdir(aofDir, 0o755))
	legacy := filepath.Join(dir, "appendonly.aof")
	writeFile(t, legacy, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
	require.NoError(t, os.Link(legacy, filepath.Join(aofDir, "appendonly.aof")))
	got, err := load(t, dir, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"0:SET k v"}, got)
	assert.NoFileExists(t, legacy)
}

// TestOpenReusesEmptyFiles: a crash while creating the first files leaves
// empty ones and no manifest; the next start takes them over.
func TestOpenReusesEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	require.NoError(t, os.Mkdir(aofDir, 0o755))
	writeFile(t, filepath.Join(aofDir, "appendonly.aof.1.base.aof"), "")
	writeFile(t, filepath.Join(aofDir, "appendonly.aof.1.incr.aof"), "")
	a := open(t, dir, FsyncNo, false)
	require.NoError(t, a.Start())
	require.NoError(t, a.WaitDurable(a.Append(0, args("SET", "a", "1"))))
	require.NoError(t, a.Close())
	got, err := load(t, dir, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"0:SET a 1"}, got)
}

func TestOpenRefusesMissingListedFiles(t *testing.T) {
	dir, aofDir := twoFileDir(t)
	man := filepath.Join(aofDir, "appendonly.aof.manifest")
	data, err := os.ReadFile(man)
	require.NoError(t, err)
	writeFile(t, man, string(data)+"file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n")
	before := readDir(t, aofDir)

	_, err = Open(Options{Dir: dir, LoadTruncated: true})
	require.Error(t, err)
	for _, want := range []string{aofDir, "appendonly.aof.2.incr.aof", "appendonly.aof.3.incr.aof", "refused"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "appendonly.aof.1.incr.aof")
	assert.Equal(t, before, readDir(t, aofDir), "Open changed the directory")

	// A missing base is refused the same way.
	require.NoError(t, os.Rename(filepath.Join(aofDir, "appendonly.aof.1.base.aof"), filepath.Join(dir, "moved")))
	writeFile(t, man, string(data))
	_, err = Open(Options{Dir: dir})
	require.ErrorContains(t, err, "appendonly.aof.1.base.aof")
}

// TestStartRefusesUnlistedIncr: Start creates the first incr file only
// where no file with data has that name.
func TestStartRefusesUnlistedIncr(t *testing.T) {
	dir, aofDir := twoFileDir(t)
	writeFile(t, filepath.Join(aofDir, "appendonly.aof.manifest"), "file appendonly.aof.1.base.aof seq 1 type b\n")
	before := readDir(t, aofDir)
	a := open(t, dir, FsyncNo, false)
	err := a.Start()
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(aofDir, "appendonly.aof.1.incr.aof"))
	require.NoError(t, a.Close())
	assert.Equal(t, before, readDir(t, aofDir))
}

// TestRewriteRefusesUnlistedFiles: a rewrite never overwrites a file with
// data that the manifest does not list, neither its new incr file nor its
// new base; the AOF keeps working and loses nothing.
func TestRewriteRefusesUnlistedFiles(t *testing.T) {
	dir, aofDir := twoFileDir(t)
	a := open(t, dir, FsyncNo, false)
	_, err := a.Load(func([][]byte) error { return nil })
	require.NoError(t, err)
	require.NoError(t, a.Start())
	snapshot := func(rotate func(), emit func(int, [][]byte)) error {
		rotate()
		emit(0, args("SET", "a", "1"))
		emit(0, args("SET", "b", "2"))
		return nil
	}

	strayIncr := filepath.Join(aofDir, "appendonly.aof.2.incr.aof")
	writeFile(t, strayIncr, "stray incr")
	err = a.Rewrite(snapshot)
	require.Error(t, err)
	assert.Contains(t, err.Error(), strayIncr)
	require.NoError(t, a.WaitDurable(a.Append(0, args("SET", "c", "3"))))

	require.NoError(t, os.Rename(strayIncr, filepath.Join(dir, "stray")))
	strayBase := filepath.Join(aofDir, "appendonly.aof.2.base.aof")
	writeFile(t, strayBase, "stray base")
	require.NoError(t, a.Rewrite(snapshot))
	waitRewrite(t, a)
	assert.Equal(t, "err", infoField(a, "aof_last_bgrewrite_status"))
	require.NoError(t, a.WaitDurable(a.Append(0, args("SET", "d", "4"))))
	require.NoError(t, a.Close())

	files := readDir(t, aofDir)
	assert.Equal(t, "stray base", files["appendonly.aof.2.base.aof"])
	for name := range files {
		assert.False(t, strings.HasPrefix(name, "temp-"), "temporary file %s left", name)
	}
	got, err := load(t, dir, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"0:SET a 1", "0:SET b 2", "0:SET c 3", "0:SET d 4"}, got)
}

func TestIsAOFName(t *testing.T) {
	for name, want := range map[string]bool{
		"appendonly.aof":              true,
		"appendonly.aof.1.base.aof":   true,
		"appendonly.aof.12.base.rdb":  true,
		"appendonly.aof.3.incr.aof":   true,
		"appendonly.aof.manifest":     false,
		"appendonly.aof.x.incr.aof":   false,
		"appendonly.aof..incr.aof":    false,
		"appendonly.aof.1.hist.aof":   false,
		"temp-appendonly.aof.incr.ab": false,
		"other.aof.1.incr.aof":        false,
		"appendonly.aof.1.incr.aof.x": false,
	} {
		assert.Equal(t, want, isAOFName(name, "appendonly.aof"), name)
	}
}

func TestRenameNoClobber(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")

	writeFile(t, src, "new")
	writeFile(t, dst, "old data")
	err := renameNoClobber(src, dst)
	require.ErrorContains(t, err, dst)
	assert.Equal(t, map[string]string{"src": "new", "dst": "old data"}, readDir(t, dir))

	writeFile(t, dst, "") // an empty file is taken over
	require.NoError(t, renameNoClobber(src, dst))
	assert.Equal(t, map[string]string{"dst": "new"}, readDir(t, dir))

	require.NoError(t, renameNoClobber(dst, src)) // to a free name
	assert.Equal(t, map[string]string{"src": "new"}, readDir(t, dir))
}

func TestCreateExclusive(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	f, err := createExclusive(path)
	require.NoError(t, err)
	_, err = f.Write([]byte("data"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	_, err = createExclusive(path)
	require.ErrorContains(t, err, path)
	assert.Equal(t, map[string]string{"f": "data"}, readDir(t, dir))

	require.NoError(t, os.Truncate(path, 0))
	f, err = createExclusive(path)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}
