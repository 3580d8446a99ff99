package db

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseEventClasses(t *testing.T) {
	for _, tt := range []struct {
		letters string
		want    EventClass
	}{
		{"", 0},
		{"KEA", EventKeyspace | EventKeyevent | EventGeneric | EventString | EventList | EventSet | EventHash | EventZSet | EventExpired | EventEvicted | EventStream},
		{"Kt", EventKeyspace | EventStream},
		{"Kx", EventKeyspace | EventExpired},
		{"En$", EventKeyevent | EventNew | EventString},
	} {
		if got := ParseEventClasses(tt.letters); got != tt.want {
			t.Errorf("ParseEventClasses(%q) = %b, want %b", tt.letters, got, tt.want)
		}
	}
}

func TestNotifyChannels(t *testing.T) {
	ks := New(NewTable(), 16)
	var got []string
	ks.OnNotify(func(ch, msg []byte) { got = append(got, string(ch)+" "+string(msg)) })
	cl := &Client{}
	run(ks, cl, []string{"SET", "quiet", "v"}) // off: nothing
	ks.SetNotifications(ParseEventClasses("KEA"))
	run(ks, cl, []string{"SELECT", "2"}, []string{"SET", "k", "v", "PX", "1"})
	ks.SetNotifications(ParseEventClasses("Kx")) // only expiry, keyspace channel
	time.Sleep(3 * time.Millisecond)
	run(ks, cl, []string{"GET", "k"})
	ks.SetNotifications(ParseEventClasses("En"))
	run(ks, cl, []string{"SET", "fresh", "v"})
	want := []string{"__keyspace@2__:k set", "__keyevent@2__:set k", "__keyspace@2__:k expired", "__keyevent@2__:new fresh"}
	if len(got) < len(want) {
		t.Fatalf("events %q, want at least %q", got, want)
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing event %q in %q", w, got)
		}
	}
	for _, g := range got {
		if g == "__keyspace@0__:quiet set" {
			t.Errorf("event fired while notifications were off")
		}
	}
}

// notifyCase runs setup with notifications off, then cmds with the
// classes given ("EA" if empty) and expects the keyevent events, each as
// "<db> <event> <key>", in order.
type notifyCase struct {
	name    string
	classes string
	setup   [][]string
	cmds    [][]string
	want    []string
}

