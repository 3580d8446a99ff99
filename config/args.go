package config

import (
	"strings"

	"myredis/resp"
)

// splitArgs splits one configuration line into arguments with the same
// quoting rules as Redis's inline commands: double quotes take \n \r \t
// \b \a \xHH and \<c> escapes, single quotes only \', and a closing quote
// must be followed by white space or the end of the line. ok is false for
// unbalanced quotes.
func splitArgs(line string) (args []string, ok bool) {
	split, ok := resp.SplitArgs([]byte(line))
	if !ok || len(split) == 0 {
		return nil, ok
	}
	args = make([]string, len(split))
	for i, a := range split {
		args[i] = string(a)
	}
	return args, true
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
