package tests

import (
	"bufio"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// configPairs returns what CONFIG GET pattern answers on c, as a map.
func configPairs(t *testing.T, c *rawConn, pattern string) map[string]string {
	t.Helper()
	reply, err := decodeReply(bufio.NewReader(strings.NewReader(c.do("CONFIG", "GET", pattern))))
	require.NoError(t, err)
	flat, ok := reply.([]any)
	require.True(t, ok, "CONFIG GET %s: %v", pattern, reply)
	out := make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		out[flat[i].(string)] = flat[i+1].(string)
	}
	return out
}

// configValue returns the value of one parameter on c.
func configValue(t *testing.T, c *rawConn, name string) string {
	t.Helper()
	return configPairs(t, c, name)[name]
}

// configOnly are the parameters MyRedis adds to Redis's (the cluster's
// members).
var configOnly = []string{"self", "peers"}

// TestConfigGetSetRoundTrip checks Redis's guarantee that CONFIG SET
// accepts back, unchanged, every value CONFIG GET * returns, on MyRedis
// and real Redis: both must list the same parameters, accept or refuse
// (immutable, protected) the same ones with the same error, and keep each
// value as it was. The values are set as they are, so even port, bind and
// appendonly take part: nothing changes.
func TestConfigGetSetRoundTrip(t *testing.T) {
	ref := startRedis(t)
	my := startServer(t)
	mc, rc := my.dial(t), ref.dial(t)
	mine, theirs := configPairs(t, mc, "*"), configPairs(t, rc, "*")
	for _, name := range configOnly {
		delete(mine, name)
	}
	var names []string
	for name := range theirs {
		names = append(names, name)
	}
	slices.Sort(names)
	for name := range mine {
		assert.Contains(t, theirs, name, "MyRedis lists a parameter Redis does not")
	}
	for _, name := range names {
		value, ok := mine[name]
		if !assert.True(t, ok, "MyRedis does not list %s", name) {
			continue
		}
		got, want := mc.do("CONFIG", "SET", name, value), rc.do("CONFIG", "SET", name, theirs[name])
		assert.Equal(t, want, got, "CONFIG SET %s %q", name, value)
		assert.Equal(t, value, configValue(t, mc, name), "%s changed when set to its own value", name)
	}
}

// configUnsafe are the parameters whose change would move, lock or cut off
// the test's connections, or write to /proc; configEnvironment those that
// Debian's Redis refuses to change for want of a build feature (the active
// defragmenter of Redis's own jemalloc) or of TLS certificates, and that
// MyRedis stores. Neither kind is given new values below.
var (
	configUnsafe = []string{"port", "bind", "dir", "requirepass", "appendonly", "appendfsync",
		"maxclients", "timeout", "client-query-buffer-limit", "proto-max-bulk-len",
		"client-output-buffer-limit", "oom-score-adj", "oom-score-adj-values", "watchdog-period",
		"shutdown-on-sigint", "shutdown-on-sigterm", "save", "self", "peers"}
	configEnvironment = []string{"activedefrag", "tls-port", "tls-cluster", "tls-replication"}
)

// Candidate values for CONFIG SET, by the shape of a parameter's default:
// valid values in their several spellings (units, case, spaces) and
// invalid ones, whose errors must match Redis's word for word.
var (
	configBoolValues = []string{"yes", "no", "YES", "No", "1", "true", "maybe", ""}
	configIntValues  = []string{"0", "1", "-1", "7", "100", "1k", "1kb", "3mb", "1gb", "4gb", "1GB",
		"2147483647", "2147483648", "-2147483649", "9223372036854775807", "1.5", "x", "", "+5", "007", "5 "}
	configStringValues = []string{"", "x", "a b", "yes"}
	// configValues are the candidates of the parameters with a format of
	// their own.
	configValues = map[string][]string{
		"notify-keyspace-events":            {"KEA", "Ex", "AKE", "gx$lshzxetdmn", "", "z", "Kx", "xK", "A", "Elg"},
		"maxmemory-policy":                  {"allkeys-lru", "ALLKEYS-LFU", "foo", ""},
		"loglevel":                          {"debug", "WARNING", "nothing", "foo"},
		"latency-tracking-info-percentiles": {"50 99 99.9", "", "99.99 50", "101", "x", "50  99", "-1"},
		"repl-diskless-load":                {"swapdb", "on-empty-db", "disabled", "foo"},
		"sanitize-dump-payload":             {"yes", "clients", "NO", "foo"},
		"propagation-error-behavior":        {"panic", "ignore", "panic-on-replicas", "x"},
		"acl-pubsub-default":                {"allchannels", "resetchannels", "x"},
		"tls-protocols":                     {"TLSv1.2", "TLSv1.2 TLSv1.3", "x"},
		"cluster-preferred-endpoint-type":   {"ip", "hostname", "unknown-endpoint", "x"},
		"maxmemory-clients":                 {"0", "10%", "100%", "101%", "1mb", "-1", "x", "0%", "5kb"},
		"maxmemory":                         {"0", "1gb", "100mb", "1.5gb", "x", "-1", "10%", "1 gb"},
	}
)

