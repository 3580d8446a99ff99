// Package glob matches byte strings against Redis-style glob patterns, as
// used by KEYS, SCAN MATCH, CONFIG GET and PSUBSCRIBE.
//
// A pattern may contain:
//
//   - any run of bytes, including none
//     ?       exactly one byte
//     [abc]   one byte of the set; [^abc] one byte not in it; [a-z] a range
//     (whose ends may be in either order, and whose end may be ']')
//     \x      the byte x itself
//
// As in Redis, the empty string matches only the empty pattern: not even
// "*" (KEYS * and SCAN MATCH * list an empty key because they do not run
// the matcher for "*").
//
// Matching runs in time proportional to len(pattern)*len(s) at worst: a
// later star replaces the backtrack point of an earlier one, so there is no
// exponential blow-up on patterns such as "*a*a*a*a*b".
package glob

// Match reports whether s matches pattern. With nocase, ASCII letters match
// regardless of case.
func Match(pattern, s []byte, nocase bool) bool {
	if len(s) == 0 {
		return len(pattern) == 0
	}
	p, i := 0, 0
	starP, starI := -1, 0 // where to resume after the last star
	for i < len(s) {
		if p < len(pattern) {
			switch pattern[p] {
			case '*':
				for p < len(pattern) && pattern[p] == '*' {
					p++
				}
				if p == len(pattern) {
					return true
				}
				starP, starI = p, i
				continue
			case '?':
				p++
				i++
				continue
			case '[':
				if next, ok := matchClass(pattern, p, s[i], nocase); ok {
					p = next
					i++
					continue
				}
			default:
				c := pattern[p]
				next := p + 1
				if c == '\\' && p+1 < len(pattern) {
					c = pattern[p+1]
					next = p + 2
				}
				if equal(c, s[i], nocase) {
					p = next
					i++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last star swallow one more byte and try again.
		starI++
		p, i = starP, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// matchClass matches c against the class starting at pattern[p] == '['. It
// returns the index after the class and whether c is in it. An unterminated
// class runs to the end of the pattern, as in Redis.
func matchClass(pattern []byte, p int, c byte, nocase bool) (int, bool) {
	p++
	negate := p < len(pattern) && pattern[p] == '^'
	if negate {
		p++
	}
	found := false
	for p < len(pattern) && pattern[p] != ']' {
		switch {
		case pattern[p] == '\\' && p+1 < len(pattern):
			p++
			found = found || equal(pattern[p], c, nocase)
		case p+2 < len(pattern) && pattern[p+1] == '-':
			lo, hi := pattern[p], pattern[p+2]
			if lo > hi {
				lo, hi = hi, lo
			}
			found = found || inRange(c, lo, hi, nocase)
			p += 2
		default:
			found = found || equal(pattern[p], c, nocase)
		}
		p++
	}
	if p < len(pattern) {
		p++ // the closing ']'
	}
	return p, found != negate
}

func inRange(c, lo, hi byte, nocase bool) bool {
	if nocase {
		c, lo, hi = lower(c), lower(lo), lower(hi)
	}
	return c >= lo && c <= hi
}

func equal(a, b byte, nocase bool) bool {
	return a == b || nocase && lower(a) == lower(b)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
