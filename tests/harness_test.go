// Package tests holds the integration tests: they build the real binary once,
// start it per test on a free loopback port and talk to it over TCP with raw
// RESP frames, go-redis, redis-cli and redis-benchmark, comparing with real
// Redis where it is installed.
//
// Oracle cases live in cases/*.yaml (format in oracle_test.go): adding a file
// there adds its cases. Environment: MYREDIS_SEED replays a random test;
// MYREDIS_BIN tests another binary instead of building ./my_redis
// (MYREDIS_BIN=/usr/bin/redis-server checks the suite against Redis itself).
package tests

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Paths of the external programs the tests drive. Tests that need a missing
// one skip with a one-line reason.
const (
	redisServerPath    = "/usr/bin/redis-server"
	redisCLIPath       = "/usr/bin/redis-cli"
	redisBenchmarkPath = "/usr/bin/redis-benchmark"
)

// Time limits of the harness.
const (
	startTimeout = 10 * time.Second // from exec to the first reply to PING
	stopTimeout  = 5 * time.Second  // from SIGTERM to SIGKILL
	ioTimeout    = 5 * time.Second  // per raw request/reply exchange
)

// binPath is the MyRedis binary built once by TestMain; idgoPath is the
// examples/idgo binary built with it (empty when MYREDIS_BIN names the
// server: the idgo tests then skip).
var binPath, idgoPath string

// TestMain builds the binary, unless the environment variable MYREDIS_BIN
// names one to test instead (MYREDIS_BIN=/usr/bin/redis-server checks the
// suite itself against real Redis).
func TestMain(m *testing.M) {
	if binPath = os.Getenv("MYREDIS_BIN"); binPath != "" {
		os.Exit(m.Run())
	}
	os.Exit(buildAndRun(m))
}

// buildAndRun builds ./my_redis and ./examples/idgo into a temporary
// directory (with -race when the suite runs with -race), runs the tests and
// removes the directory. It returns the process exit code.
func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "myredis-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "my_redis")
	idgoPath = filepath.Join(dir, "idgo")
	for bin, pkg := range map[string]string{binPath: "./my_redis", idgoPath: "./examples/idgo"} {
		args := []string{"build", "-o", bin}
		if raceEnabled {
			args = append(args, "-race")
		}
		build := exec.Command("go", append(args, pkg)...)
		build.Dir = ".." // the module root
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "tests: go build %s: %v\n%s", pkg, err, out)
			return 1
		}
	}
	return m.Run()
}

// A server is one running server process (MyRedis or real Redis) owned by a
// test. It is stopped by the test's cleanup. Its methods other than wait and
// stop must only be called from the test goroutine that started it, except
// dial and addr, which are safe for concurrent use.
type server struct {
	name    string // "myredis" or "redis", for messages
	port    int
	dir     string // the server's working directory (its --dir)
	logPath string // the server's stderr
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has exited
	exitErr error         // the result of cmd.Wait, valid after exited is closed
}

// startServer starts the MyRedis binary on a free loopback port with its own
// temporary directory, waits until it answers PING and registers its stop.
// extraArgs are appended to the command line (e.g. "--requirepass", "x").
func startServer(t testing.TB, extraArgs ...string) *server {
	t.Helper()
	return startProcess(t, "myredis", binPath, func(port int, dir string) []string {
		args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "no"}
		return append(args, extraArgs...)
	})
}

// startRedis is startServer for Debian's redis-server, which the oracle tests
// compare against. It skips the test when redis-server is not installed.
func startRedis(t testing.TB, extraArgs ...string) *server {
	t.Helper()
	skipIfMissing(t, redisServerPath)
	return startProcess(t, "redis", redisServerPath, func(port int, dir string) []string {
		args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--save", "", "--appendonly", "no"}
		return append(args, extraArgs...)
	})
}

// haveRedis reports whether the real Redis server is installed.
func haveRedis() bool {
	_, err := os.Stat(redisServerPath)
	return err == nil
}

// skipIfMissing skips the test when the program at path is not installed.
func skipIfMissing(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s not installed: %v", filepath.Base(path), err)
	}
}

// launch starts path with args in dir on port (which args must name): the
// caller chooses both (startProcess picks fresh ones), so a test can also
// restart a server on its own files. Its stderr goes to a new log file in
// dir. launch does not wait for the server: call waitReady, or wait for an
// exit. The process is stopped by the test's cleanup.
func launch(t testing.TB, name, path, dir string, port int, args []string) *server {
	t.Helper()
	logFile, err := os.CreateTemp(dir, "stderr.*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child holds its own descriptor
	s := &server{name: name, port: port, dir: dir, logPath: logFile.Name(), exited: make(chan struct{})}
	s.cmd = exec.Command(path, args...)
	s.cmd.Dir = dir
	if raceEnabled {
		// A race the detector finds stops the server at once: the test
		// sees it die, and its log holds the report.
		s.cmd.Env = append(os.Environ(), "GORACE=halt_on_error=1")
	}
	s.cmd.Stdout = logFile
	s.cmd.Stderr = logFile
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("%s: start %s: %v", name, path, err)
	}
	go func() {
		s.exitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.stop()
		if out, _ := os.ReadFile(s.logPath); bytes.Contains(out, []byte("WARNING: DATA RACE")) {
			t.Errorf("%s: the race detector found a data race", name)
		}
		if t.Failed() {
			s.logOutput(t)
		}
	})
	return s
}

