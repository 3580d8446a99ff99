// Package config reads redis.conf in Redis's own syntax and serves CONFIG
// GET, SET and REWRITE.
//
// Every parameter Redis 7.0 knows is accepted, checked against its type and
// limits, stored and returned by CONFIG GET; MyRedis acts on a subset (see
// Params). Two directives are MyRedis's own: "self host:port" names this
// node and "peers host:port,host:port,..." the other nodes of the cluster
// (empty: stand-alone).
//
// There is no global configuration: a *Config is built by Load or Default
// and passed to the constructors that need it.
package config

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"myredis/datastruct/glob"
)

// Config holds the server configuration. It is safe for concurrent use:
// CONFIG SET may change values while connections read them. The zero value
// is not usable; use Default or Load.
type Config struct {
	mu        sync.RWMutex
	vals      []value // indexed like table
	path      string  // the file read by Load, "" if none
	observers []func(names []string)
	appliers  []applier
	setMu     sync.Mutex  // one Set at a time, appliers included
	loading   atomic.Bool // the dataset is loading: denyLoading parameters are refused
}

// An applier puts parameters into effect when CONFIG SET changes them, and
// may fail (see OnApply).
type applier struct {
	names []int // indexes in table
	apply func() error
}

// Default returns a configuration with every parameter at its default; dir
// is the process's current directory.
func Default() *Config {
	c := &Config{vals: make([]value, len(table))}
	for i, p := range table {
		v, err := p.parse(defaultArgs(p), value{})
		if err != nil {
			panic(fmt.Sprintf("config: default of %s: %v", p.name, err))
		}
		c.vals[i] = v
	}
	return c
}

// defaultArgs returns the arguments a parameter's default reads from.
func defaultArgs(p param) []string {
	if p.flags&multiArg != 0 {
		return splitValue(p.def)
	}
	return []string{p.def}
}

