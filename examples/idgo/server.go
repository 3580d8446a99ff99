package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"

	"myredis/resp"
)

// readLimits bound what one connection may make idgo buffer: its commands
// are short.
var readLimits = resp.Limits{MaxBulkLen: 1 << 20, MaxQuery: 4 << 20}

// A Server answers the Redis protocol for a Service: one goroutine per
// connection; the replies to the commands already received are buffered
// and written with one write just before the connection is read again, so
// a pipelined batch is answered with one write.
type Server struct {
	svc    *Service
	log    *slog.Logger
	nextID atomic.Int64 // connection ids, for HELLO

	mu    sync.Mutex
	conns map[net.Conn]struct{} // open connections, closed by Close
}

// NewServer returns a server for svc that logs to log.
func NewServer(svc *Service, log *slog.Logger) *Server {
	return &Server{svc: svc, log: log, conns: make(map[net.Conn]struct{})}
}

// Serve accepts connections on l until l is closed, and returns then.
func (s *Server) Serve(l net.Listener) error {
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		go s.serveConn(c)
	}
}

// Close closes every open connection (the listener is the caller's).
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

// flushingReader flushes the connection's pending replies before each
// read: the RESP reader reads only when the buffered bytes hold no complete
// command, so every buffered command is answered first.
type flushingReader struct {
	conn net.Conn
	w    *resp.Writer
}

// Read flushes the replies, then reads from the connection.
func (f flushingReader) Read(p []byte) (int, error) {
	if err := f.w.Flush(); err != nil {
		return 0, err
	}
	return f.conn.Read(p)
}

// serveConn runs one connection until the client leaves, sends QUIT or a
// malformed frame (answered with the protocol error), or a write fails.
func (s *Server) serveConn(c net.Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	sess := &session{srv: s, id: s.nextID.Add(1), w: resp.NewWriter(c)}
	r := resp.NewReader(flushingReader{c, sess.w})
	r.SetLimits(readLimits)
	ctx := context.Background()
	for {
		args, err := r.ReadCommand()
		if err != nil {
			var pe *resp.ProtocolError
			if errors.As(err, &pe) {
				sess.w.WriteError("ERR " + pe.Error())
			} else if errors.Is(err, resp.ErrQueryBufferLimit) {
				s.log.Warn("closing client: query buffer limit", "remote", c.RemoteAddr())
			} else if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.log.Debug("closing client", "remote", c.RemoteAddr(), "err", err)
			}
			sess.w.Flush()
			return
		}
		if sess.exec(ctx, args) {
			sess.w.Flush()
			return
		}
	}
}
