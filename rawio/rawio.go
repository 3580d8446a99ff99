// Package rawio reads and writes file descriptors with raw system calls:
// calls the Go scheduler is not told about.
//
// An ordinary system call tells the scheduler it is entering the kernel,
// and that wakes the runtime's monitor thread (sysmon) whenever it sleeps
// because the process was idle for a moment. Woken that way, the monitor
// polls every 20 µs for about a millisecond. A server confined to one CPU
// goes idle and wakes many times a second, so the monitor keeps taking the
// CPU from it: under appendfsync always with 50 clients, about a fifth of
// the server's CPU per request.
//
// The bookkeeping exists so that the scheduler can give the processor to
// other goroutines while a call blocks. A read or write of a nonblocking
// descriptor (a socket, an eventfd) never blocks: when it would, it fails
// with EAGAIN, and Conn waits in the runtime's poller instead. An append to
// a regular file can wait for the disk; WriteFile keeps the thread, as a
// single-threaded Redis does, so other goroutines wait that long.
package rawio

import (
	"io"
	"os"
	"syscall"
)

// A Conn reads and writes a nonblocking descriptor. Deadlines set on the
// connection or file it was made from apply to its Read and Write. A Conn
// is safe for one reader and one writer at a time, as a net.Conn is; Read
// and Write allocate nothing.
type Conn struct {
	rc syscall.RawConn
	// The state of the call in progress, one for each direction, and the
	// functions the RawConn calls with the descriptor, made once so that
	// a call does not allocate a closure.
	rd, wr   ioState
	rdf, wrf func(fd uintptr) bool
}

// ioState is one direction's call in progress: the buffer, the bytes moved
// so far and the last error number.
type ioState struct {
	p     []byte
	n     int
	errno syscall.Errno
}

// NewConn returns a Conn on rc's descriptor, which must be in the runtime's
// poller: rc comes from a net.Conn, or from an os.File opened nonblocking.
func NewConn(rc syscall.RawConn) *Conn {
	c := &Conn{rc: rc}
	c.rdf, c.wrf = c.readOnce, c.writeAll
	return c
}

// Read reads into p, waiting until the descriptor is readable. It returns
// io.EOF when the peer has closed its end; errors from the poller (a
// deadline, a closed connection) come back wrapped as the connection wraps
// them.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rd = ioState{p: p}
	err := c.rc.Read(c.rdf)
	n, errno := c.rd.n, c.rd.errno
	c.rd.p = nil // the caller's buffer is not kept
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// readOnce reads once into c.rd, reporting false when the descriptor is
// not ready.
func (c *Conn) readOnce(fd uintptr) bool {
	c.rd.n, c.rd.errno = read(fd, c.rd.p)
	return c.rd.errno != syscall.EAGAIN
}

// Write writes all of p, waiting while the descriptor is not writable. It
// returns how many bytes were written before an error.
func (c *Conn) Write(p []byte) (int, error) {
	c.wr = ioState{p: p}
	err := c.rc.Write(c.wrf)
	n, errno := c.wr.n, c.wr.errno
	c.wr.p = nil
	if err == nil && errno != 0 {
		err = os.NewSyscallError("write", errno)
	}
	return n, err
}

// writeAll writes the rest of c.wr, reporting false when the descriptor
// fills up before the end.
func (c *Conn) writeAll(fd uintptr) bool {
	for c.wr.n < len(c.wr.p) {
		m, errno := write(fd, c.wr.p[c.wr.n:])
		if errno == syscall.EAGAIN {
			return false
		}
		if errno != 0 {
			c.wr.errno = errno
			return true
		}
		c.wr.n += m
	}
	return true
}

// WriteFile writes all of p to f, at its offset (or its end, when f was
// opened with O_APPEND), keeping the thread while the kernel works. It
// returns how many bytes were written and, on failure, a *os.PathError as
// f.Write does.
func WriteFile(f *os.File, p []byte) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var errno syscall.Errno
	err = rc.Control(func(fd uintptr) {
		for n < len(p) && errno == 0 {
			var m int
			m, errno = write(fd, p[n:])
			n += m
		}
	})
	if err == nil && errno != 0 {
		err = &os.PathError{Op: "write", Path: f.Name(), Err: errno}
	}
	return n, err
}