// splitValue splits the CONFIG SET value of a multi-argument parameter on
// single spaces, as Redis does: "" is no argument, and two spaces in a row
// make an empty argument.
func splitValue(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

// get returns the current value of a parameter named in this package.
func (c *Config) get(name string) value {
	i := mustLookup(name)
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.vals[i]
}

// String returns the CONFIG GET text of any parameter, by name or alias in
// any case. It panics on an unknown name (a programmer error).
func (c *Config) String(name string) string { return c.get(name).text }

// Int returns the number held by an integer or memory parameter (bytes for
// memory parameters; a percentage of maxmemory-clients comes back negated,
// as Redis stores it). It panics on an unknown name.
func (c *Config) Int(name string) int64 { return c.get(name).n }

// Bool returns whether a yes/no parameter is yes. It panics on an unknown
// name.
func (c *Config) Bool(name string) bool { return c.get(name).text == "yes" }

// Path returns the configuration file Load read, as an absolute path, or ""
// if none.
func (c *Config) Path() string { return c.path }

// Bind returns the listen addresses as configured: "*" stands for every IPv4
// address, "::*" for every IPv6 one, and a leading "-" marks an address
// that may be unavailable. The slice is new on each call.
func (c *Config) Bind() []string { return strings.Fields(c.String("bind")) }

// Port returns the TCP port (0: do not listen on TCP).
func (c *Config) Port() int { return int(c.Int("port")) }

// Dir returns the working directory, as an absolute path. It need not exist.
func (c *Config) Dir() string { return c.String("dir") }

// Databases returns the number of databases.
func (c *Config) Databases() int { return int(c.Int("databases")) }

// RequirePass returns the password clients must AUTH with, "" for none.
func (c *Config) RequirePass() string { return c.String("requirepass") }

// MaxClients returns the maximum number of connected clients.
func (c *Config) MaxClients() int { return int(c.Int("maxclients")) }

// Timeout returns how long a client may stay idle; 0 means forever.
func (c *Config) Timeout() time.Duration { return time.Duration(c.Int("timeout")) * time.Second }

// TCPKeepAlive returns the TCP keep-alive period; 0 disables keep-alives.
func (c *Config) TCPKeepAlive() time.Duration {
	return time.Duration(c.Int("tcp-keepalive")) * time.Second
}

// LogLevel returns debug, verbose, notice or warning.
func (c *Config) LogLevel() string { return c.String("loglevel") }

// LogFile returns the log file, "" for standard output.
func (c *Config) LogFile() string { return c.String("logfile") }

// PidFile returns the file to write the process id into, "" for none.
func (c *Config) PidFile() string { return c.String("pidfile") }

// Hz returns the frequency of background tasks, in [1, 500].
func (c *Config) Hz() int { return int(c.Int("hz")) }

// ProtoMaxBulkLen returns the largest bulk string a client may send.
func (c *Config) ProtoMaxBulkLen() int64 { return c.Int("proto-max-bulk-len") }

// ClientQueryBufferLimit returns the largest query buffer of one client.
func (c *Config) ClientQueryBufferLimit() int64 { return c.Int("client-query-buffer-limit") }

// AppendOnly reports whether the append-only file is on.
func (c *Config) AppendOnly() bool { return c.Bool("appendonly") }

// AppendFilename returns the base name of the append-only files.
func (c *Config) AppendFilename() string { return c.String("appendfilename") }

// AppendDirname returns the directory, inside Dir, of the append-only files.
func (c *Config) AppendDirname() string { return c.String("appenddirname") }

// AppendFsync returns always, everysec or no.
func (c *Config) AppendFsync() string { return c.String("appendfsync") }

// AutoAOFRewritePercentage returns the growth, in percent of the size after
// the last rewrite, that triggers a rewrite; 0 disables automatic rewrites.
func (c *Config) AutoAOFRewritePercentage() int { return int(c.Int("auto-aof-rewrite-percentage")) }

// AutoAOFRewriteMinSize returns the size below which the AOF is not
// rewritten automatically.
func (c *Config) AutoAOFRewriteMinSize() int64 { return c.Int("auto-aof-rewrite-min-size") }

// AOFLoadTruncated reports whether a truncated AOF tail is loaded (and cut)
// rather than refused.
func (c *Config) AOFLoadTruncated() bool { return c.Bool("aof-load-truncated") }

// NotifyKeyspaceEvents returns the enabled keyspace-event classes as a set
// of letters from "g$lshzxetdnKEm", with "A" already expanded; "" when
// notifications are off. The order of the letters is not specified.
func (c *Config) NotifyKeyspaceEvents() string {
	flags := c.Int("notify-keyspace-events")
	var b strings.Builder
	for i := 0; i < len(keyspaceEventLetters); i++ {
		if flags&(1<<i) != 0 {
			b.WriteByte(keyspaceEventLetters[i])
		}
	}
	return b.String()
}

// OutputBufferLimit is the client-output-buffer-limit of one client class.
// A zero limit is no limit.
type OutputBufferLimit struct {
	Hard        int64         // bytes: the client is closed at once above it
	Soft        int64         // bytes: the client is closed if above it for SoftSeconds
	SoftSeconds time.Duration // how long the soft limit may be exceeded
}

// ClientOutputBufferLimit returns the limits of a client class: "normal",
// "replica" (or "slave") or "pubsub". It panics on another class.
func (c *Config) ClientOutputBufferLimit(class string) OutputBufferLimit {
	if class == "replica" {
		class = "slave"
	}
	f := strings.Fields(c.String("client-output-buffer-limit"))
	for i := 0; i+3 < len(f); i += 4 {
		if f[i] == class {
			hard, _ := parseBytes(f[i+1])
			soft, _ := parseBytes(f[i+2])
			secs, _ := strconv.ParseInt(f[i+3], 10, 64)
			return OutputBufferLimit{Hard: hard, Soft: soft, SoftSeconds: time.Duration(secs) * time.Second}
		}
	}
	panic("config: unknown client class " + class)
}

// Self returns this node's host:port, "" if not set.
func (c *Config) Self() string { return c.String("self") }

// Peers returns the host:port addresses of the other nodes; none means
// stand-alone. The slice is new on each call.
func (c *Config) Peers() []string {
	s := c.String("peers")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Get returns a name/value pair for every parameter name or alias matching
// any of patterns, like CONFIG GET. A pattern without glob characters
// (*, ?, [) is an exact, case-insensitive name, reported as written; it
// also finds the hidden debugging parameters. Glob patterns match
// case-insensitively against the lower-case names in table order. Each name
// is reported once (a parameter and its alias are two names, as in Redis).
func (c *Config) Get(patterns []string) [][2]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out [][2]string
	seen := make(map[string]bool)
	add := func(name string, i int) {
		if key := strings.ToLower(name); !seen[key] {
			seen[key] = true
			out = append(out, [2]string{name, c.vals[i].text})
		}
	}
	for _, pat := range patterns {
		if !strings.ContainsAny(pat, "*?[") {
			if i, ok := lookup(pat); ok {
				add(pat, i)
			}
			continue
		}
		for i, p := range table {
			if p.flags&hidden != 0 {
				continue
			}
			for _, name := range []string{p.name, p.alias} {
				if name != "" && glob.Match([]byte(pat), []byte(name), true) {
					add(name, i)
				}
			}
		}
	}
	return out
}

// setError builds the CONFIG SET error reply text naming a parameter.
func setError(name string, reason error) error {
	return fmt.Errorf("ERR CONFIG SET failed (possibly related to argument '%s') - %v", name, reason)
}

// Set applies name/value pairs like CONFIG SET: all of them or none. The
// error is the Redis error reply without its leading "-", e.g.
// "ERR Unknown option or number of arguments for CONFIG SET - 'foo'".
// Immutable parameters are refused; protected ones (dir, dbfilename) are
// refused unless enable-protected-configs is yes; appendonly and dir are
// refused while the dataset loads (SetLoading), with Redis's -LOADING error.
// Naming one parameter twice is an error, but a parameter and its alias
// count as two names, as in Redis (the later pair wins). Parameters taking
// several arguments (save, bind, client-output-buffer-limit...) split their
// value on single spaces.
//
// Once the new values are stored, the appliers (OnApply) of the parameters
// whose value changed run in registration order; if one fails, the old
// values are restored, the appliers that ran are run again to put them back
// into effect, and Set returns "ERR CONFIG SET failed (possibly related to
// argument '<name>') - <reason>". After a successful Set, the functions
// registered with OnChange are called, outside the lock, with the names of
// the parameters whose value changed. Calls of Set are serialised.
func (c *Config) Set(pairs [][2]string) error {
	c.setMu.Lock()
	defer c.setMu.Unlock()
	c.mu.Lock()
	idx, err := c.checkSetLocked(pairs)
	if err != nil {
		c.mu.Unlock()
		return err
	}

	// Parse into a copy, so that a failure leaves c untouched and a later
	// pair sees the values of the earlier ones.
	next := append([]value(nil), c.vals...)
	for k, pair := range pairs {
		p := table[idx[k]]
		args := []string{pair[1]}
		if p.flags&multiArg != 0 {
			args = splitValue(pair[1])
		}
		v, err := p.parse(args, next[idx[k]])
		if err != nil {
			c.mu.Unlock()
			return setError(strings.ToLower(pair[0]), err)
		}
		next[idx[k]] = v
	}
	var changed []string
	changedIdx := make(map[int]bool)
	for i := range next {
		if next[i] != c.vals[i] {
			changed = append(changed, table[i].name)
			changedIdx[i] = true
		}
	}
	old := c.vals
	c.vals = next
	observers, appliers := c.observers, c.appliers
	c.mu.Unlock()
	if len(changed) == 0 {
		return nil
	}

	var ran []applier
	for _, a := range appliers {
		i := slices.IndexFunc(a.names, func(i int) bool { return changedIdx[i] })
		if i < 0 {
			continue
		}
		ran = append(ran, a)
		if err := a.apply(); err != nil {
			c.mu.Lock()
			c.vals = old
			c.mu.Unlock()
			for _, r := range ran {
				r.apply() // back to the old values; it worked with them before
			}
			return setError(table[a.names[i]].name, err)
		}
	}
	for _, fn := range observers {
		fn(changed)
	}
	return nil
}

// checkSetLocked looks up the parameters CONFIG SET names and checks that
// they may be set now, returning their indexes in table.
func (c *Config) checkSetLocked(pairs [][2]string) ([]int, error) {
	for _, pair := range pairs { // Redis gives this error precedence
		if i, ok := lookup(pair[0]); ok && table[i].flags&denyLoading != 0 && c.loading.Load() {
			return nil, errors.New("LOADING Redis is loading the dataset in memory")
		}
	}
	idx := make([]int, len(pairs))
	for k, pair := range pairs {
		i, ok := lookup(pair[0])
		if !ok {
			return nil, fmt.Errorf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", pair[0])
		}
		p := table[i]
		switch {
		case p.flags&immutable != 0:
			return nil, setError(pair[0], errors.New("can't set immutable config"))
		case p.flags&protected != 0 && c.vals[mustLookup("enable-protected-configs")].text != "yes":
			return nil, setError(pair[0], errors.New("can't set protected config"))
		}
		for _, prev := range pairs[:k] {
			if strings.EqualFold(prev[0], pair[0]) {
				return nil, setError(pair[0], errors.New("duplicate parameter"))
			}
		}
		idx[k] = i
	}
	return idx, nil
}

// OnApply registers apply to put the parameters names into effect after
// each Set that changes one of them (once per Set, however many of them
// changed). apply reads the new values from c; an error, worded as Redis
// words its reason, makes Set restore the old values and fail. It runs on
// the goroutine that called Set, outside c's lock, and must not call Set.
// It must succeed when called again with values it applied before (Set
// calls it so to roll back). Register appliers before serving.
func (c *Config) OnApply(names []string, apply func() error) {
	a := applier{apply: apply}
	for _, n := range names {
		a.names = append(a.names, mustLookup(n))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.appliers = append(c.appliers, a)
}

// SetLoading marks whether the dataset is loading: meanwhile Set refuses
// the parameters Redis refuses during loading (appendonly, dir).
func (c *Config) SetLoading(on bool) { c.loading.Store(on) }

// OnChange registers fn to be called after each successful Set that changed
// at least one value, with the canonical names of the changed parameters in
// table order. fn runs on the goroutine that called Set, outside the lock:
// it may read c (not Set it). The names slice is shared between observers
// and must not be modified.
func (c *Config) OnChange(fn func(names []string)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.observers = append(c.observers, fn)
}
