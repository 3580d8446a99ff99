package cluster

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"sync"
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
	t  *testing.T
	nc net.Conn
	r  *resp.Reader
}

// dialRaw opens a rawConn to addr, closed at cleanup.
func dialRaw(t *testing.T, addr string) *rawConn {
	nc, err := net.DialTimeout("tcp", addr, replyWithin)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, r: resp.NewReader(bufio.NewReader(nc))}
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
