package server

import (
	"time"

	"myredis/db"
)

// Scripts is what the server needs of the scripting engine (package
// scripting, which my_redis attaches with SetScripts).
type Scripts interface {
	// Busy returns the BUSY error reply for commands refused while a
	// script runs past busy-reply-threshold, "" when none does. It is
	// asked before every command not flagged allow_busy, before the
	// command takes any lock.
	Busy() string
	// Abort stops the scripts running past the threshold, and any that
	// does later: the server is shutting down.
	Abort()
	// Info returns INFO's scripting memory figures by Redis's field names.
	Info() map[string]int64
}

// SetScripts attaches the scripting engine; call before Serve.
func (s *Server) SetScripts(sc Scripts) { s.scripts = sc }

// busyRefusal returns the BUSY error that refuses cmd, or "".
func (s *Server) busyRefusal(cmd *db.Command) string {
	if s.scripts == nil || cmd.Flags&db.FlagAllowBusy != 0 {
		return ""
	}
	return s.scripts.Busy()
}

// The session tells the commands a script runs to the statistics, the
// slow log and MONITOR as Redis tells its script client's: these methods
// make Session implement the scripting engine's session hooks. They are
// called on the session's goroutine while the script holds its locks, so
// they only record, in memory.

// luaAddr is what MONITOR shows as the address of a script's commands, and
// the slow log as their client's, as Redis shows its script client.
const (
	luaMonitorAddr = "lua"
	luaSlowlogAddr = "?:0"
)

// ScriptStarted shows the EVAL or FCALL that starts to MONITOR, before the
// commands the script runs (the command itself is skip_monitor).
func (sess *Session) ScriptStarted(cmd *db.Command, dbIndex int, args [][]byte) {
	srv := sess.srv
	if srv.mon.n.Load() == 0 {
		return
	}
	srv.feedMonitorLine(dbIndex, sess.addr, redacted(cmd, args))
}

// ScriptCalled counts a command the script ran in database dbIndex (after
// it ran): a call, failed if errMsg is set, or a rejected call (cmd may
// then be nil: unknown); the error counts in the error statistics; the
// command goes to the slow log and MONITOR as the script client's.
func (sess *Session) ScriptCalled(cmd *db.Command, dbIndex int, args [][]byte, took time.Duration, errMsg string, rejected bool) {
	srv := sess.srv
	if errMsg != "" {
		srv.stats.ErrorReplies.Add(1)
		srv.errors.add(errMsg)
		sess.errMark++ // not the caller's own error: it does not fail the script's command
		sess.errs++
	}
	if cmd == nil {
		return
	}
	if rejected {
		cmd.Stats.Rejected.Add(1)
		return
	}
	srv.stats.Commands.Add(1)
	cmd.Stats.Calls.Add(1)
	cmd.Stats.Usec.Add(int64(took / time.Microsecond))
	if errMsg != "" {
		cmd.Stats.Failed.Add(1)
	}
	if cmd.Flags&db.FlagSkipSlowlog == 0 && srv.slow.slow(took) {
		srv.slow.record(took, redacted(cmd, args), luaSlowlogAddr, "")
	}
	if srv.mon.n.Load() > 0 && cmd.Flags&(db.FlagAdmin|db.FlagSkipMonitor) == 0 {
		srv.feedMonitorLine(dbIndex, luaMonitorAddr, redacted(cmd, args))
	}
}

// ScriptFailedQuietly counts a failed call of cmd, the script's command,
// for an error reply not counted again: it was counted when the command
// the script called gave it. As in Redis, a reply holding such an error
// and a counted one counts two failures.
func (sess *Session) ScriptFailedQuietly(cmd *db.Command) { cmd.Stats.Failed.Add(1) }