// configCandidates returns the values to try on the parameter name whose
// default is value.
func configCandidates(name, value string) []string {
	if vs, ok := configValues[name]; ok {
		return vs
	}
	if value == "yes" || value == "no" {
		return configBoolValues
	}
	if _, err := strconv.ParseInt(value, 10, 64); err == nil {
		return configIntValues
	}
	return configStringValues
}

// TestConfigSetValues sets every parameter (but configUnsafe and
// configEnvironment) to values of every spelling on MyRedis and real
// Redis: the replies must match, CONFIG GET must then return the same
// value on both, and that value must round-trip through CONFIG SET. Each
// parameter gets its default back before the next.
func TestConfigSetValues(t *testing.T) {
	ref := startRedis(t)
	my := startServer(t)
	mc, rc := my.dial(t), ref.dial(t)
	mine, theirs := configPairs(t, mc, "*"), configPairs(t, rc, "*")
	var names []string
	for name := range theirs {
		if !slices.Contains(configUnsafe, name) && !slices.Contains(configEnvironment, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range configCandidates(name, theirs[name]) {
			got, want := mc.do("CONFIG", "SET", name, v), rc.do("CONFIG", "SET", name, v)
			if !assert.Equal(t, want, got, "CONFIG SET %s %q", name, v) {
				continue
			}
			value := configValue(t, mc, name)
			assert.Equal(t, configValue(t, rc, name), value, "CONFIG GET %s after setting %q", name, v)
			if strings.HasPrefix(got, "+") {
				assert.Equal(t, "+OK\r\n", mc.do("CONFIG", "SET", name, value), "CONFIG SET %s %q (from CONFIG GET)", name, value)
				assert.Equal(t, value, configValue(t, mc, name), "%s changed when set to its own value", name)
			}
		}
		mc.do("CONFIG", "SET", name, mine[name])
		rc.do("CONFIG", "SET", name, theirs[name])
	}
}

// TestConfigSetRollback sends CONFIG SET with several parameters of which
// one is refused, to MyRedis and real Redis: the errors must match and
// every parameter keep its value.
func TestConfigSetRollback(t *testing.T) {
	ref := startRedis(t)
	my := startServer(t)
	mc, rc := my.dial(t), ref.dial(t)
	watched := []string{"hz", "maxmemory-samples", "notify-keyspace-events", "maxmemory", "busy-reply-threshold",
		"replica-read-only", "slowlog-max-len"}
	cases := [][]string{
		{"hz", "20", "maxmemory-samples", "abc"},
		{"maxmemory-samples", "abc", "hz", "20"},
		{"hz", "20", "hz", "30"},
		{"hz", "21", "HZ", "30"},
		{"hz", "20", "foo", "1"},
		{"hz", "20", "daemonize", "no"},
		{"hz", "20", "dir", "/"},
		{"busy-reply-threshold", "10", "lua-time-limit", "20"},
		{"slave-read-only", "no", "replica-read-only", "yes"},
		{"maxmemory-samples", "7", "notify-keyspace-events", "KEA", "save", "1 1 x"},
		{"notify-keyspace-events", "Kx", "maxmemory", "1gb", "maxmemory-policy", "foo"},
		{"appendfsync", "foo", "hz", "30"},
		{"hz", "9", "slowlog-max-len", "-1"},
		{"slowlog-max-len", "5", "hz", "0", "maxmemory", "-1"},
		{"hz", "500", "maxmemory-samples", "7"}, // accepted: hz is clamped to 500
	}
	for _, pairs := range cases {
		cmd := append([]string{"CONFIG", "SET"}, pairs...)
		assert.Equal(t, rc.do(cmd...), mc.do(cmd...), "%q", cmd)
		for _, name := range watched {
			assert.Equal(t, configValue(t, rc, name), configValue(t, mc, name), "%s after %q", name, cmd)
		}
	}
	// A port that another server holds: the reasons differ (MyRedis names
	// the system error), but both refuse it and roll the others back.
	for _, c := range []struct {
		conn *rawConn
		busy *server
	}{{mc, ref}, {rc, my}} {
		before := configValue(t, c.conn, "maxmemory-samples")
		reply := c.conn.do("CONFIG", "SET", "maxmemory-samples", "9", "port", strconv.Itoa(c.busy.port))
		assert.True(t, strings.HasPrefix(reply, "-ERR CONFIG SET failed (possibly related to argument 'port') - "), "%q", reply)
		assert.Equal(t, before, configValue(t, c.conn, "maxmemory-samples"))
	}
}
