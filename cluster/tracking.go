package cluster

import (
	"bytes"
	"errors"
	"sync"
	"time"

	"myredis/db"
	"myredis/resp"
	"myredis/server"
)

// Client-side caching through a node that forwards. A tracking client's
// read of keys another node owns is recorded in this node's own tracking
// table (db.Keyspace.RememberKeys), for the client, and forwarded on a
// tracking pool: pipelined connections to the owner that have CLIENT
// TRACKING ON REDIRECT <relay> set, so the owner remembers that this node
// read the keys. The owner's invalidations go to the relay, one connection
// per peer subscribed to __redis__:invalidate there, and the relay hands
// them to this node's table (db.Keyspace.InvalidateRemote), which sends
// them on to its clients like any other invalidation. A lost relay loses
// invalidations: when it reconnects, the tracking pools' connections are
// closed (they redial with the new redirection) and every local tracking
// client gets a null invalidation (everything may have changed).
//
// Reads forwarded inside a transaction are made known to the owner the
// same way, by an EXISTS of their keys on the tracking pool before the
// transaction runs; writes forwarded to the owner invalidate there as any
// write. NOLOOP does not see a write forwarded to another node as the
// client's own, and BCAST clients hear of the writes made on the node they
// are connected to (the keys it owns).

// relay receives one peer's invalidations for this node. Safe for
// concurrent use.
type relay struct {
	addr  string
	d     *dialer
	ks    *db.Keyspace
	pools []*Pool // the tracking pools that redirect here

	mu      sync.Mutex
	id      int64         // the relay's client id at the peer; 0 while down
	started bool          // run has been started
	ready   chan struct{} // closed when id is set (then replaced)
}

func newRelay(addr string, d *dialer, ks *db.Keyspace) *relay {
	return &relay{addr: addr, d: d, ks: ks, ready: make(chan struct{})}
}

// waitID returns the relay's client id at the peer, starting the relay if
// needed and waiting for it until deadline.
func (rl *relay) waitID(deadline time.Time) (int64, error) {
	rl.mu.Lock()
	if !rl.started {
		rl.started = true
		go rl.run()
	}
	id, ready := rl.id, rl.ready
	rl.mu.Unlock()
	if id != 0 {
		return id, nil
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-ready:
		rl.mu.Lock()
		defer rl.mu.Unlock()
		if rl.id != 0 {
			return rl.id, nil
		}
	case <-timer.C:
	}
	return 0, &peerError{addr: rl.addr, what: "has no invalidation relay connection"}
}

// run keeps the relay connected for the life of the process.
func (rl *relay) run() {
	backoff := time.Duration(0)
	for {
		err := rl.serve()
		rl.mu.Lock()
		lost := rl.id != 0
		rl.id = 0
		rl.mu.Unlock()
		if lost {
			rl.d.log.Warn("invalidation relay lost", "peer", rl.addr, "err", err)
			for _, p := range rl.pools {
				p.closeConns() // they redirect to the old id
			}
			rl.ks.InvalidateRemote(nil)
			backoff = 0
		}
		backoff = min(max(2*backoff, minBackoff), maxBackoff)
		time.Sleep(backoff)
	}
}

// serve connects, subscribes and applies the invalidations until the
// connection fails.
func (rl *relay) serve() error {
	nc, r, err := rl.d.dial(rl.addr, 2, time.Now().Add(Timeout))
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(Timeout))
	var buf []byte
	buf = resp.AppendCommand(buf, [][]byte{[]byte("CLIENT"), []byte("ID")})
	buf = resp.AppendCommand(buf, [][]byte{[]byte("SUBSCRIBE"), []byte(invalidateChannel)})
	if _, err := nc.Write(buf); err != nil {
		return err
	}
	idReply, err := r.ReadReply()
	if err != nil {
		return err
	}
	id, ok := db.ParseInt(bytes.TrimSuffix(idReply[1:], []byte("\r\n")))
	if idReply[0] != ':' || !ok {
		return errors.New("unexpected CLIENT ID reply")
	}
	if _, err := r.ReadReply(); err != nil { // the subscription's confirmation
		return err
	}
	nc.SetDeadline(time.Time{})
	rl.mu.Lock()
	rl.id = id
	close(rl.ready)
	rl.ready = make(chan struct{})
	rl.mu.Unlock()
	for {
		msg, err := r.ReadReply()
		if err != nil {
			return err
		}
		elems, err := arrayElems(msg)
		if err != nil || len(elems) != 3 {
			continue
		}
		rl.ks.InvalidateRemote(invalidatedKeys(elems[2]))
	}
}

// invalidateChannel is where a RESP2 redirection target hears of
// invalidations.
const invalidateChannel = "__redis__:invalidate"

// invalidatedKeys decodes the payload of an invalidation message: the
// keys, or nil for a null (a flush).
func invalidatedKeys(payload []byte) [][]byte {
	if isNull(payload) {
		return nil
	}
	elems, err := arrayElems(payload)
	if err != nil {
		return nil
	}
	keys := make([][]byte, 0, len(elems))
	for _, e := range elems {
		keys = append(keys, bytes.Clone(bulkText(e)))
	}
	return keys
}

// pool returns the pool a command of s goes to member on: a tracking pool
// when s's read of it is remembered (see RememberKeys).
func (r *Router) pool(s *server.Session, member string, cmd *db.Command) *Pool {
	i := s.Protocol() - 2
	if s.TracksRead(cmd) {
		i += 2
	}
	return r.pools[member][i]
}

// rememberForwarded records the keys of args, which s reads through cmd
// on another node, as read by s, when s tracks such reads. An untracked
// session pays one test.
func (r *Router) rememberForwarded(s *server.Session, cmd *db.Command, args [][]byte) {
	if r.ks != nil && s.TracksRead(cmd) {
		r.ks.RememberKeys(&s.Client, cmd.Keys(nil, args))
	}
}

// trackTransaction makes the reads of a transaction about to be forwarded
// whole to owner known there and here, for a tracking session: the keys
// of its tracked reads are recorded here and read (EXISTS) on the owner's
// tracking pool first, so the owner reports any later change.
func (r *Router) trackTransaction(s *server.Session, owner string, cmds []*db.Command, cmdArgs [][][]byte) error {
	if r.ks == nil {
		return nil
	}
	var keys [][]byte
	var via *db.Command
	for i, c := range cmds {
		if s.TracksRead(c) {
			keys = c.Keys(keys, cmdArgs[i])
			via = c
		}
	}
	if len(keys) == 0 {
		return nil
	}
	r.ks.RememberKeys(&s.Client, keys)
	args := append([][]byte{[]byte("EXISTS")}, keys...)
	_, err := r.pool(s, owner, via).Do(s.DB, args)
	return err
}
