package scripting

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"myredis/resp"
)

// scriptFlags are the flags a script declares in its shebang, or a
// function when it is registered, as Redis names them.
type scriptFlags uint8

const (
	flagNoWrites scriptFlags = 1 << iota
	flagAllowOOM
	flagAllowStale
	flagNoCluster
	flagAllowCrossSlot
	// flagCompat: an EVAL script without a shebang, which declares no
	// flags and may do anything (Redis's EVAL_COMPAT_MODE).
	flagCompat
)

// scriptFlagNames are the flags' names, in Redis's order (FUNCTION LIST
// shows them in it).
var scriptFlagNames = []struct {
	f    scriptFlags
	name string
}{
	{flagNoWrites, "no-writes"}, {flagAllowOOM, "allow-oom"}, {flagAllowStale, "allow-stale"},
	{flagNoCluster, "no-cluster"}, {flagAllowCrossSlot, "allow-cross-slot-keys"},
}

// How a script or function has behaved: whether it may run holding only
// its declared keys' shards (see run.go).
const (
	safetyUnknown int32 = iota // not run yet: runs exclusively, to learn
	safetySafe                 // stayed within its declared keys' shards
	safetyUnsafe               // reached beyond them: always exclusive
)

// A script is one cached EVAL body. Immutable but for safety.
type script struct {
	sha   string // lower-case hex SHA1 of body
	body  string
	proto *lua.FunctionProto
	flags scriptFlags
	// plainEnv: the code assigns no global, so it may read its globals
	// from the globals table itself (see assignsGlobals).
	plainEnv bool
	// bounded: the code runs a bounded number of instructions (see
	// runsBounded).
	bounded bool
	safety  atomic.Int32
}

// scriptCache maps SHA1s to scripts. Lookups share a read lock; SCRIPT
// FLUSH replaces the whole cache, and the Lua states notice its
// generation.
type scriptCache struct {
	gen   uint64
	mu    sync.RWMutex
	m     map[string]*script // by SHA1, guarded by mu
	count atomic.Int64
	bytes atomic.Int64 // bodies and SHAs
}

func newScriptCache(gen uint64) *scriptCache {
	return &scriptCache{gen: gen, m: map[string]*script{}}
}

