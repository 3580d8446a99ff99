package db

import (
	"strconv"

	"myredis/datastruct/stream"
)

// Consumer-group error replies, in Redis's words.
const (
	errXGroupNoKey      = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	errBusyGroup        = "BUSYGROUP Consumer Group name already exists"
	errEntriesReadRange = "ERR value for ENTRIESREAD must be positive or -1"
)

// registerStreamGroups adds XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM and
// XINFO.
func registerStreamGroups(t *Table) {
	cmd := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "stream", Since: since, Summary: summary, Run: run})
	}
	cmd("xack", -4, FlagWrite|FlagFast, "5.0.0", "Acknowledges entries of a group, taking them out of its pending list.", xack)
	cmd("xpending", -3, FlagReadonly, "5.0.0", "Reports on the entries a group has delivered and not seen acknowledged.", xpending)
	cmd("xclaim", -6, FlagWrite|FlagFast, "5.0.0", "Hands pending entries of a group to another consumer.", xclaim)
	cmd("xautoclaim", -6, FlagWrite|FlagFast, "6.2.0", "Hands pending entries idle long enough to another consumer, scanning from an ID.", xautoclaim)

	t.Register(&Command{Name: "xgroup", Arity: -2, Group: "stream", Since: "5.0.0",
		Summary: "Manages the consumer groups of a stream."})
	for _, sub := range []*Command{
		{Name: "create", Arity: -5, Flags: FlagWrite | FlagDenyOOM, Since: "5.0.0", Summary: "Creates a consumer group, and the stream with MKSTREAM."},
		{Name: "createconsumer", Arity: 5, Flags: FlagWrite | FlagDenyOOM, Since: "6.2.0", Summary: "Creates a consumer in a group."},
		{Name: "delconsumer", Arity: 5, Flags: FlagWrite, Since: "5.0.0", Summary: "Deletes a consumer and its pending entries."},
		{Name: "destroy", Arity: 4, Flags: FlagWrite, Since: "5.0.0", Summary: "Deletes a consumer group."},
		{Name: "setid", Arity: -5, Flags: FlagWrite, Since: "5.0.0", Summary: "Sets the last ID a group has delivered."},
	} {
		sub.Run = xgroup
		t.RegisterSub("xgroup", sub)
	}
	t.RegisterSub("xgroup", HelpCommand("5.0.0", "Describes the subcommands."))

	t.Register(&Command{Name: "xinfo", Arity: -2, Group: "stream", Since: "5.0.0",
		Summary: "Reports on a stream, its groups and their consumers."})
	for _, sub := range []*Command{
		{Name: "stream", Arity: -3, Since: "5.0.0", Summary: "Reports on a stream, with FULL its entries and groups in detail.", Run: xinfoStream},
		{Name: "groups", Arity: 3, Since: "5.0.0", Summary: "Lists the consumer groups of a stream.", Run: xinfoGroups},
		{Name: "consumers", Arity: 4, Since: "5.0.0", Summary: "Lists the consumers of a group.", Run: xinfoConsumers},
	} {
		sub.Flags = FlagReadonly
		t.RegisterSub("xinfo", sub)
	}
	t.RegisterSub("xinfo", HelpCommand("5.0.0", "Describes the subcommands."))
}

// subcommandSyntaxError writes Redis's reply to a subcommand it does not
// take in this form.
func (c *Ctx) subcommandSyntaxError() {
	c.W.WriteError("ERR unknown subcommand or wrong number of arguments for '" + string(c.Args[1]) +
		"'. Try " + upper(c.Args[0]) + " HELP.")
}

func upper(b []byte) string {
	out := []byte(string(b))
	for i, ch := range out {
		if ch >= 'a' && ch <= 'z' {
			out[i] = ch - 'a' + 'A'
		}
	}
	return string(out)
}

