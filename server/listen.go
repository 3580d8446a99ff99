package server

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Listen opens a listener on every bind address and the configured port.
// As in Redis, "*" is every IPv4 address, "::*" every IPv6 address, and an
// address prefixed with '-' is optional: failing to bind it is only logged.
// Errors name the address.
func (s *Server) Listen() error {
	ls, err := s.listenAll(s.cfg.Bind(), s.cfg.Port())
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.listeners = ls
	s.mu.Unlock()
	return nil
}

// listenAll opens the listeners for binds and port, or none and an error.
func (s *Server) listenAll(binds []string, port int) ([]net.Listener, error) {
	if port == 0 {
		return nil, errors.New("port 0: not listening on any TCP port")
	}
	var ls []net.Listener
	for _, addr := range binds {
		optional := strings.HasPrefix(addr, "-")
		network, host := listenAddr(strings.TrimPrefix(addr, "-"))
		hostPort := net.JoinHostPort(host, strconv.Itoa(port))
		l, err := net.Listen(network, hostPort)
		if err != nil {
			if optional {
				s.log.Warn("skipping optional bind address", "addr", hostPort, "err", err)
				continue
			}
			closeAll(ls)
			return nil, fmt.Errorf("listen on %s: %w", hostPort, err)
		}
		s.log.Info("listening", "addr", l.Addr().String())
		ls = append(ls, l)
	}
	if len(ls) == 0 {
		return nil, fmt.Errorf("no address to listen on (bind %s, port %d)", strings.Join(binds, " "), port)
	}
	return ls, nil
}

// listenAddr maps a bind address to what net.Listen takes. The wildcards
// listen on one family each ("::" alone would take IPv4 too and collide
// with "*"): tcp6 on a wildcard sets IPV6_V6ONLY.
func listenAddr(addr string) (network, host string) {
	switch addr {
	case "*", "0.0.0.0":
		return "tcp4", "0.0.0.0"
	case "::*", "::":
		return "tcp6", "::"
	}
	return "tcp", addr
}

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}

// rebinder returns the applier of a CONFIG SET of port or bind: it listens
// on the new addresses, then closes the old listeners. Connections already
// accepted stay. On failure the old listeners stay, the cause is logged,
// and the error is Redis's reason for that parameter.
func (s *Server) rebinder(reason string) func() error {
	return func() error { return s.rebind(reason) }
}

func (s *Server) rebind(reason string) error {
	ls, err := s.listenAll(s.cfg.Bind(), s.cfg.Port())
	if err != nil {
		s.log.Warn("cannot listen on the new addresses", "err", err)
		return errors.New(reason)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		closeAll(ls)
		return nil
	}
	closeAll(s.listeners)
	s.listeners = ls
	if s.serving {
		for _, l := range ls {
			s.startAccepting(l)
		}
	}
	return nil
}

// protectedModeError is Redis 7.0's reply to a client refused by protected
// mode, sent before the connection is closed.
const protectedModeError = "-DENIED Redis is running in protected mode because protected " +
	"mode is enabled and no password is set for the default user. " +
	"In this mode connections are only accepted from the loopback interface. " +
	"If you want to connect from external computers to Redis you " +
	"may adopt one of the following solutions: " +
	"1) Just disable protected mode sending the command " +
	"'CONFIG SET protected-mode no' from the loopback interface " +
	"by connecting to Redis from the same host the server is " +
	"running, however MAKE SURE Redis is not publicly accessible " +
	"from internet if you do so. Use CONFIG REWRITE to make this " +
	"change permanent. " +
	"2) Alternatively you can just disable the protected mode by " +
	"editing the Redis configuration file, and setting the protected " +
	"mode option to 'no', and then restarting the server. " +
	"3) If you started the server manually just for testing, restart " +
	"it with the '--protected-mode no' option. " +
	"4) Setup a an authentication password for the default user. " +
	"NOTE: You only need to do one of the above things in order for " +
	"the server to start accepting connections from the outside.\r\n"

// isLocalAddr reports whether a client connected from the loopback
// interface as Redis 7.0 decides it: its address is exactly 127.0.0.1 or
// ::1 (127.0.0.2 is not), an IPv4-mapped 127.0.0.1 included.
func isLocalAddr(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.Network() == "unix" || a.Network() == "pipe"
	}
	return tcp.IP.Equal(net.IPv4(127, 0, 0, 1)) || tcp.IP.Equal(net.IPv6loopback)
}