// sha1Hex returns the lower-case hex SHA1 of b, as Redis names scripts.
func sha1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// lookup returns the script whose SHA1 is sha, in any case, or nil.
func (sc *scriptCache) lookup(sha []byte) *script {
	if len(sha) != 40 {
		return nil
	}
	sc.mu.RLock()
	s := sc.m[string(sha)] // as SCRIPT LOAD gave it, in lower case
	sc.mu.RUnlock()
	if s != nil {
		return s
	}
	var buf [40]byte
	for i, c := range sha {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	sc.mu.RLock()
	s = sc.m[string(buf[:])]
	sc.mu.RUnlock()
	return s
}

// scriptError is an error reply met while loading a script, as Redis words
// it (without the leading "ERR ", which the caller adds).
type scriptError string

func (e scriptError) Error() string { return string(e) }

// load returns the script for body, compiling and caching it if it is new.
// The error is the reply's text: a bad shebang or a compile error.
func (sc *scriptCache) load(body []byte) (*script, error) {
	sha := sha1Hex(body)
	sc.mu.RLock()
	s := sc.m[sha]
	sc.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	flags, shebangLen, err := parseShebang(body)
	if err != nil {
		return nil, err
	}
	src := string(body)
	proto, err := compile(src[shebangLen:], "user_script")
	if err != nil {
		return nil, scriptError("Error compiling script (new function): " + err.Error())
	}
	// The chunk gets no Lua 5.0 style arg table: building it is a table
	// and a map per call, for a name no script uses.
	proto.IsVarArg &^= lua.VarArgNeedsArg
	s = &script{sha: sha, body: src, proto: proto, flags: flags, plainEnv: !assignsGlobals(proto),
		bounded: runsBounded(proto)}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if old := sc.m[sha]; old != nil {
		return old, nil // loaded meanwhile by another client
	}
	sc.m[sha] = s
	sc.count.Add(1)
	sc.bytes.Add(int64(len(src) + len(sha)))
	return s, nil
}

// parseShebang reads the flags of a script that starts with "#!": the
// first line must be "#!lua" followed by options, of which only
// flags=<comma separated flags> is known. It returns the length of that
// line (without its line feed, which stays so that line numbers keep
// counting from the first line). A script without a shebang is in
// compatibility mode.
func parseShebang(body []byte) (flags scriptFlags, length int, err error) {
	if len(body) < 2 || body[0] != '#' || body[1] != '!' {
		return flagCompat, 0, nil
	}
	end := strings.IndexByte(string(body), '\n')
	if end < 0 {
		return 0, 0, scriptError("Invalid script shebang")
	}
	parts, ok := resp.SplitArgs(body[:end])
	if !ok || len(parts) == 0 {
		return 0, 0, scriptError("Invalid engine in script shebang")
	}
	if string(parts[0]) != "#!lua" {
		return 0, 0, scriptError("Unexpected engine in script shebang: " + string(parts[0]))
	}
	for _, p := range parts[1:] {
		list, found := strings.CutPrefix(string(p), "flags=")
		if !found {
			return 0, 0, scriptError("Unknown lua shebang option: " + string(p))
		}
		if list == "" {
			continue
		}
		for _, name := range strings.Split(list, ",") {
			f, ok := flagByName(name, false)
			if !ok {
				return 0, 0, scriptError("Unexpected flag in script shebang: " + name)
			}
			flags |= f
		}
	}
	return flags, end, nil
}

// flagByName returns the flag called name (ignoring case if fold, as
// redis.register_function does).
func flagByName(name string, fold bool) (scriptFlags, bool) {
	for _, fn := range scriptFlagNames {
		if name == fn.name || fold && strings.EqualFold(name, fn.name) {
			return fn.f, true
		}
	}
	return 0, false
}

// assignsGlobals reports whether the code of p, or of a function nested
// in it, assigns a global variable (Lua's SETGLOBAL instruction).
//
// Why it matters: gopher-lua has no read-only tables, so the sandbox's
// globals are read through an empty proxy (state.evalEnv, funcEnv) whose
// __newindex fails on every assignment, at the cost of a metatable lookup
// on every global read. Code without SETGLOBAL cannot assign a global but
// through _G, which stays a proxy, or rawset, which refuses the protected
// tables, so it runs with the globals table itself as its environment:
// an existing global is then a plain table read, as in Redis 7.0, and a
// missing one still reaches the table's metatable and its error. Code
// compiled at run time (loadstring, load) gets the proxy, the state's
// default environment, whoever compiles it.
func assignsGlobals(p *lua.FunctionProto) bool {
	for _, inst := range p.Code {
		if int(inst>>26) == lua.OP_SETGLOBAL { // the opcode's 6 bits
			return true
		}
	}
	for _, nested := range p.FunctionPrototypes {
		if assignsGlobals(nested) {
			return true
		}
	}
	return false
}

// compile compiles src as the chunk called chunk. Its error is worded as
// Lua 5.1's compiler words it ("user_script:1: unexpected symbol near
// '<eof>'") as closely as gopher-lua's parser allows.
func compile(src, chunk string) (*lua.FunctionProto, error) {
	stmts, err := parse.Parse(strings.NewReader(src), chunk)
	if err != nil {
		return nil, compileError(err, src, chunk)
	}
	proto, err := lua.Compile(stmts, chunk)
	if err != nil {
		return nil, compileError(err, src, chunk)
	}
	return proto, nil
}

// compileError translates gopher-lua's compile errors into Lua 5.1's form:
// "<chunk>:<line>: <message> near '<token>'".
func compileError(err error, src, chunk string) error {
	var pe *parse.Error
	var ce *lua.CompileError
	switch {
	case errors.As(err, &pe):
		msg := pe.Message
		switch msg {
		case "syntax error":
			msg = "unexpected symbol"
		case "unterminated string":
			msg = "unfinished string"
		}
		if pe.Pos.Line == parse.EOF {
			return fmt.Errorf("%s:%d: %s near '<eof>'", chunk, strings.Count(src, "\n")+1, msg)
		}
		line, token := pe.Pos.Line, pe.Token
		if msg == "unfinished string" && line > 1 {
			// gopher-lua stops past the newline that ends the string and
			// leaves the opening quote out of the token; Lua 5.1 does not.
			line--
			if q := openQuote(strings.Split(src, "\n")[line-1]); q != 0 {
				token = string(q) + token
			}
		}
		return fmt.Errorf("%s:%d: %s near '%s'", chunk, line, msg, token)
	case errors.As(err, &ce):
		line, msg := ce.Line, ce.Message
		if strings.HasPrefix(msg, "register overflow") {
			// Lua 5.1 names the token where it ran out of registers,
			// which gopher-lua does not know.
			line, msg = max(line, 1), "function or expression too complex"
		}
		return fmt.Errorf("%s:%d: %s", chunk, line, msg)
	}
	return fmt.Errorf("%s: %s", chunk, strings.TrimSpace(err.Error()))
}

// openQuote returns the quote (' or ") of the string literal left open at
// the end of line, or 0 if none is. A comment ends the scan.
func openQuote(line string) byte {
	var q byte
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case q != 0 && c == '\\':
			i++
		case q != 0 && c == q:
			q = 0
		case q == 0 && (c == '\'' || c == '"'):
			q = c
		case q == 0 && c == '-' && strings.HasPrefix(line[i:], "--"):
			return 0
		}
	}
	return q
}
