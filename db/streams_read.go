package db

import (
	"bytes"
	"math"
	"time"

	"myredis/datastruct/stream"
	"myredis/resp"
)

// Error replies of XREAD and XREADGROUP, in Redis's words.
const (
	errXReadUnbalanced = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
	errXReadGroupOpt   = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
	errXReadNoAck      = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
	errXReadMissGroup  = "ERR Missing GROUP option for XREADGROUP"
	errXReadDollar     = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
	errXReadGT         = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
	errTimeoutNotInt   = "ERR timeout is not an integer or out of range"
	errNoGroupBlocked  = "NOGROUP the consumer group this client was blocked on no longer exists"
)

// xreadBlockedCount is the COUNT of a blocked XREAD that gave none, as in
// Redis: a low ID must not make the reply huge.
const xreadBlockedCount = 1000

// xreadState is what a blocked XREAD remembers between its runs: the IDs
// it waits past, "$" resolved when it first ran.
type xreadState struct {
	ids   []stream.ID
	group bool // XREADGROUP: fails when a stream it waits on goes (see valueGone)
}

// xreadArgs are the parsed arguments of XREAD and XREADGROUP.
type xreadArgs struct {
	count        int64
	block        bool
	timeout      time.Duration
	streamsAt    int // index of the first key
	n            int // number of streams
	group, cons  []byte
	noAck        bool
	streams      []xreadStream // one per key, once resolved
	blockedAgain bool          // the client ran this before and blocked
}

// xreadStream is one stream an XREAD or XREADGROUP names.
type xreadStream struct {
	s       *streamValue  // nil when missing, or not served
	g       *stream.Group // XREADGROUP's group
	id      stream.ID     // read past it; stream.MaxID stands for ">"
	newOnly bool          // the ID was ">"
	history bool          // a group read of the consumer's pending entries
}

// parseXRead reads XREAD's or XREADGROUP's options, as Redis's
// xreadCommand does, writing the error and returning false when they are
// wrong.
func (c *Ctx) parseXRead(readGroup bool) (a xreadArgs, ok bool) {
	for i := 1; i < len(c.Args); i++ {
		more := len(c.Args) - i - 1
		o := c.Args[i]
		switch {
		case EqualFold(o, "block") && more > 0:
			if c.Client.atomic != nil {
				c.W.WriteError("ERR " + string(c.Args[0]) + " command is not allowed with BLOCK option from scripts")
				return a, false
			}
			i++
			ms, ok := ParseInt(c.Args[i])
			switch {
			case !ok:
				c.W.WriteError(errTimeoutNotInt)
				return a, false
			case ms < 0:
				c.W.WriteError("ERR timeout is negative")
				return a, false
			}
			a.block, a.timeout = true, time.Duration(min(ms, maxTimeoutMillis))*time.Millisecond
			if ms > math.MaxInt64-c.Now {
				// Redis 7.0 adds the time to the timeout unchecked: the
				// deadline wraps into the past and a wait ends at once.
				a.timeout = time.Nanosecond
			}
		case EqualFold(o, "count") && more > 0:
			i++
			n, ok := c.IntArg(i)
			if !ok {
				return a, false
			}
			a.count = max(n, 0)
		case EqualFold(o, "streams") && more > 0:
			a.streamsAt = i + 1
			if (len(c.Args)-a.streamsAt)%2 != 0 {
				c.W.WriteError(errXReadUnbalanced)
				return a, false
			}
			a.n = (len(c.Args) - a.streamsAt) / 2
			i = len(c.Args)
		case EqualFold(o, "group") && more >= 2:
			if !readGroup {
				c.W.WriteError(errXReadGroupOpt)
				return a, false
			}
			a.group, a.cons = c.Args[i+1], c.Args[i+2]
			i += 2
		case EqualFold(o, "noack"):
			if !readGroup {
				c.W.WriteError(errXReadNoAck)
				return a, false
			}
			a.noAck = true
		default:
			c.W.WriteError(ErrSyntax)
			return a, false
		}
	}
	if a.streamsAt == 0 {
		c.W.WriteError(ErrSyntax)
		return a, false
	}
	if readGroup && a.group == nil {
		c.W.WriteError(errXReadMissGroup)
		return a, false
	}
	return a, true
}

