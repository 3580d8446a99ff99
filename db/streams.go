package db

import (
	"math"

	"myredis/datastruct/stream"
	"myredis/resp"
)

// streamValue is the value of a stream key: a stream.Stream that
// implements Collection. An empty stream is kept (XADD ... MAXLEN 0, XDEL
// of every entry, XGROUP CREATE ... MKSTREAM leave one): Redis never
// deletes a stream for being empty.
type streamValue struct{ *stream.Stream }

// Kind implements Collection.
func (*streamValue) Kind() Kind { return KindStream }

// Copy implements Collection.
func (s *streamValue) Copy() any { return &streamValue{s.Stream.Copy()} }

// Encoding implements Collection: Redis reports "stream" for every stream.
func (*streamValue) Encoding() string { return "stream" }

// MemoryUsage implements Collection. The stream keeps its nodes' bytes
// counted as they change, so it needs no samples, and the estimate costs
// the same whatever its length.
func (s *streamValue) MemoryUsage(int) int64 { return s.Memory() }

// Stream error replies, in Redis's words.
const (
	errStreamID        = "ERR Invalid stream ID specified as stream command argument"
	errXAddZero        = "ERR The ID specified in XADD must be greater than 0-0"
	errXAddSmaller     = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	errXAddTooLarge    = "ERR Elements are too large to be stored"
	errXAddExhausted   = "ERR The stream has exhausted the last possible ID, unable to add more items"
	errTrimBoth        = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	errMaxLenNegative  = "ERR The MAXLEN argument must be >= 0."
	errTrimLimitNeg    = "ERR The LIMIT argument must be >= 0."
	errLimitNoTrim     = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	errXTrimNoStrategy = "ERR syntax error, XTRIM must be called with a trimming strategy"
	errLimitExact      = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	errStartID         = "ERR invalid start ID for the interval"
	errEndID           = "ERR invalid end ID for the interval"
	errEntriesAddedNeg = "ERR entries_added must be positive"
	errXSetIDMaxDel    = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
	errXSetIDSmaller   = "ERR The ID specified in XSETID is smaller than the target stream top item"
	errXSetIDAdded     = "ERR The entries_added specified in XSETID is smaller than the target stream length"
)

// registerStreams adds the stream commands.
func registerStreams(t *Table) {
	const (
		read  = FlagReadonly
		write = FlagWrite
		oom   = FlagDenyOOM
		fast  = FlagFast
	)
	cmd := func(name string, arity int, flags Flag, since, summary string, run func(*Ctx)) {
		t.Register(&Command{Name: name, Arity: arity, Flags: flags, Group: "stream", Since: since, Summary: summary, Run: run})
	}
	cmd("xadd", -5, write|oom|fast, "5.0.0", "Appends an entry to a stream, creating it if needed, and may trim it.", xadd)
	cmd("xlen", 2, read|fast, "5.0.0", "Returns the number of entries of a stream.", xlen)
	cmd("xrange", -4, read, "5.0.0", "Returns the entries of a stream within a range of IDs.", xrange(false))
	cmd("xrevrange", -4, read, "5.0.0", "Returns the entries of a stream within a range of IDs, last first.", xrange(true))
	cmd("xdel", -3, write|fast, "5.0.0", "Deletes entries of a stream by ID.", xdel)
	cmd("xtrim", -4, write, "5.0.0", "Drops the oldest entries of a stream, by count or by ID.", xtrim)
	cmd("xsetid", -3, write|oom|fast, "5.0.0", "Sets a stream's last ID and its counters of added and deleted entries.", xsetid)
	t.Register(&Command{Name: "xread", Arity: -4, Flags: read | FlagBlocking, Group: "stream", Since: "5.0.0",
		Summary: "Reads entries past given IDs from streams, blocking until there are some if asked.",
		Run:     xread(false), MayBlock: xreadMayBlock})
	t.Register(&Command{Name: "xreadgroup", Arity: -7, Flags: write | FlagBlocking, Group: "stream", Since: "5.0.0",
		Summary: "Reads entries for a consumer of a group, new or its pending ones, blocking for new ones if asked.",
		Run:     xread(true), MayBlock: xreadMayBlock})
	registerStreamGroups(t)
}

