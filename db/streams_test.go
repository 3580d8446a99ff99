package db

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The expected replies below are real Redis 7.0.15's to the same lines
// (every ID explicit, so that no reply depends on the clock).
func TestStreamCommands(t *testing.T) {
	runCases(t, []cmdCase{
		{"xadd ids and errors", [][]string{{"XADD", "s", "1-1", "a", "1", "b", "2"}, {"XADD", "s", "1-*", "a", "3"}, {"XADD", "s", "2", "c", "4"}, {"XADD", "s", "1-5", "x", "y"}, {"XADD", "s", "0-0", "x", "y"}, {"XADD", "s", "0-*", "x", "y"}, {"XADD", "s", "5-1", "f"}, {"XADD", "s", "bad", "f", "v"}, {"XADD", "s", "NOMKSTREAM", "MAXLEN"}, {"XADD", "nokey", "NOMKSTREAM", "*", "f", "v"}, {"EXISTS", "nokey"}, {"XLEN", "s"}, {"XLEN", "nokey"}},
			"$3\r\n1-1\r\n$3\r\n1-2\r\n$3\r\n2-0\r\n-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n-ERR The ID specified in XADD must be greater than 0-0\r\n-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n-ERR wrong number of arguments for 'xadd' command\r\n-ERR Invalid stream ID specified as stream command argument\r\n-ERR wrong number of arguments for 'xadd' command\r\n$-1\r\n:0\r\n:3\r\n:0\r\n"},
		{"xadd trim options", [][]string{{"XADD", "s", "MAXLEN", "-1", "*", "f", "v"}, {"XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v"}, {"XADD", "s", "LIMIT", "5", "*", "f", "v"}, {"XADD", "s", "MAXLEN", "5", "LIMIT", "5", "*", "f", "v"}, {"XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "*", "f", "v"}, {"XADD", "s", "MAXLEN", "x", "*", "f", "v"}, {"XADD", "s", "MINID", "bad", "*", "f", "v"}, {"XADD", "s", "1-1", "f", "v"}, {"XADD", "s", "2-1", "f", "v"}, {"XADD", "s", "MAXLEN", "=", "1", "3-1", "f", "v"}, {"XRANGE", "s", "-", "+"}, {"XADD", "s", "MINID", "~", "3-1", "4-1", "f", "v"}, {"XLEN", "s"}},
			"-ERR The MAXLEN argument must be >= 0.\r\n-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n-ERR The LIMIT argument must be >= 0.\r\n-ERR value is not an integer or out of range\r\n-ERR Invalid stream ID specified as stream command argument\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n$3\r\n3-1\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$3\r\n4-1\r\n:2\r\n"},
		{"exhausted ids", [][]string{{"XADD", "s", "18446744073709551615-18446744073709551615", "f", "v"}, {"XADD", "s", "*", "f", "v"}, {"XADD", "t", "18446744073709551615-18446744073709551614", "f", "v"}, {"XADD", "t", "18446744073709551615-*", "f", "v"}, {"XADD", "u", "5-18446744073709551615", "f", "v"}, {"XADD", "u", "5-*", "f", "v"}},
			"$41\r\n18446744073709551615-18446744073709551615\r\n-ERR The stream has exhausted the last possible ID, unable to add more items\r\n$41\r\n18446744073709551615-18446744073709551614\r\n$41\r\n18446744073709551615-18446744073709551615\r\n$22\r\n5-18446744073709551615\r\n-ERR Elements are too large to be stored\r\n"},
		{"xrange forms", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "1-2", "b", "2"}, {"XADD", "s", "2-1", "c", "3"}, {"XRANGE", "s", "-", "+"}, {"XRANGE", "s", "-", "+", "COUNT", "2"}, {"XRANGE", "s", "-", "+", "COUNT", "0"}, {"XRANGE", "s", "-", "+", "COUNT", "-3"}, {"XRANGE", "s", "(1-1", "+"}, {"XRANGE", "s", "-", "(2-1"}, {"XRANGE", "s", "1", "1"}, {"XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"}, {"XRANGE", "s", "-", "(0-0"}, {"XRANGE", "s", "(-", "+"}, {"XRANGE", "s", "-", "+", "COUNT"}, {"XRANGE", "s", "-", "+", "LIMIT", "1"}, {"XREVRANGE", "s", "+", "-", "COUNT", "2"}, {"XREVRANGE", "s", "2", "1-2"}, {"XREVRANGE", "s", "(2-1", "-"}, {"XRANGE", "nokey", "-", "+"}, {"XRANGE", "s", "2", "1"}},
			"$3\r\n1-1\r\n$3\r\n1-2\r\n$3\r\n2-1\r\n*3\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*-1\r\n*-1\r\n*2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n-ERR invalid start ID for the interval\r\n-ERR invalid end ID for the interval\r\n-ERR Invalid stream ID specified as stream command argument\r\n-ERR syntax error\r\n-ERR syntax error\r\n*2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*0\r\n*0\r\n"},
		{"xdel and xtrim", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "s", "3-1", "c", "3"}, {"XDEL", "s", "2-1", "9-9", "2-1"}, {"XDEL", "s", "bad"}, {"XDEL", "nokey", "1-1"}, {"XLEN", "s"}, {"XTRIM", "s", "MAXLEN", "1"}, {"XRANGE", "s", "-", "+"}, {"XTRIM", "s"}, {"XTRIM", "s", "FOO", "1"}, {"XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "1"}, {"XTRIM", "s", "MAXLEN", "0", "LIMIT", "1"}, {"XTRIM", "nokey", "MAXLEN", "0"}, {"XTRIM", "s", "MINID", "4-0"}, {"XLEN", "s"}, {"XINFO", "STREAM", "s"}},
			"$3\r\n1-1\r\n$3\r\n2-1\r\n$3\r\n3-1\r\n:1\r\n-ERR Invalid stream ID specified as stream command argument\r\n:0\r\n:2\r\n:1\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n-ERR wrong number of arguments for 'xtrim' command\r\n-ERR syntax error\r\n:1\r\n-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n:0\r\n:0\r\n:0\r\n*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n3-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-1\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n"},
		{"xsetid", [][]string{{"XADD", "s", "5-1", "f", "v"}, {"XSETID", "s", "4-1"}, {"XSETID", "s", "6-1", "ENTRIESADDED", "0"}, {"XSETID", "s", "6-1", "MAXDELETEDID", "7-1"}, {"XSETID", "s", "6-1", "ENTRIESADDED", "-1"}, {"XSETID", "s", "6-1", "FOO"}, {"XSETID", "s", "6-1", "ENTRIESADDED", "10", "MAXDELETEDID", "3-3"}, {"XSETID", "nokey", "1-1"}, {"XINFO", "STREAM", "s"}, {"XADD", "s", "6-1", "f", "v"}},
			"$3\r\n5-1\r\n-ERR The ID specified in XSETID is smaller than the target stream top item\r\n-ERR The entries_added specified in XSETID is smaller than the target stream length\r\n-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n-ERR entries_added must be positive\r\n-ERR syntax error\r\n+OK\r\n-ERR no such key\r\n*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n6-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n3-3\r\n$13\r\nentries-added\r\n:10\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n5-1\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"},
		{"wrong type", [][]string{{"SET", "k", "v"}, {"XADD", "k", "*", "f", "v"}, {"XLEN", "k"}, {"XRANGE", "k", "-", "+"}, {"XDEL", "k", "1-1"}, {"XTRIM", "k", "MAXLEN", "0"}, {"XSETID", "k", "1-1"}, {"XREAD", "STREAMS", "k", "0"}, {"XGROUP", "CREATE", "k", "g", "0"}, {"XACK", "k", "g", "1-1"}, {"XPENDING", "k", "g"}, {"XCLAIM", "k", "g", "c", "0", "1-1"}, {"XAUTOCLAIM", "k", "g", "c", "0", "0"}, {"XINFO", "STREAM", "k"}},
			"+OK\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{"xread", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "t", "1-1", "c", "3"}, {"XREAD", "STREAMS", "s", "t", "0", "1-1"}, {"XREAD", "COUNT", "1", "STREAMS", "s", "t", "0", "0"}, {"XREAD", "STREAMS", "s", "$"}, {"XREAD", "STREAMS", "s"}, {"XREAD", "STREAMS", "s", "t", "0"}, {"XREAD", "FOO", "STREAMS", "s", "0"}, {"XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"}, {"XREAD", "NOACK", "STREAMS", "s", "0"}, {"XREAD", "STREAMS", "s", ">"}, {"XREAD", "BLOCK", "-1", "STREAMS", "s", "0"}, {"XREAD", "BLOCK", "x", "STREAMS", "s", "0"}, {"XREAD", "COUNT", "1"}, {"XREAD", "STREAMS", "nokey", "0"}},
			"$3\r\n1-1\r\n$3\r\n2-1\r\n$3\r\n1-1\r\n*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*-1\r\n-ERR wrong number of arguments for 'xread' command\r\n-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.\r\n-ERR syntax error\r\n-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.\r\n-ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.\r\n-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.\r\n-ERR timeout is negative\r\n-ERR timeout is not an integer or out of range\r\n-ERR wrong number of arguments for 'xread' command\r\n*-1\r\n"},
		{"groups", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "s", "3-1", "c", "3"}, {"XGROUP", "CREATE", "s", "g", "0"}, {"XGROUP", "CREATE", "s", "g", "0"}, {"XGROUP", "CREATE", "nokey", "g", "0"}, {"XGROUP", "CREATE", "made", "g", "$", "MKSTREAM"}, {"XLEN", "made"}, {"XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "-2"}, {"XGROUP", "CREATE", "s", "g3", "$", "FOO"}, {"XGROUP", "CREATE", "s", "g4", "bad"}, {"XGROUP", "SETID", "s", "nog", "0"}, {"XGROUP", "CREATECONSUMER", "s", "g", "c1"}, {"XGROUP", "CREATECONSUMER", "s", "g", "c1"}, {"XGROUP", "DELCONSUMER", "s", "g", "nobody"}, {"XGROUP", "DESTROY", "s", "nog"}, {"XGROUP", "FOO", "s", "g"}, {"XINFO", "GROUPS", "s"}, {"XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">"}, {"XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"}, {"XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"}, {"XINFO", "GROUPS", "s"}, {"XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "$"}, {"XREADGROUP", "GROUP", "nog", "c1", "STREAMS", "s", ">"}, {"XREADGROUP", "STREAMS", "s", ">"}, {"XPENDING", "s", "g"}, {"XDEL", "s", "2-1"}, {"XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", "0"}, {"XINFO", "GROUPS", "s"}, {"XACK", "s", "g", "1-1", "1-1", "9-9"}, {"XACK", "s", "nog", "1-1"}, {"XPENDING", "s", "g"}, {"XPENDING", "s", "g", "-", "+"}, {"XPENDING", "s", "nog"}, {"XGROUP", "DELCONSUMER", "s", "g", "c2"}, {"XPENDING", "s", "g"}, {"XGROUP", "DESTROY", "s", "g"}, {"XINFO", "GROUPS", "s"}},
			"$3\r\n1-1\r\n$3\r\n2-1\r\n$3\r\n3-1\r\n+OK\r\n-BUSYGROUP Consumer Group name already exists\r\n-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n+OK\r\n:0\r\n-ERR value for ENTRIESREAD must be positive or -1\r\n-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.\r\n-ERR Invalid stream ID specified as stream command argument\r\n-NOGROUP No such consumer group 'nog' for key name 's'\r\n:1\r\n:0\r\n:0\r\n:0\r\n-ERR unknown subcommand 'FOO'. Try XGROUP HELP.\r\n*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:3\r\n*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*-1\r\n*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:3\r\n$17\r\nlast-delivered-id\r\n$3\r\n3-1\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:0\r\n-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n-NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option\r\n-ERR wrong number of arguments for 'xreadgroup' command\r\n*4\r\n:3\r\n$3\r\n1-1\r\n$3\r\n3-1\r\n*2\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n*2\r\n$2\r\nc2\r\n$1\r\n2\r\n:1\r\n*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n2-1\r\n*-1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:3\r\n$17\r\nlast-delivered-id\r\n$3\r\n3-1\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:0\r\n:1\r\n:0\r\n*4\r\n:2\r\n$3\r\n2-1\r\n$3\r\n3-1\r\n*1\r\n*2\r\n$2\r\nc2\r\n$1\r\n2\r\n-ERR syntax error\r\n-NOGROUP No such key 's' or consumer group 'nog'\r\n:2\r\n*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n:1\r\n*0\r\n"},
		{"claims", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "s", "3-1", "c", "3"}, {"XGROUP", "CREATE", "s", "g", "0"}, {"XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"}, {"XCLAIM", "s", "g", "c2", "0", "1-1", "2-1", "JUSTID"}, {"XCLAIM", "s", "g", "c2", "0", "3-1", "RETRYCOUNT", "7"}, {"XCLAIM", "s", "g", "c2", "0", "9-1", "FORCE"}, {"XADD", "s", "4-1", "d", "4"}, {"XCLAIM", "s", "g", "c3", "0", "4-1", "FORCE", "JUSTID", "LASTID", "10-1"}, {"XINFO", "GROUPS", "s"}, {"XCLAIM", "s", "g", "c3", "x", "4-1"}, {"XCLAIM", "s", "g", "c3", "0", "4-1", "IDLE", "x"}, {"XCLAIM", "s", "g", "c3", "0", "4-1", "FOO"}, {"XCLAIM", "s", "nog", "c3", "0", "4-1"}, {"XDEL", "s", "1-1"}, {"XAUTOCLAIM", "s", "g", "c4", "0", "0", "COUNT", "2"}, {"XAUTOCLAIM", "s", "g", "c4", "0", "(2-1", "JUSTID"}, {"XAUTOCLAIM", "s", "g", "c4", "0", "0", "COUNT", "0"}, {"XAUTOCLAIM", "s", "g", "c4", "x", "0"}, {"XAUTOCLAIM", "s", "nog", "c4", "0", "0"}, {"XPENDING", "s", "g"}},
			"$3\r\n1-1\r\n$3\r\n2-1\r\n$3\r\n3-1\r\n+OK\r\n*1\r\n*2\r\n$1\r\ns\r\n*3\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*0\r\n$3\r\n4-1\r\n*1\r\n$3\r\n4-1\r\n*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:3\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$4\r\n10-1\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:1\r\n-ERR Invalid min-idle-time argument for XCLAIM\r\n-ERR Invalid IDLE option argument for XCLAIM\r\n-ERR Unrecognized XCLAIM option 'FOO'\r\n-NOGROUP No such key 's' or consumer group 'nog'\r\n:1\r\n*3\r\n$3\r\n3-1\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*1\r\n$3\r\n1-1\r\n*3\r\n$3\r\n0-0\r\n*2\r\n$3\r\n3-1\r\n$3\r\n4-1\r\n*0\r\n-ERR COUNT must be > 0\r\n-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n-NOGROUP No such key 's' or consumer group 'nog'\r\n*4\r\n:3\r\n$3\r\n2-1\r\n$3\r\n4-1\r\n*1\r\n*2\r\n$2\r\nc4\r\n$1\r\n3\r\n"},
		{"keys", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"TYPE", "s"}, {"OBJECT", "ENCODING", "s"}, {"RENAME", "s", "t"}, {"XRANGE", "t", "-", "+"}, {"SCAN", "0", "TYPE", "stream"}, {"COPY", "t", "u"}, {"XADD", "u", "2-1", "b", "2"}, {"XLEN", "t"}, {"XGROUP", "CREATE", "t", "g", "$", "MKSTREAM"}, {"XDEL", "t", "1-1"}, {"EXISTS", "t"}, {"XINFO", "STREAM", "t"}},
			"$3\r\n1-1\r\n+stream\r\n$6\r\nstream\r\n+OK\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\n0\r\n*1\r\n$1\r\nt\r\n:1\r\n$3\r\n2-1\r\n:1\r\n+OK\r\n:1\r\n:1\r\n*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n1-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n"},
	})
}

