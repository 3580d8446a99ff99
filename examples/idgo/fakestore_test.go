package main

import (
	"context"
	"sync"
)

// fakeStore is an in-memory Store. Lease calls wait while gate is non-nil
// and open; fail, when set, is returned by every call. ops logs the calls
// as "lease k", "raise k", ... in the order they took effect.
type fakeStore struct {
	mu       sync.Mutex
	counters map[string]int64
	gate     chan struct{} // when non-nil, Lease waits until it is closed
	started  chan string   // when non-nil, Lease sends its key here before waiting on gate
	fail     error
	ops      []string
}

// newFakeStore returns an empty store without a gate.
func newFakeStore() *fakeStore { return &fakeStore{counters: make(map[string]int64)} }

// setGate makes later leases wait until the returned channel is closed, and
// report their start on the returned started channel.
func (f *fakeStore) setGate() (gate chan struct{}, started chan string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gate, f.started = make(chan struct{}), make(chan string, 16)
	return f.gate, f.started
}

// setFail makes every later call fail with err (nil: succeed again).
func (f *fakeStore) setFail(err error) {
	f.mu.Lock()
	f.fail = err
	f.mu.Unlock()
}

// opLog returns a copy of the log of changes.
func (f *fakeStore) opLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ops...)
}

func (f *fakeStore) Lease(_ context.Context, k string, n int64) (int64, error) {
	f.mu.Lock()
	gate, started := f.gate, f.started
	f.mu.Unlock()
	if gate != nil {
		started <- k
		<-gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return 0, f.fail
	}
	f.counters[k] += n
	f.ops = append(f.ops, "lease "+k)
	return f.counters[k], nil
}

func (f *fakeStore) Raise(_ context.Context, k string, v int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.counters[k] = max(f.counters[k], v)
	f.ops = append(f.ops, "raise "+k)
	return nil
}

func (f *fakeStore) Exists(_ context.Context, k string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.counters[k]
	return ok, f.fail
}

func (f *fakeStore) Del(_ context.Context, k string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return false, f.fail
	}
	_, ok := f.counters[k]
	delete(f.counters, k)
	f.ops = append(f.ops, "del "+k)
	return ok, nil
}
