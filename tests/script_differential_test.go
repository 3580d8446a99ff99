package tests

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDifferentialScripts is TestDifferential (same seeds, environment and
// lengths) with about half the commands run inside EVAL: the generator's
// command goes through redis.call or redis.pcall, its keys declared in
// KEYS, or passed in ARGV, or written into the script's text (undeclared,
// as scripts that build key names do), and now and then after
// redis.setresp(3). Each reply is compared as the command's own would be
// (diffNormalize of the wrapped command).
func TestDifferentialScripts(t *testing.T) { runDifferential(t, true) }

// The two bodies of wrapped commands whose words travel as arguments.
// ARGV[1] spells, one letter per word of the command, where the word is:
// 'k' the next of KEYS, 'a' the next of ARGV (from ARGV[2]). ARGV[2] is a
// flag: "3" calls redis.setresp(3) first.
const (
	diffScriptCall = `if ARGV[2] == '3' then redis.setresp(3) end
local words, k, a = {}, 0, 2
for i = 1, #ARGV[1] do
  if ARGV[1]:sub(i, i) == 'k' then k = k + 1; words[i] = KEYS[k] else a = a + 1; words[i] = ARGV[a] end
end
return redis.call(unpack(words))`
	diffScriptPcall = `if ARGV[2] == '3' then redis.setresp(3) end
local words, k, a = {}, 0, 2
for i = 1, #ARGV[1] do
  if ARGV[1]:sub(i, i) == 'k' then k = k + 1; words[i] = KEYS[k] else a = a + 1; words[i] = ARGV[a] end
end
return redis.pcall(unpack(words))`
)

// diffScriptLiteral marks the third form, a script that holds the command
// in its text: "<call> ... -- <marker>", with the command's words also
// passed in ARGV (which the script ignores) so that scriptInner can read
// them back.
const diffScriptLiteral = "-- the command, literally"

// scriptable reports whether cmd may be wrapped in a script: not the
// commands whose replies the test checks by other means (random picks,
// SCAN cursors, SORT's errno, DBSIZE's scan first: see diffCheckers).
func scriptable(cmd []string) bool {
	_, checked := diffCheckers[strings.ToUpper(cmd[0])]
	return !checked
}

// diffKeyName matches the names of the generator's keys (s0 and s1 are
// the stream family's, diffgen_stream_test.go).
var diffKeyName = regexp.MustCompile(`^(k[0-9]|lex[1-3]|s[01])$`)

// wrapInScript returns an EVAL that runs cmd, in one of three forms, with
// redis.call or redis.pcall:
//   - keys declared: the generic body, cmd's keys in KEYS, its other words in ARGV;
//   - keys undeclared: the generic body, every word in ARGV;
//   - literal: a script whose text holds every word of cmd, no KEYS.
func (g *cmdGen) wrapInScript(cmd []string) []string {
	call := g.pick("redis.call", "redis.pcall", "redis.pcall")
	// Lua 5.1 refuses a call of more than about 250 arguments ("function
	// or expression too complex"), which gopher-lua words differently:
	// long commands are never written literally.
	if g.one(4) && len(cmd) <= 200 {
		words := make([]string, len(cmd))
		for i, w := range cmd {
			words[i] = luaQuote(w)
		}
		body := fmt.Sprintf("return %s(%s) %s", call, strings.Join(words, ", "), diffScriptLiteral)
		return append([]string{"EVAL", body, "0"}, cmd...)
	}
	body := diffScriptPcall
	if call == "redis.call" {
		body = diffScriptCall
	}
	declare := !g.one(4)
	var spell strings.Builder
	var keys, args []string
	for i, w := range cmd {
		if declare && i > 0 && diffKeyName.MatchString(w) {
			spell.WriteByte('k')
			keys = append(keys, w)
		} else {
			spell.WriteByte('a')
			args = append(args, w)
		}
	}
	// After setresp(3) a map reply becomes a Lua table, whose order is
	// the VM's own: the maps of LCS IDX, XINFO and XREAD[GROUP] are left
	// in RESP2 (HGETALL's pairs the test sorts).
	resp := "2"
	if g.one(4) && !slices.ContainsFunc([]string{"LCS", "XINFO", "XREAD", "XREADGROUP"}, func(c string) bool {
		return strings.EqualFold(cmd[0], c)
	}) {
		resp = "3"
	}
	out := []string{"EVAL", body, fmt.Sprint(len(keys))}
	out = append(out, keys...)
	out = append(out, spell.String(), resp)
	return append(out, args...)
}

// scriptInner returns the command a wrapInScript EVAL runs, or cmd itself
// when cmd is not one.
func scriptInner(cmd []string) []string {
	if len(cmd) < 3 || cmd[0] != "EVAL" {
		return cmd
	}
	if strings.HasSuffix(cmd[1], diffScriptLiteral) && cmd[2] == "0" && len(cmd) > 3 {
		return cmd[3:]
	}
	if cmd[1] != diffScriptCall && cmd[1] != diffScriptPcall {
		return cmd
	}
	var nkeys int
	if _, err := fmt.Sscan(cmd[2], &nkeys); err != nil || len(cmd) < 5+nkeys {
		return cmd
	}
	keys, spell, args := cmd[3:3+nkeys], cmd[3+nkeys], cmd[5+nkeys:]
	var inner []string
	for _, c := range spell {
		if c == 'k' && len(keys) > 0 {
			inner, keys = append(inner, keys[0]), keys[1:]
		} else if c == 'a' && len(args) > 0 {
			inner, args = append(inner, args[0]), args[1:]
		}
	}
	if len(inner) == 0 {
		return cmd
	}
	return inner
}

// luaQuote returns s as a Lua string literal: printable ASCII as is, every
// other byte (and the quote and backslash) as a three-digit decimal escape.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= ' ' && c <= '~' && c != '\'' && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// TestScriptInner checks that every form wrapInScript makes reads back as
// the command it wraps, so that its reply is normalized as that command's.
func TestScriptInner(t *testing.T) {
	g := &cmdGen{rng: rand.New(rand.NewPCG(1, 2))}
	cmds := [][]string{
		{"SET", "k1", "v", "EX", "100"},
		{"GET", "k9"},
		{"ZRANGE", "lex1", "[a", "+", "BYLEX"},
		{"MGET", "k1", "k2", "k1"},
		{"DBSIZE"},
		{"APPEND", "k0", "\x00\xff\r\n'\\"},
	}
	for _, cmd := range cmds {
		for range 50 {
			wrapped := g.wrapInScript(cmd)
			if got := scriptInner(wrapped); !slices.Equal(got, cmd) {
				t.Fatalf("scriptInner(%q) = %q, want %q", wrapped, got, cmd)
			}
		}
	}
	if got := scriptInner([]string{"EVAL", "return 1", "0"}); got[1] != "return 1" {
		t.Fatalf("an EVAL of the stream's own is its own command: got %q", got)
	}
}
