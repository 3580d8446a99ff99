package server

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"myredis/config"
	"myredis/datastruct/glob"
	"myredis/db"
	"myredis/resp"
)

// pubsub is the server's subscription registry: which sessions listen on
// each channel and each pattern. Publishing takes the read lock and only
// appends to the subscribers' output queues, so a slow subscriber never
// holds up a publisher. It is safe for concurrent use.
type pubsub struct {
	mu       sync.RWMutex
	channels map[string]*subscribers
	patterns map[string]*patternSubs
}

// patternSubs are the sessions subscribed to one pattern.
type patternSubs struct {
	pattern []byte
	subs    subscribers
}

// subscribers are the sessions subscribed to one channel or pattern: a
// slice, which publishing walks, and each session's place in it, so that
// unsubscribing is O(1) too.
type subscribers struct {
	list []*Session
	at   map[*Session]int
}

func (s *subscribers) add(sess *Session) {
	if s.at == nil {
		s.at = make(map[*Session]int)
	}
	s.at[sess] = len(s.list)
	s.list = append(s.list, sess)
}

// remove drops sess, moving the last subscriber into its place.
func (s *subscribers) remove(sess *Session) {
	i, ok := s.at[sess]
	if !ok {
		return
	}
	last := len(s.list) - 1
	s.list[i] = s.list[last]
	s.at[s.list[i]] = i
	s.list[last] = nil
	s.list = s.list[:last]
	delete(s.at, sess)
}

// outputLimits are the client-output-buffer-limit classes a session can
// be in, copied out of the configuration.
type outputLimits struct{ normal, pubsub config.OutputBufferLimit }

func newPubsub() *pubsub {
	return &pubsub{channels: make(map[string]*subscribers), patterns: make(map[string]*patternSubs)}
}

// The kinds of subscription change, named as Redis names their replies.
const (
	kindSubscribe    = "subscribe"
	kindUnsubscribe  = "unsubscribe"
	kindPSubscribe   = "psubscribe"
	kindPUnsubscribe = "punsubscribe"
)

func (s *Server) registerPubsub() {
	flags := db.FlagPubSub | db.FlagNoScript | db.FlagLoading | db.FlagStale
	reg := func(name string, arity int, flags db.Flag, since, summary string, run func(*db.Ctx)) {
		s.table.Register(&db.Command{Name: name, Arity: arity, Flags: flags, Group: "pubsub", Since: since, Summary: summary, Run: run})
	}
	change := func(kind string) func(*db.Ctx) { return func(c *db.Ctx) { s.changeSubscriptions(c, kind) } }
	reg(kindSubscribe, -2, flags, "2.0.0", "Listens for messages published to channels.", change(kindSubscribe))
	reg(kindUnsubscribe, -1, flags, "2.0.0", "Stops listening to channels, or to all of them.", change(kindUnsubscribe))
	reg(kindPSubscribe, -2, flags, "2.0.0", "Listens for messages published to channels matching patterns.", change(kindPSubscribe))
	reg(kindPUnsubscribe, -1, flags, "2.0.0", "Stops listening to patterns, or to all of them.", change(kindPUnsubscribe))
	reg("publish", 3, db.FlagPubSub|db.FlagLoading|db.FlagStale|db.FlagFast|db.FlagMayReplicate, "2.0.0",
		"Posts a message to a channel.", func(c *db.Ctx) { c.W.WriteInt(int64(s.publish(c.Args[1], c.Args[2]))) })

	reg("pubsub", -2, 0, "2.8.0", "Inspects the state of the pub/sub subsystem.", nil)
	sub := func(name string, arity int, summary string, run func(*db.Ctx)) {
		s.table.RegisterSub("pubsub", &db.Command{Name: name, Arity: arity, Flags: db.FlagPubSub | db.FlagLoading | db.FlagStale,
			Since: "2.8.0", Summary: summary, Run: run})
	}
	sub("channels", -2, "Returns the active channels, optionally those matching a pattern.", s.pubsubChannels)
	sub("numsub", -2, "Returns the number of subscribers of each channel given.", s.pubsubNumsub)
	sub("numpat", 2, "Returns the number of patterns subscribed to.", func(c *db.Ctx) {
		c.W.WriteInt(int64(s.ps.counts().patterns))
	})
	s.table.RegisterSub("pubsub", db.HelpCommand("6.2.0", "Describes the PUBSUB subcommands."))
}

