package server

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"myredis/db"
)

// Limits of what a slow log entry keeps of a command line, as in Redis.
const (
	slowlogMaxArgs    = 32
	slowlogMaxArgSize = 128
)

// slowlog keeps the most recent commands that ran longer than
// slowlog-log-slower-than, at most slowlog-max-len of them. Both settings
// are read live. Safe for concurrent use.
type slowlog struct {
	slowerThan atomic.Int64 // microseconds; negative: off
	maxLen     atomic.Int64

	mu      sync.Mutex
	nextID  int64
	entries []slowEntry // oldest first
}

// slowEntry is one logged command.
type slowEntry struct {
	id       int64
	at       int64 // unix seconds
	duration int64 // microseconds
	args     [][]byte
	addr     string
	name     string
}

// slow reports whether a command that took d belongs in the log.
func (l *slowlog) slow(d time.Duration) bool {
	limit := l.slowerThan.Load()
	return limit >= 0 && int64(d/time.Microsecond) >= limit
}

// record logs a command that took d. args are copied (truncated as Redis
// truncates them).
func (l *slowlog) record(d time.Duration, args [][]byte, addr, name string) {
	e := slowEntry{at: time.Now().Unix(), duration: int64(d / time.Microsecond), args: slowlogArgs(args), addr: addr, name: name}
	l.mu.Lock()
	defer l.mu.Unlock()
	e.id = l.nextID
	l.nextID++
	l.entries = append(l.entries, e)
	l.trimLocked()
}

// trimLocked drops the oldest entries beyond slowlog-max-len.
func (l *slowlog) trimLocked() {
	max := int(l.maxLen.Load())
	if extra := len(l.entries) - max; extra > 0 {
		n := copy(l.entries, l.entries[extra:])
		clear(l.entries[n:])
		l.entries = l.entries[:n]
	}
}

// slowlogArgs copies args, keeping at most 32 of them (the last saying how
// many more there were) and at most 128 bytes of each.
func slowlogArgs(args [][]byte) [][]byte {
	n := min(len(args), slowlogMaxArgs)
	out := make([][]byte, n)
	for i := range n {
		if i == slowlogMaxArgs-1 && len(args) > slowlogMaxArgs {
			out[i] = []byte("... (" + strconv.Itoa(len(args)-slowlogMaxArgs+1) + " more arguments)")
			break
		}
		a := args[i]
		if len(a) > slowlogMaxArgSize {
			out[i] = append(a[:slowlogMaxArgSize:slowlogMaxArgSize], "... ("+strconv.Itoa(len(a)-slowlogMaxArgSize)+" more bytes)"...)
		} else {
			out[i] = append([]byte(nil), a...)
		}
	}
	return out
}

func (s *Server) registerSlowlog() {
	s.table.Register(&db.Command{Name: "slowlog", Arity: -2, Group: "server", Since: "2.2.12",
		Summary: "Reads or resets the log of slow commands."})
	sub := func(name string, arity int, summary string, run func(*db.Ctx)) {
		s.table.RegisterSub("slowlog", &db.Command{Name: name, Arity: arity, Flags: db.FlagAdmin | db.FlagLoading | db.FlagStale,
			Since: "2.2.12", Summary: summary, Run: run})
	}
	sub("get", -2, "Returns the newest entries of the slow log (10 by default, -1 for all).", s.slowlogGet)
	sub("len", 2, "Returns the number of entries in the slow log.", func(c *db.Ctx) {
		s.slow.mu.Lock()
		n := len(s.slow.entries)
		s.slow.mu.Unlock()
		c.W.WriteInt(int64(n))
	})
	sub("reset", 2, "Empties the slow log.", func(c *db.Ctx) {
		s.slow.mu.Lock()
		s.slow.entries = nil
		s.slow.mu.Unlock()
		c.WriteOK()
	})
	s.table.RegisterSub("slowlog", db.HelpCommand("6.2.0", "Describes the SLOWLOG subcommands."))
}

func (s *Server) slowlogGet(c *db.Ctx) {
	count := int64(10)
	switch len(c.Args) {
	case 2:
	case 3:
		n, ok := db.ParseInt(c.Args[2])
		if !ok || n < -1 {
			c.W.WriteError("ERR count should be greater than or equal to -1")
			return
		}
		count = n
	default:
		writeSubcommandError(c)
		return
	}
	l := &s.slow
	l.mu.Lock()
	defer l.mu.Unlock()
	if count < 0 || count > int64(len(l.entries)) {
		count = int64(len(l.entries))
	}
	w := c.W
	w.WriteArray(int(count))
	for i := len(l.entries) - 1; i >= len(l.entries)-int(count); i-- {
		e := &l.entries[i]
		w.WriteArray(6)
		w.WriteInt(e.id)
		w.WriteInt(e.at)
		w.WriteInt(e.duration)
		w.WriteArray(len(e.args))
		for _, a := range e.args {
			w.WriteBulk(a)
		}
		w.WriteBulkString(e.addr)
		w.WriteBulkString(e.name)
	}
}
