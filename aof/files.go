package aof

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The AOF never destroys a file it did not write: every file it creates in
// the AOF directory is created exclusively, a same-named file that the
// manifest does not list is taken over only when it is empty, and a rename
// never replaces a file that holds data. The helpers below implement that.

// checkReusable returns nil when path does not exist or is an empty regular
// file, which may then be taken over; otherwise an error naming it.
func checkReusable(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("aof: %w", err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("aof: %s already exists and is not a regular file; move it away", path)
	case fi.Size() > 0:
		return fmt.Errorf("aof: %s already exists, holds %d bytes and is not listed in the manifest; "+
			"it is left as it is: move it away (or restore the manifest that lists it)", path, fi.Size())
	}
	return nil
}

// createExclusive creates path for appending. When a file of that name
// already exists it is reused only if it is empty (a crash can leave one
// between creating a file and listing it); otherwise the error names it and
// nothing is changed.
func createExclusive(path string) (*os.File, error) {
	const flags = os.O_WRONLY | os.O_APPEND
	f, err := os.OpenFile(path, flags|os.O_CREATE|os.O_EXCL, 0o644)
	if err == nil || !errors.Is(err, fs.ErrExist) {
		return f, err
	}
	if err := checkReusable(path); err != nil {
		return nil, err
	}
	f, err = os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, err
	}
	// Check again on the open file: it may have changed since the Lstat.
	if fi, err := f.Stat(); err != nil || fi.Size() != 0 || !fi.Mode().IsRegular() {
		f.Close()
		return nil, errors.Join(err, checkReusable(path), fmt.Errorf("aof: %s changed while it was being reused", path))
	}
	return f, nil
}

// createTemp creates a new file in dir for appending, named prefix followed
// by random hex digits, exclusively: it never opens an existing file. The
// caller owns the file and removes it when it is not kept.
func createTemp(dir, prefix string) (*os.File, error) {
	var err error
	for range 100 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 16))
		var f *os.File
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("aof: no free temporary file name %s* in %s: %w", prefix, dir, err)
}

// renameNoClobber renames src to dst like os.Rename, except that it fails,
// naming dst, when dst exists and is not an empty file. It links src to dst
// and then removes src, so a file that appears at dst meanwhile is not
// replaced either; on a file system without hard links it checks, then
// renames. On error dst is as it was.
func renameNoClobber(src, dst string) error {
	if err := checkReusable(dst); err != nil {
		return err
	}
	if fi, err := os.Lstat(dst); err == nil && fi.Size() == 0 {
		if err := os.Remove(dst); err != nil { // an empty file: taken over
			return fmt.Errorf("aof: %w", err)
		}
	}
	err := os.Link(src, dst)
	switch {
	case errors.Is(err, fs.ErrExist):
		return errors.Join(checkReusable(dst), fmt.Errorf("aof: %s appeared while renaming %s to it", dst, filepath.Base(src)))
	case err != nil:
		return os.Rename(src, dst) // no hard links here
	}
	if err := os.Remove(src); err != nil {
		os.Remove(dst) // our own link: undo
		return fmt.Errorf("aof: %w", err)
	}
	return nil
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// isAOFName reports whether name is the name of a file of the AOF whose
// appendfilename is filename: filename itself (a converted legacy base) or
// filename.<seq>.base.aof, .base.rdb, .incr.aof (or .incr.rdb), the names
// Redis 7 gives base, incremental and history files.
func isAOFName(name, filename string) bool {
	if name == filename {
		return true
	}
	rest, ok := strings.CutPrefix(name, filename+".")
	if !ok {
		return false
	}
	seq, rest, ok := strings.Cut(rest, ".")
	if !ok || seq == "" || strings.Trim(seq, "0123456789") != "" {
		return false
	}
	switch rest {
	case "base.aof", "base.rdb", "incr.aof", "incr.rdb":
		return true
	}
	return false
}

// aofFile is a file found in the AOF directory.
type aofFile struct {
	name string
	size int64
}

func (f aofFile) String() string { return fmt.Sprintf("%s (%d bytes)", f.name, f.size) }

// findAOFFiles returns the files in dir named as AOF files of filename (see
// isAOFName), sorted by name; none when dir does not exist.
func findAOFFiles(dir, filename string) ([]aofFile, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("aof: %w", err)
	}
	var out []aofFile
	for _, e := range entries {
		if !isAOFName(e.Name(), filename) {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("aof: %w", err)
		}
		out = append(out, aofFile{e.Name(), fi.Size()})
	}
	slices.SortFunc(out, func(a, b aofFile) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// joinFiles formats names for an error message.
func joinFiles[T any](files []T) string {
	s := make([]string, len(files))
	for i, f := range files {
		s[i] = fmt.Sprint(f)
	}
	return strings.Join(s, ", ")
}