// changeSubscriptions runs SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE and
// PUNSUBSCRIBE: one confirmation per name, carrying the session's count of
// subscriptions after the change. Each change is made in the registry, for
// publishers to see, before its confirmation can leave.
//
// The confirmations are pushes, as in Redis: CLIENT REPLY OFF or SKIP does
// not silence them (nor the messages that follow), in RESP2 as in RESP3.
// They are replies like any other, sent when the session flushes; so that
// they still reach the client before any message of a new subscription,
// the output queue is held (see outQueue.hold) under the registry lock,
// before a publisher can see the subscription, and the confirmations
// written to the session's reply stream release it.
func (s *Server) changeSubscriptions(c *db.Ctx, kind string) {
	sess := session(c)
	q := sess.ensureQueue()
	ps := s.ps
	ps.mu.Lock()
	defer ps.mu.Unlock()
	w := c.W
	if w == sess.discard { // CLIENT REPLY OFF|SKIP: pushes are sent all the same
		w = sess.w
	}
	if w == sess.w {
		q.hold()
	}
	pattern := kind == kindPSubscribe || kind == kindPUnsubscribe
	mine := sess.channels
	if pattern {
		mine = sess.patterns
	}
	names := c.Args[1:]
	if len(names) == 0 { // the unsubscribe commands with no argument: all
		if len(mine) == 0 {
			writeConfirm(w, kind, nil, sess)
		}
		for _, name := range sortedKeys(mine) {
			names = append(names, []byte(name))
		}
	}
	for _, name := range names {
		switch kind {
		case kindSubscribe:
			ps.addLocked(sess, string(name), false)
		case kindPSubscribe:
			ps.addLocked(sess, string(name), true)
		default:
			ps.removeLocked(sess, string(name), pattern)
		}
		writeConfirm(w, kind, name, sess)
	}
}

