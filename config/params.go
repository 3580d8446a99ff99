package config

import (
	"math"
	"strconv"
	"strings"
)

// flags describe how a parameter may be used.
type flags uint8

const (
	immutable   flags = 1 << iota // only the file or the command line can set it
	protected                     // CONFIG SET needs enable-protected-configs yes
	hidden                        // CONFIG GET shows it only when asked by exact name
	multiArg                      // takes several arguments (CONFIG SET splits its value on spaces)
	used                          // MyRedis acts on it; the others are stored and ignored
	denyLoading                   // CONFIG SET refuses it while the dataset loads (-LOADING)
	sensitive                     // a secret: its CONFIG SET value is redacted in SLOWLOG and MONITOR
)

// A param describes one configuration parameter.
type param struct {
	name  string
	alias string // an older name Redis still accepts, or ""
	def   string // the default, as CONFIG GET shows it
	flags flags
	parse parser
	// file returns the arguments of each config-file line that writes v
	// (several lines for save and client-output-buffer-limit, none to drop
	// the parameter from the file).
	file func(v value) []string
}

// aka returns p with an alias.
func (p param) aka(alias string) param {
	p.alias = alias
	return p
}

// plainArg writes a value as is, or as "" when empty.
func plainArg(v value) []string {
	if v.text == "" {
		return []string{`""`}
	}
	return []string{v.text}
}

// quotedArg writes a value as one quoted argument.
func quotedArg(v value) []string { return []string{quote(v.text)} }

// bytesArg writes a memory value with a unit when exact, or a percentage.
func bytesArg(v value) []string {
	if v.n < 0 {
		return []string{v.text}
	}
	return []string{formatBytes(v.n)}
}

func yesNo(name, def string, f flags) param {
	return param{name: name, def: def, flags: f, parse: parseYesNo, file: plainArg}
}

func integer(name string, min, max int64, def string, f flags) param {
	return param{name: name, def: def, flags: f, parse: parseNumber(decimal, min, max, nil), file: plainArg}
}

func memory(name string, min, max int64, def string, f flags) param {
	return param{name: name, def: def, flags: f, parse: parseNumber(bytesFormat, min, max, nil), file: bytesArg}
}

func enum(name, def string, f flags, names ...string) param {
	return param{name: name, def: def, flags: f, parse: parseEnum(names, nil), file: plainArg}
}

func str(name, def string, f flags, check func(string) error) param {
	return param{name: name, def: def, flags: f, parse: parseString(check), file: quotedArg}
}

func special(name, def string, f flags, parse parser, file func(value) []string) param {
	return param{name: name, def: def, flags: f, parse: parse, file: file}
}

const (
	maxInt  = math.MaxInt32
	minInt  = math.MinInt32
	maxLong = math.MaxInt64
)

