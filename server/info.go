package server

import (
	"fmt"
	"hash/fnv"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"myredis/db"
)

// INFO prints Redis 7.0.15's sections, in its order, each with Redis's
// fields in Redis's order. A field tells the truth about MyRedis or is left
// out: where Redis describes machinery MyRedis has (memory, clients, the
// AOF), the nearest true value is computed; where a count is of events
// MyRedis never has (an RDB save, a client eviction), it is the true 0;
// fields about machinery MyRedis does not have (forks and copy-on-write,
// replication offsets and backlog, threaded I/O, active defrag, lazy
// freeing, client tracking tables, modules) are left out. Each builder
// lists the fields it leaves out; tests/info_test.go holds the same list
// and checks it against real Redis. The Latencystats section is left out
// whole.

// infoSection writes one section of INFO into b.
type infoSection struct {
	name    string // as INFO takes it: lower case
	title   string // as the header shows it
	dflt    bool   // part of the default INFO
	builder func(s *Server, b *infoBuilder)
}

// infoBuilder accumulates "key:value" lines.
type infoBuilder struct{ strings.Builder }

// line writes one field. Floats are written with two decimals, as Redis
// writes its ratios and rates.
func (b *infoBuilder) line(k string, v any) {
	b.WriteString(k)
	b.WriteByte(':')
	switch v := v.(type) {
	case string:
		b.WriteString(v)
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case uint64:
		b.WriteString(strconv.FormatUint(v, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'f', 2, 64))
	default:
		panic(fmt.Sprintf("info: field %s of type %T", k, v))
	}
	b.WriteString("\r\n")
}

var infoSections = []infoSection{
	{"server", "Server", true, (*Server).infoServer},
	{"clients", "Clients", true, (*Server).infoClients},
	{"memory", "Memory", true, (*Server).infoMemory},
	{"persistence", "Persistence", true, (*Server).infoPersistence},
	{"stats", "Stats", true, (*Server).infoStats},
	{"replication", "Replication", true, (*Server).infoReplication},
	{"cpu", "CPU", true, (*Server).infoCPU},
	{"modules", "Modules", true, func(*Server, *infoBuilder) {}}, // no modules
	{"commandstats", "Commandstats", false, (*Server).infoCommandStats},
	{"errorstats", "Errorstats", true, (*Server).infoErrorStats},
	{"cluster", "Cluster", true, (*Server).infoCluster},
	{"keyspace", "Keyspace", true, (*Server).infoKeyspace},
}

// info implements INFO [section ...]: no argument or "default" gives the
// default sections, "all" and "everything" give every one.
func (s *Server) info(c *db.Ctx) {
	c.ObserveAll() // it shows key counts: the reply waits for every write so far
	want := map[string]bool{}
	all, dflt := false, len(c.Args) == 1
	for _, a := range c.Args[1:] {
		switch name := strings.ToLower(string(a)); name {
		case "all", "everything":
			all = true
		case "default":
			dflt = true
		case "module_list": // the name Redis's default list uses for modules
			want["modules"] = true
		default:
			want[name] = true
		}
	}
	var b infoBuilder
	for _, sec := range infoSections {
		if !all && !(dflt && sec.dflt) && !want[sec.name] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + sec.title + "\r\n")
		sec.builder(s, &b)
	}
	c.W.WriteVerbatim("txt", b.String())
}

// infoServer leaves out atomicvar_api and gcc_version (MyRedis is Go,
// built without either) and io_threads_active (Redis's I/O threads; every
// connection has its own goroutine here).
func (s *Server) infoServer(b *infoBuilder) {
	build := buildInfo()
	b.line("redis_version", Version)
	b.line("redis_git_sha1", build.sha1)
	b.line("redis_git_dirty", build.dirty)
	b.line("redis_build_id", build.id)
	mode := "standalone"
	if len(s.cfg.Peers()) > 0 {
		mode = "cluster"
	}
	b.line("redis_mode", mode)
	b.line("os", osName())
	b.line("arch_bits", strconv.Itoa(strconv.IntSize))
	if runtime.GOOS == "linux" {
		// The Go runtime's monotonic clock (CLOCK_MONOTONIC through the vDSO).
		b.line("monotonic_clock", "POSIX clock_gettime")
	}
	b.line("multiplexing_api", pollerName())
	b.line("process_id", os.Getpid())
	b.line("process_supervised", "no") // the supervised setting is not acted on
	b.line("run_id", s.runID())
	b.line("tcp_port", s.cfg.Port())
	now := time.Now()
	b.line("server_time_usec", now.UnixMicro())
	up := s.uptime()
	b.line("uptime_in_seconds", int64(up/time.Second))
	b.line("uptime_in_days", int64(up/(24*time.Hour)))
	b.line("hz", s.cfg.Hz()) // dynamic-hz is not acted on: always the configured rate
	b.line("configured_hz", s.cfg.Hz())
	// Redis's LRU clock: unix seconds modulo 2^24.
	b.line("lru_clock", now.Unix()&(1<<24-1))
	b.line("executable", executable())
	b.line("config_file", s.cfg.Path())
}