// writeConfirm writes a subscription change's reply: kind, the name (nil
// for an unsubscribe that had nothing to remove) and the count.
func writeConfirm(w *resp.Writer, kind string, name []byte, sess *Session) {
	w.WritePush(3)
	w.WriteBulkString(kind)
	if name == nil {
		w.WriteNull()
	} else {
		w.WriteBulk(name)
	}
	w.WriteInt(int64(len(sess.channels) + len(sess.patterns)))
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// addLocked subscribes sess to a channel or a pattern; a repeated
// subscription changes nothing.
func (ps *pubsub) addLocked(sess *Session, name string, pattern bool) {
	if pattern {
		if _, ok := sess.patterns[name]; ok {
			return
		}
		sess.patterns[name] = struct{}{}
		sess.npsub.Add(1)
		p := ps.patterns[name]
		if p == nil {
			p = &patternSubs{pattern: []byte(name)}
			ps.patterns[name] = p
		}
		p.subs.add(sess)
		return
	}
	if _, ok := sess.channels[name]; ok {
		return
	}
	sess.channels[name] = struct{}{}
	sess.nsub.Add(1)
	subs := ps.channels[name]
	if subs == nil {
		subs = new(subscribers)
		ps.channels[name] = subs
	}
	subs.add(sess)
}

// removeLocked unsubscribes sess from a channel or a pattern, if it was
// subscribed; a channel or pattern left without subscribers is forgotten.
func (ps *pubsub) removeLocked(sess *Session, name string, pattern bool) {
	if pattern {
		if _, ok := sess.patterns[name]; !ok {
			return
		}
		delete(sess.patterns, name)
		sess.npsub.Add(-1)
		p := ps.patterns[name]
		p.subs.remove(sess)
		if len(p.subs.list) == 0 {
			delete(ps.patterns, name)
		}
		return
	}
	if _, ok := sess.channels[name]; !ok {
		return
	}
	delete(sess.channels, name)
	sess.nsub.Add(-1)
	subs := ps.channels[name]
	subs.remove(sess)
	if len(subs.list) == 0 {
		delete(ps.channels, name)
	}
}

// removeAll drops every subscription of sess, without replies: the
// connection closes.
func (ps *pubsub) removeAll(sess *Session) {
	if len(sess.channels)+len(sess.patterns) == 0 {
		return
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for name := range sess.channels {
		ps.removeLocked(sess, name, false)
	}
	for name := range sess.patterns {
		ps.removeLocked(sess, name, true)
	}
}

// publish delivers message to the subscribers of channel and of the
// patterns it matches, and returns how many deliveries it made. It never
// waits for a subscriber's socket. Safe for concurrent use; keyspace
// notifications call it with the keys they concern locked.
func (s *Server) publish(channel, message []byte) int {
	ps := s.ps
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	n := 0
	if subs := ps.channels[string(channel)]; subs != nil {
		frame := appendMessage(nil, channel, message)
		for _, sess := range subs.list {
			sess.deliver(frame)
			n++
		}
	}
	var frame []byte
	for _, p := range ps.patterns {
		if !glob.Match(p.pattern, channel, false) {
			continue
		}
		frame = appendPMessage(frame[:0], p.pattern, channel, message)
		for _, sess := range p.subs.list {
			sess.deliver(frame)
			n++
		}
	}
	return n
}

// appendMessage appends the RESP2 form of a "message" frame to dst.
func appendMessage(dst, channel, message []byte) []byte {
	dst = resp.AppendArrayHeader(dst, 3)
	dst = resp.AppendBulk(dst, []byte("message"))
	dst = resp.AppendBulk(dst, channel)
	return resp.AppendBulk(dst, message)
}

// appendPMessage appends the RESP2 form of a "pmessage" frame to dst.
func appendPMessage(dst, pattern, channel, message []byte) []byte {
	dst = resp.AppendArrayHeader(dst, 4)
	dst = resp.AppendBulk(dst, []byte("pmessage"))
	dst = resp.AppendBulk(dst, pattern)
	dst = resp.AppendBulk(dst, channel)
	return resp.AppendBulk(dst, message)
}

// pubsubCounts are the registry's sizes, for INFO and PUBSUB NUMPAT.
type pubsubCounts struct{ channels, patterns int }

func (ps *pubsub) counts() pubsubCounts {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	return pubsubCounts{len(ps.channels), len(ps.patterns)}
}

func (s *Server) pubsubChannels(c *db.Ctx) {
	if len(c.Args) > 3 {
		writeSubcommandError(c)
		return
	}
	s.ps.mu.RLock()
	var names []string
	for name := range s.ps.channels {
		if len(c.Args) == 2 || glob.Match(c.Args[2], []byte(name), false) {
			names = append(names, name)
		}
	}
	s.ps.mu.RUnlock()
	sort.Strings(names)
	c.W.WriteArray(len(names))
	for _, name := range names {
		c.W.WriteBulkString(name)
	}
}

// writeSubcommandError writes Redis's error for a subcommand given
// arguments it does not take, echoing the subcommand as the client sent it.
func writeSubcommandError(c *db.Ctx) {
	c.W.WriteError("ERR unknown subcommand or wrong number of arguments for '" + string(c.Args[1]) +
		"'. Try " + strings.ToUpper(c.Cmd.Parent().Name) + " HELP.")
}

func (s *Server) pubsubNumsub(c *db.Ctx) {
	s.ps.mu.RLock()
	defer s.ps.mu.RUnlock()
	c.W.WriteArray(2 * (len(c.Args) - 2))
	for _, ch := range c.Args[2:] {
		c.W.WriteBulk(ch)
		n := 0
		if subs := s.ps.channels[string(ch)]; subs != nil {
			n = len(subs.list)
		}
		c.W.WriteInt(int64(n))
	}
}

// subscribed reports whether the session listens to any channel or pattern.
// Safe to call from any goroutine.
func (sess *Session) subscribed() bool { return sess.nsub.Load()+sess.npsub.Load() > 0 }

// allowedWhileSubscribed reports whether a RESP2 connection with
// subscriptions may run cmd.
func allowedWhileSubscribed(cmd *db.Command) bool {
	switch cmd.Name {
	case kindSubscribe, kindUnsubscribe, kindPSubscribe, kindPUnsubscribe, "ping", "quit", "reset":
		return true
	}
	return false
}

// subscribedPing writes PING's reply on a RESP2 connection with
// subscriptions: ["pong", argument or ""].
func subscribedPing(w *resp.Writer, args [][]byte) {
	w.WriteArray(2)
	w.WriteBulkString("pong")
	if len(args) > 1 {
		w.WriteBulk(args[1])
	} else {
		w.WriteBulkString("")
	}
}

// deliver queues a frame built in RESP2 form, as a push for a RESP3 client.
func (sess *Session) deliver(frame []byte) {
	var kind byte
	if sess.resp3.Load() {
		kind = '>'
	}
	sess.out.Load().push(frame, kind)
}

// ensureQueue gives the session its output queue and returns it. It runs
// on the session's goroutine, inside a command: the replies still buffered
// and deferred reach the queue when the session next flushes, in order.
func (sess *Session) ensureQueue() *outQueue {
	if q := sess.out.Load(); q != nil {
		return q
	}
	q := newOutQueue(sess)
	sess.out.Store(q)
	return q
}

// outputLimit returns the client-output-buffer-limit class the session is
// in now: pubsub while it has subscriptions, normal otherwise (a MONITOR
// client counts as normal, as in Redis).
func (sess *Session) outputLimit() config.OutputBufferLimit {
	l := sess.srv.outLimits.Load()
	if sess.subscribed() {
		return l.pubsub
	}
	return l.normal
}

// dropForOutputLimit closes a connection whose queued output broke its
// limit.
func (sess *Session) dropForOutputLimit() {
	sess.srv.log.Warn("closing client that reached its output buffer limit", "client", sess.addr)
	sess.closeDiscarding()
}

// drainTimeout bounds how long a closing session waits for its queued
// output to reach a client that does not read.
const drainTimeout = 5 * time.Second

// outQueue is a session's output once it subscribes or monitors: other
// goroutines (publishers, monitored clients) append frames to it without
// ever waiting for the socket, and one delivery goroutine per queue writes
// them out. The session's own replies go through it too, so they keep
// their order with the frames. The queue enforces the client's
// client-output-buffer-limit: past the hard limit, or past the soft limit
// for longer than its time, the connection is closed and the bytes dropped.
// It is safe for concurrent use.
//
// A command that makes frames start arriving (a subscription, MONITOR)
// holds the queue at its current end: frames pushed after that wait behind
// the mark, and the session's next replies (the command's confirmation
// among them), which leave only when the session flushes, after the
// command's locks are released, are put at the mark and release it.
type outQueue struct {
	sess *Session
	wake chan struct{} // capacity 1: there is something to write or to stop
	done chan struct{} // closed when the delivery goroutine has ended

	mu        sync.Mutex
	buf       []byte // waiting for the delivery goroutine
	held      int    // while >= 0, buf[held:] waits for the session's replies (see hold)
	spare     []byte // the previous write's buffer, reused
	inflight  int    // bytes being written now
	softSince time.Time
	closed    bool // no more appends: the client was dropped or the session ends
	// awake: wake holds a token, or the delivery goroutine is running and
	// will look at buf again before it waits, so a push need not signal.
	awake bool
}

// newOutQueue starts the delivery goroutine of sess's queue.
func newOutQueue(sess *Session) *outQueue {
	q := &outQueue{sess: sess, wake: make(chan struct{}, 1), done: make(chan struct{}), held: -1}
	go q.run()
	return q
}

// push appends frame, replacing its first byte with kind when kind is not
// 0 (a RESP2 array header becomes a RESP3 push). It reports false when
// the queue is closed: the client is gone or being dropped.
func (q *outQueue) push(frame []byte, kind byte) bool {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return false
	}
	start := len(q.buf)
	q.buf = append(q.buf, frame...)
	if kind != 0 && len(frame) > 0 {
		q.buf[start] = kind
	}
	return q.pushedLocked()
}

// pushReplies queues the session's own replies: at the mark if the queue
// is held, which releases it, else at the end. It reports false when the
// queue is closed.
func (q *outQueue) pushReplies(p []byte) bool {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return false
	}
	if q.held >= 0 {
		q.buf = slices.Insert(q.buf, q.held, p...)
		q.held = -1
	} else {
		q.buf = append(q.buf, p...)
	}
	return q.pushedLocked()
}

