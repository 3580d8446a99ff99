package stream

// Stream is a stream's entries and consumer groups. The zero value is not
// usable: call New.
type Stream struct {
	nodes  index[*node] // by master ID
	length int          // live entries
	// LastID is the largest ID ever added (or set by XSETID); new IDs
	// must be greater.
	LastID ID
	// MaxDeletedID is the largest ID removed by XDEL (or set by XSETID).
	MaxDeletedID ID
	// EntriesAdded counts every entry ever added (or is set by XSETID).
	EntriesAdded uint64
	first        ID // the first live entry's ID, 0-0 when empty
	groups       map[string]*Group
	groupList    []*Group // the groups again, walked by Memory without a map's iterator
	nodeBytes    int      // the sum of the nodes' memory(), kept as they change
}

// New returns an empty stream.
func New() *Stream { return &Stream{} }

// Len returns the number of entries.
func (s *Stream) Len() int { return s.length }

// Add appends the entry id with fields fv (field, value, ...), which must
// be non-empty and of even length; id must be greater than LastID. The
// bytes of fv are copied. A new node starts when the last one is full by
// lim.
func (s *Stream) Add(id ID, fv [][]byte, lim NodeLimits) {
	var n, prev *node
	if s.nodes.Len() > 0 {
		c := s.nodes.Last()
		n = c.Value()
	}
	same := false
	if n != nil {
		same = n.sameFields(fv)
		if n.full(entrySize(fv, same), lim) {
			before := n.memory()
			n.seal()
			s.nodeBytes += n.memory() - before
			n, prev = nil, n
		}
	}
	before := 0
	if n == nil {
		n = newNode(id, fv, prev, lim)
		s.nodes.Set(id, n)
		same = true
	} else {
		before = n.memory()
	}
	n.append(id, fv, same)
	s.nodeBytes += n.memory() - before
	s.length++
	if s.length == 1 {
		s.first = id
	}
	s.LastID = id
	s.EntriesAdded++
}

// Range calls fn for each entry with start <= ID <= end, in ID order, or
// in reverse order if rev, until fn returns false. fv holds the entry's
// field, value pairs; it and its slices are valid only during the call.
// The stream must not change during the walk.
func (s *Stream) Range(start, end ID, rev bool, fn func(id ID, fv [][]byte) bool) {
	if end.Less(start) || s.length == 0 {
		return
	}
	var fv [][]byte
	if !rev {
		c := s.nodes.SeekLE(start)
		if !c.Valid() {
			c = s.nodes.First()
		}
		for ; c.Valid(); c.Next() {
			n := c.Value()
			if end.Less(n.master) {
				return
			}
			for i := n.walkFrom(start); i < len(n.offs); i++ {
				id, flags, f := n.entry(i, fv[:0])
				fv = f
				if flags&flagDeleted != 0 || id.Less(start) {
					continue
				}
				if end.Less(id) || !fn(id, fv) {
					return
				}
			}
		}
		return
	}
	for c := s.nodes.SeekLE(end); c.Valid(); c.Prev() {
		n := c.Value()
		for i := n.walkTo(end) - 1; i >= 0; i-- {
			id, flags, f := n.entry(i, fv[:0])
			fv = f
			if flags&flagDeleted != 0 || end.Less(id) {
				continue
			}
			if id.Less(start) || !fn(id, fv) {
				return
			}
		}
	}
}

// Count returns how many entries have start <= ID <= end, counting at
// most limit of them unless limit is 0. A node wholly in the range is
// counted by its count of live entries, without reading its entries.
func (s *Stream) Count(start, end ID, limit int) int {
	if end.Less(start) || s.length == 0 {
		return 0
	}
	n := 0
	c := s.nodes.SeekLE(start)
	if !c.Valid() {
		c = s.nodes.First()
	}
	for ; c.Valid() && (limit == 0 || n < limit); c.Next() {
		nd := c.Value()
		if end.Less(nd.master) {
			break
		}
		if !nd.unordered && !nd.master.Less(start) && !end.Less(nd.lastID()) {
			n += nd.live
			continue
		}
		for i := nd.walkFrom(start); i < len(nd.offs); i++ {
			id, flags := nd.id(i)
			if flags&flagDeleted != 0 || id.Less(start) {
				continue
			}
			if end.Less(id) {
				break
			}
			n++
		}
	}
	if limit > 0 {
		n = min(n, limit)
	}
	return n
}

