package aof

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"

	"myredis/rawio"
)

// Linux native AIO, just enough to fdatasync a file without blocking a
// thread: the kernel runs the flush in a worker and signals an eventfd,
// which the Go runtime polls like a socket. None of the calls can block, so
// they are raw system calls (see package rawio). A goroutine waiting for the
// flush is parked, and its P keeps running other goroutines; a plain
// fdatasync keeps its thread (and, until the runtime takes it back, its P)
// for the whole flush.

// From linux/aio_abi.h.
const (
	iocbCmdFdsync = 3
	iocbFlagResfd = 1 << 0
)

// iocb is struct iocb as laid out on a little-endian machine; a big-endian
// one swaps key and rwFlags, which stay zero here.
type iocb struct {
	data      uint64
	key       uint32
	rwFlags   uint32
	opcode    uint16
	reqprio   int16
	fildes    uint32
	buf       uint64
	nbytes    uint64
	offset    int64
	reserved2 uint64
	flags     uint32
	resfd     uint32
}

// ioEvent is struct io_event.
type ioEvent struct {
	data uint64
	obj  uint64
	res  int64
	res2 int64
}

// aioSyncer runs one fdatasync at a time through an AIO context. It is
// not safe for concurrent use.
type aioSyncer struct {
	ctx uintptr
	efd *os.File    // the eventfd the kernel signals a completion on
	ev  *rawio.Conn // reads efd
	cb  iocb
	seq uint64 // tags each request, so a stale completion is never taken for the current one
}

// newAIOSyncer sets up an AIO context and its eventfd, or returns why it
// cannot (an old kernel, AIO limits, a seccomp filter).
func newAIOSyncer() (*aioSyncer, error) {
	var ctx uintptr
	if _, _, errno := syscall.Syscall(syscall.SYS_IO_SETUP, 1, uintptr(unsafe.Pointer(&ctx)), 0); errno != 0 {
		return nil, fmt.Errorf("io_setup: %w", errno)
	}
	fd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		syscall.Syscall(syscall.SYS_IO_DESTROY, ctx, 0, 0)
		return nil, fmt.Errorf("eventfd: %w", errno)
	}
	efd := os.NewFile(fd, "aof-eventfd")
	rc, _ := efd.SyscallConn() // fails only for a closed file
	return &aioSyncer{ctx: ctx, efd: efd, ev: rawio.NewConn(rc)}, nil
}

// sync fdatasyncs f, parking the calling goroutine until the flush is done.
func (s *aioSyncer) sync(f *os.File) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	s.seq++
	var submitErr error
	if err := sc.Control(func(fd uintptr) {
		s.cb = iocb{data: s.seq, opcode: iocbCmdFdsync, fildes: uint32(fd), flags: iocbFlagResfd, resfd: uint32(s.efd.Fd())}
		cbs := [1]*iocb{&s.cb}
		for {
			_, _, errno := syscall.RawSyscall(syscall.SYS_IO_SUBMIT, s.ctx, 1, uintptr(unsafe.Pointer(&cbs[0])))
			if errno == syscall.EINTR {
				continue
			}
			if errno != 0 {
				submitErr = fmt.Errorf("io_submit: %w", errno)
			}
			return
		}
	}); err != nil {
		return err
	}
	if submitErr != nil {
		return submitErr
	}
	var count [8]byte
	for {
		// The kernel queues the completion, then signals the eventfd;
		// reading it resets its count.
		if _, err := s.ev.Read(count[:]); err != nil {
			return fmt.Errorf("reading the AIO eventfd: %w", err)
		}
		for {
			var ev ioEvent
			var zero syscall.Timespec
			n, _, errno := syscall.RawSyscall6(syscall.SYS_IO_GETEVENTS, s.ctx, 0, 1, uintptr(unsafe.Pointer(&ev)), uintptr(unsafe.Pointer(&zero)), 0)
			if errno == syscall.EINTR {
				continue
			}
			if errno != 0 {
				return fmt.Errorf("io_getevents: %w", errno)
			}
			if n == 0 {
				break // ours is not in yet: wait for the next signal
			}
			if ev.data != s.seq {
				continue // left by a sync that failed before reaping it
			}
			if ev.res < 0 {
				return syscall.Errno(-ev.res)
			}
			return nil
		}
	}
}

// close releases the AIO context and the eventfd.
func (s *aioSyncer) close() {
	syscall.Syscall(syscall.SYS_IO_DESTROY, s.ctx, 0, 0)
	s.efd.Close()
}
