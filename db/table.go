package db

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
)

// Flag describes a property of a command, as Redis's COMMAND INFO reports it.
type Flag uint32

// Command flags. The names are Redis's.
const (
	FlagWrite Flag = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagAsking
	FlagFast
	FlagNoAuth
	FlagMayReplicate // not shown by COMMAND INFO, as in Redis
	FlagNoMandatoryKeys
	FlagNoAsyncLoading
	FlagNoMulti
	// FlagMovableKeys is set by Register on a command whose keys the legacy
	// range (FirstKey, LastKey, Step) does not cover: they move with the
	// other arguments.
	FlagMovableKeys
	FlagAllowBusy
	// FlagOwnLocks marks a command that locks what it touches itself (it
	// spans several databases or the whole keyspace), so Exec locks nothing.
	FlagOwnLocks
)

// flagNames are the flags COMMAND INFO shows, in its order.
var flagNames = []struct {
	f    Flag
	name string
}{
	{FlagWrite, "write"}, {FlagReadonly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"}, {FlagAsking, "asking"},
	{FlagFast, "fast"}, {FlagNoAuth, "no_auth"}, {FlagNoMandatoryKeys, "no_mandatory_keys"},
	{FlagNoAsyncLoading, "no_async_loading"}, {FlagNoMulti, "no_multi"},
	{FlagMovableKeys, "movablekeys"}, {FlagAllowBusy, "allow_busy"},
}

// Names returns the Redis names of the flags in f that COMMAND INFO shows,
// in its order.
func (f Flag) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

// A Command is one entry of the command table: everything the server, the
// AOF, the cluster router and COMMAND need to know about a command.
//
// A registration gives the name, arity, flags, group, version, summary and
// Run. Register completes the rest from the command's built-in spec (the
// docs_*.go tables, by full name): each of KeySpecs, GetKeys, ACL, Tips and
// Doc the registration leaves zero is taken from there. A command that has
// no spec may describe its keys with FirstKey, LastKey and Step alone,
// which Register turns into one key spec.
type Command struct {
	Name  string // lower case; for a subcommand, its own name ("get" of "config|get")
	Arity int    // Redis's rule: n means exactly n arguments (name included), -n at least n
	Flags Flag
	// KeySpecs describe where the command's keys are and what it does with
	// them; Keys, KeyRefs (COMMAND GETKEYS), the cluster router and MULTI
	// locking all find keys with them.
	KeySpecs []KeySpec
	// GetKeys finds the keys when the key specs cannot (see KeyRefs), as
	// Redis's getkeys procedures do. It appends to dst and returns it.
	GetKeys func(dst []KeyRef, args [][]byte) []KeyRef
	// ScriptDenyOOM, set on the commands that run scripts, reports
	// whether the script args name may grow memory (it is refused when
	// memory is over maxmemory), from its flags, as Redis's
	// getCommandFlags derives a script's denyoom; nil: FlagDenyOOM says.
	ScriptDenyOOM func(args [][]byte) bool
	// FirstKey, LastKey and Step are COMMAND INFO's legacy key range (the
	// first key, the last key, negative counting from the end, and the
	// step; 0, 0, 0 for none), derived from KeySpecs by Register.
	FirstKey, LastKey, Step int
	Group                   string // Redis's group: "string", "sorted-set", "generic", "server", ...
	Since                   string // the Redis version that introduced it
	Summary                 string
	// ACL holds the command's ACL categories; Register adds those its flags
	// imply to the ones declared.
	ACL  ACLCategory
	Tips []string // Redis's command tips ("nondeterministic_output", ...)
	Doc  *Doc     // what COMMAND DOCS says besides summary, since and group
	// Run executes the command. The keys the command declares are locked
	// for the length of the call unless it has FlagOwnLocks.
	Run func(c *Ctx)
	// MayBlock, for a command flagged blocking that parks only with some
	// arguments (XREAD and XREADGROUP, with BLOCK), tells a line that may
	// park from one that answers at once; see Blocks.
	MayBlock func(args [][]byte) bool
	// Stats counts the command's calls, kept with it as Redis keeps them:
	// the server updates them after each call and INFO commandstats shows
	// them.
	Stats CommandStats

	parent   *Command
	fullName string // "parent|name", for a subcommand
	subs     map[string]*Command
	// Derived by settleKeys: whether the key specs decide the keys (rather
	// than GetKeys), and whether the legacy range gives exactly the keys.
	specsDecide, plainRange bool
}

// CommandStats are a command's calls and the microseconds they took, and,
// as Redis counts them, the calls refused before they ran (Rejected) and
// those that ran and replied an error (Failed).
type CommandStats struct {
	Calls    atomic.Int64
	Usec     atomic.Int64
	Rejected atomic.Int64
	Failed   atomic.Int64
}

// Blocks reports whether the command line args may park the client: the
// command is flagged blocking and, if it has MayBlock, that says so. The
// cluster router gives such a line a connection of its own.
func (c *Command) Blocks(args [][]byte) bool {
	return c.Flags&FlagBlocking != 0 && (c.MayBlock == nil || c.MayBlock(args))
}

// FullName is the name Redis uses in errors and COMMAND output:
// "get", or "config|get" for a subcommand.
func (c *Command) FullName() string {
	if c.parent != nil {
		return c.fullName
	}
	return c.Name
}

// Parent returns the container command of a subcommand, or nil.
func (c *Command) Parent() *Command { return c.parent }

// Subcommands returns c's subcommands sorted by name.
func (c *Command) Subcommands() []*Command {
	out := make([]*Command, 0, len(c.subs))
	for _, s := range c.subs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// A Table maps command names to commands. Register everything before the
// server starts; after that the table is read-only and safe for concurrent use.
type Table struct {
	cmds map[string]*Command
}

// NewTable returns a table holding every keyspace command. The server adds
// its own connection commands with Register.
func NewTable() *Table {
	t := &Table{cmds: make(map[string]*Command)}
	registerKeys(t)
	registerStrings(t)
	registerServer(t)
	registerCommand(t)
	registerMulti(t)
	registerLists(t)
	registerZSets(t)
	registerStreams(t)
	registerHashes(t)
	registerSets(t)
	registerSort(t)
	return t
}

// Register adds cmd. A command with subcommands is registered with its
// Run nil and then its subcommands with RegisterSub. Registering a name twice
// is a programmer error and panics.
func (t *Table) Register(cmd *Command) {
	cmd.Name = strings.ToLower(cmd.Name)
	if _, dup := t.cmds[cmd.Name]; dup {
		panic(fmt.Sprintf("db: command %q registered twice", cmd.Name))
	}
	cmd.complete()
	t.cmds[cmd.Name] = cmd
}

// RegisterSub adds sub as a subcommand of the registered command parent.
func (t *Table) RegisterSub(parent string, sub *Command) {
	p := t.cmds[parent]
	if p == nil {
		panic(fmt.Sprintf("db: subcommand %q of unknown command %q", sub.Name, parent))
	}
	sub.Name = strings.ToLower(sub.Name)
	if p.subs == nil {
		p.subs = make(map[string]*Command)
	}
	if _, dup := p.subs[sub.Name]; dup {
		panic(fmt.Sprintf("db: subcommand %q|%q registered twice", parent, sub.Name))
	}
	sub.parent = p
	sub.fullName = p.Name + "|" + sub.Name // built once: the server asks for it on every call
	if sub.Group == "" {
		sub.Group = p.Group
	}
	sub.complete()
	p.subs[sub.Name] = sub
}

// complete fills in what the registration of c left to the table: the
// fields its built-in spec gives, the legacy key range, FlagMovableKeys and
// the ACL categories the flags imply.
func (c *Command) complete() {
	if s := builtinSpec(c.FullName()); s != nil {
		if c.KeySpecs == nil && c.FirstKey == 0 {
			c.KeySpecs = s.keys
		}
		if c.GetKeys == nil {
			c.GetKeys = s.getKeys
		}
		if c.ACL == 0 {
			c.ACL = s.acl
		}
		if c.Tips == nil {
			c.Tips = s.tips
		}
		if c.Doc == nil {
			c.Doc = &s.doc
		}
	}
	c.settleKeys()
	c.ACL |= impliedACL(c.Flags, c.ACL)
}

// Get returns the command called name (any case), or nil.
func (t *Table) Get(name []byte) *Command {
	var buf [32]byte
	return t.cmds[string(lowerInto(buf[:0], name))]
}

// Named returns the command a command line names, for the statistics and
// CLIENT LIST of a line refused before it runs: the subcommand when the
// command has subcommands and the line names one, the command itself when
// it has none or the line gives none, and nil for an unknown command or
// subcommand.
func (t *Table) Named(args [][]byte) *Command {
	cmd := t.Get(args[0])
	if cmd == nil || len(args) < 2 {
		return cmd
	}
	subs := cmd.Subcommands()
	if len(subs) == 0 {
		return cmd
	}
	for _, sub := range subs {
		if EqualFold(args[1], sub.Name) {
			return sub
		}
	}
	return nil
}

// All returns every top-level command sorted by name.
func (t *Table) All() []*Command {
	out := make([]*Command, 0, len(t.cmds))
	for _, c := range t.cmds {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// find returns the command a command line names (a subcommand when the
// command has subcommands and the line has a second word), or nil. Unlike
// Lookup it checks no arity.
func (t *Table) find(args [][]byte) *Command {
	cmd := t.Get(args[0])
	if cmd == nil || cmd.subs == nil || len(args) == 1 {
		return cmd
	}
	var buf [32]byte
	return cmd.subs[string(lowerInto(buf[:0], args[1]))]
}

// Lookup finds the command for a whole command line and checks its arity.
// On failure it returns nil and the Redis error reply to send, e.g.
// "ERR unknown command 'foo', with args beginning with: 'a' ".
func (t *Table) Lookup(args [][]byte) (*Command, string) {
	cmd := t.Get(args[0])
	if cmd == nil {
		return nil, unknownCommand(args)
	}
	if cmd.subs != nil && len(args) >= 2 {
		var buf [32]byte
		sub := cmd.subs[string(lowerInto(buf[:0], args[1]))]
		if sub == nil {
			return nil, fmt.Sprintf("ERR unknown subcommand '%s'. Try %s HELP.",
				truncate(args[1]), strings.ToUpper(cmd.Name))
		}
		cmd = sub
	}
	if !arityOK(cmd.Arity, len(args)) {
		return nil, fmt.Sprintf("ERR wrong number of arguments for '%s' command", cmd.FullName())
	}
	return cmd, ""
}

// A LookupCache is Table.Lookup with a memory of the last few commands it
// found, by their names as sent: a pipeline, or a script's redis.call, mostly
// names the commands of the lines before, and comparing a name costs less
// than folding its case and hashing it. Only commands without subcommands
// are remembered, and a line of the wrong arity goes to the table for its
// error. The zero value is ready to use; a LookupCache is not safe for
// concurrent use. It relies on the table not changing once the server
// serves.
type LookupCache struct {
	names [lookupCacheSize][]byte
	cmds  [lookupCacheSize]*Command
	next  int // the slot the next command found goes to
}

const lookupCacheSize = 8

// Lookup returns what t.Lookup(args) returns.
func (lc *LookupCache) Lookup(t *Table, args [][]byte) (*Command, string) {
	for i, cmd := range lc.cmds {
		if cmd != nil && string(lc.names[i]) == string(args[0]) && arityOK(cmd.Arity, len(args)) {
			return cmd, ""
		}
	}
	cmd, msg := t.Lookup(args)
	if cmd != nil && cmd.parent == nil && cmd.subs == nil {
		lc.names[lc.next] = append(lc.names[lc.next][:0], args[0]...)
		lc.cmds[lc.next] = cmd
		lc.next = (lc.next + 1) % lookupCacheSize
	}
	return cmd, msg
}

func arityOK(arity, n int) bool {
	if arity >= 0 {
		return n == arity
	}
	return n >= -arity
}

// unknownCommand builds Redis's reply for an unknown command: the name, then
// the arguments quoted until the list reaches 128 bytes.
func unknownCommand(args [][]byte) string {
	var list []byte
	for _, a := range args[1:] {
		if len(list) >= 128 {
			break
		}
		if room := 128 - len(list); len(a) > room {
			a = a[:room]
		}
		list = append(list, '\'')
		list = append(list, a...)
		list = append(list, "' "...)
	}
	return "ERR unknown command '" + string(truncate(args[0])) + "', with args beginning with: " + string(list)
}

// truncate shortens what an error reply echoes back to the client.
func truncate(b []byte) []byte {
	const max = 128
	if len(b) > max {
		return b[:max]
	}
	return b
}

// lowerInto appends the ASCII lower-case form of b to dst.
func lowerInto(dst, b []byte) []byte {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
