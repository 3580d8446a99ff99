package tests

import (
	"testing"
)

// readUntil reads replies from c until one equals last (which is included),
// at most limit of them.
func (c *rawConn) readUntil(last string, limit int) []string {
	c.t.Helper()
	var out []string
	for range limit {
		r := c.read()
		out = append(out, r)
		if r == last {
			return out
		}
	}
	c.t.Fatalf("no %q among %d replies: %q", last, limit, out)
	return nil
}

// TestPushesUnderReplyOff compares with Redis what a client that turned its
// replies off (CLIENT REPLY OFF or SKIP) still receives: subscription
// confirmations and published messages, in RESP2 as in RESP3, while the
// replies of other commands stay silent. A confirmation that is sent while
// replies are off must not hold back what follows it.
func TestPushesUnderReplyOff(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("resp"+proto, func(t *testing.T) {
			onBoth(t, nil, func(s *server) []string {
				sub, pub := s.dial(t), s.dial(t)
				var out []string
				if proto == "3" {
					sub.do("HELLO", "3")
				}
				send := func(args ...string) { sub.send(string(encodeCommand(args))) }
				// SKIP silences the next command's reply, not its confirmation.
				send("CLIENT", "REPLY", "SKIP")
				send("SUBSCRIBE", "a")
				send("PING", "after-skip")
				out = append(out, sub.readN(2)...)
				out = append(out, sub.do("UNSUBSCRIBE"))
				send("CLIENT", "REPLY", "OFF")
				send("SUBSCRIBE", "a", "b")
				send("PING")
				send("GET", "k")
				out = append(out, sub.readN(2)...)
				out = append(out, pub.do("PUBLISH", "a", "m1"), sub.read())
				send("PSUBSCRIBE", "h*")
				out = append(out, sub.read())
				out = append(out, pub.do("PUBLISH", "hello", "m2"), sub.read())
				send("PUNSUBSCRIBE")
				send("UNSUBSCRIBE", "a")
				send("PING")
				send("UNSUBSCRIBE")
				send("CLIENT", "REPLY", "ON")
				out = append(out, sub.readUntil("+OK\r\n", 5)...)
				out = append(out, pub.do("PUBLISH", "b", "m4"), sub.do("PING"))
				return out
			})
		})
	}
}
