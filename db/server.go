package db

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"myredis/datastruct/glob"
)

// registerServer adds the commands that act on whole databases or on the
// table itself: PING, ECHO, SELECT, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL, TIME,
// LASTSAVE and COMMAND.
func registerServer(t *Table) {
	conn := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "connection", Since: since, Summary: summary, Run: run})
	}
	conn("ping", -1, FlagFast, "1.0.0", "Returns PONG, or the argument given.", ping)
	conn("echo", 2, FlagFast, "1.0.0", "Returns its argument.", func(c *Ctx) { c.W.WriteBulk(c.Args[1]) })
	conn("select", 2, FlagLoading|FlagStale|FlagFast, "1.0.0", "Changes the selected database of the connection.", selectDB)

	srv := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "server", Since: since, Summary: summary, Run: run})
	}
	srv("dbsize", 1, FlagReadonly|FlagFast, "1.0.0", "Returns the number of keys in the selected database.", func(c *Ctx) { c.W.WriteInt(int64(c.DB.Len())) })
	srv("flushdb", -1, FlagWrite|FlagOwnLocks, "1.0.0", "Removes every key of the selected database.", flushdb)
	srv("flushall", -1, FlagWrite|FlagOwnLocks, "1.0.0", "Removes every key of every database.", flushall)
	srv("swapdb", 3, FlagWrite|FlagFast|FlagOwnLocks, "4.0.0", "Exchanges the contents of two databases.", swapdb)
	srv("time", 1, FlagLoading|FlagStale|FlagFast, "2.6.0", "Returns the server time as seconds and microseconds.", serverTime)
	srv("lastsave", 1, FlagLoading|FlagStale|FlagFast, "1.0.0", "Returns the unix time of the last successful save.", func(c *Ctx) { c.W.WriteInt(c.ks.start.Unix()) })

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

func ping(c *Ctx) {
	switch len(c.Args) {
	case 1:
		c.W.WriteSimple("PONG")
	case 2:
		c.W.WriteBulk(c.Args[1])
	default:
		c.W.WriteError("ERR wrong number of arguments for 'ping' command")
	}
}

func selectDB(c *Ctx) {
	n, ok := c.IntArg(1)
	if !ok {
		return
	}
	if n < 0 || n >= int64(len(c.ks.dbs)) {
		c.W.WriteError(ErrDBIndex)
		return
	}
	c.Client.DB = int(n)
	c.WriteOK()
}

// flushMode checks FLUSHDB/FLUSHALL's optional ASYNC|SYNC argument. Both
// modes free the memory now: dropping the tables is already cheap.
func flushMode(c *Ctx) bool {
	if len(c.Args) == 1 || len(c.Args) == 2 && (EqualFold(c.Args[1], "async") || EqualFold(c.Args[1], "sync")) {
		return true
	}
	c.W.WriteError(ErrSyntax)
	return false
}

func flushdb(c *Ctx) {
	if !flushMode(c) {
		return
	}
	unlock := lockAll(c.DB)
	defer unlock()
	c.ks.touchWatchedIn(c.DB, nil)
	c.DB.keys.ClearLocked()
	c.PropagateAs([]byte("FLUSHDB"))
	c.WriteOK()
}

func flushall(c *Ctx) {
	if !flushMode(c) {
		return
	}
	unlock := lockAll(c.ks.dbs...)
	defer unlock()
	for _, d := range c.ks.dbs {
		c.ks.touchWatchedIn(d, nil)
		d.keys.ClearLocked()
	}
	c.PropagateAs([]byte("FLUSHALL"))
	c.WriteOK()
}

func swapdb(c *Ctx) {
	a, okA := ParseInt(c.Args[1])
	b, okB := ParseInt(c.Args[2])
	switch n := int64(len(c.ks.dbs)); {
	case !okA:
		c.W.WriteError("ERR invalid first DB index")
	case !okB:
		c.W.WriteError("ERR invalid second DB index")
	case a < 0 || a >= n || b < 0 || b >= n:
		c.W.WriteError(ErrDBIndex)
	default:
		if a != b {
			swapDBs(c, c.ks.dbs[min(a, b)], c.ks.dbs[max(a, b)])
		}
		c.WriteOK()
	}
}

// swapDBs exchanges the contents of da and db (da first in lock order).
// Clients blocked in either stay with their database number, as in Redis,
// and are woken where a key they wait on now holds a list or sorted set.
func swapDBs(c *Ctx, da, db *DB) {
	unlock := lockAll(da, db)
	defer unlock()
	c.ks.touchWatchedIn(da, db)
	c.ks.touchWatchedIn(db, da)
	da.keys.SwapLocked(db.keys)
	c.ks.signalBlockedKeysLocked(da)
	c.ks.signalBlockedKeysLocked(db)
	c.PropagateAs(c.Args...)
}

func serverTime(c *Ctx) {
	now := time.Now()
	var buf [20]byte
	c.W.WriteArray(2)
	c.W.WriteBulk(strconv.AppendInt(buf[:0], now.Unix(), 10))
	c.W.WriteBulk(strconv.AppendInt(buf[:0], int64(now.Nanosecond()/1000), 10))
}

// WriteHelp writes the reply of cmd's HELP subcommand: a line per
// subcommand with its summary.
func (c *Ctx) WriteHelp(cmd *Command) {
	subs := cmd.Subcommands()
	c.W.WriteArray(len(subs) + 1)
	c.W.WriteSimple(strings.ToUpper(cmd.Name) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, s := range subs {
		c.W.WriteSimple(strings.ToUpper(s.Name) + ": " + s.Summary)
	}
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
