package server

import (
	"myredis/db"
)

// Persistence is what the server needs from the append-only file. The
// server holds every reply until the writes it reveals are in the log
// (WaitDurable), so one fsync answers every connection waiting at that
// moment. Its methods are safe for concurrent use; the AOF behind it may be
// turned on and off while the server runs.
type Persistence interface {
	// WaitDurable blocks until every write up to the one with stamp (see
	// db.Keyspace.OnWrite) is as durable as the fsync policy promises, or
	// returns why it cannot be.
	WaitDurable(stamp uint64) error
	// Err returns the current write error; while it is non-nil, writes
	// are refused.
	Err() error
	// Rewrite starts a background rewrite (BGREWRITEAOF); its error text
	// follows "ERR " in the reply.
	Rewrite() error
	// Info returns the INFO persistence fields, or none while the AOF is
	// off.
	Info() [][2]string
}

// SetPersistence attaches the append-only file's owner; call before Serve.
func (s *Server) SetPersistence(p Persistence) { s.persist = p }

// SetLoading marks whether the dataset is still being loaded: meanwhile
// commands that need it get -LOADING, as do CONFIG SET appendonly and dir,
// as in Redis.
func (s *Server) SetLoading(on bool) {
	s.loading.Store(on)
	s.cfg.SetLoading(on)
}

// waitDurable holds the session's pending replies until the writes they
// reveal, the session's own and other clients' (db.Client.Observed), are
// durable: a reply never shows what a crash could take back. It is called
// before anything goes to the socket, with no lock held.
func (sess *Session) waitDurable() error {
	stamp := sess.Client.Observed
	if stamp == 0 || sess.srv.persist == nil {
		return nil
	}
	sess.Client.Observed = 0
	return sess.srv.persist.WaitDurable(stamp)
}

func (s *Server) registerPersistence() {
	s.table.Register(&db.Command{Name: "bgrewriteaof", Arity: 1, Flags: db.FlagAdmin | db.FlagNoScript | db.FlagNoAsyncLoading,
		Group: "server", Since: "1.0.0", Summary: "Rewrites the append-only file in the background.", Run: s.bgrewriteaof})
}

func (s *Server) bgrewriteaof(c *db.Ctx) {
	if s.persist == nil {
		c.W.WriteError("ERR Background append only file rewriting is disabled: appendonly is off")
		return
	}
	if err := s.persist.Rewrite(); err != nil {
		c.W.WriteError("ERR " + err.Error())
		return
	}
	c.W.WriteSimple("Background append only file rewriting started")
}
