package aof

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diskModel records what the writer wrote and what finished fsyncs
// covered, through the AOF's writeFn and syncFn.
type diskModel struct {
	mu      sync.Mutex
	mem     []byte // everything written
	durable int    // prefix of mem covered by a finished fsync
	syncs   atomic.Int64
	hold    chan struct{} // when not nil, each fsync waits until it is closed
}

// install makes a's writes and fsyncs go through m. Call it before Start.
func (m *diskModel) install(a *AOF) {
	a.writeFn = func(f *os.File, b []byte) (int, error) {
		n, err := f.Write(b)
		m.mu.Lock()
		m.mem = append(m.mem, b[:n]...)
		m.mu.Unlock()
		return n, err
	}
	a.syncFn = func(f *os.File) error {
		m.mu.Lock()
		upto, hold := len(m.mem), m.hold
		m.mu.Unlock()
		if hold != nil {
			<-hold
		}
		err := f.Sync()
		m.mu.Lock()
		m.durable = max(m.durable, upto)
		m.mu.Unlock()
		m.syncs.Add(1)
		return err
	}
}

// fsynced reports whether the command cmd (its last argument unique) was
// covered by a finished fsync.
func (m *diskModel) fsynced(cmd [][]byte) bool {
	last := cmd[len(cmd)-1]
	enc := fmt.Sprintf("$%d\r\n%s\r\n", len(last), last)
	m.mu.Lock()
	defer m.mu.Unlock()
	return bytes.Contains(m.mem[:m.durable], []byte(enc))
}

func TestSetFsyncInvalid(t *testing.T) {
	a := open(t, t.TempDir(), FsyncAlways, false)
	defer a.Close()
	require.Error(t, a.SetFsync("sometimes"))
	a.mu.Lock()
	defer a.mu.Unlock()
	assert.True(t, a.always, "an invalid policy changed the policy")
}

// TestSetFsyncToAlways: after a switch from everysec, every WaitDurable
// returns only once an fsync covers its write.
func TestSetFsyncToAlways(t *testing.T) {
	a := open(t, t.TempDir(), FsyncEverysec, false)
	a.every = time.Hour // no background fsync in this test
	var disk diskModel
	disk.install(a)
	require.NoError(t, a.Start())
	defer a.Close()
	for i := range 10 {
		require.NoError(t, a.WaitDurable(a.Append(0, args("SET", "k", "before"+strconv.Itoa(i)))))
	}
	assert.Zero(t, disk.syncs.Load(), "fsyncs under everysec with no background fsync due")

	require.NoError(t, a.SetFsync(FsyncAlways))
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Go(func() {
			for i := range 20 {
				cmd := args("SET", "k", fmt.Sprintf("after%d-%d", c, i))
				if !assert.NoError(t, a.WaitDurable(a.Append(0, cmd))) {
					return
				}
				assert.True(t, disk.fsynced(cmd), "WaitDurable returned before %s was fsynced", cmd[2])
			}
		})
	}
	wg.Wait()
	assert.Positive(t, disk.syncs.Load())
	assert.True(t, disk.fsynced(args("SET", "k", "before9")), "the writes from before the switch were not fsynced")
}