// Get calls fn with the fields of entry id and reports whether it exists.
func (s *Stream) Get(id ID, fn func(fv [][]byte)) bool {
	found := false
	s.Range(id, id, false, func(_ ID, fv [][]byte) bool {
		found = true
		if fn != nil {
			fn(fv)
		}
		return false
	})
	return found
}

// FirstID returns the ID of the first entry, 0-0 when there is none.
func (s *Stream) FirstID() ID { return s.first }

// findFirst looks up the first entry's ID.
func (s *Stream) findFirst() ID {
	var first ID
	s.Range(MinID, MaxID, false, func(id ID, _ [][]byte) bool {
		first = id
		return false
	})
	return first
}

// LastEntryID returns the ID of the last entry, 0-0 when there is none.
func (s *Stream) LastEntryID() ID {
	var last ID
	s.Range(MinID, MaxID, true, func(id ID, _ [][]byte) bool {
		last = id
		return false
	})
	return last
}

// Delete marks entry id deleted, and reports whether it was there. A node
// left without entries goes. MaxDeletedID is raised to id.
func (s *Stream) Delete(id ID) bool {
	c := s.nodes.SeekLE(id)
	if !c.Valid() {
		return false
	}
	n := c.Value()
	i := n.find(id)
	if i < 0 {
		return false
	}
	if n.live == 1 {
		s.dropNode(n)
	} else {
		n.markDeleted(i)
	}
	s.length--
	if s.MaxDeletedID.Less(id) {
		s.MaxDeletedID = id
	}
	if id == s.first {
		s.first = s.findFirst()
	}
	return true
}

// Trim is a trimming request: keep MaxLen entries, or drop the entries
// before MinID.
type Trim struct {
	ByMinID bool
	MaxLen  int64
	MinID   ID
	// Approx trims only whole nodes, stopping at the first node that
	// would take the stream past the goal.
	Approx bool
	// Limit, when positive, stops the trim before it has removed more
	// than Limit entries (whole nodes only).
	Limit int64
}

// Trim removes entries from the start of the stream as t asks and
// returns how many went. Whole nodes go while they can; an exact trim then
// marks entries deleted in the first node left, which stays even if it
// ends up with no live entries, as Redis's does.
func (s *Stream) Trim(t Trim) int64 {
	var deleted int64
	for s.nodes.Len() > 0 {
		if !t.ByMinID && int64(s.length) <= t.MaxLen {
			break
		}
		c := s.nodes.First()
		n := c.Value()
		entries := int64(n.live)
		if t.Limit > 0 && deleted+entries > t.Limit {
			break
		}
		var remove bool
		if t.ByMinID {
			remove = n.lastID().Less(t.MinID)
		} else {
			remove = int64(s.length)-entries >= t.MaxLen
		}
		if remove {
			s.dropNode(n)
			s.length -= int(entries)
			deleted += entries
			continue
		}
		if t.Approx {
			break
		}
		for i := range n.offs {
			id, flags := n.id(i)
			if t.ByMinID && !id.Less(t.MinID) || !t.ByMinID && int64(s.length) <= t.MaxLen {
				break
			}
			if flags&flagDeleted == 0 {
				n.markDeleted(i)
				s.length--
				deleted++
			}
		}
		break
	}
	if deleted > 0 {
		s.first = s.findFirst()
	}
	return deleted
}

// dropNode removes node n.
func (s *Stream) dropNode(n *node) {
	s.nodes.Delete(n.master)
	s.nodeBytes -= n.memory()
}

// Memory returns an estimate of the bytes the stream takes, groups
// included. It depends only on the stream's state, and it takes constant
// time (for each group), allocating nothing: the accounting measures a
// stream before and after every write. The nodes are counted exactly, so
// it needs no samples.
func (s *Stream) Memory() int64 {
	n := 96 + s.nodes.memory(24) + s.nodeBytes
	for _, g := range s.groupList {
		n += 64 + 8 + len(g.name) + g.memory()
	}
	return int64(n)
}

// Copy returns a deep copy of the stream, groups included.
func (s *Stream) Copy() *Stream {
	c := *s
	c.nodes = s.nodes.clone((*node).clone)
	c.nodeBytes = 0
	for cur := c.nodes.First(); cur.Valid(); cur.Next() {
		c.nodeBytes += cur.Value().memory()
	}
	c.groups, c.groupList = nil, nil
	for _, g := range s.groupList {
		c.addGroup(g.clone())
	}
	return &c
}
