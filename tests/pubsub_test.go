package tests

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// onBoth runs scenario against MyRedis and, when installed, real Redis,
// each started with args, and compares the transcripts it returns.
func onBoth(t *testing.T, args []string, scenario func(s *server) []string) {
	t.Helper()
	got := scenario(startServer(t, args...))
	if !haveRedis() {
		return
	}
	want := scenario(startRedis(t, args...))
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("step %d:\nmyredis: %q\nredis:   %q", i, g, w)
		}
	}
}

// readN reads n replies from c.
func (c *rawConn) readN(n int) []string {
	c.t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = c.read()
	}
	return out
}

func TestPubSubSequence(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run("resp"+string(rune('0'+proto)), func(t *testing.T) {
			onBoth(t, nil, func(s *server) []string {
				sub, pub := s.dial(t), s.dial(t)
				var out []string
				if proto == 3 {
					sub.do("HELLO", "3")
				}
				out = append(out, sub.do("UNSUBSCRIBE"), sub.do("PUNSUBSCRIBE"))
				out = append(out, sub.do("SUBSCRIBE", "a"))
				sub.send(string(encodeCommand([]string{"SUBSCRIBE", "b", "c", "a"})))
				out = append(out, sub.readN(3)...)
				out = append(out, sub.do("PSUBSCRIBE", "h?llo"))
				out = append(out, pub.do("PUBLISH", "a", "m1"), sub.read())
				out = append(out, pub.do("PUBLISH", "hello", "m2"), sub.read())
				out = append(out, pub.do("PUBLISH", "nobody", "m3"))
				out = append(out, pub.do("PUBSUB", "NUMSUB", "a", "b", "zz"), pub.do("PUBSUB", "NUMPAT"), pub.do("PUBSUB", "CHANNELS", "[bx]"))
				if proto == 2 {
					out = append(out, sub.do("GET", "k"), sub.do("PING"), sub.do("PING", "x"))
				} else {
					// Normal commands work; a self-publish pushes before its reply.
					out = append(out, sub.do("SET", "k", "v"), sub.do("PING"), sub.do("PUBLISH", "a", "self"), sub.read())
				}
				out = append(out, sub.do("UNSUBSCRIBE", "b"), sub.do("PUNSUBSCRIBE"))
				sub.send(string(encodeCommand([]string{"UNSUBSCRIBE", "a", "c"})))
				out = append(out, sub.readN(2)...)
				out = append(out, sub.do("UNSUBSCRIBE"), sub.do("PING"))
				out = append(out, pub.do("PUBSUB", "CHANNELS"))
				return out
			})
		})
	}
}

