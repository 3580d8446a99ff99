package main

import (
	"context"
	"strconv"

	"myredis/resp"
)

// supported lists the commands idgo answers, for the unknown-command error.
const supported = "GET, SET, EXISTS, DEL, PING, ECHO, QUIT, HELLO, SELECT, CLIENT SETINFO|SETNAME, COMMAND"

// A session is one client connection's state; it is used by the
// connection's goroutine only.
type session struct {
	srv  *Server
	id   int64
	w    *resp.Writer
	name [16]byte // scratch space for the lower-cased command name
}

// A command is one entry of the command table. arity counts the name: n > 0
// means exactly n arguments, n < 0 at least -n.
type command struct {
	arity int
	run   func(s *session, ctx context.Context, args [][]byte) (quit bool)
}

// commands is the command table, by lower-case name.
var commands map[string]command

func init() {
	commands = map[string]command{
		"get":     {2, (*session).get},
		"set":     {3, (*session).set},
		"exists":  {2, (*session).exists},
		"del":     {2, (*session).del},
		"ping":    {-1, (*session).ping},
		"echo":    {2, (*session).echo},
		"quit":    {-1, (*session).quit},
		"hello":   {-1, (*session).hello},
		"select":  {2, (*session).selectDB},
		"client":  {-2, (*session).client},
		"command": {-1, (*session).commandCmd},
	}
}

// exec runs one command, buffering its reply, and reports whether the
// connection must close after the reply.
func (s *session) exec(ctx context.Context, args [][]byte) bool {
	name := s.lower(args[0])
	cmd, ok := commands[string(name)]
	switch {
	case !ok:
		s.w.WriteError("ERR unknown command '" + string(args[0]) + "', idgo supports " + supported)
	case cmd.arity > 0 && len(args) != cmd.arity, cmd.arity < 0 && len(args) < -cmd.arity:
		s.w.WriteError("ERR wrong number of arguments for '" + string(name) + "' command")
	default:
		return cmd.run(s, ctx, args)
	}
	return false
}

// lower returns b lower-cased in the session's scratch space, or b itself
// when it is too long to be a command name.
func (s *session) lower(b []byte) []byte {
	if len(b) > len(s.name) {
		return b
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		s.name[i] = c
	}
	return s.name[:len(b)]
}

// storageError writes the reply for a failed store call.
func (s *session) storageError(err error) {
	s.srv.logStorageError(err)
	s.w.WriteError("ERR storage: " + err.Error())
}

// get is GET key: the next ID, 0 for a generator never set.
func (s *session) get(ctx context.Context, args [][]byte) bool {
	id, err := s.srv.svc.Next(ctx, args[1])
	if err != nil {
		s.storageError(err)
	} else {
		s.w.WriteInt(id)
	}
	return false
}

// set is SET key n: the next ID of key becomes n+1.
func (s *session) set(ctx context.Context, args [][]byte) bool {
	n, ok := parseInt(args[2])
	switch {
	case !ok:
		s.w.WriteError("ERR value is not an integer or out of range")
	case n < 0:
		s.w.WriteError("ERR value is out of range, must be positive")
	default:
		if err := s.srv.svc.Set(ctx, args[1], n); err != nil {
			s.storageError(err)
		} else {
			s.w.WriteSimple("OK")
		}
	}
	return false
}

// exists is EXISTS key: 1 when the generator's counter exists, else 0.
func (s *session) exists(ctx context.Context, args [][]byte) bool {
	s.boolReply(s.srv.svc.Exists(ctx, args[1]))
	return false
}

// del is DEL key: 1 when the generator existed and is now removed, else 0.
func (s *session) del(ctx context.Context, args [][]byte) bool {
	s.boolReply(s.srv.svc.Del(ctx, args[1]))
	return false
}

// boolReply writes the integer 1 or 0 for ok, or the storage error.
func (s *session) boolReply(ok bool, err error) {
	switch {
	case err != nil:
		s.storageError(err)
	case ok:
		s.w.WriteInt(1)
	default:
		s.w.WriteInt(0)
	}
}

