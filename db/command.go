package db

import (
	"slices"
	"strings"

	"myredis/datastruct/glob"
)

// registerCommand adds COMMAND and its subcommands, which describe the
// table.
func registerCommand(t *Table) {
	t.Register(&Command{Name: "command", Arity: -1, Flags: FlagLoading | FlagStale, Group: "server", Since: "2.8.13",
		Summary: "Returns details of every command.", Run: func(c *Ctx) { writeCommandInfos(c, c.ks.table.All()) }})
	sub := func(name string, arity int, summary string, run func(*Ctx)) {
		t.RegisterSub("command", &Command{Name: name, Arity: arity, Flags: FlagLoading | FlagStale, Since: "7.0.0", Summary: summary, Run: run})
	}
	sub("count", 2, "Returns the number of commands.", func(c *Ctx) { c.W.WriteInt(int64(len(c.ks.table.All()))) })
	sub("info", -2, "Returns details of the named commands.", commandInfo)
	sub("docs", -2, "Returns documentation of the named commands, or of all.", commandDocs)
	sub("list", -2, "Returns the names of the commands, optionally filtered.", commandList)
	sub("getkeys", -4, "Returns the keys of a full command line.", commandGetKeys)
	sub("help", 2, "Describes the COMMAND subcommands.", func(c *Ctx) { c.WriteHelp(c.Cmd.parent) })
}

// aclCategories derives a command's ACL categories from its group and flags.
func aclCategories(cmd *Command) []string {
	var cats []string
	if cmd.Flags&FlagWrite != 0 {
		cats = append(cats, "@write")
	}
	if cmd.Flags&FlagReadonly != 0 {
		cats = append(cats, "@read")
	}
	switch cmd.Group {
	case "generic":
		cats = append(cats, "@keyspace")
	case "server":
		cats = append(cats, "@admin", "@dangerous")
	case "transactions":
		cats = append(cats, "@transaction")
	default:
		cats = append(cats, "@"+cmd.Group)
	}
	if cmd.Flags&FlagFast != 0 {
		cats = append(cats, "@fast")
	} else {
		cats = append(cats, "@slow")
	}
	if cmd.Flags&FlagBlocking != 0 {
		cats = append(cats, "@blocking")
	}
	return cats
}

// writeCommandInfo writes one COMMAND INFO entry in Redis 7's ten-field shape.
func writeCommandInfo(c *Ctx, cmd *Command) {
	w := c.W
	w.WriteArray(10)
	w.WriteBulkString(cmd.FullName())
	w.WriteInt(int64(cmd.Arity))
	flags := cmd.Flags.Names()
	w.WriteSet(len(flags))
	for _, f := range flags {
		w.WriteSimple(f)
	}
	w.WriteInt(int64(cmd.FirstKey))
	w.WriteInt(int64(cmd.LastKey))
	w.WriteInt(int64(cmd.Step))
	cats := aclCategories(cmd)
	w.WriteSet(len(cats))
	for _, cat := range cats {
		w.WriteSimple(cat)
	}
	w.WriteArray(0) // tips
	w.WriteArray(0) // key specifications
	writeCommandInfos(c, cmd.Subcommands())
}

func writeCommandInfos(c *Ctx, cmds []*Command) {
	c.W.WriteArray(len(cmds))
	for _, cmd := range cmds {
		writeCommandInfo(c, cmd)
	}
}

// lookupNamed finds "get" or "config|get" in the table.
func lookupNamed(t *Table, name []byte) *Command {
	parent, sub, isSub := strings.Cut(string(name), "|")
	cmd := t.Get([]byte(parent))
	if cmd == nil || !isSub {
		return cmd
	}
	return cmd.subs[strings.ToLower(sub)]
}

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
		writeDoc(c, cmd)
	}
}

// writeDoc writes one command's COMMAND DOCS map: summary, since, group and
// its subcommands' docs.
func writeDoc(c *Ctx, cmd *Command) {
	subs := cmd.Subcommands()
	n := 3
	if len(subs) > 0 {
		n++
	}
	c.W.WriteMap(n)
	c.W.WriteBulkString("summary")
	c.W.WriteBulkString(cmd.Summary)
	c.W.WriteBulkString("since")
	c.W.WriteBulkString(cmd.Since)
	c.W.WriteBulkString("group")
	c.W.WriteBulkString(cmd.Group)
	if len(subs) > 0 {
		c.W.WriteBulkString("subcommands")
		c.W.WriteMap(len(subs))
		for _, s := range subs {
			c.W.WriteBulkString(s.FullName())
			writeDoc(c, s)
		}
	}
}

// commandList serves COMMAND LIST [FILTERBY MODULE m|ACLCAT c|PATTERN p].
func commandList(c *Ctx) {
	keep := func(*Command) bool { return true }
	switch {
	case len(c.Args) == 2:
	case len(c.Args) == 5 && EqualFold(c.Args[2], "filterby"):
		arg := c.Args[4]
		switch {
		case EqualFold(c.Args[3], "pattern"):
			keep = func(cmd *Command) bool { return glob.Match(arg, []byte(cmd.Name), true) }
		case EqualFold(c.Args[3], "aclcat"):
			cat := "@" + strings.ToLower(string(arg))
			keep = func(cmd *Command) bool { return slices.Contains(aclCategories(cmd), cat) }
		case EqualFold(c.Args[3], "module"):
			keep = func(*Command) bool { return false } // there are no modules
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
			names = append(names, cmd.Name)
		}
	}
	writeStrings(c, names)
}

func commandGetKeys(c *Ctx) {
	line := c.Args[2:]
	cmd, errMsg := c.ks.table.Lookup(line)
	switch {
	case cmd == nil && strings.HasPrefix(errMsg, "ERR wrong number"):
		c.W.WriteError("ERR Invalid number of arguments specified for command")
		return
	case cmd == nil:
		c.W.WriteError("ERR Invalid command specified")
		return
	}
	keys := cmd.Keys(nil, line)
	if len(keys) == 0 {
		c.W.WriteError("ERR The command has no key arguments")
		return
	}
	c.W.WriteArray(len(keys))
	for _, k := range keys {
		c.W.WriteBulk(k)
	}
}
