package db

import (
	"strconv"
	"strings"
	"time"
)

// registerServer adds the commands that act on whole databases: PING,
// ECHO, SELECT, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL, TIME and LASTSAVE.
// COMMAND is in command.go.
func registerServer(t *Table) {
	conn := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "connection", Since: since, Summary: summary, Run: run})
	}
	conn("ping", -1, FlagFast, "1.0.0", "Returns PONG, or the argument given.", ping)
	conn("echo", 2, FlagLoading|FlagStale|FlagFast, "1.0.0", "Returns its argument.", func(c *Ctx) { c.W.WriteBulk(c.Args[1]) })
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
	c.ks.invalidateAll(c.Client.sink())
	c.DB.keys.ClearLocked()
	c.DB.mem.Store(0)
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
		d.mem.Store(0)
	}
	c.ks.invalidateAll(c.Client.sink())
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
	da.mem.Store(db.mem.Swap(da.mem.Load()))
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