// ping is PING [message].
func (s *session) ping(_ context.Context, args [][]byte) bool {
	switch len(args) {
	case 1:
		s.w.WriteSimple("PONG")
	case 2:
		s.w.WriteBulk(args[1])
	default:
		s.w.WriteError("ERR wrong number of arguments for 'ping' command")
	}
	return false
}

// echo is ECHO message.
func (s *session) echo(_ context.Context, args [][]byte) bool {
	s.w.WriteBulk(args[1])
	return false
}

// quit is QUIT: +OK, then the connection closes.
func (s *session) quit(context.Context, [][]byte) bool {
	s.w.WriteSimple("OK")
	return true
}

// hello is HELLO [protover [AUTH user pass] [SETNAME name]]: it switches
// the protocol and describes the server. idgo has no users, so AUTH is
// accepted whatever its arguments; SETNAME is accepted and ignored.
func (s *session) hello(_ context.Context, args [][]byte) bool {
	proto := s.w.Protocol()
	if len(args) > 1 {
		v, ok := parseInt(args[1])
		if !ok {
			s.w.WriteError("ERR Protocol version is not an integer or out of range")
			return false
		}
		if v != 2 && v != 3 {
			s.w.WriteError("NOPROTO unsupported protocol version")
			return false
		}
		proto = int(v)
	}
	for i := 2; i < len(args); i++ {
		opt := string(s.lower(args[i]))
		switch {
		case opt == "auth" && i+2 < len(args):
			i += 2
		case opt == "setname" && i+1 < len(args):
			i++
		default:
			s.w.WriteError("ERR Syntax error in HELLO option '" + string(args[i]) + "'")
			return false
		}
	}
	s.w.SetProtocol(proto)
	s.w.WriteMap(7)
	s.w.WriteBulkString("server")
	s.w.WriteBulkString("idgo")
	s.w.WriteBulkString("version")
	s.w.WriteBulkString("1.0.0")
	s.w.WriteBulkString("proto")
	s.w.WriteInt(int64(proto))
	s.w.WriteBulkString("id")
	s.w.WriteInt(s.id)
	s.w.WriteBulkString("mode")
	s.w.WriteBulkString("standalone")
	s.w.WriteBulkString("role")
	s.w.WriteBulkString("master")
	s.w.WriteBulkString("modules")
	s.w.WriteArray(0)
	return false
}

// selectDB is SELECT index: idgo has one keyspace, database 0.
func (s *session) selectDB(_ context.Context, args [][]byte) bool {
	if n, ok := parseInt(args[1]); !ok {
		s.w.WriteError("ERR value is not an integer or out of range")
	} else if n != 0 {
		s.w.WriteError("ERR DB index is out of range")
	} else {
		s.w.WriteSimple("OK")
	}
	return false
}

// client is CLIENT SETINFO and CLIENT SETNAME, which clients send when they
// connect: accepted and ignored.
func (s *session) client(_ context.Context, args [][]byte) bool {
	switch string(s.lower(args[1])) {
	case "setinfo", "setname":
		s.w.WriteSimple("OK")
	default:
		s.w.WriteError("ERR unknown subcommand '" + string(args[1]) + "'. idgo supports CLIENT SETINFO and CLIENT SETNAME")
	}
	return false
}

// commandCmd is COMMAND with any subcommand (redis-cli sends COMMAND DOCS
// when it starts): an empty array, idgo describes no commands.
func (s *session) commandCmd(context.Context, [][]byte) bool {
	s.w.WriteArray(0)
	return false
}

// parseInt parses b as Redis parses an integer argument: an optional '-'
// and decimal digits without leading zeros, nothing else, within int64.
func parseInt(b []byte) (int64, bool) {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || digits[0] == '+' || len(b) > 20 || (digits[0] == '0' && len(b) > 1) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}
