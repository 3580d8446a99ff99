package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"myredis/db"
	"myredis/rawio"
	"myredis/resp"
)

// Session is the state of one client connection. Its fields are owned by
// the connection's goroutine; other goroutines (CLIENT LIST, CLIENT KILL)
// read only the atomic ones and the fields guarded by mu.
type Session struct {
	db.Client // selected database and the keyspace's per-client state

	srv  *Server
	conn net.Conn
	// sock reads and writes conn: with raw system calls (package rawio)
	// when conn has a descriptor, through conn itself otherwise.
	sock    io.ReadWriter
	addr    string
	laddr   string
	fd      int
	created time.Time

	r *resp.Reader
	w *resp.Writer
	// pending holds what the client sent while it was parked by a blocking
	// command; the reader gets it before reading the socket again. readErr
	// is the read error that ended the connection meanwhile.
	pending []byte
	readErr error
	// discard receives the replies of commands run under CLIENT REPLY OFF|SKIP.
	discard *resp.Writer

	authenticated bool
	replyMode     replyMode
	// errs counts the error replies written for the session (countError);
	// errMark is errs when the command being accounted for began, so a
	// command that ran and wrote an error counts as failed.
	errs, errMark int64
	closeAfter    bool            // QUIT: close once the reply is flushed
	deferred      []deferredReply // replies still to come, in order (Defer)
	onClose       []func()        // run when the connection ends (OnClose)
	resolved      []byte          // reused by resolveDeferred

	lastActive atomic.Int64 // unix nanoseconds of the last command
	shown      shown        // for CLIENT LIST in other sessions
	// readAt is when the last read from the socket returned (readUnix: the
	// same in unix nanoseconds), and sinceRead when, after it, the previous
	// command ended. A command starts where the previous one ended, and
	// ends at a monotonic reading (time.Since), the cheapest clock read:
	// one per pipelined command.
	readAt    time.Time
	readUnix  int64
	sinceRead time.Duration
	// commands remembers the commands the last lines named.
	commands db.LookupCache
	// idleDeadline: the socket carries the read deadline of the timeout
	// setting.
	idleDeadline bool
	// writeDeadline: the socket carries a write deadline (writeSocket).
	writeDeadline bool
	killed        atomic.Bool
	pendingOut    atomic.Int64 // bytes of the flush being written (writeSocket), for CLIENT LIST

	// out, once set (by SUBSCRIBE or MONITOR), carries all the session's
	// output, so replies keep their order with messages.
	out atomic.Pointer[outQueue]
	// The subscriptions; changed by the session's goroutine under the
	// registry's lock, counted in nsub and npsub for other goroutines.
	channels, patterns map[string]struct{}
	nsub, npsub        atomic.Int32
	resp3              atomic.Bool // the session speaks RESP3: messages are pushes
	monitoring         atomic.Bool
	noEvict            atomic.Bool  // CLIENT NO-EVICT ON, shown in CLIENT LIST
	noTouch            atomic.Bool  // Client.NoTouch, for CLIENT LIST in other sessions
	blocked            atomic.Bool  // parked by a blocking command
	multiLen           atomic.Int64 // commands queued in MULTI, -1 outside it
	multiWrites        bool         // the MULTI queue holds a write (CLIENT PAUSE WRITE holds its EXEC)
	multiDenyOOM       bool         // the MULTI queue holds a denyoom command (over maxmemory, EXEC is refused)

	mu      sync.Mutex // guards the fields below, read by CLIENT LIST
	name    string
	libName string
	libVer  string
	lastCmd string
	proto   int
}

type replyMode uint8

const (
	replyOn replyMode = iota
	replyOff
	replySkip // skip the next command's reply, then back to on
)

func newSession(s *Server, conn net.Conn, id int64) *Session {
	sess := &Session{
		srv: s, conn: conn, sock: conn, created: time.Now(), fd: -1,
		addr: conn.RemoteAddr().String(), laddr: conn.LocalAddr().String(),
		authenticated: *s.requirePass.Load() == "",
		proto:         2,
		lastCmd:       "NULL",
		channels:      make(map[string]struct{}),
		patterns:      make(map[string]struct{}),
	}
	sess.multiLen.Store(-1)
	sess.Client.ID = id
	sess.Client.Ext = sess
	sess.Client.OnPark = sess.watchWhileParked
	sess.Client.OnQueuedRun = sess.afterQueued
	sess.Client.OnTrackedRead = sess.holdForTrackedRead
	sess.markRead()
	sess.lastActive.Store(sess.readUnix)
	if sc, ok := conn.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			raw.Control(func(fd uintptr) { sess.fd = int(fd) })
			sess.sock = rawio.NewConn(raw)
		}
	}
	sess.w = resp.NewWriter(socketWriter{sess})
	sess.w.OnError(sess.countError)
	sess.r = resp.NewReader(&flushingReader{sess: sess})
	return sess
}