// table lists every parameter Redis 7.0 knows (with the defaults and limits
// of Redis 7.0.15), plus MyRedis's self and peers. CONFIG GET lists matches
// in this order. Redis's unsigned 64-bit parameters (maxmemory,
// cluster-link-sendbuf-limit) stop at the int64 maximum here.
var table = []param{
	// Network and clients.
	special("bind", "* -::*", multiArg|used, parseBind, plainArg),
	str("bind-source-addr", "", 0, nil),
	integer("port", 0, 65535, "6379", used),
	yesNo("protected-mode", "yes", used),
	integer("tcp-backlog", 0, maxInt, "511", immutable),
	str("unixsocket", "", immutable, nil),
	param{name: "unixsocketperm", def: "0", flags: immutable, parse: parseNumber(octal, 0, 0777, nil), file: plainArg},
	integer("timeout", 0, maxInt, "0", used),
	integer("tcp-keepalive", 0, maxInt, "300", used),
	integer("socket-mark-id", 0, math.MaxUint32, "0", immutable),
	integer("maxclients", 1, math.MaxUint32, "10000", used),
	memory("client-query-buffer-limit", 1<<20, maxLong, "1073741824", used),
	memory("proto-max-bulk-len", 1<<20, maxLong, "536870912", used),
	special("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		multiArg|used, parseOutputBufferLimit, outputBufferLimitLines),
	param{name: "maxmemory-clients", def: "0", flags: used, parse: parseNumber(bytesOrPercent, -100, maxLong, nil), file: bytesArg},
	integer("io-threads", 1, 128, "1", immutable),
	yesNo("io-threads-do-reads", "no", immutable),
	str("requirepass", "", used|sensitive, nil),
	str("aclfile", "", immutable, nil),
	integer("acllog-max-len", 0, maxLong, "128", 0),
	enum("acl-pubsub-default", "resetchannels", 0, "allchannels", "resetchannels"),
	enum("enable-protected-configs", "no", immutable, "no", "yes", "local"),
	enum("enable-debug-command", "no", immutable, "no", "yes", "local"),
	enum("enable-module-command", "no", immutable, "no", "yes", "local"),

	// General.
	yesNo("daemonize", "no", immutable),
	enum("supervised", "no", immutable, "upstart", "systemd", "auto", "no"),
	str("pidfile", "", immutable|used, nil),
	enum("loglevel", "notice", used, "debug", "verbose", "notice", "warning"),
	str("logfile", "", immutable|used, nil),
	yesNo("syslog-enabled", "no", immutable),
	str("syslog-ident", "redis", immutable, nil),
	enum("syslog-facility", "local0", immutable,
		"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"),
	yesNo("crash-log-enabled", "yes", 0),
	yesNo("crash-memcheck-enabled", "yes", 0),
	integer("databases", 1, maxInt, "16", immutable|used),
	yesNo("always-show-logo", "no", immutable),
	yesNo("set-proc-title", "yes", immutable),
	str("proc-title-template", "{title} {listen-addr} {server-mode}", 0, checkProcTitle),
	str("ignore-warnings", "", 0, nil),
	// hz is a hint: values outside [1, 500] are capped, not refused.
	special("hz", "10", used, parseNumber(decimal, 0, maxInt, func(n int64) int64 { return min(max(n, 1), 500) }), plainArg),
	yesNo("dynamic-hz", "yes", 0),
	integer("shutdown-timeout", 0, maxInt, "10", 0),
	special("shutdown-on-sigint", "default", multiArg, parseShutdownFlags, plainArg),
	special("shutdown-on-sigterm", "default", multiArg, parseShutdownFlags, plainArg),

	// Snapshotting.
	special("save", "3600 1 300 100 60 10000", multiArg, parseSave, saveLines),
	yesNo("stop-writes-on-bgsave-error", "yes", 0),
	yesNo("rdbcompression", "yes", 0),
	yesNo("rdbchecksum", "yes", immutable),
	enum("sanitize-dump-payload", "no", 0, "no", "yes", "clients"),
	str("dbfilename", "dump.rdb", protected, baseName("dbfilename", "a filename", true)),
	yesNo("rdb-del-sync-files", "no", 0),
	special("dir", "./", protected|used|denyLoading, parseDir, quotedArg),
	yesNo("rdb-save-incremental-fsync", "yes", 0),
	integer("rdb-key-save-delay", minInt, maxInt, "0", hidden),
	integer("key-load-delay", minInt, maxInt, "0", hidden),
	integer("loading-process-events-interval-bytes", 1024, maxInt, "2097152", hidden),

	// Replication.
	special("replicaof", "", immutable|multiArg, parseReplicaOf, replicaOfLines).aka("slaveof"),
	str("masterauth", "", sensitive, nil),
	str("masteruser", "", sensitive, nil),
	yesNo("replica-serve-stale-data", "yes", 0).aka("slave-serve-stale-data"),
	yesNo("replica-read-only", "yes", 0).aka("slave-read-only"),
	yesNo("repl-diskless-sync", "yes", 0),
	integer("repl-diskless-sync-delay", 0, maxInt, "5", 0),
	integer("repl-diskless-sync-max-replicas", 0, maxInt, "0", 0),
	enum("repl-diskless-load", "disabled", 0, "disabled", "on-empty-db", "swapdb"),
	integer("repl-ping-replica-period", 1, maxInt, "10", 0).aka("repl-ping-slave-period"),
	integer("repl-timeout", 1, maxInt, "60", 0),
	yesNo("repl-disable-tcp-nodelay", "no", 0),
	// Redis raises a smaller backlog, and a non-zero watchdog period, to its minimum.
	special("repl-backlog-size", "1048576", 0,
		parseNumber(bytesFormat, 1, maxLong, func(n int64) int64 { return max(n, 16384) }), bytesArg),
	integer("repl-backlog-ttl", 0, maxLong, "3600", 0),
	integer("replica-priority", 0, maxInt, "100", 0).aka("slave-priority"),
	yesNo("replica-announced", "yes", 0),
	integer("min-replicas-to-write", 0, maxInt, "0", 0).aka("min-slaves-to-write"),
	integer("min-replicas-max-lag", 0, maxInt, "10", 0).aka("min-slaves-max-lag"),
	str("replica-announce-ip", "", 0, nil).aka("slave-announce-ip"),
	integer("replica-announce-port", 0, 65535, "0", 0).aka("slave-announce-port"),
	yesNo("replica-lazy-flush", "no", 0).aka("slave-lazy-flush"),
	yesNo("replica-ignore-maxmemory", "yes", 0).aka("slave-ignore-maxmemory"),
	yesNo("replica-ignore-disk-write-errors", "no", 0),
	enum("propagation-error-behavior", "ignore", 0, "ignore", "panic", "panic-on-replicas"),

	// Memory and eviction.
	memory("maxmemory", 0, maxLong, "0", used),
	enum("maxmemory-policy", "noeviction", used, "volatile-lru", "volatile-lfu", "volatile-random",
		"volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"),
	integer("maxmemory-samples", 1, maxInt, "5", used),
	integer("maxmemory-eviction-tenacity", 0, 100, "10", used),
	integer("lfu-log-factor", 0, maxInt, "10", used),
	integer("lfu-decay-time", 0, maxInt, "1", used),
	yesNo("lazyfree-lazy-eviction", "no", 0),
	yesNo("lazyfree-lazy-expire", "no", 0),
	yesNo("lazyfree-lazy-server-del", "no", 0),
	yesNo("lazyfree-lazy-user-del", "no", 0),
	yesNo("lazyfree-lazy-user-flush", "no", 0),
	param{name: "oom-score-adj", def: "no", parse: parseEnum([]string{"no", "yes", "relative", "absolute"},
		map[string]string{"relative": "yes"}), file: plainArg},
	special("oom-score-adj-values", "0 200 800", multiArg, parseOOMScoreAdjValues, plainArg),
	yesNo("disable-thp", "yes", immutable|used),
	yesNo("jemalloc-bg-thread", "yes", 0),
	yesNo("activedefrag", "no", 0),
	memory("active-defrag-ignore-bytes", 1, maxLong, "104857600", 0),
	integer("active-defrag-threshold-lower", 0, 1000, "10", 0),
	integer("active-defrag-threshold-upper", 0, 1000, "100", 0),
	integer("active-defrag-cycle-min", 1, 99, "1", 0),
	integer("active-defrag-cycle-max", 1, 99, "25", 0),
	integer("active-defrag-max-scan-fields", 1, maxLong, "1000", 0),
	yesNo("activerehashing", "yes", 0),
	integer("active-expire-effort", 1, 10, "1", 0),

	// Append only file.
	yesNo("appendonly", "no", used|denyLoading),
	str("appendfilename", "appendonly.aof", immutable|used, baseName("appendfilename", "a filename", false)),
	str("appenddirname", "appendonlydir", immutable|used, baseName("appenddirname", "a dirname", false)),
	enum("appendfsync", "everysec", used, "everysec", "always", "no"),
	yesNo("no-appendfsync-on-rewrite", "no", 0),
	integer("auto-aof-rewrite-percentage", 0, maxInt, "100", used),
	memory("auto-aof-rewrite-min-size", 0, maxLong, "67108864", used),
	yesNo("aof-load-truncated", "yes", used),
	yesNo("aof-use-rdb-preamble", "yes", 0),
	yesNo("aof-timestamp-enabled", "no", 0),
	yesNo("aof-rewrite-incremental-fsync", "yes", 0),
	yesNo("aof-disable-auto-gc", "no", 0),

	// Scripting, slow log, latency, events.
	integer("busy-reply-threshold", 0, maxLong, "5000", used).aka("lua-time-limit"),
	integer("slowlog-log-slower-than", -1, maxLong, "10000", used),
	integer("slowlog-max-len", 0, maxLong, "128", used),
	integer("latency-monitor-threshold", 0, maxLong, "0", 0),
	yesNo("latency-tracking", "yes", 0),
	special("latency-tracking-info-percentiles", "50 99 99.9", multiArg, parsePercentiles, plainArg),
	special("notify-keyspace-events", "", used, parseKeyspaceEvents, quotedArg),
	integer("tracking-table-max-keys", 0, maxLong, "1000000", used),
	special("watchdog-period", "0", hidden, parseNumber(decimal, 0, maxInt, func(n int64) int64 {
		if n == 0 {
			return 0
		}
		return max(n, 200)
	}), plainArg),
	yesNo("use-exit-on-panic", "no", hidden),

	// Data structure encodings.
	integer("hash-max-listpack-entries", 0, maxLong, "512", used).aka("hash-max-ziplist-entries"),
	memory("hash-max-listpack-value", 0, maxLong, "64", used).aka("hash-max-ziplist-value"),
	integer("list-max-listpack-size", minInt, maxInt, "-2", 0).aka("list-max-ziplist-size"),
	integer("list-compress-depth", 0, maxInt, "0", 0),
	integer("set-max-intset-entries", 0, maxLong, "512", used),
	integer("zset-max-listpack-entries", 0, maxLong, "128", used).aka("zset-max-ziplist-entries"),
	memory("zset-max-listpack-value", 0, maxLong, "64", used).aka("zset-max-ziplist-value"),
	memory("hll-sparse-max-bytes", 0, maxLong, "3000", 0),
	memory("stream-node-max-bytes", 0, maxLong, "4096", used),
	integer("stream-node-max-entries", 0, maxLong, "100", used),

	// CPU affinity.
	str("server_cpulist", "", immutable, nil),
	str("bio_cpulist", "", immutable, nil),
	str("aof_rewrite_cpulist", "", immutable, nil),
	str("bgsave_cpulist", "", immutable, nil),

	// Redis Cluster (MyRedis clusters with self and peers instead).
	yesNo("cluster-enabled", "no", immutable),
	str("cluster-config-file", "nodes.conf", immutable, nil),
	integer("cluster-node-timeout", 0, maxLong, "15000", 0),
	integer("cluster-port", 0, 65535, "0", immutable),
	integer("cluster-replica-validity-factor", 0, maxInt, "10", 0).aka("cluster-slave-validity-factor"),
	integer("cluster-migration-barrier", 0, maxInt, "1", 0),
	yesNo("cluster-allow-replica-migration", "yes", 0),
	yesNo("cluster-require-full-coverage", "yes", 0),
	yesNo("cluster-replica-no-failover", "no", 0).aka("cluster-slave-no-failover"),
	yesNo("cluster-allow-reads-when-down", "no", 0),
	yesNo("cluster-allow-pubsubshard-when-down", "yes", 0),
	memory("cluster-link-sendbuf-limit", 0, maxLong, "0", 0),
	str("cluster-announce-ip", "", 0, nil),
	str("cluster-announce-hostname", "", 0, checkHostname),
	enum("cluster-preferred-endpoint-type", "ip", 0, "ip", "hostname", "unknown-endpoint"),
	integer("cluster-announce-port", 0, 65535, "0", 0),
	integer("cluster-announce-bus-port", 0, 65535, "0", 0),
	integer("cluster-announce-tls-port", 0, 65535, "0", 0),

	// TLS.
	integer("tls-port", 0, 65535, "0", 0),
	str("tls-cert-file", "", 0, nil),
	str("tls-key-file", "", 0, nil),
	str("tls-key-file-pass", "", 0, nil),
	str("tls-client-cert-file", "", 0, nil),
	str("tls-client-key-file", "", 0, nil),
	str("tls-client-key-file-pass", "", 0, nil),
	str("tls-dh-params-file", "", 0, nil),
	str("tls-ca-cert-file", "", 0, nil),
	str("tls-ca-cert-dir", "", 0, nil),
	enum("tls-auth-clients", "yes", 0, "no", "yes", "optional"),
	yesNo("tls-replication", "no", 0),
	yesNo("tls-cluster", "no", 0),
	str("tls-protocols", "", 0, nil),
	str("tls-ciphers", "", 0, nil),
	str("tls-ciphersuites", "", 0, nil),
	yesNo("tls-prefer-server-ciphers", "no", 0),
	yesNo("tls-session-caching", "yes", 0),
	integer("tls-session-cache-size", 0, maxInt, "20480", 0),
	integer("tls-session-cache-timeout", 0, maxInt, "300", 0),

	// MyRedis's own: this node's address and the other nodes of the cluster.
	special("self", "", immutable|used, parseSelf, quotedArg),
	special("peers", "", immutable|used, parsePeers, quotedArg),
}

// saveLines writes one "save seconds changes" line per pair, or save "" to
// keep the file from falling back to the default.
func saveLines(v value) []string {
	f := strings.Fields(v.text)
	if len(f) == 0 {
		return []string{`""`}
	}
	lines := make([]string, 0, len(f)/2)
	for i := 0; i+1 < len(f); i += 2 {
		lines = append(lines, f[i]+" "+f[i+1])
	}
	return lines
}

// replicaOfLines drops replicaof from the file when this node is a master.
func replicaOfLines(v value) []string {
	if v.text == "" {
		return nil
	}
	return []string{v.text}
}

// byName maps every lower-case name and alias to its index in table.
var byName = func() map[string]int {
	m := make(map[string]int, 2*len(table))
	for i, p := range table {
		for _, n := range []string{p.name, p.alias} {
			if n == "" {
				continue
			}
			if _, dup := m[n]; dup {
				panic("config: parameter " + n + " declared twice")
			}
			m[n] = i
		}
	}
	return m
}()

// lookup returns the index in table of a parameter name or alias, in any
// case.
func lookup(name string) (int, bool) {
	i, ok := byName[strings.ToLower(name)]
	return i, ok
}

// mustLookup is lookup for names written in this package's code.
func mustLookup(name string) int {
	i, ok := lookup(name)
	if !ok {
		panic("config: unknown parameter " + strconv.Quote(name))
	}
	return i
}

// Sensitive reports whether the parameter name (or alias, any case) holds a
// secret (requirepass, masterauth, masteruser), whose CONFIG SET value
// SLOWLOG and MONITOR show redacted.
func Sensitive(name []byte) bool {
	i, ok := lookup(string(name))
	return ok && table[i].flags&sensitive != 0
}

// ParamInfo describes one parameter, for documentation.
type ParamInfo struct {
	Name      string
	Alias     string // an older name also accepted, or ""
	Default   string // as CONFIG GET shows it (dir shows "./", before it is made absolute)
	Mutable   bool   // CONFIG SET may change it
	Protected bool   // CONFIG SET may change it only with enable-protected-configs yes
	Used      bool   // MyRedis acts on it; the others are accepted, stored and ignored
}

// Params lists every parameter in CONFIG GET order. The slice is new on
// each call.
func Params() []ParamInfo {
	out := make([]ParamInfo, len(table))
	for i, p := range table {
		out[i] = ParamInfo{
			Name:      p.name,
			Alias:     p.alias,
			Default:   p.def,
			Mutable:   p.flags&immutable == 0,
			Protected: p.flags&protected != 0,
			Used:      p.flags&used != 0,
		}
	}
	return out
}