// TestSetFsyncToAlwaysWaitsForWritten: a write already written under
// everysec is durable under always only once fsynced, even for a caller
// that takes WaitDurable's lock-free path.
func TestSetFsyncToAlwaysWaitsForWritten(t *testing.T) {
	a := open(t, t.TempDir(), FsyncNo, false)
	var disk diskModel
	disk.install(a)
	disk.hold = make(chan struct{})
	require.NoError(t, a.Start())
	defer a.Close()
	seq := a.Append(0, args("SET", "k", "v"))
	require.NoError(t, a.WaitDurable(seq))
	require.NoError(t, a.SetFsync(FsyncAlways))
	done := make(chan error, 1)
	go func() { done <- a.WaitDurable(seq) }()
	select {
	case err := <-done:
		t.Fatalf("WaitDurable returned %v under always before the write was fsynced", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(disk.hold)
	require.NoError(t, <-done)
	assert.True(t, disk.fsynced(args("SET", "k", "v")))
}

// TestSetFsyncAlwaysToEverysec: after the switch writes no longer wait for
// an fsync each, and the background fsync covers them.
func TestSetFsyncAlwaysToEverysec(t *testing.T) {
	a := open(t, t.TempDir(), FsyncAlways, false)
	a.every = 20 * time.Millisecond
	var disk diskModel
	disk.install(a)
	require.NoError(t, a.Start())
	defer a.Close()
	for i := range 5 {
		cmd := args("SET", "k", "always"+strconv.Itoa(i))
		require.NoError(t, a.WaitDurable(a.Append(0, cmd)))
		require.True(t, disk.fsynced(cmd))
	}
	require.NoError(t, a.SetFsync(FsyncEverysec))
	// The first round after the switch fsyncs what always wrote, once.
	require.NoError(t, a.WaitDurable(a.Append(0, args("SET", "k", "switch"))))
	disk.mu.Lock()
	disk.hold = make(chan struct{}) // from now on no fsync finishes
	disk.mu.Unlock()
	for i := range 20 {
		require.NoError(t, a.WaitDurable(a.Append(0, args("SET", "k", "everysec"+strconv.Itoa(i)))))
	}
	close(disk.hold)
	last := args("SET", "k", "everysec19")
	require.Eventually(t, func() bool { return disk.fsynced(last) }, 5*time.Second, time.Millisecond,
		"the background fsync did not cover the writes")
}

// TestSetFsyncNoAndEverysec: everysec starts the background fsync, no
// stops it.
func TestSetFsyncNoAndEverysec(t *testing.T) {
	a := open(t, t.TempDir(), FsyncNo, false)
	a.every = 5 * time.Millisecond
	var disk diskModel
	disk.install(a)
	require.NoError(t, a.Start())
	defer a.Close()
	write := func(v string) [][]byte {
		cmd := args("SET", "k", v)
		require.NoError(t, a.WaitDurable(a.Append(0, cmd)))
		return cmd
	}
	write("no1")
	time.Sleep(10 * a.every)
	assert.Zero(t, disk.syncs.Load(), "fsync under appendfsync no")

	require.NoError(t, a.SetFsync(FsyncEverysec))
	cmd := write("everysec1")
	require.Eventually(t, func() bool { return disk.fsynced(cmd) }, 5*time.Second, time.Millisecond,
		"no background fsync after the switch to everysec")

	require.NoError(t, a.SetFsync(FsyncNo))
	write("no2") // a writer round after the switch has stopped the background fsync
	time.Sleep(3 * a.every)
	n := disk.syncs.Load()
	write("no3")
	time.Sleep(10 * a.every)
	assert.Equal(t, n, disk.syncs.Load(), "fsyncs after the switch to no")
}

// TestSetFsyncSetsUpAIO: the first switch to always gives the writer
// asynchronous fsync when the kernel has it.
func TestSetFsyncSetsUpAIO(t *testing.T) {
	newTestAIO(t) // skips without AIO
	a := open(t, t.TempDir(), FsyncEverysec, false)
	a.every = time.Millisecond
	require.False(t, a.SyncsAsync())
	require.NoError(t, a.Start())
	require.NoError(t, a.SetFsync(FsyncAlways))
	require.NoError(t, a.WaitDurable(a.Append(0, args("SET", "k", "v"))))
	assert.True(t, a.SyncsAsync())
	require.NoError(t, a.SetFsync(FsyncEverysec)) // the background fsync now goes through AIO too
	require.NoError(t, a.WaitDurable(a.Append(0, args("SET", "k", "w"))))
	require.NoError(t, a.Close())
	got, err := load(t, a.opts.Dir, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"0:SET k v", "0:SET k w"}, got)
}

// TestSetFsyncConcurrent flips the policy while clients write: nothing is
// lost, doubled or reordered, and WaitDurable keeps its promise under
// always.
func TestSetFsyncConcurrent(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	a := open(t, dir, FsyncEverysec, false)
	a.every = 2 * time.Millisecond
	require.NoError(t, a.Start())
	stop := make(chan struct{})
	var flips sync.WaitGroup
	flips.Go(func() {
		rng := rand.New(rand.NewPCG(uint64(seed), 1))
		policies := []string{FsyncAlways, FsyncEverysec, FsyncNo}
		for i := 0; i < 10_000; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(rng.IntN(3000)) * time.Microsecond):
			}
			assert.NoError(t, a.SetFsync(policies[rng.IntN(3)]))
		}
	})
	const clients, perClient = 8, 300
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := range perClient {
				if !assert.NoError(t, a.WaitDurable(a.Append(c, args("SET", fmt.Sprintf("c%d", c), strconv.Itoa(i))))) {
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	flips.Wait()
	require.NoError(t, a.Close())
	got, err := load(t, dir, false)
	require.NoError(t, err)
	next := make([]int, clients)
	for _, cmd := range got {
		var c, i int
		_, err := fmt.Sscanf(cmd, "%d:SET c%d %d", &c, &c, &i)
		require.NoError(t, err, cmd)
		require.Equal(t, next[c], i, "client %d: got %q", c, cmd)
		next[c]++
	}
	for c := range clients {
		assert.Equal(t, perClient, next[c], "client %d", c)
	}
}

// TestWaitDurableLockFree: a write already durable is confirmed without
// the append mutex.
func TestWaitDurableLockFree(t *testing.T) {
	for _, policy := range []string{FsyncAlways, FsyncEverysec, FsyncNo} {
		t.Run(policy, func(t *testing.T) {
			a := open(t, t.TempDir(), policy, false)
			require.NoError(t, a.Start())
			defer a.Close()
			seq := a.Append(0, args("SET", "k", "v"))
			require.NoError(t, a.WaitDurable(seq))
			a.mu.Lock()
			done := make(chan error, 1)
			go func() { done <- a.WaitDurable(seq) }()
			var err error
			select {
			case err = <-done:
				a.mu.Unlock()
			case <-time.After(5 * time.Second):
				t.Error("WaitDurable of a durable write waited for the append mutex")
				a.mu.Unlock()
				err = <-done
			}
			assert.NoError(t, err)
		})
	}
}

// TestEverysecStallDurableWrite: while a background fsync is stalled, even
// a write written before the stall is not confirmed (as before the
// lock-free path), and it is once the fsync ends.
func TestEverysecStallDurableWrite(t *testing.T) {
	a := open(t, t.TempDir(), FsyncEverysec, false)
	a.every, a.stall = 5*time.Millisecond, 50*time.Millisecond
	release := make(chan struct{})
	var blocked atomic.Bool
	a.syncFn = func(f *os.File) error {
		if blocked.CompareAndSwap(false, true) {
			<-release
		}
		return f.Sync()
	}
	require.NoError(t, a.Start())
	defer a.Close()
	seq := a.Append(0, args("SET", "a", "1"))
	require.NoError(t, a.WaitDurable(seq))
	require.Eventually(t, blocked.Load, 5*time.Second, time.Millisecond)
	time.Sleep(2 * a.stall)
	done := make(chan error, 1)
	go func() { done <- a.WaitDurable(seq) }()
	select {
	case err := <-done:
		t.Fatalf("write confirmed during a stalled fsync: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-done)
	require.NoError(t, a.WaitDurable(seq))
}

// BenchmarkWaitDurableDone measures WaitDurable for writes already durable,
// the common case once readers wait for the writes they saw, from parallel
// goroutines while a writer keeps appending.
func BenchmarkWaitDurableDone(b *testing.B) {
	for _, policy := range []string{FsyncAlways, FsyncEverysec} {
		b.Run(policy, func(b *testing.B) {
			a, err := Open(Options{Dir: b.TempDir(), Fsync: policy})
			require.NoError(b, err)
			require.NoError(b, a.Start())
			defer a.Close()
			seq := a.Append(0, args("SET", "k", "v"))
			require.NoError(b, a.WaitDurable(seq))
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() { // contention on the append mutex
				for {
					select {
					case <-stop:
						return
					default:
					}
					a.WaitDurable(a.Append(0, args("SET", "k", "v")))
				}
			})
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := a.WaitDurable(seq); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			close(stop)
			wg.Wait()
		})
	}
}
