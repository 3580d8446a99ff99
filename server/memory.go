package server

import (
	"cmp"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"myredis/db"
)

// Memory: the server's side of used_memory (client buffers and the AOF
// buffer, reported to the keyspace every 100 ms), maxmemory and its policy
// handed to the keyspace and to Go's collector, the OOM refusal, and the
// MEMORY STATS, DOCTOR, MALLOC-STATS and PURGE subcommands. The keyspace's
// accounting is described in db/memory.go, eviction in db/evict.go.

// sessionFixedBytes is what a connection costs besides its buffers: its
// goroutine's stack, its reader and writer and the session itself.
const sessionFixedBytes = 16 << 10

// gcHeadroom is added to maxmemory * 1.5 for Go's memory limit: the
// runtime's own structures and the heap in use before any key.
const gcHeadroom = 16 << 20

// applyMemoryConfig hands maxmemory and its kin to the keyspace and sets
// Go's soft memory limit from maxmemory, so that the collector runs before
// garbage takes the room the dataset may use; with maxmemory 0 the limit
// is lifted.
func (s *Server) applyMemoryConfig() {
	policy, _ := db.ParsePolicy(s.cfg.String("maxmemory-policy"))
	maxmemory := s.cfg.Int("maxmemory")
	s.clientLimit.Store(clientEvictionLimit(s.cfg.Int("maxmemory-clients"), maxmemory))
	s.ks.SetEviction(db.EvictionConfig{
		MaxMemory:    maxmemory,
		Policy:       policy,
		Samples:      int(s.cfg.Int("maxmemory-samples")),
		Tenacity:     int(s.cfg.Int("maxmemory-eviction-tenacity")),
		LFULogFactor: int(s.cfg.Int("lfu-log-factor")),
		LFUDecayTime: int(s.cfg.Int("lfu-decay-time")),
	})
	if s.gcLimit.Swap(maxmemory) == maxmemory {
		return
	}
	if maxmemory == 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	debug.SetMemoryLimit(min(maxmemory, math.MaxInt64/2)/2*3 + gcHeadroom)
}

// watchMemory reports the client buffers and the AOF buffer to the
// keyspace every 100 ms until the server closes.
func (s *Server) watchMemory() {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		s.reportMemory()
		if s.thp != nil {
			s.thp.advise()
		}
		select {
		case <-s.done:
			return
		case <-t.C:
		}
	}
}

// reportMemory measures the client buffers and the AOF buffer, closes
// clients as maxmemory-clients demands, and hands the figures to the
// keyspace. It runs every 100 ms: a client whose replies stay unsent (it
// does not read) is seen within that time, one that reads its replies as
// they come is not evicted for them.
func (s *Server) reportMemory() {
	s.clientMem.Lock()
	defer s.clientMem.Unlock()
	sessions := s.sessionsSnapshot()
	usage := make([]int64, len(sessions))
	var clients int64
	for i, sess := range sessions {
		usage[i] = sess.memUsage()
		clients += usage[i]
	}
	if limit := s.clientLimit.Load(); limit > 0 && clients >= limit {
		clients = s.evictClients(sessions, usage, clients, limit)
	} else {
		s.clientsOverWarned = false
	}
	s.ks.SetMemOverhead(clients, s.aofBufferBytes())
	s.ks.MemUsage() // raises the peak
}

// minClientLimit is the smallest maxmemory-clients that applies, as in
// Redis: a smaller one would leave no room to talk to the server at all.
const minClientLimit = 128 << 10

// clientEvictionLimit returns the memory the clients may use together
// before the biggest are closed, as Redis computes it from
// maxmemory-clients: bytes, or (negative) a percentage of maxmemory, at
// least minClientLimit; 0 when it is off, as a percentage is while
// maxmemory is 0.
func clientEvictionLimit(setting, maxmemory int64) int64 {
	var n int64
	switch {
	case setting < 0 && maxmemory > 0:
		n = int64(float64(maxmemory) * float64(-setting) / 100)
	case setting > 0:
		n = setting
	default:
		return 0
	}
	return max(n, minClientLimit)
}

