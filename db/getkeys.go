package db

// The GetKeys functions of the commands whose key specs cannot say
// everything: keys that move with the options (SORT's STORE), flags that
// depend on them (SET … GET), or a key count that does not parse (then
// Redis falls back to reading it as C's atoi does). Each appends to dst the
// keys of args, a whole command line whose length the arity allows, as
// Redis 7.0 reports them.

// setGetKeys: SET's key is read too when GET is given.
func setGetKeys(dst []KeyRef, args [][]byte) []KeyRef {
	for _, a := range args[3:] {
		if EqualFold(a, "get") {
			return append(dst, KeyRef{1, KeyRW | KeyAccess | KeyUpdate})
		}
	}
	return append(dst, KeyRef{1, KeyOW | KeyUpdate})
}

// sortGetKeys: the sorted key and the destination of the last STORE, if
// any. The arguments of LIMIT, GET and BY are skipped, so that a pattern
// called "store" is not taken for the option; the patterns' keys are not
// reported (they depend on the data).
func sortGetKeys(dst []KeyRef, args [][]byte) []KeyRef {
	dst = append(dst, KeyRef{1, KeyRO | KeyAccess})
	store := -1
	for i := 2; i < len(args); i++ {
		switch a := args[i]; {
		case EqualFold(a, "limit"):
			i += 2
		case EqualFold(a, "get"), EqualFold(a, "by"):
			i++
		case EqualFold(a, "store") && i+1 < len(args):
			store = i + 1
		}
	}
	if store > 0 {
		dst = append(dst, KeyRef{store, KeyOW | KeyUpdate})
	}
	return dst
}

// sortROGetKeys: only the sorted key.
func sortROGetKeys(dst []KeyRef, _ [][]byte) []KeyRef {
	return append(dst, KeyRef{1, KeyRO | KeyAccess})
}

// countedKeys returns the GetKeys of a command whose count of keys is at
// args[countAt], the keys following it, after a destination key at
// args[store] (0: none), which comes last in the reply. A count that is
// below 1 or larger than the arguments yields no keys: the command will
// answer a syntax error. Flags are not reported, as in Redis (these
// commands' key specs give them when the count parses).
func countedKeys(store, countAt int) func(dst []KeyRef, args [][]byte) []KeyRef {
	return func(dst []KeyRef, args [][]byte) []KeyRef {
		n := cAtoi(args[countAt])
		if n < 1 || n > len(args)-countAt-1 {
			return dst
		}
		for i := range n {
			dst = append(dst, KeyRef{Pos: countAt + 1 + i})
		}
		if store > 0 {
			dst = append(dst, KeyRef{Pos: store})
		}
		return dst
	}
}

// The counted-keys commands: ZUNION numkeys key…, ZUNIONSTORE dst numkeys
// key…, LMPOP numkeys key…, BLMPOP timeout numkeys key… and their kin.
var (
	numKeysAt1      = countedKeys(0, 1)
	numKeysAt2      = countedKeys(0, 2)
	storeNumKeysAt2 = countedKeys(1, 2)
)

// cAtoi reads b as C's atoi does on Linux: leading spaces, a sign, then
// digits up to the first non-digit (none: 0), saturating at the int64
// limits, then cut to 32 bits.
func cAtoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var n uint64
	const limit = 1 << 63
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if d := uint64(b[i] - '0'); n <= (limit-d)/10 {
			n = n*10 + d
		} else {
			n = limit // saturated: strtol's range ends here
		}
	}
	var v int64
	switch {
	case neg && n >= limit:
		v = -limit
	case neg:
		v = -int64(n)
	case n >= limit:
		v = limit - 1
	default:
		v = int64(n)
	}
	return int(int32(v))
}
