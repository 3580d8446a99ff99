package resp

import (
	"io"
	"math"
	"strconv"
)

// keepWriteBuf is the largest buffer a Writer keeps once it is emptied.
const keepWriteBuf = 256 << 10

// A Writer encodes replies into one buffer and writes the buffer to its
// destination only on Flush: the Write methods never touch the destination,
// whatever the size of the reply, so a command can write its reply while it
// holds locks and the caller sends it after releasing them. A buffer grown
// past 256 KiB is dropped when it is emptied.
//
// The Writer speaks RESP2 until SetProtocol(3); types RESP2 lacks (maps,
// sets, doubles, ...) fall back to what Redis sends a RESP2 client.
//
// It keeps the first write error: later writes are no-ops and Flush and Err
// return that error. A Writer is not safe for concurrent use; the zero value
// is not usable, call NewWriter.
type Writer struct {
	w       io.Writer
	buf     []byte
	err     error
	proto   int
	onError func(msg string)
}

// NewWriter returns a RESP2 Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w, proto: 2} }

// Reset discards the buffered replies and the kept error and makes the
// Writer write RESP2 to dst, as a new Writer would, except that the OnError
// function stays.
func (w *Writer) Reset(dst io.Writer) {
	w.w, w.err, w.proto = dst, nil, 2
	w.clear()
}

// SetProtocol selects RESP2 (v == 2) or RESP3 (v == 3) for later replies.
// Any other v is a programmer error and panics.
func (w *Writer) SetProtocol(v int) {
	if v != 2 && v != 3 {
		panic("resp: protocol version must be 2 or 3, got " + strconv.Itoa(v))
	}
	w.proto = v
}

// Protocol returns the protocol version in use: 2 or 3.
func (w *Writer) Protocol() int { return w.proto }

// Buffered returns the number of bytes not yet written to the destination.
func (w *Writer) Buffered() int { return len(w.buf) }

// Err returns the first error met writing to the destination, or nil.
func (w *Writer) Err() error { return w.err }

// Flush writes the buffered replies to the destination and returns the
// first write error, now or earlier.
func (w *Writer) Flush() error {
	if w.err != nil || len(w.buf) == 0 {
		return w.err
	}
	w.write(w.buf)
	w.clear()
	return w.err
}

// Take appends the buffered replies to dst, empties the buffer without
// writing it, and returns the extended slice: a caller that must put
// something between what is buffered and what comes next (a reply that is
// not ready yet) takes the bytes and writes them itself, in order.
func (w *Writer) Take(dst []byte) []byte {
	dst = append(dst, w.buf...)
	w.clear()
	return dst
}

// clear empties the buffer, dropping it if it grew large.
func (w *Writer) clear() {
	if cap(w.buf) > keepWriteBuf {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
}

// write writes b to the destination, keeping the first error.
func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	n, err := w.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	w.err = err
}

// WriteSimple writes the simple string s ("+OK"). s must not hold CR or LF.
func (w *Writer) WriteSimple(s string) { w.buf = appendLine(w.buf, '+', s) }

// WriteError writes the error reply msg, which starts with its code, e.g.
// "ERR syntax error" or "WRONGTYPE Operation against ...". CR and LF in msg
// are sent as spaces, as Redis does.
func (w *Writer) WriteError(msg string) {
	if w.onError != nil {
		w.onError(msg)
	}
	w.buf = append(w.buf, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.buf = append(w.buf, c)
	}
	w.buf = append(w.buf, "\r\n"...)
}

// OnError makes WriteError call fn with the message of every error reply it
// writes (as given: its code first), before writing it, so that the caller
// can count errors by code. A nil fn stops the calls.
func (w *Writer) OnError(fn func(msg string)) { w.onError = fn }

// WriteInt writes the integer n.
func (w *Writer) WriteInt(n int64) { w.buf = appendHeader(w.buf, ':', n) }

// WriteBulk writes b as a bulk string. b is not retained, nor does it
// escape (so it may be a stack buffer): AppendBulk is not generic, which
// lets escape analysis see through it.
func (w *Writer) WriteBulk(b []byte) { w.buf = AppendBulk(w.buf, b) }

// WriteBulkString writes s as a bulk string.
func (w *Writer) WriteBulkString(s string) { writeBulk(w, s) }

// writeBulk writes b as a bulk string.
func writeBulk[T string | []byte](w *Writer, b T) {
	w.buf = appendHeader(w.buf, '$', int64(len(b)))
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, "\r\n"...)
}

// WriteNull writes a null: "$-1" in RESP2, "_" in RESP3.
func (w *Writer) WriteNull() { w.writeNull('$') }

// WriteNullArray writes a null array: "*-1" in RESP2, "_" in RESP3.
func (w *Writer) WriteNullArray() { w.writeNull('*') }

// writeNull writes RESP3's null, or the RESP2 null of type kind.
func (w *Writer) writeNull(kind byte) {
	if w.proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = appendHeader(w.buf, kind, -1)
	}
}

