package cluster

import (
	"net"
	"strconv"
	"sync"
	"time"

	"myredis/db"
	"myredis/resp"
	"myredis/server"
)

// A pin is a peer connection held by one client session between a WATCH of
// keys that peer owns and the EXEC, UNWATCH or DISCARD that ends it: the
// peer keeps the watch on that connection, so the transaction must run
// there too.
type pin struct {
	member string
	nc     net.Conn
	r      *resp.Reader
}

// do runs cmds on the pinned connection after a SELECT of db and returns
// the last reply, all by deadline. The error is a *peerError: unsent when
// the last command did not leave whole (the peer runs neither it nor, for
// a transaction, the commands it would have ended), unanswered otherwise.
func (p *pin) do(db int, deadline time.Time, cmds ...[][]byte) ([]byte, error) {
	p.nc.SetDeadline(deadline)
	buf := resp.AppendCommand(nil, [][]byte{[]byte("SELECT"), strconv.AppendInt(nil, int64(db), 10)})
	for _, args := range cmds {
		buf = resp.AppendCommand(buf, args)
	}
	if n, err := p.nc.Write(buf); err != nil && n < len(buf) {
		return nil, unreachable(p.member, err)
	}
	reply, err := readLast(p.r, len(cmds)+1)
	if err != nil {
		return nil, noAnswer(p.member, err)
	}
	return reply, nil
}

// pins holds the sessions' pinned connections.
type pins struct {
	mu     sync.Mutex
	m      map[*server.Session]*pin
	hooked map[*server.Session]bool // sessions whose close releases their pin
}

func (ps *pins) get(s *server.Session) *pin {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.m[s]
}

// release closes the session's pinned connection, if any: the peer drops
// its watches with it.
func (ps *pins) release(s *server.Session) {
	ps.mu.Lock()
	p := ps.m[s]
	delete(ps.m, s)
	ps.mu.Unlock()
	if p != nil {
		p.nc.Close()
	}
}

// watchRemote runs WATCH for keys that member owns on a connection pinned
// to the session, opening it on the first such WATCH; connecting and the
// WATCH are done within Timeout.
func (r *Router) watchRemote(s *server.Session, member string, args [][]byte, w *resp.Writer) {
	deadline := time.Now().Add(Timeout)
	p := r.pinned.get(s)
	if p == nil {
		nc, rd, err := r.pools[member][s.Protocol()-2].d.dial(member, s.Protocol(), deadline)
		if err != nil {
			w.WriteError(err.Error())
			return
		}
		p = &pin{member: member, nc: nc, r: rd}
		ps := &r.pinned
		ps.mu.Lock()
		if ps.m == nil {
			ps.m = make(map[*server.Session]*pin)
			ps.hooked = make(map[*server.Session]bool)
		}
		ps.m[s] = p
		hook := !ps.hooked[s]
		ps.hooked[s] = true
		ps.mu.Unlock()
		if hook {
			s.OnClose(func() {
				ps.release(s)
				ps.mu.Lock()
				delete(ps.hooked, s)
				ps.mu.Unlock()
			})
		}
	}
	reply, err := p.do(s.DB, deadline, args)
	if err != nil {
		r.pinned.release(s)
		reply = errorReply(err.Error())
	}
	w.WriteRaw(reply)
}

// execPinned runs the session's transaction on its pinned connection, where
// the peer holds its watches, when every key of the transaction lives on
// that peer; otherwise it refuses with CROSSSLOT. Either way the pin ends.
func (r *Router) execPinned(s *server.Session, p *pin, w *resp.Writer) {
	defer r.pinned.release(s)
	cmds, args := s.Queued()
	failed := s.MultiFailed()
	s.Discard()
	if failed {
		w.WriteError("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	for i, c := range cmds {
		for _, k := range c.Keys(nil, args[i]) {
			if r.ring.Owner(k) != p.member {
				w.WriteError(errCrossSlot)
				return
			}
		}
	}
	all := append(append([][][]byte{{[]byte("MULTI")}}, args...), [][]byte{[]byte("EXEC")})
	reply, err := p.do(s.DB, time.Now().Add(Timeout), all...)
	if err != nil {
		reply = errorReply(err.Error())
	}
	w.WriteRaw(reply)
}

// endPinned handles UNWATCH and DISCARD for a session with a pin: the pin
// ends (the peer forgets the watches), and the command runs here too for
// the session's own state.
func (r *Router) endPinned(s *server.Session, cmd *db.Command, args [][]byte, w *resp.Writer) {
	r.pinned.release(s)
	r.next.Exec(s, cmd, args, w)
}
