package server

import "strings"

// Accessors the cluster router needs from a session. Like every Session
// method reached through an Executor, they are called on the connection's
// own goroutine.

// Protocol returns the RESP version the client speaks (2 or 3).
func (sess *Session) Protocol() int { return sess.w.Protocol() }

// HasNamePrefix reports whether the client's name (CLIENT SETNAME) starts
// with prefix.
func (sess *Session) HasNamePrefix(prefix string) bool {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return strings.HasPrefix(sess.name, prefix)
}

// Discard drops the session's transaction and watched keys (the cluster
// router ran the transaction elsewhere, or refused it).
func (sess *Session) Discard() { sess.srv.ks.Discard(&sess.Client) }

// Watching reports whether the session watches keys here.
func (sess *Session) Watching() bool { return sess.Client.Watching() }

// OnClose registers fn to run when the connection ends (the cluster router
// closes the peer connection it pinned to the session).
func (sess *Session) OnClose(fn func()) { sess.onClose = append(sess.onClose, fn) }