// evictClients closes the biggest clients, those not exempted by CLIENT
// NO-EVICT, until the clients' memory total is below limit, as Redis's
// client eviction does, and returns the total left. usage holds each
// session's memory; the caller holds s.clientMem.
func (s *Server) evictClients(sessions []*Session, usage []int64, total, limit int64) int64 {
	order := make([]int, len(sessions))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(usage[b], usage[a]) })
	for _, i := range order {
		if total < limit {
			return total
		}
		sess := sessions[i]
		if sess.noEvict.Load() || sess.killed.Load() {
			continue
		}
		s.log.Info("evicting client: maxmemory-clients reached", "id", sess.ID, "addr", sess.addr,
			"tot-mem", usage[i], "clients", total, "limit", limit)
		sess.kill()
		s.stats.EvictedClients.Add(1)
		total -= usage[i]
	}
	if total >= limit && !s.clientsOverWarned {
		s.log.Warn("over maxmemory-clients after evicting all evictable clients", "clients", total, "limit", limit)
		s.clientsOverWarned = true // until the total is below the limit again
	}
	return total
}

// memUsage estimates what sess holds: its read buffer, its queued
// transaction, the output its client has not read, and a fixed part.
// Safe to call from any goroutine.
func (sess *Session) memUsage() int64 {
	return sessionFixedBytes + sess.shown.rbs.Load() + sess.shown.multiMem.Load() + sess.pendingOutput()
}

// aofBufferBytes returns the bytes waiting in the AOF's buffer (INFO's
// aof_buffer_length), 0 while the AOF is off.
func (s *Server) aofBufferBytes() int64 {
	if s.persist == nil {
		return 0
	}
	for _, kv := range s.persist.Info() {
		if kv[0] == "aof_buffer_length" {
			n, _ := strconv.ParseInt(kv[1], 10, 64)
			return n
		}
	}
	return 0
}

// oomRefusal returns the OOM error when cmd must be refused because memory
// is over maxmemory and nothing can be evicted, as Redis's processCommand
// decides: after evicting what the policy allows, a command flagged
// denyoom (a script's by its flags: denyOOM) is refused, and so is any
// command queued in MULTI but EXEC, DISCARD, QUIT and RESET; an EXEC whose
// queue holds a denyoom command is refused too (which discards the
// transaction). It costs an atomic load while maxmemory is 0. The session
// holds no lock: eviction takes its own.
func (sess *Session) oomRefusal(cmd *db.Command, args [][]byte) string {
	ks := sess.srv.ks
	sess.OverMemory = false
	if ks.Eviction().MaxMemory == 0 || sess.monitoring.Load() {
		return ""
	}
	// While a script is busy, the commands still served (SCRIPT KILL,
	// SHUTDOWN...) neither evict nor are refused, as in Redis.
	if cmd.Flags&db.FlagAllowBusy != 0 && sess.srv.scripts != nil && sess.srv.scripts.Busy() != "" {
		return ""
	}
	if sess.OverMemory = !ks.Evict(); !sess.OverMemory {
		return ""
	}
	switch {
	case cmd.Name == "exec":
		if !sess.multiDenyOOM {
			return ""
		}
	case sess.InMulti() && cmd.Name != "discard" && cmd.Name != "quit" && cmd.Name != "reset":
	case !denyOOM(cmd, args):
		return ""
	}
	return db.ErrOOM
}

// denyOOM reports whether cmd, with args, may grow memory: it is flagged
// denyoom, or it runs a script whose flags say it may write and do not
// allow OOM (Command.ScriptDenyOOM, Redis's getCommandFlags).
func denyOOM(cmd *db.Command, args [][]byte) bool {
	if cmd.ScriptDenyOOM != nil {
		return cmd.ScriptDenyOOM(args)
	}
	return cmd.Flags&db.FlagDenyOOM != 0
}

