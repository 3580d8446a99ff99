package stream

import "encoding/binary"

// NodeCount returns the number of nodes (XINFO STREAM's radix-tree-keys).
func (s *Stream) NodeCount() int { return s.nodes.Len() }

// RadixNodes returns how many nodes Redis's radix tree would have with
// the node keys of s (XINFO STREAM's radix-tree-nodes): Redis indexes its
// nodes by the 16 big-endian bytes of their first IDs in a rax, where a
// branching node holds one byte per child, a longer edge below it takes a
// compressed node of its own, and a chain with no branch is one
// compressed node.
func (s *Stream) RadixNodes() int {
	keys := make([][16]byte, 0, s.nodes.Len())
	for c := s.nodes.First(); c.Valid(); c.Next() {
		var k [16]byte
		id := c.Key()
		binary.BigEndian.PutUint64(k[:8], id.Ms)
		binary.BigEndian.PutUint64(k[8:], id.Seq)
		keys = append(keys, k)
	}
	switch len(keys) {
	case 0:
		return 1 // the empty root
	case 1:
		return 2 // a compressed root, then the key's leaf
	}
	n := raxBranch(keys)
	if commonPrefix(&keys[0], &keys[len(keys)-1]) > 0 {
		n++ // a compressed root leads to the first branch
	}
	return n
}

// raxBranch counts the rax nodes of keys (sorted, at least two) from their
// first branching node down.
func raxBranch(keys [][16]byte) int {
	depth := commonPrefix(&keys[0], &keys[len(keys)-1])
	n := 1
	for lo := 0; lo < len(keys); {
		hi := lo + 1
		for hi < len(keys) && keys[hi][depth] == keys[lo][depth] {
			hi++
		}
		childDepth := 16 // a leaf
		if hi-lo > 1 {
			childDepth = commonPrefix(&keys[lo], &keys[hi-1])
			n += raxBranch(keys[lo:hi])
		} else {
			n++
		}
		if childDepth-depth > 1 {
			n++ // the rest of the edge, compressed
		}
		lo = hi
	}
	return n
}

func commonPrefix(a, b *[16]byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return 16
}
