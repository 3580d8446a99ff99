package tests

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// infoSections parses an INFO reply into its section titles, in order, and
// each section's field names, in order.
func infoSections(t testing.TB, reply string) (titles []string, fields map[string][]string) {
	t.Helper()
	fields = map[string][]string{}
	var cur string
	for _, line := range strings.Split(verbatimText(reply), "\r\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "# "):
			cur = strings.TrimPrefix(line, "# ")
			titles = append(titles, cur)
		default:
			name, _, ok := strings.Cut(line, ":")
			require.True(t, ok, "INFO line %q", line)
			fields[cur] = append(fields[cur], name)
		}
	}
	return titles, fields
}

// infoOmitted are the Redis 7.0.15 INFO fields MyRedis leaves out, by
// section, as server/info.go documents them: they describe machinery
// MyRedis does not have. Any other difference fails TestInfoFields.
var infoOmitted = map[string][]string{
	"Server":  {"atomicvar_api", "gcc_version", "io_threads_active"},
	"Clients": {"clients_in_timeout_table"},
	"Memory":  {"active_defrag_running", "lazyfree_pending_objects", "lazyfreed_objects"},
	"Persistence": {"current_cow_peak", "current_cow_size", "current_cow_size_age", "current_fork_perc",
		"current_save_keys_processed", "current_save_keys_total", "rdb_last_cow_size",
		"rdb_last_load_keys_expired", "rdb_last_load_keys_loaded", "aof_last_cow_size",
		"module_fork_in_progress", "module_fork_last_cow_size"},
	"Stats": {"total_net_repl_input_bytes", "total_net_repl_output_bytes", "instantaneous_input_repl_kbps",
		"instantaneous_output_repl_kbps", "sync_full", "sync_partial_ok", "sync_partial_err",
		"expired_stale_perc", "expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds",
		"total_eviction_exceeded_time", "current_eviction_exceeded_time", "pubsubshard_channels",
		"latest_fork_usec", "total_forks", "migrate_cached_sockets", "slave_expires_tracked_keys",
		"active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses",
		"total_active_defrag_time", "current_active_defrag_time", "dump_payload_sanitizations", "io_threaded_reads_processed",
		"io_threaded_writes_processed", "reply_buffer_shrinks", "reply_buffer_expands"},
	"Replication": {"master_replid", "master_replid2", "master_repl_offset", "second_repl_offset",
		"repl_backlog_active", "repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen"},
	"CPU": {"used_cpu_sys_main_thread", "used_cpu_user_main_thread"},
}

// TestInfoFields compares INFO's sections and fields with Redis 7.0.15's:
// the default sections and their titles are Redis's; with "everything",
// only Latencystats is missing; and every section's fields are Redis's, in
// Redis's order, but for the documented omissions.
func TestInfoFields(t *testing.T) {
	type shape struct {
		dflt, every []string
		fields      map[string][]string
	}
	shapes := map[string]shape{}
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		c := s.dial(t)
		c.mustDo("+OK\r\n", "SET", "k", "v", "EX", "100")
		dflt, _ := infoSections(t, c.do("INFO"))
		every, fields := infoSections(t, c.do("INFO", "everything"))
		shapes[t.Name()] = shape{dflt, every, fields}
		cpu, _ := infoSections(t, c.do("INFO", "cpu"))
		assert.Equal(t, []string{"CPU"}, cpu)
	})
	redis, my := shapes["TestInfoFields/redis"], shapes["TestInfoFields/myredis"]
	if redis.fields == nil {
		return
	}
	assert.Equal(t, redis.dflt, my.dflt, "INFO's default sections")
	assert.Equal(t, slices.DeleteFunc(slices.Clone(redis.every), func(s string) bool { return s == "Latencystats" }),
		my.every, "INFO everything's sections")
	for _, sec := range redis.every {
		switch sec {
		case "Commandstats", "Errorstats", "Latencystats", "Keyspace":
			continue // one line per command, error code or database
		}
		want := slices.DeleteFunc(slices.Clone(redis.fields[sec]), func(f string) bool {
			return slices.Contains(infoOmitted[sec], f)
		})
		assert.Equal(t, want, my.fields[sec], "fields of the %s section", sec)
		for _, f := range infoOmitted[sec] {
			assert.Contains(t, redis.fields[sec], f, "a field documented as omitted from %s", sec)
		}
	}
}

