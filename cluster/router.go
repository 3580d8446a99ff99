package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"

	"myredis/db"
	"myredis/resp"
	"myredis/server"
)

const errCrossSlot = "CROSSSLOT Keys in request don't hash to the same slot"

// Options configure a Router.
type Options struct {
	Self  string   // this node's host:port, as the other nodes list it
	Peers []string // the other nodes' host:port; self may appear too
	// Next runs the commands this node serves itself.
	Next server.Executor
	// Table is the command table; New registers CLUSTER, READONLY and
	// READWRITE in it.
	Table *db.Table
	// Password returns the requirepass the peers expect ("" for none).
	Password func() string
	Log      *slog.Logger
	// VirtualNodes per member; 0 means DefaultVirtualNodes.
	VirtualNodes int
	// Keyspace, when set, is the local keyspace, whose tracking table
	// records the tracked reads forwarded to other nodes (tracking.go).
	Keyspace *db.Keyspace
}

// Router is the Executor of a cluster node: it runs a command here when
// this node owns its keys, forwards it whole to the owner when one other
// node owns them all (EVAL and FCALL by the keys they declare), splits
// MGET, MSET, DEL, UNLINK, EXISTS and TOUCH per owner, runs DBSIZE, KEYS,
// SCAN, RANDOMKEY, FLUSHDB, FLUSHALL, SWAPDB, SCRIPT LOAD|FLUSH and
// FUNCTION LOAD|DELETE|FLUSH|RESTORE on every node, and answers CROSSSLOT
// for other commands whose keys span nodes. Commands arriving from a peer always run here. A Router is safe for
// concurrent use.
//
// PUBLISH reaches the subscribers of every node. A transaction runs where
// its keys live (see execTransaction); a WATCH of keys another node owns
// pins a peer connection to the session, and the transaction then runs on
// it (see pin).
type Router struct {
	self string
	ring *Ring
	next server.Executor
	// pools per peer: RESP2, RESP3, and their tracking pools (tracking.go).
	pools map[string]*[4]*Pool
	ks    *db.Keyspace
	log   *slog.Logger
	split map[*db.Command]merger
	whole map[*db.Command]merger
	// partial holds the commands that change data on several nodes: when
	// some nodes fail, the error says what each node did (partsReport).
	partial map[*db.Command]bool
	scan    *db.Command
	table   *db.Table
	once    sync.Once // resolve
	exec    *db.Command
	watch   *db.Command
	unwatch *db.Command
	discard *db.Command
	pinned  pins // sessions watching keys another node owns
}

// New returns the router for the cluster of opt.Self and opt.Peers and
// registers the cluster commands in opt.Table: call it once, before
// server.New. It panics if opt.Table already holds them.
func New(opt Options) *Router {
	if opt.VirtualNodes == 0 {
		opt.VirtualNodes = DefaultVirtualNodes
	}
	ring := NewRing(append([]string{opt.Self}, opt.Peers...), opt.VirtualNodes, nil)
	r := &Router{
		self: opt.Self, ring: ring, next: opt.Next, log: opt.Log, ks: opt.Keyspace,
		pools:   make(map[string]*[4]*Pool),
		split:   make(map[*db.Command]merger),
		whole:   make(map[*db.Command]merger),
		partial: make(map[*db.Command]bool),
	}
	d := &dialer{self: opt.Self, members: ring.Members(), password: opt.Password, log: opt.Log}
	for _, m := range ring.Members() {
		if m != opt.Self {
			ps := &[4]*Pool{newPool(m, 2, d), newPool(m, 3, d), newPool(m, 2, d), newPool(m, 3, d)}
			if opt.Keyspace != nil {
				rl := newRelay(m, d, opt.Keyspace)
				rl.pools = ps[2:]
				ps[2].relay, ps[3].relay = rl, rl
			}
			r.pools[m] = ps
		}
	}
	r.table = opt.Table
	r.register(opt.Table)
	return r
}