// noGroupError writes -NOGROUP for a missing key or group.
func (c *Ctx) noGroupError(key, group []byte) {
	c.W.WriteError("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(group) + "'")
}

// groupArg returns the stream at args[1] and its group named in args[2];
// g is nil when either is missing. ok is false after WRONGTYPE.
func (c *Ctx) groupArg(read bool) (s *streamValue, g *stream.Group, ok bool) {
	s, ok = c.streamArg(c.Args[1], read)
	if s != nil {
		g = s.Group(string(c.Args[2]))
	}
	return s, g, ok
}

// existingGroupArg is groupArg for a command that needs the group: a
// missing key or group is answered with -NOGROUP, and ok is false.
func (c *Ctx) existingGroupArg() (s *streamValue, g *stream.Group, ok bool) {
	s, g, ok = c.groupArg(true)
	if ok && g == nil {
		c.noGroupError(c.Args[1], c.Args[2])
		ok = false
	}
	return s, g, ok
}

// xgroup serves every XGROUP subcommand but HELP, as Redis's
// xgroupCommand does: the options first, then the key and the group.
func xgroup(c *Ctx) {
	sub := c.Args[1]
	create, setid := EqualFold(sub, "create"), EqualFold(sub, "setid")
	mkstream := false
	entriesRead := int64(stream.InvalidEntriesRead)
	for i := 5; i < len(c.Args); {
		switch {
		case create && EqualFold(c.Args[i], "mkstream"):
			mkstream = true
			i++
		case (create || setid) && EqualFold(c.Args[i], "entriesread") && i+1 < len(c.Args):
			n, ok := c.IntArg(i + 1)
			if !ok {
				return
			}
			if n < 0 && n != stream.InvalidEntriesRead {
				c.W.WriteError(errEntriesReadRange)
				return
			}
			entriesRead = n
			i += 2
		default:
			c.subcommandSyntaxError()
			return
		}
	}
	key, name := c.Args[2], c.Args[3]
	s, ok := c.streamArg(key, false)
	if !ok {
		return
	}
	// Only a stream XGROUP CREATE ... MKSTREAM makes counts as modified.
	c.spareWatches = s != nil
	var g *stream.Group
	if !mkstream {
		if s == nil {
			c.W.WriteError(errXGroupNoKey)
			return
		}
		if g = s.Group(string(name)); g == nil && !create && !EqualFold(sub, "destroy") {
			c.W.WriteError("NOGROUP No such consumer group '" + string(name) + "' for key name '" + string(key) + "'")
			return
		}
	}
	switch {
	case create && len(c.Args) <= 8:
		var id stream.ID
		if string(c.Args[4]) == "$" {
			if s != nil {
				id = s.LastID
			}
		} else if id, ok = c.idArg(4, 0, true); !ok {
			return
		}
		if s == nil {
			s = c.newStream(key)
		}
		if s.CreateGroup(string(name), id, entriesRead) == nil {
			c.W.WriteError(errBusyGroup)
			return
		}
		c.WriteOK()
		c.Notify(EventStream, "xgroup-create", key)
		c.Propagate()
	case setid && (len(c.Args) == 5 || len(c.Args) == 7):
		var id stream.ID
		if string(c.Args[4]) == "$" {
			id = s.LastID
		} else if id, ok = c.idArg(4, 0, false); !ok {
			return
		}
		g.LastID, g.EntriesRead = id, entriesRead
		c.WriteOK()
		c.Notify(EventStream, "xgroup-setid", key)
		c.Propagate()
	case EqualFold(sub, "destroy") && len(c.Args) == 4:
		if g == nil {
			c.W.WriteInt(0)
			return
		}
		s.DestroyGroup(string(name))
		c.W.WriteInt(1)
		c.Notify(EventStream, "xgroup-destroy", key)
		c.Propagate()
		c.SignalReady(key, KindStream)
	case EqualFold(sub, "createconsumer") && len(c.Args) == 5:
		if g.CreateConsumer(string(c.Args[4]), c.Now) == nil {
			c.W.WriteInt(0)
			return
		}
		c.W.WriteInt(1)
		c.Notify(EventStream, "xgroup-createconsumer", key)
		c.Propagate()
	case EqualFold(sub, "delconsumer") && len(c.Args) == 5:
		pending, found := g.DeleteConsumer(string(c.Args[4]))
		if found {
			c.Notify(EventStream, "xgroup-delconsumer", key)
			c.Propagate()
		}
		c.W.WriteInt(int64(pending))
	default:
		c.subcommandSyntaxError()
	}
}

// xack serves XACK key group id [id ...].
func xack(c *Ctx) {
	_, g, ok := c.groupArg(true)
	switch {
	case !ok:
		return
	case g == nil:
		c.W.WriteInt(0)
		return
	}
	var buf [idArgsBuf]stream.ID
	ids, ok := c.idArgs(3, buf[:0])
	if !ok {
		return
	}
	c.leaveWatches()
	acked := 0
	for _, id := range ids {
		if g.Ack(id) {
			acked++
		}
	}
	if acked > 0 {
		c.Propagate()
	}
	c.W.WriteInt(int64(acked))
}

// xpending serves XPENDING key group [[IDLE min-idle] start end count
// [consumer]]: a summary of the group's PEL, or its entries in a range.
func xpending(c *Ctx) {
	n := len(c.Args)
	if n != 3 && (n < 6 || n > 9) {
		c.W.WriteError(ErrSyntax)
		return
	}
	var start, end stream.ID
	var count, minIdle int64
	var consumer []byte
	if n >= 6 {
		at := 3
		if EqualFold(c.Args[3], "idle") {
			var ok bool
			if minIdle, ok = c.IntArg(4); !ok {
				return
			}
			if n < 8 {
				c.W.WriteError(ErrSyntax)
				return
			}
			at += 2
		}
		var ok bool
		if count, ok = c.IntArg(at + 2); !ok {
			return
		}
		count = max(count, 0)
		if start, end, ok = c.streamInterval(at, at+1); !ok {
			return
		}
		if at+3 < n {
			consumer = c.Args[at+3]
		}
	}
	_, g, ok := c.existingGroupArg()
	if !ok {
		return
	}
	if n == 3 {
		writePendingSummary(c, g)
		return
	}
	type item struct {
		id stream.ID
		p  *stream.Pending
	}
	var items []item
	collect := func(id stream.ID, p *stream.Pending) bool {
		if count == 0 {
			return false
		}
		if minIdle != 0 && c.Now-p.DeliveryTime < minIdle {
			return true
		}
		items = append(items, item{id, p})
		count--
		return true
	}
	if consumer != nil {
		cons := g.Consumer(string(consumer))
		if cons == nil {
			c.W.WriteArray(0)
			return
		}
		cons.PendingRange(start, end, collect)
	} else {
		g.PendingRange(start, end, collect)
	}
	c.W.WriteArray(len(items))
	for _, it := range items {
		c.W.WriteArray(4)
		writeStreamID(c.W, it.id)
		c.W.WriteBulkString(it.p.Consumer.Name)
		c.W.WriteInt(max(c.Now-it.p.DeliveryTime, 0))
		c.W.WriteInt(int64(it.p.DeliveryCount))
	}
}

// writePendingSummary writes XPENDING's summary of g: the count, the
// smallest and largest IDs, and each consumer with pending entries.
func writePendingSummary(c *Ctx, g *stream.Group) {
	c.W.WriteArray(4)
	c.W.WriteInt(int64(g.PendingCount()))
	if g.PendingCount() == 0 {
		c.W.WriteNull()
		c.W.WriteNull()
		c.W.WriteNullArray()
		return
	}
	first, last := g.PendingBounds()
	writeStreamID(c.W, first)
	writeStreamID(c.W, last)
	var owners []*stream.Consumer
	g.ForEachConsumer(func(cons *stream.Consumer) {
		if cons.PendingCount() > 0 {
			owners = append(owners, cons)
		}
	})
	c.W.WriteArray(len(owners))
	for _, cons := range owners {
		c.W.WriteArray(2)
		c.W.WriteBulkString(cons.Name)
		c.W.WriteBulkString(strconv.Itoa(cons.PendingCount()))
	}
}
