package cluster

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"

	"myredis/db"
)

// handshakeSub is the internal CLUSTER subcommand a node sends first on
// each connection to a peer: CLUSTER PEERCHECK <self> <sorted members>.
// The peer answers OK when it has the same members, an error otherwise.
const handshakeSub = "PEERCHECK"

// register adds CLUSTER and its subcommands, READONLY and READWRITE.
func (r *Router) register(t *db.Table) {
	t.Register(&db.Command{Name: "cluster", Arity: -2, Group: "cluster", Since: "3.0.0",
		Summary: "A container for Redis Cluster commands."})
	sub := func(name string, arity int, summary string, run func(*db.Ctx)) *db.Command {
		c := &db.Command{Name: name, Arity: arity, Flags: db.FlagStale, Since: "3.0.0", Summary: summary, Run: run}
		t.RegisterSub("cluster", c)
		return c
	}
	sub("info", 2, "Returns information about the state of the cluster.", r.info)
	sub("nodes", 2, "Returns the cluster configuration of every node.", r.nodes)
	sub("slots", 2, "Returns the mapping of slots to nodes.", r.slots)
	sub("shards", 2, "Returns the mapping of shards to slots and nodes.", r.shards).Since = "7.0.0"
	sub("myid", 2, "Returns this node's id.", func(c *db.Ctx) { c.W.WriteBulkString(NodeID(r.self)) })
	sub("keyslot", 3, "Returns the hash slot of a key.", func(c *db.Ctx) { c.W.WriteInt(int64(Slot(c.Args[2]))) })
	// The slot commands walk the keyspace, locking one shard at a time
	// themselves (see eachKeyInSlot).
	sub("countkeysinslot", 3, "Returns the number of keys of this node in a slot.", r.countKeysInSlot).Flags |= db.FlagOwnLocks
	sub("getkeysinslot", 4, "Returns keys of this node in a slot.", r.getKeysInSlot).Flags |= db.FlagOwnLocks
	// A node answers the handshake while it loads its AOF, so that its
	// peers can connect.
	t.RegisterSub("cluster", &db.Command{Name: strings.ToLower(handshakeSub), Arity: 4, Flags: db.FlagLoading | db.FlagStale,
		Since: "3.0.0", Summary: "Checks that a peer node has the same members (internal).", Run: r.peerCheck})
	t.RegisterSub("cluster", db.HelpCommand("5.0.0", "Describes the CLUSTER subcommands."))
	ok := func(c *db.Ctx) { c.WriteOK() }
	for _, name := range []string{"readonly", "readwrite"} {
		t.Register(&db.Command{Name: name, Arity: 1, Flags: db.FlagLoading | db.FlagStale | db.FlagFast,
			Group: "cluster", Since: "3.0.0", Summary: "Accepted for cluster clients; every node serves reads and writes.", Run: ok})
	}
}

// hostPort splits a member address; members were checked by the config.
func hostPort(member string) (string, int) {
	host, port, _ := net.SplitHostPort(member)
	n, _ := strconv.Atoi(port)
	return host, n
}

func (r *Router) info(c *db.Ctx) {
	n := len(r.ring.Members())
	var b strings.Builder
	for _, kv := range [][2]string{
		{"cluster_state", "ok"},
		{"cluster_slots_assigned", strconv.Itoa(SlotCount)},
		{"cluster_slots_ok", strconv.Itoa(SlotCount)},
		{"cluster_slots_pfail", "0"},
		{"cluster_slots_fail", "0"},
		{"cluster_known_nodes", strconv.Itoa(n)},
		{"cluster_size", strconv.Itoa(n)},
		{"cluster_current_epoch", strconv.Itoa(n)},
		{"cluster_my_epoch", strconv.Itoa(r.epoch(r.self))},
		{"cluster_stats_messages_sent", "0"},
		{"cluster_stats_messages_received", "0"},
		{"total_cluster_links_buffer_limit_exceeded", "0"},
	} {
		b.WriteString(kv[0] + ":" + kv[1] + "\r\n")
	}
	c.W.WriteVerbatim("txt", b.String())
}

// epoch is a member's config epoch: its position among the sorted members.
func (r *Router) epoch(member string) int {
	for i, m := range r.ring.Members() {
		if m == member {
			return i + 1
		}
	}
	return 0
}

// nodes answers CLUSTER NODES: one line per member, every one a master
// with its slot ranges.
func (r *Router) nodes(c *db.Ctx) {
	var b strings.Builder
	for _, m := range r.ring.Members() {
		host, port := hostPort(m)
		flags := "master"
		if m == r.self {
			flags = "myself,master"
		}
		fmt.Fprintf(&b, "%s %s:%d@%d %s - 0 0 %d connected", NodeID(m), host, port, port+10000, flags, r.epoch(m))
		for _, rg := range r.ring.Ranges(m) {
			if rg.First == rg.Last {
				fmt.Fprintf(&b, " %d", rg.First)
			} else {
				fmt.Fprintf(&b, " %d-%d", rg.First, rg.Last)
			}
		}
		b.WriteByte('\n')
	}
	c.W.WriteVerbatim("txt", b.String())
}

