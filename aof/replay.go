package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Parser buffer sizes.
const (
	initialReadBuf = 256 << 10 // a fresh parser's buffer
	maxHeaderLen   = 18        // digits of a "*<n>" or "$<n>" header: keeps n below 1e18, so sums cannot overflow
)

// A CorruptError reports an AOF that cannot be loaded as it is.
//
// Truncated means the input ended inside a command (or inside a MULTI
// transaction): a crash tore the tail, and truncating the file to Valid
// bytes leaves every complete command. Otherwise the bytes at Offset are
// malformed and no truncation is safe.
type CorruptError struct {
	File      string // base name of the file; empty for Replay on a bare reader
	Offset    int64  // where the problem was found
	Valid     int64  // length of the prefix made of complete commands and transactions
	Truncated bool
	Reason    string // e.g. "expected '$'"
}

// Error describes the problem with the file name and byte offset.
func (e *CorruptError) Error() string {
	name := e.File
	if name == "" {
		name = "input"
	}
	if e.Truncated {
		return fmt.Sprintf("aof: %s: unexpected end of file at offset %d (%s); complete commands end at offset %d",
			name, e.Offset, e.Reason, e.Valid)
	}
	return fmt.Sprintf("aof: %s: bad format at offset %d: %s", name, e.Offset, e.Reason)
}

// errNeedMore is returned by parse when the buffer ends inside a command.
var errNeedMore = errors.New("need more")

// A parser reads commands (RESP arrays of bulk strings, nothing else) from
// an AOF, strictly, knowing the byte offset of each. Annotation lines
// ("#...\n", which Redis 7 may write) are skipped.
type parser struct {
	rd    io.Reader
	buf   []byte
	r, w  int   // buf[r:w] is unparsed
	base  int64 // file offset of buf[0]
	eof   bool  // rd is exhausted
	rdErr error // a non-EOF error from rd
	args  [][]byte
}

func newParser(rd io.Reader) *parser {
	return &parser{rd: rd, buf: make([]byte, initialReadBuf)}
}

// offset returns the file offset of the next unparsed byte.
func (p *parser) offset() int64 { return p.base + int64(p.r) }

// next returns the next command and the offset of its first byte. The
// arguments point into the parser's buffer and stay valid until the next
// call. At a clean end it returns io.EOF; a malformed or torn command is a
// *CorruptError (with Valid left for the caller to set); an error of the
// underlying reader is returned as is.
func (p *parser) next() ([][]byte, int64, error) {
	for {
		args, end, err := p.parse()
		off := p.offset() // after any annotation lines parse skipped
		switch {
		case err == nil:
			p.r = end
			return args, off, nil
		case err != errNeedMore:
			return nil, off, err
		case p.rdErr != nil:
			return nil, off, p.rdErr
		case p.eof:
			if p.r == p.w {
				return nil, p.offset(), io.EOF
			}
			return nil, p.offset(), &CorruptError{Offset: p.base + int64(p.w), Truncated: true, Reason: "torn command"}
		}
		p.fill()
	}
}

// fill reads more bytes, first moving the unparsed bytes to the front and
// doubling the buffer when a single command fills it. The buffer only grows
// as bytes actually arrive, never by a declared length.
func (p *parser) fill() {
	if p.r > 0 {
		p.base += int64(p.r)
		p.w = copy(p.buf, p.buf[p.r:p.w])
		p.r = 0
	}
	if p.w == len(p.buf) {
		p.buf = append(p.buf, make([]byte, len(p.buf))...)
	}
	for empty := 0; empty < 100; empty++ {
		n, err := p.rd.Read(p.buf[p.w:])
		p.w += n
		if err == io.EOF {
			p.eof = true
			return
		}
		if err != nil {
			p.rdErr = err
			return
		}
		if n > 0 {
			return
		}
	}
	p.rdErr = io.ErrNoProgress
}

// parse parses one command at p.r, skipping annotation lines before it
// (by advancing p.r past them). It returns the arguments and the index just
// after the command, errNeedMore, or a *CorruptError.
func (p *parser) parse() ([][]byte, int, error) {
	data := p.buf[:p.w]
	i := p.r
	for i < len(data) && data[i] == '#' {
		nl := bytes.IndexByte(data[i:], '\n')
		if nl < 0 {
			return nil, 0, errNeedMore
		}
		i += nl + 1
		p.r = i
	}
	if i == len(data) {
		return nil, 0, errNeedMore
	}
	if data[i] != '*' {
		if p.base+int64(i) == 0 && bytes.HasPrefix(data, []byte("REDIS")) {
			return nil, 0, p.corrupt(i, "RDB preamble is not supported (aof-use-rdb-preamble must be no)")
		}
		return nil, 0, p.corrupt(i, "expected '*'")
	}
	n, i, err := p.header(data, i+1)
	if err != nil {
		return nil, 0, err
	}
	if n < 1 {
		return nil, 0, p.corrupt(i, "invalid multibulk length")
	}
	args := p.args[:0]
	for ; n > 0; n-- {
		if i == len(data) {
			return nil, 0, errNeedMore
		}
		if data[i] != '$' {
			return nil, 0, p.corrupt(i, "expected '$'")
		}
		size, j, err := p.header(data, i+1)
		if err != nil {
			return nil, 0, err
		}
		if size < 0 {
			return nil, 0, p.corrupt(i, "invalid bulk length")
		}
		if int64(len(data)-j) <= size {
			return nil, 0, errNeedMore
		}
		end := j + int(size)
		if err := p.crlf(data, end, "expected CRLF after bulk"); err != nil {
			return nil, 0, err
		}
		args = append(args, data[j:end:end])
		i = end + 2
	}
	p.args = args
	return args, i, nil
}

