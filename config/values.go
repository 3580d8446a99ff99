package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"path/filepath"
	"strconv"
	"strings"
)

// A value is the state of one parameter: its CONFIG GET text and, for the
// kinds that have one, its number (yes/no as 1/0, integers, bytes, a
// percentage stored negated, keyspace-event flags).
type value struct {
	text string
	n    int64
}

// A parser validates a parameter's arguments and returns the new value. old
// is the current value, for parameters whose arguments only change part of
// it (client-output-buffer-limit). The error text is Redis's reason, without
// any prefix.
type parser func(args []string, old value) (value, error)

// Reasons shared by several kinds, worded as Redis 7.0 words them.
var (
	errWrongArgs = errors.New("wrong number of arguments")
	errYesNo     = errors.New("argument must be 'yes' or 'no'")
	errInteger   = errors.New("argument couldn't be parsed into an integer")
	errMemory    = errors.New("argument must be a memory value")
	errPercent   = errors.New("argument must be a memory or percent value")
	errOctal     = errors.New("argument couldn't be parsed as an octal number")
	errSave      = errors.New("Invalid save parameters")
)

// parseYesNo reads yes or no, in any case.
func parseYesNo(args []string, _ value) (value, error) {
	switch strings.ToLower(args[0]) {
	case "yes":
		return value{"yes", 1}, nil
	case "no":
		return value{"no", 0}, nil
	}
	return value{}, errYesNo
}

// numberFormat says how an integer parameter is written and read.
type numberFormat uint8

const (
	decimal numberFormat = iota
	bytesFormat
	bytesOrPercent // bytes, or "N%" stored as -N
	octal
)

// parseNumber returns the parser of an integer parameter in [min, max];
// adjust, if not nil, changes an accepted value (hz is capped, not refused).
func parseNumber(format numberFormat, min, max int64, adjust func(int64) int64) parser {
	return func(args []string, _ value) (value, error) {
		s := args[0]
		var n int64
		var ok bool
		switch format {
		case decimal:
			n, ok = parseStrictInt(s)
			if !ok {
				return value{}, errInteger
			}
		case bytesFormat:
			if n, ok = parseBytes(s); !ok {
				return value{}, errMemory
			}
		case bytesOrPercent:
			if n, ok = parseBytes(s); !ok {
				pct, isInt := int64(0), false
				if len(s) > 1 && s[len(s)-1] == '%' {
					pct, isInt = parseStrictInt(s[:len(s)-1])
				}
				if !isInt || pct < 0 {
					return value{}, errPercent
				}
				if -pct < min {
					return value{}, fmt.Errorf("percentage argument must be less or equal to %d", -min)
				}
				n = -pct
			}
		case octal:
			u, err := strconv.ParseInt(s, 8, 64)
			if err != nil {
				return value{}, errOctal
			}
			n = u
		}
		if n < min || n > max {
			if format == octal {
				return value{}, fmt.Errorf("argument must be between %o and %o inclusive", min, max)
			}
			return value{}, fmt.Errorf("argument must be between %d and %d inclusive", min, max)
		}
		if adjust != nil {
			n = adjust(n)
		}
		switch {
		case format == octal:
			return value{strconv.FormatInt(n, 8), n}, nil
		case n < 0 && format == bytesOrPercent:
			return value{strconv.FormatInt(-n, 10) + "%", n}, nil
		}
		return value{strconv.FormatInt(n, 10), n}, nil
	}
}

