package config

import "strings"

// splitArgs splits one configuration line into arguments with the rules of
// Redis's configuration syntax:
//
//   - arguments are separated by spaces, tabs or line breaks;
//   - "double quotes" understand \n \r \t \b \a \\ \" and \xHH escapes
//     (any other escaped byte stands for itself);
//   - 'single quotes' only understand \' ;
//   - a quote may open in the middle of an argument, but a closing quote
//     must be followed by a space or the end of the line.
//
// ok is false for an unterminated quote or a closing quote glued to more text.
func splitArgs(line string) (args []string, ok bool) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return args, true
		}
		var arg []byte
		var quote byte // the open quote, 0 outside quotes
	scan:
		for {
			if i == len(line) {
				if quote != 0 {
					return nil, false
				}
				break
			}
			c := line[i]
			switch {
			case quote == '"' && c == '\\' && i+3 < len(line) && line[i+1] == 'x' &&
				isHex(line[i+2]) && isHex(line[i+3]):
				arg = append(arg, hexVal(line[i+2])<<4|hexVal(line[i+3]))
				i += 3
			case quote == '"' && c == '\\' && i+1 < len(line):
				i++
				arg = append(arg, unescape(line[i]))
			case quote == '\'' && c == '\\' && i+1 < len(line) && line[i+1] == '\'':
				i++
				arg = append(arg, '\'')
			case quote != 0 && c == quote:
				if i+1 < len(line) && !isSpace(line[i+1]) {
					return nil, false
				}
				i++
				break scan
			case quote != 0:
				arg = append(arg, c)
			case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0:
				i++
				break scan
			case c == '"' || c == '\'':
				quote = c
			default:
				arg = append(arg, c)
			}
			i++
		}
		args = append(args, string(arg))
	}
}

// quote returns s as a double-quoted argument that splitArgs reads back as s.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c < 0x20 || c >= 0x7f {
				const hex = "0123456789abcdef"
				b.WriteString(`\x`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// isSpace reports whether c is white space as C's isspace sees it.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// unescape returns the byte a backslash followed by c stands for inside
// double quotes.
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
	default:
		return c
	}
}
