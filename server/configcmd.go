package server

import (
	"sync/atomic"

	"myredis/db"
)

func (s *Server) registerConfig() {
	s.table.Register(&db.Command{Name: "config", Arity: -2, Group: "server", Since: "2.0.0",
		Summary: "Reads and changes the server's configuration."})
	sub := func(name string, arity int, since, summary string, run func(*db.Ctx)) {
		s.table.RegisterSub("config", &db.Command{Name: name, Arity: arity,
			Flags: db.FlagAdmin | db.FlagNoScript | db.FlagLoading | db.FlagStale, Since: since, Summary: summary, Run: run})
	}
	sub("get", -3, "2.0.0", "Returns the values of the parameters matching the patterns.", s.configGet)
	sub("set", -4, "2.0.0", "Sets parameters at run time.", s.configSet)
	sub("resetstat", 2, "2.0.0", "Resets the statistics INFO reports.", s.configResetStat)
	sub("rewrite", 2, "2.8.0", "Rewrites the configuration file with the running configuration.", s.configRewrite)
	s.table.RegisterSub("config", db.HelpCommand("5.0.0", "Describes the CONFIG subcommands."))
}

func (s *Server) configGet(c *db.Ctx) {
	patterns := make([]string, 0, len(c.Args)-2)
	for _, a := range c.Args[2:] {
		patterns = append(patterns, string(a))
	}
	pairs := s.cfg.Get(patterns)
	c.W.WriteMap(len(pairs))
	for _, p := range pairs {
		c.W.WriteBulkString(p[0])
		c.W.WriteBulkString(p[1])
	}
}

func (s *Server) configSet(c *db.Ctx) {
	args := c.Args[2:]
	if len(args)%2 != 0 {
		c.W.WriteError(db.ErrSyntax)
		return
	}
	pairs := make([][2]string, 0, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		pairs = append(pairs, [2]string{string(args[i]), string(args[i+1])})
	}
	if err := s.cfg.Set(pairs); err != nil {
		c.W.WriteError(err.Error())
		return
	}
	c.WriteOK()
}

func (s *Server) configResetStat(c *db.Ctx) {
	st := &s.stats
	for _, n := range []*atomic.Int64{&st.Connections, &st.Commands, &st.RejectedConns, &st.NetInputBytes, &st.NetOutputBytes, &st.Reads, &st.Writes,
		&st.ErrorReplies, &st.UnexpectedErrors, &st.ProtocolErrors, &st.QueryLimitClosed, &st.TimedOutClients, &st.ClientsKilledByOp,
		&st.EvictedClients} {
		n.Store(0)
	}
	ks := s.ks.Stats()
	for _, n := range []*atomic.Int64{&ks.ExpiredKeys, &ks.EvictedKeys, &ks.KeyspaceHits, &ks.KeyspaceMisses} {
		n.Store(0)
	}
	s.ks.ResetMemPeak()
	for _, cs := range s.sortedCmdStats() {
		for _, n := range []*atomic.Int64{&cs.Calls, &cs.Usec, &cs.Rejected, &cs.Failed} {
			n.Store(0)
		}
	}
	s.errors.reset()
	c.WriteOK()
}

func (s *Server) configRewrite(c *db.Ctx) {
	if err := s.cfg.Rewrite(); err != nil {
		c.W.WriteError(err.Error())
		return
	}
	s.log.Info("configuration rewritten", "file", s.cfg.Path())
	c.WriteOK()
}