// parseStrictInt parses a base-10 integer in its one canonical spelling, as
// Redis's string2ll does: no sign but '-', no leading zeros, no "-0", no
// spaces.
func parseStrictInt(s string) (int64, bool) {
	if s == "0" {
		return 0, true
	}
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || digits[0] < '1' || digits[0] > '9' {
		return 0, false
	}
	for i := 1; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseBytes parses a memory amount: digits followed by an optional unit,
// b, k (1000), kb (1024), m, mb, g or gb, in any case. Like Redis, missing
// digits read as 0 (so "" is 0). Amounts above the int64 range are refused.
func parseBytes(s string) (int64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul int64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1 << 10
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1 << 20
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1 << 30
	default:
		return 0, false
	}
	if i == 0 {
		return 0, true
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n > math.MaxInt64/mul {
		return 0, false
	}
	return n * mul, true
}

// formatBytes writes n for a config file, in gb, mb or kb when exact.
func formatBytes(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "gb"}, {1 << 20, "mb"}, {1 << 10, "kb"}} {
		if n != 0 && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// parseEnum returns the parser of a parameter that takes one of names, in
// any case. same maps a synonym to the name CONFIG GET shows for it.
func parseEnum(names []string, same map[string]string) parser {
	return func(args []string, _ value) (value, error) {
		s := strings.ToLower(args[0])
		for _, name := range names {
			if s == name {
				if canon, ok := same[s]; ok {
					s = canon
				}
				return value{text: s}, nil
			}
		}
		return value{}, enumError(names)
	}
}

func enumError(names []string) error {
	return errors.New("argument(s) must be one of the following: " + strings.Join(names, ", "))
}

// parseString returns the parser of a free-form string parameter; check, if
// not nil, refuses some strings.
func parseString(check func(string) error) parser {
	return func(args []string, _ value) (value, error) {
		if check != nil {
			if err := check(args[0]); err != nil {
				return value{}, err
			}
		}
		return value{text: args[0]}, nil
	}
}

// baseName returns the check of a string that must be a bare file name; what
// names the thing in the error ("a filename", "a dirname").
func baseName(name, what string, allowEmpty bool) func(string) error {
	return func(s string) error {
		if s == "" && !allowEmpty {
			return fmt.Errorf("%s can't be empty", name)
		}
		if strings.ContainsAny(s, `/\`) {
			return fmt.Errorf("%s can't be a path, just %s", name, what)
		}
		return nil
	}
}

// checkHostname accepts what cluster-announce-hostname accepts.
func checkHostname(s string) error {
	if len(s) >= 256 {
		return errors.New("Hostnames must be less than 256 characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return errors.New("Hostnames may only contain alphanumeric characters, hyphens or dots")
		}
	}
	return nil
}

// checkProcTitle accepts a proc-title-template: every {variable} must be
// known, and the title must not come out empty (the {title} variable alone
// may be empty, so it does not count).
func checkProcTitle(s string) error {
	bad := errors.New("template format is invalid or contains unknown variables")
	var out strings.Builder
	for s != "" {
		open := strings.IndexAny(s, "{}")
		if open < 0 {
			out.WriteString(s)
			break
		}
		out.WriteString(s[:open])
		end := strings.IndexByte(s[open:], '}')
		if s[open] == '}' || end < 0 {
			return bad
		}
		switch s[open+1 : open+end] {
		case "title", "server-mode", "unixsocket", "config-file":
		case "listen-addr", "port", "tls-port":
			out.WriteString("x")
		default:
			return bad
		}
		s = s[open+end+1:]
	}
	if strings.TrimSpace(out.String()) == "" {
		return bad
	}
	return nil
}

// emptyArgs reports whether args is no argument or the single empty
// argument, which multi-argument parameters read as "nothing".
func emptyArgs(args []string) bool {
	return len(args) == 0 || len(args) == 1 && args[0] == ""
}

// parseSave reads "seconds changes" pairs (seconds ≥ 1, changes ≥ 0).
func parseSave(args []string, _ value) (value, error) {
	if emptyArgs(args) {
		return value{}, nil
	}
	if len(args)%2 != 0 {
		return value{}, errSave
	}
	nums := make([]string, len(args))
	for i, a := range args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || i%2 == 0 && n < 1 || n < 0 {
			return value{}, errSave
		}
		nums[i] = strconv.FormatInt(n, 10)
	}
	return value{text: strings.Join(nums, " ")}, nil
}

// outputBufferClasses are the client classes of client-output-buffer-limit,
// in CONFIG GET order.
var outputBufferClasses = []string{"normal", "slave", "pubsub"}

// parseOutputBufferLimit reads "class hard soft seconds" groups; the classes
// named replace theirs in old, the others keep their limits.
func parseOutputBufferLimit(args []string, old value) (value, error) {
	if len(args)%4 != 0 {
		return value{}, errors.New("Wrong number of arguments in buffer limit configuration.")
	}
	limits := strings.Fields(old.text)
	if len(limits) != 4*len(outputBufferClasses) {
		limits = strings.Fields("normal 0 0 0 slave 0 0 0 pubsub 0 0 0") // no old value yet
	}
	for i := 0; i < len(args); i += 4 {
		class := strings.ToLower(args[i])
		if class == "replica" {
			class = "slave"
		}
		slot := -1
		for j, name := range outputBufferClasses {
			if class == name {
				slot = j
			}
		}
		if slot < 0 {
			return value{}, errors.New("Invalid client class specified in buffer limit configuration.")
		}
		hard, okHard := parseBytes(args[i+1])
		soft, okSoft := parseBytes(args[i+2])
		secs, err := strconv.ParseInt(args[i+3], 10, 64)
		if !okHard || !okSoft || err != nil || secs < 0 {
			return value{}, errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		copy(limits[slot*4+1:], []string{
			strconv.FormatInt(hard, 10), strconv.FormatInt(soft, 10), strconv.FormatInt(secs, 10)})
	}
	return value{text: strings.Join(limits, " ")}, nil
}

// outputBufferLimitLines writes one config line per client class.
func outputBufferLimitLines(v value) []string {
	f := strings.Fields(v.text)
	lines := make([]string, 0, len(outputBufferClasses))
	for i := 0; i+3 < len(f); i += 4 {
		class := f[i]
		if class == "slave" {
			class = "replica"
		}
		hard, _ := strconv.ParseInt(f[i+1], 10, 64)
		soft, _ := strconv.ParseInt(f[i+2], 10, 64)
		lines = append(lines, class+" "+formatBytes(hard)+" "+formatBytes(soft)+" "+f[i+3])
	}
	return lines
}

// parseBind reads up to 16 listen addresses.
func parseBind(args []string, _ value) (value, error) {
	if len(args) > 16 {
		return value{}, errors.New("Too many bind addresses specified.")
	}
	if emptyArgs(args) {
		return value{}, nil
	}
	return value{text: strings.Join(args, " ")}, nil
}

// keyspaceEventLetters lists the notify-keyspace-events classes. "A" stands
// for the letters of allEvents; m (key miss) and n (new key) are outside it.
const (
	keyspaceEventLetters = "g$lshzxetdnKEm"
	allEvents            = "g$lshzxetd"
)

// parseKeyspaceEvents reads notify-keyspace-events flags; value.n holds one
// bit per letter of keyspaceEventLetters.
func parseKeyspaceEvents(args []string, _ value) (value, error) {
	var flags int64
	for _, c := range args[0] {
		letters := string(c)
		if c == 'A' {
			letters = allEvents
		}
		for _, l := range letters {
			i := strings.IndexRune(keyspaceEventLetters, l)
			if i < 0 {
				return value{}, errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
			}
			flags |= 1 << i
		}
	}
	return value{keyspaceEventsText(flags), flags}, nil
}

// keyspaceEventsText writes flags as Redis shows them: "A" when every class
// of allEvents is on (n is then not shown), then K, E and m.
func keyspaceEventsText(flags int64) string {
	var b strings.Builder
	has := func(l byte) bool { return flags&(1<<strings.IndexByte(keyspaceEventLetters, l)) != 0 }
	all := true
	for i := 0; i < len(allEvents); i++ {
		all = all && has(allEvents[i])
	}
	if all {
		b.WriteByte('A')
	} else {
		for i := 0; i < len(allEvents); i++ {
			if has(allEvents[i]) {
				b.WriteByte(allEvents[i])
			}
		}
		if has('n') {
			b.WriteByte('n')
		}
	}
	for _, l := range []byte("KEm") {
		if has(l) {
			b.WriteByte(l)
		}
	}
	return b.String()
}

// parseOOMScoreAdjValues reads three scores in [-2000, 2000].
func parseOOMScoreAdjValues(args []string, _ value) (value, error) {
	if len(args) != 3 {
		return value{}, errWrongArgs
	}
	nums := make([]string, 3)
	for i, a := range args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < -2000 || n > 2000 {
			return value{}, errors.New("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
		}
		nums[i] = strconv.FormatInt(n, 10)
	}
	return value{text: strings.Join(nums, " ")}, nil
}

// parsePercentiles reads latency-tracking-info-percentiles: numbers in
// [0, 100], shown with at most six decimals and no trailing zeros.
func parsePercentiles(args []string, _ value) (value, error) {
	if emptyArgs(args) {
		return value{}, nil
	}
	nums := make([]string, len(args))
	for i, a := range args {
		f, err := strconv.ParseFloat(a, 64)
		if err != nil || math.IsNaN(f) {
			return value{}, errors.New("Invalid latency-tracking-info-percentiles parameters")
		}
		if f < 0 || f > 100 {
			return value{}, errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
		}
		s := strconv.FormatFloat(f, 'f', 6, 64)
		nums[i] = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return value{text: strings.Join(nums, " ")}, nil
}

// parseShutdownFlags reads shutdown-on-sigint/sigterm: "default" or any of
// save, nosave, now, force (save and nosave exclude each other).
func parseShutdownFlags(args []string, _ value) (value, error) {
	names := []string{"default", "save", "nosave", "now", "force"}
	on := make(map[string]bool)
	for _, a := range args {
		a = strings.ToLower(a)
		known := false
		for _, n := range names {
			known = known || a == n
		}
		if !known {
			return value{}, enumError(names)
		}
		on[a] = true
	}
	if len(args) == 0 {
		return value{}, enumError(names)
	}
	if on["save"] && on["nosave"] {
		return value{}, errors.New("shutdown options SAVE and NOSAVE can't be used simultaneously")
	}
	var set []string
	for _, n := range names[1:] {
		if on[n] {
			set = append(set, n)
		}
	}
	if len(set) == 0 {
		return value{text: "default"}, nil
	}
	return value{text: strings.Join(set, " ")}, nil
}

// parseReplicaOf reads "host port" or "no one" (shown as "").
func parseReplicaOf(args []string, _ value) (value, error) {
	if emptyArgs(args) {
		return value{}, nil
	}
	if len(args) != 2 {
		return value{}, errWrongArgs
	}
	if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
		return value{}, nil
	}
	port, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || port < 0 || port > 65535 {
		return value{}, errors.New("Invalid master port")
	}
	return value{text: args[0] + " " + strconv.FormatInt(port, 10)}, nil
}

// parseDir reads the working directory, made absolute against the process's
// current directory as Redis's chdir would. It need not exist yet.
func parseDir(args []string, _ value) (value, error) {
	if args[0] == "" {
		return value{}, errors.New("No such file or directory")
	}
	dir, err := filepath.Abs(args[0])
	if err != nil {
		return value{}, err
	}
	return value{text: dir}, nil
}

// checkAddr accepts a host:port node address with a port in [1, 65535].
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return fmt.Errorf("'%s' is not a host:port address", addr)
	}
	n, ok := parseStrictInt(port)
	if !ok || n < 1 || n > 65535 {
		return fmt.Errorf("port of '%s' must be between 1 and 65535", addr)
	}
	return nil
}

// parseSelf reads this node's host:port, or "" when not in a cluster.
func parseSelf(args []string, _ value) (value, error) {
	if args[0] != "" {
		if err := checkAddr(args[0]); err != nil {
			return value{}, err
		}
	}
	return value{text: args[0]}, nil
}

// parsePeers reads a comma-separated list of host:port addresses; "" means
// stand-alone.
func parsePeers(args []string, _ value) (value, error) {
	if args[0] == "" {
		return value{}, nil
	}
	for _, addr := range strings.Split(args[0], ",") {
		if err := checkAddr(addr); err != nil {
			return value{}, err
		}
	}
	return value{text: args[0]}, nil
}
