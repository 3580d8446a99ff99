package server

import (
	"strconv"

	"myredis/db"
	"myredis/resp"
)

// Client-side caching: CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO,
// and the delivery of the keyspace's invalidations (db/tracking.go keeps
// the table). An invalidation reaches a RESP3 client as an `invalidate`
// push on its own connection, or goes to the connection its client
// redirects to: a push there if that one speaks RESP3, a message on
// __redis__:invalidate if it speaks RESP2 and is subscribed to anything,
// nothing otherwise, as in Redis. Pushes to another session go through
// its output queue (a tracking RESP3 session gets one when it turns
// tracking on or switches to RESP3), never to a socket under a lock.

// The errors of CLIENT TRACKING and CACHING, worded as Redis 7.0 words them.
const (
	errTrackingOneRedirect = "ERR A client can only redirect to a single other client"
	errTrackingNoRedirect  = "ERR The client ID you want redirect to does not exist"
	errTrackingPrefix      = "ERR PREFIX option requires BCAST mode to be enabled"
	errTrackingBcastSwitch = "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."
	errTrackingBcastOpt    = "ERR OPTIN and OPTOUT are not compatible with BCAST"
	errTrackingBothOpt     = "ERR You can't specify both OPTIN mode and OPTOUT mode"
	errTrackingOptSwitch   = "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."
	errCachingOff          = "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"
	errCachingYes          = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
	errCachingNo           = "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."
)

// invalidateChannel is where a RESP2 redirection client gets invalidations.
const invalidateChannel = "__redis__:invalidate"

func (s *Server) registerTracking(sub func(name string, arity int, flags db.Flag, since, summary string, run func(*db.Ctx))) {
	sub("tracking", -3, 0, "6.0.0", "Turns server-assisted client-side caching on or off for the connection.", s.clientTracking)
	sub("caching", 3, 0, "6.0.0", "Says whether the next command's reads are tracked (OPTIN, OPTOUT).", clientCaching)
	sub("getredir", 2, 0, "6.0.0", "Returns the client id invalidations are redirected to.", func(c *db.Ctx) {
		if c.Client.TrackingFlags()&db.TrackOn == 0 {
			c.W.WriteInt(-1)
			return
		}
		c.W.WriteInt(c.Client.TrackingRedirect())
	})
	sub("trackinginfo", 2, 0, "6.2.0", "Describes the connection's client-side caching settings.", clientTrackingInfo)
}

// clientTracking implements CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p]…
// [BCAST] [OPTIN] [OPTOUT] [NOLOOP], checking the options in Redis's order.
func (s *Server) clientTracking(c *db.Ctx) {
	var redirect int64
	var mode db.TrackFlag
	var prefixes [][]byte
	args := c.Args
	for j := 3; j < len(args); j++ {
		more := j < len(args)-1
		switch a := args[j]; {
		case db.EqualFold(a, "redirect") && more:
			j++
			if redirect != 0 {
				c.W.WriteError(errTrackingOneRedirect)
				return
			}
			id, ok := db.ParseInt(args[j])
			if !ok {
				c.W.WriteError(db.ErrNotInt)
				return
			}
			if s.sessionByID(id) == nil {
				c.W.WriteError(errTrackingNoRedirect)
				return
			}
			redirect = id
		case db.EqualFold(a, "bcast"):
			mode |= db.TrackBcast
		case db.EqualFold(a, "optin"):
			mode |= db.TrackOptin
		case db.EqualFold(a, "optout"):
			mode |= db.TrackOptout
		case db.EqualFold(a, "noloop"):
			mode |= db.TrackNoloop
		case db.EqualFold(a, "prefix") && more:
			j++
			prefixes = append(prefixes, args[j])
		default:
			c.W.WriteError(db.ErrSyntax)
			return
		}
	}
	sess := session(c)
	switch {
	case db.EqualFold(args[2], "on"):
		if msg := trackingRefusal(&sess.Client, mode, prefixes); msg != "" {
			c.W.WriteError(msg)
			return
		}
		strs := make([]string, len(prefixes))
		for i, p := range prefixes {
			strs[i] = string(p)
		}
		if sess.resp3.Load() {
			sess.ensureQueue() // pushes from other sessions' writes
		}
		s.ks.EnableTracking(&sess.Client, redirect, mode, strs)
	case db.EqualFold(args[2], "off"):
		s.ks.DisableTracking(&sess.Client)
	default:
		c.W.WriteError(db.ErrSyntax)
		return
	}
	c.WriteOK()
}