// slots answers CLUSTER SLOTS: every run of slots with its owner as
// [ip, port, id, {}].
func (r *Router) slots(c *db.Ctx) {
	runs := r.ring.runs()
	c.W.WriteArray(len(runs))
	for _, run := range runs {
		host, port := hostPort(run.member)
		c.W.WriteArray(3)
		c.W.WriteInt(int64(run.First))
		c.W.WriteInt(int64(run.Last))
		c.W.WriteArray(4)
		c.W.WriteBulkString(host)
		c.W.WriteInt(int64(port))
		c.W.WriteBulkString(NodeID(run.member))
		c.W.WriteMap(0)
	}
}

// shards answers CLUSTER SHARDS: one shard per member, a single master.
func (r *Router) shards(c *db.Ctx) {
	members := r.ring.Members()
	w := c.W
	w.WriteArray(len(members))
	for _, m := range members {
		host, port := hostPort(m)
		ranges := r.ring.Ranges(m)
		w.WriteMap(2)
		w.WriteBulkString("slots")
		w.WriteArray(2 * len(ranges))
		for _, rg := range ranges {
			w.WriteInt(int64(rg.First))
			w.WriteInt(int64(rg.Last))
		}
		w.WriteBulkString("nodes")
		w.WriteArray(1)
		w.WriteMap(7)
		w.WriteBulkString("id")
		w.WriteBulkString(NodeID(m))
		w.WriteBulkString("port")
		w.WriteInt(int64(port))
		w.WriteBulkString("ip")
		w.WriteBulkString(host)
		w.WriteBulkString("endpoint")
		w.WriteBulkString(host)
		w.WriteBulkString("role")
		w.WriteBulkString("master")
		w.WriteBulkString("replication-offset")
		w.WriteInt(0)
		w.WriteBulkString("health")
		w.WriteBulkString("online")
	}
}

// slotArg parses c.Args[2] as a slot, writing the error if it is not one.
func slotArg(c *db.Ctx, errMsg string) (int, bool) {
	n, ok := c.IntArg(2)
	if ok && (n < 0 || n >= SlotCount) {
		c.W.WriteError(errMsg)
		return 0, false
	}
	return int(n), ok
}

// eachKeyInSlot calls fn for each of this node's keys in the client's
// database that hash to slot, until fn returns false. It walks every key,
// O(keys), with Keyspace.ForEachKey, which locks one shard at a time: the
// slot commands have FlagOwnLocks, so they hold no shard lock when they
// start. key is valid only during the call.
func eachKeyInSlot(c *db.Ctx, slot int, fn func(key []byte) bool) {
	c.Keyspace().ForEachKey(c.DB.Index(), c.Now, func(key []byte) bool {
		return Slot(key) != slot || fn(key)
	})
}

func (r *Router) countKeysInSlot(c *db.Ctx) {
	slot, ok := slotArg(c, "ERR Invalid slot")
	if !ok {
		return
	}
	n := 0
	eachKeyInSlot(c, slot, func([]byte) bool { n++; return true })
	c.W.WriteInt(int64(n))
}

func (r *Router) getKeysInSlot(c *db.Ctx) {
	slot, ok := slotArg(c, "ERR Invalid slot or number of keys")
	if !ok {
		return
	}
	limit, ok := c.IntArg(3)
	if !ok {
		return
	}
	if limit < 0 {
		c.W.WriteError("ERR Invalid slot or number of keys")
		return
	}
	var keys [][]byte
	if limit > 0 {
		eachKeyInSlot(c, slot, func(key []byte) bool {
			keys = append(keys, bytes.Clone(key))
			return int64(len(keys)) < limit
		})
	}
	c.W.WriteArray(len(keys))
	for _, k := range keys {
		c.W.WriteBulk(k)
	}
}

// peerCheck answers a peer's handshake: OK when its member list matches.
func (r *Router) peerCheck(c *db.Ctx) {
	mine := joinMembers(r.ring.Members())
	if string(c.Args[3]) == mine {
		c.WriteOK()
		return
	}
	r.log.Error("a peer has other cluster members: refusing its connection",
		"peer", string(c.Args[2]), "its_members", string(c.Args[3]), "members", mine)
	c.W.WriteError(fmt.Sprintf("ERR cluster members differ: node %s has %s, node %s has %s",
		c.Args[2], c.Args[3], r.self, mine))
}
