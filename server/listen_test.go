package server

import (
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"

	"myredis/config"
)

func configForTest() *config.Config { return config.Default() }

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestIsLocalAddr is protected mode's decision, as Redis 7.0 makes it: only
// 127.0.0.1 and ::1 count as the loopback interface.
func TestIsLocalAddr(t *testing.T) {
	cases := []struct {
		addr  net.Addr
		local bool
	}{
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 5000}, true},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 5000}, true},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:127.0.0.1"), Port: 5000}, true},
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.2"), Port: 5000}, false},
		{&net.TCPAddr{IP: net.ParseIP("10.0.0.7"), Port: 5000}, false},
		{&net.TCPAddr{IP: net.ParseIP("192.168.1.20"), Port: 5000}, false},
		{&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 5000}, false},
		{&net.UnixAddr{Name: "/tmp/redis.sock", Net: "unix"}, true},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.local, isLocalAddr(tc.addr), tc.addr.String())
	}
}

func TestListenAddr(t *testing.T) {
	for addr, want := range map[string][2]string{
		"*":         {"tcp4", "0.0.0.0"},
		"::*":       {"tcp6", "::"},
		"127.0.0.1": {"tcp", "127.0.0.1"},
		"::1":       {"tcp", "::1"},
	} {
		network, host := listenAddr(addr)
		assert.Equal(t, want, [2]string{network, host}, addr)
	}
}
