package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// maxTestBulk bounds the bulk lengths the test reader accepts, so a broken
// server cannot make the test allocate without limit.
const maxTestBulk = 64 << 20

// readReply reads one complete RESP2 or RESP3 reply from r and returns its
// raw bytes, nested elements included. On error the bytes read so far are
// returned with it.
func readReply(r *bufio.Reader) ([]byte, error) {
	return appendReply(nil, r)
}

// appendReply appends one complete raw reply read from r to out.
func appendReply(out []byte, r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadBytes('\n')
	out = append(out, line...)
	if err != nil {
		return out, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return out, fmt.Errorf("malformed reply line %q", line)
	}
	body := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', '-', ':', ',', '#', '_', '(':
		return out, nil
	case '$', '!', '=': // bulk string, bulk error, verbatim string
		n, err := strconv.Atoi(body)
		if err != nil || n > maxTestBulk {
			return out, fmt.Errorf("bad bulk length in %q", line)
		}
		if n < 0 {
			return out, nil
		}
		start := len(out)
		out = append(out, make([]byte, n+2)...)
		if _, err := io.ReadFull(r, out[start:]); err != nil {
			return out, err
		}
		if !bytes.HasSuffix(out, []byte("\r\n")) {
			return out, fmt.Errorf("bulk of length %d not followed by CRLF", n)
		}
		return out, nil
	case '*', '~', '>', '%': // array, set, push, map
		n, err := strconv.Atoi(body)
		if err != nil {
			return out, fmt.Errorf("bad aggregate length in %q", line)
		}
		if line[0] == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if out, err = appendReply(out, r); err != nil {
				return out, err
			}
		}
		return out, nil
	}
	return out, fmt.Errorf("unknown reply type in %q", line)
}

// splitAggregate splits a raw aggregate reply into its header line and the
// raw bytes of its elements. ok is false for non-aggregates and nulls.
func splitAggregate(raw []byte) (header []byte, elems [][]byte, ok bool) {
	r := bufio.NewReader(bytes.NewReader(raw))
	header, err := r.ReadBytes('\n')
	if err != nil || len(header) < 3 || !bytes.ContainsRune([]byte("*~>%"), rune(header[0])) {
		return nil, nil, false
	}
	n, err := strconv.Atoi(string(header[1 : len(header)-2]))
	if err != nil || n < 0 {
		return nil, nil, false
	}
	if header[0] == '%' {
		n *= 2
	}
	for i := 0; i < n; i++ {
		e, err := readReply(r)
		if err != nil {
			return nil, nil, false
		}
		elems = append(elems, e)
	}
	return header, elems, true
}
