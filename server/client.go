package server

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"myredis/db"
)

const errClientName = "ERR Client names cannot contain spaces, newlines or special characters."

// validClientName reports whether name is printable ASCII without spaces,
// as CLIENT SETNAME requires.
func validClientName(name []byte) bool {
	for _, c := range name {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}

func (s *Server) registerClient() {
	s.table.Register(&db.Command{Name: "client", Arity: -2, Group: "connection", Since: "2.4.0",
		Summary: "Inspects and controls client connections."})
	sub := func(name string, arity int, flags db.Flag, since, summary string, run func(*db.Ctx)) {
		s.table.RegisterSub("client", &db.Command{Name: name, Arity: arity, Flags: flags | db.FlagNoScript | db.FlagLoading | db.FlagStale,
			Since: since, Summary: summary, Run: run})
	}
	sub("id", 2, 0, "5.0.0", "Returns the connection's id.", func(c *db.Ctx) { c.W.WriteInt(c.Client.ID) })
	sub("getname", 2, 0, "2.6.9", "Returns the connection's name.", clientGetName)
	sub("setname", 3, 0, "2.6.9", "Sets the connection's name.", clientSetName)
	sub("setinfo", 4, 0, "7.2.0", "Records the client library's name or version.", clientSetInfo)
	sub("list", -2, db.FlagAdmin, "2.4.0", "Lists the connections.", s.clientList)
	sub("info", 2, 0, "6.2.0", "Describes this connection.", func(c *db.Ctx) {
		c.W.WriteVerbatim("txt", session(c).describe(c)+"\n")
	})
	sub("kill", -3, db.FlagAdmin, "2.4.0", "Closes connections by address, id or type.", s.clientKill)
	sub("no-evict", 3, db.FlagAdmin, "7.0.0", "Exempts the connection from client eviction.", func(c *db.Ctx) {
		if on, ok := onOff(c, 2); ok {
			session(c).noEvict.Store(on) // MyRedis never evicts clients; CLIENT LIST shows the flag
			c.WriteOK()
		}
	})
	sub("no-touch", 3, 0, "7.2.0", "Keeps this connection's reads from updating keys' access times.", func(c *db.Ctx) {
		if on, ok := onOff(c, 2); ok {
			session(c).setNoTouch(on)
			c.WriteOK()
		}
	})
	sub("unblock", -3, db.FlagAdmin, "5.0.0", "Wakes a client parked by a blocking command.", s.clientUnblock)
	sub("pause", -3, db.FlagAdmin, "2.9.50", "Holds back clients' commands (all, or writes) for a time.", s.clientPause)
	sub("unpause", 2, db.FlagAdmin, "6.2.0", "Ends a CLIENT PAUSE.", func(c *db.Ctx) {
		s.pause.unpause()
		c.WriteOK()
	})
	sub("reply", 3, 0, "3.2.0", "Turns this connection's replies on, off, or off for one command.", clientReply)
	s.registerTracking(sub)
	s.table.RegisterSub("client", db.HelpCommand("5.0.0", "Describes the CLIENT subcommands."))
}

// onOff parses args[i] as ON or OFF, writing a syntax error otherwise.
func onOff(c *db.Ctx, i int) (on, ok bool) {
	switch {
	case db.EqualFold(c.Args[i], "on"):
		return true, true
	case db.EqualFold(c.Args[i], "off"):
		return false, true
	}
	c.W.WriteError(db.ErrSyntax)
	return false, false
}

func clientGetName(c *db.Ctx) {
	sess := session(c)
	sess.mu.Lock()
	name := sess.name
	sess.mu.Unlock()
	if name == "" {
		c.W.WriteNull()
		return
	}
	c.W.WriteBulkString(name)
}

func clientSetName(c *db.Ctx) {
	if !validClientName(c.Args[2]) {
		c.W.WriteError(errClientName)
		return
	}
	sess := session(c)
	sess.mu.Lock()
	sess.name = string(c.Args[2])
	sess.mu.Unlock()
	c.WriteOK()
}

func clientSetInfo(c *db.Ctx) {
	sess := session(c)
	val := string(c.Args[3])
	if strings.ContainsAny(val, " \n\r") {
		c.W.WriteError("ERR " + string(c.Args[2]) + " cannot contain spaces, newlines or special characters.")
		return
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	switch {
	case db.EqualFold(c.Args[2], "lib-name"):
		sess.libName = val
	case db.EqualFold(c.Args[2], "lib-ver"):
		sess.libVer = val
	default:
		c.W.WriteError("ERR Unrecognized option '" + string(c.Args[2]) + "'")
		return
	}
	c.WriteOK()
}

func clientReply(c *db.Ctx) {
	sess := session(c)
	switch {
	case db.EqualFold(c.Args[2], "on"):
		sess.replyMode = replyOn
		sess.w.WriteSimple("OK") // the reply goes out even if it was off
	case db.EqualFold(c.Args[2], "off"):
		sess.replyMode = replyOff
	case db.EqualFold(c.Args[2], "skip"):
		if sess.replyMode == replyOn {
			sess.replyMode = replySkip
		}
	default:
		c.W.WriteError(db.ErrSyntax)
	}
}

// shown is the state of a session that CLIENT LIST shows other sessions.
// The session publishes it at the end of each batch of commands, before
// their replies leave, so a client that saw a reply sees its effect here.
type shown struct {
	db       atomic.Int64
	qbuf     atomic.Int64 // bytes read but not yet parsed
	rbs, rbp atomic.Int64 // read buffer size, and its peak since it last shrank
	multiMem atomic.Int64 // bytes held by the queued transaction
}

// publish updates sess.shown; only sess's goroutine calls it.
func (sess *Session) publish() {
	p := &sess.shown
	p.db.Store(int64(sess.DB))
	p.qbuf.Store(int64(sess.r.Buffered()))
	size := int64(sess.r.Size())
	if size > p.rbp.Load() || size < p.rbs.Load() {
		p.rbp.Store(size)
	}
	p.rbs.Store(size)
	p.multiMem.Store(int64(sess.Client.MultiMemory()))
}

// describe formats the session as one line of CLIENT LIST, as seen by the
// command c: a session describing itself shows its live state, including
// the arguments and the replies of the batch now running. The fields are
// Redis 7.0.15's, in its order (7.2's lib-name and lib-ver are not shown).
func (sess *Session) describe(c *db.Ctx) string {
	argvMem, obl := 0, 0
	if session(c) == sess {
		sess.publish()
		for _, a := range c.Args {
			argvMem += len(a)
		}
		obl = sess.w.Buffered()
	}
	now := time.Now()
	sess.mu.Lock()
	name, cmd, proto := sess.name, sess.lastCmd, sess.proto
	sess.mu.Unlock()
	idle := now.Sub(time.Unix(0, sess.lastActive.Load()))
	var b strings.Builder
	field := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	field("id", itoa(sess.ID))
	field("addr", sess.addr)
	field("laddr", sess.laddr)
	field("fd", strconv.Itoa(sess.fd))
	field("name", name)
	field("age", itoa(int64(now.Sub(sess.created)/time.Second)))
	field("idle", itoa(int64(idle/time.Second)))
	field("flags", sess.flags())
	field("db", itoa(sess.shown.db.Load()))
	field("sub", strconv.Itoa(int(sess.nsub.Load())))
	field("psub", strconv.Itoa(int(sess.npsub.Load())))
	field("ssub", "0")
	field("multi", itoa(sess.multiLen.Load()))
	qbuf, rbs, multiMem := sess.shown.qbuf.Load(), sess.shown.rbs.Load(), sess.shown.multiMem.Load()
	field("qbuf", itoa(qbuf))
	field("qbuf-free", itoa(rbs-qbuf))
	field("argv-mem", strconv.Itoa(argvMem))
	field("multi-mem", itoa(multiMem))
	field("rbs", itoa(rbs))
	field("rbp", itoa(sess.shown.rbp.Load()))
	omem := int(sess.pendingOut.Load()) // a flush the client is not reading
	if q := sess.out.Load(); q != nil {
		omem = q.pending()
	}
	oll := min(omem, 1)
	field("obl", strconv.Itoa(obl))
	field("oll", strconv.Itoa(oll))
	field("omem", strconv.Itoa(omem))
	field("tot-mem", itoa(rbs+multiMem+int64(argvMem+obl+omem)))
	// Redis shows w while a write handler waits for the socket: here,
	// while queued or flushed output is not written yet.
	events := "r"
	if omem > 0 {
		events = "rw"
	}
	field("events", events)
	field("cmd", cmd)
	field("user", "default") // the only user: ACLs are not implemented
	redir := int64(-1)
	if sess.TrackingFlags()&db.TrackOn != 0 {
		redir = sess.TrackingRedirect()
	}
	field("redir", itoa(redir))
	field("resp", strconv.Itoa(proto))
	return b.String()
}

// flags returns the session's CLIENT LIST flags, in Redis's order: O
// monitor, P subscriber, x in MULTI, b blocked, t tracking, R its
// redirection broken, B tracking in BCAST mode, d a watched key changed, A
// being closed, e no-evict; then T no-touch, as Redis 7.2 shows it. N when
// none applies. (Redis's other flags are for replication, unix sockets and
// cluster READONLY, which MyRedis does not have, and c and u, which no
// other client can observe here.)
func (sess *Session) flags() string {
	var f []byte
	if sess.monitoring.Load() {
		f = append(f, 'O')
	}
	if sess.subscribed() {
		f = append(f, 'P')
	}
	if sess.multiLen.Load() >= 0 {
		f = append(f, 'x')
	}
	if sess.blocked.Load() {
		f = append(f, 'b')
	}
	if tf := sess.TrackingFlags(); tf&db.TrackOn != 0 {
		f = append(f, 't')
		if tf&db.TrackBrokenRedir != 0 {
			f = append(f, 'R')
		}
		if tf&db.TrackBcast != 0 {
			f = append(f, 'B')
		}
	}
	if sess.WatchTouched() {
		f = append(f, 'd')
	}
	if sess.killed.Load() {
		f = append(f, 'A')
	}
	if sess.noEvict.Load() {
		f = append(f, 'e')
	}
	if sess.noTouch.Load() {
		f = append(f, 'T')
	}
	if len(f) == 0 {
		return "N"
	}
	return string(f)
}

// setNoTouch sets CLIENT NO-TOUCH: for the keyspace, and for CLIENT LIST
// in other sessions.
func (sess *Session) setNoTouch(on bool) {
	sess.NoTouch = on
	sess.noTouch.Store(on)
}

// clientType returns the session's class for CLIENT LIST/KILL TYPE.
func (sess *Session) clientType() string {
	if sess.subscribed() {
		return "pubsub"
	}
	return "normal"
}

// knownClientType reports whether name (any case) is a client type Redis
// knows: normal, pubsub, master, and replica or its old name slave, and
// returns it in lower case.
func knownClientType(name []byte) (string, bool) {
	typ := strings.ToLower(string(name))
	switch typ {
	case "normal", "pubsub", "master", "replica", "slave":
		return typ, true
	}
	return "", false
}

// clientList implements CLIENT LIST [TYPE type | ID id [id ...]], parsed as
// Redis parses it: TYPE comes alone; ID lists the clients in the order
// asked, repeats included, and an id that is not an integer is an error
// while one that names no client is not.
func (s *Server) clientList(c *db.Ctx) {
	var sessions []*Session
	switch {
	case len(c.Args) == 4 && db.EqualFold(c.Args[2], "type"):
		typ, ok := knownClientType(c.Args[3])
		if !ok {
			c.W.WriteError("ERR Unknown client type '" + string(c.Args[3]) + "'")
			return
		}
		for _, sess := range s.sessionsSnapshot() {
			if sess.clientType() == typ {
				sessions = append(sessions, sess)
			}
		}
	case len(c.Args) > 3 && db.EqualFold(c.Args[2], "id"):
		for _, a := range c.Args[3:] {
			id, ok := db.ParseInt(a)
			if !ok {
				c.W.WriteError("ERR Invalid client ID")
				return
			}
			s.mu.Lock()
			sess := s.sessions[id]
			s.mu.Unlock()
			if sess != nil {
				sessions = append(sessions, sess)
			}
		}
	case len(c.Args) == 2:
		sessions = s.sessionsSnapshot()
	default:
		c.W.WriteError(db.ErrSyntax)
		return
	}
	var b strings.Builder
	for _, sess := range sessions {
		b.WriteString(sess.describe(c))
		b.WriteByte('\n')
	}
	c.W.WriteVerbatim("txt", b.String())
}

// clientKill implements both forms, as Redis 7.0 does: CLIENT KILL addr,
// which may kill the caller and answers OK or "No such client"; and CLIENT
// KILL with filters (ID, ADDR, LADDR, TYPE, USER, SKIPME), read in order so
// the first bad one decides the error, answering how many clients it
// killed. MAXAGE, a Redis 7.4 filter, is accepted too.
func (s *Server) clientKill(c *db.Ctx) {
	me := session(c)
	if len(c.Args) == 3 {
		for _, sess := range s.sessionsSnapshot() {
			if sess.addr == string(c.Args[2]) {
				s.killSession(me, sess)
				c.WriteOK()
				return
			}
		}
		c.W.WriteError("ERR No such client")
		return
	}
	var filters []func(*Session) bool
	skipMe := true
	for args := c.Args[2:]; len(args) > 0; args = args[2:] {
		if len(args) < 2 { // an option without its value
			c.W.WriteError(db.ErrSyntax)
			return
		}
		val := string(args[1])
		switch {
		case db.EqualFold(args[0], "id"):
			id, ok := db.ParseInt(args[1])
			if !ok || id <= 0 {
				c.W.WriteError("ERR client-id should be greater than 0")
				return
			}
			filters = append(filters, func(sess *Session) bool { return sess.ID == id })
		case db.EqualFold(args[0], "type"):
			typ, ok := knownClientType(args[1])
			if !ok {
				c.W.WriteError("ERR Unknown client type '" + val + "'")
				return
			}
			filters = append(filters, func(sess *Session) bool { return sess.clientType() == typ })
		case db.EqualFold(args[0], "addr"):
			filters = append(filters, func(sess *Session) bool { return sess.addr == val })
		case db.EqualFold(args[0], "laddr"):
			filters = append(filters, func(sess *Session) bool { return sess.laddr == val })
		case db.EqualFold(args[0], "user"):
			if val != "default" { // the only user
				c.W.WriteError("ERR No such user '" + val + "'")
				return
			}
		case db.EqualFold(args[0], "skipme"):
			switch {
			case db.EqualFold(args[1], "yes"):
				skipMe = true
			case db.EqualFold(args[1], "no"):
				skipMe = false
			default:
				c.W.WriteError(db.ErrSyntax)
				return
			}
		case db.EqualFold(args[0], "maxage"):
			// MAXAGE came with Redis 7.4; these are its errors.
			age, ok := db.ParseInt(args[1])
			if !ok {
				c.W.WriteError("ERR maxage is not an integer or out of range")
				return
			}
			if age <= 0 {
				c.W.WriteError("ERR maxage should be greater than 0")
				return
			}
			// In whole seconds, as Redis compares: as a Duration, an age
			// past 292 years would overflow (MAXAGE 2^63-1 came out as
			// -1s and matched every client).
			filters = append(filters, func(sess *Session) bool { return int64(time.Since(sess.created)/time.Second) >= age })
		default:
			c.W.WriteError(db.ErrSyntax)
			return
		}
	}
	killed := 0
	for _, sess := range s.sessionsSnapshot() {
		if (skipMe && sess == me) || !matchesAll(sess, filters) {
			continue
		}
		s.killSession(me, sess)
		killed++
	}
	c.W.WriteInt(int64(killed))
}

// matchesAll reports whether sess passes every filter.
func matchesAll(sess *Session, filters []func(*Session) bool) bool {
	for _, f := range filters {
		if !f(sess) {
			return false
		}
	}
	return true
}

// killSession closes victim; a client that kills itself is closed after
// its reply.
func (s *Server) killSession(me, victim *Session) {
	s.stats.ClientsKilledByOp.Add(1)
	if victim == me {
		me.closeAfter = true
		return
	}
	victim.kill()
}

// clientUnblock implements CLIENT UNBLOCK id [TIMEOUT|ERROR].
func (s *Server) clientUnblock(c *db.Ctx) {
	reason := db.UnblockTimeout
	switch {
	case len(c.Args) == 3:
	case len(c.Args) == 4 && db.EqualFold(c.Args[3], "timeout"):
	case len(c.Args) == 4 && db.EqualFold(c.Args[3], "error"):
		reason = db.UnblockError
	default:
		c.W.WriteError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
		return
	}
	id, ok := db.ParseInt(c.Args[2])
	if !ok {
		c.W.WriteError(db.ErrNotInt)
		return
	}
	s.mu.Lock()
	target := s.sessions[id]
	s.mu.Unlock()
	c.WriteBool(target != nil && target.Client.Unblock(reason))
}
