package db

import (
	"math"
	"time"

	"myredis/resp"
)

// TimeoutArg parses args[i] as a blocking command's timeout in seconds
// (fractions allowed, 0 meaning forever), writing Redis's error and
// returning false when it is not a number or is negative.
func (c *Ctx) TimeoutArg(i int) (time.Duration, bool) {
	f, ok := ParseFloat(c.Args[i])
	if !ok || math.IsInf(f, 0) || f*1e9 > math.MaxInt64 {
		c.W.WriteError("ERR timeout is not a float or out of range")
		return 0, false
	}
	if f < 0 {
		c.W.WriteError("ERR timeout is negative")
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// Block is what a blocking command (BLPOP, BZPOPMIN, ...) calls instead of
// replying when none of keys has anything for it: the client is parked,
// without using CPU, until one of keys is signalled with SignalReady, the
// timeout passes (0 means never) or CLIENT UNBLOCK; then the command runs
// again from the start. onTimeout writes the reply for a timeout (a null
// array for BLPOP, say). Where a client cannot block (inside MULTI),
// onTimeout is written at once.
func (c *Ctx) Block(keys [][]byte, timeout time.Duration, onTimeout func(w *resp.Writer)) {
	// Parking arrives with the blocking machinery; until then, time out.
	onTimeout(c.W)
}

// SignalReady tells clients blocked on key in c.DB that it may now hold what
// they wait for. Commands call it after adding elements to a list or sorted
// set; it costs nothing when no client is blocked.
func (c *Ctx) SignalReady(key []byte) {}
