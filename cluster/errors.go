package cluster

import (
	"errors"
	"fmt"
	"io"
	"net"
)

// outcomeUnknown ends the error of a command that may have reached its
// peer without a reply coming back.
const outcomeUnknown = "the command may or may not have been applied"

// A peerError is why a command handed to a peer got no reply. Its Error
// text is the error reply the client gets:
//
//	CLUSTERDOWN node <addr> is unreachable: <cause>
//
// for a command that certainly did not reach the peer (nothing was sent,
// or not all of it), and
//
//	CLUSTERDOWN node <addr> did not answer within 2s: the command may or may not have been applied
//
// (or another account of the lost reply) for one that may have: the peer
// may have run it and its reply been lost.
type peerError struct {
	addr string
	what string // what happened, as it follows "node <addr> "
	sent bool   // the command may have reached the peer: its outcome is unknown
}

func (e *peerError) Error() string {
	if e.sent {
		return "CLUSTERDOWN " + e.brief() + ": " + outcomeUnknown
	}
	return "CLUSTERDOWN " + e.brief()
}

// brief is the account without CLUSTERDOWN and without the outcome:
// "node 127.0.0.1:7001 did not answer within 2s".
func (e *peerError) brief() string { return "node " + e.addr + " " + e.what }

// unreachable is the error for a command that did not leave for addr
// because of err (a failed dial, handshake or write).
func unreachable(addr string, err error) *peerError {
	return &peerError{addr: addr, what: "is unreachable: " + describe(err, "connecting timed out after "+Timeout.String())}
}

// notSentWithin is the error for a command that waited in a connection's
// queue for its whole Timeout: connecting or sending took too long.
func notSentWithin(addr string) *peerError {
	return &peerError{addr: addr, what: fmt.Sprintf("is unreachable: the command could not be sent within %v", Timeout)}
}

// noAnswer is the error for a command that may have reached addr but whose
// reply did not come because of err (a deadline, a broken connection).
func noAnswer(addr string, err error) *peerError {
	what := "did not answer: " + describe(err, "")
	switch {
	case isTimeout(err):
		what = fmt.Sprintf("did not answer within %v", Timeout)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		what = "closed the connection before answering"
	}
	return &peerError{addr: addr, what: what, sent: true}
}

// describe returns err's text, or onTimeout for a deadline that passed
// when onTimeout is not empty.
func describe(err error, onTimeout string) string {
	if onTimeout != "" && isTimeout(err) {
		return onTimeout
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// errorReply is the RESP error reply carrying msg, with any CR or LF in it
// replaced by a space so the reply stays one line.
func errorReply(msg string) []byte {
	out := make([]byte, 0, len(msg)+3)
	out = append(out, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		out = append(out, c)
	}
	return append(out, "\r\n"...)
}
