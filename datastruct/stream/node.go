package stream

import (
	"encoding/binary"
	"slices"
)

// NodeLimits bound a node, as Redis's stream-node-max-entries and
// stream-node-max-bytes do: a node takes no more entries (deleted ones
// included) once it has MaxEntries, nor one that would take its bytes to
// MaxBytes; 0 means no limit. Approximate trimming drops whole nodes, so
// keeping Redis's boundaries keeps its results.
type NodeLimits struct {
	MaxEntries, MaxBytes int
}

// DefaultNodeLimits are Redis's defaults.
var DefaultNodeLimits = NodeLimits{MaxEntries: 100, MaxBytes: 4096}

// Entry flags, the first byte of each entry.
const (
	flagDeleted    = 1 << 0 // marked deleted; skipped by reads
	flagSameFields = 1 << 1 // the fields are the master entry's: only values are stored
)

// A node holds consecutive entries in one byte buffer, as Redis's
// listpacks do. The buffer starts with the master fields (the first
// entry's field names: a count, then each name) and then holds the
// entries, each as
//
//	flags, uvarint(ms - master.Ms), zigzag varint(seq - master.Seq),
//	then either each value (flagSameFields) or a count and field, value pairs,
//
// every string a uvarint length and its bytes. offs holds where each entry
// starts, so that a node is searched by binary search and walked both ways.
//
// A node's live entries are always in ID order, but a deleted one may be
// greater than entries after it: XSETID may move the stream's last ID back
// past deleted entries, and the next XADD appends to the same node, as in
// Redis. Such a node is unordered: it is walked from its ends, as Redis
// walks every node, skipping deleted entries before comparing IDs.
type node struct {
	master    ID // the first entry's ID, the node's key in the index
	buf       []byte
	offs      []uint32
	fields    [][]byte // the master fields, slices of buf whose cap locates them
	live      int      // entries not marked deleted
	unordered bool     // an entry follows a greater one (see above)
}

// newNode returns a node whose master entry is id with fields fv (field,
// value, ...). prev, if not nil, is the node before it: the new node's
// buffers are sized as prev's ended up, plus a little, since consecutive
// entries tend to be alike. Growing by appending would leave garbage
// about the size of every node, and sealing a node copies it only when
// its slack is large.
func newNode(id ID, fv [][]byte, prev *node, lim NodeLimits) *node {
	n := &node{master: id}
	nf := len(fv) / 2
	size := binary.MaxVarintLen64
	for i := 0; i < len(fv); i += 2 {
		size += binary.MaxVarintLen64 + len(fv[i])
	}
	size += entrySize(fv, false) + 64
	entries := 8
	if prev != nil {
		next := len(prev.buf) + len(prev.buf)/16
		if lim.MaxBytes > 0 {
			next = min(next, lim.MaxBytes+size)
		}
		size, entries = max(size, next), len(prev.offs)
	}
	n.buf = make([]byte, 0, size)
	n.offs = make([]uint32, 0, entries)
	n.buf = binary.AppendUvarint(n.buf, uint64(nf))
	starts := make([]int, nf)
	for i := 0; i < nf; i++ {
		n.buf = binary.AppendUvarint(n.buf, uint64(len(fv[2*i])))
		starts[i] = len(n.buf)
		n.buf = append(n.buf, fv[2*i]...)
	}
	n.fields = make([][]byte, nf)
	for i, s := range starts {
		n.fields[i] = n.buf[s : s+len(fv[2*i])] // uncapped: cap locates it in buf
	}
	return n
}

