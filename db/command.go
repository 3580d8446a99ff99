package db

import (
	"strings"

	"myredis/datastruct/glob"
	"myredis/resp"
)

// registerCommand adds COMMAND and its subcommands, which describe the
// table: COMMAND [INFO], COUNT, LIST, DOCS, GETKEYS and GETKEYSANDFLAGS.
func registerCommand(t *Table) {
	t.Register(&Command{Name: "command", Arity: -1, Flags: FlagLoading | FlagStale, Group: "server", Since: "2.8.13",
		Summary: "Returns details of every command.", Run: func(c *Ctx) { writeCommandInfos(c, c.ks.table.All()) }})
	sub := func(name string, arity int, since, summary string, run func(*Ctx)) {
		t.RegisterSub("command", &Command{Name: name, Arity: arity, Flags: FlagLoading | FlagStale, Since: since, Summary: summary, Run: run})
	}
	sub("count", 2, "2.8.13", "Returns the number of commands.", func(c *Ctx) { c.W.WriteInt(int64(len(c.ks.table.All()))) })
	sub("info", -2, "2.8.13", "Returns details of the named commands.", commandInfo)
	sub("docs", -2, "7.0.0", "Returns documentation of the named commands, or of all.", commandDocs)
	sub("list", -2, "7.0.0", "Returns the names of the commands, optionally filtered.", commandList)
	sub("getkeys", -4, "2.8.13", "Returns the keys of a full command line.", func(c *Ctx) { getKeys(c, false) })
	sub("getkeysandflags", -4, "7.0.0", "Returns the keys of a full command line and what the command does with each.",
		func(c *Ctx) { getKeys(c, true) })
	t.RegisterSub("command", HelpCommand("5.0.0", "Describes the COMMAND subcommands."))
}

// HelpCommand returns the HELP subcommand of a container command, which
// lists the container's subcommands with their summaries.
func HelpCommand(since, summary string) *Command {
	return &Command{Name: "help", Arity: 2, Flags: FlagLoading | FlagStale, Since: since, Summary: summary,
		Run: func(c *Ctx) { c.WriteHelp(c.Cmd.Parent()) }}
}

// writeStatusSet writes names as a set of simple strings, the shape of
// every list of flags in COMMAND's replies.
func writeStatusSet(w *resp.Writer, names []string) {
	w.WriteSet(len(names))
	for _, n := range names {
		w.WriteSimple(n)
	}
}

// writeCommandInfo writes one COMMAND INFO entry in Redis 7's ten-field
// shape: name, arity, flags, first key, last key, step, ACL categories,
// tips, key specs and subcommands.
func writeCommandInfo(c *Ctx, cmd *Command) {
	w := c.W
	w.WriteArray(10)
	w.WriteBulkString(cmd.FullName())
	w.WriteInt(int64(cmd.Arity))
	writeStatusSet(w, cmd.Flags.Names())
	w.WriteInt(int64(cmd.FirstKey))
	w.WriteInt(int64(cmd.LastKey))
	w.WriteInt(int64(cmd.Step))
	writeStatusSet(w, cmd.ACL.Names())
	w.WriteSet(len(cmd.Tips))
	for _, tip := range cmd.Tips {
		w.WriteBulkString(tip)
	}
	writeKeySpecs(w, cmd.KeySpecs)
	if subs := cmd.Subcommands(); len(subs) > 0 {
		writeCommandInfos(c, subs)
	} else {
		w.WriteSet(0)
	}
}

func writeCommandInfos(c *Ctx, cmds []*Command) {
	c.W.WriteArray(len(cmds))
	for _, cmd := range cmds {
		writeCommandInfo(c, cmd)
	}
}

// writeKeySpecs writes the key specs of COMMAND INFO: a map per spec with
// its notes (if any), flags, begin_search and find_keys, each of the last
// two a map of the type and its parameters.
func writeKeySpecs(w *resp.Writer, specs []KeySpec) {
	w.WriteSet(len(specs))
	for _, s := range specs {
		if s.Notes != "" {
			w.WriteMap(4)
			w.WriteBulkString("notes")
			w.WriteBulkString(s.Notes)
		} else {
			w.WriteMap(3)
		}
		w.WriteBulkString("flags")
		writeStatusSet(w, s.Flags.Names())
		w.WriteBulkString("begin_search")
		w.WriteMap(2)
		w.WriteBulkString("type")
		switch b := s.BeginSearch; b.Kind {
		case BeginIndex:
			w.WriteBulkString("index")
			w.WriteBulkString("spec")
			w.WriteMap(1)
			w.WriteBulkString("index")
			w.WriteInt(int64(b.Pos))
		case BeginKeyword:
			w.WriteBulkString("keyword")
			w.WriteBulkString("spec")
			w.WriteMap(2)
			w.WriteBulkString("keyword")
			w.WriteBulkString(b.Keyword)
			w.WriteBulkString("startfrom")
			w.WriteInt(int64(b.StartFrom))
		default:
			w.WriteBulkString("unknown")
			w.WriteBulkString("spec")
			w.WriteMap(0)
		}
		w.WriteBulkString("find_keys")
		w.WriteMap(2)
		w.WriteBulkString("type")
		switch f := s.FindKeys; f.Kind {
		case FindRange:
			w.WriteBulkString("range")
			w.WriteBulkString("spec")
			w.WriteMap(3)
			w.WriteBulkString("lastkey")
			w.WriteInt(int64(f.LastKey))
			w.WriteBulkString("keystep")
			w.WriteInt(int64(f.KeyStep))
			w.WriteBulkString("limit")
			w.WriteInt(int64(f.Limit))
		case FindKeyNum:
			w.WriteBulkString("keynum")
			w.WriteBulkString("spec")
			w.WriteMap(3)
			w.WriteBulkString("keynumidx")
			w.WriteInt(int64(f.KeyNumIdx))
			w.WriteBulkString("firstkey")
			w.WriteInt(int64(f.FirstKey))
			w.WriteBulkString("keystep")
			w.WriteInt(int64(f.KeyStep))
		default:
			w.WriteBulkString("unknown")
			w.WriteBulkString("spec")
			w.WriteMap(0)
		}
	}
}

