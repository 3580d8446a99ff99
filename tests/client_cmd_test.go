package tests

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientLines parses a CLIENT LIST or CLIENT INFO reply into its lines, each
// a list of key=value pairs in order.
func clientLines(t testing.TB, reply string) [][][2]string {
	t.Helper()
	text := verbatimText(reply)
	require.True(t, strings.HasSuffix(text, "\n"), "reply %q does not end with a newline", reply)
	var out [][][2]string
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		var fields [][2]string
		for _, kv := range strings.Split(line, " ") {
			k, v, ok := strings.Cut(kv, "=")
			require.True(t, ok, "field %q of %q", kv, line)
			fields = append(fields, [2]string{k, v})
		}
		out = append(out, fields)
	}
	return out
}

func fieldNames(fields [][2]string) []string {
	var names []string
	for _, f := range fields {
		names = append(names, f[0])
	}
	return names
}

func field(fields [][2]string, name string) string {
	for _, f := range fields {
		if f[0] == name {
			return f[1]
		}
	}
	return "(missing)"
}

// TestClientListShape compares CLIENT LIST and CLIENT INFO with Redis
// 7.0.15's: the same fields in the same order (no lib-name or lib-ver,
// which came with 7.2), and the same flags for clients in each state.
func TestClientListShape(t *testing.T) {
	names := map[string][]string{}
	flags := map[string]map[string]string{}
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		me := s.dial(t)
		info := clientLines(t, me.do("CLIENT", "INFO"))
		require.Len(t, info, 1)
		names[t.Name()] = fieldNames(info[0])

		state := map[string]*rawConn{}
		id := func(c *rawConn) string { return strings.Trim(c.do("CLIENT", "ID"), ":\r\n") }
		ids := map[string]string{}
		for _, who := range []string{"monitor", "pubsub", "multi", "dirty", "watching", "noevict", "blocked", "plain"} {
			state[who] = s.dial(t)
			ids[id(state[who])] = who
		}
		state["monitor"].mustDo("+OK\r\n", "MONITOR")
		state["pubsub"].do("PSUBSCRIBE", "x*")
		state["multi"].mustDo("+OK\r\n", "MULTI")
		state["dirty"].mustDo("+OK\r\n", "WATCH", "w")
		state["dirty"].mustDo("+OK\r\n", "MULTI")
		state["watching"].mustDo("+OK\r\n", "WATCH", "w")
		state["noevict"].mustDo("+OK\r\n", "CLIENT", "NO-EVICT", "ON")
		me.mustDo("+OK\r\n", "SET", "w", "touched")
		state["blocked"].send(string(encodeCommand([]string{"BLPOP", "q", "0"})))
		waitBlockedClients(t, me, 1)

		got := map[string]string{}
		for _, line := range clientLines(t, me.do("CLIENT", "LIST")) {
			assert.Equal(t, names[t.Name()], fieldNames(line), "CLIENT LIST fields")
			if who, ok := ids[field(line, "id")]; ok {
				got[who] = field(line, "flags")
			}
		}
		flags[t.Name()] = got
		me.mustDo(":1\r\n", "LPUSH", "q", "v")
	})
	want, got := names["TestClientListShape/redis"], names["TestClientListShape/myredis"]
	if len(want) > 0 {
		assert.Equal(t, want, got, "CLIENT INFO fields")
		assert.Equal(t, flags["TestClientListShape/redis"], flags["TestClientListShape/myredis"], "flags")
	}
}

