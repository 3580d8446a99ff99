package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"myredis/rawio"
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
	svc          *Service
	log          *slog.Logger
	nextID       atomic.Int64 // connection ids, for HELLO
	lastStoreErr atomic.Int64 // when a storage error was last logged, Unix ns

	mu    sync.Mutex
	conns map[net.Conn]struct{} // open connections, closed by Close
}

// NewServer returns a server for svc that logs to log.
func NewServer(svc *Service, log *slog.Logger) *Server {
	return &Server{svc: svc, log: log, conns: make(map[net.Conn]struct{})}
}

// acceptRetry is the pause after a failed Accept (out of descriptors,
// say) before the next.
const acceptRetry = 50 * time.Millisecond

// Serve accepts connections on l until l is closed, and returns then.
func (s *Server) Serve(l net.Listener) {
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			s.log.Warn("accept", "err", err)
			time.Sleep(acceptRetry)
			continue
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

// logStorageError logs err, at most once a second: while MyRedis is down
// every request fails.
func (s *Server) logStorageError(err error) {
	now, last := time.Now().UnixNano(), s.lastStoreErr.Load()
	if now-last >= int64(time.Second) && s.lastStoreErr.CompareAndSwap(last, now) {
		s.log.Warn("storage", "err", err)
	}
}

// flushingReader flushes the connection's pending replies before each
// read: the RESP reader reads only when the buffered bytes hold no complete
// command, so every buffered command is answered first.
type flushingReader struct {
	sock io.Reader
	w    *resp.Writer
}

// Read flushes the replies, then reads from the socket.
func (f flushingReader) Read(p []byte) (int, error) {
	if err := f.w.Flush(); err != nil {
		return 0, err
	}
	return f.sock.Read(p)
}

// socket returns what to read and write c through: for a TCP connection,
// its descriptor with raw system calls (package rawio: they do not wake
// the runtime's monitor thread, which on a busy single CPU costs a good
// part of it), else c itself.
func socket(c net.Conn) io.ReadWriter {
	if sc, ok := c.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			return rawio.NewConn(raw)
		}
	}
	return c
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
	sock := socket(c)
	sess := &session{srv: s, id: s.nextID.Add(1), w: resp.NewWriter(sock)}
	r := resp.NewReader(flushingReader{sock, sess.w})
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
