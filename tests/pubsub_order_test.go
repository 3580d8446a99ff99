package tests

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A pairConn is a raw connection that reports errors instead of failing the
// test, so goroutines other than the test's can use it.
type pairConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialPair(addr string) (*pairConn, error) {
	c, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		return nil, err
	}
	return &pairConn{c: c, r: bufio.NewReader(c)}, nil
}

// do sends args and reads n replies, returned concatenated.
func (p *pairConn) do(n int, args ...string) (string, error) {
	p.c.SetDeadline(time.Now().Add(ioTimeout))
	if _, err := p.c.Write(encodeCommand(args)); err != nil {
		return "", err
	}
	var out []byte
	for range n {
		var err error
		if out, err = appendReply(out, p.r); err != nil {
			return string(out), err
		}
	}
	return string(out), nil
}

// TestSubscriptionInEffectBeforeReply checks, on both servers, that a
// subscription change is in effect when its reply reaches the client:
// several subscriber/publisher pairs run at once, each subscribing (to
// channels or patterns), reading the confirmations, having its publisher
// count the receivers, unsubscribing from everything with the argument-less
// form, and having the publisher count again, hundreds of times.
func TestSubscriptionInEffectBeforeReply(t *testing.T) {
	const pairs, rounds = 4, 250
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		errs := make(chan error, pairs)
		var wg sync.WaitGroup
		for i := range pairs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- subscribeRounds(s.addr(), i, rounds)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	})
}

// subscribeRounds runs the rounds of one pair: pairs with an odd index
// speak RESP3, and every other round uses patterns.
func subscribeRounds(addr string, pair, rounds int) error {
	sub, err := dialPair(addr)
	if err != nil {
		return err
	}
	defer sub.c.Close()
	pub, err := dialPair(addr)
	if err != nil {
		return err
	}
	defer pub.c.Close()
	if pair%2 == 1 {
		if _, err := sub.do(1, "HELLO", "3"); err != nil {
			return err
		}
	}
	a, b := "ch"+strconv.Itoa(pair), "other"+strconv.Itoa(pair)
	for round := range rounds {
		subscribe, unsubscribe, names := "SUBSCRIBE", "UNSUBSCRIBE", []string{a, b}
		if round%2 == 1 {
			subscribe, unsubscribe, names = "PSUBSCRIBE", "PUNSUBSCRIBE", []string{a + "*", b + "*"}
		}
		if _, err := sub.do(2, append([]string{subscribe}, names...)...); err != nil {
			return fmt.Errorf("pair %d round %d: %s: %v", pair, round, subscribe, err)
		}
		if got, err := pub.do(1, "PUBLISH", a, "m"); err != nil || got != ":1\r\n" {
			return fmt.Errorf("pair %d round %d: PUBLISH after %s answered: %q, %v; want :1", pair, round, subscribe, got, err)
		}
		sub.c.SetReadDeadline(time.Now().Add(ioTimeout))
		if _, err := readReply(sub.r); err != nil {
			return fmt.Errorf("pair %d round %d: the message: %v", pair, round, err)
		}
		if _, err := sub.do(2, unsubscribe); err != nil {
			return fmt.Errorf("pair %d round %d: %s: %v", pair, round, unsubscribe, err)
		}
		if got, err := pub.do(1, "PUBLISH", a, "m"); err != nil || got != ":0\r\n" {
			return fmt.Errorf("pair %d round %d: PUBLISH after %s with no arguments answered %q, %v; want :0", pair, round, unsubscribe, got, err)
		}
	}
	return nil
}