// TestKeyspaceNotifications compares the events of commands of every
// family with Redis's, notify-keyspace-events KEA on both.
func TestKeyspaceNotifications(t *testing.T) {
	onBoth(t, []string{"--notify-keyspace-events", "KEA"}, func(s *server) []string {
		sub, c, blocked := s.dial(t), s.dial(t), s.dial(t)
		sub.do("PSUBSCRIBE", "__key*@*__:*")
		sub.do("SUBSCRIBE", "end")
		for _, cmd := range [][]string{
			{"SET", "k", "v"}, {"SET", "k", "w", "EX", "100"}, {"PERSIST", "k"}, {"EXPIRE", "k", "100"}, {"SETNX", "k", "x"},
			{"INCR", "n"}, {"INCRBYFLOAT", "n", "1.5"}, {"APPEND", "n", "0"}, {"SETRANGE", "n", "0", "9"}, {"SETBIT", "b", "1", "1"},
			{"MSET", "m1", "1", "m2", "2"}, {"GETDEL", "m1"}, {"GETEX", "m2", "PX", "100000"}, {"BITOP", "NOT", "m2", "none"},
			{"RENAME", "k", "r"}, {"MOVE", "r", "1"}, {"COPY", "n", "c", "DB", "2"}, {"EXPIREAT", "n", "1"}, {"DEL", "b", "x"},
			{"LPUSH", "l", "a", "b", "c"}, {"RPUSH", "l", "d"}, {"LSET", "l", "0", "x"}, {"LINSERT", "l", "AFTER", "x", "y"},
			{"LREM", "l", "1", "y"}, {"LTRIM", "l", "0", "-1"}, {"LPOP", "l"}, {"LMOVE", "l", "l2", "LEFT", "RIGHT"},
			{"RPOPLPUSH", "l", "l2"}, {"SORT", "l2", "ALPHA", "STORE", "ls"}, {"RPOP", "l", "5"}, {"LMPOP", "1", "l2", "LEFT", "COUNT", "9"},
			{"HSET", "h", "a", "1", "b", "2"}, {"HSETNX", "h", "a", "1"}, {"HINCRBY", "h", "a", "1"}, {"HINCRBYFLOAT", "h", "a", "1"},
			{"HDEL", "h", "a", "b"},
			{"SADD", "s", "a", "b", "c"}, {"SREM", "s", "a"}, {"SMOVE", "s", "t", "b"}, {"SPOP", "s"}, {"SUNIONSTORE", "u", "t", "s"},
			{"SINTERSTORE", "u", "t", "s"},
			{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZINCRBY", "z", "5", "a"}, {"ZREM", "z", "b"}, {"ZUNIONSTORE", "zu", "1", "z"},
			{"ZRANGESTORE", "zr", "z", "0", "0"}, {"ZPOPMIN", "z"}, {"ZREMRANGEBYSCORE", "z", "0", "10"}, {"ZINTERSTORE", "zu", "2", "z", "zr"},
			{"LPUSH", "l", "a"}, {"PEXPIRE", "l", "20"},
		} {
			c.do(cmd...)
		}
		time.Sleep(100 * time.Millisecond)
		c.do("GET", "l") // expires it now if the cycle has not
		// A blocked pop fires its events when it is served.
		blocked.send(string(encodeCommand([]string{"BLMOVE", "bl", "bl2", "RIGHT", "LEFT", "5"})))
		waitBlockedClients(t, c, 1)
		c.do("RPUSH", "bl", "a")
		blocked.read()
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

// TestMonitor checks MONITOR's lines against both servers, transactions
// included: EXEC shows the commands it ran before its own line, with the
// database selected after each; a transaction that does not run (EXECABORT,
// broken WATCH, DISCARD) shows none of its queued commands.
func TestMonitor(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		mon, c, other := s.dial(t), s.dial(t), s.dial(t)
		mon.mustDo("+OK\r\n", "MONITOR")
		for _, cmd := range [][]string{
			{"SET", "k", "a\"b\n\x01"},
			{"SELECT", "2"},
			{"AUTH", "secret"},
			{"CONFIG", "GET", "maxmemory"}, // admin: not shown
			{"MULTI"}, {"INCR", "n"}, {"SELECT", "3"}, {"INCR", "n"}, {"EXEC"},
			{"MULTI"}, {"SET", "a", "1"}, {"NOSUCHCOMMAND"}, {"EXEC"},
			{"WATCH", "w"},
		} {
			c.do(cmd...)
		}
		other.do("SELECT", "3")
		other.do("SET", "w", "changed")
		for _, cmd := range [][]string{{"MULTI"}, {"SET", "b", "1"}, {"EXEC"}, {"MULTI"}, {"SET", "c", "1"}, {"DISCARD"}} {
			c.do(cmd...)
		}
		line := regexp.MustCompile(`^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] (.*)\r\n$`)
		for _, want := range []string{
			`0 "SET" "k" "a\"b\n\x01"`,
			`2 "SELECT" "2"`,
			`2 "AUTH" "(redacted)"`,
			`2 "MULTI"`, `2 "INCR" "n"`, `3 "SELECT" "3"`, `3 "INCR" "n"`, `3 "EXEC"`,
			`3 "MULTI"`, `3 "EXEC"`,
			`3 "WATCH" "w"`,
			`3 "SELECT" "3"`, `3 "SET" "w" "changed"`,
			`3 "MULTI"`, `3 "EXEC"`, `3 "MULTI"`, `3 "DISCARD"`,
		} {
			got := mon.read()
			m := line.FindStringSubmatch(got)
			if m == nil || m[1]+" "+m[2] != want {
				t.Errorf("monitor line %q, want db and args %s", got, want)
			}
		}
		mon.mustDo("-ERR Replica can't interact with the keyspace\r\n", "GET", "k")
	})
}

// TestSlowlog checks the slow log's entries, on both servers: arguments are
// cut as Redis cuts them, and the commands EXEC runs are logged one by one
// while EXEC itself is not.
func TestSlowlog(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		c := s.dial(t)
		c.mustDo("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0")
		c.mustDo("+OK\r\n", "SLOWLOG", "RESET")
		c.mustDo("+OK\r\n", "CLIENT", "SETNAME", "me")
		c.mustDo("+OK\r\n", "SET", "k", strings.Repeat("x", 130))
		got := c.do("SLOWLOG", "GET", "1")
		entry := regexp.MustCompile(`^\*1\r\n\*6\r\n:\d+\r\n:\d+\r\n:\d+\r\n\*3\r\n\$3\r\nSET\r\n\$1\r\nk\r\n\$146\r\nx{128}\.\.\. \(2 more bytes\)\r\n\$15\r\n127\.0\.0\.1:\d{5}\r\n\$2\r\nme\r\n$`)
		if !entry.MatchString(got) {
			t.Errorf("SLOWLOG GET 1: %q", got)
		}
		c.mustDo(":4\r\n", "SLOWLOG", "LEN") // RESET, SETNAME, SET, GET

		c.mustDo("+OK\r\n", "SLOWLOG", "RESET")
		c.do("MULTI")
		c.do("SET", "t", "1")
		c.do("INCR", "t")
		c.mustDo("*2\r\n+OK\r\n:2\r\n", "EXEC")
		// Newest first: INCR, SET, MULTI, RESET.
		names := regexp.MustCompile(`\*\d\r\n\$\d+\r\n([A-Z]+)\r\n`).FindAllStringSubmatch(c.do("SLOWLOG", "GET", "10"), -1)
		var order []string
		for _, m := range names {
			order = append(order, m[1])
		}
		if got := strings.Join(order, " "); got != "INCR SET MULTI SLOWLOG" {
			t.Errorf("SLOWLOG GET after a transaction: commands %q, want INCR SET MULTI SLOWLOG", got)
		}

		c.mustDo("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "-1")
		c.mustDo("+OK\r\n", "SLOWLOG", "RESET")
		c.do("PING")
		c.mustDo(":0\r\n", "SLOWLOG", "LEN")
	})
}

func TestClientPauseWrite(t *testing.T) {
	s := startServer(t)
	admin, c := s.dial(t), s.dial(t)
	admin.mustDo("+OK\r\n", "CLIENT", "PAUSE", "300", "WRITE")
	start := time.Now()
	c.mustDo("$-1\r\n", "GET", "k")
	if d := time.Since(start); d > 150*time.Millisecond {
		t.Errorf("GET waited %v under a WRITE pause", d)
	}
	c.mustDo("+OK\r\n", "SET", "k", "v")
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("SET ran after %v, before the 300 ms pause ended", d)
	}
	admin.mustDo("+OK\r\n", "CLIENT", "PAUSE", "10000", "WRITE")
	c.send(string(encodeCommand([]string{"SET", "k", "w"})))
	time.Sleep(50 * time.Millisecond)
	admin.mustDo("+OK\r\n", "CLIENT", "UNPAUSE")
	if got := c.read(); got != "+OK\r\n" {
		t.Errorf("SET after UNPAUSE: %q", got)
	}
}