// trackingRefusal returns the error that refuses CLIENT TRACKING ON with
// these options for cl, or "".
func trackingRefusal(cl *db.Client, mode db.TrackFlag, prefixes [][]byte) string {
	cur := cl.TrackingFlags()
	switch {
	case mode&db.TrackBcast == 0 && len(prefixes) > 0:
		return errTrackingPrefix
	case cur&db.TrackOn != 0 && cur&db.TrackBcast != mode&db.TrackBcast:
		return errTrackingBcastSwitch
	case mode&db.TrackBcast != 0 && mode&(db.TrackOptin|db.TrackOptout) != 0:
		return errTrackingBcastOpt
	case mode&db.TrackOptin != 0 && mode&db.TrackOptout != 0:
		return errTrackingBothOpt
	case mode&db.TrackOptin != 0 && cur&db.TrackOptout != 0, mode&db.TrackOptout != 0 && cur&db.TrackOptin != 0:
		return errTrackingOptSwitch
	}
	if mode&db.TrackBcast != 0 {
		if p, other, existing, ok := cl.PrefixOverlap(prefixes); ok {
			with := "another provided"
			if existing {
				with = "an existing"
			}
			return "ERR Prefix '" + p + "' overlaps with " + with + " prefix '" + other + "'. Prefixes for a single client must not overlap."
		}
	}
	return ""
}

func clientCaching(c *db.Ctx) {
	f := c.Client.TrackingFlags()
	switch {
	case f&db.TrackOn == 0:
		c.W.WriteError(errCachingOff)
	case db.EqualFold(c.Args[2], "yes"):
		if f&db.TrackOptin == 0 {
			c.W.WriteError(errCachingYes)
			return
		}
		c.Client.SetTrackingCaching(true)
		c.WriteOK()
	case db.EqualFold(c.Args[2], "no"):
		if f&db.TrackOptout == 0 {
			c.W.WriteError(errCachingNo)
			return
		}
		c.Client.SetTrackingCaching(true)
		c.WriteOK()
	default:
		c.W.WriteError(db.ErrSyntax)
	}
}

// clientTrackingInfo implements CLIENT TRACKINGINFO: flags (a set),
// redirect and prefixes.
func clientTrackingInfo(c *db.Ctx) {
	f := c.Client.TrackingFlags()
	flags := []string{"off"}
	if f&db.TrackOn != 0 {
		flags[0] = "on"
	}
	add := func(flag db.TrackFlag, name string) {
		if f&flag != 0 {
			flags = append(flags, name)
		}
	}
	add(db.TrackBcast, "bcast")
	if f&db.TrackOptin != 0 {
		add(db.TrackOptin, "optin")
		add(db.TrackCaching, "caching-yes")
	}
	if f&db.TrackOptout != 0 {
		add(db.TrackOptout, "optout")
		add(db.TrackCaching, "caching-no")
	}
	add(db.TrackNoloop, "noloop")
	add(db.TrackBrokenRedir, "broken_redirect")
	w := c.W
	w.WriteMap(3)
	w.WriteBulkString("flags")
	w.WriteSet(len(flags))
	for _, name := range flags {
		w.WriteBulkString(name)
	}
	w.WriteBulkString("redirect")
	if f&db.TrackOn == 0 {
		w.WriteInt(-1)
	} else {
		w.WriteInt(c.Client.TrackingRedirect())
	}
	w.WriteBulkString("prefixes")
	prefixes := c.Client.TrackingPrefixes()
	w.WriteArray(len(prefixes))
	for _, p := range prefixes {
		w.WriteBulkString(p)
	}
}