// The expected events were taken from Redis 7.0.15 with the same commands.
var notifyCases = []notifyCase{
	// Strings and bitmaps.
	{name: "set", cmds: [][]string{{"SET", "k", "v"}, {"SET", "k", "w", "GET"}, {"SET", "k", "x", "KEEPTTL"}},
		want: []string{"0 set k", "0 set k", "0 set k"}},
	{name: "set with expiry", cmds: [][]string{{"SET", "k", "v", "EX", "100"}, {"SETEX", "a", "10", "v"}, {"PSETEX", "b", "1000", "v"}},
		want: []string{"0 set k", "0 expire k", "0 set a", "0 expire a", "0 set b", "0 expire b"}},
	{name: "set refused", setup: [][]string{{"SET", "k", "v"}},
		cmds: [][]string{{"SET", "k", "w", "NX"}, {"SET", "n", "w", "XX"}, {"SETNX", "k", "w"}, {"SETNX", "n", "w"}, {"GETSET", "k", "x"}},
		want: []string{"0 set n", "0 set k"}},
	{name: "mset", setup: [][]string{{"SET", "a", "v"}},
		cmds: [][]string{{"MSET", "a", "1", "b", "2"}, {"MSETNX", "a", "1", "c", "3"}, {"MSETNX", "c", "3", "d", "4"}},
		want: []string{"0 set a", "0 set b", "0 set c", "0 set d"}},
	{name: "new", classes: "En$", cmds: [][]string{{"SET", "k", "v"}, {"SET", "k", "w"}},
		want: []string{"0 new k", "0 set k", "0 set k"}},
	{name: "getex getdel", setup: [][]string{{"SET", "k", "v"}, {"SET", "p", "v"}},
		cmds: [][]string{{"GETEX", "k", "EX", "100"}, {"GETEX", "k", "PERSIST"}, {"GETEX", "k", "PERSIST"}, {"GETEX", "k"},
			{"GETEX", "k", "EXAT", "1"}, {"GETDEL", "p"}, {"GETDEL", "p"}},
		want: []string{"0 expire k", "0 persist k", "0 del k", "0 del p"}},
	{name: "counters", cmds: [][]string{{"INCR", "n"}, {"DECRBY", "n", "2"}, {"INCRBYFLOAT", "n", "1.5"}, {"INCR", "n"}},
		want: []string{"0 incrby n", "0 incrby n", "0 incrbyfloat n"}},
	{name: "append setrange", cmds: [][]string{{"APPEND", "s", "x"}, {"SETRANGE", "s", "0", ""}, {"SETRANGE", "s", "1", "y"}, {"SETRANGE", "t", "0", ""}},
		want: []string{"0 append s", "0 setrange s"}},
	{name: "setbit", cmds: [][]string{{"SETBIT", "b", "3", "1"}, {"SETBIT", "b", "3", "1"}, {"SETBIT", "b", "3", "0"}},
		want: []string{"0 setbit b", "0 setbit b"}},
	{name: "bitop", setup: [][]string{{"SET", "a", "x"}},
		cmds: [][]string{{"BITOP", "AND", "d", "a"}, {"BITOP", "AND", "d", "none"}, {"BITOP", "AND", "d", "none"}},
		want: []string{"0 set d", "0 del d"}},

	// Generic key commands.
	{name: "del", setup: [][]string{{"SET", "a", "1"}, {"SET", "b", "1"}},
		cmds: [][]string{{"DEL", "a", "c"}, {"UNLINK", "b"}, {"DEL", "b"}},
		want: []string{"0 del a", "0 del b"}},
	{name: "expire persist", setup: [][]string{{"SET", "k", "v"}},
		cmds: [][]string{{"EXPIRE", "k", "100"}, {"EXPIRE", "k", "100", "NX"}, {"PERSIST", "k"}, {"PERSIST", "k"}, {"PEXPIREAT", "k", "1"}, {"EXPIRE", "k", "1"}},
		want: []string{"0 expire k", "0 persist k", "0 del k"}},
	{name: "rename", classes: "EAn", setup: [][]string{{"SET", "a", "1"}, {"SET", "c", "1"}},
		cmds: [][]string{{"RENAME", "a", "a"}, {"RENAME", "a", "b"}, {"RENAME", "b", "c"}, {"RENAMENX", "c", "c"}, {"RENAMENX", "c", "d"}},
		want: []string{"0 new b", "0 rename_from a", "0 rename_to b", "0 new c", "0 rename_from b", "0 rename_to c",
			"0 new d", "0 rename_from c", "0 rename_to d"}},
	{name: "move copy", classes: "EAn", setup: [][]string{{"SET", "a", "1"}},
		cmds: [][]string{{"MOVE", "a", "1"}, {"MOVE", "a", "1"}, {"SELECT", "1"}, {"COPY", "a", "b"}, {"COPY", "a", "b"},
			{"COPY", "a", "b", "REPLACE"}, {"COPY", "a", "q", "DB", "2"}},
		want: []string{"1 new a", "0 move_from a", "1 move_to a", "1 new b", "1 copy_to b", "1 new b", "1 copy_to b",
			"2 new q", "2 copy_to q"}},
	{name: "flush swap", setup: [][]string{{"SET", "a", "1"}},
		cmds: [][]string{{"SWAPDB", "0", "1"}, {"FLUSHDB"}, {"FLUSHALL"}}},

	// Lists.
	{name: "push pop", cmds: [][]string{{"LPUSH", "l", "a", "b"}, {"RPUSH", "l", "c"}, {"LPUSHX", "l", "d"}, {"RPUSHX", "n", "d"},
		{"LPOP", "l"}, {"RPOP", "l", "2"}, {"LPOP", "l", "0"}, {"LPOP", "l", "5"}, {"LPOP", "l"}},
		want: []string{"0 lpush l", "0 rpush l", "0 lpush l", "0 lpop l", "0 rpop l", "0 lpop l", "0 del l"}},
	{name: "list edits", setup: [][]string{{"RPUSH", "l", "a", "b", "c", "a"}},
		cmds: [][]string{{"LSET", "l", "0", "x"}, {"LINSERT", "l", "BEFORE", "b", "y"}, {"LINSERT", "l", "BEFORE", "zz", "y"},
			{"LREM", "l", "0", "zz"}, {"LREM", "l", "0", "a"}, {"LTRIM", "l", "0", "-1"}, {"LTRIM", "l", "5", "10"}},
		want: []string{"0 lset l", "0 linsert l", "0 lrem l", "0 ltrim l", "0 ltrim l", "0 del l"}},
	{name: "lmove", classes: "EAn", setup: [][]string{{"RPUSH", "s", "a", "b"}},
		cmds: [][]string{{"RPOPLPUSH", "s", "d"}, {"LMOVE", "s", "d", "LEFT", "RIGHT"}, {"LMOVE", "d", "d", "LEFT", "LEFT"}},
		want: []string{"0 new d", "0 lpush d", "0 rpop s", "0 rpush d", "0 lpop s", "0 del s", "0 lpush d", "0 lpop d"}},
	{name: "blocking pops served at once", setup: [][]string{{"RPUSH", "l", "a"}, {"RPUSH", "m", "a", "b"}, {"RPUSH", "s", "a"}},
		cmds: [][]string{{"BLPOP", "l", "0"}, {"LMPOP", "1", "m", "RIGHT", "COUNT", "5"}, {"BLMOVE", "s", "s", "LEFT", "RIGHT", "0"}},
		want: []string{"0 lpop l", "0 del l", "0 rpop m", "0 del m", "0 rpush s", "0 lpop s"}},
	{name: "sort store", setup: [][]string{{"RPUSH", "l", "3", "1", "2"}},
		cmds: [][]string{{"SORT", "l", "STORE", "d"}, {"SORT", "none", "STORE", "d"}, {"SORT", "none", "STORE", "d"}},
		want: []string{"0 sortstore d", "0 del d"}},

	// Hashes.
	{name: "hashes", cmds: [][]string{{"HSET", "h", "a", "1"}, {"HSET", "h", "a", "1"}, {"HMSET", "h", "b", "2"}, {"HSETNX", "h", "a", "1"},
		{"HSETNX", "h", "c", "3"}, {"HINCRBY", "h", "c", "1"}, {"HINCRBYFLOAT", "h", "c", "1.5"}, {"HDEL", "h", "zz"},
		{"HDEL", "h", "a", "b"}, {"HDEL", "h", "c"}},
		want: []string{"0 hset h", "0 hset h", "0 hset h", "0 hset h", "0 hincrby h", "0 hincrbyfloat h", "0 hdel h", "0 hdel h", "0 del h"}},

	// Sets.
	{name: "sadd srem spop", cmds: [][]string{{"SADD", "s", "a", "b"}, {"SADD", "s", "a"}, {"SREM", "s", "zz"}, {"SREM", "s", "a"},
		{"SPOP", "s", "0"}, {"SPOP", "s"}, {"SPOP", "s"}},
		want: []string{"0 sadd s", "0 srem s", "0 spop s", "0 del s"}},
	{name: "spop count", setup: [][]string{{"SADD", "s", "a", "b", "c"}},
		cmds: [][]string{{"SPOP", "s", "1"}, {"SPOP", "s", "5"}},
		want: []string{"0 spop s", "0 spop s", "0 del s"}},
	{name: "smove", classes: "EAn", setup: [][]string{{"SADD", "s", "a", "b"}, {"SADD", "u", "b"}},
		cmds: [][]string{{"SMOVE", "s", "t", "a"}, {"SMOVE", "s", "t", "zz"}, {"SMOVE", "t", "t", "a"}, {"SMOVE", "s", "u", "b"}},
		want: []string{"0 srem s", "0 new t", "0 sadd t", "0 srem s", "0 del s"}},
	{name: "set stores", setup: [][]string{{"SADD", "a", "1", "2"}, {"SADD", "b", "2", "3"}},
		cmds: [][]string{{"SINTERSTORE", "d", "a", "b"}, {"SUNIONSTORE", "d", "a", "b"}, {"SDIFFSTORE", "d", "a", "b"},
			{"SINTERSTORE", "d", "a", "none"}, {"SINTERSTORE", "d", "a", "none"}},
		want: []string{"0 sinterstore d", "0 sunionstore d", "0 sdiffstore d", "0 del d"}},

	// Sorted sets.
	{name: "zadd", cmds: [][]string{{"ZADD", "z", "1", "a", "2", "b"}, {"ZADD", "z", "1", "a"}, {"ZADD", "z", "NX", "1", "a"},
		{"ZADD", "z", "XX", "3", "c"}, {"ZADD", "z", "INCR", "1", "a"}, {"ZINCRBY", "z", "0", "a"}, {"ZINCRBY", "z", "1", "a"},
		{"ZADD", "z", "CH", "9", "a"}, {"ZADD", "z", "GT", "1", "a"}},
		want: []string{"0 zadd z", "0 zincr z", "0 zincr z", "0 zadd z"}},
	{name: "zrem", setup: [][]string{{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}},
		cmds: [][]string{{"ZREM", "z", "zz"}, {"ZREM", "z", "a"}, {"ZREMRANGEBYSCORE", "z", "100", "200"}, {"ZREMRANGEBYSCORE", "z", "2", "2"},
			{"ZREMRANGEBYRANK", "z", "0", "0"}, {"ZREMRANGEBYLEX", "z", "-", "+"}},
		want: []string{"0 zrem z", "0 zremrangebyscore z", "0 zremrangebyrank z", "0 zremrangebylex z", "0 del z"}},
	{name: "zpop", setup: [][]string{{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZADD", "y", "1", "a", "2", "b"}},
		cmds: [][]string{{"ZPOPMIN", "z", "0"}, {"ZPOPMIN", "z"}, {"ZPOPMAX", "z", "5"}, {"ZMPOP", "1", "y", "MIN"}, {"BZPOPMAX", "y", "0"}},
		want: []string{"0 zpopmin z", "0 zpopmax z", "0 del z", "0 zpopmin y", "0 zpopmax y", "0 del y"}},
	{name: "zset stores", setup: [][]string{{"ZADD", "a", "1", "x", "2", "y"}, {"ZADD", "b", "2", "y", "3", "z"}, {"ZADD", "e", "1", "q"}},
		cmds: [][]string{{"ZUNIONSTORE", "d", "2", "a", "b"}, {"ZINTERSTORE", "d", "2", "a", "b"}, {"ZDIFFSTORE", "d", "2", "a", "b"},
			{"ZRANGESTORE", "d", "a", "0", "-1"}, {"ZINTERSTORE", "d", "2", "a", "none"}, {"ZRANGESTORE", "d", "a", "5", "10"},
			{"ZRANGESTORE", "e", "a", "5", "10"}},
		want: []string{"0 zunionstore d", "0 zinterstore d", "0 zdiffstore d", "0 zrangestore d", "0 del d", "0 del e"}},

	// Transactions fire as their commands run.
	{name: "exec", cmds: [][]string{{"MULTI"}, {"SET", "k", "v"}, {"DEL", "k"}, {"EXEC"}},
		want: []string{"0 set k", "0 del k"}},
}

func TestNotifyEvents(t *testing.T) {
	for _, tc := range notifyCases {
		t.Run(tc.name, func(t *testing.T) {
			ks := New(NewTable(), 16)
			var got []string
			ks.OnNotify(func(ch, msg []byte) {
				// "__keyevent@<db>__:<event>" → "<db> <event> <key>"
				db, event, _ := strings.Cut(strings.TrimPrefix(string(ch), "__keyevent@"), "__:")
				got = append(got, db+" "+event+" "+string(msg))
			})
			cl := &Client{}
			run(ks, cl, tc.setup...)
			classes := tc.classes
			if classes == "" {
				classes = "EA"
			}
			ks.SetNotifications(ParseEventClasses(classes))
			run(ks, cl, tc.cmds...)
			if !slices.Equal(got, tc.want) {
				t.Errorf("events\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
