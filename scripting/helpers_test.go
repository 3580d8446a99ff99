package scripting

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"myredis/db"
	"myredis/resp"
)

// newTestEngine returns a fresh keyspace with the scripting commands.
func newTestEngine(t testing.TB, opts Options) (*db.Keyspace, *Engine) {
	t.Helper()
	ks := db.New(db.NewTable(), 16)
	return ks, New(ks, opts)
}

// exec runs one command line for cl through the table and returns the raw
// reply, in proto (2 or 3).
func exec(ks *db.Keyspace, cl *db.Client, proto int, words ...string) string {
	args := make([][]byte, len(words))
	for i, w := range words {
		args[i] = []byte(w)
	}
	var out bytes.Buffer
	w := resp.NewWriter(&out)
	w.SetProtocol(proto)
	cmd, msg := ks.Table().Lookup(args)
	switch {
	case cmd == nil:
		w.WriteError(msg)
	case cl.Queues(cmd):
		ks.Queue(cl, cmd, args, w)
	default:
		ks.Exec(cl, cmd, args, w)
	}
	w.Flush()
	return out.String()
}

// evalCase is one EVAL and the reply Redis 7.0.15 gives it.
type evalCase struct {
	script string
	args   []string // numkeys, keys and arguments; "0" when nil
	want   string
}

func runEvalCases(t *testing.T, proto int, cases []evalCase) {
	t.Helper()
	ks, _ := newTestEngine(t, Options{})
	cl := &db.Client{ID: 1}
	for _, tc := range cases {
		args := tc.args
		if args == nil {
			args = []string{"0"}
		}
		got := exec(ks, cl, proto, append([]string{"EVAL", tc.script}, args...)...)
		if got != tc.want {
			t.Errorf("RESP%d EVAL %q %q\n got %q\nwant %q", proto, tc.script, args, got, tc.want)
		}
	}
}

// recorder implements sessionHooks for tests.
type recorder struct {
	mu      sync.Mutex
	started []string
	called  []string
	quiet   int
}

func (r *recorder) ScriptStarted(cmd *db.Command, dbIndex int, args [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = append(r.started, cmd.Name)
}

func (r *recorder) ScriptCalled(cmd *db.Command, dbIndex int, args [][]byte, took time.Duration, errMsg string, rejected bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString(string(rune('0' + dbIndex)))
	for _, a := range args {
		b.WriteByte(' ')
		b.Write(a)
	}
	if errMsg != "" {
		b.WriteString(" -> " + errMsg)
	}
	if rejected {
		b.WriteString(" (rejected)")
	}
	r.called = append(r.called, b.String())
}

func (r *recorder) ScriptFailedQuietly(*db.Command) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.quiet++
}
