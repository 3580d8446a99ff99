package scripting

import (
	"regexp"
	"strings"
)

// gopher-lua's words for a runtime error in an operation, after the position
// ("user_script:1: ").
var (
	arithError  = regexp.MustCompile(`cannot perform (?:add|sub|mul|div|mod|pow|unm) operation between (\w+) and (\w+)$`)
	concatError = regexp.MustCompile(`cannot perform concat operation between (\w+) and (\w+)$`)
	indexError  = regexp.MustCompile(`attempt to index a non-table object\((\w+)\) with key '.*'$`)
)

// lua51Message rewords the errors gopher-lua's VM raises for operations on
// values of the wrong type as Lua 5.1 words them ("attempt to perform
// arithmetic on a table value"). Lua 5.1 also names the variable when it
// knows it ("local 't'"); gopher-lua does not record it, so the message is
// Lua's nameless form. For arithmetic, Lua reports the first operand that
// is not a number or a numeric string: which string converts is not known
// here, so a string operand is reported unless the other is a number.
func lua51Message(msg string) string {
	if !strings.Contains(msg, "cannot perform") && !strings.Contains(msg, "non-table object") {
		return msg
	}
	if m := arithError.FindStringSubmatchIndex(msg); m != nil {
		bad := msg[m[2]:m[3]]
		if bad == "number" {
			bad = msg[m[4]:m[5]]
		}
		return msg[:m[0]] + "attempt to perform arithmetic on a " + bad + " value"
	}
	if m := concatError.FindStringSubmatchIndex(msg); m != nil {
		bad := msg[m[2]:m[3]]
		if bad == "string" || bad == "number" {
			bad = msg[m[4]:m[5]]
		}
		return msg[:m[0]] + "attempt to concatenate a " + bad + " value"
	}
	if m := indexError.FindStringSubmatchIndex(msg); m != nil {
		return msg[:m[0]] + "attempt to index a " + msg[m[2]:m[3]] + " value"
	}
	return msg
}
