package db

import (
	"errors"
	"sync"
	"time"
)

// Waiting for locks a busy script holds.
//
// A script holds its keys' shards, or the whole gate, from its first
// command to its end. A command that needs them waits; if the script runs
// past busy-reply-threshold, Redis answers such a command -BUSY (it was
// read but not run before the script yielded), and so must MyRedis, rather
// than keep it waiting until someone kills the script. So while any script
// runs, a command that finds its locks held polls them instead of blocking,
// and gives up with the busy error as soon as there is one; when no script
// runs, it blocks as usual.

// SetScriptWait sets the functions that say whether any script is running
// and, if one runs past busy-reply-threshold, the error reply that refuses
// commands meanwhile ("" when none does). Set them before serving; without
// them commands always block for their locks.
func (ks *Keyspace) SetScriptWait(running func() bool, busy func() string) {
	ks.scriptsRunning, ks.scriptsBusy = running, busy
}

// lockPoll is how often a command waiting for locks while scripts run
// tries them again.
const lockPoll = 100 * time.Microsecond

// waiting reports whether a command that found a lock held should poll it:
// a script is running.
func (ks *Keyspace) waiting() bool { return ks.scriptsRunning != nil && ks.scriptsRunning() }

// busyError is the error of a command that gave up waiting for locks held
// by a busy script: its Error is the reply.
type busyError struct{ reply string }

func (e *busyError) Error() string { return e.reply }

// pollBusy sleeps one poll and returns the busy error, if a script is busy.
func (ks *Keyspace) pollBusy() error {
	if msg := ks.scriptsBusy(); msg != "" {
		return &busyError{msg}
	}
	time.Sleep(lockPoll)
	return nil
}

// enterGateWait holds the gate stripe of client id for reading, or gives up
// with a busy error.
func (ks *Keyspace) enterGateWait(id int64) (*sync.RWMutex, error) {
	m := &ks.gate.stripes[uint64(id)%gateStripes].RWMutex
	if m.TryRLock() {
		return m, nil
	}
	for {
		if !ks.waiting() {
			m.RLock()
			return m, nil
		}
		if err := ks.pollBusy(); err != nil {
			return nil, err
		}
		if m.TryRLock() {
			return m, nil
		}
	}
}

// lockAllWait locks every gate stripe, or gives up with a busy error,
// holding none.
func (ks *Keyspace) lockAllWait() error {
	g := &ks.gate
	for i := range g.stripes {
		m := &g.stripes[i].RWMutex
		for !m.TryLock() {
			if !ks.waiting() {
				m.Lock()
				break
			}
			if err := ks.pollBusy(); err != nil {
				for j := range i {
					g.stripes[j].Unlock()
				}
				return err
			}
		}
	}
	return nil
}

// lockShardsWait locks the shards of d in order (from Dict.ShardsOf), or
// gives up with a busy error, holding none.
func (ks *Keyspace) lockShardsWait(d *DB, shards []int) error {
	for i, s := range shards {
		for !d.keys.TryLockShard(s) {
			if !ks.waiting() {
				d.keys.LockShard(s)
				break
			}
			if err := ks.pollBusy(); err != nil {
				d.keys.UnlockShards(shards[:i])
				return err
			}
		}
	}
	return nil
}

// lockShardWait locks l, or gives up with a busy error.
func (ks *Keyspace) lockShardWait(l shardLock) error {
	d := ks.dbs[l.db]
	for !d.keys.TryLockShard(l.shard) {
		if !ks.waiting() {
			d.keys.LockShard(l.shard)
			return nil
		}
		if err := ks.pollBusy(); err != nil {
			return err
		}
	}
	return nil
}

// IsBusy reports whether err is the error of a command that gave up
// waiting for a busy script's locks; its Error is the reply to send.
func IsBusy(err error) bool {
	var be *busyError
	return errors.As(err, &be)
}