func (s *Server) registerMemory() {
	t := s.table
	for _, sub := range []*db.Command{
		{Name: "stats", Arity: 2, Since: "4.0.0", Summary: "Returns details about memory use.", Run: s.memoryStats},
		{Name: "doctor", Arity: 2, Since: "4.0.0", Summary: "Outputs a memory problems report.", Run: s.memoryDoctor},
		{Name: "malloc-stats", Arity: 2, Since: "4.0.0", Summary: "Returns the allocator's statistics (the Go runtime's).", Run: memoryMallocStats},
		{Name: "purge", Arity: 2, Since: "4.0.0", Summary: "Returns freed memory to the operating system.", Run: memoryPurge},
	} {
		t.RegisterSub("memory", sub)
	}
}

// memoryFigures is what MEMORY STATS, MEMORY DOCTOR and INFO memory report.
// overhead is Redis's used_memory_overhead: the base, the client and AOF
// buffers and the keyspace's tables; the dataset is the rest.
type memoryFigures struct {
	usage                    db.MemUsage
	used, peak, startup, rss int64
	overhead, dataset        int64
	scripts                  int64
	rt                       goMemory
}

func (s *Server) memoryFigures() memoryFigures {
	u := s.ks.MemUsage()
	f := memoryFigures{usage: u, used: u.Total(), peak: s.ks.MemPeak(), startup: u.Base, rss: rssBytes(), rt: readGoMemory()}
	if s.scripts != nil {
		m := s.scripts.Info()
		f.scripts = m["used_memory_scripts_eval"] + m["used_memory_functions"]
	}
	f.overhead = u.Base + u.Clients + u.AOFBuffer
	for _, d := range s.ks.DBs() {
		main, expires := d.TableOverhead()
		f.overhead += main + expires
	}
	f.dataset = max(f.used-f.overhead, 0)
	return f
}

// memoryStats serves MEMORY STATS with Redis's field names.
func (s *Server) memoryStats(c *db.Ctx) {
	f := s.memoryFigures()
	dbs := s.ks.DBs()
	nonEmpty := 0
	for _, d := range dbs {
		if d.Len() > 0 {
			nonEmpty++
		}
	}
	w := c.W
	w.WriteMap(27 + nonEmpty)
	kv := func(k string, v int64) { w.WriteBulkString(k); w.WriteInt(v) }
	kf := func(k string, v float64) { w.WriteBulkString(k); w.WriteDouble(v) }
	kv("peak.allocated", f.peak)
	kv("total.allocated", f.used)
	kv("startup.allocated", f.startup)
	kv("replication.backlog", 0)
	kv("clients.slaves", 0)
	kv("clients.normal", f.usage.Clients)
	kv("cluster.links", 0)
	kv("aof.buffer", f.usage.AOFBuffer)
	kv("lua.caches", f.scripts)
	kv("functions.caches", 0)
	for _, d := range dbs {
		if d.Len() == 0 {
			continue
		}
		main, expires := d.TableOverhead()
		w.WriteBulkString("db." + strconv.Itoa(d.Index()))
		w.WriteMap(2)
		kv("overhead.hashtable.main", main)
		kv("overhead.hashtable.expires", expires)
	}
	kv("overhead.total", f.overhead)
	kv("keys.count", f.usage.Keys)
	perKey := int64(0)
	if f.usage.Keys > 0 {
		perKey = (f.used - f.startup) / f.usage.Keys
	}
	kv("keys.bytes-per-key", perKey)
	kv("dataset.bytes", f.dataset)
	kf("dataset.percentage", percent(f.dataset, f.used-f.startup))
	kf("peak.percentage", percent(f.used, f.peak))
	active := int64(f.rt.objects + f.rt.unused)
	resident := int64(f.rt.total - f.rt.released)
	kv("allocator.allocated", int64(f.rt.objects))
	kv("allocator.active", active)
	kv("allocator.resident", resident)
	kf("allocator-fragmentation.ratio", ratio(uint64(active), f.rt.objects))
	kv("allocator-fragmentation.bytes", active-int64(f.rt.objects))
	kf("allocator.rss-ratio", ratio(uint64(resident), uint64(active)))
	kv("allocator.rss-bytes", resident-active)
	kf("rss-overhead.ratio", ratio(uint64(f.rss), uint64(resident)))
	kv("rss-overhead.bytes", f.rss-resident)
	kf("fragmentation", ratio(uint64(f.rss), uint64(f.used)))
	kv("fragmentation.bytes", f.rss-f.used)
}