// WriteArray writes the header of an array of n elements; the caller writes
// the elements next.
func (w *Writer) WriteArray(n int) { w.buf = appendHeader(w.buf, '*', int64(n)) }

// WriteMap writes the header of a map of n key-value pairs; the caller
// writes 2n elements next. RESP2 gets a flat array of 2n elements.
func (w *Writer) WriteMap(n int) { w.writeAggregate('%', 2, n) }

// WriteSet writes the header of a set of n elements (an array in RESP2).
func (w *Writer) WriteSet(n int) { w.writeAggregate('~', 1, n) }

// WritePush writes the header of a push message of n elements (an array in
// RESP2, as pub/sub messages are).
func (w *Writer) WritePush(n int) { w.writeAggregate('>', 1, n) }

// writeAggregate writes a RESP3 aggregate header of type kind for n
// entries, or in RESP2 an array of per*n elements.
func (w *Writer) writeAggregate(kind byte, per, n int) {
	if w.proto == 3 {
		w.buf = appendHeader(w.buf, kind, int64(n))
	} else {
		w.buf = appendHeader(w.buf, '*', int64(per*n))
	}
}

// WriteDouble writes f as Redis 7.0 does: a RESP3 double, or in RESP2 a bulk
// string, formatted by FormatDouble.
func (w *Writer) WriteDouble(f float64) {
	if w.proto == 3 {
		w.buf = append(FormatDouble(append(w.buf, ','), f), "\r\n"...)
		return
	}
	var tmp [32]byte
	w.buf = AppendBulk(w.buf, FormatDouble(tmp[:0], f))
}

// WriteBool writes b: "#t"/"#f" in RESP3, the integer 1 or 0 in RESP2.
func (w *Writer) WriteBool(b bool) {
	switch {
	case w.proto == 3 && b:
		w.buf = append(w.buf, "#t\r\n"...)
	case w.proto == 3:
		w.buf = append(w.buf, "#f\r\n"...)
	case b:
		w.WriteInt(1)
	default:
		w.WriteInt(0)
	}
}

// WriteVerbatim writes s as a RESP3 verbatim string of the three-letter
// format ("txt" or "mkd"), or in RESP2 as a bulk string. A format of
// another length is a programmer error and panics.
func (w *Writer) WriteVerbatim(format, s string) {
	if len(format) != 3 {
		panic("resp: verbatim format must be 3 bytes, got " + strconv.Quote(format))
	}
	if w.proto != 3 {
		w.WriteBulkString(s)
		return
	}
	w.buf = appendHeader(w.buf, '=', int64(len(s)+4))
	w.buf = append(append(append(append(w.buf, format...), ':'), s...), "\r\n"...)
}

// WriteBigNumber writes the decimal digits s as a RESP3 big number, or in
// RESP2 as a bulk string.
func (w *Writer) WriteBigNumber(s string) {
	if w.proto != 3 {
		w.WriteBulkString(s)
		return
	}
	w.buf = appendLine(w.buf, '(', s)
}

// WriteRaw writes b, which is already RESP-encoded. b is not retained.
func (w *Writer) WriteRaw(b []byte) { w.buf = append(w.buf, b...) }

// AppendBulk appends b encoded as a bulk string to dst and returns the
// extended slice.
func AppendBulk(dst, b []byte) []byte {
	return append(append(appendHeader(dst, '$', int64(len(b))), b...), "\r\n"...)
}

// AppendArrayHeader appends the header of an array of n elements to dst and
// returns the extended slice.
func AppendArrayHeader(dst []byte, n int) []byte {
	return appendHeader(dst, '*', int64(n))
}

// AppendCommand appends args encoded as a command (an array of bulk
// strings, as ReadCommand reads it) to dst and returns the extended slice.
func AppendCommand(dst []byte, args [][]byte) []byte {
	dst = AppendArrayHeader(dst, len(args))
	for _, a := range args {
		dst = AppendBulk(dst, a)
	}
	return dst
}

// FormatDouble appends f formatted as Redis 7.0 formats a double reply
// (C's "%.17g", with "inf", "-inf" and "nan") to dst and returns the
// extended slice.
func FormatDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	// An integral f below 2^53 (not -0), the common score, prints as its
	// decimal digits under %.17g: AppendInt writes them faster.
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 && (f != 0 || !math.Signbit(f)) {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	// Go's 'g' with a precision follows C's %g: exponent when it is < -4 or
	// >= the precision, at least two exponent digits, no trailing zeros.
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// appendHeader appends a type byte, the integer n and CRLF to dst.
func appendHeader(dst []byte, kind byte, n int64) []byte {
	return append(strconv.AppendInt(append(dst, kind), n, 10), "\r\n"...)
}

// appendLine appends a type byte, s and CRLF to dst.
func appendLine(dst []byte, kind byte, s string) []byte {
	return append(append(append(dst, kind), s...), "\r\n"...)
}