// pushedLocked checks the output limit after bytes were queued and wakes
// the delivery goroutine; it unlocks q.mu.
func (q *outQueue) pushedLocked() bool {
	if q.overLimitLocked(q.sess.outputLimit(), time.Now) {
		q.closed = true
		q.buf, q.spare = nil, nil
		q.mu.Unlock()
		q.sess.dropForOutputLimit()
		return false
	}
	// Signalled under the lock, so finish cannot close wake meanwhile.
	if !q.awake {
		q.awake = true
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
	q.mu.Unlock()
	return true
}

// hold marks the current end of the queue: frames pushed from now on wait
// until the session's next replies are queued in front of them. A queue
// already held keeps its earlier mark. Called on the session's goroutine.
func (q *outQueue) hold() {
	q.mu.Lock()
	if q.held < 0 {
		q.held = len(q.buf)
	}
	q.mu.Unlock()
}

// release lets go of a mark that no reply will come to release (see
// hold). Called on the session's goroutine.
func (q *outQueue) release() {
	q.mu.Lock()
	if q.held < 0 {
		q.mu.Unlock()
		return
	}
	q.held = -1
	q.pushedLocked()
}

// overLimitLocked reports whether the pending output breaks lim, tracking
// since when the soft limit has been exceeded. It reads the clock (now)
// only past the soft limit, not on every message.
func (q *outQueue) overLimitLocked(lim config.OutputBufferLimit, now func() time.Time) bool {
	pending := int64(len(q.buf) + q.inflight)
	if lim.Hard > 0 && pending >= lim.Hard {
		return true
	}
	if lim.Soft == 0 || pending < lim.Soft {
		q.softSince = time.Time{}
		return false
	}
	t := now()
	if q.softSince.IsZero() {
		q.softSince = t
		return false
	}
	return t.Sub(q.softSince) > lim.SoftSeconds
}

// pending returns the bytes not yet written to the socket.
func (q *outQueue) pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.buf) + q.inflight
}

