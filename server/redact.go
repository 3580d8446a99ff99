package server

import (
	"myredis/config"
	"myredis/db"
)

// redactedArg stands for a secret in SLOWLOG entries and MONITOR lines.
var redactedArg = []byte("(redacted)")

// redacted returns args with the secrets Redis 7.0 redacts replaced by
// "(redacted)", for the slow log and MONITOR: AUTH's password (and its
// username in the two-argument form), HELLO's AUTH username and password,
// and the values CONFIG SET gives requirepass, masterauth and masteruser.
// As in Redis, a command refused before it reads a secret (AUTH with too
// many arguments, HELLO with a bad protocol version, CONFIG SET with an odd
// argument count) is shown as sent. args itself is not modified; the
// result shares its unredacted elements.
func redacted(cmd *db.Command, args [][]byte) [][]byte {
	var hide []int
	switch cmd.FullName() {
	case "auth":
		if len(args) <= 3 {
			for i := 1; i < len(args); i++ {
				hide = append(hide, i)
			}
		}
	case "hello":
		hide = helloSecrets(args)
	case "config|set":
		if len(args)%2 == 0 {
			for i := 2; i+1 < len(args); i += 2 {
				if config.Sensitive(args[i]) {
					hide = append(hide, i+1)
				}
			}
		}
	}
	if len(hide) == 0 {
		return args
	}
	out := append([][]byte(nil), args...)
	for _, i := range hide {
		out[i] = redactedArg
	}
	return out
}

// helloSecrets returns the positions of the username and password of
// HELLO's AUTH options, as far as Redis reads the options.
func helloSecrets(args [][]byte) []int {
	next := 1
	if len(args) >= 2 {
		if v, ok := db.ParseInt(args[1]); !ok || v < 2 || v > 3 {
			return nil
		}
		next = 2
	}
	var hide []int
	for j := next; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case db.EqualFold(args[j], "auth") && more >= 2:
			hide = append(hide, j+1, j+2)
			j += 2
		case db.EqualFold(args[j], "setname") && more >= 1:
			j++
		default:
			return hide
		}
	}
	return hide
}