// SetStreamNodeLimits sets how many entries (maxEntries) and bytes
// (maxBytes) a stream node takes before XADD starts a new one, as
// stream-node-max-entries and stream-node-max-bytes do; 0 is no limit.
// Safe to call at any time: later XADDs follow it.
func (ks *Keyspace) SetStreamNodeLimits(maxEntries, maxBytes int64) {
	lim := stream.NodeLimits{MaxEntries: int(min(maxEntries, math.MaxInt32)), MaxBytes: int(min(maxBytes, math.MaxInt32))}
	ks.streamNodes.Store(&lim)
}

// streamNodeLimits returns the limits XADD fills nodes to.
func (ks *Keyspace) streamNodeLimits() stream.NodeLimits {
	if lim := ks.streamNodes.Load(); lim != nil {
		return *lim
	}
	return stream.DefaultNodeLimits
}

// leaveWatches makes the command's writes leave clients that WATCH its
// keys alone, as Redis's consumer-group commands and XSETID change a
// stream without signalling it as modified.
func (c *Ctx) leaveWatches() { c.spareWatches = true }

// streamArg returns the stream at key, nil if the key is missing (see
// lookupAs).
func (c *Ctx) streamArg(key []byte, read bool) (*streamValue, bool) {
	return lookupAs[*streamValue](c, key, KindStream, read)
}

// newStream stores a new empty stream at key and returns it.
func (c *Ctx) newStream(key []byte) *streamValue {
	s := &streamValue{stream.New()}
	c.Store(key, CollectionValue(s), false)
	return s
}

// idArg parses args[i] as a stream ID, "-" and "+" included unless strict;
// a missing sequence is missingSeq. It writes the error and returns false
// for anything else.
func (c *Ctx) idArg(i int, missingSeq uint64, strict bool) (stream.ID, bool) {
	id, _, ok := stream.ParseID(c.Args[i], missingSeq, strict, false)
	if !ok {
		c.W.WriteError(errStreamID)
	}
	return id, ok
}

