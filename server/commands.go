package server

import (
	"crypto/subtle"
	"strconv"
	"time"

	"myredis/db"
)

// Version is the Redis version MyRedis reports, the one whose behaviour it
// follows.
const Version = "7.0.15"

// registerCommands adds the commands that need the session or the server.
func (s *Server) registerCommands() {
	t := s.table
	reg := func(group string, name string, arity int, flags db.Flag, since, summary string, run func(*db.Ctx)) {
		t.Register(&db.Command{Name: name, Arity: arity, Flags: flags, Group: group, Since: since, Summary: summary, Run: run})
	}
	connFlags := db.FlagNoScript | db.FlagLoading | db.FlagStale | db.FlagFast | db.FlagNoAuth | db.FlagAllowBusy
	reg("connection", "hello", -1, connFlags, "6.0.0", "Handshakes with the server: protocol version, authentication, name.", s.hello)
	reg("connection", "auth", -2, connFlags, "1.0.0", "Authenticates the connection.", s.auth)
	reg("connection", "quit", -1, connFlags|db.FlagRunsInMulti, "1.0.0", "Closes the connection after replying.", quit)
	reg("connection", "reset", 1, connFlags|db.FlagRunsInMulti, "6.2.0", "Resets the connection to its initial state.", s.reset)
	reg("server", "info", -1, db.FlagLoading|db.FlagStale, "1.0.0", "Returns information and statistics about the server.", s.info)
	reg("server", "shutdown", -1, db.FlagAdmin|db.FlagNoScript|db.FlagLoading|db.FlagStale|db.FlagNoMulti|db.FlagAllowBusy, "1.0.0", "Stops the server.", s.shutdown)
	s.registerClient()
	s.registerConfig()
	s.registerPubsub()
	s.registerMonitor()
	s.registerSlowlog()
	s.registerMemory()
}

// session returns the Session behind a command's context.
func session(c *db.Ctx) *Session { return c.Client.Ext.(*Session) }

func quit(c *db.Ctx) {
	c.WriteOK()
	session(c).closeAfter = true
}

// checkPassword compares in constant time.
func checkPassword(got []byte, want string) bool {
	return subtle.ConstantTimeCompare(got, []byte(want)) == 1
}

const errWrongPass = "WRONGPASS invalid username-password pair or user is disabled."

// authenticate checks a username (nil for the legacy form) and password
// against requirepass, writing the error if they do not match.
func (s *Server) authenticate(c *db.Ctx, user, pass []byte) bool {
	want := *s.requirePass.Load()
	if (user == nil || string(user) == "default") && (want == "" || checkPassword(pass, want)) {
		session(c).authenticated = true
		return true
	}
	c.W.WriteError(errWrongPass)
	return false
}

func (s *Server) auth(c *db.Ctx) {
	switch len(c.Args) {
	case 2:
		if *s.requirePass.Load() == "" {
			c.W.WriteError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
			return
		}
		if s.authenticate(c, nil, c.Args[1]) {
			c.WriteOK()
		}
	case 3:
		if s.authenticate(c, c.Args[1], c.Args[2]) {
			c.WriteOK()
		}
	default:
		c.W.WriteError(db.ErrSyntax)
	}
}

// hello implements HELLO [protover [AUTH user pass] [SETNAME name]].
func (s *Server) hello(c *db.Ctx) {
	sess := session(c)
	proto := sess.w.Protocol()
	args := c.Args[1:]
	if len(args) > 0 {
		v, ok := db.ParseInt(args[0])
		if !ok {
			c.W.WriteError("ERR Protocol version is not an integer or out of range")
			return
		}
		if v != 2 && v != 3 {
			c.W.WriteError("NOPROTO unsupported protocol version")
			return
		}
		proto = int(v)
		args = args[1:]
	}
	var name []byte
	for len(args) > 0 {
		switch {
		case db.EqualFold(args[0], "auth") && len(args) >= 3:
			if !s.authenticate(c, args[1], args[2]) {
				return
			}
			args = args[3:]
		case db.EqualFold(args[0], "setname") && len(args) >= 2:
			if !validClientName(args[1]) {
				c.W.WriteError(errClientName)
				return
			}
			name = args[1]
			args = args[2:]
		default:
			c.W.WriteError("ERR Syntax error in HELLO option '" + string(args[0]) + "'")
			return
		}
	}
	if !sess.authenticated {
		c.W.WriteError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if name != nil {
		sess.mu.Lock()
		sess.name = string(name)
		sess.mu.Unlock()
	}
	sess.setProto(proto)
	w := c.W
	w.SetProtocol(proto)
	w.WriteMap(7)
	w.WriteBulkString("server")
	w.WriteBulkString("redis")
	w.WriteBulkString("version")
	w.WriteBulkString(Version)
	w.WriteBulkString("proto")
	w.WriteInt(int64(proto))
	w.WriteBulkString("id")
	w.WriteInt(sess.ID)
	w.WriteBulkString("mode")
	w.WriteBulkString("standalone")
	w.WriteBulkString("role")
	w.WriteBulkString("master")
	w.WriteBulkString("modules")
	w.WriteArray(0)
}

// reset implements RESET: the connection returns to its state at connect,
// as Redis 7.0's RESET leaves it: not in MULTI and watching nothing, no
// subscriptions, not a monitor, database 0, RESP2, no name, replies on, and
// authenticated only if no password is required. Two things stay, as in
// Redis: CLIENT NO-EVICT (Redis 7.0 keeps it; 7.2 clears it), and the
// library name and version of CLIENT SETINFO. CLIENT NO-TOUCH, a Redis 7.2
// command, ends as 7.2's RESET ends it. RESET's own reply is sent even if
// replies were off, and skipped under CLIENT REPLY SKIP, which applies to
// this very command, as in Redis.
func (s *Server) reset(c *db.Ctx) {
	sess := session(c)
	s.ks.Discard(&sess.Client)
	s.ks.DisableTracking(&sess.Client)
	s.ps.removeAll(sess)
	s.mon.remove(sess)
	sess.DB = 0
	sess.setNoTouch(false)
	w := c.W
	if sess.replyMode == replyOff {
		w = sess.w
	}
	sess.replyMode = replyOn
	sess.authenticated = *s.requirePass.Load() == ""
	sess.mu.Lock()
	sess.name = ""
	sess.mu.Unlock()
	sess.setProto(2)
	w.SetProtocol(2)
	w.WriteSimple("RESET")
}

// shutdown implements SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: there
// is no snapshot to save, so the options are checked and the server stops;
// while a script is busy, only with NOSAVE.
func (s *Server) shutdown(c *db.Ctx) {
	nosave := false
	for _, a := range c.Args[1:] {
		switch {
		case db.EqualFold(a, "nosave"):
			nosave = true
		case db.EqualFold(a, "save"), db.EqualFold(a, "now"), db.EqualFold(a, "force"):
		case db.EqualFold(a, "abort"):
			c.W.WriteError("ERR No shutdown in progress.")
			return
		default:
			c.W.WriteError(db.ErrSyntax)
			return
		}
	}
	if s.scripts != nil && !nosave {
		// As in Redis, only SHUTDOWN NOSAVE stops a server whose script
		// is busy (Close then stops the script).
		if busy := s.scripts.Busy(); busy != "" {
			c.W.WriteError(busy)
			return
		}
	}
	s.log.Info("shutdown requested by client", "client", session(c).addr)
	session(c).closeAfter = true
	go s.Close()
}

// uptime returns how long the server has run.
func (s *Server) uptime() time.Duration { return time.Since(s.start) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
