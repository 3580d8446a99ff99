package db

import (
	"myredis/datastruct/stream"
)

// xinfoStreamCount is XINFO STREAM FULL's default COUNT.
const xinfoStreamCount = 10

// xinfoKey returns the stream XINFO names in args[2]; a missing key gets
// "no such key".
func (c *Ctx) xinfoKey() (*streamValue, bool) {
	s, ok := c.streamArg(c.Args[2], true)
	if ok && s == nil {
		c.W.WriteError(ErrNoSuchKey)
		return nil, false
	}
	return s, ok
}

// xinfoStream serves XINFO STREAM key [FULL [COUNT n]].
func xinfoStream(c *Ctx) {
	s, ok := c.xinfoKey()
	if !ok {
		return
	}
	opts := c.Args[3:]
	full, count := len(opts) > 0, int64(xinfoStreamCount)
	if full {
		if len(opts) != 1 && len(opts) != 3 || !EqualFold(opts[0], "full") ||
			len(opts) == 3 && !EqualFold(opts[1], "count") {
			c.subcommandSyntaxError()
			return
		}
		if len(opts) == 3 {
			if count, ok = c.IntArg(5); !ok {
				return
			}
			if count < 0 {
				count = xinfoStreamCount
			}
		}
	}
	w := c.W
	if full {
		w.WriteMap(9)
	} else {
		w.WriteMap(10)
	}
	w.WriteBulkString("length")
	w.WriteInt(int64(s.Len()))
	w.WriteBulkString("radix-tree-keys")
	w.WriteInt(int64(s.NodeCount()))
	w.WriteBulkString("radix-tree-nodes")
	w.WriteInt(int64(s.RadixNodes()))
	w.WriteBulkString("last-generated-id")
	writeStreamID(w, s.LastID)
	w.WriteBulkString("max-deleted-entry-id")
	writeStreamID(w, s.MaxDeletedID)
	w.WriteBulkString("entries-added")
	w.WriteInt(int64(s.EntriesAdded))
	w.WriteBulkString("recorded-first-entry-id")
	writeStreamID(w, s.FirstID())
	if !full {
		w.WriteBulkString("groups")
		w.WriteInt(int64(s.GroupCount()))
		for _, f := range []struct {
			name string
			rev  bool
		}{{"first-entry", false}, {"last-entry", true}} {
			w.WriteBulkString(f.name)
			if s.Len() == 0 {
				w.WriteNull()
				continue
			}
			s.Range(stream.MinID, stream.MaxID, f.rev, func(id stream.ID, fv [][]byte) bool {
				writeStreamEntry(w, id, fv)
				return false
			})
		}
		return
	}
	w.WriteBulkString("entries")
	writeStreamRange(w, s.Stream, stream.MinID, stream.MaxID, false, count)
	w.WriteBulkString("groups")
	w.WriteArray(s.GroupCount())
	s.ForEachGroup(func(name string, g *stream.Group) {
		w.WriteMap(7)
		w.WriteBulkString("name")
		w.WriteBulkString(name)
		w.WriteBulkString("last-delivered-id")
		writeStreamID(w, g.LastID)
		writeEntriesReadAndLag(c, s.Stream, g)
		w.WriteBulkString("pel-count")
		w.WriteInt(int64(g.PendingCount()))
		w.WriteBulkString("pending")
		writePendingList(c, count, g.PendingCount(), g.PendingRange, true)
		w.WriteBulkString("consumers")
		w.WriteArray(g.ConsumerCount())
		g.ForEachConsumer(func(cons *stream.Consumer) {
			w.WriteMap(4)
			w.WriteBulkString("name")
			w.WriteBulkString(cons.Name)
			w.WriteBulkString("seen-time")
			w.WriteInt(cons.SeenTime)
			w.WriteBulkString("pel-count")
			w.WriteInt(int64(cons.PendingCount()))
			w.WriteBulkString("pending")
			writePendingList(c, count, cons.PendingCount(), cons.PendingRange, false)
		})
	})
}

// writePendingList writes the first count (0: all) of size PEL entries
// walked by each, as XINFO STREAM FULL shows them: ID, consumer (when
// withConsumer), delivery time and count.
func writePendingList(c *Ctx, count int64, size int, each func(start, end stream.ID, fn func(stream.ID, *stream.Pending) bool), withConsumer bool) {
	n := int64(size)
	if count > 0 {
		n = min(n, count)
	}
	w := c.W
	w.WriteArray(int(n))
	if n == 0 {
		return
	}
	written := int64(0)
	each(stream.MinID, stream.MaxID, func(id stream.ID, p *stream.Pending) bool {
		if withConsumer {
			w.WriteArray(4)
		} else {
			w.WriteArray(3)
		}
		writeStreamID(w, id)
		if withConsumer {
			w.WriteBulkString(p.Consumer.Name)
		}
		w.WriteInt(p.DeliveryTime)
		w.WriteInt(int64(p.DeliveryCount))
		written++
		return written < n
	})
}

// writeEntriesReadAndLag writes a group's entries-read and lag fields.
func writeEntriesReadAndLag(c *Ctx, s *stream.Stream, g *stream.Group) {
	w := c.W
	w.WriteBulkString("entries-read")
	if g.EntriesRead != stream.InvalidEntriesRead {
		w.WriteInt(g.EntriesRead)
	} else {
		w.WriteNull()
	}
	w.WriteBulkString("lag")
	if lag, ok := s.Lag(g); ok {
		w.WriteInt(lag)
	} else {
		w.WriteNull()
	}
}

// xinfoGroups serves XINFO GROUPS key.
func xinfoGroups(c *Ctx) {
	s, ok := c.xinfoKey()
	if !ok {
		return
	}
	w := c.W
	w.WriteArray(s.GroupCount())
	s.ForEachGroup(func(name string, g *stream.Group) {
		w.WriteMap(6)
		w.WriteBulkString("name")
		w.WriteBulkString(name)
		w.WriteBulkString("consumers")
		w.WriteInt(int64(g.ConsumerCount()))
		w.WriteBulkString("pending")
		w.WriteInt(int64(g.PendingCount()))
		w.WriteBulkString("last-delivered-id")
		writeStreamID(w, g.LastID)
		writeEntriesReadAndLag(c, s.Stream, g)
	})
}

// xinfoConsumers serves XINFO CONSUMERS key group.
func xinfoConsumers(c *Ctx) {
	s, ok := c.xinfoKey()
	if !ok {
		return
	}
	g := s.Group(string(c.Args[3]))
	if g == nil {
		c.W.WriteError("NOGROUP No such consumer group '" + string(c.Args[3]) + "' for key name '" + string(c.Args[2]) + "'")
		return
	}
	w := c.W
	w.WriteArray(g.ConsumerCount())
	g.ForEachConsumer(func(cons *stream.Consumer) {
		w.WriteMap(3)
		w.WriteBulkString("name")
		w.WriteBulkString(cons.Name)
		w.WriteBulkString("pending")
		w.WriteInt(int64(cons.PendingCount()))
		w.WriteBulkString("idle")
		w.WriteInt(max(c.Now-cons.SeenTime, 0))
	})
}