// entrySize bounds the bytes an entry with fields fv takes.
func entrySize(fv [][]byte, same bool) int {
	n := 1 + 2*binary.MaxVarintLen64
	for i, b := range fv {
		if !same || i%2 == 1 {
			n += uvarintLen(uint64(len(b))) + len(b)
		}
	}
	if !same {
		n += uvarintLen(uint64(len(fv) / 2))
	}
	return n
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// sameFields reports whether fv's field names are the master fields.
func (n *node) sameFields(fv [][]byte) bool {
	if len(fv)/2 != len(n.fields) {
		return false
	}
	for i, f := range n.fields {
		if string(fv[2*i]) != string(f) {
			return false
		}
	}
	return true
}

// full reports whether the node takes no entry of size more bytes.
func (n *node) full(size int, lim NodeLimits) bool {
	return lim.MaxBytes > 0 && len(n.buf)+size >= lim.MaxBytes ||
		lim.MaxEntries > 0 && len(n.offs) >= lim.MaxEntries
}

// append adds the entry id with fields fv; id is past every live entry's.
func (n *node) append(id ID, fv [][]byte, same bool) {
	if len(n.offs) > 0 && !n.lastID().Less(id) {
		n.unordered = true
	}
	// The master fields live in buf: keep them valid if it moves.
	n.offs = append(n.offs, uint32(len(n.buf)))
	var flags byte
	if same {
		flags = flagSameFields
	}
	b := append(n.buf, flags)
	b = binary.AppendUvarint(b, id.Ms-n.master.Ms)
	b = binary.AppendVarint(b, int64(id.Seq-n.master.Seq))
	if !same {
		b = binary.AppendUvarint(b, uint64(len(fv)/2))
	}
	for i, s := range fv {
		if !same || i%2 == 1 {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	n.setBuf(b)
	n.live++
}

// setBuf replaces buf, pointing the master fields into the new buffer.
func (n *node) setBuf(b []byte) {
	if len(n.buf) > 0 && len(b) > 0 && &b[0] != &n.buf[0] {
		for i, f := range n.fields {
			off := cap(n.buf) - cap(f)
			n.fields[i] = b[off : off+len(f)]
		}
	}
	n.buf = b
}

// seal trims the node's buffers to their length, once it takes no more
// entries, when their spare capacity is more than an eighth: it would
// otherwise be kept for good.
func (n *node) seal() {
	if cap(n.buf)-len(n.buf) > len(n.buf)/8 {
		n.setBuf(slices.Clip(slices.Clone(n.buf)))
	}
	if cap(n.offs)-len(n.offs) > len(n.offs)/8 {
		n.offs = slices.Clip(slices.Clone(n.offs))
	}
}

// id returns the ID of entry i and its flags.
func (n *node) id(i int) (ID, byte) {
	p := n.buf[n.offs[i]:]
	flags := p[0]
	dms, k := binary.Uvarint(p[1:])
	dseq, _ := binary.Varint(p[1+k:])
	return ID{n.master.Ms + dms, n.master.Seq + uint64(dseq)}, flags
}

// entry appends entry i's field, value pairs to fv and returns its ID and
// flags. The appended slices point into the node: they stay valid until
// the node changes.
func (n *node) entry(i int, fv [][]byte) (ID, byte, [][]byte) {
	p := n.buf[n.offs[i]:]
	flags := p[0]
	p = p[1:]
	dms, k := binary.Uvarint(p)
	p = p[k:]
	dseq, k := binary.Varint(p)
	p = p[k:]
	str := func() []byte {
		l, k := binary.Uvarint(p)
		s := p[k : k+int(l) : k+int(l)]
		p = p[k+int(l):]
		return s
	}
	if flags&flagSameFields != 0 {
		for _, f := range n.fields {
			fv = append(fv, f[:len(f):len(f)], str())
		}
	} else {
		nf, k := binary.Uvarint(p)
		p = p[k:]
		for range nf {
			f := str()
			fv = append(fv, f, str())
		}
	}
	return ID{n.master.Ms + dms, n.master.Seq + uint64(dseq)}, flags, fv
}

// markDeleted marks entry i deleted; it must be live.
func (n *node) markDeleted(i int) {
	n.buf[n.offs[i]] |= flagDeleted
	n.live--
}

// search returns the position of the first entry whose ID is >= id.
func (n *node) search(id ID) int {
	lo, hi := 0, len(n.offs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e, _ := n.id(m); e.Less(id) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// walkFrom returns where a forward walk for the IDs from start begins:
// the first entry at or after start in an ordered node, the first entry in
// an unordered one (the walk skips what is before start).
func (n *node) walkFrom(start ID) int {
	if n.unordered {
		return 0
	}
	return n.search(start)
}

// walkTo returns where a backward walk for the IDs up to end begins: one
// past the last entry at or before end in an ordered node, one past the
// last entry in an unordered one (the walk skips what is after end).
func (n *node) walkTo(end ID) int {
	if n.unordered {
		return len(n.offs)
	}
	i := n.search(end)
	if i < len(n.offs) {
		if id, _ := n.id(i); id == end {
			i++
		}
	}
	return i
}

// find returns the position of the live entry id, or -1.
func (n *node) find(id ID) int {
	for i := n.walkFrom(id); i < len(n.offs); i++ {
		got, flags := n.id(i)
		if got == id && flags&flagDeleted == 0 {
			return i
		}
		if !n.unordered {
			break
		}
	}
	return -1
}

// lastID returns the ID of the node's last entry, deleted or not.
func (n *node) lastID() ID {
	id, _ := n.id(len(n.offs) - 1)
	return id
}

// clone returns a deep copy of the node.
func (n *node) clone() *node {
	c := &node{master: n.master, live: n.live, unordered: n.unordered, offs: slices.Clone(n.offs), fields: make([][]byte, len(n.fields))}
	c.buf = slices.Clone(n.buf)
	for i, f := range n.fields {
		off := cap(n.buf) - cap(f)
		c.fields[i] = c.buf[off : off+len(f)]
	}
	return c
}

// memory returns the bytes the node takes.
func (n *node) memory() int {
	return 104 + cap(n.buf) + 4*cap(n.offs) + 24*cap(n.fields)
}