// TestInfoErrorAndCommandStats compares with Redis how INFO counts calls,
// rejected calls and failed calls per command, and error replies per code:
// a wrong arity or NOAUTH rejects the command it names, an unknown command
// counts only as an error, a command refused in MULTI is rejected and
// fails the transaction, whose EXEC then fails with EXECABORT, and errors
// of the commands EXEC runs fail those commands, not EXEC.
func TestInfoErrorAndCommandStats(t *testing.T) {
	onBoth(t, nil, func(s *server) []string {
		c, sub := s.dial(t), s.dial(t)
		c.mustDo("+OK\r\n", "CONFIG", "RESETSTAT")
		for _, cmd := range [][]string{
			{"SET", "s", "v"},
			{"LPUSH", "s", "x"},
			{"GET"},
			{"NOSUCHCOMMAND", "x"},
			{"CONFIG", "NOSUCH"},
			{"CLIENT"},
			{"MULTI"}, {"INCR", "s"}, {"GET", "a", "b"}, {"EXEC"},
			{"MULTI"}, {"INCR", "s"}, {"SET", "t", "1"}, {"EXEC"},
			{"MULTI"}, {"WATCH", "x"}, {"MULTI"}, {"DISCARD"},
			{"EXEC"},
			{"CONFIG", "SET", "requirepass", "pw"},
		} {
			c.do(cmd...)
		}
		late := s.dial(t)
		late.do("GET", "k")
		late.do("AUTH", "wrong")
		c.mustDo("+OK\r\n", "CONFIG", "SET", "requirepass", "")
		sub.do("SUBSCRIBE", "ch")
		sub.do("GET", "k") // refused in RESP2 subscribed mode
		sub.do("PING")
		sub.do("UNSUBSCRIBE")
		c.send(string(encodeCommand([]string{"CLIENT", "REPLY", "OFF"})))
		c.send(string(encodeCommand([]string{"LPUSH", "s", "y"}))) // silenced, still counted
		c.mustDo("+OK\r\n", "CLIENT", "REPLY", "ON")

		info := verbatimText(c.do("INFO", "commandstats"))
		stat := regexp.MustCompile(`(?m)^cmdstat_([a-z|]+):calls=(\d+),usec=\d+,usec_per_call=[\d.]+,rejected_calls=(\d+),failed_calls=(\d+)\r$`)
		var out []string
		calls := 0
		for _, m := range stat.FindAllStringSubmatch(info, -1) {
			out = append(out, m[1]+" calls="+m[2]+" rejected="+m[3]+" failed="+m[4])
			n, _ := strconv.Atoi(m[2])
			calls += n
		}
		slices.Sort(out)
		require.NotEmpty(t, out, "INFO commandstats: %q", info)
		errs := verbatimText(c.do("INFO", "errorstats"))
		out = append(out, strings.Split(strings.TrimSpace(errs), "\r\n")...)
		stats := c.do("INFO", "stats")
		out = append(out, regexp.MustCompile(`total_error_replies:\d+`).FindString(stats))
		// Every call counted in commandstats is a command processed (the
		// INFO commands of this check are the two before the last).
		processed := regexp.MustCompile(`total_commands_processed:(\d+)`).FindStringSubmatch(stats)
		require.NotNil(t, processed)
		assert.Equal(t, strconv.Itoa(calls+2), processed[1], "total_commands_processed against commandstats")
		return out
	})
}

// TestInfoAvgTTL checks, on both servers, that the keyspace line's avg_ttl
// estimates the time to live of the keys with a deadline, and is 0 once
// none is left.
func TestInfoAvgTTL(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		c := s.dial(t)
		for i := range 50 {
			c.mustDo("+OK\r\n", "SET", "v"+strconv.Itoa(i), "x", "EX", "100")
			c.mustDo("+OK\r\n", "SET", "w"+strconv.Itoa(i), "x", "EX", "200")
			c.mustDo("+OK\r\n", "SET", "p"+strconv.Itoa(i), "x")
		}
		line := regexp.MustCompile(`db0:keys=150,expires=100,avg_ttl=(\d+)`)
		var avg int
		waitFor(t, 5*time.Second, "a non-zero avg_ttl", func() bool {
			m := line.FindStringSubmatch(c.do("INFO", "keyspace"))
			require.NotNil(t, m, "INFO keyspace")
			avg, _ = strconv.Atoi(m[1])
			return avg > 0
		})
		assert.Greater(t, avg, 90_000, "avg_ttl of keys due in 100 s and 200 s")
		assert.LessOrEqual(t, avg, 200_000, "avg_ttl of keys due in 100 s and 200 s")
		c.mustDo("+OK\r\n", "FLUSHALL")
		c.mustDo("+OK\r\n", "SET", "k", "v")
		waitFor(t, 5*time.Second, "avg_ttl back to 0", func() bool {
			return strings.Contains(c.do("INFO", "keyspace"), "db0:keys=1,expires=0,avg_ttl=0\r\n")
		})
	})
}
