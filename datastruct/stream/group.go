package stream

import (
	"slices"
	"strings"
)

// InvalidEntriesRead is a group's EntriesRead when its count of entries
// read is not known.
const InvalidEntriesRead = -1

// Group is a consumer group: where its deliveries stand, its consumers and
// the entries delivered to them but not acknowledged (the PEL), indexed by
// ID for the group and for each consumer. The group's index holds the
// entries themselves, so that a delivery allocates nothing; a consumer's
// holds their IDs.
type Group struct {
	name        string
	LastID      ID    // the last ID delivered to a consumer
	EntriesRead int64 // the logical count of entries read, or InvalidEntriesRead
	pel         index[Pending]
	consumers   map[string]*Consumer
	names       int // the bytes of the consumers' names, for memory
}

// Pending is a delivered, unacknowledged entry. A *Pending the group hands
// out points into its PEL: it stays valid until an entry is added to or
// removed from the group's PEL (a delivery of a new entry, an
// acknowledgement, a consumer deleted), and changes made through it are
// the entry's.
type Pending struct {
	DeliveryTime  int64  // unix ms of the last delivery
	DeliveryCount uint64 // deliveries so far
	Consumer      *Consumer
}

// Consumer is one consumer of a group.
type Consumer struct {
	Name     string
	SeenTime int64 // unix ms of its last attempted interaction
	group    *Group
	pel      index[struct{}]
}

// Group returns the group called name, or nil.
func (s *Stream) Group(name string) *Group { return s.groups[name] }

// GroupCount returns the number of groups.
func (s *Stream) GroupCount() int { return len(s.groups) }

// CreateGroup adds a group called name, and returns it, or nil if there is
// one already.
func (s *Stream) CreateGroup(name string, lastID ID, entriesRead int64) *Group {
	if s.groups[name] != nil {
		return nil
	}
	g := &Group{name: name, LastID: lastID, EntriesRead: entriesRead, consumers: make(map[string]*Consumer)}
	s.addGroup(g)
	return g
}

// addGroup adds g, whose name no group has.
func (s *Stream) addGroup(g *Group) {
	if s.groups == nil {
		s.groups = make(map[string]*Group)
	}
	s.groups[g.name] = g
	s.groupList = append(s.groupList, g)
}

// DestroyGroup removes the group called name and reports whether it was
// there.
func (s *Stream) DestroyGroup(name string) bool {
	g := s.groups[name]
	if g == nil {
		return false
	}
	delete(s.groups, name)
	s.groupList = slices.DeleteFunc(s.groupList, func(o *Group) bool { return o == g })
	return true
}

// ForEachGroup calls fn for every group in name order.
func (s *Stream) ForEachGroup(fn func(name string, g *Group)) {
	for _, name := range sortedKeys(s.groups) {
		fn(name, s.groups[name])
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, strings.Compare)
	return keys
}

// RangeHasTombstones reports whether an entry between start and end
// (inclusive) may have been deleted by XDEL, as Redis judges it from the
// largest deleted ID.
func (s *Stream) RangeHasTombstones(start, end ID) bool {
	if s.length == 0 || s.MaxDeletedID.IsZero() || s.MaxDeletedID.Less(s.first) {
		return false
	}
	return !s.MaxDeletedID.Less(start) && !end.Less(s.MaxDeletedID)
}

// EntriesBefore returns the logical count of entries added up to and
// including id (its distance from the first entry ever added), when Redis
// can tell it; otherwise InvalidEntriesRead.
func (s *Stream) EntriesBefore(id ID) int64 {
	added := int64(s.EntriesAdded)
	switch {
	case added == 0:
		return 0
	case s.length == 0 && !s.LastID.Less(id):
		return added
	case id == s.LastID:
		return added
	case s.LastID.Less(id):
		return InvalidEntriesRead
	}
	if s.MaxDeletedID.IsZero() || s.MaxDeletedID.Less(s.first) {
		switch id.Compare(s.first) {
		case -1:
			return added - int64(s.length)
		case 0:
			return added - int64(s.length) + 1
		}
	}
	return InvalidEntriesRead
}

// Lag returns how many entries g has yet to be delivered, and false when
// that cannot be told.
func (s *Stream) Lag(g *Group) (int64, bool) {
	if s.EntriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != InvalidEntriesRead && !s.RangeHasTombstones(g.LastID, MaxID) {
		return int64(s.EntriesAdded) - g.EntriesRead, true
	}
	if read := s.EntriesBefore(g.LastID); read != InvalidEntriesRead {
		return int64(s.EntriesAdded) - read, true
	}
	return 0, false
}

// Delivered records that the entry id, past g.LastID, was read by the
// group: LastID moves to it and EntriesRead follows.
func (s *Stream) Delivered(g *Group, id ID) {
	if g.EntriesRead != InvalidEntriesRead && !s.RangeHasTombstones(id, MaxID) {
		g.EntriesRead++
	} else if s.EntriesAdded != 0 {
		g.EntriesRead = s.EntriesBefore(id)
	}
	g.LastID = id
}

// Consumer returns the consumer called name, or nil.
func (g *Group) Consumer(name string) *Consumer { return g.consumers[name] }

// CreateConsumer adds a consumer called name seen at now, and returns it,
// or nil if there is one already.
func (g *Group) CreateConsumer(name string, now int64) *Consumer {
	if g.consumers[name] != nil {
		return nil
	}
	c := &Consumer{Name: name, SeenTime: now, group: g}
	g.consumers[name] = c
	g.names += len(name)
	return c
}

