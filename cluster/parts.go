package cluster

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"

	"myredis/db"
	"myredis/resp"
	"myredis/server"
)

// A part is one node's share of a command the router runs on several
// nodes (a split MSET, a FLUSHALL): what goes there and what came back.
type part struct {
	member string
	args   [][]byte // the command line member runs
	order  []int    // split commands: the caller's positions of its keys
	reply  []byte   // member's reply, possibly an error reply, when err is nil
	err    error    // a *peerError: no reply came
}

// How a part ended, in the order partsReport lists them.
const (
	partApplied = iota
	partNotApplied
	partUnknown
)

// outcome says whether p's node applied its share, certainly did not (it
// was unreachable, or answered an error: these commands fail only before
// changing anything), or may have without a reply coming back.
func (p *part) outcome() int {
	var pe *peerError
	switch {
	case p.err == nil && p.reply[0] != '-':
		return partApplied
	case errors.As(p.err, &pe) && pe.sent:
		return partUnknown
	}
	return partNotApplied
}

// onEach runs, in parallel, each part's command on its member and fills in
// the replies. This node's share runs on the caller's goroutine, as the
// session requires.
func (r *Router) onEach(s *server.Session, cmd *db.Command, parts []part) {
	var wg sync.WaitGroup
	var local *part
	for i := range parts {
		// Only the member is read here: the other goroutines are
		// filling in the replies of the other parts.
		if p := &parts[i]; p.member != r.self {
			wg.Go(func() { p.reply, p.err = r.on(s, p.member, cmd, p.args) })
		} else {
			local = p
		}
	}
	if local != nil {
		local.reply, local.err = r.on(s, local.member, cmd, local.args)
	}
	wg.Wait()
}

// merge writes the caller's reply for parts: m's merge when every node
// answered without error; otherwise, for a command that changes data on
// several nodes (r.partial), an error that says what each node did, and
// for the others the first failure.
func (r *Router) merge(w *resp.Writer, cmd *db.Command, m merger, parts []part, n int) {
	failed := slices.IndexFunc(parts, func(p part) bool { return p.err != nil || p.reply[0] == '-' })
	switch {
	case failed < 0:
		replies := make([][]byte, len(parts))
		order := make([][]int, len(parts))
		for i, p := range parts {
			replies[i], order[i] = p.reply, p.order
		}
		m(w, replies, order, n)
	case r.partial[cmd]:
		w.WriteError(partsReport(cmd, parts))
	default:
		w.WriteRaw(replyOrError(parts[failed].reply, parts[failed].err))
	}
}

// Bounds on partsReport's text.
const (
	reportKeys    = 5  // keys listed per node
	reportKeyLen  = 40 // bytes of a key shown
	reportWhyLen  = 200
	reportEllipse = "..."
)

// partsReport is the error for a command that changes data on several
// nodes and failed on some of them. It lists each node's share as
// applied, not applied or of unknown outcome, with its keys and, for a
// failure, why:
//
//	CLUSTERDOWN MSET applied on 127.0.0.1:7001 (keys a, c); not applied on 127.0.0.1:7002 (key b): node 127.0.0.1:7002 is unreachable: ...
func partsReport(cmd *db.Command, parts []part) string {
	sorted := slices.Clone(parts)
	slices.SortStableFunc(sorted, func(a, b part) int { return a.outcome() - b.outcome() })
	var b strings.Builder
	b.WriteString("CLUSTERDOWN ")
	b.WriteString(strings.ToUpper(cmd.Name))
	for i, p := range sorted {
		if i > 0 {
			b.WriteByte(';')
		}
		switch p.outcome() {
		case partApplied:
			b.WriteString(" applied on ")
		case partNotApplied:
			b.WriteString(" not applied on ")
		default:
			b.WriteString(" outcome unknown on ")
		}
		b.WriteString(p.member)
		writeKeys(&b, cmd.Keys(nil, p.args))
		var pe *peerError
		switch {
		case errors.As(p.err, &pe):
			b.WriteString(": ")
			b.WriteString(pe.brief())
		case p.err != nil:
			b.WriteString(": ")
			b.WriteString(p.err.Error())
		case p.reply[0] == '-':
			b.WriteString(": ")
			b.WriteString(cut(strings.TrimSuffix(string(p.reply[1:]), "\r\n"), reportWhyLen))
		}
	}
	return b.String()
}

// writeKeys appends " (key a)" or " (keys a, b, and 3 more)" for keys, if
// any, listing at most reportKeys of them, each cut to reportKeyLen bytes.
func writeKeys(b *strings.Builder, keys [][]byte) {
	switch len(keys) {
	case 0:
		return
	case 1:
		b.WriteString(" (key ")
	default:
		b.WriteString(" (keys ")
	}
	for i, k := range keys[:min(len(keys), reportKeys)] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(cut(string(k), reportKeyLen))
	}
	if more := len(keys) - reportKeys; more > 0 {
		b.WriteString(", and " + strconv.Itoa(more) + " more")
	}
	b.WriteByte(')')
}

// cut shortens s to n bytes, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + reportEllipse
}
