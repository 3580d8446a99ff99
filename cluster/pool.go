package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"myredis/resp"
)

// Timeout bounds every wait on a peer. A command handed to a Pool (Do,
// Send, DoTransaction) gets its reply, or a CLUSTERDOWN error naming the
// peer (see peerError), within Timeout of being handed over, connecting
// included; a pipelined connection whose peer lets a reply wait longer is
// closed and the peer reported down. The one wait that may legitimately
// last longer is the reply to a blocking command (DoDedicated): the peer's
// liveness bounds it instead, checked every Timeout, so it ends within
// about 2*Timeout of the peer stopping. WATCH and EXEC on a pinned
// connection (pin.go) follow the same rule. Timeout is a constant until
// the configuration grows a parameter for it.
const Timeout = 2 * time.Second

// connsPerPeer is how many pipelined connections a pool keeps per peer
// and protocol. One, as twemproxy keeps by default: every session's
// forwarded commands share it, so they leave in fewer, larger writes, and
// the peer reads and answers them in fewer rounds. On the 3-node bench
// (SET, 50 clients, -P 16, through one node) 1 did 304k/s at 4.3 µs of
// cluster CPU per request, 2 did 285k/s at 4.6 µs, and 4 did 270k/s at
// 4.8 µs (medians of 8 interleaved rounds).
const connsPerPeer = 1

// peerNamePrefix starts the client name a node gives its connections to
// peers (CLIENT SETNAME myredis-peer:<self>): a command arriving on such a
// connection is never forwarded again.
const peerNamePrefix = "myredis-peer:"

// Backoff between reconnection attempts to a peer that is down.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = time.Second
)

// dialer opens a connection to a peer and runs the handshake: AUTH,
// HELLO 3 for RESP3, the member-set check and the peer's client name.
type dialer struct {
	self     string
	members  []string
	password func() string
	log      *slog.Logger
}

// dial connects to addr for replies in protocol proto (2 or 3) and runs
// the handshake, then the extra commands, all done by deadline. On any
// failure it returns a *peerError naming addr that says nothing was sent.
func (d *dialer) dial(addr string, proto int, deadline time.Time, extra ...[][]byte) (net.Conn, *resp.Reader, error) {
	nc, err := (&net.Dialer{Deadline: deadline}).Dial("tcp", addr)
	if err != nil {
		return nil, nil, unreachable(addr, err)
	}
	var cmds [][][]byte
	if pass := d.password(); pass != "" {
		cmds = append(cmds, [][]byte{[]byte("AUTH"), []byte(pass)})
	}
	if proto == 3 {
		cmds = append(cmds, [][]byte{[]byte("HELLO"), []byte("3")})
	}
	cmds = append(cmds,
		[][]byte{[]byte("CLUSTER"), []byte(handshakeSub), []byte(d.self), []byte(joinMembers(d.members))},
		[][]byte{[]byte("CLIENT"), []byte("SETNAME"), []byte(peerNamePrefix + d.self)})
	cmds = append(cmds, extra...)
	var buf []byte
	for _, c := range cmds {
		buf = resp.AppendCommand(buf, c)
	}
	nc.SetDeadline(deadline)
	r := resp.NewReader(bufio.NewReader(nc))
	var refused *peerError // the peer answered the handshake with an error
	_, err = nc.Write(buf)
	for i := 0; err == nil && refused == nil && i < len(cmds); i++ {
		var reply []byte
		if reply, err = r.ReadReply(); err != nil || reply[0] != '-' {
			continue
		}
		msg := string(reply[1 : len(reply)-2])
		refused = &peerError{addr: addr, what: "refused the connection: " + msg}
		if i == len(cmds)-len(extra)-2 { // the member-set check
			d.log.Error("peer disagrees on the cluster members: not forwarding to it", "peer", addr, "reply", msg)
			refused = &peerError{addr: addr, what: "disagrees on the cluster members: " + msg}
		}
	}
	if err != nil || refused != nil {
		nc.Close()
		if refused != nil {
			return nil, nil, refused
		}
		return nil, nil, unreachable(addr, err)
	}
	nc.SetDeadline(time.Time{})
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	return nc, r, nil
}

