package server

import (
	"sync"
	"sync/atomic"
	"time"

	"myredis/db"
)

// Pause modes, ordered from least to most restrictive.
const (
	pauseOff int32 = iota
	pauseWrite
	pauseAll
)

// pauser implements CLIENT PAUSE: while a pause is on, the affected
// commands wait for it to end, and keys do not expire (see
// db.Keyspace.PauseExpiry). When no pause is on, checking costs one atomic
// load. Safe for concurrent use.
type pauser struct {
	mode atomic.Int32
	// onChange, if set, is called with true when a pause starts and false
	// when it ends, with the pauser's lock held: it must be quick and must
	// not call back into the pauser. Set it before serving.
	onChange func(paused bool)

	mu      sync.Mutex
	end     time.Time
	timer   *time.Timer
	resumed chan struct{} // closed when the current pause ends
}

// pause starts a pause of mode until end, or extends the current one: the
// mode becomes the more restrictive of the two and the end the later.
func (p *pauser) pause(mode int32, end time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode.Load() == pauseOff {
		p.resumed = make(chan struct{})
		p.end = time.Time{}
		if p.onChange != nil {
			p.onChange(true)
		}
	}
	p.mode.Store(max(p.mode.Load(), mode))
	if end.After(p.end) {
		p.end = end
		if p.timer != nil {
			p.timer.Stop()
		}
		p.timer = time.AfterFunc(time.Until(end), p.expire)
	}
}

// expire ends the pause if its end has come (a later pause may have
// extended it since the timer was set).
func (p *pauser) expire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode.Load() != pauseOff && !time.Now().Before(p.end) {
		p.unpauseLocked()
	}
}

// unpause ends the pause now (CLIENT UNPAUSE).
func (p *pauser) unpause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode.Load() != pauseOff {
		p.unpauseLocked()
	}
}

func (p *pauser) unpauseLocked() {
	p.mode.Store(pauseOff)
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	if p.onChange != nil {
		p.onChange(false)
	}
	close(p.resumed)
}

// affects reports whether the current pause holds back cmd; multiWrites
// says whether an EXEC would run writes. This is the hot-path check.
func (p *pauser) affects(cmd *db.Command, multiWrites bool) bool {
	switch p.mode.Load() {
	case pauseOff:
		return false
	case pauseWrite:
		return isWriteLike(cmd) || (cmd.Name == "exec" && multiWrites)
	}
	return true
}

// isWriteLike reports whether WRITE pauses cmd: writes and commands that
// may replicate (PUBLISH, ...).
func isWriteLike(cmd *db.Command) bool {
	return cmd.Flags&(db.FlagWrite|db.FlagMayReplicate) != 0
}

// wait blocks, without spinning, until the pause that holds back cmd ends
// or done is closed. The session flushes its replies first.
func (p *pauser) wait(sess *Session, cmd *db.Command, done <-chan struct{}) {
	for p.affects(cmd, sess.multiWrites) {
		p.mu.Lock()
		resumed := p.resumed
		p.mu.Unlock()
		sess.flush()
		select {
		case <-resumed:
		case <-done:
			return
		}
	}
}

// clientPause implements CLIENT PAUSE timeout [WRITE|ALL].
func (s *Server) clientPause(c *db.Ctx) {
	ms, ok := db.ParseInt(c.Args[2])
	if !ok {
		c.W.WriteError("ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		c.W.WriteError("ERR timeout is negative")
		return
	}
	mode := pauseAll
	if len(c.Args) == 4 {
		switch {
		case db.EqualFold(c.Args[3], "write"):
			mode = pauseWrite
		case db.EqualFold(c.Args[3], "all"):
		default:
			c.W.WriteError("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	} else if len(c.Args) > 4 {
		c.W.WriteError(db.ErrSyntax)
		return
	}
	s.pause.pause(mode, time.Now().Add(time.Duration(ms)*time.Millisecond))
	c.WriteOK()
}
