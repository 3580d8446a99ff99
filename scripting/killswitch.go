package scripting

import (
	"context"
	"sync/atomic"
	"time"
)

// A killSwitch is the context.Context a state's Lua code runs under:
// throwing it (SCRIPT KILL, FUNCTION KILL, shutdown) stops the code at its
// next instruction. Safe for concurrent use.
//
// gopher-lua asks the context for Done before every instruction it runs
// and selects on the channel. A context.WithCancel answers with an
// atomic.Value holding an open channel, which costs a tenth of a script's
// instructions; the switch answers nil (a channel never ready, which the
// select passes at once) until it is thrown, then a closed channel. Done
// thus changes once, which gopher-lua allows for, as it asks anew each
// time; but a child context (context.WithCancel of the switch) would not
// see the switch thrown, so coroutines run under the switch itself (see
// newState).
type killSwitch struct{ thrown atomic.Bool }

// closedChan is the channel Done returns once a switch is thrown.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func (k *killSwitch) Deadline() (time.Time, bool) { return time.Time{}, false }

func (k *killSwitch) Done() <-chan struct{} {
	if k.thrown.Load() {
		return closedChan
	}
	return nil
}

func (k *killSwitch) Err() error {
	if k.thrown.Load() {
		return context.Canceled
	}
	return nil
}

func (k *killSwitch) Value(any) any { return nil }

// throw stops the code running under the switch.
func (k *killSwitch) throw() { k.thrown.Store(true) }

// rearm makes a thrown switch ready for the next call.
func (k *killSwitch) rearm() { k.thrown.Store(false) }
