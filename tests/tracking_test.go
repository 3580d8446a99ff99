package tests

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// Client-side caching (CLIENT TRACKING) across connections, compared with
// Redis byte for byte: the replies of the tracking client, the writer and
// the redirection client, and the invalidation pushes and messages they
// receive, in order. A step that expects no push sends PING: a push queued
// before it would be read instead of PONG.

// trackingConn opens a connection speaking proto with tracking turned on
// with opts.
func trackingConn(t *testing.T, s *server, proto int, opts ...string) *rawConn {
	t.Helper()
	c := s.dial(t)
	if proto == 3 {
		c.do("HELLO", "3")
	}
	c.mustDo("+OK\r\n", append([]string{"CLIENT", "TRACKING", "ON"}, opts...)...)
	return c
}

// clientID returns c's CLIENT ID as a string.
func clientID(c *rawConn) string {
	r := c.do("CLIENT", "ID")
	return strings.TrimSuffix(strings.TrimPrefix(r, ":"), "\r\n")
}

// trackingFields returns the flags and redir fields of c's CLIENT INFO.
func trackingFields(c *rawConn) string {
	info := c.do("CLIENT", "INFO")
	flags := regexp.MustCompile(`flags=\S+`).FindString(info)
	redir := regexp.MustCompile(`redir=\S+`).FindString(info)
	if redir != "redir=-1" && redir != "redir=0" {
		redir = "redir=ID"
	}
	return flags + " " + redir
}

