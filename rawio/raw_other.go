//go:build !linux

package rawio

import "syscall"

// Elsewhere than Linux, read and write are the ordinary system calls.

func read(fd uintptr, p []byte) (int, syscall.Errno)  { return retryIO(syscall.Read, fd, p) }
func write(fd uintptr, p []byte) (int, syscall.Errno) { return retryIO(syscall.Write, fd, p) }

// retryIO runs call on fd and p, retried on EINTR; it moves nothing when it
// fails.
func retryIO(call func(int, []byte) (int, error), fd uintptr, p []byte) (int, syscall.Errno) {
	for {
		n, err := call(int(fd), p)
		switch err {
		case nil:
			return n, 0
		case syscall.EINTR:
		default:
			return 0, err.(syscall.Errno)
		}
	}
}
