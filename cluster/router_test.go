package cluster

import (
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
	for _, tt := range tests {
		var b strings.Builder
		w := resp.NewWriter(&b)
		replies := make([][]byte, len(tt.replies))
		for i, r := range tt.replies {
			replies[i] = []byte(r)
		}
		merge(w, tt.m, replies, tt.order, tt.n)
		w.Flush()
		if b.String() != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, b.String(), tt.want)
		}
	}
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
