package cluster

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestSlot(t *testing.T) {
	// Values from Redis's CLUSTER KEYSLOT.
	tests := []struct {
		key  string
		slot int
	}{
		{"", 0},
		{"foo", 12182},
		{"bar", 5061},
		{"123456789", 12739}, // the CRC16/XMODEM check value 0x31C3
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"user1000", 3443},
		{"foo{}{bar}", 8363}, // empty tag: the whole key is hashed
		{"foo{{bar}}zap", Slot([]byte("{bar"))},
		{"foo{bar}{zap}", Slot([]byte("bar"))},
		{"{", Slot([]byte("{"))},
	}
	for _, tt := range tests {
		if got := Slot([]byte(tt.key)); got != tt.slot {
			t.Errorf("Slot(%q) = %d, want %d", tt.key, got, tt.slot)
		}
	}
}

// byName is a hash a test can reason about: "A#3" hashes to the number
// given for it, anything else (which no ring asks for here) to 0.
func byName(points map[string]uint32) func([]byte) uint32 {
	return func(b []byte) uint32 { return points[string(b)] }
}

func TestRingByHand(t *testing.T) {
	// One point each: A at slot 100's position, B at slot 9000's.
	r := NewRing([]string{"B", "A"}, 1, byName(map[string]uint32{"A#0": 100 << 18, "B#0": 9000 << 18}))
	for _, tt := range []struct {
		slot  int
		owner string
	}{{0, "A"}, {100, "A"}, {101, "B"}, {9000, "B"}, {9001, "A"}, {SlotCount - 1, "A"}} {
		if got := r.SlotOwner(tt.slot); got != tt.owner {
			t.Errorf("slot %d: owner %s, want %s", tt.slot, got, tt.owner)
		}
	}
	if got := fmt.Sprint(r.Ranges("A")); got != "[{0 100} {9001 16383}]" {
		t.Errorf("ranges of A: %s", got)
	}
	if got := fmt.Sprint(r.Ranges("B")); got != "[{101 9000}]" {
		t.Errorf("ranges of B: %s", got)
	}
	// A tie goes to the smaller member whatever the order.
	tie := byName(map[string]uint32{"A#0": 5 << 18, "B#0": 5 << 18})
	for _, list := range [][]string{{"A", "B"}, {"B", "A"}} {
		if got := NewRing(list, 1, tie).SlotOwner(0); got != "A" {
			t.Errorf("%v: tie owner %s", list, got)
		}
	}
}

var three = []string{"127.0.0.1:7001", "127.0.0.2:7002", "127.0.0.3:7003"}

// TestRingBalance checks the split at the key level: 100k random keys
// spread over three members within ±3% (relative) of a third each.
func TestRingBalance(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for _, members := range [][]string{three, {"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"}} {
		r := NewRing(members, DefaultVirtualNodes, nil)
		counts := map[string]int{}
		const n = 100_000
		for range n {
			counts[r.Owner(strconv.AppendUint(nil, rng.Uint64(), 36))]++
		}
		for _, m := range members {
			if share := float64(counts[m]) * 3 / n; share < 0.97 || share > 1.03 {
				t.Errorf("%v: %s has %d keys, %.3f of an even share", members, m, counts[m], share)
			}
		}
	}
}

func TestRingOrderIndependent(t *testing.T) {
	a := NewRing(three, DefaultVirtualNodes, nil)
	b := NewRing([]string{three[2], three[0], three[1], three[0]}, DefaultVirtualNodes, nil)
	if a.owner != b.owner {
		t.Fatal("rings of permuted members differ")
	}
	if strings.Join(b.Members(), ",") != strings.Join(three, ",") {
		t.Fatalf("members %v", b.Members())
	}
}

func TestRingAddMember(t *testing.T) {
	before := NewRing(three, DefaultVirtualNodes, nil)
	after := NewRing(append([]string{"127.0.0.4:7004"}, three...), DefaultVirtualNodes, nil)
	moved := 0
	for s := range SlotCount {
		if o := after.SlotOwner(s); o != before.SlotOwner(s) {
			moved++
			if o != "127.0.0.4:7004" {
				t.Fatalf("slot %d moved between old members", s)
			}
		}
	}
	// About a quarter of the slots go to the new member.
	if frac := float64(moved) / SlotCount; frac < 0.22 || frac > 0.28 {
		t.Errorf("%d slots moved (%.3f), want about 1/4", moved, frac)
	}
}

func TestHashTagsColocate(t *testing.T) {
	r := NewRing(three, DefaultVirtualNodes, nil)
	for i := range 1000 {
		tag := "{user" + strconv.Itoa(i) + "}"
		if r.Owner([]byte(tag+".a")) != r.Owner([]byte("x"+tag+"b")) {
			t.Fatalf("keys tagged %s on different nodes", tag)
		}
	}
}
