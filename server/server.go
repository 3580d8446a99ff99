// Package server owns the sockets: the accept loops, one goroutine per
// connection, the session state of each client, pipelining and flushing,
// and the commands that act on connections (HELLO, AUTH, CLIENT, QUIT,
// RESET) or on the server as a whole (INFO, CONFIG, SHUTDOWN).
package server

import (
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"myredis/config"
	"myredis/db"
	"myredis/resp"
)

// An Executor runs one command, already found in the command table and
// checked for arity, for a session and writes its reply to w. The keyspace
// is the plain Executor; the cluster router wraps it.
type Executor interface {
	Exec(s *Session, cmd *db.Command, args [][]byte, w *resp.Writer)
}

// Local is the Executor that runs every command in this process's keyspace.
type Local struct{ KS *db.Keyspace }

// Exec runs cmd in the local keyspace.
func (l Local) Exec(s *Session, cmd *db.Command, args [][]byte, w *resp.Writer) {
	l.KS.Exec(&s.Client, cmd, args, w)
}

// Server accepts client connections and runs their commands. Create it with
// New, then call Serve.
type Server struct {
	cfg   *config.Config
	ks    *db.Keyspace
	table *db.Table
	exec  Executor
	log   *slog.Logger
	start time.Time
	// startMem is the heap in use once New has built the server, INFO's
	// used_memory_startup.
	startMem uint64
	// gcLimit is the maxmemory Go's memory limit was last derived from.
	gcLimit atomic.Int64
	// thp asks for huge pages for the heap (disable-thp no); nil when
	// there is nothing to ask. Only the memory watcher uses it.
	thp *heapAdviser

	// Live copies of settings CONFIG SET can change, read on hot paths.
	requirePass   atomic.Pointer[string]
	protectedMode atomic.Bool
	maxClients    atomic.Int64
	timeout       atomic.Int64 // nanoseconds, 0 = never
	limits        atomic.Pointer[resp.Limits]
	clientLimit   atomic.Int64 // maxmemory-clients in bytes, 0 = off (see clientEvictionLimit)

	// clientMem serializes the measures of the clients' memory (reportMemory)
	// and the client evictions they lead to.
	clientMem         sync.Mutex
	clientsOverWarned bool // guarded by clientMem: the warning that nothing is left to evict was logged

	mu        sync.Mutex
	listeners []net.Listener // guarded by mu; replaced when CONFIG SET changes port or bind
	serving   bool           // Serve has started: new listeners get accept loops at once
	accepters sync.WaitGroup // one per accept loop
	sessions  map[int64]*Session
	nsessions atomic.Int64 // len(sessions), read without mu
	nextID    atomic.Int64
	wg        sync.WaitGroup // one per connection goroutine
	closing   bool
	drainBy   atomic.Int64 // unix nanoseconds by which closing sessions must have written their replies
	done      chan struct{}
	closeOnce sync.Once

	stats   Stats
	errors  errorStats
	samples sampler

	persist Persistence // nil when appendonly is off
	scripts Scripts     // nil without a scripting engine
	loading atomic.Bool

	ps        *pubsub
	mon       monitors
	slow      slowlog
	pause     pauser
	outLimits atomic.Pointer[outputLimits]
}

// Stats are the server-wide counters INFO reports.
type Stats struct {
	Connections       atomic.Int64
	Commands          atomic.Int64
	RejectedConns     atomic.Int64
	NetInputBytes     atomic.Int64
	NetOutputBytes    atomic.Int64
	Reads             atomic.Int64 // socket reads that returned
	Writes            atomic.Int64 // socket writes
	ErrorReplies      atomic.Int64
	UnexpectedErrors  atomic.Int64
	ProtocolErrors    atomic.Int64
	QueryLimitClosed  atomic.Int64
	TimedOutClients   atomic.Int64
	ClientsKilledByOp atomic.Int64
	EvictedClients    atomic.Int64 // closed by maxmemory-clients
}

// New returns a server for the keyspace ks configured by cfg. It registers
// the server's own commands in the keyspace's command table, so call it
// once per table. exec may be nil, meaning Local{ks}.
func New(cfg *config.Config, ks *db.Keyspace, exec Executor, logger *slog.Logger) *Server {
	if exec == nil {
		exec = Local{ks}
	}
	s := &Server{
		cfg: cfg, ks: ks, table: ks.Table(), exec: exec, log: logger, start: time.Now(),
		sessions: make(map[int64]*Session),
		done:     make(chan struct{}),
		ps:       newPubsub(),
	}
	s.pause.onChange = ks.PauseExpiry
	s.thp = setupHugePages(cfg.Bool("disable-thp"), logger)
	s.registerCommands()
	s.registerPersistence()
	s.applyConfig()
	cfg.OnChange(func([]string) { s.applyConfig() })
	cfg.OnApply([]string{"port"}, s.rebinder("Unable to listen on this port. Check server logs."))
	cfg.OnApply([]string{"bind"}, s.rebinder("Failed to bind to specified addresses."))
	ks.OnNotify(func(channel, message []byte) { s.publish(channel, message) })
	ks.OnInvalidate(s.invalidate)
	s.startMem = heapBytes()
	ks.SetMemBase(int64(s.startMem))
	return s
}