// header parses the decimal number of a header line whose digits start at
// i, through its CRLF, and returns it with the index after the line.
func (p *parser) header(data []byte, i int) (int64, int, error) {
	start := i
	neg := i < len(data) && data[i] == '-'
	if neg {
		i++
	}
	var n int64
	for ; i < len(data) && '0' <= data[i] && data[i] <= '9'; i++ {
		if i-start >= maxHeaderLen {
			return 0, 0, p.corrupt(i, "header number too long")
		}
		n = n*10 + int64(data[i]-'0')
	}
	if i < len(data) && (i == start || neg && i == start+1) {
		return 0, 0, p.corrupt(i, "expected a number")
	}
	if err := p.crlf(data, i, "expected CRLF after number"); err != nil {
		return 0, 0, err
	}
	if neg {
		n = -n
	}
	return n, i + 2, nil
}

// crlf checks for "\r\n" at data[i:]: errNeedMore when data ends first,
// a *CorruptError with reason when another byte is there.
func (p *parser) crlf(data []byte, i int, reason string) error {
	switch {
	case i < len(data) && data[i] != '\r', i+1 < len(data) && data[i+1] != '\n':
		return p.corrupt(i, reason)
	case i+1 >= len(data):
		return errNeedMore
	}
	return nil
}

func (p *parser) corrupt(i int, reason string) *CorruptError {
	return &CorruptError{Offset: p.base + int64(i), Reason: reason}
}

// replayer applies an AOF's commands through exec, holding back a MULTI
// transaction until its EXEC so that a torn transaction is never applied in
// part.
type replayer struct {
	exec     func(args [][]byte) error
	cmds     int64      // commands passed to exec
	db       int        // database selected by the last SELECT passed to exec
	queued   [][][]byte // commands of the open transaction (copies)
	inMulti  bool
	multiOff int64 // offset of the open MULTI
	progress func(off int64)
}

// The progress callback runs every progressEvery parsed commands.
const progressEvery = 1 << 16

// run replays all of rd. It returns the length of the valid prefix (every
// complete command and transaction) and an error: nil at a clean end, a
// *CorruptError, an I/O error, or an error from exec wrapped with the
// command's offset.
func (rp *replayer) run(rd io.Reader) (int64, error) {
	p := newParser(rd)
	var valid, parsed int64
	for {
		args, off, err := p.next()
		if err == io.EOF {
			if rp.inMulti {
				return rp.multiOff, &CorruptError{Offset: off, Valid: rp.multiOff, Truncated: true, Reason: "unfinished MULTI"}
			}
			return valid, nil
		}
		if err != nil {
			if ce, ok := err.(*CorruptError); ok {
				ce.Valid = valid
				if rp.inMulti {
					ce.Valid = rp.multiOff
				}
			}
			return valid, err
		}
		if err := rp.command(args, off); err != nil {
			return valid, err
		}
		if !rp.inMulti {
			valid = p.offset()
		}
		if parsed++; rp.progress != nil && parsed%progressEvery == 0 {
			rp.progress(p.offset())
		}
	}
}

// command handles one parsed command starting at offset off.
func (rp *replayer) command(args [][]byte, off int64) error {
	name := args[0]
	switch {
	case isName(name, "multi"):
		if rp.inMulti {
			return &CorruptError{Offset: off, Reason: "nested MULTI"}
		}
		rp.inMulti, rp.multiOff = true, off
		return nil
	case isName(name, "exec"):
		if !rp.inMulti {
			return &CorruptError{Offset: off, Reason: "EXEC without MULTI"}
		}
		rp.inMulti = false
		for _, cmd := range rp.queued {
			if err := rp.apply(cmd, off); err != nil {
				return err
			}
		}
		clear(rp.queued)
		rp.queued = rp.queued[:0]
		return nil
	case rp.inMulti:
		rp.queued = append(rp.queued, copyArgs(args))
		return nil
	}
	return rp.apply(args, off)
}

// apply passes one command to exec, tracking SELECT.
func (rp *replayer) apply(args [][]byte, off int64) error {
	if err := rp.exec(args); err != nil {
		return fmt.Errorf("command %q at offset %d: %w", args[0], off, err)
	}
	rp.cmds++
	if len(args) == 2 && isName(args[0], "select") {
		if db, err := strconv.Atoi(string(args[1])); err == nil {
			rp.db = db
		}
	}
	return nil
}

// isName reports whether the command name b is lower (ASCII, lower case) in
// any case.
func isName(b []byte, lower string) bool {
	return len(b) == len(lower) && bytes.EqualFold(b, []byte(lower))
}

// copyArgs copies args into one new allocation.
func copyArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	block := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		block = append(block, a...)
		out[i] = block[len(block)-len(a) : len(block) : len(block)]
	}
	return out
}

// Replay reads AOF commands from r and calls exec for each, in order. A
// MULTI … EXEC transaction is held back until its EXEC and then passed to
// exec command by command, without the MULTI and EXEC themselves. The
// arguments passed to exec are valid only during the call; exec must copy
// what it keeps.
//
// It returns the number of commands passed to exec and nil at a clean end
// of r; a *CorruptError when r is malformed or ends inside a command or a
// transaction (its Valid field tells where the complete part ends); an
// error of r; or the first error of exec, wrapped with the command's offset
// (nothing more is replayed after it).
func Replay(r io.Reader, exec func(args [][]byte) error) (int64, error) {
	rp := replayer{exec: exec}
	_, err := rp.run(r)
	var ce *CorruptError
	if err != nil && !errors.As(err, &ce) {
		err = fmt.Errorf("aof: %w", err)
	}
	return rp.cmds, err
}
