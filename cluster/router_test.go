package cluster

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"myredis/config"
	"myredis/db"
	"myredis/resp"
	"myredis/server"
)

// startNodes runs an in-process cluster of n nodes on 127.0.0.1 and
// returns their addresses; the servers close at cleanup.
func startNodes(t *testing.T, n int) []string {
	t.Helper()
	var addrs []string
	var ls []net.Listener
	for range n { // reserve n ports, then free them for the servers
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		addrs = append(addrs, l.Addr().String())
	}
	for _, l := range ls {
		l.Close()
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for i, a := range addrs {
		_, port, _ := net.SplitHostPort(a)
		cfg := config.Default()
		if err := cfg.Set([][2]string{{"port", port}, {"bind", "127.0.0.1"}}); err != nil {
			t.Fatal(err)
		}
		ks := db.New(db.NewTable(), 16)
		peers := append(append([]string{}, addrs[:i]...), addrs[i+1:]...)
		r := New(Options{Self: a, Peers: peers, Next: server.Local{KS: ks}, Table: ks.Table(),
			Password: cfg.RequirePass, Log: logger})
		srv := server.New(cfg, ks, r, logger)
		if err := srv.Listen(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { srv.Serve(); close(done) }()
		t.Cleanup(func() { srv.Close(); <-done })
	}
	return addrs
}

func testDialer(self string, members []string) *dialer {
	return &dialer{self: self, members: members, password: func() string { return "" },
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// TestPoolPipelined shares one pool between many goroutines, each writing
// and reading its own keys in its own database.
func TestPoolPipelined(t *testing.T) {
	addrs := startNodes(t, 2)
	ring := NewRing(addrs, DefaultVirtualNodes, nil)
	for _, proto := range []int{2, 3} {
		p := newPool(addrs[1], proto, testDialer(addrs[0], ring.Members()))
		var wg sync.WaitGroup
		errs := make(chan error, 1)
		for g := range 20 {
			wg.Go(func() {
				for i := range 200 {
					// Only keys B owns: B refuses the others from a peer.
					key := []byte(fmt.Sprintf("p%d:%d:%d", proto, g, i))
					if ring.Owner(key) != addrs[1] {
						continue
					}
					val := []byte(strconv.Itoa(i))
					db := (g + i) % 16
					if rep, err := p.Do(db, [][]byte{[]byte("SET"), key, val}); err != nil || string(rep) != "+OK\r\n" {
						select {
						case errs <- fmt.Errorf("SET: %q %v", rep, err):
						default:
						}
						return
					}
					rep, err := p.Do(db, [][]byte{[]byte("GET"), key})
					if want := string(resp.AppendBulk(nil, val)); err != nil || string(rep) != want {
						select {
						case errs <- fmt.Errorf("GET %s in db %d: %q %v", key, db, rep, err):
						default:
						}
						return
					}
				}
			})
		}
		wg.Wait()
		select {
		case err := <-errs:
			t.Fatalf("RESP%d: %v", proto, err)
		default:
		}
	}
}

func TestPoolPeerRefusesForeignKey(t *testing.T) {
	addrs := startNodes(t, 2)
	ring := NewRing(addrs, DefaultVirtualNodes, nil)
	p := newPool(addrs[1], 2, testDialer(addrs[0], ring.Members()))
	key := []byte("x")
	for i := 0; ring.Owner(key) != addrs[0]; i++ {
		key = []byte("x" + strconv.Itoa(i))
	}
	rep, err := p.Do(0, [][]byte{[]byte("GET"), key})
	if err != nil || !strings.HasPrefix(string(rep), "-CLUSTERDOWN key '"+string(key)+"' belongs to node "+addrs[0]+", not to this node "+addrs[1]) {
		t.Fatalf("%q %v", rep, err)
	}
}

func TestPoolMemberMismatch(t *testing.T) {
	addrs := startNodes(t, 2)
	p := newPool(addrs[1], 2, testDialer(addrs[0], []string{addrs[0], addrs[1], "127.0.0.1:1"}))
	_, err := p.Do(0, [][]byte{[]byte("PING")})
	if err == nil || !strings.Contains(err.Error(), "CLUSTERDOWN node "+addrs[1]+" disagrees on the cluster members") {
		t.Fatal(err)
	}
}

func TestPoolDeadPeer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := newPool(addr, 2, testDialer("127.0.0.1:1", []string{addr, "127.0.0.1:1"}))
	for range 3 {
		start := time.Now()
		_, err := p.Do(0, [][]byte{[]byte("PING")})
		if err == nil || !strings.HasPrefix(err.Error(), "CLUSTERDOWN node "+addr+" is unreachable") {
			t.Fatal(err)
		}
		if d := time.Since(start); d > Timeout {
			t.Fatalf("took %v", d)
		}
	}
}

func TestMergers(t *testing.T) {
	tests := []struct {
		name    string
		m       merger
		replies []string
		order   [][]int
		n       int
		want    string
	}{
		{"in order", mergeInOrder, []string{"*2\r\n$1\r\na\r\n$-1\r\n", "*1\r\n$1\r\nb\r\n"}, [][]int{{2, 0}, {1}}, 3,
			"*3\r\n$-1\r\n$1\r\nb\r\n$1\r\na\r\n"},
		{"sum", mergeSum, []string{":2\r\n", ":0\r\n", ":5\r\n"}, nil, 0, ":7\r\n"},
		{"ok", mergeOK, []string{"+OK\r\n", "+OK\r\n"}, nil, 0, "+OK\r\n"},
		{"concat", mergeConcat, []string{"*1\r\n$1\r\na\r\n", "*0\r\n", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"}, nil, 0,
			"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
		{"random of one", mergeRandom, []string{"$-1\r\n", "$1\r\nk\r\n", "_\r\n"}, nil, 0, "$1\r\nk\r\n"},
		{"random of none", mergeRandom, []string{"$-1\r\n"}, nil, 0, "$-1\r\n"},
		{"first error", mergeSum, []string{":1\r\n", "-CLUSTERDOWN x\r\n", "-ERR y\r\n"}, nil, 0, "-CLUSTERDOWN x\r\n"},
	}
	r := &Router{}
	for _, tt := range tests {
		var b strings.Builder
		w := resp.NewWriter(&b)
		parts := make([]part, len(tt.replies))
		for i, rep := range tt.replies {
			parts[i].reply = []byte(rep)
			if tt.order != nil {
				parts[i].order = tt.order[i]
			}
		}
		r.merge(w, nil, tt.m, parts, tt.n)
		w.Flush()
		if b.String() != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, b.String(), tt.want)
		}
	}
}

// TestPartsReport checks the error of a command split across nodes that
// failed on some of them: each node's share, applied first, with its keys
// (bounded) and why it failed.
func TestPartsReport(t *testing.T) {
	table := db.NewTable()
	mset, del, flushall := table.Get([]byte("mset")), table.Get([]byte("del")), table.Get([]byte("flushall"))
	args := func(a ...string) [][]byte {
		out := make([][]byte, len(a))
		for i, s := range a {
			out[i] = []byte(s)
		}
		return out
	}
	down := unreachable("10.0.0.2:7000", errors.New("connection refused"))
	silent := &peerError{addr: "10.0.0.3:7000", what: "did not answer within 2s", sent: true}
	many := []string{"DEL"}
	for i := range 8 {
		many = append(many, fmt.Sprintf("key%d", i))
	}
	long := strings.Repeat("x", 100)
	tests := []struct {
		name  string
		parts []part
		want  string
	}{
		{"mset, one node down", []part{
			{member: "10.0.0.2:7000", args: args("MSET", "b", "2"), err: down},
			{member: "10.0.0.1:7000", args: args("MSET", "a", "1", "c", "3"), reply: []byte("+OK\r\n")},
		}, "CLUSTERDOWN MSET applied on 10.0.0.1:7000 (keys a, c); not applied on 10.0.0.2:7000 (key b): " +
			"node 10.0.0.2:7000 is unreachable: connection refused"},
		{"del, unknown and refused", []part{
			{member: "10.0.0.3:7000", args: args(many...), err: silent},
			{member: "10.0.0.1:7000", args: args("DEL", long), reply: []byte("-MISCONF disk full\r\n")},
		}, "CLUSTERDOWN DEL not applied on 10.0.0.1:7000 (key " + long[:40] + "...): MISCONF disk full; " +
			"outcome unknown on 10.0.0.3:7000 (keys key0, key1, key2, key3, key4, and 3 more): " +
			"node 10.0.0.3:7000 did not answer within 2s"},
		{"flushall, no keys", []part{
			{member: "10.0.0.1:7000", args: args("FLUSHALL"), reply: []byte("+OK\r\n")},
			{member: "10.0.0.3:7000", args: args("FLUSHALL"), err: silent},
		}, "CLUSTERDOWN FLUSHALL applied on 10.0.0.1:7000; outcome unknown on 10.0.0.3:7000: " +
			"node 10.0.0.3:7000 did not answer within 2s"},
	}
	cmds := map[string]*db.Command{"mset": mset, "del": del, "flushall": flushall}
	r := &Router{partial: map[*db.Command]bool{mset: true, del: true, flushall: true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := cmds[strings.ToLower(string(tt.parts[0].args[0]))]
			var b strings.Builder
			w := resp.NewWriter(&b)
			r.merge(w, cmd, mergeOK, tt.parts, 0)
			w.Flush()
			assert.Equal(t, "-"+tt.want+"\r\n", b.String())
		})
	}
	// A command that only reads answers its first failure as it came.
	mget := table.Get([]byte("mget"))
	var b strings.Builder
	w := resp.NewWriter(&b)
	r.merge(w, mget, mergeInOrder, []part{
		{member: "10.0.0.1:7000", args: args("MGET", "a"), reply: []byte("*1\r\n$1\r\n1\r\n")},
		{member: "10.0.0.3:7000", args: args("MGET", "b"), err: silent},
	}, 2)
	w.Flush()
	assert.Equal(t, "-"+silent.Error()+"\r\n", b.String())
	assert.Equal(t, "CLUSTERDOWN node 10.0.0.3:7000 did not answer within 2s: the command may or may not have been applied", silent.Error())
}

// silentPeer listens on 127.0.0.1 and accepts connections, answering the
// two handshake commands of a RESP2 dialer without a password when
// handshake is set, and nothing else ever. It closes at cleanup.
func silentPeer(t *testing.T, handshake bool) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	closed := false
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		closed = true
		for _, nc := range conns {
			nc.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, nc)
			if closed {
				nc.Close()
			}
			mu.Unlock()
			if handshake {
				nc.Write([]byte("+OK\r\n+OK\r\n"))
			}
			wg.Go(func() { io.Copy(io.Discard, nc) })
		}
	})
	return l.Addr().String()
}