// flushingReader is the socket as the RESP reader sees it. The reader calls
// Read only when it has no complete command left in its buffer, so flushing
// the pending replies here means every pipelined batch costs one read and
// one write.
type flushingReader struct{ sess *Session }

func (f *flushingReader) Read(p []byte) (int, error) {
	sess := f.sess
	sess.publish()
	if sess.w.Buffered() > 0 || len(sess.deferred) > 0 {
		if err := sess.flush(); err != nil {
			return 0, err
		}
		// The client sends its next batch only once it has these
		// replies: read now, and the socket is most often still empty,
		// which costs a failed read and a wait in the poller. Letting
		// the other sessions that are ready run first gives the client
		// that time (50 clients under -P16: nine failed reads in ten
		// saved). A lone session has no one to yield to: the yield
		// would only poll the network once more.
		if sess.srv.nsessions.Load() > 1 {
			runtime.Gosched()
		}
	} else if q := sess.out.Load(); q != nil {
		q.release() // a tracked read under CLIENT REPLY OFF held it
	}
	if sess.closeAfter {
		return 0, io.EOF
	}
	if len(sess.pending) > 0 {
		n := copy(p, sess.pending)
		sess.pending = sess.pending[n:]
		sess.markRead()
		return n, nil
	}
	if sess.readErr != nil {
		return 0, sess.readErr
	}
	if t := time.Duration(sess.srv.timeout.Load()); t > 0 {
		sess.conn.SetReadDeadline(time.Now().Add(t))
		sess.idleDeadline = true
	} else if sess.idleDeadline { // CONFIG SET timeout 0 since the last read
		sess.conn.SetReadDeadline(time.Time{})
		sess.idleDeadline = false
	}
	n, err := sess.sock.Read(p)
	sess.markRead()
	sess.srv.stats.Reads.Add(1)
	sess.srv.stats.NetInputBytes.Add(int64(n))
	return n, err
}

// socketWriter is the socket as the reply writer sees it. The writer calls
// it only when the session flushes, never while a command runs, so nothing
// here happens under a keyspace lock: it waits for the replies deferred to
// peers and for the writes the replies reveal to be durable, then hands the
// bytes to the socket (or to the output queue, once the session has one).
// The bytes are counted for INFO.
type socketWriter struct{ sess *Session }

// errOutputClosed is the write error of a session whose output queue was
// closed (the client broke its output buffer limit or went away).
var errOutputClosed = errors.New("output queue closed")

func (s socketWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(s.sess.deferred) > 0 {
		p = s.sess.resolveDeferred(p)
	}
	if err := s.sess.waitDurable(); err != nil {
		// The writes are not safe: rather than acknowledge them, drop
		// the connection.
		s.sess.srv.log.Warn("closing client: its writes could not be made durable", "client", s.sess.addr, "err", err)
		s.sess.conn.Close()
		return 0, err
	}
	if q := s.sess.out.Load(); q != nil {
		if !q.pushReplies(p) {
			return 0, errOutputClosed
		}
		return n, nil
	}
	if _, err := s.sess.writeSocket(p); err != nil {
		return 0, err
	}
	return n, nil
}

// A deferredReply is a reply an executor will give later (a command
// forwarded to a peer), with the replies written before it.
type deferredReply struct {
	before []byte
	reply  Later
}

// Later is a reply that comes later (a command forwarded to another node).
// Flush sends the request if it was held back, to leave with the session's
// other deferred requests, without waiting; Reply waits for the reply and
// returns it, one complete RESP value.
type Later interface {
	Flush()
	Reply() []byte
}

// Defer lets an executor answer later: the reply r returns takes its place
// in the reply stream, after everything already written to w and before
// anything written after, and r.Reply is called when the replies are
// flushed. It reports false, and the caller must answer now, when w is not
// the session's reply stream (CLIENT REPLY OFF|SKIP).
func (sess *Session) Defer(w *resp.Writer, r Later) bool {
	if w != sess.w {
		return false
	}
	sess.deferred = append(sess.deferred, deferredReply{w.Take(nil), r})
	return true
}