// xreadMayBlock reports whether an XREAD or XREADGROUP line has BLOCK
// among its options (before STREAMS): without it the command never
// parks.
func xreadMayBlock(args [][]byte) bool {
	for i := 1; i < len(args); i++ {
		switch {
		case EqualFold(args[i], "streams"):
			return false
		case EqualFold(args[i], "block"):
			return true
		case EqualFold(args[i], "count"):
			i++
		case EqualFold(args[i], "group"):
			i += 2
		}
	}
	return false
}

// resolveXRead looks up the streams, and groups, and reads the IDs into
// a.streams, writing the error and returning false on failure. a.streams
// is made unless its capacity holds every stream.
func (c *Ctx) resolveXRead(a *xreadArgs) bool {
	var saved *xreadState
	if w := c.Client.waiter; w != nil {
		saved, _ = w.state.(*xreadState)
	}
	a.blockedAgain = saved != nil
	if a.blockedAgain && a.group != nil && c.ks.blocked.takeGroupGone(c.Client.waiter) {
		c.W.WriteError("UNBLOCKED the stream key no longer exists")
		return false
	}
	if cap(a.streams) >= a.n {
		a.streams = a.streams[:a.n]
		clear(a.streams)
	} else {
		a.streams = make([]xreadStream, a.n)
	}
	for i := range a.streams {
		key, arg := c.Args[a.streamsAt+i], c.Args[a.streamsAt+a.n+i]
		s, ok := blockedSource[*streamValue](c, key, KindStream)
		if !ok {
			return false
		}
		rs := &a.streams[i]
		rs.s = s
		if a.group != nil {
			var g *stream.Group
			if s != nil {
				g = s.Group(string(a.group))
			}
			if g == nil {
				if a.blockedAgain && s != nil {
					c.W.WriteError(errNoGroupBlocked)
				} else {
					c.W.WriteError("NOGROUP No such key '" + string(key) + "' or consumer group '" +
						string(a.group) + "' in XREADGROUP with GROUP option")
				}
				return false
			}
			rs.g = g
		}
		switch string(arg) {
		case "$":
			if a.group != nil {
				c.W.WriteError(errXReadDollar)
				return false
			}
			if s != nil {
				rs.id = s.LastID
			}
		case ">":
			if a.group == nil {
				c.W.WriteError(errXReadGT)
				return false
			}
			rs.id, rs.newOnly = stream.MaxID, true
			continue
		default:
			id, ok := c.idArg(a.streamsAt+a.n+i, 0, true)
			if !ok {
				return false
			}
			// Redis marks ">" with the largest ID: given explicitly,
			// that ID reads new entries too.
			rs.id, rs.newOnly = id, id == stream.MaxID
		}
		if saved != nil {
			rs.id = saved.ids[i]
		}
	}
	return true
}