// TestPoolSilentPeer checks that every wait on a peer that accepts
// connections but never answers ends within Timeout, with an error that
// names the peer and says whether the command may have reached it.
func TestPoolSilentPeer(t *testing.T) {
	margin := time.Second
	t.Run("handshake unanswered", func(t *testing.T) {
		t.Parallel()
		addr := silentPeer(t, false)
		p := newPool(addr, 2, testDialer("127.0.0.1:1", []string{addr, "127.0.0.1:1"}))
		for _, do := range []func() ([]byte, error){
			func() ([]byte, error) { return p.Do(0, [][]byte{[]byte("SET"), []byte("k"), []byte("v")}) },
			func() ([]byte, error) { return p.DoDedicated(0, [][]byte{[]byte("BLPOP"), []byte("k"), []byte("0")}) },
		} {
			start := time.Now()
			_, err := do()
			assert.Less(t, time.Since(start), Timeout+margin)
			if assert.Error(t, err) {
				assert.Regexp(t, "^CLUSTERDOWN node "+addr+" is unreachable: (connecting timed out after 2s|the command could not be sent within 2s)$", err.Error())
			}
		}
	})
	t.Run("command unanswered", func(t *testing.T) {
		t.Parallel()
		addr := silentPeer(t, true)
		p := newPool(addr, 2, testDialer("127.0.0.1:1", []string{addr, "127.0.0.1:1"}))
		start := time.Now()
		_, err := p.Do(0, [][]byte{[]byte("SET"), []byte("k"), []byte("v")})
		assert.Less(t, time.Since(start), Timeout+margin)
		assert.EqualError(t, err, "CLUSTERDOWN node "+addr+" did not answer within 2s: the command may or may not have been applied")
		start = time.Now()
		_, err = p.DoTransaction(0, [][][]byte{{[]byte("INCR"), []byte("k")}})
		assert.Less(t, time.Since(start), Timeout+margin)
		assert.EqualError(t, err, "CLUSTERDOWN node "+addr+" did not answer within 2s: the command may or may not have been applied")
	})
}