// A Pool holds the pipelined connections to one peer for one protocol.
// Many goroutines share them: requests queue per connection, go out in one
// write per batch, and replies are handed back in order. A Pool is safe for
// concurrent use.
type Pool struct {
	addr  string
	proto int
	d     *dialer
	// relay, for a tracking pool, is where the peer sends the
	// invalidations of the reads made on the pool's connections, which
	// turn CLIENT TRACKING on with REDIRECT to it (see tracking.go).
	relay *relay
	next  atomic.Uint32
	conns [connsPerPeer]peerConn
}

func newPool(addr string, proto int, d *dialer) *Pool {
	p := &Pool{addr: addr, proto: proto, d: d}
	for i := range p.conns {
		p.conns[i].pool = p
		p.conns[i].wake = make(chan struct{}, 1)
	}
	return p
}

// Do sends the command args to the peer, after a SELECT of database db if
// the connection has another one selected, and returns the peer's reply
// (one complete RESP value the caller owns, possibly an error reply). It
// returns within Timeout. The Go error, a *peerError whose text is the
// CLUSTERDOWN reply for the client, reports a peer that is down or did not
// answer in time, and says whether the command may have reached it. args
// is encoded before Do returns and is not retained.
func (p *Pool) Do(db int, args [][]byte) ([]byte, error) {
	return p.Send(db, args, uint64(p.next.Add(1))).Wait()
}

// Send queues the command like Do but returns at once; Wait on the result
// gives the reply. The command goes out at the first Flush or Wait of a
// command queued on its connection, so that a client's pipelined commands
// leave in one write. Commands sent with the same affinity share a
// connection, so the peer runs them in the order they were sent.
func (p *Pool) Send(db int, args [][]byte, affinity uint64) *Pending {
	pc := &p.conns[affinity%connsPerPeer]
	size := 16 // the array header, and each argument's header and CRLF below
	for _, a := range args {
		size += len(a) + 16
	}
	cmd := resp.AppendCommand(make([]byte, 0, size), args)
	pd := &Pending{pc: pc, c: call{db: db, cmd: cmd, deadline: time.Now().Add(Timeout), done: make(chan struct{})}}
	pd.err = pc.enqueue(&pd.c)
	return pd
}

// Pending is a command sent to a peer whose reply has not been collected.
type Pending struct {
	pc  *peerConn
	c   call
	err error // the command could not even be queued
}

// Flush sends the command, and whatever else is queued on its connection,
// without waiting for the reply.
func (p *Pending) Flush() {
	if p.err == nil {
		p.pc.kick()
	}
}

// Wait sends the command if it has not gone out yet and returns the reply,
// at most Timeout after Send; see Do for the errors.
func (p *Pending) Wait() ([]byte, error) {
	if p.err != nil {
		return nil, p.err
	}
	return p.pc.wait(&p.c)
}

// Reply is Wait with a peer that is down or silent turned into an error
// reply: what the client gets in the command's place.
func (p *Pending) Reply() []byte {
	reply, err := p.Wait()
	if err != nil {
		return errorReply(err.Error())
	}
	return reply
}

// DoDedicated runs one blocking command on a new connection of its own,
// closed afterwards, so that its wait does not stall the shared pipeline.
// Connecting and sending must be done within Timeout; the reply may take
// as long as the command blocks, but every Timeout meanwhile the peer must
// answer a PING on the shared pipelined connection (itself bounded by
// Timeout). A peer that fails the check has the dedicated connection
// closed and the command fails with a CLUSTERDOWN error saying its outcome
// is unknown: the peer may have served it and stopped before replying.
func (p *Pool) DoDedicated(db int, args [][]byte) ([]byte, error) {
	return p.dedicated(db, [][][]byte{args}, true)
}

// DoTransaction runs MULTI, cmds and EXEC on a connection of its own, so no
// other client's command lands inside, and returns EXEC's reply, within
// Timeout.
func (p *Pool) DoTransaction(db int, cmds [][][]byte) ([]byte, error) {
	all := append(append([][][]byte{{[]byte("MULTI")}}, cmds...), [][]byte{[]byte("EXEC")})
	return p.dedicated(db, all, false)
}