// TestStreamRESP3 checks the RESP3 shapes: XREAD's map of streams, nulls.
func TestStreamRESP3(t *testing.T) {
	for _, tc := range []cmdCase{
		{"xrange resp3", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XRANGE", "s", "-", "+", "COUNT", "0"}, {"XRANGE", "s", "-", "+"}, {"XADD", "n", "NOMKSTREAM", "*", "f", "v"}},
			"$3\r\n1-1\r\n_\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n_\r\n"},
		{"xread resp3", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "t", "1-1", "c", "3"}, {"XREAD", "STREAMS", "s", "t", "0", "0"}, {"XREAD", "STREAMS", "nokey", "0"}},
			"$3\r\n1-1\r\n$3\r\n1-1\r\n%2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n_\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := runProto3(New(NewTable(), 16), tc.cmds...); got != tc.want {
				t.Errorf("replies\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestStreamPropagation: the forms stream writes are logged in, as Redis
// 7.0 propagates them; a command's several writes form one block.
func TestStreamPropagation(t *testing.T) {
	ks := New(NewTable(), 16)
	var log []string
	ks.OnWrite(func(db int, args [][]byte) uint64 {
		log = append(log, string(bytes.Join(args, []byte(" "))))
		return 0
	})
	ks.OnTransaction(func(writes []Write) uint64 {
		block := "MULTI"
		for _, w := range writes {
			block += " | " + string(bytes.Join(w.Args, []byte(" ")))
		}
		log = append(log, block+" | EXEC")
		return 0
	})
	cl := &Client{Now: 5000}
	run(ks, cl, []string{"XADD", "s", "MAXLEN", "~", "1", "*", "f", "v"})
	cl.Now = 5000
	run(ks, cl, []string{"XADD", "s", "1-*", "f", "v"}) // refused: not logged
	run(ks, &Client{}, []string{"XADD", "s", "6000-1", "g", "w"}, []string{"XGROUP", "CREATE", "s", "g", "0"})
	cl.Now = 7000
	run(ks, cl, []string{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"})
	cl.Now = 7000
	run(ks, cl, []string{"XREADGROUP", "GROUP", "g", "c2", "NOACK", "STREAMS", "s", "0"})
	cl.Now = 8000
	run(ks, cl, []string{"XCLAIM", "s", "g", "c3", "0", "5000-0", "JUSTID"})
	run(ks, &Client{}, []string{"XTRIM", "s", "MAXLEN", "~", "0"}, []string{"XTRIM", "s", "MAXLEN", "0"})
	assert.Equal(t, []string{
		"XADD s MAXLEN = 1 5000-0 f v",
		"XADD s 6000-1 g w",
		"XGROUP CREATE s g 0",
		"MULTI | XCLAIM s g c 0 5000-0 TIME 7000 RETRYCOUNT 1 FORCE JUSTID LASTID 5000-0 | " +
			"XCLAIM s g c 0 6000-1 TIME 7000 RETRYCOUNT 1 FORCE JUSTID LASTID 6000-1 | EXEC",
		"XGROUP CREATECONSUMER s g c2", // made by a NOACK read
		"XCLAIM s g c3 0 5000-0 TIME 8000 RETRYCOUNT 1 FORCE JUSTID LASTID 6000-1",
		"XTRIM s MAXLEN = 0", // the second trim removed nothing
	}, log)
}

// TestStreamNodeLimits: stream-node-max-entries decides where XADD starts
// a node, and so what MAXLEN ~ drops (replies as Redis's with the same
// setting).
func TestStreamNodeLimits(t *testing.T) {
	ks := New(NewTable(), 16)
	ks.SetStreamNodeLimits(2, 0)
	cl := &Client{}
	for i := 1; i <= 5; i++ {
		run(ks, cl, []string{"XADD", "s", strconv.Itoa(i) + "-1", "f", "v"})
	}
	info := run(ks, cl, []string{"XINFO", "STREAM", "s"})
	assert.Contains(t, info, "$15\r\nradix-tree-keys\r\n:3\r\n$16\r\nradix-tree-nodes\r\n:8\r\n")
	assert.Equal(t, ":2\r\n:3\r\n", run(ks, cl, []string{"XTRIM", "s", "MAXLEN", "~", "2"}, []string{"XLEN", "s"}))
}

// TestStreamWatch: as in Redis, only XADD, XDEL, XTRIM and a stream made
// by XGROUP CREATE ... MKSTREAM fail a WATCHing client's EXEC; the group
// commands and XSETID change a stream without that.
func TestStreamWatch(t *testing.T) {
	for _, tc := range []struct {
		cmd  []string
		fail bool
	}{
		{[]string{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"}, false},
		{[]string{"XACK", "s", "g", "1-1"}, false},
		{[]string{"XCLAIM", "s", "g", "c", "0", "1-1", "FORCE"}, false},
		{[]string{"XGROUP", "CREATECONSUMER", "s", "g", "z"}, false},
		{[]string{"XSETID", "s", "9-9"}, false},
		{[]string{"XADD", "s", "10-1", "a", "b"}, true},
		{[]string{"XDEL", "s", "1-1"}, true},
		{[]string{"XTRIM", "s", "MAXLEN", "0"}, true},
		{[]string{"XGROUP", "CREATE", "n", "g", "0", "MKSTREAM"}, true},
	} {
		ks := New(NewTable(), 16)
		run(ks, &Client{}, []string{"XADD", "s", "1-1", "f", "v"}, []string{"XGROUP", "CREATE", "s", "g", "0"})
		watcher := &Client{ID: 1}
		key := "s"
		if tc.cmd[len(tc.cmd)-1] == "MKSTREAM" {
			key = "n"
		}
		run(ks, watcher, []string{"WATCH", key})
		run(ks, &Client{ID: 2}, tc.cmd)
		got := run(ks, watcher, []string{"MULTI"}, []string{"PING"}, []string{"EXEC"})
		want := "+OK\r\n+QUEUED\r\n*1\r\n+PONG\r\n"
		if tc.fail {
			want = "+OK\r\n+QUEUED\r\n*-1\r\n"
		}
		assert.Equal(t, want, got, "%q", tc.cmd)
	}
}
