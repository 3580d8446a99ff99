package tests

import (
	"syscall"
	"testing"
)

func TestShutdownCommand(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		c := s.dial(t)
		c.mustDo("+OK\r\n", "SET", "k", "v")
		c.send(string(encodeCommand([]string{"SHUTDOWN"})))
		if got := c.expectClosed(ioTimeout); got != "" {
			t.Errorf("SHUTDOWN replied %q, want the connection closed", got)
		}
		if code, err := s.wait(ioTimeout); err != nil || code != 0 {
			t.Fatalf("after SHUTDOWN: exit code %d, %v; want 0", code, err)
		}
	})
}

func TestSIGTERM(t *testing.T) {
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		idle := s.dial(t) // an open connection must not delay the exit
		idle.mustDo("+PONG\r\n", "PING")
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code, err := s.wait(ioTimeout); err != nil || code != 0 {
			t.Fatalf("after SIGTERM: exit code %d, %v; want 0", code, err)
		}
	})
}
