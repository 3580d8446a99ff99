package db

import (
	"math/rand/v2"
	"strings"
	"testing"
)

const bitOffsetErr = "-" + errBitOffset + "\r\n"

var bitCases = []cmdCase{
	// SETBIT, GETBIT
	{"setbit getbit", [][]string{{"SETBIT", "b", "7", "1"}, {"SETBIT", "b", "7", "1"}, {"GETBIT", "b", "7"}, {"GET", "b"},
		{"SETBIT", "b", "0", "1"}, {"SETBIT", "b", "7", "0"}, {"GET", "b"}, {"GETBIT", "b", "100"}, {"SETBIT", "b", "17", "0"},
		{"STRLEN", "b"}, {"GETBIT", "nokey", "0"}},
		":0\r\n:1\r\n:1\r\n$1\r\n\x01\r\n:0\r\n:1\r\n$1\r\n\x80\r\n:0\r\n:0\r\n:3\r\n:0\r\n"},
	{"setbit errors", [][]string{{"SETBIT", "b", "7", "2"}, {"SETBIT", "b", "-1", "1"}, {"SETBIT", "b", "4294967296", "1"},
		{"SETBIT", "b", "4294967295", "x"}, {"SETBIT", "b", "x", "1"}, {"SETBIT", "b", "7", "-1"}, {"SETBIT", "b", "7", " 1"},
		{"SETBIT", "list", "0", "1"}, {"SETBIT", "list", "x", "1"}, {"SETBIT", "list", "0", "x"}, {"EXISTS", "b"}},
		"-" + errBitValue + "\r\n" + bitOffsetErr + bitOffsetErr + "-" + errBitValue + "\r\n" + bitOffsetErr +
			"-" + errBitValue + "\r\n" + "-" + errBitValue + "\r\n" + wrongType + bitOffsetErr + "-" + errBitValue + "\r\n:0\r\n"},
	{"getbit errors", [][]string{{"GETBIT", "b", "-1"}, {"GETBIT", "nokey", "x"}, {"GETBIT", "list", "0"}, {"GETBIT", "list", "x"},
		{"GETBIT", "b", "4294967296"}},
		bitOffsetErr + bitOffsetErr + wrongType + bitOffsetErr + bitOffsetErr},
	{"setbit makes raw", [][]string{{"SET", "k", "abc"}, {"SETBIT", "k", "1", "1"}, {"OBJECT", "ENCODING", "k"}}, ok + ":1\r\n$3\r\nraw\r\n"},
	{"setbit keeps ttl", [][]string{{"SET", "b", "a", "EX", "100"}, {"SETBIT", "b", "6", "1"}, {"GET", "b"}, {"TTL", "b"}},
		ok + ":0\r\n$1\r\nc\r\n:100\r\n"},

	// BITCOUNT
	{"bitcount", [][]string{{"SET", "s", "foobar"}, {"BITCOUNT", "s"}, {"BITCOUNT", "s", "0", "0"}, {"BITCOUNT", "s", "1", "1"},
		{"BITCOUNT", "s", "1", "1", "byte"}, {"BITCOUNT", "s", "5", "30", "BIT"}, {"BITCOUNT", "s", "-5", "-1", "bit"},
		{"BITCOUNT", "s", "0", "-1", "bit"}, {"BITCOUNT", "s", "100", "200", "bit"}, {"BITCOUNT", "s", "-100", "-3"},
		{"BITCOUNT", "s", "2", "1"}, {"BITCOUNT", "s", "0", "100"}, {"BITCOUNT", "s", "3", "3", "BIT"}, {"BITCOUNT", "s", "1", "46", "BIT"}},
		ok + ":26\r\n:4\r\n:6\r\n:6\r\n:17\r\n:2\r\n:26\r\n:0\r\n:19\r\n:0\r\n:26\r\n:0\r\n:26\r\n"},
	{"bitcount errors", [][]string{{"SET", "s", "foobar"}, {"BITCOUNT", "s", "-1", "-2", "FOO"}, {"BITCOUNT", "s", "1"},
		{"BITCOUNT", "s", "1", "2", "foo"}, {"BITCOUNT", "nokey", "1"}, {"BITCOUNT", "nokey", "x", "y", "z"}, {"BITCOUNT", "s", "x", "1"},
		{"BITCOUNT", "s", "0", "x"}, {"BITCOUNT", "list"}, {"BITCOUNT", "s", "1", "2", "3", "4"}, {"SET", "e", ""}, {"BITCOUNT", "e"},
		{"BITCOUNT", "e", "0", "-1"}},
		ok + ":0\r\n" + syntaxErr + syntaxErr + ":0\r\n:0\r\n" + notInt + notInt + wrongType + syntaxErr + ok + ":0\r\n:0\r\n"},
	{"bitcount long", [][]string{{"SET", "s", strings.Repeat("\xff\x01", 100)}, {"BITCOUNT", "s"}, {"BITCOUNT", "s", "3", "-4"},
		{"BITCOUNT", "s", "13", "1590", "BIT"}},
		ok + ":900\r\n:873\r\n:890\r\n"},

	// BITPOS
	{"bitpos", [][]string{{"SET", "z", "\xff\xf0\x00"}, {"BITPOS", "z", "0"}, {"BITPOS", "z", "1", "2"}, {"BITPOS", "z", "1", "2", "-1"},
		{"BITPOS", "z", "0", "0", "-1", "byte"}, {"BITPOS", "z", "0", "0", "1"}, {"BITPOS", "z", "1", "7", "15", "bit"},
		{"BITPOS", "z", "0", "7", "15", "BIT"}, {"BITPOS", "z", "0", "0", "11", "bit"}, {"BITPOS", "z", "0", "0", "12", "bit"},
		{"BITPOS", "z", "0", "0", "11"}, {"BITPOS", "z", "1", "12", "15", "bit"}, {"BITPOS", "z", "0", "0", "2"}, {"BITPOS", "z", "1"},
		{"BITPOS", "z", "1", "-1"}, {"BITPOS", "z", "1", "9", "-9", "bit"}},
		ok + ":12\r\n:-1\r\n:-1\r\n:12\r\n:12\r\n:7\r\n:12\r\n:-1\r\n:12\r\n:12\r\n:-1\r\n:12\r\n:0\r\n:-1\r\n:9\r\n"},
	{"bitpos all set", [][]string{{"SET", "o", "\xff\xff"}, {"BITPOS", "o", "0"}, {"BITPOS", "o", "0", "0"}, {"BITPOS", "o", "0", "0", "-1"},
		{"BITPOS", "o", "0", "0", "-1", "bit"}, {"BITPOS", "o", "0", "3", "-1", "bit"}, {"BITPOS", "o", "0", "100"},
		{"BITPOS", "o", "1", "100"}, {"BITPOS", "o", "1", "-100"}, {"BITPOS", "o", "1", "-1", "-1"}, {"BITPOS", "o", "0", "1", "-2"},
		{"BITPOS", "o", "0", "-1", "-2", "bit"}, {"BITPOS", "o", "0", "3", "bit"}},
		ok + ":16\r\n:16\r\n:-1\r\n:-1\r\n:-1\r\n:-1\r\n:-1\r\n:0\r\n:8\r\n:-1\r\n:-1\r\n" + notInt},
	{"bitpos errors and missing keys", [][]string{{"SET", "z", "\x00"}, {"BITPOS", "z", "2"}, {"BITPOS", "z", "x"}, {"BITPOS", "nokey", "1"},
		{"BITPOS", "nokey", "0"}, {"BITPOS", "nokey", "2"}, {"BITPOS", "nokey", "0", "x"}, {"BITPOS", "z", "0", "x"},
		{"BITPOS", "z", "0", "0", "x"}, {"BITPOS", "z", "0", "0", "x", "foo"}, {"BITPOS", "z", "0", "0", "1", "foo"},
		{"BITPOS", "list", "0"}, {"BITPOS", "list", "0", "x"}, {"BITPOS", "list", "2"}, {"BITPOS", "z", "0", "1", "2", "3", "4"},
		{"SET", "e", ""}, {"BITPOS", "e", "0"}, {"BITPOS", "e", "1"}, {"BITPOS", "e", "0", "0"}},
		ok + "-ERR The bit argument must be 1 or 0.\r\n" + notInt + ":-1\r\n:0\r\n-ERR The bit argument must be 1 or 0.\r\n:0\r\n" +
			notInt + notInt + syntaxErr + syntaxErr + wrongType + wrongType + "-ERR The bit argument must be 1 or 0.\r\n" + syntaxErr +
			ok + ":-1\r\n:-1\r\n:-1\r\n"},
	{"bitpos long", [][]string{{"SET", "s", strings.Repeat("\x00", 40) + "\x01" + strings.Repeat("\xff", 40)}, {"BITPOS", "s", "1"},
		{"BITPOS", "s", "0", "41"}, {"BITPOS", "s", "1", "1", "39"}, {"BITPOS", "s", "0", "320", "-1", "bit"}, {"BITPOS", "s", "1", "3", "326", "BIT"}},
		ok + ":327\r\n:648\r\n:-1\r\n:320\r\n:-1\r\n"},

	// BITOP
	{"bitop", [][]string{{"SET", "a", "\xff\x0f"}, {"SET", "b", "\x0f"}, {"BITOP", "AND", "d", "a", "b"}, {"GET", "d"},
		{"BITOP", "or", "d", "a", "b"}, {"GET", "d"}, {"BITOP", "Xor", "d", "a", "b"}, {"GET", "d"}, {"BITOP", "NOT", "d", "a"}, {"GET", "d"},
		{"BITOP", "AND", "d", "a", "nokey"}, {"GET", "d"}, {"BITOP", "OR", "d", "a", "nokey", "b"}, {"GET", "d"}, {"BITOP", "AND", "a", "a", "a"}, {"GET", "a"}},
		ok + ok + ":2\r\n$2\r\n\x0f\x00\r\n:2\r\n$2\r\n\xff\x0f\r\n:2\r\n$2\r\n\xf0\x0f\r\n:2\r\n$2\r\n\x00\xf0\r\n" +
			":2\r\n$2\r\n\x00\x00\r\n:2\r\n$2\r\n\xff\x0f\r\n:2\r\n$2\r\n\xff\x0f\r\n"},
	{"bitop errors", [][]string{{"SET", "a", "x"}, {"BITOP", "NOT", "d", "a", "b"}, {"BITOP", "FOO", "d", "a"}, {"BITOP", "FOO", "d", "a", "b"},
		{"BITOP", "AND", "d", "a", "list"}, {"BITOP", "NOT", "d"}, {"EXISTS", "d"}},
		ok + "-ERR BITOP NOT must be called with a single source key.\r\n" + syntaxErr + syntaxErr + wrongType +
			"-ERR wrong number of arguments for 'bitop' command\r\n:0\r\n"},
	{"bitop empty result deletes", [][]string{{"SET", "d", "x", "EX", "100"}, {"SET", "e", ""}, {"BITOP", "AND", "d", "nokey"},
		{"EXISTS", "d"}, {"SET", "d", "x"}, {"BITOP", "NOT", "d", "e"}, {"EXISTS", "d"}, {"BITOP", "OR", "list", "nokey", "e"}, {"EXISTS", "list"}},
		ok + ok + ":0\r\n:0\r\n" + ok + ":0\r\n:0\r\n:0\r\n:0\r\n"},
	{"bitop replaces kind and ttl", [][]string{{"SET", "a", "1"}, {"SET", "d", "x", "EX", "100"}, {"BITOP", "OR", "d", "a"}, {"TTL", "d"},
		{"BITOP", "OR", "list", "a"}, {"TYPE", "list"}},
		ok + ok + ":1\r\n:-1\r\n:1\r\n+string\r\n"},
}