// resolve finds the commands the router treats specially. It runs at the
// first command, once the server has registered its own (PUBLISH).
func (r *Router) resolve() {
	set := func(dst map[*db.Command]merger, m merger, names ...string) {
		for _, n := range names {
			if c := r.table.Get([]byte(n)); c != nil {
				dst[c] = m
			}
		}
	}
	set(r.split, mergeInOrder, "mget")
	set(r.split, mergeOK, "mset")
	set(r.split, mergeSum, "del", "unlink", "exists", "touch")
	set(r.whole, mergeSum, "dbsize", "publish")
	set(r.whole, mergeConcat, "keys")
	set(r.whole, mergeRandom, "randomkey")
	set(r.whole, mergeOK, "flushdb", "flushall", "swapdb")
	for _, name := range []string{"mset", "del", "unlink", "touch", "flushdb", "flushall", "swapdb"} {
		if c := r.table.Get([]byte(name)); c != nil {
			r.partial[c] = true
		}
	}
	// The script cache and the function libraries are every node's, so
	// that EVALSHA and FCALL work through any node: their changes go to
	// every node, and the first reply answers (they are alike).
	for _, sc := range [][2]string{{"script", "load"}, {"script", "flush"}, {"function", "load"},
		{"function", "delete"}, {"function", "flush"}, {"function", "restore"}} {
		if c := subcommand(r.table, sc[0], sc[1]); c != nil {
			r.whole[c] = mergeFirst
		}
	}
	r.scan = r.table.Get([]byte("scan"))
	r.exec = r.table.Get([]byte("exec"))
	r.watch = r.table.Get([]byte("watch"))
	r.unwatch = r.table.Get([]byte("unwatch"))
	r.discard = r.table.Get([]byte("discard"))
}

// execTransaction runs a client's transaction where its keys live: here
// when this node owns them all, forwarded whole (MULTI … EXEC on a
// connection of its own) when one other node owns them all, and refused
// with CROSSSLOT when they span nodes.
func (r *Router) execTransaction(s *server.Session, cmd *db.Command, args [][]byte, w *resp.Writer) {
	cmds, cmdArgs := s.Queued()
	owner := ""
	for i, c := range cmds {
		for _, k := range c.Keys(nil, cmdArgs[i]) {
			switch o := r.ring.Owner(k); {
			case owner == "":
				owner = o
			case o != owner:
				s.Discard()
				w.WriteError(errCrossSlot)
				return
			}
		}
	}
	if owner == "" || owner == r.self || s.MultiFailed() {
		r.next.Exec(s, cmd, args, w)
		return
	}
	err := r.trackTransaction(s, owner, cmds, cmdArgs)
	var reply []byte
	if err == nil {
		reply, err = r.pools[owner][s.Protocol()-2].DoTransaction(s.DB, cmdArgs)
	}
	s.Discard()
	if err != nil {
		reply = errorReply(err.Error())
	}
	w.WriteRaw(reply)
}

// Ring returns the ring the router places keys with.
func (r *Router) Ring() *Ring { return r.ring }

// Exec runs cmd here, on its keys' owner, or on every node; see Router.
func (r *Router) Exec(s *server.Session, cmd *db.Command, args [][]byte, w *resp.Writer) {
	r.once.Do(r.resolve)
	var buf [8][]byte
	keys := cmd.Keys(buf[:0], args)
	if s.HasNamePrefix(peerNamePrefix) {
		// Forwarded by a peer: never forwarded again.
		for _, k := range keys {
			if owner := r.ring.Owner(k); owner != r.self {
				w.WriteError(fmt.Sprintf("CLUSTERDOWN key '%s' belongs to node %s, not to this node %s: the nodes disagree on the ring", k, owner, r.self))
				return
			}
		}
		r.next.Exec(s, cmd, args, w)
		return
	}
	if m := r.whole[cmd]; m != nil {
		r.everyNode(s, cmd, args, w, m)
		return
	}
	switch cmd {
	case r.exec:
		if p := r.pinned.get(s); p != nil && s.InMulti() {
			r.execPinned(s, p, w)
			return
		}
		r.execTransaction(s, cmd, args, w)
		return
	case r.unwatch, r.discard:
		if r.pinned.get(s) != nil {
			r.endPinned(s, cmd, args, w)
			return
		}
	case r.watch:
		if s.InMulti() {
			r.next.Exec(s, cmd, args, w) // refused, as inside any MULTI
			return
		}
		owner := r.ring.Owner(keys[0])
		for _, k := range keys[1:] {
			if r.ring.Owner(k) != owner {
				w.WriteError(errCrossSlot)
				return
			}
		}
		p := r.pinned.get(s)
		switch {
		case p != nil && p.member != owner, p == nil && owner != r.self && s.Watching():
			// The watches would be split between nodes.
			w.WriteError(errCrossSlot)
			return
		case owner != r.self:
			r.watchRemote(s, owner, args, w)
			return
		}
	}
	if cmd == r.scan {
		r.scanCluster(s, cmd, args, w)
		return
	}
	if len(keys) == 0 {
		r.next.Exec(s, cmd, args, w)
		return
	}
	owner := r.ring.Owner(keys[0])
	for _, k := range keys[1:] {
		if r.ring.Owner(k) != owner {
			if m := r.split[cmd]; m != nil {
				r.splitByOwner(s, cmd, args, w, m)
			} else {
				w.WriteError(errCrossSlot)
			}
			return
		}
	}
	if owner == r.self {
		r.next.Exec(s, cmd, args, w)
		return
	}
	r.forward(s, owner, cmd, args, w)
}