// build describes the running binary for INFO's server section.
type build struct {
	sha1  string // the first 8 hex digits of the VCS revision, or 00000000
	dirty int    // 1 when built from a modified work tree
	id    string // a digest of everything the Go toolchain recorded of the build
}

var buildInfo = sync.OnceValue(func() build {
	b := build{sha1: "00000000", id: "0"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	for _, setting := range info.Settings {
		switch setting.Key {
		case "vcs.revision":
			if len(setting.Value) >= 8 {
				b.sha1 = setting.Value[:8]
			}
		case "vcs.modified":
			if setting.Value == "true" {
				b.dirty = 1
			}
		}
	}
	h := fnv.New64a()
	h.Write([]byte(info.String()))
	b.id = strconv.FormatUint(h.Sum64(), 16)
	return b
})

// osName is the operating system as uname names it: kernel, release,
// machine.
func osName() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return runtime.GOOS + " " + runtime.GOARCH
	}
	str := func(f [65]int8) string {
		var b []byte
		for _, c := range f {
			if c == 0 {
				break
			}
			b = append(b, byte(c))
		}
		return string(b)
	}
	return str(u.Sysname) + " " + str(u.Release) + " " + str(u.Machine)
}

// pollerName names the readiness API under the Go runtime's network poller,
// which serves MyRedis's sockets.
func pollerName() string {
	switch runtime.GOOS {
	case "linux", "android":
		return "epoll"
	case "darwin", "ios", "freebsd", "netbsd", "openbsd", "dragonfly":
		return "kqueue"
	case "solaris", "illumos":
		return "evport"
	case "windows":
		return "iocp"
	case "aix":
		return "pollset"
	}
	return "poll"
}

// runID is a per-process random-looking id, stable for the process.
func (s *Server) runID() string {
	const hexdigits = "0123456789abcdef"
	seed := uint64(s.start.UnixNano()) ^ uint64(os.Getpid())<<32
	out := make([]byte, 40)
	for i := range out {
		seed = seed*6364136223846793005 + 1442695040888963407
		out[i] = hexdigits[seed>>60]
	}
	return string(out)
}

func executable() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	return p
}

// infoClients leaves out clients_in_timeout_table (the keyspace does not
// count the blocked clients that have a timeout). client_recent_max_*
// are the largest buffers now rather than over Redis's last few seconds.
func (s *Server) infoClients(b *infoBuilder) {
	sessions := s.sessionsSnapshot()
	maxIn, maxOut := int64(0), int64(0)
	for _, sess := range sessions {
		maxIn = max(maxIn, sess.shown.rbs.Load())
		maxOut = max(maxOut, sess.pendingOutput())
	}
	b.line("connected_clients", len(sessions))
	b.line("cluster_connections", 0) // there is no cluster bus: peers connect as clients
	b.line("maxclients", s.maxClients.Load())
	b.line("client_recent_max_input_buffer", maxIn)
	b.line("client_recent_max_output_buffer", maxOut)
	b.line("blocked_clients", s.ks.BlockedClients())
	b.line("tracking_clients", s.ks.TrackingStats().Clients)
}

// pendingOutput returns the bytes of output the session has not written
// to its socket yet. Safe to call from any goroutine.
func (sess *Session) pendingOutput() int64 {
	if q := sess.out.Load(); q != nil {
		return int64(q.pending())
	}
	return sess.pendingOut.Load()
}