// xread returns XREAD [COUNT n] [BLOCK ms] STREAMS key... id..., or, when
// readGroup, XREADGROUP GROUP g consumer [COUNT n] [BLOCK ms] [NOACK]
// STREAMS key... id.... What a group read changes is logged as Redis
// propagates it: an XCLAIM per delivered entry, XGROUP SETID for NOACK
// reads, XGROUP CREATECONSUMER for a consumer NOACK reads create; several
// as one MULTI … EXEC block.
func xread(readGroup bool) func(*Ctx) {
	return func(c *Ctx) {
		a, ok := c.parseXRead(readGroup)
		if !ok {
			return
		}
		var one [1]xreadStream // most reads name one stream: it needs no allocation
		a.streams = one[:0]
		if !c.resolveXRead(&a) {
			return
		}
		count := a.count
		if a.blockedAgain && count == 0 {
			count = xreadBlockedCount
		}
		// Which streams are served now, and from which ID on.
		served := 0
		if a.blockedAgain {
			first := c.ks.blocked.takeSignaled(c.Client.waiter)
			served = a.pickWoken(c.Args[a.streamsAt:a.streamsAt+a.n], first)
		} else {
			served = a.pickReady()
		}
		if served > 0 {
			c.leaveWatches()
			l := c.beginLog()
			defer c.endLog(l)
			keys := c.Args[a.streamsAt : a.streamsAt+a.n]
			// A group read that names a stream twice serves the second
			// from where the first left the group, as Redis does, which
			// may be nothing: the reply is counted as it is written.
			out, repeated := c.W, a.group != nil && repeatsKey(keys)
			if repeated {
				c.W = resp.NewWriter(nil)
				c.W.SetProtocol(out.Protocol())
			} else {
				writeXReadHeader(c.W, served)
			}
			written := 0
			for i, rs := range a.streams {
				s, g := rs.s, rs.g
				if s == nil {
					continue
				}
				start, _ := rs.id.Next()
				if g != nil {
					if repeated && !rs.history {
						if !g.LastID.Less(s.LastEntryID()) {
							continue // an earlier read of the same stream took it all
						}
						start, _ = g.LastID.Next()
					}
				}
				written++
				if c.W.Protocol() != 3 {
					c.W.WriteArray(2)
				}
				key := keys[i]
				c.W.WriteBulk(key)
				if g == nil {
					writeStreamRange(c.W, s.Stream, start, stream.MaxID, false, count)
					continue
				}
				cons := c.groupConsumer(key, a.group, g, a.cons, a.noAck)
				if rs.history {
					c.writeConsumerHistory(s.Stream, cons, start, count)
				} else {
					c.deliverNew(l, key, a.group, s.Stream, g, cons, start, count, a.noAck)
				}
			}
			if repeated {
				body := c.W.Take(nil)
				c.W = out
				writeXReadHeader(out, written)
				out.WriteRaw(body)
			}
			return
		}
		if !a.block {
			c.W.WriteNullArray()
			return
		}
		keys := c.Args[a.streamsAt : a.streamsAt+a.n]
		ids := make([]stream.ID, len(a.streams))
		for i, rs := range a.streams {
			ids[i] = rs.id
		}
		c.blockWith(keys, KindStream, a.timeout, (*resp.Writer).WriteNullArray, &xreadState{ids: ids, group: a.group != nil})
	}
}

// writeXReadHeader writes the header of XREAD's reply of n streams: a map
// in RESP3, an array of pairs before.
func writeXReadHeader(w *resp.Writer, n int) {
	if w.Protocol() == 3 {
		w.WriteMap(n)
	} else {
		w.WriteArray(n)
	}
}

// repeatsKey reports whether a key appears twice in keys.
func repeatsKey(keys [][]byte) bool {
	for i, k := range keys {
		for _, o := range keys[:i] {
			if bytes.Equal(k, o) {
				return true
			}
		}
	}
	return false
}

// pickReady keeps in a.streams the streams a first run serves, as Redis
// decides it: a group read of history always, a read of new entries when
// the stream has an entry past the group's last ID or the ID given (its
// id then holds the ID to read past). It marks history reads and returns
// how many streams are served.
func (a *xreadArgs) pickReady() int {
	served := 0
	for i := range a.streams {
		rs := &a.streams[i]
		s := rs.s
		if s == nil {
			continue
		}
		switch {
		case rs.g != nil && !rs.newOnly:
			rs.history = true
		case rs.g != nil && s.Len() > 0 && rs.g.LastID.Less(s.LastEntryID()):
			rs.id = rs.g.LastID
		case rs.g == nil && s.Len() > 0 && rs.id.Less(s.LastEntryID()):
		default:
			rs.s = nil
			continue
		}
		served++
	}
	return served
}

// pickWoken keeps in a.streams the one stream a woken reader is served
// from, as Redis serves a blocked reader: a stream whose last ID is past
// the one it waits past (for a group, the group's last ID), even if the
// entries there have been deleted meanwhile; the key signalled first
// (first, one of keys) if it is such a stream, else the first such in
// keys. It returns 1, or 0 when there is none and the reader waits on.
func (a *xreadArgs) pickWoken(keys [][]byte, first string) int {
	ready := func(i int) bool {
		rs := &a.streams[i]
		if rs.s == nil {
			return false
		}
		if rs.g != nil {
			rs.id = rs.g.LastID
		}
		return rs.id.Less(rs.s.LastID)
	}
	pick := -1
	for i, k := range keys {
		if string(k) == first && ready(i) {
			pick = i
			break
		}
	}
	for i := 0; i < len(keys) && pick < 0; i++ {
		if ready(i) {
			pick = i
		}
	}
	for i := range a.streams {
		if i != pick {
			a.streams[i].s = nil
		}
	}
	if pick < 0 {
		return 0
	}
	return 1
}

