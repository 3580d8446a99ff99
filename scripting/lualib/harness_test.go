package lualib

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

// A luaCase is a Lua snippet and the reply EVAL gives for it. The snippet
// runs after luaPrelude, on the same line, as the body of a script named
// user_script (Redis's name), so every error it catches says
// "user_script:1:".
type luaCase struct {
	name string
	src  string
	want any // a reply: string, int64, nil, []any, statusReply, errorReply
}

type (
	statusReply string
	errorReply  string
)

// luaPrelude defines the helpers the snippets use, as locals (Redis's
// scripts may not create globals):
//
//	E(f, ...)  the message of the error f(...) raises, or "no error"
//	H(s)       s in hexadecimal
//	N(x)       x as a string with all its digits: "%.17g", "inf", "nan"
//	V(...)     its arguments as an array of strings tagged with their type
//	D(v)       v as a string, tables with their keys sorted
const luaPrelude = `local function E(f, ...) local ok, e = pcall(f, ...) if ok then return 'no error' end return e end ` +
	`local function H(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end ` +
	`local function N(x) if x ~= x then return 'nan' elseif x == 1/0 then return 'inf' elseif x == -1/0 then return '-inf' end return string.format('%.17g', x) end ` +
	`local function D(v) local t = type(v) ` +
	`if t == 'table' then local parts = {} for k, x in pairs(v) do parts[#parts+1] = D(k) .. '=' .. D(x) end table.sort(parts) return '{' .. table.concat(parts, ',') .. '}' ` +
	`elseif t == 'number' then return N(v) elseif t == 'string' then return 's:' .. v elseif v == cjson.null then return 'null' end return t .. ':' .. tostring(v) end ` +
	`local function V(...) local r = {} for i = 1, select('#', ...) do r[i] = D((select(i, ...))) end return r end `

// runLua runs a snippet in a new gopher-lua state with the libraries open,
// and returns the reply Redis would make of its result.
func runLua(t testing.TB, src string) any {
	t.Helper()
	// Room for the 8000 values Redis's Lua lets a C function return.
	L := lua.NewState(lua.Options{RegistrySize: 1024 * 20, RegistryMaxSize: 1024 * 80})
	defer L.Close()
	OpenStdlib(L)
	Open(L)
	fn, err := L.Load(strings.NewReader(luaPrelude+src), "user_script")
	require.NoError(t, err, "compile %q", src)
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		if apiErr, ok := err.(*lua.ApiError); ok {
			return errorReply(apiErr.Object.String())
		}
		return errorReply(err.Error())
	}
	return luaReply(L.Get(-1))
}

// luaReply converts a script's result as Redis 7.0 does for RESP2.
func luaReply(v lua.LValue) any {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return toInt64(float64(v))
	case lua.LBool:
		if v {
			return int64(1)
		}
		return nil
	case *lua.LTable:
		if e, ok := v.RawGetString("err").(lua.LString); ok {
			return errorReply(e)
		}
		if s, ok := v.RawGetString("ok").(lua.LString); ok {
			return statusReply(s)
		}
		arr := []any{}
		for i := 1; ; i++ {
			e := v.RawGetInt(i)
			if e == lua.LNil {
				return arr
			}
			arr = append(arr, luaReply(e))
		}
	}
	return nil
}

// runCases checks each case's snippet against its reply in gopher-lua.
func runCases(t *testing.T, cases []luaCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, runLua(t, c.src), "%s", c.src)
		})
	}
}

// ---- Real Redis ----

const redisServerPath = "/usr/bin/redis-server"

// redisConn is a connection to a redis-server this test started.
type redisConn struct {
	conn net.Conn
	r    *bufio.Reader
}

// startRedis starts redis-server on a free loopback port, with no
// persistence, and returns a connection to it; the test's cleanup stops it.
// It skips the test when redis-server is not installed.
func startRedis(t *testing.T) *redisConn {
	t.Helper()
	if _, err := os.Stat(redisServerPath); err != nil {
		t.Skipf("redis-server not installed: %v", err)
	}
	for attempt := 0; attempt < 3; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		dir := t.TempDir()
		cmd := exec.Command(redisServerPath, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir)
		cmd.Dir = dir
		require.NoError(t, cmd.Start())
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			cmd.Process.Kill()
			<-exited
		})
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case <-exited:
				deadline = time.Time{} // a port race: try another port
				continue
			default:
			}
			conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
			if err == nil {
				rc := &redisConn{conn: conn, r: bufio.NewReader(conn)}
				t.Cleanup(func() { conn.Close() })
				if _, err := rc.do("PING"); err == nil {
					return rc
				}
				conn.Close()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Fatal("redis-server did not start")
	return nil
}

// do sends one command and reads its reply.
func (rc *redisConn) do(args ...string) (any, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	rc.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(rc.conn, b.String()); err != nil {
		return nil, err
	}
	return readReply(rc.r)
}

// eval runs a snippet as runLua does, with EVAL.
func (rc *redisConn) eval(t testing.TB, src string) any {
	t.Helper()
	reply, err := rc.do("EVAL", luaPrelude+src, "0")
	require.NoError(t, err)
	return reply
}

// readReply reads one RESP2 reply.
func readReply(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("bad reply line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+':
		return statusReply(body), nil
	case '-':
		return errorReply(body), nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		arr := make([]any, n)
		for i := range arr {
			if arr[i], err = readReply(r); err != nil {
				return nil, err
			}
		}
		return arr, nil
	}
	return nil, fmt.Errorf("bad reply line %q", line)
}