// resolveDeferred waits for the deferred replies and returns them, in
// order, followed by p, in a buffer the session reuses.
func (sess *Session) resolveDeferred(p []byte) []byte {
	for _, d := range sess.deferred {
		d.reply.Flush() // all requests leave before the first wait
	}
	buf := sess.resolved[:0]
	for i, d := range sess.deferred {
		buf = append(buf, d.before...)
		buf = append(buf, d.reply.Reply()...)
		sess.deferred[i] = deferredReply{}
	}
	sess.deferred = sess.deferred[:0]
	sess.resolved = append(buf, p...)
	return sess.resolved
}

// flush sends the pending replies, deferred ones included, in order.
func (sess *Session) flush() error {
	if len(sess.deferred) > 0 && sess.w.Buffered() == 0 {
		_, err := socketWriter{sess}.Write(nil)
		return err
	}
	return sess.w.Flush()
}

// serve reads and runs commands until the client goes away, an error
// closes the connection, or the server shuts down.
func (sess *Session) serve() {
	defer sess.srv.remove(sess)
	defer sess.conn.Close()
	defer sess.srv.ks.Discard(&sess.Client)
	defer func() {
		for _, fn := range sess.onClose {
			fn()
		}
	}()
	defer sess.leave()
	var limits *resp.Limits
	var authenticated bool
	for {
		// CONFIG SET and AUTH change the limits the next command is read with.
		if l := sess.srv.limits.Load(); l != limits || authenticated != sess.authenticated {
			limits, authenticated = l, sess.authenticated
			lim := *l
			lim.Unauthenticated = !authenticated
			sess.r.SetLimits(lim)
		}
		args, err := sess.r.ReadCommand()
		if err != nil {
			sess.readFailed(err)
			return
		}
		sess.dispatch(args)
		if sess.closeAfter {
			sess.flush()
			return
		}
		if sess.w.Buffered() >= flushAtBytes {
			// Large replies leave now rather than pile up until the
			// end of the pipelined batch.
			if sess.flush() != nil {
				return
			}
		}
	}
}

// flushAtBytes is how many buffered reply bytes make the session flush
// between two pipelined commands instead of at the end of the batch.
const flushAtBytes = 64 << 10

// leave undoes what other goroutines know of the session (subscriptions,
// MONITOR) and delivers its queued output, as the connection ends.
func (sess *Session) leave() {
	sess.srv.ks.DisableTracking(&sess.Client)
	sess.srv.ps.removeAll(sess)
	sess.srv.mon.remove(sess)
	if q := sess.out.Load(); q != nil {
		sess.flush()
		q.finish()
	}
}

// readFailed handles the error that ends a connection's read loop.
func (sess *Session) readFailed(err error) {
	var pe *resp.ProtocolError
	switch {
	case errors.As(err, &pe):
		sess.srv.stats.ProtocolErrors.Add(1)
		sess.srv.log.Debug("protocol error", "client", sess.addr, "err", err)
		sess.w.WriteError("ERR " + pe.Error())
	case errors.Is(err, resp.ErrQueryBufferLimit):
		sess.srv.stats.QueryLimitClosed.Add(1)
		sess.srv.log.Warn("closing client that reached the query buffer limit", "client", sess.addr)
	case errors.Is(err, os.ErrDeadlineExceeded):
		sess.srv.stats.TimedOutClients.Add(1)
		sess.srv.log.Debug("closing idle client", "client", sess.addr)
	}
	sess.flush()
}

