package server

import (
	"errors"
	"os"
	"time"
)

// errOutputLimit is the write error of a session closed because its
// pending output broke its client-output-buffer-limit.
var errOutputLimit = errors.New("client output buffer limit reached")

// writeSocket writes p, a whole flush of replies, to the client's socket
// on the session's goroutine, holding no lock: a client that does not read
// stalls only its own connection. It enforces the normal class's
// client-output-buffer-limit as Redis does for the replies it holds: a
// flush of at least the hard limit closes the connection unsent, and one
// that stays at or above the soft limit, unsent, for longer than the soft
// seconds closes it too. With the default (no limits) a client that never
// reads keeps its replies pending, and only its own session waits.
//
// While the write is in progress its unsent bytes show as the session's
// output memory in CLIENT LIST. Once the server is closing, a write waits
// at most until the drain deadline.
func (sess *Session) writeSocket(p []byte) (int, error) {
	lim := sess.srv.outLimits.Load().normal
	if lim.Hard > 0 && int64(len(p)) >= lim.Hard {
		sess.dropForOutputLimit()
		return 0, errOutputLimit
	}
	sess.pendingOut.Store(int64(len(p)))
	defer sess.pendingOut.Store(0)
	if lim.Soft == 0 && !sess.writeDeadline {
		// No soft limit (the default): one write, with only the drain
		// deadline Close sets on the connection.
		n, err := sess.sock.Write(p)
		sess.srv.stats.Writes.Add(1)
		sess.srv.stats.NetOutputBytes.Add(int64(n))
		return n, err
	}
	written := 0
	softSince := time.Time{}
	for {
		deadline := sess.srv.drainDeadline()
		overSoft := lim.Soft > 0 && int64(len(p)-written) >= lim.Soft
		if overSoft {
			if softSince.IsZero() {
				softSince = time.Now()
			}
			if d := softSince.Add(lim.SoftSeconds); deadline.IsZero() || d.Before(deadline) {
				deadline = d
			}
		}
		if !deadline.IsZero() || sess.writeDeadline {
			sess.conn.SetWriteDeadline(deadline)
			sess.writeDeadline = !deadline.IsZero()
		}
		n, err := sess.sock.Write(p[written:])
		sess.srv.stats.Writes.Add(1)
		written += n
		sess.pendingOut.Store(int64(len(p) - written))
		sess.srv.stats.NetOutputBytes.Add(int64(n))
		switch {
		case err == nil:
			return written, nil
		case !errors.Is(err, os.ErrDeadlineExceeded) || !overSoft || sess.srv.isClosing():
			return written, err
		case int64(len(p)-written) >= lim.Soft:
			sess.dropForOutputLimit()
			return written, errOutputLimit
		}
		softSince = time.Time{} // it fell below the soft limit meanwhile: the clock starts again
	}
}

// drainDeadline returns the time by which a closing server's sessions must
// have written their last replies, or the zero time while it serves.
func (s *Server) drainDeadline() time.Time {
	if t := s.drainBy.Load(); t != 0 {
		return time.Unix(0, t)
	}
	return time.Time{}
}
