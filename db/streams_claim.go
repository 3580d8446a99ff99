package db

import (
	"math"

	"myredis/datastruct/stream"
)

// Error replies of XCLAIM and XAUTOCLAIM, in Redis's words.
const (
	errXClaimMinIdle   = "ERR Invalid min-idle-time argument for XCLAIM"
	errXAutoClaimIdle  = "ERR Invalid min-idle-time argument for XAUTOCLAIM"
	errXAutoClaimCount = "ERR COUNT must be > 0"
)

// claimer hands pending entries of group g (named group) of the stream s
// at key to the consumer called name, found or created on first use, and
// logs each claim as Redis does.
type claimer struct {
	c      *Ctx
	s      *stream.Stream
	g      *stream.Group
	key    []byte
	group  []byte
	name   string
	cons   *stream.Consumer
	justID bool
	ids    []stream.ID // claimed, in order
	log    *logArgs    // the claims' logged writes
}

// consumer returns the claiming consumer, created if needed.
func (cl *claimer) consumer() *stream.Consumer {
	if cl.cons == nil {
		cl.cons = cl.c.groupConsumer(cl.key, cl.group, cl.g, []byte(cl.name), false)
	}
	return cl.cons
}

// claim hands pending entry id, p, to the consumer, delivered at time
// with count delivery count (retry < 0: one more unless JUSTID).
func (cl *claimer) claim(id stream.ID, p *stream.Pending, at int64, retry int64) {
	cons := cl.consumer()
	if p.Consumer == nil {
		p = cl.g.AddPending(id, cons, p.DeliveryTime, p.DeliveryCount)
	} else {
		cl.g.MoveTo(id, p, cons)
	}
	p.DeliveryTime = at
	switch {
	case retry >= 0:
		p.DeliveryCount = uint64(retry)
	case !cl.justID:
		p.DeliveryCount++
	}
	cl.ids = append(cl.ids, id)
	cl.c.propagateXClaim(cl.log, cl.key, cl.group, cl.g, id, p)
}

// dropDeleted takes the pending entry id, p, whose stream entry is gone,
// out of the PELs, logging it as the XCLAIM that does the same on replay.
func (cl *claimer) dropDeleted(id stream.ID, p *stream.Pending) {
	cl.c.propagateXClaim(cl.log, cl.key, cl.group, cl.g, id, p)
	cl.g.Ack(id)
}

// writeClaimed writes the claimed entries, or their IDs with JUSTID.
func (cl *claimer) writeClaimed() {
	w := cl.c.W
	w.WriteArray(len(cl.ids))
	for _, id := range cl.ids {
		if cl.justID {
			writeStreamID(w, id)
			continue
		}
		cl.s.Get(id, func(fv [][]byte) { writeStreamEntry(w, id, fv) })
	}
}

