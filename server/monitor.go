package server

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"myredis/db"
)

// monitors is the set of sessions in MONITOR mode. Feeding them costs one
// atomic load per command while there are none. Safe for concurrent use.
type monitors struct {
	n    atomic.Int32 // len(set), read on the hot path
	mu   sync.RWMutex
	list map[*Session]struct{}
}

func (s *Server) registerMonitor() {
	s.table.Register(&db.Command{Name: "monitor", Arity: 1, Flags: db.FlagAdmin | db.FlagNoScript | db.FlagLoading | db.FlagStale,
		Group: "server", Since: "1.0.0", Summary: "Streams every command the server runs.", Run: s.monitor})
}

// monitor implements MONITOR: the session replies +OK, then receives a line
// per command run by any client. A second MONITOR is silently ignored.
func (s *Server) monitor(c *db.Ctx) {
	sess := session(c)
	if c.Client.NoBlock { // inside EXEC: the client expects one reply per command
		c.W.WriteError("ERR MONITOR isn't allowed for DENY BLOCKING client")
		return
	}
	if sess.monitoring.Load() {
		return
	}
	q := sess.ensureQueue()
	m := &s.mon
	m.mu.Lock()
	defer m.mu.Unlock()
	if c.W == sess.w {
		q.hold() // +OK goes ahead of the first line
	}
	if m.list == nil {
		m.list = make(map[*Session]struct{})
	}
	m.list[sess] = struct{}{}
	m.n.Add(1)
	sess.monitoring.Store(true)
	c.WriteOK()
}

// remove takes sess out of MONITOR mode, if it was in it.
func (m *monitors) remove(sess *Session) {
	if !sess.monitoring.Load() {
		return
	}
	m.mu.Lock()
	delete(m.list, sess)
	m.n.Add(-1)
	m.mu.Unlock()
	sess.monitoring.Store(false)
}

// feed sends the monitor line of a command sess ran in database dbIndex to
// every monitor. Commands flagged admin or skip_monitor are not shown.
func (s *Server) feedMonitors(sess *Session, cmd *db.Command, dbIndex int, args [][]byte) {
	if cmd.Flags&(db.FlagAdmin|db.FlagSkipMonitor) != 0 {
		return
	}
	s.feedMonitorLine(dbIndex, sess.addr, redacted(cmd, args))
}

// feedMonitorLine sends every monitor the line of a command run in database
// dbIndex by the client at addr.
func (s *Server) feedMonitorLine(dbIndex int, addr string, args [][]byte) {
	line := appendMonitorLine(nil, time.Now(), dbIndex, addr, args)
	m := &s.mon
	m.mu.RLock()
	defer m.mu.RUnlock()
	for mon := range m.list {
		mon.out.Load().push(line, 0)
	}
}

// appendMonitorLine appends a MONITOR line to dst:
// +<seconds>.<micros> [<db> <addr>] "arg" "arg"...
func appendMonitorLine(dst []byte, now time.Time, dbIndex int, addr string, args [][]byte) []byte {
	dst = append(dst, '+')
	dst = strconv.AppendInt(dst, now.Unix(), 10)
	dst = append(dst, '.')
	us := now.Nanosecond() / 1000
	for d := 100000; d > 1 && us < d; d /= 10 {
		dst = append(dst, '0')
	}
	dst = strconv.AppendInt(dst, int64(us), 10)
	dst = append(dst, " ["...)
	dst = strconv.AppendInt(dst, int64(dbIndex), 10)
	dst = append(dst, ' ')
	dst = append(dst, addr...)
	dst = append(dst, ']')
	for _, a := range args {
		dst = append(dst, ' ')
		dst = appendQuoted(dst, a)
	}
	return append(dst, "\r\n"...)
}

// appendQuoted appends b in double quotes with Redis's escapes: \\ \" \n
// \r \t \a \b, and \xhh for any other byte that is not printable ASCII.
func appendQuoted(dst, b []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range b {
		switch c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if c >= ' ' && c <= '~' {
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(dst, '"')
}

// noteQueued records what the server needs to know of a command queued in
// MULTI: whether it writes (for CLIENT PAUSE WRITE).
func (sess *Session) noteQueued(cmd *db.Command, args [][]byte) {
	if isWriteLike(cmd) {
		sess.multiWrites = true
	}
	if denyOOM(cmd, args) {
		sess.multiDenyOOM = true
	}
}

// trackMulti keeps CLIENT LIST's multi field and the MULTI bookkeeping true
// after each command; queued says the command was added to the queue.
func (sess *Session) trackMulti(queued bool) {
	switch {
	case !sess.InMulti():
		if sess.multiLen.Load() != -1 {
			sess.multiLen.Store(-1)
			sess.multiWrites = false
			sess.multiDenyOOM = false
		}
	case queued:
		sess.multiLen.Add(1)
	case sess.multiLen.Load() < 0:
		sess.multiLen.Store(0)
	}
}

// afterQueued is the session's Client.OnQueuedRun: EXEC calls it after each
// command of the transaction, which ran since the previous one ended (or
// EXEC began). As in Redis, MONITOR thus shows them before the EXEC line,
// and a transaction that does not run shows none.
func (sess *Session) afterQueued(cmd *db.Command, dbIndex int, args [][]byte) {
	end := time.Since(sess.readAt)
	sess.afterExec(cmd, dbIndex, args, end-sess.sinceRead, true)
	sess.sinceRead = end
}

// afterExec logs a command that ran in database dbIndex (it took took) to the
// command statistics, the slow log and the monitors: a call, failed if it
// wrote an error reply since sess.errMark, which it moves on. inTx says it
// ran inside EXEC, which still holds the transaction's locks: nothing may
// be flushed then.
func (sess *Session) afterExec(cmd *db.Command, dbIndex int, args [][]byte, took time.Duration, inTx bool) {
	srv := sess.srv
	srv.stats.Commands.Add(1)
	st := &cmd.Stats
	st.Calls.Add(1)
	st.Usec.Add(int64(took / time.Microsecond))
	if sess.errs > sess.errMark {
		st.Failed.Add(1)
		sess.errMark = sess.errs
	}
	if cmd.Flags&db.FlagSkipSlowlog == 0 && srv.slow.slow(took) {
		srv.slow.record(took, redacted(cmd, args), sess.addr, sess.clientName())
	}
	if srv.mon.n.Load() == 0 {
		return
	}
	if sess.monitoring.Load() && !inTx {
		sess.flush() // a monitor sees its own reply before its own line
	}
	srv.feedMonitors(sess, cmd, dbIndex, args)
}

// clientName returns the name set by CLIENT SETNAME or HELLO.
func (sess *Session) clientName() string {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return sess.name
}