// TestClientKillAndListErrors compares the replies of CLIENT KILL and
// CLIENT LIST to bad arguments with Redis's: options are read in order, so
// the first bad one decides the error, and a dangling option is a syntax
// error only once the options before it were good.
func TestClientKillAndListErrors(t *testing.T) {
	onBoth(t, nil, func(s *server) []string {
		c, victim := s.dial(t), s.dial(t)
		vid := strings.Trim(victim.do("CLIENT", "ID"), ":\r\n")
		var out []string
		for _, cmd := range [][]string{
			{"CLIENT", "KILL", "1.2.3.4:5"},
			{"CLIENT", "KILL", "ID", "abc"},
			{"CLIENT", "KILL", "ID", "0"},
			{"CLIENT", "KILL", "ID", "-1"},
			{"CLIENT", "KILL", "ID", "9223372036854775808"},
			{"CLIENT", "KILL", "ID", "99999"},
			{"CLIENT", "KILL", "TYPE", "foo", "ID"},
			{"CLIENT", "KILL", "ID", "0", "SKIPME"},
			{"CLIENT", "KILL", "ADDR", "x", "SKIPME"},
			{"CLIENT", "KILL", "ADDR", "x", "ID"},
			{"CLIENT", "KILL", "FOO", "bar"},
			{"CLIENT", "KILL", "TYPE", "Pubsub"},
			{"CLIENT", "KILL", "TYPE", "master"},
			{"CLIENT", "KILL", "SKIPME", "maybe"},
			{"CLIENT", "KILL", "SKIPME", "No", "ID", "99999"},
			{"CLIENT", "KILL", "USER", "nobody"},
			{"CLIENT", "KILL", "USER", "default", "ID", "99999"},
			{"CLIENT", "KILL", "LADDR", "1.2.3.4:5"},
			{"CLIENT", "KILL"},
			{"CLIENT", "LIST", "ID"},
			{"CLIENT", "LIST", "ID", "abc"},
			{"CLIENT", "LIST", "ID", "0", "-5"},
			{"CLIENT", "LIST", "TYPE", "normal", "ID", "1"},
			{"CLIENT", "LIST", "TYPE", "bogus"},
			{"CLIENT", "LIST", "TYPE", "Master"},
			{"CLIENT", "LIST", "TYPE"},
			{"CLIENT", "LIST", "foo"},
		} {
			out = append(out, strings.Join(cmd, " ")+" -> "+c.do(cmd...))
		}
		// CLIENT LIST ID lists in the order asked, repeats included.
		me := strings.Trim(c.do("CLIENT", "ID"), ":\r\n")
		var order []string
		for _, line := range clientLines(t, c.do("CLIENT", "LIST", "ID", vid, "99999", me, vid)) {
			order = append(order, field(line, "id"))
		}
		assert.Equal(t, []string{vid, me, vid}, order, "CLIENT LIST ID order")
		// Killing by ID answers the count, and the victim is gone.
		out = append(out, c.do("CLIENT", "KILL", "ID", vid, "SKIPME", "yes"))
		victim.expectClosed(ioTimeout)
		out = append(out, c.do("CLIENT", "KILL", "ID", vid))
		return out
	})
}

// TestClientListValues checks values CLIENT INFO shows that depend on the
// connection's state, on both servers: the name, the database, the
// protocol and the last command.
func TestClientListValues(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		c := s.dial(t)
		c.mustDo("+OK\r\n", "CLIENT", "SETNAME", "worker")
		c.mustDo("+OK\r\n", "SELECT", "5")
		c.do("GET") // wrong arity: the command is still the last one named
		line := clientLines(t, c.do("CLIENT", "INFO"))[0]
		assert.Equal(t, "worker", field(line, "name"))
		assert.Equal(t, "5", field(line, "db"))
		assert.Equal(t, "client|info", field(line, "cmd"))
		assert.Equal(t, "r", field(line, "events"))
		assert.Equal(t, "default", field(line, "user"))
		list := c.do("CLIENT", "LIST", "ID", strings.Trim(c.do("CLIENT", "ID"), ":\r\n"))
		assert.Equal(t, "client|list", field(clientLines(t, list)[0], "cmd"))
		c.do("GET")
		other := s.dial(t)
		for _, l := range clientLines(t, other.do("CLIENT", "LIST")) {
			if field(l, "name") == "worker" {
				assert.Equal(t, "get", field(l, "cmd"), "after a wrong-arity GET")
			}
		}
		c.do("NOSUCHCOMMAND")
		for _, l := range clientLines(t, other.do("CLIENT", "LIST")) {
			if field(l, "name") == "worker" {
				assert.Equal(t, "NULL", field(l, "cmd"), "after an unknown command")
			}
		}
		n, err := strconv.Atoi(field(line, "qbuf-free"))
		assert.NoError(t, err)
		assert.Positive(t, n)
	})
}