// forward sends the command to member without waiting: the session takes
// the reply when it flushes, so a client's pipelined batch goes to the peer
// as one batch instead of one round trip per command. Where the session
// cannot wait (CLIENT REPLY OFF) or the command may block (Command.Blocks:
// BLPOP, XREAD with BLOCK...), it waits now.
func (r *Router) forward(s *server.Session, member string, cmd *db.Command, args [][]byte, w *resp.Writer) {
	if cmd.Blocks(args) {
		w.WriteRaw(replyOrError(r.on(s, member, cmd, args)))
		return
	}
	r.rememberForwarded(s, cmd, args)
	p := r.pool(s, member, cmd).Send(s.DB, args, uint64(s.ID))
	if !s.Defer(w, p) {
		w.WriteRaw(p.Reply())
	}
}

// on runs args on member and returns its reply, possibly an error reply,
// or the *peerError that says why no reply came (within Timeout, or, for a
// blocking command, while the peer stayed alive; see Pool.DoDedicated). A
// blocking command gets a connection of its own.
func (r *Router) on(s *server.Session, member string, cmd *db.Command, args [][]byte) ([]byte, error) {
	if member == r.self {
		var buf bytes.Buffer
		w := resp.NewWriter(&buf)
		w.SetProtocol(s.Protocol())
		r.next.Exec(s, cmd, args, w)
		w.Flush()
		return buf.Bytes(), nil
	}
	p := r.pool(s, member, cmd)
	if cmd.Blocks(args) {
		return p.DoDedicated(s.DB, args)
	}
	// The session's connection: after its deferred commands, in order.
	return p.Send(s.DB, args, uint64(s.ID)).Wait()
}

// replyOrError returns reply, or the error reply carrying err.
func replyOrError(reply []byte, err error) []byte {
	if err != nil {
		return errorReply(err.Error())
	}
	return reply
}

// A merger combines the replies of the nodes a command ran on into the
// caller's reply. order[i] lists, for a split command, the positions (in
// the caller's key order) of the keys replies[i] answers for; n is the
// caller's key count. None of the replies is an error.
type merger func(w *resp.Writer, replies [][]byte, order [][]int, n int)

// splitByOwner sends each owner the command for its keys (with their
// values for MSET) and merges the replies.
func (r *Router) splitByOwner(s *server.Session, cmd *db.Command, args [][]byte, w *resp.Writer, m merger) {
	step := max(cmd.Step, 1)
	var parts []part
	n := 0
	for i := cmd.FirstKey; i+step <= len(args); i += step {
		owner := r.ring.Owner(args[i])
		g := slices.IndexFunc(parts, func(p part) bool { return p.member == owner })
		if g < 0 {
			g = len(parts)
			parts = append(parts, part{member: owner, args: slices.Clip(args[:cmd.FirstKey])})
		}
		parts[g].args = append(parts[g].args, args[i:i+step]...)
		parts[g].order = append(parts[g].order, n)
		n++
	}
	for _, p := range parts {
		if p.member != r.self {
			r.rememberForwarded(s, cmd, p.args)
		}
	}
	r.onEach(s, cmd, parts)
	r.merge(w, cmd, m, parts, n)
}

// everyNode runs the command on every member and merges the replies.
func (r *Router) everyNode(s *server.Session, cmd *db.Command, args [][]byte, w *resp.Writer, m merger) {
	members := r.ring.Members()
	parts := make([]part, len(members))
	for i, member := range members {
		parts[i] = part{member: member, args: args}
	}
	r.onEach(s, cmd, parts)
	r.merge(w, cmd, m, parts, 0)
}

// scanCluster runs SCAN on one node at a time. The cluster cursor is the
// node's own cursor times the member count plus the node's index among the
// sorted members, so cursor 0 starts at the first node and each node's
// end moves on to the next.
func (r *Router) scanCluster(s *server.Session, cmd *db.Command, args [][]byte, w *resp.Writer) {
	cur, err := strconv.ParseUint(string(args[1]), 10, 64)
	if err != nil {
		w.WriteError("ERR invalid cursor")
		return
	}
	members := r.ring.Members()
	n := uint64(len(members))
	node := cur % n
	sub := slices.Clone(args)
	sub[1] = strconv.AppendUint(nil, cur/n, 10)
	reply, err := r.on(s, members[node], cmd, sub)
	if err != nil {
		w.WriteError(err.Error())
		return
	}
	if reply[0] == '-' {
		w.WriteRaw(reply)
		return
	}
	elems, err := arrayElems(reply)
	var next uint64
	if err == nil && len(elems) == 2 {
		next, err = strconv.ParseUint(string(bulkText(elems[0])), 10, 64)
	}
	if err != nil || len(elems) != 2 {
		w.WriteError(fmt.Sprintf("ERR unexpected SCAN reply from node %s", members[node]))
		return
	}
	switch {
	case next != 0:
		next = next*n + node
	case node+1 < n:
		next = node + 1
	}
	w.WriteArray(2)
	w.WriteBulkString(strconv.FormatUint(next, 10))
	w.WriteRaw(elems[1])
}

