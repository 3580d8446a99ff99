package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTHPActionFor(t *testing.T) {
	tests := []struct {
		disable bool
		mode    string
		want    thpAction
	}{
		{true, "always", thpDisable}, // as Redis
		{true, "madvise", thpLeave},  // Redis: no effect
		{true, "never", thpLeave},
		{true, "", thpLeave},
		{false, "always", thpAdvise},
		{false, "madvise", thpAdvise},
		{false, "never", thpLeave},
		{false, "", thpLeave}, // no THP in this kernel
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, thpActionFor(tt.disable, tt.mode), "disable=%v mode=%q", tt.disable, tt.mode)
	}
}

// A /proc/self/maps listing of a Go server: the binary, its bss, the heap
// (two arenas' reservations, partly mapped, partly split by an earlier
// madvise) and, away from it, a C thread arena and the stack.
const testMaps = `00400000-00799000 r-xp 00000000 fe:00 9987122                            /bin/my_redis
00be7000-00c12000 rw-p 007e7000 fe:00 9987122                            /bin/my_redis
00c12000-02c4d000 rw-p 00000000 00:00 0
1900b000-1902c000 rw-p 00000000 00:00 0                                  [heap]
19de84000000-19de84800000 rw-p 00000000 00:00 0
19de84800000-19de86000000 rw-p 00000000 00:00 0
19de86000000-19de88000000 ---p 00000000 00:00 0
19de88000000-19de89000000 rw-p 00000000 00:00 0
19de89000000-19de8a000000 ---p 00000000 00:00 0
19de8c000000-19de8c100000 rw-p 00000000 00:00 0
7ff120000000-7ff120021000 rw-p 00000000 00:00 0
7ff120021000-7ff124000000 ---p 00000000 00:00 0
7ffd5b1c1000-7ffd5b1e2000 rw-p 00000000 00:00 0                          [stack]
`

func TestHeapRanges(t *testing.T) {
	heap := []addrRange{
		{0x19de84000000, 0x19de84800000},
		{0x19de84800000, 0x19de86000000},
		{0x19de88000000, 0x19de89000000},
	}
	tests := []struct {
		name  string
		probe uintptr
		want  []addrRange
	}{
		{"probe in the first arena", 0x19de84000010, heap},
		{"probe in a later mapping", 0x19de88ffffff, heap},
		{"the next run is not the heap's", 0x19de8c000000, []addrRange{{0x19de8c000000, 0x19de8c100000}}},
		{"a C arena", 0x7ff120000100, []addrRange{{0x7ff120000000, 0x7ff120021000}}},
		{"a named mapping is no run", 0x1900b000, nil},
		{"a file mapping is no run", 0x00400000, nil},
		{"nowhere", 0x10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, heapRanges(strings.NewReader(testMaps), tt.probe))
		})
	}
}