// dispatch runs one command line: lookup and arity, authentication, then
// the executor; and keeps the statistics as Redis keeps them: a command
// refused before it runs (unknown, wrong arity, NOAUTH, refused in MULTI...)
// counts as a rejected call of the command it names, one that runs counts
// as a call, and as a failed call if it wrote an error reply.
func (sess *Session) dispatch(args [][]byte) {
	srv := sess.srv
	w := sess.w
	if sess.replyMode != replyOn {
		w = sess.discardWriter()
	}
	if sess.out.Load() != nil && sess.w.Buffered() > 0 && (sess.subscribed() || sess.monitoring.Load()) {
		// Earlier replies go ahead of anything this command publishes
		// to the session itself. A session whose queue only carries
		// invalidations need not: its own go into its reply stream, and
		// other sessions' wait behind the mark of its tracked reads.
		sess.flush()
	}
	start := sess.sinceRead
	now := sess.readUnix + int64(start) // unix nanoseconds
	sess.lastActive.Store(now)
	cmd, errMsg := sess.commands.Lookup(sess.srv.table, args)
	named := cmd
	if cmd == nil {
		named = srv.table.Named(args) // the command a wrong arity names
	}
	sess.setLastCmd(named) // CLIENT LIST's cmd: as in Redis, even if refused or queued
	if errMsg == "" {
		errMsg = sess.refusal(cmd, w)
	}
	if errMsg == "" {
		errMsg = sess.oomRefusal(cmd, args)
	}
	queued := false
	switch {
	case errMsg != "":
		if named != nil {
			named.Stats.Rejected.Add(1)
		}
		if db.EqualFold(args[0], "exec") {
			// A refused EXEC ends the transaction, as in Redis.
			sess.Discard()
			errMsg = "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(errMsg, "ERR ")
		} else {
			sess.FailMulti()
		}
		w.WriteError(errMsg)
	case sess.Queues(cmd):
		srv.pause.wait(sess, cmd, srv.done)
		errs := sess.errs
		srv.ks.Queue(&sess.Client, cmd, args, w)
		if sess.errs > errs { // not allowed in a transaction
			cmd.Stats.Rejected.Add(1)
		}
		queued = cmd.Flags&db.FlagNoMulti == 0
		if queued {
			sess.noteQueued(cmd, args)
		}
	case sess.subscribed() && w.Protocol() == 2 && cmd.Name == "ping":
		sess.errMark = sess.errs
		subscribedPing(w, args)
		sess.sinceRead = time.Since(sess.readAt)
		sess.afterExec(cmd, sess.DB, args, sess.sinceRead-start, false)
	default:
		if !sess.monitoring.Load() { // replicas and monitors are never paused
			srv.pause.wait(sess, cmd, srv.done)
		}
		sess.Client.Now = now / int64(time.Millisecond)
		sess.errMark = sess.errs
		sess.execute(cmd, args, w)
		sess.sinceRead = time.Since(sess.readAt)
		took := sess.sinceRead - start - sess.Parked
		sess.afterExec(cmd, sess.DB, args, took, false)
	}
	sess.trackMulti(queued)
	if sess.TrackingFlags()&db.TrackCaching != 0 && !sess.InMulti() && !isClientCommand(named) {
		sess.SetTrackingCaching(false) // CLIENT CACHING covers one command or transaction
	}
	if sess.replyMode == replySkip && w == sess.discard {
		sess.replyMode = replyOn
	}
}

// markRead records that a read from the socket returned now.
func (sess *Session) markRead() {
	sess.readAt, sess.sinceRead = time.Now(), 0
	sess.readUnix = sess.readAt.UnixNano()
}

// setLastCmd records the command named by the line being run, or "NULL"
// for an unknown one, for CLIENT LIST's cmd.
func (sess *Session) setLastCmd(cmd *db.Command) {
	name := "NULL"
	if cmd != nil {
		name = cmd.FullName()
	}
	if sess.lastCmd != name {
		sess.mu.Lock()
		sess.lastCmd = name
		sess.mu.Unlock()
	}
}