// groupConsumer returns the consumer called name of group g (named
// group) of the stream at key, refreshing its seen time, or creates it;
// a consumer a NOACK read creates is logged as XGROUP CREATECONSUMER.
func (c *Ctx) groupConsumer(key, group []byte, g *stream.Group, name []byte, noAck bool) *stream.Consumer {
	if cons := g.Consumer(string(name)); cons != nil {
		cons.SeenTime = c.Now
		return cons
	}
	cons := g.CreateConsumer(string(name), c.Now)
	c.Notify(EventStream, "xgroup-createconsumer", key)
	if noAck {
		c.PropagateAs(xgroupName, createConsName, key, group, name)
	}
	return cons
}

// writeConsumerHistory writes the entries pending for cons from start on
// (at most count unless 0), each delivered once more; an entry deleted
// from the stream is written as its ID and a null.
func (c *Ctx) writeConsumerHistory(s *stream.Stream, cons *stream.Consumer, start stream.ID, count int64) {
	type item struct {
		id stream.ID
		p  *stream.Pending
	}
	var items []item
	cons.PendingRange(start, stream.MaxID, func(id stream.ID, p *stream.Pending) bool {
		items = append(items, item{id, p})
		return count == 0 || int64(len(items)) < count
	})
	c.W.WriteArray(len(items))
	for _, it := range items {
		found := s.Get(it.id, func(fv [][]byte) { writeStreamEntry(c.W, it.id, fv) })
		if !found {
			c.W.WriteArray(2)
			writeStreamID(c.W, it.id)
			c.W.WriteNullArray()
			continue
		}
		it.p.DeliveryTime = c.Now
		it.p.DeliveryCount++
	}
}

// deliverNew writes the entries of s from start on (at most count unless
// 0) and delivers them to cons in group g: the group's last ID moves past
// them and, unless noAck, each is added to the PELs and logged as an
// XCLAIM; a NOACK read logs the group's new last ID instead.
func (c *Ctx) deliverNew(l *logArgs, key, group []byte, s *stream.Stream, g *stream.Group, cons *stream.Consumer,
	start stream.ID, count int64, noAck bool) {
	n := s.Count(start, stream.MaxID, int(min(count, math.MaxInt)))
	c.W.WriteArray(n)
	moved, written := false, 0
	if n > 0 {
		s.Range(start, stream.MaxID, false, func(id stream.ID, fv [][]byte) bool {
			if g.LastID.Less(id) {
				s.Delivered(g, id)
				moved = true
			}
			// The entry's ID is made once, for the reply and the log.
			c.W.WriteArray(2)
			c.W.WriteBulk(l.idText(id))
			writeStreamFields(c.W, fv)
			if !noAck {
				p := g.Deliver(id, cons, c.Now)
				c.propagateXClaim(l, key, group, g, id, p)
			}
			written++
			return written < n
		})
	}
	if noAck && moved {
		c.propagateGroupID(l, key, group, g)
	}
}

// propagateXClaim logs, with the arguments built in l, that pending entry
// id of group g is p, as Redis's streamPropagateXCLAIM does.
func (c *Ctx) propagateXClaim(l *logArgs, key, group []byte, g *stream.Group, id stream.ID, p *stream.Pending) {
	l.begin()
	l.add(xclaimName, key, group, l.strText(p.Consumer.Name), zeroWord, l.idText(id),
		timeWord, l.intText(p.DeliveryTime), retryCountWord, l.uintText(p.DeliveryCount),
		forceWord, justIDWord, lastIDWord, l.idText(g.LastID))
	c.PropagateAs(l.write()...)
}

// propagateGroupID logs, with the arguments built in l, group g's last ID
// and entries read, as Redis's streamPropagateGroupID does.
func (c *Ctx) propagateGroupID(l *logArgs, key, group []byte, g *stream.Group) {
	l.begin()
	l.add(xgroupName, setidName, key, group, l.idText(g.LastID), entriesReadWord, l.intText(g.EntriesRead))
	c.PropagateAs(l.write()...)
}

// beginLog holds the command's writes back until endLog (see
// beginWrites) and returns the logArgs to build them in.
func (c *Ctx) beginLog() *logArgs {
	c.beginWrites()
	return getLogArgs()
}

// endLog hands on the writes held since beginLog and releases l.
func (c *Ctx) endLog(l *logArgs) {
	c.endWrites()
	l.release()
}
