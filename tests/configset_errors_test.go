package tests

import (
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConfigSetErrors: CONFIG SET's errors for an odd argument count and
// for a port or bind address that cannot be listened on, as Redis words
// them; the failed change is rolled back.
func TestConfigSetErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	port := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	eachServer(t, func(t *testing.T, start starter) {
		s := start(t)
		c := s.dial(t)
		c.mustDo("-ERR syntax error\r\n", "CONFIG", "SET", "hz", "20", "maxmemory-samples")
		c.mustDo("-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
			"CONFIG", "SET", "port", port)
		c.mustDo("-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n",
			"CONFIG", "SET", "bind", "192.0.2.254")
		c.mustDo("*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n", "CONFIG", "GET", "bind")
		s.dial(t).mustDo("+PONG\r\n", "PING")
	})
}