// trackingInfo returns INFO's tracking figures, one string.
func trackingInfo(c *rawConn) string {
	var out []string
	for _, l := range strings.Split(c.do("INFO", "everything"), "\r\n") {
		if strings.HasPrefix(l, "tracking_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, " ")
}

func TestTrackingDefaultMode(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run("resp"+string(rune('0'+proto)), func(t *testing.T) {
			onBoth(t, nil, func(s *server) []string {
				w := s.dial(t)
				w.mustDo("+OK\r\n", "FLUSHALL")
				var out []string
				var a, sub *rawConn
				if proto == 3 {
					a = trackingConn(t, s, 3)
				} else {
					sub = s.dial(t)
					id := clientID(sub)
					out = append(out, sub.do("SUBSCRIBE", "__redis__:invalidate"))
					a = trackingConn(t, s, 2, "REDIRECT", id)
				}
				pushes := a
				if sub != nil {
					pushes = sub
				}
				out = append(out, trackingFields(a), anyID.ReplaceAllString(a.do("CLIENT", "GETREDIR"), ":ID\r\n"))
				out = append(out, a.do("GET", "k"), a.do("MGET", "k2", "k3"))
				out = append(out, w.do("SET", "k", "v"), pushes.read())
				out = append(out, w.do("SET", "k", "v2"), a.do("PING")) // forgotten after one invalidation
				out = append(out, w.do("MSET", "k2", "a", "k3", "b"), pushes.read(), pushes.read())
				// A read in MULTI, and a script's declared keys.
				out = append(out, w.do("MSET", "m", "1", "s", "2"), a.do("MULTI"), a.do("GET", "m"), a.do("EXEC"))
				out = append(out, a.do("EVAL", "return redis.call('get', KEYS[1])", "1", "s"))
				out = append(out, w.do("DEL", "m", "s"), pushes.read(), pushes.read())
				// Writes that read (INCR) are not tracked; a write by the
				// tracking client itself invalidates after its reply.
				out = append(out, a.do("INCR", "n"), w.do("INCR", "n"), a.do("PING"))
				out = append(out, a.do("GET", "k"), a.do("SET", "k", "own"))
				if proto == 3 {
					out = append(out, a.read())
				} else {
					out = append(out, sub.read())
				}
				// Expiry, and a flush: a null for every tracking client.
				out = append(out, w.do("SET", "e", "v", "PX", "30"), a.do("GET", "e"))
				time.Sleep(100 * time.Millisecond)
				out = append(out, w.do("GET", "e"), pushes.read())
				out = append(out, trackingInfo(w))
				out = append(out, a.do("GET", "k"), w.do("FLUSHDB"), pushes.read(), w.do("FLUSHALL"), pushes.read())
				out = append(out, trackingInfo(w))
				out = append(out, a.do("CLIENT", "TRACKING", "OFF"), a.do("CLIENT", "GETREDIR"), trackingFields(a), trackingInfo(w))
				return out
			})
		})
	}
}

// anyID matches a client id other than 0 and -1 in an integer reply.
var anyID = regexp.MustCompile(`^:[1-9]\d*\r\n$`)

func TestTrackingOptinOptoutNoloop(t *testing.T) {
	onBoth(t, nil, func(s *server) []string {
		w := s.dial(t)
		w.mustDo("+OK\r\n", "FLUSHALL")
		var out []string
		in := trackingConn(t, s, 3, "OPTIN")
		out = append(out, in.do("CLIENT", "TRACKINGINFO"))
		out = append(out, in.do("GET", "k"), w.do("SET", "k", "1"), in.do("PING"))
		out = append(out, in.do("CLIENT", "CACHING", "YES"), in.do("CLIENT", "TRACKINGINFO"), in.do("GET", "k"), in.do("CLIENT", "TRACKINGINFO"))
		out = append(out, w.do("SET", "k", "2"), in.read())
		// CACHING YES covers a whole transaction, as rueidis sends it.
		out = append(out, in.do("CLIENT", "CACHING", "YES"), in.do("MULTI"), in.do("PTTL", "k"), in.do("GET", "k"), in.do("EXEC"))
		out = append(out, w.do("SET", "k", "3"), in.read())
		out = append(out, in.do("CLIENT", "CACHING", "NO"), in.do("CLIENT", "TRACKING", "ON", "OPTOUT"))

		o := trackingConn(t, s, 3, "OPTOUT", "NOLOOP")
		out = append(out, o.do("CLIENT", "CACHING", "YES"), o.do("CLIENT", "CACHING", "NO"), o.do("CLIENT", "TRACKINGINFO"))
		out = append(out, o.do("GET", "x"), w.do("SET", "x", "1"), o.do("PING"))
		out = append(out, o.do("GET", "x"), w.do("SET", "x", "2"), o.read())
		// NOLOOP: no push for its own write, and the key is forgotten all the same.
		out = append(out, o.do("GET", "x"), o.do("SET", "x", "mine"), o.do("PING"), w.do("SET", "x", "theirs"), o.do("PING"))
		out = append(out, o.do("CLIENT", "TRACKING", "ON", "OPTIN"), o.do("CLIENT", "TRACKING", "ON", "BCAST"))
		out = append(out, o.do("CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"), o.do("CLIENT", "TRACKING", "ON", "REDIRECT", "1", "REDIRECT", "2"))
		out = append(out, o.do("CLIENT", "TRACKING", "MAYBE"), o.do("CLIENT", "TRACKING", "ON", "NOPE"), o.do("CLIENT", "CACHING", "MAYBE"))
		out = append(out, o.do("CLIENT", "TRACKING", "ON", "REDIRECT", "x"))
		return out
	})
}

func TestTrackingBroadcast(t *testing.T) {
	onBoth(t, nil, func(s *server) []string {
		w := s.dial(t)
		w.mustDo("+OK\r\n", "FLUSHALL")
		var out []string
		b := trackingConn(t, s, 3, "BCAST", "PREFIX", "a", "PREFIX", "b")
		all := trackingConn(t, s, 3, "BCAST", "NOLOOP")
		out = append(out, b.do("CLIENT", "TRACKINGINFO"), trackingFields(b), trackingInfo(w))
		out = append(out, b.do("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab"))
		out = append(out, b.do("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "c"), b.do("CLIENT", "TRACKINGINFO"))
		out = append(out, b.do("CLIENT", "TRACKING", "ON"), b.do("CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"))
		out = append(out, w.do("SET", "a1", "x"), b.read(), all.read())
		out = append(out, w.do("MSET", "b2", "x", "zz", "y", "a3", "z", "a0", "w"), b.read(), b.read(), all.read())
		out = append(out, all.do("SET", "c9", "mine"), b.read(), all.do("PING")) // NOLOOP in BCAST
		out = append(out, b.do("GET", "q"), w.do("SET", "q", "1"), b.do("PING"))
		out = append(out, w.do("FLUSHALL"), b.read(), all.read())
		out = append(out, b.do("CLIENT", "TRACKING", "OFF"), trackingInfo(w))
		return out
	})
}

func TestTrackingRedirectBroken(t *testing.T) {
	redirID := regexp.MustCompile(`:\d+\r\n$`)
	onBoth(t, nil, func(s *server) []string {
		w := s.dial(t)
		w.mustDo("+OK\r\n", "FLUSHALL")
		var out []string
		gone := s.dial(t)
		id := clientID(gone)
		a := trackingConn(t, s, 3, "REDIRECT", id)
		out = append(out, a.do("GET", "k"))
		gone.c.Close()
		time.Sleep(50 * time.Millisecond)
		out = append(out, w.do("SET", "k", "v"), redirID.ReplaceAllString(a.read(), ":ID\r\n"))
		out = append(out, trackingFields(a), a.do("PING"))
		ti := a.do("CLIENT", "TRACKINGINFO")
		out = append(out, redirID.ReplaceAllString(strings.Replace(ti, ":"+id+"\r\n", ":ID\r\n", 1), ":ID\r\n"))
		return out
	})
}

// TestTrackingTableLimit: over tracking-table-max-keys, keys are forgotten
// with their invalidations sent.
func TestTrackingTableLimit(t *testing.T) {
	forBoth(t, func(t *testing.T, s *server) {
		w := s.dial(t)
		w.mustDo("+OK\r\n", "CONFIG", "SET", "tracking-table-max-keys", "2")
		a := trackingConn(t, s, 3)
		a.do("MGET", "k1", "k2", "k3")
		w.do("PING") // Redis keeps the table in bounds before each command
		p := a.read()
		if !regexp.MustCompile(`^>2\r\n\$10\r\ninvalidate\r\n\*1\r\n\$2\r\nk[123]\r\n$`).MatchString(p) {
			t.Fatalf("got %q, want the invalidation of a tracked key", p)
		}
		if got := trackingInfo(w); !strings.Contains(got, "tracking_total_keys:2") {
			t.Fatalf("INFO: %s", got)
		}
	})
}

// TestTrackingDisconnectFreesTable: MyRedis takes a client that goes away
// out of the table at once (Redis drops its entries lazily, so the item
// count differs there).
func TestTrackingDisconnectFreesTable(t *testing.T) {
	s := startServer(t)
	w := s.dial(t)
	a := trackingConn(t, s, 3)
	a.do("MGET", "k1", "k2", "k3")
	b := trackingConn(t, s, 2)
	b.do("GET", "k1")
	if got := trackingInfo(w); got != "tracking_clients:2 tracking_total_keys:3 tracking_total_items:4 tracking_total_prefixes:0" {
		t.Fatalf("INFO: %s", got)
	}
	a.c.Close()
	want := "tracking_clients:1 tracking_total_keys:1 tracking_total_items:1 tracking_total_prefixes:0"
	for deadline := time.Now().Add(5 * time.Second); trackingInfo(w) != want; {
		if time.Now().After(deadline) {
			t.Fatalf("INFO: %s, want %s", trackingInfo(w), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTrackingAcrossDatabases: keys are tracked by name, whatever the
// database, as in Redis; a write in another database invalidates too.
func TestTrackingAcrossDatabases(t *testing.T) {
	onBoth(t, nil, func(s *server) []string {
		w := s.dial(t)
		w.mustDo("+OK\r\n", "FLUSHALL")
		a := trackingConn(t, s, 3)
		var out []string
		out = append(out, a.do("GET", "k"), w.do("SELECT", "3"), w.do("SET", "k", "v"), a.read())
		out = append(out, a.do("SELECT", "3"), a.do("GET", "k"), w.do("SELECT", "0"), w.do("SET", "k", "w"), a.read())
		out = append(out, a.do("GET", "k"), w.do("SWAPDB", "0", "3"), a.do("PING")) // SWAPDB invalidates nothing in Redis 7.0
		return out
	})
}
