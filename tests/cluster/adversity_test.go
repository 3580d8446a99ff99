package cluster

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mycluster "myredis/cluster"
	"myredis/resp"
)

// replyWithin is how long the tests of this file give a node to answer one
// command before they call it hung.
const replyWithin = 5 * time.Second

// rawConn is a plain RESP connection whose every command must be answered
// within a deadline, so a hung node fails the test instead of hanging it.
type rawConn struct {
	nc net.Conn
	r  *resp.Reader
}

// dialRaw opens a rawConn to addr, closed at cleanup.
func dialRaw(t *testing.T, addr string) *rawConn {
	nc, err := net.DialTimeout("tcp", addr, replyWithin)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	return &rawConn{nc: nc, r: resp.NewReader(bufio.NewReader(nc))}
}

// do sends cmds in one write and returns their replies, each read under a
// deadline of replyWithin. It returns an error instead of the replies when
// the node did not answer in time or the connection broke.
func (c *rawConn) do(cmds ...[]string) ([]string, error) {
	var buf []byte
	for _, cmd := range cmds {
		args := make([][]byte, len(cmd))
		for i, a := range cmd {
			args[i] = []byte(a)
		}
		buf = resp.AppendCommand(buf, args)
	}
	c.nc.SetDeadline(time.Now().Add(replyWithin))
	if _, err := c.nc.Write(buf); err != nil {
		return nil, err
	}
	replies := make([]string, 0, len(cmds))
	for range cmds {
		c.nc.SetReadDeadline(time.Now().Add(replyWithin))
		reply, err := c.r.ReadReply()
		if err != nil {
			return nil, fmt.Errorf("%v: no reply within %v (replies so far %q)", cmds, replyWithin, replies)
		}
		replies = append(replies, string(reply))
	}
	return replies, nil
}

// TestSlotCommandsDuringExclusiveWork runs CLUSTER COUNTKEYSINSLOT and
// GETKEYSINSLOT, alone and inside MULTI, in a loop while other connections
// loop BGREWRITEAOF (whose snapshot takes the keyspace gate exclusively)
// and keyless transactions (which do too) for 10 s: every reply must come
// within replyWithin. A slot command that ran KEYS through Keyspace.Exec
// from inside itself deadlocked the node against them.
func TestSlotCommandsDuringExclusiveWork(t *testing.T) {
	c := startCluster(t, "appendonly yes\n")
	addr := c.nodes[0].addr
	setup := dialRaw(t, addr)
	var keys []string
	for i := range 200 {
		keys = append(keys, c.keyOn(0, "slot"+strconv.Itoa(i)+":"))
	}
	replies, err := setup.do(append([]string{"MSET"}, interleave(keys)...))
	require.NoError(t, err)
	require.Equal(t, "+OK\r\n", replies[0])
	inSlot := 0
	for _, k := range keys {
		if mycluster.Slot([]byte(k)) == mycluster.Slot([]byte(keys[0])) {
			inSlot++
		}
	}
	slot := strconv.Itoa(mycluster.Slot([]byte(keys[0])))

	const runFor = 10 * time.Second
	stop := time.Now().Add(runFor)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	loop := func(cmds ...[]string) {
		conn := dialRaw(t, addr)
		wg.Go(func() {
			for i := 0; i < 1_000_000 && time.Now().Before(stop); i++ {
				if _, err := conn.do(cmds...); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	loop([]string{"CLUSTER", "COUNTKEYSINSLOT", slot}, []string{"CLUSTER", "GETKEYSINSLOT", slot, "10"},
		[]string{"MULTI"}, []string{"CLUSTER", "COUNTKEYSINSLOT", slot}, []string{"EXEC"})
	loop([]string{"BGREWRITEAOF"})
	loop([]string{"MULTI"}, []string{"DBSIZE"}, []string{"EXEC"})
	loop([]string{"MULTI"}, []string{"DBSIZE"}, []string{"EXEC"})
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err, "the node hung")
	}
	replies, err = setup.do([]string{"CLUSTER", "COUNTKEYSINSLOT", slot})
	require.NoError(t, err)
	assert.Equal(t, ":"+strconv.Itoa(inSlot)+"\r\n", replies[0])
}

// interleave returns each key followed by itself as its value, for MSET.
func interleave(keys []string) []string {
	out := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		out = append(out, k, k)
	}
	return out
}

// failWithin is how long a command whose peer is stopped may take to fail:
// the cluster's one Timeout, plus a margin for a loaded machine.
const failWithin = mycluster.Timeout + 1500*time.Millisecond

// pause stops n's process with SIGSTOP, by its PID, and waits until the
// kernel reports it stopped; the test's cleanup resumes it (before the
// cluster's own cleanup stops it).
func (c *testCluster) pause(n *node) {
	pid := n.cmd.Process.Pid
	require.NoError(c.t, syscall.Kill(pid, syscall.SIGSTOP))
	c.t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) })
	status := fmt.Sprintf("/proc/%d/status", pid)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile(status)
		require.NoError(c.t, err)
		if strings.Contains(string(b), "\nState:\tT") {
			return
		}
		require.True(c.t, time.Now().Before(deadline), "node %s did not stop", n.addr)
	}
}