// infoMemory reports used_memory as the keyspace accounts it (see
// db/memory.go: a fixed base, the keys' estimated bytes, client buffers,
// the AOF buffer; computed without scanning) and maps Redis's allocator
// figures to the Go runtime's: the allocator's allocated memory is the
// heap's objects, its active memory the spans in use, its resident memory
// everything mapped minus what was released to the system. It leaves out
// active_defrag_running, lazyfree_pending_objects and lazyfreed_objects (no
// defragmentation, no lazy freeing).
func (s *Server) infoMemory(b *infoBuilder) {
	f := s.memoryFigures()
	m := f.rt
	rss := f.rss
	used := uint64(f.used)
	peak := uint64(max(f.peak, f.used))
	active := m.objects + m.unused
	resident := m.total - m.released
	b.line("used_memory", used)
	b.line("used_memory_human", humanBytes(int64(used)))
	b.line("used_memory_rss", rss)
	b.line("used_memory_rss_human", humanBytes(rss))
	b.line("used_memory_peak", peak)
	b.line("used_memory_peak_human", humanBytes(int64(peak)))
	b.WriteString("used_memory_peak_perc:" + strconv.FormatFloat(ratio(used, peak)*100, 'f', 2, 64) + "%\r\n")
	b.line("used_memory_overhead", f.overhead)
	b.line("used_memory_startup", f.startup)
	b.line("used_memory_dataset", f.dataset)
	b.WriteString("used_memory_dataset_perc:" + strconv.FormatFloat(percent(f.dataset, f.used-f.startup), 'f', 2, 64) + "%\r\n")
	b.line("allocator_allocated", m.objects)
	b.line("allocator_active", active)
	b.line("allocator_resident", resident)
	total := totalMemory()
	b.line("total_system_memory", total)
	b.line("total_system_memory_human", humanBytes(total))
	s.infoScriptMemory(b)
	maxmemory := s.cfg.Int("maxmemory")
	b.line("maxmemory", maxmemory)
	b.line("maxmemory_human", humanBytes(maxmemory))
	b.line("maxmemory_policy", s.cfg.String("maxmemory-policy"))
	b.line("allocator_frag_ratio", ratio(active, m.objects))
	b.line("allocator_frag_bytes", int64(active)-int64(m.objects))
	b.line("allocator_rss_ratio", ratio(resident, active))
	b.line("allocator_rss_bytes", int64(resident)-int64(active))
	b.line("rss_overhead_ratio", ratio(uint64(rss), resident))
	b.line("rss_overhead_bytes", rss-int64(resident))
	b.line("mem_fragmentation_ratio", ratio(uint64(rss), used))
	b.line("mem_fragmentation_bytes", rss-int64(used))
	b.line("mem_not_counted_for_evict", f.usage.AOFBuffer)
	b.line("mem_replication_backlog", 0) // no replication
	b.line("mem_total_replication_buffers", 0)
	b.line("mem_clients_slaves", 0)
	b.line("mem_clients_normal", f.usage.Clients)
	b.line("mem_cluster_links", 0) // no cluster bus
	b.line("mem_aof_buffer", f.usage.AOFBuffer)
	b.line("mem_allocator", runtime.Version()) // the Go runtime's allocator
}

// infoScriptMemory writes the scripting fields of the memory section, as
// the scripting engine measures them (zeros without one). Lua's memory
// (used_memory_lua, used_memory_vm_*) is an estimate of the pooled Lua
// states and the compiled code: gopher-lua does not count its allocations.
func (s *Server) infoScriptMemory(b *infoBuilder) {
	var m map[string]int64
	if s.scripts != nil {
		m = s.scripts.Info()
	}
	vmEval, vmFunctions := m["used_memory_vm_eval"], m["used_memory_vm_functions"]
	scripts := m["used_memory_scripts_eval"] + m["used_memory_functions"]
	b.line("used_memory_lua", vmEval)
	b.line("used_memory_vm_eval", vmEval)
	b.line("used_memory_lua_human", humanBytes(vmEval))
	b.line("used_memory_scripts_eval", m["used_memory_scripts_eval"])
	b.line("number_of_cached_scripts", m["number_of_cached_scripts"])
	b.line("number_of_functions", m["number_of_functions"])
	b.line("number_of_libraries", m["number_of_libraries"])
	b.line("used_memory_vm_functions", vmFunctions)
	b.line("used_memory_vm_total", vmEval+vmFunctions)
	b.line("used_memory_vm_total_human", humanBytes(vmEval+vmFunctions))
	b.line("used_memory_functions", m["used_memory_functions"])
	b.line("used_memory_scripts", scripts)
	b.line("used_memory_scripts_human", humanBytes(scripts))
}

// ratio returns a/b, or 0 when b is 0.
func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// rssBytes reads the resident set size from /proc; 0 where unavailable.
func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func totalMemory() int64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}