// startProcess runs path with the arguments argsFor returns for a free port
// and a fresh directory. Because the port is picked by binding and closing it,
// another process may take it first: a process that exits before answering
// PING is retried on a new port, a few times.
func startProcess(t testing.TB, name, path string, argsFor func(port int, dir string) []string) *server {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		dir := t.TempDir()
		port, err := freePort()
		if err != nil {
			t.Fatalf("%s: pick a port: %v", name, err)
		}
		s := launch(t, name, path, dir, port, argsFor(port, dir))
		if lastErr = s.waitReady(); lastErr == nil {
			return s
		}
		if s.running() {
			// It is alive but mute: not a port race, so do not retry.
			s.logOutput(t)
			t.Fatalf("%s: %v", name, lastErr)
		}
	}
	t.Fatalf("%s: did not start: %v", name, lastErr)
	return nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls until the server answers PING with any complete reply (an
// error such as -NOAUTH counts: the server is up), the process exits, or
// startTimeout passes.
func (s *server) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		if !s.running() {
			return fmt.Errorf("exited before answering PING: %v", s.exitErr)
		}
		if err := s.ping(); err == nil {
			return nil
		}
		select {
		case <-s.exited:
		case <-time.After(10 * time.Millisecond):
		}
	}
	return fmt.Errorf("no reply to PING within %v", startTimeout)
}

// ping sends one PING on a new connection and reads its reply.
func (s *server) ping() error {
	c, err := net.DialTimeout("tcp", s.addr(), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	_, err = readReply(bufio.NewReader(c))
	return err
}

// addr returns the server's host:port.
func (s *server) addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// pid returns the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }

// running reports whether the process has not exited yet.
func (s *server) running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// wait waits up to d for the process to exit and returns its exit code, or
// an error if it is still running or was killed by a signal.
func (s *server) wait(d time.Duration) (int, error) {
	select {
	case <-s.exited:
	case <-time.After(d):
		return 0, fmt.Errorf("%s still running after %v", s.name, d)
	}
	code := s.cmd.ProcessState.ExitCode()
	if code < 0 {
		return code, fmt.Errorf("%s: %v", s.name, s.cmd.ProcessState)
	}
	return code, nil
}

// stop sends SIGTERM, waits up to stopTimeout, then sends SIGKILL. It is a
// no-op for a process that has already exited.
func (s *server) stop() {
	if !s.running() {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	if _, err := s.wait(stopTimeout); err == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
}

// logOutput logs the server's stderr (its last 64 KiB).
func (s *server) logOutput(t testing.TB) {
	t.Helper()
	out, err := os.ReadFile(s.logPath)
	if err != nil {
		t.Logf("%s: read log: %v", s.name, err)
		return
	}
	if len(out) > 64<<10 {
		out = out[len(out)-64<<10:]
	}
	t.Logf("%s (pid %d) stderr:\n%s", s.name, s.pid(), out)
}

// rssBytes returns the server's resident set size from /proc.
func (s *server) rssBytes() (int64, error) {
	return procKB(fmt.Sprintf("/proc/%d/status", s.pid()), "VmRSS")
}

// procKB returns, in bytes, the field of a /proc file that lists sizes as
// "name:   N kB" lines.
func procKB(path, name string) (int64, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range bytes.Split(text, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte(name+":")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte("kB")))), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in %s", name, path)
}

// A rawConn is a plain TCP connection speaking RESP by hand. Every read and
// write has a deadline of ioTimeout. Not safe for concurrent use.
type rawConn struct {
	t testing.TB
	c net.Conn
	r *bufio.Reader
}

// dial opens a raw connection to s, closed by the test's cleanup.
func (s *server) dial(t testing.TB) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.addr(), ioTimeout)
	if err != nil {
		t.Fatalf("%s: dial: %v", s.name, err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, r: bufio.NewReader(c)}
}

// send writes data as is.
func (c *rawConn) send(data string) {
	c.t.Helper()
	c.c.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := c.c.Write([]byte(data)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read reads one complete reply and returns its raw bytes.
func (c *rawConn) read() string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(ioTimeout))
	reply, err := readReply(c.r)
	if err != nil {
		c.t.Fatalf("read reply: %v (got so far %q)", err, reply)
	}
	return string(reply)
}

// do sends args as a RESP array and returns the raw reply.
func (c *rawConn) do(args ...string) string {
	c.t.Helper()
	c.send(string(encodeCommand(args)))
	return c.read()
}

// mustDo is do that fails the test unless the reply is want.
func (c *rawConn) mustDo(want string, args ...string) {
	c.t.Helper()
	if got := c.do(args...); got != want {
		c.t.Fatalf("%q: got %q, want %q", args, got, want)
	}
}

// expectClosed fails the test unless the server closes the connection
// within d; bytes received before the close are returned.
func (c *rawConn) expectClosed(d time.Duration) string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(d))
	var rest bytes.Buffer
	_, err := rest.ReadFrom(c.r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("connection still open after %v (received %q)", d, rest.String())
	}
	// io.EOF (absorbed by ReadFrom) and ECONNRESET both mean closed.
	return rest.String()
}

// encodeCommand returns args as a RESP array of bulk strings.
func encodeCommand(args []string) []byte {
	b := fmt.Appendf(nil, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b
}
