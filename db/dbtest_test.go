package db

import (
	"bytes"
	"slices"
	"testing"

	"myredis/resp"
)

// cmdCase is one table-driven command test: the commands run in order
// against a fresh keyspace and the concatenated replies expected.
type cmdCase struct {
	name string
	cmds [][]string
	want string
}

// runCases runs each case against its own fresh 16-database keyspace.
func runCases(t *testing.T, cases []cmdCase) {
	t.Helper()
	runCasesOn(t, func() *Keyspace { return New(NewTable(), 16) }, cases)
}

// runCasesOn runs each case against its own keyspace made by newKS.
func runCasesOn(t *testing.T, newKS func() *Keyspace, cases []cmdCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks := newKS()
			if got := run(ks, &Client{}, tc.cmds...); got != tc.want {
				t.Errorf("replies\n got %q\nwant %q", got, tc.want)
			}
			checkAccounting(t, ks)
		})
	}
}

// run executes cmds for cl through the table and returns the raw replies.
func run(ks *Keyspace, cl *Client, cmds ...[]string) string {
	var out bytes.Buffer
	w := resp.NewWriter(&out)
	for _, cmd := range cmds {
		args := make([][]byte, len(cmd))
		for i, a := range cmd {
			args[i] = []byte(a)
		}
		// As the server does: lookup, then queue inside MULTI, else run.
		c, errMsg := ks.Table().Lookup(args)
		switch {
		case c == nil:
			cl.FailMulti()
			w.WriteError(errMsg)
		case cl.Queues(c):
			ks.Queue(cl, c, args, w)
		default:
			ks.Exec(cl, c, args, w)
		}
	}
	w.Flush()
	return out.String()
}

// fakeList stands in for a collection type, to check that the generic
// commands reach collections through Collection.
type fakeList struct{ items []string }

func (l *fakeList) Kind() Kind                    { return KindList }
func (l *fakeList) Len() int                      { return len(l.items) }
func (l *fakeList) Copy() any                     { return &fakeList{items: slices.Clone(l.items)} }
func (l *fakeList) Encoding() string              { return "listpack" }
func (l *fakeList) MemoryUsage(samples int) int64 { return int64(100 * min(samples, len(l.items))) }
func (l *fakeList) Rewrite(cw *chunkWriter) {
	cw.Begin(rpushName, 1)
	for _, it := range l.items {
		cw.AddString(it)
	}
	cw.Flush()
}
