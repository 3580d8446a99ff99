// Package resp reads and writes the Redis serialization protocol (RESP2 and
// RESP3): a streaming command parser for the server side, a reply writer, and
// a reply reader for talking to peers.
package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
)

// Buffer sizes of a Reader.
const (
	initialBufSize = 16 << 10 // a fresh Reader's buffer
	keepBufSize    = 64 << 10 // a larger buffer is dropped once it is nearly empty
	keepArgs       = 4096     // a larger args slice is dropped before the next command
	maxEmptyReads  = 100      // as bufio: rd returning 0, nil this often in a row is an error
)

// ErrQueryBufferLimit is returned when a single command (or reply) needs
// more buffered bytes than Limits.MaxQuery. Redis closes such a client
// without a reply.
var ErrQueryBufferLimit = errors.New("resp: query buffer limit exceeded")

// ProtocolError reports malformed input. Its Error text is exactly the text
// Redis puts after "-ERR " before closing the connection.
type ProtocolError struct {
	Msg string // e.g. "invalid bulk length"
}

// Error returns "Protocol error: " followed by Msg.
func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

// Limits bound what a Reader accepts. The zero value of each field selects
// Redis's default.
type Limits struct {
	// MaxBulkLen is the largest bulk argument (proto-max-bulk-len);
	// default 512 MiB. A longer declared length is "invalid bulk length".
	MaxBulkLen int64
	// MaxMultibulk is the largest argument count of one command; default
	// and upper bound math.MaxInt32, as Redis. A larger count is "invalid
	// multibulk length".
	MaxMultibulk int64
	// MaxInline is the longest inline command line and the longest "*<n>"
	// or "$<n>" header line; default 64 KiB.
	MaxInline int
	// MaxQuery is the most bytes one command may need in the buffer
	// (client-query-buffer-limit); default 1 GiB. Beyond it ReadCommand
	// returns ErrQueryBufferLimit.
	MaxQuery int64
	// Unauthenticated applies Redis's tighter limits for a client that has
	// not authenticated yet: at most 10 arguments and 16 KiB per argument,
	// so a stranger cannot make the server buffer much.
	Unauthenticated bool
}

// Limits Redis applies before a client authenticates.
const (
	unauthMaxMultibulk = 10
	unauthMaxBulkLen   = 16 << 10
)

// withDefaults returns l with every zero field set to Redis's default.
func (l Limits) withDefaults() Limits {
	if l.MaxBulkLen <= 0 {
		l.MaxBulkLen = 512 << 20
	}
	if l.MaxMultibulk <= 0 || l.MaxMultibulk > math.MaxInt32 {
		l.MaxMultibulk = math.MaxInt32
	}
	if l.MaxInline <= 0 {
		l.MaxInline = 64 << 10
	}
	if l.MaxQuery <= 0 {
		l.MaxQuery = 1 << 30
	}
	return l
}

// span locates one parsed argument in the buffer, relative to Reader.start.
type span struct{ off, end int }

// A Reader parses RESP commands (and, with ReadReply, replies) from an
// io.Reader through its own reusable buffer. It calls the underlying
// Read only when the bytes already buffered do not hold the next complete
// command, so a server that flushes its pending replies before each Read
// answers a pipelined batch with one read and one write.
//
// A Reader is not safe for concurrent use. After a protocol or limit error
// every later call returns the same error; an error from the underlying
// reader is returned by every call that needs more bytes.
type Reader struct {
	rd  io.Reader
	lim Limits

	buf        []byte
	start, end int   // buf[start:end] is unparsed; start is the current message's first byte
	rdErr      error // from rd, reported once the buffered bytes are used up
	err        error // sticky protocol or limit error

	// Progress through the message at start, kept across reads so that a
	// large message arriving in pieces is scanned once. Offsets are
	// relative to start.
	pos   int   // next unparsed byte
	left  int64 // elements still expected; 0 before a multibulk header
	scan  int   // no line terminator at or after pos before scan
	want  int64 // total bytes the message needs, when a bulk length tells it
	spans []span
	args  [][]byte
}