// timed runs cmds on conn and returns the replies and how long they took;
// a node that does not answer fails the test.
func timed(t *testing.T, conn *rawConn, cmds ...[]string) ([]string, time.Duration) {
	t.Helper()
	start := time.Now()
	replies, err := conn.do(cmds...)
	require.NoError(t, err, "the node did not answer")
	return replies, time.Since(start)
}

// TestStoppedPeer stops a node with SIGSTOP: commands forwarded to it fail
// within the one Timeout with CLUSTERDOWN naming it. A write that went out
// says its outcome is unknown, and it is: the node applies it once resumed.
func TestStoppedPeer(t *testing.T) {
	c := startCluster(t, "")
	stopped := c.nodes[2]
	a := dialRaw(t, c.nodes[0].addr)
	key := c.keyOn(2, "stopped")
	tag := "{" + c.keyOn(2, "tx") + "}"
	replies, _ := timed(t, a, []string{"SET", key, "before"})
	require.Equal(t, "+OK\r\n", replies[0])
	watcher := dialRaw(t, c.nodes[0].addr) // pins a connection to the owner
	replies, _ = timed(t, watcher, []string{"WATCH", tag + "w"})
	require.Equal(t, "+OK\r\n", replies[0])

	c.pause(stopped)
	unknown := "-CLUSTERDOWN node " + stopped.addr + " did not answer within " + mycluster.Timeout.String() +
		": the command may or may not have been applied\r\n"
	replies, took := timed(t, a, []string{"SET", key, "after"})
	assert.Equal(t, unknown, replies[0], "a SET that went out")
	assert.Less(t, took, failWithin)

	// The peer is now known down, or is being reconnected to: nothing
	// leaves, and the error says so.
	replies, took = timed(t, a, []string{"GET", key})
	assert.Regexp(t, "^-CLUSTERDOWN node "+stopped.addr+" is unreachable: ", replies[0])
	assert.NotContains(t, replies[0], "may or may not")
	assert.Less(t, took, failWithin)

	// A transaction forwarded whole, on a connection of its own.
	replies, took = timed(t, a, []string{"MULTI"}, []string{"SET", tag + "a", "1"}, []string{"EXEC"})
	assert.Regexp(t, "^-CLUSTERDOWN node "+stopped.addr+" is unreachable: connecting timed out after 2s", replies[2])
	assert.Less(t, took, failWithin)

	// A transaction on the connection WATCH pinned, which went out.
	replies, took = timed(t, watcher, []string{"MULTI"}, []string{"SET", tag + "w", "1"}, []string{"EXEC"})
	assert.Equal(t, unknown, replies[2], "EXEC on a pinned connection")
	assert.Less(t, took, failWithin)

	// Resumed, the node runs the SET whose outcome was reported unknown.
	require.NoError(t, syscall.Kill(stopped.cmd.Process.Pid, syscall.SIGCONT))
	b := dialRaw(t, stopped.addr)
	var got []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got, _ = b.do([]string{"GET", key}); got != nil && got[0] == "$5\r\nafter\r\n" {
			break
		}
	}
	assert.Equal(t, []string{"$5\r\nafter\r\n"}, got)
}

