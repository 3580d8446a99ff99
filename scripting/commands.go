package scripting

import (
	"strings"

	"myredis/datastruct/glob"
	"myredis/db"
)

// register adds the scripting commands to t. Their key specs, ACL
// categories and documentation come from the table's built-in specs
// (db/docs_scripting.go).
func (e *Engine) registerCommands(t *db.Table) {
	const call = db.FlagNoScript | db.FlagStale | db.FlagSkipMonitor | db.FlagNoMandatoryKeys | db.FlagTakesGate
	reg := func(name string, flags db.Flag, since, summary string, run func(*db.Ctx)) *db.Command {
		c := &db.Command{Name: name, Arity: -3, Flags: flags, Group: "scripting", Since: since, Summary: summary, Run: run}
		t.Register(c)
		return c
	}
	e.cmds.eval = reg("eval", call|db.FlagMayReplicate, "2.6.0", "Runs a Lua script.",
		func(c *db.Ctx) { e.eval(c, false, false) })
	e.cmds.evalsha = reg("evalsha", call|db.FlagMayReplicate, "2.6.0", "Runs a cached Lua script by its SHA1.",
		func(c *db.Ctx) { e.eval(c, true, false) })
	e.cmds.evalRO = reg("eval_ro", call|db.FlagReadonly, "7.0.0", "Runs a Lua script that does not write.",
		func(c *db.Ctx) { e.eval(c, false, true) })
	e.cmds.evalshaRO = reg("evalsha_ro", call|db.FlagReadonly, "7.0.0", "Runs a cached Lua script that does not write, by its SHA1.",
		func(c *db.Ctx) { e.eval(c, true, true) })
	e.cmds.fcall = reg("fcall", call|db.FlagMayReplicate, "7.0.0", "Runs a function.",
		func(c *db.Ctx) { e.fcall(c, false) })
	e.cmds.fcallRO = reg("fcall_ro", call|db.FlagReadonly, "7.0.0", "Runs a function that does not write.",
		func(c *db.Ctx) { e.fcall(c, true) })
	for _, cmd := range []*db.Command{e.cmds.eval, e.cmds.evalRO} {
		cmd.ScriptDenyOOM = e.evalDenyOOM(false)
	}
	for _, cmd := range []*db.Command{e.cmds.evalsha, e.cmds.evalshaRO} {
		cmd.ScriptDenyOOM = e.evalDenyOOM(true)
	}
	e.cmds.fcall.ScriptDenyOOM = e.fcallDenyOOM
	e.cmds.fcallRO.ScriptDenyOOM = e.fcallDenyOOM

	t.Register(&db.Command{Name: "script", Arity: -2, Group: "scripting", Since: "2.6.0",
		Summary: "A container for the script cache commands."})
	sub := func(parent, name string, arity int, flags db.Flag, since, summary string, run func(*db.Ctx)) {
		t.RegisterSub(parent, &db.Command{Name: name, Arity: arity, Flags: flags, Since: since, Summary: summary, Run: run})
	}
	sub("script", "load", 3, db.FlagNoScript|db.FlagStale, "2.6.0", "Compiles a script and caches it under its SHA1.", e.scriptLoad)
	sub("script", "exists", -3, db.FlagNoScript, "2.6.0", "Tells which SHA1s name cached scripts.", e.scriptExists)
	sub("script", "flush", -2, db.FlagNoScript, "2.6.0", "Empties the script cache.", e.scriptFlush)
	sub("script", "kill", 2, db.FlagNoScript|db.FlagAllowBusy, "2.6.0", "Stops the running script, if it has not written.",
		func(c *db.Ctx) { e.kill(c, true) })
	sub("script", "debug", 3, db.FlagNoScript, "3.2.0", "Sets the Lua debugger's mode (MyRedis has no debugger).", scriptDebug)
	t.RegisterSub("script", db.HelpCommand("5.0.0", "Describes the SCRIPT subcommands."))

	t.Register(&db.Command{Name: "function", Arity: -2, Group: "scripting", Since: "7.0.0",
		Summary: "A container for the function library commands."})
	sub("function", "load", -3, db.FlagWrite|db.FlagDenyOOM|db.FlagNoScript, "7.0.0", "Loads a library of functions.", e.functionLoad)
	sub("function", "delete", 3, db.FlagWrite|db.FlagNoScript, "7.0.0", "Deletes a library and its functions.", e.functionDelete)
	sub("function", "flush", -2, db.FlagWrite|db.FlagNoScript, "7.0.0", "Deletes every library.", e.functionFlush)
	sub("function", "list", -2, db.FlagNoScript, "7.0.0", "Lists the libraries and their functions.", e.functionList)
	sub("function", "dump", 2, db.FlagNoScript, "7.0.0", "Serialises every library into a payload.", e.functionDump)
	sub("function", "restore", -3, db.FlagWrite|db.FlagDenyOOM|db.FlagNoScript, "7.0.0",
		"Loads the libraries of a FUNCTION DUMP payload.", e.functionRestore)
	sub("function", "stats", 2, db.FlagNoScript|db.FlagAllowBusy, "7.0.0", "Describes the running function and the engines.", e.functionStats)
	sub("function", "kill", 2, db.FlagNoScript|db.FlagAllowBusy, "7.0.0", "Stops the running function, if it has not written.",
		func(c *db.Ctx) { e.kill(c, false) })
	t.RegisterSub("function", db.HelpCommand("7.0.0", "Describes the FUNCTION subcommands."))
}

const errNoScript = "NOSCRIPT No matching script. Please use EVAL."

