package scripting

import (
	"strings"

	"myredis/db"
)

// Scripts and maxmemory, as Redis 7.0 decides: a script that declares
// flags (a shebang, or a function) may grow memory unless it declares
// no-writes or allow-oom, and is then refused up front while memory is over
// maxmemory (Command.ScriptDenyOOM, Redis's scriptFlagsToCmdFlags); an
// EVAL script without a shebang starts, and its first command flagged
// denyoom is refused if memory was over maxmemory when the script started
// and it has not written yet (Redis's scriptVerifyOOM).

// denyOOM reports whether a script with flags may grow memory.
func denyOOM(flags scriptFlags) bool {
	return flags&flagCompat == 0 && flags&(flagNoWrites|flagAllowOOM) == 0
}

// evalDenyOOM returns the ScriptDenyOOM of EVAL (bySHA false) or EVALSHA
// and their _RO forms: the flags of the cached script, or of the body's
// shebang. An unknown SHA1 or a bad shebang gives the command's own flags
// (no denyoom), and the command's error follows.
func (e *Engine) evalDenyOOM(bySHA bool) func(args [][]byte) bool {
	return func(args [][]byte) bool {
		if len(args) < 2 {
			return false
		}
		if bySHA {
			s := e.scripts.Load().lookup(args[1])
			return s != nil && denyOOM(s.flags)
		}
		flags, _, err := parseShebang(args[1])
		return err == nil && denyOOM(flags)
	}
}

// fcallDenyOOM is FCALL's and FCALL_RO's ScriptDenyOOM: the function's
// flags.
func (e *Engine) fcallDenyOOM(args [][]byte) bool {
	if len(args) < 2 {
		return false
	}
	f := e.libs.Load().funcs[strings.ToLower(string(args[1]))]
	return f != nil && denyOOM(f.flags)
}

// oomRefusal returns the error that refuses cmd called by a script without
// a shebang, or "": see above. The caller's Client.OverMemory says whether
// memory was over maxmemory when the script started.
func (r *run) oomRefusal(cmd *db.Command) string {
	if !r.compat || r.written.Load() || cmd.Flags&db.FlagDenyOOM == 0 || !r.caller.OverMemory {
		return ""
	}
	return "-" + db.ErrOOM
}
