package rawio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// pair returns the two ends of a loopback TCP connection, the first as a
// Conn.
func pair(t *testing.T) (*Conn, net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	far, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	near := <-accepted
	if near == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { near.Close(); far.Close() })
	rc, err := near.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return NewConn(rc), near, far
}

func TestConnReadWaitsForData(t *testing.T) {
	c, _, far := pair(t)
	go func() {
		time.Sleep(20 * time.Millisecond) // the Read below must wait in the poller
		far.Write([]byte("PING\r\n"))
	}()
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "PING\r\n" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
}

func TestConnWriteWaitsForRoom(t *testing.T) {
	c, _, far := pair(t)
	// Far more than the socket buffers hold: Write must wait for the
	// reader to drain them, more than once.
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<19)
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(far, int64(len(want))))
		got <- b
	}()
	n, err := c.Write(want)
	if err != nil || n != len(want) {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(want))
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("the reader got %d bytes, not the %d written", len(b), len(want))
	}
}

func TestConnErrors(t *testing.T) {
	t.Run("EOF when the peer closes", func(t *testing.T) {
		c, _, far := pair(t)
		far.Close()
		if n, err := c.Read(make([]byte, 8)); n != 0 || err != io.EOF {
			t.Fatalf("Read = %d, %v; want 0, io.EOF", n, err)
		}
	})
	t.Run("read deadline", func(t *testing.T) {
		c, near, _ := pair(t)
		near.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if _, err := c.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read = %v; want a deadline error", err)
		}
	})
	t.Run("closed while reading", func(t *testing.T) {
		c, near, _ := pair(t)
		go func() {
			time.Sleep(20 * time.Millisecond)
			near.Close()
		}()
		if _, err := c.Read(make([]byte, 8)); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Read = %v; want net.ErrClosed", err)
		}
	})
	t.Run("write after the peer reset", func(t *testing.T) {
		c, _, far := pair(t)
		far.(*net.TCPConn).SetLinger(0) // close with a reset
		far.Close()
		var err error
		for i := 0; i < 100 && err == nil; i++ { // the reset takes a moment to arrive
			_, err = c.Write([]byte("x"))
			time.Sleep(time.Millisecond)
		}
		var se *os.SyscallError
		if !errors.As(err, &se) || se.Syscall != "write" {
			t.Fatalf("Write = %v; want an *os.SyscallError from write", err)
		}
	})
	t.Run("empty read", func(t *testing.T) {
		c, _, _ := pair(t)
		if n, err := c.Read(nil); n != 0 || err != nil {
			t.Fatalf("Read(nil) = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, s := range []string{"*1\r\n", "$4\r\nPING\r\n"} {
		if n, err := WriteFile(f, []byte(s)); err != nil || n != len(s) {
			t.Fatalf("WriteFile(%q) = %d, %v", s, n, err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "*1\r\n$4\r\nPING\r\n" {
		t.Fatalf("the file holds %q", b)
	}

	ro, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	n, err := WriteFile(ro, []byte("x"))
	var pe *os.PathError
	if n != 0 || !errors.As(err, &pe) || pe.Op != "write" || pe.Path != path || !errors.Is(err, syscall.EBADF) {
		t.Fatalf("WriteFile on a read-only file = %d, %v; want 0 and a *os.PathError with EBADF", n, err)
	}
}

func TestConnAllocatesNothing(t *testing.T) {
	c, _, far := pair(t)
	out, in := []byte("+OK\r\n"), make([]byte, 64)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := far.Write(out); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Read(in); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write(out); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(far, in[:len(out)]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("a Read and a Write allocate %v times", allocs)
	}
}