// NewReader returns a Reader that parses commands from rd, with Redis's
// default Limits and a 16 KiB buffer that grows only as bytes of one large
// command arrive and shrinks back after it.
func NewReader(rd io.Reader) *Reader {
	return &Reader{rd: rd, lim: Limits{}.withDefaults(), buf: make([]byte, initialBufSize)}
}

// SetLimits replaces the limits; zero fields select Redis's defaults. It may
// be called between any two reads.
func (r *Reader) SetLimits(l Limits) { r.lim = l.withDefaults() }

// Buffered reports how many bytes are buffered but not yet returned.
func (r *Reader) Buffered() int { return r.end - r.start }

// Size returns the length of the read buffer, which grows for a large
// command and shrinks back after it.
func (r *Reader) Size() int { return len(r.buf) }

// ReadCommand returns the arguments of the next command. Both the outer
// slice and the arguments point into the Reader's buffer and stay valid only
// until the next call on the Reader.
//
// Multibulk commands ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and inline commands
// ("set a \"b c\"\r\n", split as Redis splits them) are accepted. Empty
// inline lines and "*0" or negative counts are skipped, as Redis skips them;
// a returned command always has at least one argument. Redis 7.0 stalls on
// a NUL byte before the line end; here NUL is ordinary data.
//
// Errors: io.EOF at a clean end between commands, io.ErrUnexpectedEOF when
// the stream ends inside one, *ProtocolError for malformed input (the caller
// replies "-ERR " + err.Error() and closes), ErrQueryBufferLimit, or the
// error from the underlying reader.
func (r *Reader) ReadCommand() ([][]byte, error) {
	if cap(r.args) > keepArgs {
		r.args, r.spans = nil, nil
	}
	return readMessage(r, (*Reader).parseCommand)
}

// readMessage runs parse over the buffered bytes, reading more until parse
// reports a complete message. parse returns ok=false when it needs more
// bytes.
func readMessage[T any](r *Reader, parse func(*Reader) (T, bool, error)) (T, error) {
	var zero T
	if r.err != nil {
		return zero, r.err
	}
	for {
		msg, ok, err := parse(r)
		if err == nil && !ok {
			err = r.fill()
		}
		if err != nil {
			if err == io.EOF && r.start < r.end {
				err = io.ErrUnexpectedEOF
			}
			if errors.Is(err, ErrQueryBufferLimit) || errors.As(err, new(*ProtocolError)) {
				r.err = err
			}
			return zero, err
		}
		if ok {
			return msg, nil
		}
	}
}

// consume ends the current message at offset n and resets the progress.
func (r *Reader) consume(n int) {
	r.start += n
	r.pos, r.left, r.scan, r.want = 0, 0, 0, 0
}

// parseCommand parses one command from the buffered bytes, skipping empty
// ones. It reports ok=false when the command is not complete yet.
func (r *Reader) parseCommand() ([][]byte, bool, error) {
	for {
		data := r.buf[r.start:r.end]
		if len(data) == 0 {
			return nil, false, nil
		}
		var done bool
		var err error
		if data[0] == '*' {
			if r.left == 0 && r.quickMultibulk(data) {
				return r.args, true, nil
			}
			done, err = r.parseMultibulk(data)
		} else {
			done, err = r.parseInline(data)
		}
		if err != nil || !done {
			return nil, false, err
		}
		if len(r.args) > 0 {
			return r.args, true, nil
		}
	}
}