// eval is EVAL, EVALSHA (bySHA) and their read-only forms: script|sha1
// numkeys key... arg...
func (e *Engine) eval(c *db.Ctx, bySHA, ro bool) {
	if h, ok := c.Client.Ext.(sessionHooks); ok {
		h.ScriptStarted(c.Cmd, c.Client.DB, c.Args) // MONITOR shows it before its commands
	}
	cache := e.scripts.Load()
	if bySHA && len(c.Args[1]) != 40 {
		c.W.WriteError(errNoScript)
		return
	}
	numkeys, ok := c.IntArg(2)
	if !ok {
		return
	}
	keys, argv, ok := splitKeys(c, numkeys)
	if !ok {
		return
	}
	var s *script
	if bySHA {
		if s = cache.lookup(c.Args[1]); s == nil {
			c.W.WriteError(errNoScript)
			return
		}
	} else {
		var err error
		if s, err = cache.load(c.Args[1]); err != nil {
			c.W.WriteError("ERR " + err.Error())
			return
		}
	}
	if msg := e.checkFlags(s.flags, ro); msg != "" {
		c.W.WriteError(msg)
		return
	}
	readOnly := ro || s.flags&flagCompat == 0 && s.flags&flagNoWrites != 0
	e.invoke(&callSpec{c: c, keys: keys, argv: argv, name: s.sha, isEval: true, readOnly: readOnly,
		safety: &s.safety, script: s})
}

// splitKeys splits the arguments after numkeys into keys and the rest,
// writing Redis's error when numkeys does not fit.
func splitKeys(c *db.Ctx, numkeys int64) (keys, argv [][]byte, ok bool) {
	switch {
	case numkeys > int64(len(c.Args)-3):
		c.W.WriteError("ERR Number of keys can't be greater than number of args")
		return nil, nil, false
	case numkeys < 0:
		c.W.WriteError("ERR Number of keys can't be negative")
		return nil, nil, false
	}
	return c.Args[3 : 3+numkeys], c.Args[3+numkeys:], true
}

// checkFlags applies the flags a script declared (in a shebang, or as a
// function): it returns the error that refuses to run it, or "".
func (e *Engine) checkFlags(flags scriptFlags, ro bool) string {
	if flags&flagCompat != 0 {
		return ""
	}
	if flags&flagNoCluster != 0 && e.opts.Cluster {
		return "ERR Can not run script on cluster, 'no-cluster' flag is set."
	}
	if flags&flagNoWrites == 0 {
		if e.opts.WriteErr != nil {
			if err := e.opts.WriteErr(); err != nil {
				return "MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. " +
					"Writable scripts are blocked. Use 'no-writes' flag for read only scripts. AOF error: " + err.Error()
			}
		}
		if ro {
			return "ERR Can not execute a script with write flag using *_ro command."
		}
	}
	return ""
}

// scriptLoad is SCRIPT LOAD script.
func (e *Engine) scriptLoad(c *db.Ctx) {
	s, err := e.scripts.Load().load(c.Args[2])
	if err != nil {
		c.W.WriteError("ERR " + err.Error())
		return
	}
	c.W.WriteBulkString(s.sha)
}

// scriptExists is SCRIPT EXISTS sha1...
func (e *Engine) scriptExists(c *db.Ctx) {
	cache := e.scripts.Load()
	c.W.WriteArray(len(c.Args) - 2)
	for _, sha := range c.Args[2:] {
		if cache.lookup(sha) != nil {
			c.W.WriteInt(1)
		} else {
			c.W.WriteInt(0)
		}
	}
}

// scriptFlush is SCRIPT FLUSH [ASYNC|SYNC]: a new, empty cache. Scripts
// running keep the code they run.
func (e *Engine) scriptFlush(c *db.Ctx) {
	if len(c.Args) > 3 || len(c.Args) == 3 && !db.EqualFold(c.Args[2], "sync") && !db.EqualFold(c.Args[2], "async") {
		c.W.WriteError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	for {
		old := e.scripts.Load()
		if e.scripts.CompareAndSwap(old, newScriptCache(old.gen+1)) {
			break
		}
	}
	c.WriteOK()
}

// scriptDebug is SCRIPT DEBUG YES|SYNC|NO: MyRedis has no Lua debugger,
// so only NO succeeds.
func scriptDebug(c *db.Ctx) {
	switch {
	case db.EqualFold(c.Args[2], "no"):
		c.WriteOK()
	case db.EqualFold(c.Args[2], "yes"), db.EqualFold(c.Args[2], "sync"):
		c.W.WriteError("ERR SCRIPT DEBUG is not supported: MyRedis has no Lua debugger")
	default:
		c.W.WriteError("ERR Use SCRIPT DEBUG YES/SYNC/NO")
	}
}

// kill is SCRIPT KILL (isEval) and FUNCTION KILL.
func (e *Engine) kill(c *db.Ctx, isEval bool) {
	if msg := e.killScript(isEval); msg != "" {
		c.W.WriteError(msg)
		return
	}
	c.WriteOK()
}

// writeSubcommandError writes Redis's error for a subcommand given the
// wrong arguments.
func writeSubcommandError(c *db.Ctx) {
	c.W.WriteError("ERR unknown subcommand or wrong number of arguments for '" + string(c.Args[1]) +
		"'. Try " + strings.ToUpper(c.Cmd.Parent().Name) + " HELP.")
}

// globMatch matches s against a glob pattern, ignoring case, as FUNCTION
// LIST's LIBRARYNAME does.
func globMatch(pattern, s []byte) bool { return glob.Match(pattern, s, true) }
