package server

import (
	"sort"
	"strings"
	"sync"
)

// errorStats counts the error replies by code, for INFO errorstats: the
// code is the error's first word ("ERR", "WRONGTYPE", "NOAUTH"...), found as
// Redis finds it. Safe for concurrent use.
type errorStats struct {
	mu     sync.Mutex
	counts map[string]int64
}

// maxErrorCodes bounds how many distinct codes are kept. MyRedis's error
// codes are fixed strings, far fewer than this; the bound only keeps memory
// in check should a code ever come from elsewhere. An error with a code
// beyond it still counts in total_error_replies.
const maxErrorCodes = 128

// errorCode returns the code of an error reply's message: its text up to
// the first space among its first 31 bytes (Redis looks for it among the
// first 32 bytes of the reply, '-' included), or "ERR" when there is none.
func errorCode(msg string) string {
	if i := strings.IndexByte(msg[:min(len(msg), 31)], ' '); i >= 0 {
		return msg[:i]
	}
	return "ERR"
}

// add counts one error reply whose message is msg.
func (e *errorStats) add(msg string) {
	code := errorCode(msg)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.counts == nil {
		e.counts = make(map[string]int64)
	}
	if _, ok := e.counts[code]; ok || len(e.counts) < maxErrorCodes {
		e.counts[code]++
	}
}

// reset forgets every count (CONFIG RESETSTAT).
func (e *errorStats) reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts = nil
}

// sorted returns the codes and their counts in byte order, as Redis lists
// them.
func (e *errorStats) sorted() (codes []string, counts []int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for code := range e.counts {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		counts = append(counts, e.counts[code])
	}
	return codes, counts
}

// countError is the session's resp.Writer.OnError: every error reply the
// session writes, with its replies on or off, counts in total_error_replies
// and INFO errorstats, as in Redis, and in the session's own count, which
// tells the command statistics whether a command failed or was rejected.
func (sess *Session) countError(msg string) {
	sess.errs++
	sess.srv.stats.ErrorReplies.Add(1)
	sess.srv.errors.add(msg)
}
