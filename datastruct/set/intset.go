package set

import (
	"encoding/binary"
	"math"
)

// intset is a sorted set of integers in one byte slice, as Redis's intset:
// a width byte (1, 2, 4 or 8), then the members in increasing order, each
// in that many bytes, little endian. The width is the smallest that fits
// every member the set was ever given: it grows when a wider member comes
// and never shrinks. nil is the empty intset. Redis's narrowest width is
// 2; members from -128 to 127 take 1 byte here, so ten of them fit the
// 16-byte size class.
type intset []byte

// widthOf returns the bytes n needs: 1 for an int8, 2 for an int16, 4 for
// an int32, else 8.
func widthOf(n int64) int {
	switch {
	case n >= math.MinInt8 && n <= math.MaxInt8:
		return 1
	case n >= math.MinInt16 && n <= math.MaxInt16:
		return 2
	case n >= math.MinInt32 && n <= math.MaxInt32:
		return 4
	}
	return 8
}

// width returns the bytes of each member.
func (is intset) width() int {
	if len(is) == 0 {
		return 1
	}
	return int(is[0])
}

// len returns the number of members.
func (is intset) len() int {
	if len(is) == 0 {
		return 0
	}
	return (len(is) - 1) / is.width()
}

// at returns the i-th smallest member.
func (is intset) at(i int) int64 {
	w := is.width()
	b := is[1+i*w:]
	switch w {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	}
	return int64(binary.LittleEndian.Uint64(b))
}

// put writes n as the i-th member, in w bytes.
func (is intset) put(i, w int, n int64) {
	b := is[1+i*w:]
	switch w {
	case 1:
		b[0] = byte(n)
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(n))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(n))
	default:
		binary.LittleEndian.PutUint64(b, uint64(n))
	}
}

// search returns where n is, or would be inserted, and whether it is there.
func (is intset) search(n int64) (int, bool) {
	if widthOf(n) > is.width() {
		// Wider than every member: past one end.
		if n < 0 {
			return 0, false
		}
		return is.len(), false
	}
	lo, hi := 0, is.len()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch v := is.at(mid); {
		case v < n:
			lo = mid + 1
		case v > n:
			hi = mid
		default:
			return mid, true
		}
	}
	return lo, false
}

// insert returns is with n, which is absent, inserted at i (from search),
// widening every member when n needs it. The array is reallocated to its
// allocation's size class when it must grow.
func (is intset) insert(i int, n int64) intset {
	w, size := is.width(), is.len()
	if nw := widthOf(n); nw > w {
		wide := allocIntset(1 + (size+1)*nw)
		wide[0] = byte(nw)
		for j := range size {
			v := is.at(j)
			if j >= i {
				wide.put(j+1, nw, v)
			} else {
				wide.put(j, nw, v)
			}
		}
		wide.put(i, nw, n)
		return wide
	}
	need := 1 + (size+1)*w
	if need > cap(is) {
		grown := allocIntset(need)
		copy(grown, is)
		grown[0] = byte(w)
		is = grown
	} else {
		is = is[:need]
		is[0] = byte(w)
	}
	copy(is[1+(i+1)*w:], is[1+i*w:need-w])
	is.put(i, w, n)
	return is
}

// delete returns is without its i-th member; the empty intset is nil.
func (is intset) delete(i int) intset {
	w, size := is.width(), is.len()
	if size == 1 {
		return nil
	}
	copy(is[1+i*w:], is[1+(i+1)*w:])
	is = is[:len(is)-w]
	if len(is) < cap(is)/2 && cap(is) > 32 {
		is = append(allocIntset(len(is))[:0], is...)
	}
	return is
}

// allocIntset returns n bytes whose capacity is their allocation's size
// class.
func allocIntset(n int) intset {
	return append(intset(nil), make([]byte, n)...)
}