// mergeInOrder puts the elements of MGET's replies back in the caller's order.
func mergeInOrder(w *resp.Writer, replies [][]byte, order [][]int, n int) {
	out := make([][]byte, n)
	for i, rep := range replies {
		elems, err := arrayElems(rep)
		if err != nil || len(elems) != len(order[i]) {
			w.WriteError("ERR unexpected reply from a peer")
			return
		}
		for j, e := range elems {
			out[order[i][j]] = e
		}
	}
	w.WriteArray(n)
	for _, e := range out {
		w.WriteRaw(e)
	}
}

// subcommand returns the subcommand name of parent, or nil.
func subcommand(t *db.Table, parent, name string) *db.Command {
	if p := t.Get([]byte(parent)); p != nil {
		for _, s := range p.Subcommands() {
			if s.Name == name {
				return s
			}
		}
	}
	return nil
}

// mergeFirst answers the first node's reply: every node gave the same.
func mergeFirst(w *resp.Writer, replies [][]byte, _ [][]int, _ int) { w.WriteRaw(replies[0]) }

// mergeOK answers OK: every node did.
func mergeOK(w *resp.Writer, _ [][]byte, _ [][]int, _ int) { w.WriteSimple("OK") }

// mergeSum adds up integer replies.
func mergeSum(w *resp.Writer, replies [][]byte, _ [][]int, _ int) {
	var sum int64
	for _, rep := range replies {
		n, ok := db.ParseInt(bytes.TrimSuffix(rep[1:], []byte("\r\n")))
		if rep[0] != ':' || !ok {
			w.WriteError("ERR unexpected reply from a peer")
			return
		}
		sum += n
	}
	w.WriteInt(sum)
}

// mergeConcat joins array replies into one array.
func mergeConcat(w *resp.Writer, replies [][]byte, _ [][]int, _ int) {
	total := 0
	bodies := make([][]byte, len(replies))
	for i, rep := range replies {
		n, body, err := arrayHeader(rep)
		if err != nil {
			w.WriteError("ERR unexpected reply from a peer")
			return
		}
		total += n
		bodies[i] = body
	}
	w.WriteArray(total)
	for _, b := range bodies {
		w.WriteRaw(b)
	}
}

// mergeRandom picks one of the nodes' non-null replies at random.
func mergeRandom(w *resp.Writer, replies [][]byte, _ [][]int, _ int) {
	var found [][]byte
	for _, rep := range replies {
		if !isNull(rep) {
			found = append(found, rep)
		}
	}
	if len(found) == 0 {
		w.WriteNull()
		return
	}
	w.WriteRaw(found[rand.IntN(len(found))])
}

func isNull(rep []byte) bool {
	return rep[0] == '_' || bytes.HasPrefix(rep, []byte("$-1\r\n"))
}

var errBadReply = errors.New("cluster: unexpected reply")

// arrayHeader returns the element count of an array reply and the
// encoding of its elements.
func arrayHeader(reply []byte) (int, []byte, error) {
	end := bytes.IndexByte(reply, '\n')
	if reply[0] != '*' || end < 2 {
		return 0, nil, errBadReply
	}
	n, ok := db.ParseInt(reply[1 : end-1])
	if !ok || n < 0 {
		return 0, nil, errBadReply
	}
	return int(n), reply[end+1:], nil
}

// arrayElems returns the encodings of an array reply's elements; they
// alias reply.
func arrayElems(reply []byte) ([][]byte, error) {
	n, body, err := arrayHeader(reply)
	if err != nil {
		return nil, err
	}
	rd := resp.NewReader(bytes.NewReader(body))
	out := make([][]byte, 0, n)
	for range n {
		e, err := rd.ReadReply()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// bulkText returns the content of a bulk string reply's encoding.
func bulkText(e []byte) []byte {
	start := bytes.IndexByte(e, '\n') + 1
	if e[0] != '$' || start == 0 || len(e) < start+2 {
		return nil
	}
	return e[start : len(e)-2]
}