// humanBytes formats n as Redis does: 1.50M, 12.00K, 900B.
func humanBytes(n int64) string {
	f := float64(n)
	for _, u := range []struct {
		size   float64
		suffix string
	}{{1 << 40, "T"}, {1 << 30, "G"}, {1 << 20, "M"}, {1 << 10, "K"}} {
		if f >= u.size {
			return strconv.FormatFloat(f/u.size, 'f', 2, 64) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// aofInfoFields are the AOF fields of Redis's persistence section that are
// printed whether or not the AOF is on, with their values for an AOF that
// has not run since the server started.
var aofInfoFields = [][2]string{
	{"aof_enabled", "0"},
	{"aof_rewrite_in_progress", "0"},
	{"aof_rewrite_scheduled", "0"}, // MyRedis never schedules a rewrite for later
	{"aof_last_rewrite_time_sec", "-1"},
	{"aof_current_rewrite_time_sec", "-1"},
	{"aof_last_bgrewrite_status", "ok"},
	{"aof_rewrites", "0"},
	{"aof_rewrites_consecutive_failures", "0"},
	{"aof_last_write_status", "ok"},
}

// aofOnInfoFields are the fields Redis adds while the AOF is on.
var aofOnInfoFields = [][2]string{
	{"aof_current_size", "0"},
	{"aof_base_size", "0"},
	{"aof_pending_rewrite", "0"}, // as aof_rewrite_scheduled
	{"aof_buffer_length", "0"},
	{"aof_pending_bio_fsync", "0"},
}

// infoPersistence has no RDB snapshots to report: rdb_changes_since_last_save
// counts the writes since start, rdb_last_save_time is the start (as in a
// Redis that never saved), and the other RDB fields it keeps are those of
// a server that never saved. The AOF fields come from the AOF's owner,
// arranged in Redis's order; while the AOF is off they are those of an AOF
// that has not run (an AOF turned off takes its counts with it). It leaves
// out current_cow_peak, current_cow_size, current_cow_size_age,
// current_fork_perc, current_save_keys_processed,
// current_save_keys_total, rdb_last_cow_size, aof_last_cow_size,
// module_fork_in_progress and module_fork_last_cow_size (no forks),
// rdb_last_load_keys_expired and rdb_last_load_keys_loaded (no RDB
// loading), aof_delayed_fsync (not counted), and the loading_* progress
// fields.
func (s *Server) infoPersistence(b *infoBuilder) {
	b.line("loading", boolInt(s.loading.Load()))
	b.line("async_loading", 0) // loading never serves meanwhile
	b.line("rdb_changes_since_last_save", s.ks.Stats().Dirty.Load())
	b.line("rdb_bgsave_in_progress", 0)
	b.line("rdb_last_save_time", s.start.Unix())
	b.line("rdb_last_bgsave_status", "ok")
	b.line("rdb_last_bgsave_time_sec", -1)
	b.line("rdb_current_bgsave_time_sec", -1)
	b.line("rdb_saves", 0)
	got := map[string]string{}
	if s.persist != nil {
		for _, f := range s.persist.Info() {
			got[f[0]] = f[1]
		}
	}
	fields := aofInfoFields
	if got["aof_enabled"] == "1" {
		fields = append(fields[:len(fields):len(fields)], aofOnInfoFields...)
	}
	for _, f := range fields {
		if v, ok := got[f[0]]; ok {
			b.line(f[0], v)
		} else {
			b.line(f[0], f[1])
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// infoStats leaves out total_net_repl_input_bytes,
// total_net_repl_output_bytes, instantaneous_input_repl_kbps,
// instantaneous_output_repl_kbps, sync_full, sync_partial_ok,
// sync_partial_err and slave_expires_tracked_keys (no replication);
// expired_stale_perc, expired_time_cap_reached_count and
// expire_cycle_cpu_milliseconds (the expiry cycle does not measure them);
// total_eviction_exceeded_time and current_eviction_exceeded_time (no
// maxmemory); pubsubshard_channels (no sharded pub/sub); latest_fork_usec
// and total_forks (no forks); migrate_cached_sockets (no MIGRATE);
// the active_defrag_* fields; dump_payload_sanitizations (no RESTORE); the io_threaded_*
// fields (no I/O threads); reply_buffer_shrinks and reply_buffer_expands.
func (s *Server) infoStats(b *infoBuilder) {
	st := &s.stats
	ks := s.ks.Stats()
	ops, in, out := s.samples.rates()
	b.line("total_connections_received", st.Connections.Load())
	b.line("total_commands_processed", st.Commands.Load())
	b.line("instantaneous_ops_per_sec", int64(ops))
	b.line("total_net_input_bytes", st.NetInputBytes.Load())
	b.line("total_net_output_bytes", st.NetOutputBytes.Load())
	b.line("instantaneous_input_kbps", in/1024)
	b.line("instantaneous_output_kbps", out/1024)
	b.line("rejected_connections", st.RejectedConns.Load())
	b.line("expired_keys", ks.ExpiredKeys.Load())
	b.line("evicted_keys", ks.EvictedKeys.Load())
	b.line("evicted_clients", st.EvictedClients.Load())
	b.line("keyspace_hits", ks.KeyspaceHits.Load())
	b.line("keyspace_misses", ks.KeyspaceMisses.Load())
	ps := s.ps.counts()
	b.line("pubsub_channels", ps.channels)
	b.line("pubsub_patterns", ps.patterns)
	tr := s.ks.TrackingStats()
	b.line("tracking_total_keys", tr.Keys)
	b.line("tracking_total_items", tr.Items)
	b.line("tracking_total_prefixes", tr.Prefixes)
	// Errors a replica or the AOF loader would send to its master: MyRedis
	// has no replication, and an AOF that fails to load stops the server.
	b.line("unexpected_error_replies", 0)
	b.line("total_error_replies", st.ErrorReplies.Load())
	b.line("total_reads_processed", st.Reads.Load())
	b.line("total_writes_processed", st.Writes.Load())
}

// infoReplication: MyRedis is always a master without replicas. It leaves
// out master_replid, master_replid2, master_repl_offset,
// second_repl_offset and the repl_backlog_* fields (no replication stream).
func (s *Server) infoReplication(b *infoBuilder) {
	b.line("role", "master")
	b.line("connected_slaves", 0)
	b.line("master_failover_state", "no-failover")
}

// infoCPU leaves out used_cpu_sys_main_thread and used_cpu_user_main_thread:
// commands run on every thread of the Go runtime, not on a main thread.
func (s *Server) infoCPU(b *infoBuilder) {
	tv := func(t syscall.Timeval) string { return fmt.Sprintf("%d.%06d", t.Sec, t.Usec) }
	var self, children syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil || syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children) != nil {
		return
	}
	b.line("used_cpu_sys", tv(self.Stime))
	b.line("used_cpu_user", tv(self.Utime))
	b.line("used_cpu_sys_children", tv(children.Stime))
	b.line("used_cpu_user_children", tv(children.Utime))
}

// infoCommandStats lists the commands called, rejected or failed since the
// start or CONFIG RESETSTAT.
func (s *Server) infoCommandStats(b *infoBuilder) {
	for cmd, st := range s.sortedCmdStats() {
		calls, rejected, failed := st.Calls.Load(), st.Rejected.Load(), st.Failed.Load()
		if calls == 0 && rejected == 0 && failed == 0 {
			continue
		}
		usec := st.Usec.Load()
		perCall := 0.0
		if calls > 0 {
			perCall = float64(usec) / float64(calls)
		}
		b.WriteString("cmdstat_" + infoSafe(cmd.FullName()) + ":calls=" + itoa(calls) + ",usec=" + itoa(usec) +
			",usec_per_call=" + strconv.FormatFloat(perCall, 'f', 2, 64) +
			",rejected_calls=" + itoa(rejected) + ",failed_calls=" + itoa(failed) + "\r\n")
	}
}

// infoErrorStats lists the error replies by code, in byte order.
func (s *Server) infoErrorStats(b *infoBuilder) {
	codes, counts := s.errors.sorted()
	for i, code := range codes {
		b.WriteString("errorstat_" + infoSafe(code) + ":count=" + itoa(counts[i]) + "\r\n")
	}
}

// infoSafe replaces the characters that would break an INFO line (#, :,
// CR, LF) with '_', as Redis does.
func infoSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '#', ':', '\r', '\n':
			return '_'
		}
		return r
	}, s)
}

// sortedCmdStats yields the command statistics ordered by command name.
func (s *Server) sortedCmdStats() func(yield func(*db.Command, *db.CommandStats) bool) {
	return func(yield func(*db.Command, *db.CommandStats) bool) {
		for _, c := range s.table.All() {
			if !yield(c, &c.Stats) {
				return
			}
			for _, sub := range c.Subcommands() {
				if !yield(sub, &sub.Stats) {
					return
				}
			}
		}
	}
}

func (s *Server) infoCluster(b *infoBuilder) {
	b.line("cluster_enabled", boolInt(len(s.cfg.Peers()) > 0))
}

// infoKeyspace shows each database that holds keys: their count, how many
// carry a deadline, and their average time to live in milliseconds, which
// the active expiry cycle estimates from the keys it samples, as in Redis.
func (s *Server) infoKeyspace(b *infoBuilder) {
	for _, d := range s.ks.DBs() {
		keys, expires := d.KeyCounts()
		if keys == 0 && expires == 0 {
			continue
		}
		b.line("db"+strconv.Itoa(d.Index()), "keys="+strconv.Itoa(keys)+",expires="+strconv.Itoa(expires)+
			",avg_ttl="+strconv.FormatInt(d.AvgTTL(), 10))
	}
}