var pingArgs = [][]byte{[]byte("PING")}

// dedicated writes SELECT db and cmds in one batch on a new connection and
// returns the last reply. Connecting and sending are bounded by Timeout;
// so is the reply unless blocking, when the peer's liveness bounds it
// instead (see DoDedicated).
func (p *Pool) dedicated(db int, cmds [][][]byte, blocking bool) ([]byte, error) {
	deadline := time.Now().Add(Timeout)
	nc, r, err := p.d.dial(p.addr, p.proto, deadline)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	buf := resp.AppendCommand(nil, [][]byte{[]byte("SELECT"), strconv.AppendInt(nil, int64(db), 10)})
	for _, args := range cmds {
		buf = resp.AppendCommand(buf, args)
	}
	nc.SetWriteDeadline(deadline)
	if n, err := nc.Write(buf); err != nil && n < len(buf) {
		// The last command (EXEC, for a transaction) did not leave
		// whole, so the peer runs none of cmds.
		return nil, unreachable(p.addr, err)
	}
	if !blocking {
		nc.SetReadDeadline(deadline)
		reply, err := readLast(r, len(cmds)+1)
		if err != nil {
			return nil, noAnswer(p.addr, err)
		}
		return reply, nil
	}
	type result struct {
		reply []byte
		err   error
	}
	done := make(chan result, 1)
	go func() {
		reply, err := readLast(r, len(cmds)+1)
		done <- result{reply, err}
	}()
	tick := time.NewTicker(Timeout)
	defer tick.Stop()
	for {
		select {
		case res := <-done:
			if res.err != nil {
				return nil, noAnswer(p.addr, res.err)
			}
			return res.reply, nil
		case <-tick.C:
			_, err := p.Do(db, pingArgs)
			if err == nil {
				continue
			}
			nc.Close() // ends the read
			if res := <-done; res.err == nil {
				return res.reply, nil // the reply made it just before
			}
			p.d.log.Warn("peer failed the liveness check of a blocking command", "peer", p.addr, "err", err)
			return nil, &peerError{addr: p.addr, sent: true,
				what: "failed a liveness check (PING) while the blocking command waited"}
		}
	}
}

// readLast reads n replies from r and returns the last.
func readLast(r *resp.Reader, n int) ([]byte, error) {
	var reply []byte
	var err error
	for range n {
		if reply, err = r.ReadReply(); err != nil {
			return nil, err
		}
	}
	return reply, nil
}

// A call is one forwarded command waiting for its reply.
type call struct {
	db       int
	cmd      []byte
	deadline time.Time // Timeout after Send: the reply or an error by then
	selects  bool      // a SELECT went out before cmd: its reply comes first
	batch    uint64    // the batch that wrote cmd (peerConn.batches)
	end      int       // where cmd ends in that batch's bytes
	reply    []byte
	err      error
	done     chan struct{}
}

func (c *call) finish(reply []byte, err error) {
	c.reply, c.err = reply, err
	close(c.done)
}

// peerConn is one pipelined connection. A writer goroutine, running while
// there is work, dials when needed and writes each batch of queued calls
// in one write; a reader goroutine per live connection hands the replies
// to the pending calls in order.
type peerConn struct {
	pool *Pool
	wake chan struct{} // capacity 1: there is something in queue

	mu      sync.Mutex
	queue   []*call // not yet written
	pending []*call // written, waiting for their replies in order
	nc      net.Conn
	db      int    // the database selected on nc; only the writer changes it
	batches uint64 // batches written so far
	running bool
	err     error // why the peer is down: a *peerError, nothing sent
	retryAt time.Time
	backoff time.Duration
}

// enqueue queues c for the writer, or returns why the peer is down.
func (pc *peerConn) enqueue(c *call) error {
	pc.mu.Lock()
	if pc.nc == nil && time.Now().Before(pc.retryAt) {
		err := pc.err
		pc.mu.Unlock()
		return err
	}
	pc.queue = append(pc.queue, c)
	if !pc.running {
		pc.running = true
		go pc.run()
	}
	pc.mu.Unlock()
	return nil
}