// xclaim serves XCLAIM key group consumer min-idle-time id [id ...]
// [IDLE ms] [TIME unix-ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id].
// It is logged as an XCLAIM per entry claimed or dropped (or XGROUP SETID
// for LASTID alone), several as one MULTI … EXEC block.
func xclaim(c *Ctx) {
	s, g, ok := c.existingGroupArg()
	if !ok {
		return
	}
	minIdle, ok := ParseInt(c.Args[4])
	if !ok {
		c.W.WriteError(errXClaimMinIdle)
		return
	}
	minIdle = max(minIdle, 0)
	j := 5
	var ids []stream.ID
	for ; j < len(c.Args); j++ {
		id, _, ok := stream.ParseID(c.Args[j], 0, true, false)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	retry, at := int64(-1), int64(-1)
	var force, justID bool
	var lastID stream.ID
	for ; j < len(c.Args); j++ {
		opt, more := c.Args[j], j+1 < len(c.Args)
		intOpt := func(what string) (int64, bool) {
			j++
			n, ok := ParseInt(c.Args[j])
			if !ok {
				c.W.WriteError("ERR Invalid " + what + " option argument for XCLAIM")
			}
			return n, ok
		}
		switch {
		case EqualFold(opt, "force"):
			force = true
		case EqualFold(opt, "justid"):
			justID = true
		case EqualFold(opt, "idle") && more:
			idle, ok := intOpt("IDLE")
			if !ok {
				return
			}
			at = c.Now - idle
		case EqualFold(opt, "time") && more:
			if at, ok = intOpt("TIME"); !ok {
				return
			}
		case EqualFold(opt, "retrycount") && more:
			if retry, ok = intOpt("RETRYCOUNT"); !ok {
				return
			}
		case EqualFold(opt, "lastid") && more:
			j++
			if lastID, ok = c.idArg(j, 0, true); !ok {
				return
			}
		default:
			c.W.WriteError("ERR Unrecognized XCLAIM option '" + string(opt) + "'")
			return
		}
	}
	logLastID := false
	if g.LastID.Less(lastID) {
		g.LastID, logLastID = lastID, true
	}
	if at < 0 || at > c.Now {
		at = c.Now
	}
	cl := &claimer{c: c, s: s.Stream, g: g, key: c.Args[1], group: c.Args[2], name: string(c.Args[3]), justID: justID}
	c.leaveWatches()
	cl.log = c.beginLog()
	defer c.endLog(cl.log)
	for _, id := range ids {
		p := g.Pending(id)
		if !s.Get(id, nil) {
			if p != nil {
				cl.dropDeleted(id, p)
				logLastID = false
			}
			continue
		}
		if p == nil {
			if !force {
				continue
			}
			p = &stream.Pending{DeliveryTime: c.Now, DeliveryCount: 1}
		} else if minIdle != 0 && c.Now-p.DeliveryTime < minIdle {
			continue
		}
		cl.claim(id, p, at, retry)
		logLastID = false
	}
	if logLastID {
		c.propagateGroupID(cl.log, c.Args[1], c.Args[2], g)
	}
	cl.writeClaimed()
}

// xautoclaim serves XAUTOCLAIM key group consumer min-idle-time start
// [COUNT n] [JUSTID]: it scans the group's PEL from start, claiming
// entries idle long enough and dropping those deleted from the stream.
func xautoclaim(c *Ctx) {
	minIdle, ok := ParseInt(c.Args[4])
	if !ok {
		c.W.WriteError(errXAutoClaimIdle)
		return
	}
	minIdle = max(minIdle, 0)
	start, ok := c.startArg(5)
	if !ok {
		return
	}
	count, justID := int64(100), false
	for j := 6; j < len(c.Args); j++ {
		switch {
		case EqualFold(c.Args[j], "count") && j+1 < len(c.Args):
			n, ok := ParseInt(c.Args[j+1])
			if !ok || n < 1 || n > math.MaxInt64/16 {
				c.W.WriteError(errXAutoClaimCount)
				return
			}
			count = n
			j++
		case EqualFold(c.Args[j], "justid"):
			justID = true
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	s, g, ok := c.existingGroupArg()
	if !ok {
		return
	}
	cl := &claimer{c: c, s: s.Stream, g: g, key: c.Args[1], group: c.Args[2], name: string(c.Args[3]), justID: justID}
	c.leaveWatches()
	cl.log = c.beginLog()
	defer c.endLog(cl.log)
	attempts := count * 10
	var next stream.ID
	var deleted []stream.ID
	g.PendingRange(start, stream.MaxID, func(id stream.ID, p *stream.Pending) bool {
		if attempts == 0 || count == 0 {
			next = id
			return false
		}
		attempts--
		if !s.Get(id, nil) {
			cl.dropDeleted(id, p)
			deleted = append(deleted, id)
			count--
			return true
		}
		if minIdle != 0 && c.Now-p.DeliveryTime < minIdle {
			return true
		}
		cl.claim(id, p, c.Now, -1)
		count--
		return true
	})
	c.W.WriteArray(3)
	writeStreamID(c.W, next)
	cl.writeClaimed()
	c.W.WriteArray(len(deleted))
	for _, id := range deleted {
		writeStreamID(c.W, id)
	}
}