func TestBitCommands(t *testing.T) { runStringCases(t, bitCases) }

// TestBitRangesModel checks BITCOUNT and BITPOS over random strings and
// ranges against a bit-by-bit model.
func TestBitRangesModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for range 2000 {
		s := make([]byte, rng.IntN(40))
		for i := range s {
			switch rng.IntN(3) {
			case 0:
				s[i] = 0
			case 1:
				s[i] = 0xff
			default:
				s[i] = byte(rng.IntN(256))
			}
		}
		n := int64(len(s))
		isBit := rng.IntN(2) == 0
		span := n
		if isBit {
			span *= 8
		}
		start, end := rng.Int64N(2*span+3)-span-1, rng.Int64N(2*span+3)-span-1
		lo, hi, ok := bitRange(start, end, n, isBit)

		// The model: the bits of the resolved range, one at a time.
		count, first := int64(0), [2]int64{-1, -1}
		if ok {
			for i := lo; i <= hi; i++ {
				b := bitAt(s, i)
				count += b
				if first[b] < 0 {
					first[b] = i
				}
			}
		}
		if ok && (lo < 0 || hi >= n*8 || lo > hi) {
			t.Fatalf("bitRange(%d, %d, %d, %v) = [%d, %d] outside the string", start, end, n, isBit, lo, hi)
		}
		if ok {
			if got := countBits(s, lo, hi); got != count {
				t.Fatalf("countBits(%x, %d, %d) = %d, want %d", s, lo, hi, got, count)
			}
			for bit := range int64(2) {
				if got := findBit(s, lo, hi, bit); got != first[bit] {
					t.Fatalf("findBit(%x, %d, %d, %d) = %d, want %d", s, lo, hi, bit, got, first[bit])
				}
			}
		}
	}
}