// kick wakes the writer to send what is queued.
func (pc *peerConn) kick() {
	select {
	case pc.wake <- struct{}{}:
	default:
	}
}

// wait sends c if it is still queued and waits for its reply until
// c.deadline. A call still queued then never left: it alone fails. A call
// written and still unanswered fails with every other call pending on the
// connection, which is closed: the replies come in order, so none of them
// would come in time either.
func (pc *peerConn) wait(c *call) ([]byte, error) {
	select {
	case <-c.done: // most replies of a pipelined batch are in by now
		return c.reply, c.err
	default:
	}
	pc.kick()
	timer := time.NewTimer(time.Until(c.deadline))
	defer timer.Stop()
	select {
	case <-c.done:
		return c.reply, c.err
	case <-timer.C:
		addr := pc.pool.addr
		pc.mu.Lock()
		if i := slices.Index(pc.queue, c); i >= 0 {
			pc.queue = slices.Delete(pc.queue, i, i+1)
			c.finish(nil, notSentWithin(addr))
		} else if slices.Contains(pc.pending, c) {
			pc.brokenLocked(pc.nc,
				&peerError{addr: addr, sent: true, what: fmt.Sprintf("did not answer within %v", Timeout)},
				&peerError{addr: addr, what: fmt.Sprintf("is unreachable: it did not answer within %v", Timeout)})
		}
		// Otherwise the reply is being handed over.
		pc.mu.Unlock()
		<-c.done
		return c.reply, c.err
	}
}

// run connects if needed and writes batches until the queue is empty at a
// moment the connection is down, then ends.
func (pc *peerConn) run() {
	for {
		pc.mu.Lock()
		nc := pc.nc
		if nc == nil && len(pc.queue) == 0 {
			pc.running = false
			pc.mu.Unlock()
			return
		}
		pc.mu.Unlock()
		if nc == nil {
			var r *resp.Reader
			var err error
			nc, r, err = pc.pool.dialPipelined(time.Now().Add(Timeout))
			pc.mu.Lock()
			if err != nil {
				pc.downLocked(err)
				pc.running = false
				pc.mu.Unlock()
				return
			}
			pc.nc, pc.db, pc.backoff = nc, 0, 0
			pc.mu.Unlock()
			go pc.read(nc, r)
		}
		pc.writeBatches(nc)
	}
}

// writeBatches writes whatever is queued, batch after batch, until nc breaks.
func (pc *peerConn) writeBatches(nc net.Conn) {
	var buf []byte
	for range pc.wake {
		// Let the goroutines that are ready to run queue their commands
		// first: sessions flush their pipelined commands one after
		// another, and one write for several of them costs the peer
		// one read and one wake-up instead of several. (On the 3-node
		// bench, peer writes went from 2.5 to 1 per client batch of 16.)
		runtime.Gosched()
		pc.mu.Lock()
		if pc.nc != nc {
			pc.mu.Unlock()
			return
		}
		buf = buf[:0]
		pc.batches++
		batch := pc.batches
		for _, c := range pc.queue {
			if c.db != pc.db {
				buf = resp.AppendCommand(buf, [][]byte{[]byte("SELECT"), strconv.AppendInt(nil, int64(c.db), 10)})
				c.selects, pc.db = true, c.db
			}
			buf = append(buf, c.cmd...)
			c.batch, c.end = batch, len(buf)
		}
		pc.pending = append(pc.pending, pc.queue...)
		clear(pc.queue)
		pc.queue = pc.queue[:0]
		pc.mu.Unlock()
		nc.SetWriteDeadline(time.Now().Add(Timeout))
		if n, err := nc.Write(buf); err != nil {
			pc.mu.Lock()
			pc.writeFailedLocked(nc, batch, n, err)
			pc.mu.Unlock()
			return
		}
	}
}

// dialPipelined opens one of the pool's pipelined connections; a tracking
// pool's turns tracking on, redirected to the relay.
func (p *Pool) dialPipelined(deadline time.Time) (net.Conn, *resp.Reader, error) {
	if p.relay == nil {
		return p.d.dial(p.addr, p.proto, deadline)
	}
	id, err := p.relay.waitID(deadline)
	if err != nil {
		return nil, nil, err
	}
	return p.d.dial(p.addr, p.proto, deadline,
		[][]byte{[]byte("CLIENT"), []byte("TRACKING"), []byte("ON"), []byte("REDIRECT"), strconv.AppendInt(nil, id, 10)})
}

