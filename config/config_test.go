package config

import (
	"bufio"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTableMatchesRedis compares CONFIG GET * with the output of Redis
// 7.0.15 (testdata/redis-7.0.15-defaults.tsv, with port, bind, save and dir
// put back to their defaults).
func TestTableMatchesRedis(t *testing.T) {
	f, err := os.Open("testdata/redis-7.0.15-defaults.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := make(map[string]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, _ := strings.Cut(sc.Text(), "\t")
		want[name] = val
	}
	got := make(map[string]string)
	for _, kv := range Default().Get([]string{"*"}) {
		got[kv[0]] = kv[1]
	}
	want["dir"] = got["dir"] // absolute, the working directory
	want["self"], want["peers"] = "", ""
	for name, v := range want {
		if g, ok := got[name]; !ok || g != v {
			t.Errorf("%s = %q (present %v), Redis has %q", name, g, ok, v)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s is not a Redis 7.0.15 parameter", name)
		}
	}
}

func TestGet(t *testing.T) {
	c := Default()
	names := func(pairs [][2]string) []string {
		var out []string
		for _, kv := range pairs {
			out = append(out, kv[0])
		}
		return out
	}
	tests := []struct {
		patterns []string
		want     []string // names, in order
	}{
		{[]string{"port"}, []string{"port"}},
		{[]string{"PORT"}, []string{"PORT"}},
		{[]string{"P*RT"}, []string{"port"}},
		{[]string{"nosuch"}, nil},
		{[]string{"nosuch*"}, nil},
		{[]string{"*ziplist-entries"}, []string{"hash-max-ziplist-entries", "zset-max-ziplist-entries"}},
		{[]string{"hash-max-ziplist-entries", "hash-max-listpack-entries"},
			[]string{"hash-max-ziplist-entries", "hash-max-listpack-entries"}},
		{[]string{"port", "port", "po?t"}, []string{"port"}},
		{[]string{"slaveof", "replicaof"}, []string{"slaveof", "replicaof"}},
		{[]string{"watchdog-period"}, []string{"watchdog-period"}},
		{[]string{"watchdog*"}, nil},
		{[]string{"maxmemory*", "timeout"}, []string{"maxmemory", "maxmemory-policy", "maxmemory-samples",
			"maxmemory-eviction-tenacity", "maxmemory-clients", "timeout"}},
		{[]string{"[sp]eer[s]", "sel?"}, []string{"peers", "self"}},
	}
	for _, tt := range tests {
		got := names(c.Get(tt.patterns))
		if tt.patterns[0] == "maxmemory*" {
			sort.Strings(got[:5])
			sort.Strings(tt.want[:5])
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Get(%q) = %q, want %q", tt.patterns, got, tt.want)
		}
	}

	var withMax []string
	for _, kv := range c.Get([]string{"*max*"}) {
		if !strings.Contains(kv[0], "max") {
			t.Errorf("*max* matched %s", kv[0])
		}
		withMax = append(withMax, kv[0])
	}
	if len(withMax) < 30 {
		t.Errorf("*max* matched only %q", withMax)
	}
	if got := c.Get([]string{"client-output-buffer-limit"}); got[0][1] !=
		"normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60" {
		t.Errorf("client-output-buffer-limit = %q", got[0][1])
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name  string
		pairs [][2]string
		err   string            // "" for success
		want  map[string]string // CONFIG GET values afterwards
	}{
		{"int", [][2]string{{"maxclients", "50"}}, "", map[string]string{"maxclients": "50"}},
		{"int not a number", [][2]string{{"maxclients", "abc"}},
			"ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer", nil},
		{"int below min", [][2]string{{"maxclients", "0"}},
			"ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive", nil},
		{"int non-canonical", [][2]string{{"timeout", "+5"}},
			"ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer", nil},
		{"negative int", [][2]string{{"slowlog-log-slower-than", "-1"}}, "", map[string]string{"slowlog-log-slower-than": "-1"}},
		{"negative int below min", [][2]string{{"slowlog-log-slower-than", "-2"}},
			"ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive", nil},
		{"memory", [][2]string{{"maxmemory", "1GB"}}, "", map[string]string{"maxmemory": "1073741824"}},
		{"memory empty is zero", [][2]string{{"maxmemory", ""}}, "", map[string]string{"maxmemory": "0"}},
		{"bad memory", [][2]string{{"maxmemory", "1.5mb"}},
			"ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value", nil},
		{"memory below min", [][2]string{{"proto-max-bulk-len", "10"}},
			"ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive", nil},
		{"memory or percent", [][2]string{{"maxmemory-clients", "-5"}},
			"ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value", nil},
		{"zero percent", [][2]string{{"maxmemory-clients", "0%"}}, "", map[string]string{"maxmemory-clients": "0"}},
		{"bool", [][2]string{{"appendonly", "YES"}}, "", map[string]string{"appendonly": "yes"}},
		{"bad bool", [][2]string{{"appendonly", "maybe"}},
			"ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'", nil},
		{"enum", [][2]string{{"loglevel", "WARNING"}}, "", map[string]string{"loglevel": "warning"}},
		{"bad enum", [][2]string{{"maxmemory-policy", "allkeys-lru volatile-lru"}},
			"ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: " +
				"volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction", nil},
		{"string", [][2]string{{"requirepass", "s e c"}}, "", map[string]string{"requirepass": "s e c"}},
		{"string check", [][2]string{{"cluster-announce-hostname", "a_b"}},
			"ERR CONFIG SET failed (possibly related to argument 'cluster-announce-hostname') - Hostnames may only contain alphanumeric characters, hyphens or dots", nil},
		{"proc title", [][2]string{{"proc-title-template", "{title}"}},
			"ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables", nil},
		{"save", [][2]string{{"save", "100 1 200 2"}}, "", map[string]string{"save": "100 1 200 2"}},
		{"save off", [][2]string{{"save", ""}}, "", map[string]string{"save": ""}},
		{"bad save", [][2]string{{"save", "100  1"}},
			"ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters", nil},
		{"bind", [][2]string{{"bind", "127.0.0.1 ::1"}}, "", map[string]string{"bind": "127.0.0.1 ::1"}},
		{"keyspace events", [][2]string{{"notify-keyspace-events", "Kn"}}, "", map[string]string{"notify-keyspace-events": "nK"}},
		{"keyspace events all", [][2]string{{"notify-keyspace-events", "gxE$lshzetmdn"}}, "", map[string]string{"notify-keyspace-events": "AEm"}},
		{"output buffer", [][2]string{{"client-output-buffer-limit", "normal 1mb 2gb 3"}}, "",
			map[string]string{"client-output-buffer-limit": "normal 1048576 2147483648 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}},
		{"output buffer arity", [][2]string{{"client-output-buffer-limit", "normal 1 2"}},
			"ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.", nil},
		{"oom values", [][2]string{{"oom-score-adj-values", "0 200"}},
			"ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments", nil},
		{"percentiles", [][2]string{{"latency-tracking-info-percentiles", "1e1 99.99 100"}}, "",
			map[string]string{"latency-tracking-info-percentiles": "10 99.99 100"}},
		{"shutdown flags", [][2]string{{"shutdown-on-sigterm", "save nosave"}},
			"ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigterm') - shutdown options SAVE and NOSAVE can't be used simultaneously", nil},
		{"hz capped", [][2]string{{"hz", "1000"}}, "", map[string]string{"hz": "500"}},
		{"backlog raised", [][2]string{{"repl-backlog-size", "1k"}}, "", map[string]string{"repl-backlog-size": "16384"}},
		{"output buffer empty is no change", [][2]string{{"client-output-buffer-limit", ""}}, "",
			map[string]string{"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}},
		{"alias", [][2]string{{"SLAVE-priority", "7"}}, "", map[string]string{"replica-priority": "7", "slave-priority": "7"}},
		{"alias error names the alias", [][2]string{{"SLAVE-priority", "x"}},
			"ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer", nil},
		{"unknown", [][2]string{{"foo", "1"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'", nil},
		{"immutable", [][2]string{{"databases", "3"}},
			"ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config", nil},
		{"immutable self", [][2]string{{"self", "a:1"}},
			"ERR CONFIG SET failed (possibly related to argument 'self') - can't set immutable config", nil},
		{"immutable peers", [][2]string{{"Peers", ""}},
			"ERR CONFIG SET failed (possibly related to argument 'Peers') - can't set immutable config", nil},
		{"protected", [][2]string{{"Dir", "/tmp"}},
			"ERR CONFIG SET failed (possibly related to argument 'Dir') - can't set protected config", nil},
		{"duplicate", [][2]string{{"port", "1"}, {"PORT", "2"}},
			"ERR CONFIG SET failed (possibly related to argument 'PORT') - duplicate parameter", nil},
		{"alias is another name", [][2]string{{"hash-max-ziplist-entries", "1"}, {"hash-max-listpack-entries", "2"}}, "",
			map[string]string{"hash-max-listpack-entries": "2"}},
		{"several pairs", [][2]string{{"port", "7000"}, {"maxmemory", "1mb"}, {"appendfsync", "always"}}, "",
			map[string]string{"port": "7000", "maxmemory": "1048576", "appendfsync": "always"}},
		{"all or nothing", [][2]string{{"port", "7000"}, {"maxclients", "x"}},
			"ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer",
			map[string]string{"port": "6379", "maxclients": "10000"}},
		{"first error wins", [][2]string{{"port", "x"}, {"nosuch", "1"}},
			"ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'", nil},
		{"no pairs", nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			err := c.Set(tt.pairs)
			if got := errString(err); got != tt.err {
				t.Fatalf("Set error %q, want %q", got, tt.err)
			}
			for name, want := range tt.want {
				if got := c.String(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestSetProtectedAllowed(t *testing.T) {
	c, err := Load("", []string{"--enable-protected-configs", "yes"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := c.Set([][2]string{{"dir", dir}, {"dbfilename", "x.rdb"}}); err != nil {
		t.Fatal(err)
	}
	if c.Dir() != dir || c.String("dbfilename") != "x.rdb" {
		t.Errorf("dir %q dbfilename %q", c.Dir(), c.String("dbfilename"))
	}
	want := "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename"
	if err := c.Set([][2]string{{"dbfilename", "a/b"}}); errString(err) != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestDefaultsRoundTrip sets every parameter to the value CONFIG GET shows
// for it: mutable ones must accept it unchanged, the others must give
// Redis's refusal.
func TestDefaultsRoundTrip(t *testing.T) {
	c := Default()
	for _, p := range Params() {
		for _, name := range []string{p.Name, p.Alias} {
			if name == "" {
				continue
			}
			before := c.String(name)
			err := c.Set([][2]string{{name, before}})
			switch {
			case !p.Mutable:
				if want := "ERR CONFIG SET failed (possibly related to argument '" + name + "') - can't set immutable config"; errString(err) != want {
					t.Errorf("%s: %v", name, err)
				}
			case p.Protected:
				if want := "ERR CONFIG SET failed (possibly related to argument '" + name + "') - can't set protected config"; errString(err) != want {
					t.Errorf("%s: %v", name, err)
				}
			case err != nil:
				t.Errorf("Set(%s, %q): %v", name, before, err)
			}
			if after := c.String(name); after != before {
				t.Errorf("%s changed from %q to %q", name, before, after)
			}
		}
	}
}

func TestGetters(t *testing.T) {
	c, err := Load("", []string{"--timeout", "30", "--tcp-keepalive", "60", "--notify-keyspace-events", "KA",
		"--client-output-buffer-limit", "replica", "1mb", "512kb", "30", "--maxmemory-clients", "5%"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Timeout() != 30*time.Second || c.TCPKeepAlive() != time.Minute {
		t.Errorf("timeout %v keepalive %v", c.Timeout(), c.TCPKeepAlive())
	}
	if got := c.NotifyKeyspaceEvents(); got != "g$lshzxetdK" {
		t.Errorf("NotifyKeyspaceEvents() = %q", got)
	}
	if got := c.ClientOutputBufferLimit("slave"); got != (OutputBufferLimit{1 << 20, 512 << 10, 30 * time.Second}) {
		t.Errorf("replica limits %+v", got)
	}
	if got := c.ClientOutputBufferLimit("pubsub"); got != (OutputBufferLimit{32 << 20, 8 << 20, time.Minute}) {
		t.Errorf("pubsub limits %+v", got)
	}
	if c.Int("maxmemory-clients") != -5 || c.Int("proto-max-bulk-len") != 512<<20 || !c.Bool("aof-use-rdb-preamble") ||
		c.ProtoMaxBulkLen() != 512<<20 || c.ClientQueryBufferLimit() != 1<<30 || c.AutoAOFRewritePercentage() != 100 ||
		c.AutoAOFRewriteMinSize() != 64<<20 || !c.AOFLoadTruncated() || c.AppendDirname() != "appendonlydir" ||
		c.PidFile() != "" || c.Path() != "" || c.Self() != "" || c.Peers() != nil {
		t.Errorf("defaults: %q", c.Get([]string{"*"}))
	}
}

func TestParams(t *testing.T) {
	want := map[string]ParamInfo{
		"port":         {Name: "port", Default: "6379", Mutable: true, Used: true},
		"databases":    {Name: "databases", Default: "16", Used: true},
		"dir":          {Name: "dir", Default: "./", Mutable: true, Protected: true, Used: true},
		"replicaof":    {Name: "replicaof", Alias: "slaveof"},
		"peers":        {Name: "peers", Used: true},
		"activedefrag": {Name: "activedefrag", Default: "no", Mutable: true},
	}
	for _, p := range Params() {
		if w, ok := want[p.Name]; ok && p != w {
			t.Errorf("%+v, want %+v", p, w)
		}
	}
}

func TestOnChange(t *testing.T) {
	c := Default()
	var calls [][]string
	c.OnChange(func(names []string) {
		if c.Hz() == 0 { // observers may read the config
			t.Error("hz 0")
		}
		calls = append(calls, names)
	})
	mustSet := func(pairs ...[2]string) {
		t.Helper()
		if err := c.Set(pairs); err != nil {
			t.Fatal(err)
		}
	}
	mustSet([2]string{"requirepass", "x"}, [2]string{"hz", "20"})
	mustSet([2]string{"hz", "20"})               // no change: no call
	c.Set([][2]string{{"hz", "30"}, {"x", "1"}}) // failure: no call
	mustSet([2]string{"slave-priority", "1"})
	want := [][]string{{"requirepass", "hz"}, {"replica-priority"}}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("calls %q, want %q", calls, want)
	}
}

// TestConcurrentSetGet runs Set against getters and Get; run it with -race.
func TestConcurrentSetGet(t *testing.T) {
	c := Default()
	c.OnChange(func([]string) { _ = c.MaxClients() })
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if n := c.MaxClients(); n != 100 && n != 200 && n != 10000 {
					t.Errorf("MaxClients() = %d", n)
					return
				}
				_ = c.RequirePass()
				_ = c.Get([]string{"max*"})
			}
		}()
	}
	for i := 0; i < 500; i++ {
		n := []string{"100", "200"}[i%2]
		if err := c.Set([][2]string{{"maxclients", n}, {"requirepass", n}}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}
