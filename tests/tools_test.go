package tests

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runTool runs one of Redis's command-line tools against s with stdin as its
// input and returns its combined output; it fails the test if the tool exits
// non-zero or runs longer than a minute.
func runTool(t *testing.T, s *server, path string, stdin []byte, args ...string) string {
	t.Helper()
	skipIfMissing(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.port)}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", path, args, err, out)
	}
	return string(out)
}

func TestRedisCLI(t *testing.T) {
	skipIfMissing(t, redisCLIPath)
	s := startServer(t)
	cli := func(args ...string) string { return runTool(t, s, redisCLIPath, nil, args...) }
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"set", "k", "v"}, "OK\n"},
		{[]string{"get", "k"}, "v\n"},
		{[]string{"--raw", "get", "k"}, "v\n"},
		{[]string{"--no-raw", "get", "k"}, "\"v\"\n"},
		{[]string{"--no-raw", "get", "missing"}, "(nil)\n"},
		{[]string{"--no-raw", "incr", "n"}, "(integer) 1\n"},
		{[]string{"--no-raw", "mget", "k", "missing"}, "1) \"v\"\n2) (nil)\n"},
		{[]string{"--no-raw", "get"}, "(error) ERR wrong number of arguments for 'get' command\n"},
		{[]string{"-n", "2", "set", "in2", "x"}, "OK\n"},
		{[]string{"-n", "2", "get", "in2"}, "x\n"},
		{[]string{"get", "in2"}, "\n"},
		{[]string{"-3", "--no-raw", "get", "missing"}, "(nil)\n"},
	}
	for _, st := range steps {
		if got := cli(st.args...); got != st.want {
			t.Errorf("redis-cli %q: got %q, want %q", st.args, got, st.want)
		}
	}
	c := s.dial(t)
	c.mustDo("+OK\r\n", "SELECT", "2")
	c.mustDo("$1\r\nx\r\n", "GET", "in2")

	if info := cli("info", "server"); !strings.Contains(info, "# Server") || !strings.Contains(info, "redis_version:") {
		t.Errorf("redis-cli info server: no \"# Server\" section with redis_version:\n%s", info)
	}
}

func TestRedisCLIPipe(t *testing.T) {
	skipIfMissing(t, redisCLIPath)
	s := startServer(t)
	const n = 10000
	var input bytes.Buffer
	for i := 0; i < n; i++ {
		input.Write(encodeCommand([]string{"SET", fmt.Sprintf("key:%05d", i), fmt.Sprintf("value-%d", i)}))
	}
	out := runTool(t, s, redisCLIPath, input.Bytes(), "--pipe")
	if want := fmt.Sprintf("errors: 0, replies: %d", n); !strings.Contains(out, want) {
		t.Errorf("redis-cli --pipe output lacks %q:\n%s", want, out)
	}
	c := s.dial(t)
	c.mustDo(fmt.Sprintf(":%d\r\n", n), "DBSIZE")
	c.mustDo("$9\r\nvalue-123\r\n", "GET", "key:00123")
}

// benchLine matches one result line of redis-benchmark -q.
var benchLine = regexp.MustCompile(`^\s*(\S[^:]*): ([0-9.]+) requests per second`)

func TestRedisBenchmark(t *testing.T) {
	skipIfMissing(t, redisBenchmarkPath)
	s := startServer(t)
	wantTests := []string{"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"}
	for _, pipeline := range []string{"1", "16"} {
		out := runTool(t, s, redisBenchmarkPath, nil, "-t", "set,get,incr,mset,ping", "-n", "10000", "-q", "-P", pipeline)
		got := map[string]bool{}
		// -q progress lines end with \r, results with \n.
		for _, line := range strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' }) {
			if m := benchLine.FindStringSubmatch(line); m != nil {
				got[m[1]] = true
			} else if strings.Contains(strings.ToLower(line), "err") {
				t.Errorf("-P %s: error line: %q", pipeline, line)
			}
		}
		for _, name := range wantTests {
			if !got[name] {
				t.Errorf("-P %s: no result line for %s in:\n%s", pipeline, name, out)
			}
		}
	}
	c := s.dial(t)
	c.mustDo(":1\r\n", "EXISTS", "key:__rand_int__")
	// Without -r, INCR hits one key: 10000 requests per run, two runs.
	c.mustDo("$5\r\n20000\r\n", "GET", "counter:__rand_int__")
}