// TestSlowSubscriberDisconnected publishes to a subscriber that never
// reads: the publisher never waits, the subscriber is dropped at the
// output limit, and the server's memory stays bounded.
func TestSlowSubscriberDisconnected(t *testing.T) {
	s := startServer(t)
	pub, sub, admin := s.dial(t), s.dial(t), s.dial(t)
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "pubsub 4mb 1mb 60")
	sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", "SUBSCRIBE", "ch")
	msg := strings.Repeat("m", 64<<10)
	dropped := false
	for i := 0; i < 2000 && !dropped; i++ { // up to 128 MB
		start := time.Now()
		r := pub.do("PUBLISH", "ch", msg)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("PUBLISH %d took %v: the publisher waited for the subscriber", i, d)
		}
		dropped = r == ":0\r\n"
	}
	if !dropped {
		t.Fatal("the subscriber was never disconnected")
	}
	sub.expectClosed(5 * time.Second)
	admin.mustDo("*2\r\n$2\r\nch\r\n:0\r\n", "PUBSUB", "NUMSUB", "ch")
	if rss, err := s.rssBytes(); err == nil && rss > 256<<20 {
		t.Errorf("server RSS %d MB after the subscriber was dropped", rss>>20)
	}
}

// TestClientList checks the CLIENT LIST fields tools read, on both servers:
// the same fields in the same order, and true values for a client in a transaction, a subscriber, a
// blocked client and the caller itself.
func TestClientList(t *testing.T) {
	fieldNames := map[string][]string{}
	forBoth(t, func(t *testing.T, s *server) {
		tx, sub, blocked, me := s.dial(t), s.dial(t), s.dial(t), s.dial(t)
		id := func(c *rawConn) string {
			return strings.TrimSuffix(strings.TrimPrefix(c.do("CLIENT", "ID"), ":"), "\r\n")
		}
		ids := map[string]string{id(blocked): "blocked", id(me): "me"}
		ids[id(tx)] = "tx"
		tx.do("SELECT", "3")
		tx.do("MULTI")
		tx.do("SET", "a", "1")
		tx.do("SET", "b", strings.Repeat("v", 1000))
		sub.do("SUBSCRIBE", "ch")
		blocked.send(string(encodeCommand([]string{"BLPOP", "q", "0"})))
		waitBlockedClients(t, me, 1)
		sub.send(string(encodeCommand([]string{"PING"})))
		sub.read()
		list := me.do("CLIENT", "LIST")
		clients := map[string]map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(list[strings.Index(list, "\r\n")+2:]), "\n") {
			fields := map[string]string{}
			var names []string
			for _, kv := range strings.Fields(line) {
				k, v, _ := strings.Cut(kv, "=")
				fields[k] = v
				names = append(names, k)
			}
			fieldNames[t.Name()] = names
			name, ok := ids[fields["id"]]
			if !ok && fields["sub"] == "1" {
				name, ok = "sub", true
			}
			if ok {
				clients[name] = fields
			}
		}
		atLeast := func(who, field string, min int) {
			t.Helper()
			if n, err := strconv.Atoi(clients[who][field]); err != nil || n < min {
				t.Errorf("%s: %s=%q, want at least %d", who, field, clients[who][field], min)
			}
		}
		for who, want := range map[string]map[string]string{
			"tx":      {"db": "3", "multi": "2", "flags": "x", "cmd": "set", "sub": "0"},
			"sub":     {"db": "0", "multi": "-1", "flags": "P", "cmd": "ping", "sub": "1"},
			"blocked": {"flags": "b", "cmd": "blpop"},
			"me":      {"flags": "N", "cmd": "client|list", "argv-mem": "10", "obl": "0"},
		} {
			for k, v := range want {
				if got := clients[who][k]; got != v {
					t.Errorf("%s: %s=%q, want %q", who, k, got, v)
				}
			}
		}
		atLeast("tx", "multi-mem", 1000)
		for _, who := range []string{"tx", "sub", "blocked", "me"} {
			atLeast(who, "rbs", 1)
			atLeast(who, "qbuf-free", 1)
			atLeast(who, "tot-mem", 1)
		}
		tx.do("DISCARD")
	})
	want := fieldNames["TestClientList/redis"]
	if got := fieldNames["TestClientList/myredis"]; len(want) > 0 && !slices.Equal(got, want) {
		t.Errorf("CLIENT LIST fields:\n got %v\nwant %v", got, want)
	}
}