// run writes the queued bytes until the queue is closed and empty.
func (q *outQueue) run() {
	defer close(q.done)
	conn := q.sess.conn
	for {
		// Once finish closes wake, this no longer waits, and the loop
		// below returns when nothing is left to write.
		<-q.wake
		for {
			q.mu.Lock()
			ready := len(q.buf)
			if q.held >= 0 {
				ready = q.held
			}
			if ready == 0 {
				closed := q.closed
				q.awake = false
				q.mu.Unlock()
				if closed {
					return
				}
				break
			}
			out := q.buf[:ready]
			q.buf = append(q.spare[:0], q.buf[ready:]...) // what waits behind the mark, if any
			q.spare = nil
			if q.held >= 0 {
				q.held = 0
			}
			q.inflight = len(out)
			q.mu.Unlock()

			n, err := q.sess.sock.Write(out)
			q.sess.srv.stats.Writes.Add(1)
			q.sess.srv.stats.NetOutputBytes.Add(int64(n))

			q.mu.Lock()
			q.inflight = 0
			if err != nil {
				q.closed = true
				q.buf = nil
			} else if keepQueueBuffer(len(out), cap(out)) {
				q.spare = out[:0]
			}
			q.mu.Unlock()
			if err != nil {
				conn.Close() // the session's read fails and it ends
				return
			}
		}
	}
}

// keepQueueBuffer reports whether a written buffer of capacity c that
// carried n bytes is kept for the next batch: a small one always; a larger
// one (up to maxQueueBuf) while it is still used to at least a quarter, so a
// busy subscriber's queue stops regrowing its buffer on every batch, and
// memory goes back once its traffic calms down.
func keepQueueBuffer(n, c int) bool {
	return c <= minQueueBuf || (c <= maxQueueBuf && n >= c/4)
}

const (
	minQueueBuf = 64 << 10
	maxQueueBuf = 1 << 20
)

// finish closes the queue, waits (up to drainTimeout) for what it holds
// to be written, and ends the delivery goroutine. A mark still held (the
// session ends without the replies that would release it) no longer holds
// anything back. Called once, by the session as it ends.
func (q *outQueue) finish() {
	q.mu.Lock()
	q.closed = true
	q.held = -1
	q.mu.Unlock()
	q.sess.conn.SetWriteDeadline(time.Now().Add(drainTimeout))
	close(q.wake)
	<-q.done
}
