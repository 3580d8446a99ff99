package resp

// splitInline splits an inline command line into arguments the way Redis's
// sdssplitargs does, appending them to args. It decodes in place: the
// arguments are sub-slices of line, whose bytes it overwrites (decoding
// only ever shrinks the text). It reports false for unbalanced quotes.
//
// Outside quotes, arguments are separated by space, tab, CR or LF (and
// vertical tab or form feed before an argument). Double quotes take the
// escapes \xHH, \n, \r, \t, \b, \a, and \<c> for any other c; single quotes
// take only \'. A quote may open inside an argument, but a closing quote
// must be followed by white space or the end of the line.
func splitInline(args [][]byte, line []byte) ([][]byte, bool) {
	i, w := 0, 0 // read and write offsets in line
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return args, true
		}
		start := w
		var quote byte // the open quote, or 0
	arg:
		for {
			if i == len(line) {
				if quote != 0 {
					return args, false
				}
				break
			}
			c := line[i]
			switch {
			case quote == 0:
				if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
					break arg
				}
				if c == '"' || c == '\'' {
					quote = c
				} else {
					line[w] = c
					w++
				}
				i++
			case c == quote:
				// The closing quote ends the argument.
				if i+1 < len(line) && !isSpace(line[i+1]) {
					return args, false
				}
				i++
				break arg
			case c == '\\' && quote == '"' && i+3 < len(line) && line[i+1] == 'x' &&
				isHex(line[i+2]) && isHex(line[i+3]):
				line[w] = unhex(line[i+2])<<4 | unhex(line[i+3])
				w++
				i += 4
			case c == '\\' && quote == '"' && i+1 < len(line):
				line[w] = unescape(line[i+1])
				w++
				i += 2
			case c == '\\' && quote == '\'' && i+1 < len(line) && line[i+1] == '\'':
				line[w] = '\''
				w++
				i += 2
			default:
				line[w] = c
				w++
				i++
			}
		}
		args = append(args, line[start:w:w])
	}
}

// SplitArgs splits line into arguments with the quoting rules of Redis's
// inline commands and configuration files (see splitInline). The arguments
// are new slices; line is not modified. It reports false for unbalanced
// quotes.
func SplitArgs(line []byte) ([][]byte, bool) {
	return splitInline(nil, append([]byte(nil), line...))
}

// isSpace reports whether c is white space in C's isspace sense.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unhex returns the value of the hex digit c.
func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// unescape returns the byte that the double-quote escape \c stands for.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