// lookupNamed finds a command by the name COMMAND INFO and DOCS take:
// "get", or "config|get" for a subcommand (any case). A name with more
// than one '|', or a subcommand name for a command without subcommands,
// finds nothing.
func lookupNamed(t *Table, name []byte) *Command {
	parent, sub, isSub := strings.Cut(string(name), "|")
	cmd := t.Get([]byte(parent))
	if cmd == nil || !isSub {
		return cmd
	}
	return cmd.subs[strings.ToLower(sub)]
}

// commandInfo serves COMMAND INFO [name ...]: every command, or one entry
// per name given (null for an unknown one).
func commandInfo(c *Ctx) {
	if len(c.Args) == 2 {
		writeCommandInfos(c, c.ks.table.All())
		return
	}
	c.W.WriteArray(len(c.Args) - 2)
	for _, name := range c.Args[2:] {
		if cmd := lookupNamed(c.ks.table, name); cmd != nil {
			writeCommandInfo(c, cmd)
		} else {
			c.W.WriteNull()
		}
	}
}

// commandDocs serves COMMAND DOCS [name ...]: a map from each known name
// (every command when none is given) to its documentation; unknown names
// are left out.
func commandDocs(c *Ctx) {
	var cmds []*Command
	if len(c.Args) == 2 {
		cmds = c.ks.table.All()
	} else {
		for _, name := range c.Args[2:] {
			if cmd := lookupNamed(c.ks.table, name); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.W.WriteMap(len(cmds))
	for _, cmd := range cmds {
		c.W.WriteBulkString(cmd.FullName())
		writeDocs(c, cmd)
	}
}

// commandList serves COMMAND LIST [FILTERBY MODULE m|ACLCAT c|PATTERN p]:
// the full names of every command and subcommand that passes the filter.
// There are no modules, so MODULE passes nothing; neither does an unknown
// ACL category. PATTERN matches full names ("config|get"), ignoring case.
func commandList(c *Ctx) {
	keep := func(*Command) bool { return true }
	switch {
	case len(c.Args) == 2:
	case len(c.Args) == 5 && EqualFold(c.Args[2], "filterby"):
		arg := c.Args[4]
		switch {
		case EqualFold(c.Args[3], "module"):
			keep = func(*Command) bool { return false }
		case EqualFold(c.Args[3], "aclcat"):
			cat := ACLCategoryByName(arg)
			keep = func(cmd *Command) bool { return cmd.ACL&cat != 0 }
		case EqualFold(c.Args[3], "pattern"):
			keep = func(cmd *Command) bool { return glob.Match(arg, []byte(cmd.FullName()), true) }
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	default:
		c.W.WriteError(ErrSyntax)
		return
	}
	var names []string
	for _, cmd := range c.ks.table.All() {
		if keep(cmd) {
			names = append(names, cmd.FullName())
		}
		for _, s := range cmd.Subcommands() {
			if keep(s) {
				names = append(names, s.FullName())
			}
		}
	}
	writeStrings(c, names)
}

// getKeys serves COMMAND GETKEYS and, withFlags, GETKEYSANDFLAGS: the keys
// of the command line that follows, found as the command itself finds
// them, each with its flags for GETKEYSANDFLAGS.
func getKeys(c *Ctx, withFlags bool) {
	line := c.Args[2:]
	cmd := c.ks.table.find(line)
	switch {
	case cmd == nil:
		c.W.WriteError("ERR Invalid command specified")
		return
	case !cmd.HasKeys():
		c.W.WriteError("ERR The command has no key arguments")
		return
	case !arityOK(cmd.Arity, len(line)):
		c.W.WriteError("ERR Invalid number of arguments specified for command")
		return
	}
	refs := cmd.KeyRefs(nil, line)
	if len(refs) == 0 {
		if cmd.Flags&FlagNoMandatoryKeys != 0 {
			c.W.WriteArray(0)
		} else {
			c.W.WriteError("ERR Invalid arguments specified for command")
		}
		return
	}
	c.W.WriteArray(len(refs))
	for _, r := range refs {
		if withFlags {
			c.W.WriteArray(2)
			c.W.WriteBulk(line[r.Pos])
			writeStatusSet(c.W, r.Flags.Names())
		} else {
			c.W.WriteBulk(line[r.Pos])
		}
	}
}