// percent returns a as a percentage of b, 0 when b is not positive.
func percent(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) * 100 / float64(b)
}

// memoryDoctor serves MEMORY DOCTOR: Redis's diagnosis, from the same
// figures, with the advice that applies to a Go process.
func (s *Server) memoryDoctor(c *db.Ctx) {
	f := s.memoryFigures()
	var issues []string
	if f.used < 5<<20 {
		c.W.WriteVerbatim("txt", "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.")
		return
	}
	if f.peak > f.used*3/2 {
		issues = append(issues, " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.")
	}
	if frag := ratio(uint64(f.rss), uint64(f.used)); frag > 1.4 {
		issues = append(issues, " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the Go collector to keep garbage around; MEMORY PURGE returns it to the system, and setting maxmemory makes the collector run sooner. Current ratio: "+strconv.FormatFloat(frag, 'f', 2, 64)+".")
	}
	if n := len(s.sessionsSnapshot()); n > 0 && f.usage.Clients/int64(n) > 200<<10 {
		issues = append(issues, " * Big client buffers: The clients output buffers are in general very big, maybe because you have some client with big pipelines or that reads slowly. You may want to set client-output-buffer-limit normal.")
	}
	if limit := s.ks.Eviction().MaxMemory; limit > 0 && f.usage.ForEviction() > limit {
		issues = append(issues, " * Over maxmemory: used memory is over maxmemory and the policy could not free enough of it: commands that may grow memory are refused with -OOM.")
	}
	if len(issues) == 0 {
		c.W.WriteVerbatim("txt", "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.")
		return
	}
	c.W.WriteVerbatim("txt", "Sam, I detected a few issues in this Redis instance memory implants:\n\n"+
		strings.Join(issues, "\n\n")+"\n\nI'm here to keep you safe, Sam. I want to help you.\n")
}

// memoryMallocStats serves MEMORY MALLOC-STATS: the Go runtime's memory
// statistics, where Redis prints jemalloc's.
func memoryMallocStats(c *db.Ctx) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	var b strings.Builder
	line := func(k string, v uint64) { b.WriteString(k + ": " + strconv.FormatUint(v, 10) + "\n") }
	b.WriteString("___ Begin Go runtime statistics (" + runtime.Version() + ") ___\n")
	line("HeapAlloc", m.HeapAlloc)
	line("HeapInuse", m.HeapInuse)
	line("HeapIdle", m.HeapIdle)
	line("HeapReleased", m.HeapReleased)
	line("HeapObjects", m.HeapObjects)
	line("StackInuse", m.StackInuse)
	line("Sys", m.Sys)
	line("NumGC", uint64(m.NumGC))
	line("GCSys", m.GCSys)
	line("NextGC", m.NextGC)
	line("MemoryLimit", uint64(debug.SetMemoryLimit(-1)))
	b.WriteString("--- End Go runtime statistics ---\n")
	c.W.WriteVerbatim("txt", b.String())
}

// memoryPurge serves MEMORY PURGE: a collection, and the free memory
// returned to the operating system.
func memoryPurge(c *db.Ctx) {
	debug.FreeOSMemory()
	c.WriteOK()
}