// TestCommandStats checks INFO commandstats on both servers: the commands
// EXEC runs are counted one by one, subcommands by their full name, and
// CONFIG RESETSTAT clears the counts.
func TestCommandStats(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		c := s.dial(t)
		c.mustDo("+OK\r\n", "CONFIG", "RESETSTAT")
		for _, cmd := range [][]string{{"MULTI"}, {"SET", "k", "1"}, {"INCR", "k"}, {"EXEC"}, {"INCR", "k"}, {"CONFIG", "GET", "maxmemory"}} {
			c.do(cmd...)
		}
		calls := regexp.MustCompile(`cmdstat_([a-z|]+):calls=(\d+),`)
		counts := func() string {
			var out []string
			for _, m := range calls.FindAllStringSubmatch(c.do("INFO", "commandstats"), -1) {
				out = append(out, m[1]+"="+m[2])
			}
			slices.Sort(out) // Redis lists them in its dict's order
			return strings.Join(out, " ")
		}
		if got, want := counts(), "config|get=1 config|resetstat=1 exec=1 incr=2 multi=1 set=1"; got != want {
			t.Errorf("INFO commandstats: %s, want %s", got, want)
		}
		c.mustDo("+OK\r\n", "CONFIG", "RESETSTAT")
		if got, want := counts(), "config|resetstat=1"; got != want {
			t.Errorf("INFO commandstats after CONFIG RESETSTAT: %s, want %s", got, want)
		}
	})
}