// parseMultibulk continues parsing "*<n>\r\n" followed by n bulks from data,
// the buffered bytes from start. When done, r.args holds the arguments (none
// for a skipped count <= 0) and the command is consumed.
func (r *Reader) parseMultibulk(data []byte) (done bool, err error) {
	if r.left == 0 {
		line, next, ok, err := r.line(data, '\r', 2, "too big mbulk count string")
		if !ok || err != nil {
			return false, err
		}
		n, valid := parseInt(line[1:])
		if !valid || n > r.lim.MaxMultibulk {
			return false, &ProtocolError{"invalid multibulk length"}
		}
		if r.lim.Unauthenticated && n > unauthMaxMultibulk {
			return false, &ProtocolError{"unauthenticated multibulk length"}
		}
		if n <= 0 {
			r.args = r.args[:0]
			r.consume(next)
			return true, nil
		}
		r.left, r.pos, r.spans = n, next, r.spans[:0]
	}
	for r.left > 0 {
		line, next, ok, err := r.line(data, '\r', 2, "too big bulk count string")
		if !ok || err != nil {
			return false, err
		}
		if len(line) == 0 || line[0] != '$' {
			got := data[r.pos]
			if got == '\r' || got == '\n' {
				got = ' ' // as Redis's reply shows it
			}
			return false, &ProtocolError{"expected '$', got '" + string([]byte{got}) + "'"}
		}
		n, valid := parseInt(line[1:])
		if !valid || n < 0 || n > r.lim.MaxBulkLen {
			return false, &ProtocolError{"invalid bulk length"}
		}
		if r.lim.Unauthenticated && n > unauthMaxBulkLen {
			return false, &ProtocolError{"unauthenticated bulk length"}
		}
		// Like Redis, the two bytes after the data are skipped unchecked.
		if ok, err := r.has(data, int64(next)+n+2); !ok || err != nil {
			return false, err
		}
		end := next + int(n)
		r.spans = append(r.spans, span{next, end})
		r.pos, r.scan, r.left = end+2, end+2, r.left-1
	}
	r.args = r.args[:0]
	for _, s := range r.spans {
		r.args = append(r.args, data[s.off:s.end:s.end])
	}
	r.consume(r.pos)
	return true, nil
}

// quickMultibulk parses a complete, well-formed multibulk command at the
// front of data, the buffered bytes from start, in one pass: the common
// case of a pipelined batch. It consumes the command, leaving its arguments
// in r.args, and reports true; on anything else (the command is not all
// buffered, a count or length is out of the plain range, or the input is
// malformed) it reports false and changes nothing but r.args, and
// parseMultibulk, which knows every case, takes over. Both accept the same
// commands: every header here is what parseMultibulk accepts (a '*' or '$',
// one to nine digits without a leading zero, '\r' and one unchecked byte),
// within every limit it checks.
func (r *Reader) quickMultibulk(data []byte) bool {
	if r.lim.MaxInline < quickMinInline {
		return false
	}
	count, i := quickHeader(data)
	if count <= 0 || count > r.lim.MaxMultibulk || r.lim.Unauthenticated && count > unauthMaxMultibulk {
		return false
	}
	maxBulk := r.lim.MaxBulkLen
	if r.lim.Unauthenticated {
		maxBulk = min(maxBulk, unauthMaxBulkLen)
	}
	r.args = r.args[:0]
	for range count {
		if i >= len(data) || data[i] != '$' {
			return false
		}
		n, size := quickHeader(data[i:])
		next := i + size
		// Like Redis, the two bytes after the data are skipped unchecked.
		if n < 0 || n > maxBulk || int64(len(data)-next) < n+2 {
			return false
		}
		end := next + int(n)
		r.args = append(r.args, data[next:end:end])
		i = end + 2
	}
	if int64(i) > r.lim.MaxQuery {
		return false
	}
	r.consume(i)
	return true
}

// quickMinInline is the smallest MaxInline under which quickMultibulk
// still applies: its header lines are shorter.
const quickMinInline = 16

// quickHeader parses the header line at the front of line for
// quickMultibulk: a type byte, one to nine digits without a leading zero
// ("0" alone is fine), '\r' and one more byte, all buffered. It returns the
// number and the line's length, or -1 for anything else.
func quickHeader(line []byte) (n int64, size int) {
	k := 1
	for ; k <= 9 && k < len(line); k++ {
		d := line[k] - '0'
		if d > 9 {
			break
		}
		n = n*10 + int64(d)
	}
	if k == 1 || k > 2 && line[1] == '0' || k+1 >= len(line) || line[k] != '\r' {
		return -1, 0
	}
	return n, k + 2
}