// TestSplitWritesReportTheirParts runs DEL and MSET split over three nodes
// while one is stopped: each answers an error that says which node applied
// which keys, and which did not or may not have.
func TestSplitWritesReportTheirParts(t *testing.T) {
	c := startCluster(t, "")
	n0, n1, n2 := c.nodes[0].addr, c.nodes[1].addr, c.nodes[2].addr
	a := dialRaw(t, n0)
	k0, k1, k2 := c.keyOn(0, "split"), c.keyOn(1, "split"), c.keyOn(2, "split")
	replies, _ := timed(t, a, []string{"MSET", k0, "0", k1, "1", k2, "2"})
	require.Equal(t, "+OK\r\n", replies[0])

	c.pause(c.nodes[2])
	replies, took := timed(t, a, []string{"DEL", k0, k1, k2})
	assert.Equal(t, "-CLUSTERDOWN DEL applied on "+n0+" (key "+k0+"); applied on "+n1+" (key "+k1+"); "+
		"outcome unknown on "+n2+" (key "+k2+"): node "+n2+" did not answer within 2s\r\n", replies[0])
	assert.Less(t, took, failWithin)

	replies, took = timed(t, a, []string{"MSET", k2, "x", k1, "y", k0, "z"})
	assert.Regexp(t, "^-CLUSTERDOWN MSET applied on "+n1+" \\(key "+k1+"\\); applied on "+n0+" \\(key "+k0+"\\); "+
		"not applied on "+n2+" \\(key "+k2+"\\): node "+n2+" is unreachable: ", replies[0])
	assert.Less(t, took, failWithin)
	replies, _ = timed(t, a, []string{"GET", k0}, []string{"GET", k1})
	assert.Equal(t, []string{"$1\r\nz\r\n", "$1\r\ny\r\n"}, replies, "the applied part is there")
}

// TestBlockingForwardToStoppedPeer blocks BLPOP, forwarded to the key's
// owner, then stops the owner: the liveness check ends the wait with
// CLUSTERDOWN within about two Timeouts. A BLPOP sent while the owner is
// stopped fails within one.
func TestBlockingForwardToStoppedPeer(t *testing.T) {
	c := startCluster(t, "")
	owner := c.nodes[2]
	a := dialRaw(t, c.nodes[0].addr)
	key := c.keyOn(2, "queue")
	obs := dialRaw(t, owner.addr)

	type result struct {
		reply string
		err   error
		at    time.Time
	}
	done := make(chan result, 1)
	_, err := a.nc.Write(resp.AppendCommand(nil, [][]byte{[]byte("BLPOP"), []byte(key), []byte("0")}))
	require.NoError(t, err)
	go func() {
		a.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
		reply, err := a.r.ReadReply()
		done <- result{string(reply), err, time.Now()}
	}()
	// Wait until the owner has the client blocked.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		replies, err := obs.do([]string{"INFO", "clients"})
		require.NoError(t, err)
		if strings.Contains(replies[0], "blocked_clients:1\r\n") {
			break
		}
		require.True(t, time.Now().Before(deadline), "BLPOP did not block on the owner")
	}
	c.pause(owner)
	stoppedAt := time.Now()
	var res result
	select {
	case res = <-done:
	case <-time.After(2*mycluster.Timeout + 10*time.Second):
		require.FailNow(t, "the forwarded BLPOP still waits for a stopped peer")
	}
	require.NoError(t, res.err)
	assert.Equal(t, "-CLUSTERDOWN node "+owner.addr+" failed a liveness check (PING) while the blocking command waited: "+
		"the command may or may not have been applied\r\n", res.reply)
	assert.Less(t, res.at.Sub(stoppedAt), 2*mycluster.Timeout+1500*time.Millisecond)

	replies, took := timed(t, a, []string{"BLPOP", key, "0"})
	assert.Equal(t, "-CLUSTERDOWN node "+owner.addr+" is unreachable: connecting timed out after 2s\r\n", replies[0])
	assert.Less(t, took, failWithin)
}
