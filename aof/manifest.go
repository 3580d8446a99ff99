package aof

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"myredis/resp"
)

// File types in a manifest, as Redis 7 writes them.
const (
	typeBase    = 'b'
	typeIncr    = 'i'
	typeHistory = 'h' // left over from a rewrite, to be deleted
)

// maxManifestLine is the longest manifest line Redis accepts.
const maxManifestLine = 1024

// fileEntry is one "file <name> seq <n> type <t>" line of a manifest.
type fileEntry struct {
	name string
	seq  int64
	typ  byte
}

// manifest lists the files of a multi-part AOF: at most one base, then the
// incremental files in the order they are replayed.
type manifest struct {
	base    *fileEntry
	incrs   []fileEntry
	history []fileEntry
}

// files returns the files to load, in order.
func (m *manifest) files() []fileEntry {
	var fs []fileEntry
	if m.base != nil {
		fs = append(fs, *m.base)
	}
	return append(fs, m.incrs...)
}

// nextSeq returns the sequence number for a new file of type typ.
func (m *manifest) nextSeq(typ byte) int64 {
	if typ == typeBase {
		if m.base == nil {
			return 1
		}
		return m.base.seq + 1
	}
	if len(m.incrs) == 0 {
		return 1
	}
	return m.incrs[len(m.incrs)-1].seq + 1
}

// parseManifest parses a manifest with Redis 7's rules: one file per line,
// "key value" pairs in any order (unknown keys ignored, quoted names as in
// redis.conf), lines starting with '#' skipped, every line ending in '\n',
// at most one base, incremental files in increasing seq order.
func parseManifest(data []byte) (*manifest, error) {
	m := &manifest{}
	for n := 1; len(data) > 0; n++ {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 || nl > maxManifestLine {
			return nil, fmt.Errorf("aof: manifest line %d: line too long or not terminated", n)
		}
		line := bytes.TrimSpace(data[:nl])
		data = data[nl+1:]
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		e, err := parseManifestLine(line)
		if err != nil {
			return nil, fmt.Errorf("aof: manifest line %d: %w", n, err)
		}
		switch e.typ {
		case typeBase:
			if m.base != nil {
				return nil, fmt.Errorf("aof: manifest line %d: more than one base file", n)
			}
			m.base = &e
		case typeIncr:
			if k := len(m.incrs); k > 0 && m.incrs[k-1].seq >= e.seq {
				return nil, fmt.Errorf("aof: manifest line %d: incr file seq %d is not increasing", n, e.seq)
			}
			m.incrs = append(m.incrs, e)
		case typeHistory:
			m.history = append(m.history, e)
		default:
			return nil, fmt.Errorf("aof: manifest line %d: unknown file type %q", n, e.typ)
		}
	}
	if m.base == nil && len(m.incrs) == 0 && len(m.history) == 0 {
		return nil, errors.New("aof: manifest lists no file")
	}
	return m, nil
}

func parseManifestLine(line []byte) (fileEntry, error) {
	var e fileEntry
	words, ok := resp.SplitArgs(line)
	if !ok || len(words)%2 != 0 {
		return e, errors.New("invalid format")
	}
	for i := 0; i < len(words); i += 2 {
		val := words[i+1]
		switch string(words[i]) {
		case "file":
			e.name = string(val)
		case "seq":
			seq, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil || seq < 1 {
				return e, fmt.Errorf("invalid seq %q", val)
			}
			e.seq = seq
		case "type":
			if len(val) != 1 {
				return e, fmt.Errorf("invalid type %q", val)
			}
			e.typ = val[0]
		}
	}
	if e.name == "" || e.seq == 0 || e.typ == 0 {
		return e, errors.New("missing file, seq or type")
	}
	if filepath.Base(e.name) != e.name || e.name == "." || e.name == ".." {
		return e, fmt.Errorf("file name %q is not a plain name", e.name)
	}
	return e, nil
}

// format returns the manifest text as Redis 7 writes it: base, history,
// then incremental files.
func (m *manifest) format() []byte {
	var b []byte
	line := func(e fileEntry) {
		b = append(b, "file "...)
		b = appendQuoted(b, e.name)
		b = append(b, " seq "...)
		b = strconv.AppendInt(b, e.seq, 10)
		b = append(b, " type "...)
		b = append(b, e.typ, '\n')
	}
	if m.base != nil {
		line(*m.base)
	}
	for _, e := range m.history {
		line(e)
	}
	for _, e := range m.incrs {
		line(e)
	}
	return b
}

// appendQuoted appends s to b, in double quotes with escapes when it holds
// a space, a quote or a non-printable byte (the form SplitArgs reads back).
func appendQuoted(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == '"':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < ' ' || c >= 0x7f:
			b = append(b, fmt.Sprintf(`\x%02x`, c)...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// readManifest reads and parses the manifest at path. A missing file is an
// error satisfying errors.Is(err, fs.ErrNotExist).
func readManifest(path string) (*manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// writeFileAtomic replaces dir/name with data: it writes a temporary file,
// fsyncs it, renames it over the old one and fsyncs the directory, so a
// crash leaves either the old or the new content. replaced reports whether
// the rename happened: when it did and err is not nil (the directory fsync
// failed), the new content is in place but may not survive a crash, so the
// files either version names must all be kept.
func writeFileAtomic(dir, name string, data []byte) (replaced bool, err error) {
	tmp := filepath.Join(dir, "temp-"+name) // scratch, never data: truncated if a crash left one
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return false, err
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return false, err
	}
	return true, syncDir(dir)
}

// syncDir fsyncs a directory so that creations, renames and removals in it
// are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
