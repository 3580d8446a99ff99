package server

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"myredis/config"
	"myredis/db"
)

func TestQuoting(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"set", `"set"`},
		{"", `""`},
		{"a\"b\\c", `"a\"b\\c"`},
		{"\n\r\t\a\b", `"\n\r\t\a\b"`},
		{"\x00\x01\x7f\xff", `"\x00\x01\x7f\xff"`},
		{"sp ace~", `"sp ace~"`},
	} {
		if got := string(appendQuoted(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendQuoted(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestMonitorLine(t *testing.T) {
	now := time.Unix(1700000000, 4500) // 4 µs
	got := string(appendMonitorLine(nil, now, 3, "127.0.0.1:5000", [][]byte{[]byte("set"), []byte("k"), []byte("a b")}))
	want := "+1700000000.000004 [3 127.0.0.1:5000] \"set\" \"k\" \"a b\"\r\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSlowlogArgs(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 130)
	got := slowlogArgs([][]byte{[]byte("set"), long})
	if want := string(long[:128]) + "... (2 more bytes)"; string(got[1]) != want {
		t.Errorf("long arg: got %q, want %q", got[1], want)
	}
	if long[128] != 'x' {
		t.Error("slowlogArgs modified its input")
	}
	many := make([][]byte, 40)
	for i := range many {
		many[i] = []byte("a")
	}
	got = slowlogArgs(many)
	if len(got) != 32 || string(got[31]) != "... (9 more arguments)" {
		t.Errorf("40 args: got %d args ending %q, want 32 ending \"... (9 more arguments)\"", len(got), got[len(got)-1])
	}
	if got := slowlogArgs(many[:32]); len(got) != 32 || string(got[31]) != "a" {
		t.Errorf("32 args are kept whole, got %q", got[31])
	}
}

func TestSlowlogTrim(t *testing.T) {
	var l slowlog
	l.slowerThan.Store(10)
	l.maxLen.Store(3)
	for i := range 5 {
		d := time.Duration(5+i*10) * time.Microsecond // 5 µs is fast enough to skip
		if l.slow(d) {
			l.record(d, [][]byte{[]byte("cmd")}, "a", "")
		}
	}
	if len(l.entries) != 3 || l.entries[0].id != 1 || l.entries[2].id != 3 {
		t.Fatalf("entries %+v, want ids 1..3", l.entries)
	}
	l.maxLen.Store(1)
	l.record(time.Second, nil, "a", "")
	if len(l.entries) != 1 || l.entries[0].id != 4 {
		t.Fatalf("after shrinking: %+v, want the newest only (id 4)", l.entries)
	}
	l.slowerThan.Store(-1)
	if l.slow(time.Hour) {
		t.Error("a negative threshold must disable the log")
	}
}

func TestOutputLimit(t *testing.T) {
	lim := config.OutputBufferLimit{Hard: 100, Soft: 50, SoftSeconds: time.Second}
	t0 := time.Unix(1000, 0)
	for _, tt := range []struct {
		name    string
		pending []int // queue length at each check, a second apart... see step
		step    time.Duration
		over    bool
	}{
		{"under both", []int{10, 40, 49}, time.Second, false},
		{"hard at once", []int{100}, 0, true},
		{"soft for too long", []int{60, 60, 60}, 700 * time.Millisecond, true},
		{"soft briefly", []int{60, 60}, 700 * time.Millisecond, false},
		{"soft, dip, soft", []int{60, 10, 60, 60}, 700 * time.Millisecond, false},
	} {
		var q outQueue
		over := false
		for i, n := range tt.pending {
			q.buf = make([]byte, n)
			at := t0.Add(time.Duration(i) * tt.step)
			over = q.overLimitLocked(lim, func() time.Time { return at })
		}
		if over != tt.over {
			t.Errorf("%s: over = %v, want %v", tt.name, over, tt.over)
		}
	}
}

func TestPauseAffects(t *testing.T) {
	set := &db.Command{Name: "set", Flags: db.FlagWrite}
	get := &db.Command{Name: "get", Flags: db.FlagReadonly}
	pub := &db.Command{Name: "publish", Flags: db.FlagMayReplicate}
	exec := &db.Command{Name: "exec"}
	var p pauser
	if p.affects(set, true) {
		t.Fatal("no pause affects nothing")
	}
	p.pause(pauseWrite, time.Now().Add(time.Hour))
	for _, tt := range []struct {
		cmd    *db.Command
		writes bool
		want   bool
	}{{set, false, true}, {get, false, false}, {pub, false, true}, {exec, false, false}, {exec, true, true}} {
		if got := p.affects(tt.cmd, tt.writes); got != tt.want {
			t.Errorf("WRITE pause, %s (multi writes %v): affects = %v, want %v", tt.cmd.Name, tt.writes, got, tt.want)
		}
	}
	p.pause(pauseAll, time.Now().Add(time.Millisecond)) // more restrictive, earlier end: keeps the hour
	if !p.affects(get, false) {
		t.Error("ALL pause must hold back reads")
	}
	time.Sleep(5 * time.Millisecond)
	if p.mode.Load() != pauseAll {
		t.Error("an earlier end must not shorten the pause")
	}
	p.unpause()
	if p.affects(set, false) {
		t.Error("UNPAUSE must end the pause")
	}
	p.pause(pauseAll, time.Now().Add(10*time.Millisecond))
	deadline := time.Now().Add(2 * time.Second)
	for p.mode.Load() != pauseOff && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if p.mode.Load() != pauseOff {
		t.Error("the pause did not end at its timeout")
	}
}

func TestRegistryPublish(t *testing.T) {
	srv := New(config.Default(), db.New(db.NewTable(), 16), nil, slog.New(slog.DiscardHandler))
	type peer struct {
		sess *Session
		r    *bufio.Reader
	}
	var peers []peer
	for i := range 2 {
		a, b := net.Pipe()
		t.Cleanup(func() { a.Close(); b.Close() })
		sess := newSession(srv, a, int64(i+1))
		sess.ensureQueue()
		peers = append(peers, peer{sess, bufio.NewReader(b)})
	}
	ps := srv.ps
	ps.mu.Lock()
	ps.addLocked(peers[0].sess, "news", false)
	ps.addLocked(peers[0].sess, "news", false) // repeated: no change
	ps.addLocked(peers[1].sess, "n*", true)
	ps.addLocked(peers[1].sess, "x*", true)
	ps.mu.Unlock()
	peers[1].sess.resp3.Store(true)
	if c := ps.counts(); c.channels != 1 || c.patterns != 2 {
		t.Fatalf("counts %+v, want 1 channel, 2 patterns", c)
	}
	if n := srv.publish([]byte("news"), []byte("hi")); n != 2 {
		t.Fatalf("publish reached %d, want 2", n)
	}
	for i, want := range []string{
		"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n",
		">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n",
	} {
		got := make([]byte, len(want))
		if _, err := io.ReadFull(peers[i].r, got); err != nil || string(got) != want {
			t.Errorf("subscriber %d got %q (%v), want %q", i, got, err, want)
		}
	}
	ps.removeAll(peers[0].sess)
	ps.mu.Lock()
	ps.removeLocked(peers[1].sess, "x*", true)
	ps.removeLocked(peers[1].sess, "never", true)
	ps.mu.Unlock()
	if c := ps.counts(); c.channels != 0 || c.patterns != 1 {
		t.Fatalf("after removals %+v, want 0 channels, 1 pattern", c)
	}
	if peers[0].sess.subscribed() || !peers[1].sess.subscribed() {
		t.Error("subscribed() disagrees with the registry")
	}
	if n := srv.publish([]byte("other"), []byte("x")); n != 0 {
		t.Errorf("publish to nobody reached %d", n)
	}
}

func TestKeepQueueBuffer(t *testing.T) {
	for _, tc := range []struct {
		n, c int
		keep bool
	}{
		{0, 4 << 10, true},           // small: always kept
		{10, minQueueBuf, true},      // at the small limit
		{100 << 10, 256 << 10, true}, // large and well used
		{10 << 10, 256 << 10, false}, // large and mostly empty: traffic calmed down
		{maxQueueBuf, 2 * maxQueueBuf, false},
	} {
		if got := keepQueueBuffer(tc.n, tc.c); got != tc.keep {
			t.Errorf("keepQueueBuffer(%d, %d) = %v, want %v", tc.n, tc.c, got, tc.keep)
		}
	}
}

// TestQueueHoldReleasedAtFinish: a queue held at a mark whose session ends
// before the replies that would release it still delivers what waited
// behind the mark.
func TestQueueHoldReleasedAtFinish(t *testing.T) {
	srv := New(config.Default(), db.New(db.NewTable(), 16), nil, slog.New(slog.DiscardHandler))
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	sess := newSession(srv, a, 1)
	q := sess.ensureQueue()
	q.hold()
	q.push([]byte("+behind the mark\r\n"), 0)
	got := make(chan string, 1)
	go func() {
		data, _ := io.ReadAll(b)
		got <- string(data)
	}()
	q.finish()
	a.Close()
	if s := <-got; s != "+behind the mark\r\n" {
		t.Errorf("delivered %q, want what waited behind the mark", s)
	}
}
