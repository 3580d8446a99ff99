package aof

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Check implements `my_redis --check-aof [--fix] <path>`, like
// redis-check-aof. path is a manifest (its name ends in ".manifest": every
// file it lists is checked, in order) or a single AOF file. It writes a
// report to out and returns nil when everything is valid, or the first
// problem: a *CorruptError, an invalid manifest or an I/O error.
//
// With fix, a torn tail (the input ends inside a command or a MULTI
// transaction) of the single file, or of the last file of a manifest, is
// truncated away without asking, and Check returns nil. Corruption
// elsewhere is never "fixed": truncating there would drop good commands.
func Check(path string, fix bool, out io.Writer) error {
	if !strings.HasSuffix(path, ".manifest") {
		return checkFile(path, fix, out)
	}
	fmt.Fprintf(out, "Start checking Multi Part AOF\n")
	m, err := readManifest(path)
	if err != nil {
		fmt.Fprintf(out, "Invalid AOF manifest: %v\n", err)
		return err
	}
	files := m.files()
	for i, e := range files {
		if err := checkFile(filepath.Join(filepath.Dir(path), e.name), fix && i == len(files)-1, out); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "All AOF files and manifest are valid\n")
	return nil
}

// checkFile checks (and with fix, repairs) one AOF file.
func checkFile(path string, fix bool, out io.Writer) error {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(out, "Cannot open %s: %v\n", path, err)
		return err
	}
	defer f.Close()
	rp := replayer{exec: func([][]byte) error { return nil }}
	valid, err := rp.run(f)
	if err == nil {
		fmt.Fprintf(out, "AOF %s is valid (%d commands, %d bytes)\n", name, rp.cmds, valid)
		return nil
	}
	var ce *CorruptError
	if !errors.As(err, &ce) {
		fmt.Fprintf(out, "Cannot read %s: %v\n", path, err)
		return err
	}
	ce.File = name
	size := valid
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(out, "0x%016x: %s\n", ce.Offset, ce.Reason)
	fmt.Fprintf(out, "AOF analyzed: filename=%s, size=%d, ok_up_to=%d, diff=%d\n", name, size, ce.Valid, size-ce.Valid)
	switch {
	case !ce.Truncated:
		fmt.Fprintf(out, "AOF %s has a format error in the middle: it cannot be fixed by truncation\n", name)
	case !fix:
		fmt.Fprintf(out, "AOF %s is not valid. Use the --fix option to try fixing it.\n", name)
	default:
		if err := os.Truncate(path, ce.Valid); err != nil {
			fmt.Fprintf(out, "Failed to truncate AOF %s: %v\n", name, err)
			return err
		}
		fmt.Fprintf(out, "Successfully truncated AOF %s to %d bytes\n", name, ce.Valid)
		return nil
	}
	return ce
}