// applyConfig copies the live settings out of the configuration.
func (s *Server) applyConfig() {
	pass := s.cfg.RequirePass()
	s.requirePass.Store(&pass)
	s.protectedMode.Store(s.cfg.Bool("protected-mode"))
	s.maxClients.Store(int64(s.cfg.MaxClients()))
	s.timeout.Store(int64(s.cfg.Timeout()))
	s.limits.Store(&resp.Limits{
		MaxBulkLen: s.cfg.ProtoMaxBulkLen(),
		MaxQuery:   s.cfg.ClientQueryBufferLimit(),
	})
	s.outLimits.Store(&outputLimits{
		normal: s.cfg.ClientOutputBufferLimit("normal"),
		pubsub: s.cfg.ClientOutputBufferLimit("pubsub"),
	})
	s.slow.slowerThan.Store(s.cfg.Int("slowlog-log-slower-than"))
	s.slow.maxLen.Store(s.cfg.Int("slowlog-max-len"))
	s.ks.SetNotifications(db.ParseEventClasses(s.cfg.NotifyKeyspaceEvents()))
	s.ks.SetStreamNodeLimits(s.cfg.Int("stream-node-max-entries"), s.cfg.Int("stream-node-max-bytes"))
	s.ks.SetTrackingMaxKeys(s.cfg.Int("tracking-table-max-keys"))
	s.ks.SetEncodingLimits(db.EncodingLimits{
		HashEntries:      int(s.cfg.Int("hash-max-listpack-entries")),
		HashValue:        int(s.cfg.Int("hash-max-listpack-value")),
		SetIntsetEntries: int(s.cfg.Int("set-max-intset-entries")),
		ZSetEntries:      int(s.cfg.Int("zset-max-listpack-entries")),
		ZSetValue:        int(s.cfg.Int("zset-max-listpack-value")),
	})
	s.applyMemoryConfig()
}

// Addrs returns the addresses the server listens on.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []net.Addr
	for _, l := range s.listeners {
		out = append(out, l.Addr())
	}
	return out
}

// Serve accepts connections on every listener until Close is called, then
// waits for every connection to finish its in-flight replies.
func (s *Server) Serve() {
	go s.watchMemory()
	go s.samples.run(func() totals {
		return totals{s.stats.Commands.Load(), s.stats.NetInputBytes.Load(), s.stats.NetOutputBytes.Load()}
	}, s.done)
	s.mu.Lock()
	s.serving = true
	for _, l := range s.listeners {
		s.startAccepting(l)
	}
	s.mu.Unlock()
	<-s.done
	s.accepters.Wait()
	s.wg.Wait()
}

// startAccepting starts the accept loop of l. The caller holds s.mu.
func (s *Server) startAccepting(l net.Listener) {
	s.accepters.Add(1)
	go func() {
		defer s.accepters.Done()
		s.acceptLoop(l)
	}()
}

func (s *Server) acceptLoop(l net.Listener) {
	var backoff time.Duration
	for {
		conn, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return // the server closes, or CONFIG SET replaced the listener
			}
			// Out of file descriptors and the like: wait and retry.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed", "err", err, "retry_in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		s.accept(conn)
	}
}

// accept registers a new connection and starts its goroutine, or turns it
// away when the server is full or closing.
func (s *Server) accept(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		if ka := s.cfg.TCPKeepAlive(); ka > 0 {
			tc.SetKeepAlive(true)
			tc.SetKeepAlivePeriod(ka)
		}
		tc.SetNoDelay(true)
	}
	if s.protectedMode.Load() && *s.requirePass.Load() == "" && !isLocalAddr(conn.RemoteAddr()) {
		s.stats.RejectedConns.Add(1)
		s.log.Warn("refusing a non-loopback client: protected mode is on and no password is set", "client", conn.RemoteAddr().String())
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		conn.Write([]byte(protectedModeError))
		conn.Close()
		return
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		conn.Close()
		return
	}
	if int64(len(s.sessions)) >= s.maxClients.Load() {
		s.mu.Unlock()
		s.stats.RejectedConns.Add(1)
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		conn.Write([]byte("-ERR max number of clients reached\r\n"))
		conn.Close()
		return
	}
	sess := newSession(s, conn, s.nextID.Add(1))
	s.sessions[sess.ID] = sess
	s.nsessions.Store(int64(len(s.sessions)))
	s.wg.Add(1)
	s.mu.Unlock()
	s.stats.Connections.Add(1)
	go sess.serve()
}

func (s *Server) remove(sess *Session) {
	s.mu.Lock()
	delete(s.sessions, sess.ID)
	s.nsessions.Store(int64(len(s.sessions)))
	s.mu.Unlock()
	s.wg.Done()
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// Close stops accepting, lets every connection finish the commands it has
// already received (their replies are flushed), and makes Serve return. It
// may be called more than once and from any goroutine.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		drainBy := time.Now().Add(drainTimeout)
		s.drainBy.Store(drainBy.UnixNano())
		for _, l := range s.listeners {
			l.Close()
		}
		if s.scripts != nil {
			// A script running past busy-reply-threshold would keep
			// its session, and the exit, waiting: it stops.
			s.scripts.Abort()
		}
		for _, sess := range s.sessions {
			sess.stopReading()
			// A client that does not read must not hold up the exit.
			sess.conn.SetWriteDeadline(drainBy)
		}
		s.mu.Unlock()
		close(s.done)
	})
}

// Done is closed when Close has been called (by SHUTDOWN, say).
func (s *Server) Done() <-chan struct{} { return s.done }

// sessionsSnapshot returns the current sessions ordered by id.
func (s *Server) sessionsSnapshot() []*Session {
	s.mu.Lock()
	out := make([]*Session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		out = append(out, sess)
	}
	s.mu.Unlock()
	sortSessions(out)
	return out
}
