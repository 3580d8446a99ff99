package resp

// ReadReply reads one complete reply of any RESP2 or RESP3 type, with
// nested arrays, maps, sets and pushes, and returns its exact encoding in a
// new slice that the caller owns. An attribute ("|") is returned together
// with the reply it annotates. Null bulks and arrays ("$-1", "*-1") are
// accepted; streamed strings ("$?") are not.
//
// Lines must end in CRLF. Bulk lengths are bounded by MaxBulkLen, element
// counts by MaxMultibulk, line lengths by MaxInline, and the whole reply by
// MaxQuery. Errors are as for ReadCommand; a ProtocolError's Msg here is
// not a Redis text.
func (r *Reader) ReadReply() ([]byte, error) {
	return readMessage(r, (*Reader).parseReply)
}

// parseReply continues scanning the reply at start. When it is complete it
// returns a copy and consumes it.
func (r *Reader) parseReply() ([]byte, bool, error) {
	data := r.buf[r.start:r.end]
	if r.left == 0 {
		if len(data) == 0 {
			return nil, false, nil
		}
		r.left = 1
	}
	for r.left > 0 {
		line, next, ok, err := r.line(data, '\r', 2, "too big reply line")
		if !ok || err != nil {
			return nil, false, err
		}
		if data[next-1] != '\n' {
			return nil, false, &ProtocolError{"expected CRLF after reply line"}
		}
		if len(line) == 0 {
			return nil, false, &ProtocolError{"empty reply line"}
		}
		kind, body := line[0], line[1:]
		left := r.left - 1
		switch kind {
		case '+', '-', ',', '(':
		case ':':
			if _, valid := parseInt(body); !valid {
				return nil, false, &ProtocolError{"invalid integer reply"}
			}
		case '_':
			if len(body) != 0 {
				return nil, false, &ProtocolError{"invalid null reply"}
			}
		case '#':
			if len(body) != 1 || body[0] != 't' && body[0] != 'f' {
				return nil, false, &ProtocolError{"invalid boolean reply"}
			}
		case '$', '!', '=':
			n, valid := parseInt(body)
			if kind == '$' && n == -1 {
				break
			}
			if !valid || n < 0 || n > r.lim.MaxBulkLen {
				return nil, false, &ProtocolError{"invalid bulk length"}
			}
			if ok, err := r.has(data, int64(next)+n+2); !ok || err != nil {
				return nil, false, err
			}
			next += int(n) + 2
			if data[next-2] != '\r' || data[next-1] != '\n' {
				return nil, false, &ProtocolError{"expected CRLF after bulk data"}
			}
		case '*', '~', '>', '%', '|':
			n, valid := parseInt(body)
			if kind == '*' && n == -1 {
				break
			}
			if !valid || n < 0 || n > r.lim.MaxMultibulk {
				return nil, false, &ProtocolError{"invalid multibulk length"}
			}
			switch kind {
			case '%':
				n *= 2
			case '|':
				n = 2*n + 1 // the pairs, then the reply they annotate
			}
			left += n
		default:
			return nil, false, &ProtocolError{"unknown reply type '" + string(line[:1]) + "'"}
		}
		r.pos, r.scan, r.left = next, next, left
	}
	reply := append([]byte(nil), data[:r.pos]...)
	r.consume(r.pos)
	return reply, true, nil
}