// idArgs appends to ids the IDs (strict: no "-" or "+") from args[from]
// on, for a command that checks every ID before it acts on any (XDEL,
// XACK); it writes the error and returns false if one is not an ID. A
// caller passes a buffer on its stack, which most commands' IDs fit.
func (c *Ctx) idArgs(from int, ids []stream.ID) ([]stream.ID, bool) {
	for i := from; i < len(c.Args); i++ {
		id, ok := c.idArg(i, 0, true)
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// idArgsBuf is how many IDs XDEL and XACK read without allocating.
const idArgsBuf = 128

// writeStreamID writes id as a bulk string. It allocates nothing: the
// text is made on the stack.
func writeStreamID(w *resp.Writer, id stream.ID) {
	var text [41]byte // the longest ID: 20 digits, "-", 20 digits
	var bulk [len(text) + 8]byte
	w.WriteRaw(resp.AppendBulk(bulk[:0], id.Append(text[:0])))
}

// writeStreamEntry writes one entry as Redis does: its ID and the array
// of its fields and values.
func writeStreamEntry(w *resp.Writer, id stream.ID, fv [][]byte) {
	w.WriteArray(2)
	writeStreamID(w, id)
	writeStreamFields(w, fv)
}

// writeStreamFields writes an entry's fields and values, as an array.
func writeStreamFields(w *resp.Writer, fv [][]byte) {
	w.WriteArray(len(fv))
	for _, b := range fv {
		w.WriteBulk(b)
	}
}

// writeStreamRange writes the entries of s from start to end (backwards
// when rev), at most count of them unless count is 0.
func writeStreamRange(w *resp.Writer, s *stream.Stream, start, end stream.ID, rev bool, count int64) {
	n := s.Count(start, end, int(min(count, math.MaxInt)))
	w.WriteArray(n)
	if n == 0 {
		return
	}
	written := 0
	s.Range(start, end, rev, func(id stream.ID, fv [][]byte) bool {
		writeStreamEntry(w, id, fv)
		written++
		return written < n
	})
}

// nextStreamID returns the ID XADD adds with: the one given, completed
// when its sequence is "*", or one made from the clock; ok is false when
// it would not be past last (a message is written).
func (c *Ctx) nextStreamID(a *trimArgs, last stream.ID) (stream.ID, bool) {
	switch {
	case !a.idGiven:
		if ms := uint64(c.Now); ms > last.Ms {
			return stream.ID{Ms: ms}, true
		}
		next, ok := last.Next()
		if !ok {
			c.W.WriteError(errXAddSmaller)
		}
		return next, ok
	case a.autoSeq:
		switch {
		case a.id.Ms > last.Ms:
			return stream.ID{Ms: a.id.Ms}, true
		case a.id.Ms == last.Ms && last.Seq == ^uint64(0):
			// Redis fails here without saying why, and reports it so.
			c.W.WriteError(errXAddTooLarge)
			return stream.ID{}, false
		case a.id.Ms == last.Ms:
			return stream.ID{Ms: last.Ms, Seq: last.Seq + 1}, true
		}
	case last.Less(a.id):
		return a.id, true
	}
	c.W.WriteError(errXAddSmaller)
	return stream.ID{}, false
}

// xadd serves XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT
// count]] *|id field value [field value ...]. It is logged with the ID it
// added, and an approximate trim as its exact effect.
func xadd(c *Ctx) {
	a, ok := c.parseTrimArgs(true)
	if !ok {
		return
	}
	fields := len(c.Args) - a.idIdx - 1
	if fields < 2 || fields%2 == 1 {
		c.W.WriteError("ERR wrong number of arguments for 'xadd' command")
		return
	}
	if a.idGiven && !a.autoSeq && a.id.IsZero() {
		c.W.WriteError(errXAddZero)
		return
	}
	key := c.Args[1]
	s, ok := c.streamArg(key, false)
	if !ok {
		return
	}
	if s == nil {
		if a.noMkStream {
			c.W.WriteNull()
			return
		}
		s = c.newStream(key)
	}
	if s.LastID == stream.MaxID {
		c.W.WriteError(errXAddExhausted)
		return
	}
	id, ok := c.nextStreamID(&a, s.LastID)
	if !ok {
		return
	}
	s.Add(id, c.Args[a.idIdx+1:], c.ks.streamNodeLimits())
	l := getLogArgs()
	defer l.release()
	idText := l.idText(id)
	c.W.WriteBulk(idText)
	c.Notify(EventStream, "xadd", key)
	l.add(c.Args[:a.idIdx]...)
	l.add(idText)
	l.add(c.Args[a.idIdx+1:]...)
	if a.strategy {
		if a.apply(s.Stream, l) > 0 {
			c.Notify(EventStream, "xtrim", key)
		}
	}
	c.PropagateAs(l.write()...)
	c.SignalReady(key, KindStream)
}

// xtrim serves XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count].
func xtrim(c *Ctx) {
	a, ok := c.parseTrimArgs(false)
	if !ok {
		return
	}
	s, ok := c.streamArg(c.Args[1], false)
	switch {
	case !ok:
		return
	case s == nil:
		c.W.WriteInt(0)
		return
	}
	l := getLogArgs()
	defer l.release()
	l.add(c.Args...)
	n := a.apply(s.Stream, l)
	if n > 0 {
		c.Notify(EventStream, "xtrim", c.Args[1])
		c.PropagateAs(l.write()...)
	}
	c.W.WriteInt(n)
}

func xlen(c *Ctx) {
	s, ok := c.streamArg(c.Args[1], true)
	switch {
	case !ok:
	case s == nil:
		c.W.WriteInt(0)
	default:
		c.W.WriteInt(int64(s.Len()))
	}
}

// intervalArg parses args[i] as one end of an XRANGE interval: an ID, "-"
// or "+", or "(" and a strict ID for an exclusive end. A missing sequence
// is missingSeq.
func (c *Ctx) intervalArg(i int, missingSeq uint64) (id stream.ID, exclusive, ok bool) {
	b := c.Args[i]
	if len(b) > 1 && b[0] == '(' {
		id, _, ok = stream.ParseID(b[1:], missingSeq, true, false)
		if !ok {
			c.W.WriteError(errStreamID)
		}
		return id, true, ok
	}
	id, ok = c.idArg(i, missingSeq, false)
	return id, false, ok
}

// startArg parses the start of an interval at args[i], an exclusive one
// moved to the next ID.
func (c *Ctx) startArg(i int) (start stream.ID, ok bool) {
	start, ex, ok := c.intervalArg(i, 0)
	if ok && ex {
		if start, ok = start.Next(); !ok {
			c.W.WriteError(errStartID)
		}
	}
	return start, ok
}

// streamInterval parses the start and end of an interval at args[si] and
// args[ei], exclusive ends moved inwards.
func (c *Ctx) streamInterval(si, ei int) (start, end stream.ID, ok bool) {
	if start, ok = c.startArg(si); !ok {
		return
	}
	end, ex, ok := c.intervalArg(ei, ^uint64(0))
	if !ok {
		return
	}
	if ex {
		if end, ok = end.Prev(); !ok {
			c.W.WriteError(errEndID)
		}
	}
	return
}

// xrange returns XRANGE key start end [COUNT n], or XREVRANGE key end
// start [COUNT n] when rev.
func xrange(rev bool) func(*Ctx) {
	return func(c *Ctx) {
		si, ei := 2, 3
		if rev {
			si, ei = 3, 2
		}
		start, end, ok := c.streamInterval(si, ei)
		if !ok {
			return
		}
		count := int64(-1)
		for i := 4; i < len(c.Args); i++ {
			if !EqualFold(c.Args[i], "count") || i+1 >= len(c.Args) {
				c.W.WriteError(ErrSyntax)
				return
			}
			if count, ok = c.IntArg(i + 1); !ok {
				return
			}
			count = max(count, 0)
			i++
		}
		s, ok := c.streamArg(c.Args[1], true)
		switch {
		case !ok:
		case s == nil:
			c.W.WriteArray(0)
		case count == 0:
			c.W.WriteNullArray()
		default:
			writeStreamRange(c.W, s.Stream, start, end, rev, max(count, 0))
		}
	}
}

// xdel serves XDEL key id [id ...].
func xdel(c *Ctx) {
	s, ok := c.streamArg(c.Args[1], false)
	switch {
	case !ok:
		return
	case s == nil:
		c.W.WriteInt(0)
		return
	}
	var buf [idArgsBuf]stream.ID
	ids, ok := c.idArgs(2, buf[:0])
	if !ok {
		return
	}
	deleted := 0
	for _, id := range ids {
		if s.Delete(id) {
			deleted++
		}
	}
	if deleted > 0 {
		c.Notify(EventStream, "xdel", c.Args[1])
		c.Propagate()
	}
	c.W.WriteInt(int64(deleted))
}

// xsetid serves XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id].
func xsetid(c *Ctx) {
	id, ok := c.idArg(2, 0, true)
	if !ok {
		return
	}
	added := int64(-1)
	var maxDel stream.ID
	for i := 3; i < len(c.Args); i += 2 {
		more := i+1 < len(c.Args)
		switch {
		case EqualFold(c.Args[i], "entriesadded") && more:
			if added, ok = c.IntArg(i + 1); !ok {
				return
			}
			if added < 0 {
				c.W.WriteError(errEntriesAddedNeg)
				return
			}
		case EqualFold(c.Args[i], "maxdeletedid") && more:
			if maxDel, ok = c.idArg(i+1, 0, true); !ok {
				return
			}
			if id.Less(maxDel) {
				c.W.WriteError(errXSetIDMaxDel)
				return
			}
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	s, ok := c.streamArg(c.Args[1], false)
	switch {
	case !ok:
		return
	case s == nil:
		c.W.WriteError(ErrNoSuchKey)
		return
	}
	if s.Len() > 0 {
		if id.Less(s.LastEntryID()) {
			c.W.WriteError(errXSetIDSmaller)
			return
		}
		if added != -1 && int64(s.Len()) > added {
			c.W.WriteError(errXSetIDAdded)
			return
		}
	}
	c.leaveWatches()
	s.LastID = id
	if added != -1 {
		s.EntriesAdded = uint64(added)
	}
	if !maxDel.IsZero() {
		s.MaxDeletedID = maxDel
	}
	c.WriteOK()
	c.Notify(EventStream, "xsetid", c.Args[1])
	c.Propagate()
}
