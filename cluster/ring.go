// Package cluster spreads the keyspace over the nodes listed in redis.conf:
// a ring places every key on one node, a pool keeps pipelined connections
// to the other nodes, and the Router wraps the local executor so any node
// serves any key, forwarding what it does not own.
package cluster

import (
	"crypto/sha1"
	"encoding/hex"
	"slices"
	"strconv"

	"github.com/spaolacci/murmur3"
)

// SlotCount is the number of hash slots, as in Redis Cluster.
const SlotCount = 16384

// DefaultVirtualNodes is how many points each member gets on the ring.
// A member's share of the ring varies by about 1/sqrt(points) around the
// mean, so 4096 points keep three members within ±3% of an even split.
const DefaultVirtualNodes = 4096

// Slot returns the hash slot of key exactly as Redis Cluster computes it:
// CRC16 (XMODEM) modulo 16384 of the key, or of its hash tag when the key
// holds a '{' followed later by a '}' with at least one byte between them.
func Slot(key []byte) int {
	for i, c := range key {
		if c != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j > i+1 {
					key = key[i+1 : j]
				}
				break
			}
		}
		break
	}
	return int(crc16(key) % SlotCount)
}

// crc16 is CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection;
// a byte at a time through crcTable.
func crc16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^c]
	}
	return crc
}

// crcTable[i] is the CRC of the byte i shifted through the polynomial.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}()

// A Ring maps the hash slots to the cluster's members by consistent hashing:
// each member puts virtual nodes on a 32-bit circle at hash("addr#i"), and a
// slot belongs to the first virtual node at or after the slot's position.
// Slots sit evenly spaced on the circle (slot s at s·2^18), so a member's
// share of the slots is its share of the circle. The ring depends only on
// the set of members, not on the order they are listed in. A Ring is
// immutable and safe for concurrent use.
type Ring struct {
	members []string // sorted, no duplicates
	owner   [SlotCount]uint16
}

// NewRing builds the ring of members (host:port addresses; order and
// duplicates do not matter) with vnodes points per member, placed by hash.
// A nil hash means murmur3's 32-bit hash (seed 0). It panics on an empty member list
// or a vnodes below 1: both are programmer errors.
func NewRing(members []string, vnodes int, hash func([]byte) uint32) *Ring {
	if len(members) == 0 || vnodes < 1 {
		panic("cluster: a ring needs members and virtual nodes")
	}
	if hash == nil {
		hash = murmur32
	}
	r := &Ring{members: slices.Compact(slices.Sorted(slices.Values(members)))}
	type point struct {
		pos    uint32
		member uint16
	}
	points := make([]point, 0, len(r.members)*vnodes)
	var buf []byte
	for m, addr := range r.members {
		for i := range vnodes {
			buf = strconv.AppendInt(append(append(buf[:0], addr...), '#'), int64(i), 10)
			points = append(points, point{hash(buf), uint16(m)})
		}
	}
	// Ties between equal positions go to the smaller member, so the ring
	// is the same whatever order the members came in.
	slices.SortFunc(points, func(a, b point) int {
		if a.pos != b.pos {
			return cmpUint32(a.pos, b.pos)
		}
		return int(a.member) - int(b.member)
	})
	p := 0
	for s := range SlotCount {
		pos := uint32(s) << 18
		for p < len(points) && points[p].pos < pos {
			p++
		}
		r.owner[s] = points[p%len(points)].member
	}
	return r
}

// murmur32 is murmur3's 32-bit hash through its streaming digest:
// murmur3.Sum32 walks the bytes with uintptr arithmetic that the pointer
// checks of go test -race reject.
func murmur32(b []byte) uint32 {
	h := murmur3.New32()
	h.Write(b)
	return h.Sum32()
}

func cmpUint32(a, b uint32) int {
	if a < b {
		return -1
	}
	return 1
}

// Members returns the members sorted; the slice must not be modified.
func (r *Ring) Members() []string { return r.members }

// SlotOwner returns the member that owns slot s (0 ≤ s < SlotCount).
func (r *Ring) SlotOwner(s int) string { return r.members[r.owner[s]] }

// Owner returns the member that owns key.
func (r *Ring) Owner(key []byte) string { return r.SlotOwner(Slot(key)) }

// SlotRange is an inclusive range of slots.
type SlotRange struct{ First, Last int }

// Ranges returns the slot ranges member owns, in slot order.
func (r *Ring) Ranges(member string) []SlotRange {
	var out []SlotRange
	for _, run := range r.runs() {
		if run.member == member {
			out = append(out, run.SlotRange)
		}
	}
	return out
}

// ownedRange is a maximal range of slots with one owner.
type ownedRange struct {
	SlotRange
	member string
}

// runs returns the maximal ranges of slots with one owner, in slot order.
func (r *Ring) runs() []ownedRange {
	var out []ownedRange
	for s := range SlotCount {
		m := r.members[r.owner[s]]
		if n := len(out); n > 0 && out[n-1].member == m {
			out[n-1].Last = s
		} else {
			out = append(out, ownedRange{SlotRange{s, s}, m})
		}
	}
	return out
}

// NodeID returns the 40-hex-digit node id CLUSTER NODES shows for member:
// the SHA-1 of its address, so every node computes the same ids.
func NodeID(member string) string {
	sum := sha1.Sum([]byte(member))
	return hex.EncodeToString(sum[:])
}