// closeConns closes the pool's pipelined connections; the calls pending
// on them fail, and the next ones connect again.
func (p *Pool) closeConns() {
	for i := range p.conns {
		pc := &p.conns[i]
		pc.mu.Lock()
		if pc.nc != nil {
			pc.nc.Close() // the reader sees it and fails what is pending
		}
		pc.mu.Unlock()
	}
}

// read hands each reply on nc to the oldest pending call. A push (a
// tracking pool's tracking-redir-broken, when its relay went away) is no
// reply and is skipped.
func (pc *peerConn) read(nc net.Conn, r *resp.Reader) {
	for {
		reply, err := r.ReadReply()
		if err == nil && reply[0] == '>' {
			continue
		}
		pc.mu.Lock()
		if err == nil && len(pc.pending) == 0 {
			err = errors.New("reply without a request")
		}
		if err != nil {
			pc.brokenLocked(nc, noAnswer(pc.pool.addr, err), unreachable(pc.pool.addr, err))
			pc.mu.Unlock()
			return
		}
		c := pc.pending[0]
		if c.selects {
			// This was the SELECT's reply; the command's comes next.
			c.selects = false
			if reply[0] == '-' {
				// The command after it ran, or not, in another database.
				what := fmt.Sprintf("refused SELECT %d: %s", c.db, reply[1:len(reply)-2])
				pc.brokenLocked(nc, &peerError{addr: pc.pool.addr, what: what, sent: true},
					&peerError{addr: pc.pool.addr, what: what})
				pc.mu.Unlock()
				return
			}
			pc.mu.Unlock()
			continue
		}
		pc.pending = pc.pending[1:]
		pc.mu.Unlock()
		c.finish(reply, nil)
	}
}

// writeFailedLocked handles a failed write of batch on nc, of which n
// bytes left: the batch's calls that did not leave whole never reach the
// peer and fail as unsent; the others, and earlier batches, fail as
// unanswered.
func (pc *peerConn) writeFailedLocked(nc net.Conn, batch uint64, n int, err error) {
	if pc.nc != nc {
		return // already broken: its calls have failed
	}
	unsent := unreachable(pc.pool.addr, err)
	kept := pc.pending[:0]
	for _, c := range pc.pending {
		if c.batch == batch && c.end > n {
			c.finish(nil, unsent)
		} else {
			kept = append(kept, c)
		}
	}
	clear(pc.pending[len(kept):])
	pc.pending = kept
	pc.brokenLocked(nc, noAnswer(pc.pool.addr, err), unsent)
}

// brokenLocked closes nc, if it is still the live connection, fails every
// call pending on it (written, unanswered) with sent, and marks the peer
// down with unsent, which the queued calls and those sent until the next
// attempt get.
func (pc *peerConn) brokenLocked(nc net.Conn, sent, unsent *peerError) {
	if nc == nil || pc.nc != nc {
		return
	}
	nc.Close()
	for _, c := range pc.pending {
		c.finish(nil, sent)
	}
	pc.pending = nil
	pc.downLocked(unsent)
	select {
	case pc.wake <- struct{}{}: // let the writer see the change
	default:
	}
}

// downLocked marks the peer down: calls fail at once with err, which says
// they were not sent, until the backoff has passed, and the queue is
// failed now.
func (pc *peerConn) downLocked(err error) {
	pc.nc = nil
	pc.err = err
	pc.backoff = min(max(2*pc.backoff, minBackoff), maxBackoff)
	pc.retryAt = time.Now().Add(pc.backoff)
	for _, c := range pc.queue {
		c.finish(nil, err)
	}
	pc.queue = nil
	pc.pool.d.log.Warn("peer down", "peer", pc.pool.addr, "err", err, "retry_in", pc.backoff)
}

func joinMembers(members []string) string {
	var b []byte
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, m...)
	}
	return string(b)
}
