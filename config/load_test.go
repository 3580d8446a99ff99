package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeConf writes a config file into dir and returns its path.
func writeConf(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFile(t *testing.T) {
	tests := []struct {
		name string
		conf string
		want map[string]string // CONFIG GET values
	}{
		{"empty file", "", map[string]string{"port": "6379", "save": "3600 1 300 100 60 10000"}},
		{"comments and blanks", "# port 1\n\n   \n  # x\nport 7000\n", map[string]string{"port": "7000"}},
		{"last value wins", "port 1\nport 2\nPORT 3\n", map[string]string{"port": "3"}},
		{"case-insensitive names and values", "MaxMemory-Policy ALLKEYS-LRU\nAppendOnly YES\n",
			map[string]string{"maxmemory-policy": "allkeys-lru", "appendonly": "yes"}},
		{"CRLF line ends", "port 7000\r\nhz 20\r\n", map[string]string{"port": "7000", "hz": "20"}},
		{"quotes", "requirepass \"a b\\x21\"\nmasterauth 'it\\'s'\nlogfile \"\"\n",
			map[string]string{"requirepass": "a b!", "masterauth": "it's", "logfile": ""}},
		{"memory units", "maxmemory 1k\nauto-aof-rewrite-min-size 1KB\nrepl-backlog-size 2mb\n" +
			"client-query-buffer-limit 1G\nproto-max-bulk-len 2gb\nhash-max-listpack-value 5m\n",
			map[string]string{"maxmemory": "1000", "auto-aof-rewrite-min-size": "1024",
				"repl-backlog-size": "2097152", "client-query-buffer-limit": "1000000000",
				"proto-max-bulk-len": "2147483648", "hash-max-listpack-value": "5000000"}},
		{"aliases", "slave-priority 5\nhash-max-ziplist-entries 7\nslaveof 10.0.0.1 6380\n",
			map[string]string{"replica-priority": "5", "hash-max-listpack-entries": "7", "replicaof": "10.0.0.1 6380"}},
		{"save lines add up", "save 900 1\nsave 300 10\n", map[string]string{"save": "900 1 300 10"}},
		{"save empty", "save 900 1\nsave \"\"\n", map[string]string{"save": ""}},
		{"multi-argument bind", "bind 127.0.0.1 -::1\n", map[string]string{"bind": "127.0.0.1 -::1"}},
		{"hz is capped", "hz 1000\n", map[string]string{"hz": "500"}},
		{"hz zero is raised", "hz 0\n", map[string]string{"hz": "1"}},
		{"keyspace events normalized", "notify-keyspace-events KEA\n", map[string]string{"notify-keyspace-events": "AKE"}},
		{"output buffer classes merge", "client-output-buffer-limit pubsub 64mb 16mb 90\n",
			map[string]string{"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 90"}},
		{"percent memory", "maxmemory-clients 10%\n", map[string]string{"maxmemory-clients": "10%"}},
		{"octal", "unixsocketperm 700\n", map[string]string{"unixsocketperm": "700"}},
		{"enum synonym", "oom-score-adj relative\n", map[string]string{"oom-score-adj": "yes"}},
		{"shutdown flags", "shutdown-on-sigint now nosave\n", map[string]string{"shutdown-on-sigint": "nosave now"}},
		{"deprecated directives ignored", "list-max-ziplist-entries 5\nlua-replicate-commands yes\n", nil},
		{"self and peers", "self [::1]:7000\npeers host-a:7001,10.0.0.2:7002\n",
			map[string]string{"self": "[::1]:7000", "peers": "host-a:7001,10.0.0.2:7002"}},
		{"empty peers", "peers a:1\npeers \"\"\n", map[string]string{"peers": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConf(t, t.TempDir(), "redis.conf", tt.conf)
			c, err := Load(path, nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			for name, want := range tt.want {
				if got := c.String(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		conf string
		want string // the error after "<path>:"
	}{
		{"port 1\n\nport abc\n", "3: 'port abc': argument couldn't be parsed into an integer"},
		{"foo bar\n", "1: 'foo bar': Bad directive or wrong number of arguments"},
		{"port \"12\n", "1: 'port \"12': Unbalanced quotes in configuration line"},
		{"port 1 2\n", "1: 'port 1 2': wrong number of arguments"},
		{"port\n", "1: 'port': wrong number of arguments"},
		{"port 70000\n", "1: 'port 70000': argument must be between 0 and 65535 inclusive"},
		{"  Databases 0  \n", "1: 'Databases 0': argument must be between 1 and 2147483647 inclusive"},
		{"maxmemory 1x\n", "1: 'maxmemory 1x': argument must be a memory value"},
		{"maxmemory -1\n", "1: 'maxmemory -1': argument must be a memory value"},
		{"maxmemory-clients 101%\n", "1: 'maxmemory-clients 101%': percentage argument must be less or equal to 100"},
		{"appendfsync sometimes\n", "1: 'appendfsync sometimes': argument(s) must be one of the following: everysec, always, no"},
		{"daemonize maybe\n", "1: 'daemonize maybe': argument must be 'yes' or 'no'"},
		{"timeout 05\n", "1: 'timeout 05': argument couldn't be parsed into an integer"},
		{"save 1\n", "1: 'save 1': Invalid save parameters"},
		{"save 0 1\n", "1: 'save 0 1': Invalid save parameters"},
		{"appendfilename a/b\n", "1: 'appendfilename a/b': appendfilename can't be a path, just a filename"},
		{"appendfilename \"\"\n", "1: 'appendfilename \"\"': appendfilename can't be empty"},
		{"notify-keyspace-events Kq\n", "1: 'notify-keyspace-events Kq': Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{"client-output-buffer-limit master 1 2 3\n",
			"1: 'client-output-buffer-limit master 1 2 3': Invalid client class specified in buffer limit configuration."},
		{"self 127.0.0.1\n", "1: 'self 127.0.0.1': '127.0.0.1' is not a host:port address"},
		{"self :6379\n", "1: 'self :6379': ':6379' is not a host:port address"},
		{"peers a:1,b:0\n", "1: 'peers a:1,b:0': port of 'b:0' must be between 1 and 65535"},
		{"peers a:1,b:65536\n", "1: 'peers a:1,b:65536': port of 'b:65536' must be between 1 and 65535"},
		{"peers a:1,,b:2\n", "1: 'peers a:1,,b:2': '' is not a host:port address"},
		{"peers a:1 b:2\n", "1: 'peers a:1 b:2': wrong number of arguments"},
	}
	for _, tt := range tests {
		path := writeConf(t, t.TempDir(), "redis.conf", tt.conf)
		_, err := Load(path, nil)
		if want := path + ":" + tt.want; err == nil || err.Error() != want {
			t.Errorf("Load(%q) error = %v\nwant %s", tt.conf, err, want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope.conf"), nil); err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
}

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // include paths are relative to the working directory
	writeConf(t, dir, "base.conf", "port 1000\nhz 20\n")
	os.Mkdir(filepath.Join(dir, "conf.d"), 0o755)
	writeConf(t, dir, "conf.d/a.conf", "timeout 5\n")
	writeConf(t, dir, "conf.d/b.conf", "timeout 6\n")
	main := writeConf(t, dir, "main.conf",
		"port 1\ninclude base.conf\nhz 30\ninclude conf.d/*.conf\ninclude empty.d/*.conf\n")
	c, err := Load(main, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"port": "1000", "hz": "30", "timeout": "6"} {
		if got := c.String(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}

	writeConf(t, dir, "bad.conf", "\nport x\n")
	bad := writeConf(t, dir, "outer.conf", "include bad.conf\n")
	if _, err := Load(bad, nil); err == nil || err.Error() != "bad.conf:2: 'port x': argument couldn't be parsed into an integer" {
		t.Errorf("error in included file: %v", err)
	}
	missing := writeConf(t, dir, "missing.conf", "include nothere.conf\n")
	if _, err := Load(missing, nil); err == nil || !strings.HasPrefix(err.Error(), missing+":1: 'include nothere.conf': open nothere.conf") {
		t.Errorf("missing include: %v", err)
	}
	loop := writeConf(t, dir, "loop.conf", "include loop.conf\n")
	if _, err := Load(loop, nil); err == nil || !strings.Contains(err.Error(), "include nesting too deep") {
		t.Errorf("include loop: %v", err)
	}
}

func TestOverrides(t *testing.T) {
	path := writeConf(t, t.TempDir(), "redis.conf", "port 1\npeers a:1,b:2\nsave 900 1\n")
	c, err := Load(path, []string{"--port", "7000", "--dir", "/tmp/x", "--peers", "", "--save", "300", "10", "--Bind", "1.2.3.4", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Port() != 7000 || c.Dir() != "/tmp/x" || c.Peers() != nil ||
		c.String("save") != "900 1 300 10" || !reflect.DeepEqual(c.Bind(), []string{"1.2.3.4", "::1"}) {
		t.Errorf("port %d dir %q peers %q save %q bind %q", c.Port(), c.Dir(), c.Peers(), c.String("save"), c.Bind())
	}

	errTests := []struct {
		args []string
		want string
	}{
		{[]string{"--port", "abc"}, "command line '--port abc': argument couldn't be parsed into an integer"},
		{[]string{"--port"}, "command line '--port': wrong number of arguments"},
		{[]string{"--port", "1", "2"}, "command line '--port 1 2': wrong number of arguments"},
		{[]string{"--nope", "1"}, "command line '--nope 1': Bad directive or wrong number of arguments"},
		{[]string{"port", "1"}, "command line 'port 1': expected --name before values"},
		{[]string{"--self", ""}, ""},
		{[]string{"--self", "", "--peers", "x"}, "command line '--peers x': 'x' is not a host:port address"},
	}
	for _, tt := range errTests {
		_, err := Load("", tt.args)
		if got := ""; err != nil {
			got = err.Error()
			if got != tt.want {
				t.Errorf("Load(%q) error %q, want %q", tt.args, got, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("Load(%q) succeeded, want %q", tt.args, tt.want)
		}
	}
}

// TestSeedConf loads the seed project's configuration as it was.
func TestSeedConf(t *testing.T) {
	c, err := Load("../tests/testdata/seed.conf", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Bind(), []string{"0.0.0.0"}) || c.Port() != 6379 || c.Databases() != 16 ||
		!c.AppendOnly() || c.AppendFilename() != "appendonly.aof" || c.Self() != "127.0.0.1:6379" ||
		!reflect.DeepEqual(c.Peers(), []string{"127.0.0.1:6380", "127.0.0.1:6381"}) {
		t.Errorf("seed.conf loaded as %q", c.Get([]string{"bind", "port", "databases", "append*", "self", "peers"}))
	}
	if !strings.HasSuffix(c.Path(), "/tests/testdata/seed.conf") || !filepath.IsAbs(c.Path()) {
		t.Errorf("Path() = %q", c.Path())
	}
}

// TestBundledConf loads the repository's redis.conf, which must run a
// stand-alone server.
func TestBundledConf(t *testing.T) {
	c, err := Load("../redis.conf", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Peers() != nil || c.Port() != 6379 || !reflect.DeepEqual(c.Bind(), []string{"127.0.0.1"}) ||
		!c.AppendOnly() || c.AppendFsync() != "everysec" || c.RequirePass() != "" || c.Timeout() != 0 ||
		c.MaxClients() != 10000 || c.Hz() != 10 || c.LogLevel() != "notice" || c.LogFile() != "" ||
		!strings.HasSuffix(c.Dir(), "/data") {
		t.Errorf("redis.conf loaded as %q", c.Get([]string{"*"}))
	}
}
