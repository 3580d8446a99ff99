package server

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"myredis/db"
)

// infoSection writes one section of INFO into b.
type infoSection struct {
	name    string
	dflt    bool // part of the default INFO
	builder func(s *Server, b *infoBuilder)
}

// infoBuilder accumulates "key:value" lines.
type infoBuilder struct{ strings.Builder }

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
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'f', 6, 64))
	}
	b.WriteString("\r\n")
}

var infoSections = []infoSection{
	{"server", true, (*Server).infoServer},
	{"clients", true, (*Server).infoClients},
	{"memory", true, (*Server).infoMemory},
	{"persistence", true, (*Server).infoPersistence},
	{"stats", true, (*Server).infoStats},
	{"replication", true, (*Server).infoReplication},
	{"cpu", true, (*Server).infoCPU},
	{"modules", true, func(*Server, *infoBuilder) {}},
	{"commandstats", false, (*Server).infoCommandStats},
	{"errorstats", true, func(*Server, *infoBuilder) {}},
	{"cluster", true, (*Server).infoCluster},
	{"keyspace", true, (*Server).infoKeyspace},
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
		b.WriteString("# " + strings.ToUpper(sec.name[:1]) + sec.name[1:] + "\r\n")
		sec.builder(s, &b)
	}
	c.W.WriteVerbatim("txt", b.String())
}

func (s *Server) infoServer(b *infoBuilder) {
	b.line("redis_version", Version)
	b.line("redis_git_sha1", "00000000")
	b.line("redis_git_dirty", "0")
	b.line("redis_build_id", "myredis")
	b.line("redis_mode", "standalone")
	b.line("os", runtime.GOOS+" "+runtime.GOARCH)
	b.line("arch_bits", strconv.Itoa(strconv.IntSize))
	b.line("multiplexing_api", "goroutines")
	b.line("gcc_version", "0.0.0")
	b.line("go_version", runtime.Version())
	b.line("process_id", os.Getpid())
	b.line("run_id", s.runID())
	b.line("tcp_port", s.cfg.Port())
	b.line("server_time_usec", time.Now().UnixMicro())
	up := s.uptime()
	b.line("uptime_in_seconds", int64(up/time.Second))
	b.line("uptime_in_days", int64(up/(24*time.Hour)))
	b.line("hz", s.cfg.Hz())
	b.line("configured_hz", s.cfg.Hz())
	b.line("executable", executable())
	b.line("config_file", s.cfg.Path())
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

func (s *Server) infoClients(b *infoBuilder) {
	s.mu.Lock()
	n := len(s.sessions)
	s.mu.Unlock()
	b.line("connected_clients", n)
	b.line("cluster_connections", 0)
	b.line("maxclients", s.maxClients.Load())
	b.line("client_recent_max_input_buffer", 0)
	b.line("client_recent_max_output_buffer", 0)
	b.line("blocked_clients", s.ks.BlockedClients())
	b.line("tracking_clients", 0)
	b.line("clients_in_timeout_table", 0)
}

func (s *Server) infoMemory(b *infoBuilder) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rss := rssBytes()
	b.line("used_memory", int64(m.HeapAlloc))
	b.line("used_memory_human", humanBytes(int64(m.HeapAlloc)))
	b.line("used_memory_rss", rss)
	b.line("used_memory_rss_human", humanBytes(rss))
	peak := int64(s.samples.peak(m.HeapAlloc))
	b.line("used_memory_peak", peak)
	b.line("used_memory_peak_human", humanBytes(peak))
	b.line("total_system_memory", totalMemory())
	b.line("maxmemory", s.cfg.String("maxmemory"))
	b.line("maxmemory_policy", s.cfg.String("maxmemory-policy"))
	if m.HeapAlloc > 0 {
		b.line("mem_fragmentation_ratio", float64(rss)/float64(m.HeapAlloc))
	}
	b.line("mem_allocator", "go")
	b.line("gc_cycles", int64(m.NumGC))
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

func (s *Server) infoPersistence(b *infoBuilder) {
	b.line("loading", boolInt(s.loading.Load()))
	b.line("async_loading", 0)
	b.line("rdb_changes_since_last_save", s.ks.Stats().Dirty.Load())
	b.line("rdb_bgsave_in_progress", 0)
	b.line("rdb_last_save_time", s.start.Unix())
	b.line("rdb_last_bgsave_status", "ok")
	var fields [][2]string
	if s.persist != nil {
		fields = s.persist.Info()
	}
	if len(fields) == 0 { // appendonly is off
		b.line("aof_enabled", 0)
		b.line("aof_rewrite_in_progress", 0)
		b.line("aof_rewrite_scheduled", 0)
		b.line("aof_last_bgrewrite_status", "ok")
		b.line("aof_last_write_status", "ok")
		return
	}
	for _, f := range fields {
		b.line(f[0], f[1])
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Server) infoStats(b *infoBuilder) {
	st := &s.stats
	ks := s.ks.Stats()
	b.line("total_connections_received", st.Connections.Load())
	b.line("total_commands_processed", st.Commands.Load())
	b.line("instantaneous_ops_per_sec", s.samples.opsPerSec())
	b.line("total_net_input_bytes", st.NetInputBytes.Load())
	b.line("total_net_output_bytes", st.NetOutputBytes.Load())
	b.line("rejected_connections", st.RejectedConns.Load())
	b.line("expired_keys", ks.ExpiredKeys.Load())
	b.line("evicted_keys", 0)
	b.line("keyspace_hits", ks.KeyspaceHits.Load())
	b.line("keyspace_misses", ks.KeyspaceMisses.Load())
	ps := s.ps.counts()
	b.line("pubsub_channels", ps.channels)
	b.line("pubsub_patterns", ps.patterns)
	b.line("total_error_replies", st.ErrorReplies.Load())
	b.line("total_protocol_errors", st.ProtocolErrors.Load())
	b.line("client_query_buffer_limit_disconnections", st.QueryLimitClosed.Load())
	b.line("client_timeout_disconnections", st.TimedOutClients.Load())
	b.line("client_killed_by_operator", st.ClientsKilledByOp.Load())
}

func (s *Server) infoReplication(b *infoBuilder) {
	b.line("role", "master")
	b.line("connected_slaves", 0)
	b.line("master_repl_offset", 0)
}

func (s *Server) infoCPU(b *infoBuilder) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	b.line("used_cpu_sys", tv(ru.Stime))
	b.line("used_cpu_user", tv(ru.Utime))
	b.line("goroutines", runtime.NumGoroutine())
}

func (s *Server) infoCommandStats(b *infoBuilder) {
	for cmd, st := range s.sortedCmdStats() {
		calls := st.Calls.Load()
		if calls == 0 {
			continue
		}
		usec := st.Usec.Load()
		b.WriteString("cmdstat_" + cmd.FullName() + ":calls=" + itoa(calls) + ",usec=" + itoa(usec) +
			",usec_per_call=" + strconv.FormatFloat(float64(usec)/float64(calls), 'f', 2, 64) +
			",rejected_calls=0,failed_calls=0\r\n")
	}
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

func (s *Server) infoKeyspace(b *infoBuilder) {
	for _, d := range s.ks.DBs() {
		keys, expires := d.KeyCounts()
		if keys == 0 {
			continue
		}
		b.line("db"+strconv.Itoa(d.Index()), "keys="+strconv.Itoa(keys)+",expires="+strconv.Itoa(expires)+",avg_ttl=0")
	}
}