// execute runs cmd through the executor. A panic that escapes the command
// (a bug) is caught here: it is logged loudly with the command, the client
// gets an error and is disconnected, and the server keeps serving. The
// keyspace's locks are released by the deferred unlocks of the code that
// took them, as the panic unwinds.
func (sess *Session) execute(cmd *db.Command, args [][]byte, w *resp.Writer) {
	defer func() {
		if r := recover(); r != nil {
			sess.srv.log.Error("BUG: a command panicked; closing its client",
				"command", cmd.FullName(), "args", describeArgs(cmd, args), "client", sess.addr,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			sess.srv.ks.Discard(&sess.Client) // no transaction, watch or place in a line survives
			w.WriteError("ERR internal error running '" + cmd.FullName() + "': the server logged it; closing the connection")
			sess.closeAfter = true
		}
	}()
	sess.srv.exec.Exec(sess, cmd, args, w)
}

// describeArgs formats a command line for a log: secrets redacted, at
// most 16 arguments of at most 64 bytes each.
func describeArgs(cmd *db.Command, args [][]byte) string {
	var b strings.Builder
	for i, a := range redacted(cmd, args) {
		if i == 16 {
			fmt.Fprintf(&b, " ... (%d more)", len(args)-i)
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if len(a) > 64 {
			fmt.Fprintf(&b, "%q... (%d bytes)", a[:64], len(a))
		} else {
			fmt.Fprintf(&b, "%q", a)
		}
	}
	return b.String()
}

// refusal returns the error reply that refuses cmd before it runs, or "".
func (sess *Session) refusal(cmd *db.Command, w *resp.Writer) string {
	srv := sess.srv
	switch {
	case !sess.authenticated && cmd.Flags&db.FlagNoAuth == 0:
		return "NOAUTH Authentication required."
	case sess.subscribed() && w.Protocol() == 2 && !allowedWhileSubscribed(cmd):
		return "ERR Can't execute '" + cmd.FullName() + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
	case sess.monitoring.Load() && cmd.Flags&(db.FlagWrite|db.FlagReadonly|db.FlagMayReplicate) != 0:
		return "ERR Replica can't interact with the keyspace"
	case srv.loading.Load() && cmd.Flags&db.FlagLoading == 0:
		return "LOADING Redis is loading the dataset in memory"
	case srv.persist != nil && cmd.Flags&db.FlagWrite != 0 && srv.persist.Err() != nil:
		return "MISCONF Errors writing to the AOF file: " + srv.persist.Err().Error()
	}
	return srv.busyRefusal(cmd)
}

// discardWriter returns the writer that swallows replies under CLIENT REPLY
// OFF|SKIP, speaking the session's protocol.
func (sess *Session) discardWriter() *resp.Writer {
	if sess.discard == nil {
		sess.discard = resp.NewWriter(io.Discard)
		sess.discard.OnError(sess.countError) // silenced errors count too, as in Redis
	}
	sess.discard.SetProtocol(sess.w.Protocol())
	return sess.discard
}

// watchWhileParked runs while a blocking command parks the session: it
// flushes the replies already written, then keeps reading the socket so a
// disconnect wakes the parked command (Redis forgets a blocked client that
// goes away). Bytes the client pipelines meanwhile are kept for after. The
// returned function stops the watch and waits for it.
func (sess *Session) watchWhileParked() (done func()) {
	sess.blocked.Store(true)
	sess.flush()
	sess.conn.SetReadDeadline(time.Time{})
	sess.idleDeadline = false
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		buf := make([]byte, 4096)
		for {
			n, err := sess.sock.Read(buf)
			sess.srv.stats.Reads.Add(1)
			sess.srv.stats.NetInputBytes.Add(int64(n))
			sess.pending = append(sess.pending, buf[:n]...)
			if err != nil {
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					sess.readErr = err
					sess.Client.Unblock(db.UnblockClosed)
				}
				return
			}
			if limit := sess.srv.limits.Load().MaxQuery; limit > 0 && int64(len(sess.pending)) > limit {
				sess.readErr = resp.ErrQueryBufferLimit
				sess.Client.Unblock(db.UnblockClosed)
				return
			}
		}
	}()
	return func() {
		sess.conn.SetReadDeadline(time.Now()) // interrupts the watcher's Read
		<-stopped
		sess.conn.SetReadDeadline(time.Time{})
		sess.blocked.Store(false)
	}
}

// stopReading makes the session finish the commands it has already read,
// flush their replies and end, as at shutdown.
func (sess *Session) stopReading() {
	if tc, ok := sess.conn.(*net.TCPConn); ok {
		tc.CloseRead()
		return
	}
	sess.conn.SetReadDeadline(time.Now())
}

// kill closes the connection from another goroutine (CLIENT KILL, client
// eviction).
func (sess *Session) kill() {
	sess.killed.Store(true)
	sess.closeDiscarding()
}

// closeDiscarding closes the connection. Replies still unsent are
// discarded, as Redis frees a closed client's reply list: a client that
// does not read would otherwise keep them queued in the kernel, and its
// connection open, for as long as it reads them a few bytes at a time.
func (sess *Session) closeDiscarding() {
	if tc, ok := sess.conn.(*net.TCPConn); ok && sess.pendingOutput() > 0 {
		tc.SetLinger(0) // the close resets the connection
	}
	sess.conn.Close()
}

// setProto switches the reply protocol (HELLO).
func (sess *Session) setProto(v int) {
	sess.w.SetProtocol(v)
	sess.resp3.Store(v == 3)
	if v == 3 && sess.TrackingFlags()&db.TrackOn != 0 {
		sess.ensureQueue() // invalidations from other sessions' writes
	}
	sess.mu.Lock()
	sess.proto = v
	sess.mu.Unlock()
}

func sortSessions(list []*Session) {
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
}