// parseInline parses one inline command line from data, the buffered bytes
// from start. When done, r.args holds its arguments (none for a blank line)
// and the line is consumed.
func (r *Reader) parseInline(data []byte) (done bool, err error) {
	line, next, ok, err := r.line(data, '\n', 1, "too big inline request")
	if !ok || err != nil {
		return false, err
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	r.args, ok = splitInline(r.args[:0], line)
	if !ok {
		return false, &ProtocolError{"unbalanced quotes in request"}
	}
	r.consume(next)
	return true, nil
}

// line finds the line starting at r.pos in data, ended by term and followed
// by extra-1 more bytes (Redis does not check them). It returns the line
// without its terminator and the offset after it, or ok=false when the line
// is not complete yet. A line longer than MaxInline is the ProtocolError
// tooBig.
func (r *Reader) line(data []byte, term byte, extra int, tooBig string) (line []byte, next int, ok bool, err error) {
	limit := min(len(data), r.pos+r.lim.MaxInline+1)
	from := max(r.pos, r.scan)
	if i := bytes.IndexByte(data[from:limit], term); i >= 0 {
		end := from + i
		if ok, err := r.has(data, int64(end+extra)); !ok || err != nil {
			return nil, 0, false, err
		}
		return data[r.pos:end], end + extra, true, nil
	}
	if limit-r.pos > r.lim.MaxInline {
		return nil, 0, false, &ProtocolError{tooBig}
	}
	r.scan = limit
	return nil, 0, false, nil
}

// has reports whether data holds the first n bytes of the current message;
// if not, it records n as the size to grow the buffer to. A message longer
// than MaxQuery is ErrQueryBufferLimit, whether or not its bytes are here.
func (r *Reader) has(data []byte, n int64) (bool, error) {
	if n > r.lim.MaxQuery {
		return false, ErrQueryBufferLimit
	}
	if int64(len(data)) < n {
		r.want = n
		return false, nil
	}
	return true, nil
}

// fill reads more bytes into the buffer, first moving the unparsed bytes to
// its front and, when it is full, growing it (at most doubling, so the
// buffer never exceeds twice the bytes actually received). It returns
// ErrQueryBufferLimit when the current message needs more than MaxQuery.
func (r *Reader) fill() error {
	pending := r.end - r.start
	if need := max(int64(pending)+1, r.want); need > r.lim.MaxQuery {
		return ErrQueryBufferLimit
	}
	if r.rdErr != nil {
		return r.rdErr
	}
	switch {
	case len(r.buf) > keepBufSize && pending <= initialBufSize/2 && r.want <= initialBufSize:
		// The big message is done and the next is not known to be big.
		r.buf = r.resize(initialBufSize)
	case pending == len(r.buf):
		size := int(min(2*int64(len(r.buf)), r.lim.MaxQuery))
		if r.want > int64(len(r.buf)) && r.want < int64(size) {
			size = int(r.want)
		}
		r.buf = r.resize(size)
	case r.start > 0:
		copy(r.buf, r.buf[r.start:r.end])
	}
	r.start, r.end = 0, pending
	for range maxEmptyReads {
		n, err := r.rd.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.rdErr = err
		}
		if n > 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// resize returns a new buffer of size bytes holding the unparsed bytes at
// its front.
func (r *Reader) resize(size int) []byte {
	b := make([]byte, size)
	copy(b, r.buf[r.start:r.end])
	return b
}

// parseInt parses a length as Redis's string2ll does: an optional '-', then
// decimal digits without leading zeros ("0" itself is fine, "-0" is not);
// no '+', no spaces, no overflow.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 || (b[0] == '0' && (len(b) > 1 || neg)) {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}
