package tests

import (
	"strings"
	"testing"
)

// TestStreamKeyspaceNotifications compares the keyspace and keyevent
// notifications of the stream commands with Redis's (issue #15), with
// notify-keyspace-events KEA on both: xadd, xtrim (from XTRIM and from
// XADD's MAXLEN), xdel, xsetid, xgroup-create, xgroup-createconsumer (from
// XGROUP, XREADGROUP and XCLAIM), xgroup-delconsumer, xgroup-setid,
// xgroup-destroy, the generic events on streams (rename, expire, del), and
// none for commands that change nothing.
func TestStreamKeyspaceNotifications(t *testing.T) {
	onBoth(t, []string{"--notify-keyspace-events", "KEA"}, func(s *server) []string {
		sub, c := s.dial(t), s.dial(t)
		sub.do("PSUBSCRIBE", "__key*@*__:*")
		sub.do("SUBSCRIBE", "end")
		for _, cmd := range [][]string{
			{"XADD", "s", "1-0", "f", "v"}, {"XADD", "s", "2-0", "f", "v"}, {"XADD", "s", "MAXLEN", "1", "3-0", "f", "v"},
			{"XADD", "s", "MAXLEN", "5", "4-0", "f", "v"}, {"XADD", "none", "NOMKSTREAM", "1-0", "f", "v"},
			{"XADD", "s", "1-0", "f", "v"}, // refused: no event
			{"XTRIM", "s", "MAXLEN", "1"}, {"XTRIM", "s", "MAXLEN", "1"}, {"XDEL", "s", "4-0"}, {"XDEL", "s", "9-0"},
			{"XSETID", "s", "10-0"}, {"XADD", "s", "11-0", "f", "v"}, {"XADD", "s", "12-0", "f", "v"},
			{"XGROUP", "CREATE", "s", "g", "0"}, {"XGROUP", "CREATE", "made", "g", "$", "MKSTREAM"},
			{"XGROUP", "CREATECONSUMER", "s", "g", "alice"}, {"XGROUP", "CREATECONSUMER", "s", "g", "alice"},
			{"XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">"},
			{"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"},
			{"XACK", "s", "g", "11-0"}, {"XCLAIM", "s", "g", "carol", "0", "12-0"}, {"XAUTOCLAIM", "s", "g", "dave", "0", "0"},
			{"XGROUP", "SETID", "s", "g", "0"}, {"XGROUP", "DELCONSUMER", "s", "g", "alice"},
			{"XGROUP", "DESTROY", "s", "g"}, {"XGROUP", "DESTROY", "s", "g"},
			{"XREAD", "STREAMS", "s", "0"}, {"XRANGE", "s", "-", "+"},
			{"RENAME", "s", "r"}, {"EXPIRE", "r", "100"}, {"COPY", "r", "c"}, {"DEL", "r", "c", "made"},
		} {
			c.do(cmd...)
		}
		c.do("PUBLISH", "end", "end")
		var out []string
		for {
			r := sub.read()
			if strings.HasSuffix(r, "$3\r\nend\r\n") {
				return out
			}
			out = append(out, r)
		}
	})
}