// DeleteConsumer removes the consumer called name with its pending
// entries, and returns how many it had; ok is false when there is none.
func (g *Group) DeleteConsumer(name string) (pending int, ok bool) {
	c := g.consumers[name]
	if c == nil {
		return 0, false
	}
	for cur := c.pel.First(); cur.Valid(); cur.Next() {
		g.pel.Delete(cur.Key())
	}
	delete(g.consumers, name)
	g.names -= len(name)
	return c.pel.Len(), true
}

// ConsumerCount returns the number of consumers.
func (g *Group) ConsumerCount() int { return len(g.consumers) }

// ForEachConsumer calls fn for each consumer in name order.
func (g *Group) ForEachConsumer(fn func(c *Consumer)) {
	for _, name := range sortedKeys(g.consumers) {
		fn(g.consumers[name])
	}
}

// PendingCount returns the size of the group's PEL.
func (g *Group) PendingCount() int { return g.pel.Len() }

// PendingBounds returns the smallest and largest IDs in the PEL, which
// must not be empty.
func (g *Group) PendingBounds() (first, last ID) {
	f, l := g.pel.First(), g.pel.Last()
	return f.Key(), l.Key()
}

// PendingCount returns the size of the consumer's PEL.
func (c *Consumer) PendingCount() int { return c.pel.Len() }

// Pending returns the PEL entry for id, or nil.
func (g *Group) Pending(id ID) *Pending { return g.pel.Ptr(id) }

// Deliver records that entry id was delivered to c at now: a new PEL
// entry with one delivery, or, if the entry was pending already (with c or
// another consumer), that entry moved to c with its count reset to one.
func (g *Group) Deliver(id ID, c *Consumer, now int64) *Pending {
	if p := g.Pending(id); p != nil {
		g.MoveTo(id, p, c)
		p.DeliveryTime, p.DeliveryCount = now, 1
		return p
	}
	return g.AddPending(id, c, now, 1)
}

// AddPending adds a PEL entry for id owned by c; the entry must not be
// pending already.
func (g *Group) AddPending(id ID, c *Consumer, deliveryTime int64, count uint64) *Pending {
	p := g.pel.Set(id, Pending{DeliveryTime: deliveryTime, DeliveryCount: count, Consumer: c})
	c.pel.Set(id, struct{}{})
	return p
}

// MoveTo hands the pending entry id, p, to consumer c.
func (g *Group) MoveTo(id ID, p *Pending, c *Consumer) {
	if p.Consumer == c {
		return
	}
	p.Consumer.pel.Delete(id)
	p.Consumer = c
	c.pel.Set(id, struct{}{})
}

// Ack removes id from the PEL and reports whether it was there.
func (g *Group) Ack(id ID) bool {
	p := g.Pending(id)
	if p == nil {
		return false
	}
	p.Consumer.pel.Delete(id)
	g.pel.Delete(id)
	return true
}

// PendingRange calls fn for the group's PEL entries with start <= ID <=
// end, in ID order, until fn returns false. fn may Ack the entry it is
// given, or hand it to another consumer.
func (g *Group) PendingRange(start, end ID, fn func(id ID, p *Pending) bool) {
	keysFrom(&g.pel, start, end, func(id ID) bool { return fn(id, g.Pending(id)) })
}

// PendingRange is Group.PendingRange for the consumer's own entries.
func (c *Consumer) PendingRange(start, end ID, fn func(id ID, p *Pending) bool) {
	keysFrom(&c.pel, start, end, func(id ID) bool { return fn(id, c.group.Pending(id)) })
}

// keysFrom calls fn for each key of ix with start <= key <= end, in
// order, until fn returns false; fn may change ix.
func keysFrom[V any](ix *index[V], start, end ID, fn func(ID) bool) {
	for cur := ix.SeekGE(start); cur.Valid(); {
		id := cur.Key()
		if end.Less(id) || !fn(id) {
			return
		}
		next, ok := id.Next()
		if !ok {
			return
		}
		cur = ix.SeekGE(next) // fn may have changed the index
	}
}

// clone returns a deep copy of the group.
func (g *Group) clone() *Group {
	c := &Group{name: g.name, LastID: g.LastID, EntriesRead: g.EntriesRead, names: g.names,
		consumers: make(map[string]*Consumer, len(g.consumers))}
	copies := make(map[*Consumer]*Consumer, len(g.consumers))
	for name, cons := range g.consumers {
		nc := &Consumer{Name: name, SeenTime: cons.SeenTime, group: c, pel: cons.pel.clone(nil)}
		c.consumers[name] = nc
		copies[cons] = nc
	}
	c.pel = g.pel.clone(func(p Pending) Pending {
		p.Consumer = copies[p.Consumer]
		return p
	})
	return c
}

// consumerBytes estimates what a consumer takes besides its name and its
// PEL's keys: the struct, its slot in the group's map, and its PEL's
// directory with one leaf.
const consumerBytes = 64 + 32 + 8 + 48

// memory estimates the bytes the group takes, in constant time: its PEL
// (an entry is 24 bytes), and its consumers with theirs, whose keys are
// together as many as the group's.
func (g *Group) memory() int {
	return 96 + g.pel.memory(24) + g.names + len(g.consumers)*consumerBytes + g.pel.Len()*16
}