// sessionByID returns the connected session with that id, or nil.
func (s *Server) sessionByID(id int64) *Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[id]
}

// invalidate delivers the keyspace's invalidations (the db.OnInvalidate
// hook). from is the client whose command caused them, on whose goroutine
// this runs with no lock held: its own invalidations follow its reply in
// its reply stream, as Redis sends them after the command's reply; the
// others go to their sessions' output queues.
func (s *Server) invalidate(from *db.Client, invs []db.Invalidation) {
	var me *Session
	if from != nil {
		me, _ = from.Ext.(*Session)
	}
	var frame []byte
	for _, inv := range invs {
		src, ok := inv.Target.Ext.(*Session)
		if !ok || inv.Target.TrackingFlags()&db.TrackOn == 0 {
			continue
		}
		dst := src
		id := inv.Target.TrackingRedirect()
		if id != 0 {
			if dst = s.sessionByID(id); dst == nil {
				inv.Target.MarkTrackingBroken()
				if src.resp3.Load() {
					frame = appendPushHeader(frame[:0], 2)
					frame = resp.AppendBulk(frame, []byte("tracking-redir-broken"))
					frame = strconv.AppendInt(append(frame, ':'), id, 10)
					frame = append(frame, '\r', '\n')
					s.pushTo(src, me, frame)
				}
				continue
			}
		}
		switch {
		case dst.resp3.Load():
			frame = appendPushHeader(frame[:0], 2)
			frame = resp.AppendBulk(frame, []byte("invalidate"))
		case id != 0 && dst.subscribed():
			frame = resp.AppendArrayHeader(frame[:0], 3)
			frame = resp.AppendBulk(frame, []byte("message"))
			frame = resp.AppendBulk(frame, []byte(invalidateChannel))
		default:
			continue // a RESP2 client without redirection: nothing can be sent
		}
		frame = appendInvalidated(frame, inv.Keys, src.resp3.Load())
		s.pushTo(dst, me, frame)
	}
}

// appendPushHeader appends a RESP3 push header of n elements.
func appendPushHeader(dst []byte, n int) []byte {
	start := len(dst)
	dst = resp.AppendArrayHeader(dst, n)
	dst[start] = '>'
	return dst
}

// appendInvalidated appends the payload of an invalidation: the keys, or
// for a flush a null in the tracking client's protocol, as Redis sends it.
func appendInvalidated(dst []byte, keys [][]byte, resp3 bool) []byte {
	if keys == nil {
		if resp3 {
			return append(dst, "_\r\n"...)
		}
		return append(dst, "$-1\r\n"...)
	}
	dst = resp.AppendArrayHeader(dst, len(keys))
	for _, k := range keys {
		dst = resp.AppendBulk(dst, k)
	}
	return dst
}

// pushTo sends frame to dst: into its reply stream when dst is me, the
// session running on this goroutine, otherwise into its output queue (a
// session without one, which no RESP3 tracking or subscribed session is,
// gets nothing). The frame is copied.
func (s *Server) pushTo(dst, me *Session, frame []byte) {
	if dst == me {
		me.w.WriteRaw(frame)
		return
	}
	if q := dst.out.Load(); q != nil {
		q.push(frame, 0)
	}
}

// holdForTrackedRead is the session's db.Client.OnTrackedRead: while the
// reply of a tracked read waits in the session's buffer, invalidations
// pushed by other sessions wait behind it in the output queue.
func (sess *Session) holdForTrackedRead() {
	if q := sess.out.Load(); q != nil {
		q.hold()
	}
}

// isClientCommand reports whether cmd is CLIENT or one of its
// subcommands, after which a CLIENT CACHING mark still holds.
func isClientCommand(cmd *db.Command) bool {
	if cmd == nil {
		return false
	}
	if p := cmd.Parent(); p != nil {
		cmd = p
	}
	return cmd.Name == "client"
}
