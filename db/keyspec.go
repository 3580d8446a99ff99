package db

import (
	"fmt"
	"math"
	"strings"
)

// KeyFlag says what a command does with a key, in the vocabulary of Redis 7's
// key specifications. A key spec carries one access flag (RO, RW, OW or RM)
// and any of the others.
type KeyFlag uint16

// Key flags, in the order COMMAND INFO lists them.
const (
	KeyRO            KeyFlag = 1 << iota // the value is only read
	KeyRW                                // the value is read and changed
	KeyOW                                // the value is replaced without being read
	KeyRM                                // the key is removed
	KeyAccess                            // the user's data in the value reaches the reply or another key
	KeyUpdate                            // data in the value is changed
	KeyInsert                            // data is only added to the value
	KeyDelete                            // data is only taken out of the value
	KeyNotKey                            // a name routed like a key (cluster slot) that is no key
	KeyIncomplete                        // the spec may miss some of the keys
	KeyVariableFlags                     // the flags depend on the other arguments
)

var keyFlagNames = []string{"RO", "RW", "OW", "RM", "access", "update", "insert", "delete",
	"not_key", "incomplete", "variable_flags"}

// Names returns the Redis names of the flags in f, in COMMAND INFO's order.
func (f KeyFlag) Names() []string {
	var out []string
	for i, name := range keyFlagNames {
		if f&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// BeginKind says how a key spec finds the argument its keys start from.
type BeginKind uint8

// The ways to begin. The zero value is invalid, so that a key spec written
// without a BeginSearch is caught when the command is registered.
const (
	_            BeginKind = iota
	BeginIndex             // at a fixed argument
	BeginKeyword           // after a keyword, searched for
	BeginUnknown           // no rule: only the command's GetKeys knows
)

// BeginSearch is the first half of a key spec: where to start looking.
type BeginSearch struct {
	Kind BeginKind
	// Pos is the argument index of BeginIndex (the command name is 0).
	Pos int
	// Keyword is what BeginKeyword looks for (case-insensitively), from
	// argument StartFrom on; a negative StartFrom counts from the end and
	// searches backwards.
	Keyword   string
	StartFrom int
}

// Index begins at argument pos.
func Index(pos int) BeginSearch { return BeginSearch{Kind: BeginIndex, Pos: pos} }

// Keyword begins just after the keyword kw, searched for from startFrom.
func Keyword(kw string, startFrom int) BeginSearch {
	return BeginSearch{Kind: BeginKeyword, Keyword: kw, StartFrom: startFrom}
}

// UnknownBegin is a beginning no rule can find.
func UnknownBegin() BeginSearch { return BeginSearch{Kind: BeginUnknown} }

// FindKind says how a key spec finds its keys once it has begun.
type FindKind uint8

// The ways to find keys; the zero value is invalid, as for BeginKind.
const (
	_           FindKind = iota
	FindRange            // a range of arguments
	FindKeyNum           // a count argument, then that many keys
	FindUnknown          // no rule: only the command's GetKeys knows
)

// FindKeys is the second half of a key spec: which arguments, from the
// beginning, are keys.
type FindKeys struct {
	Kind FindKind
	// FindRange: the last key, relative to the beginning (negative counts
	// back from the end of the arguments), every KeyStep-th argument, and,
	// when LastKey is -1 and Limit is above 1, only the first 1/Limit of
	// the remaining arguments.
	LastKey, Limit int
	// FindKeyNum: the count is at KeyNumIdx and the first key at FirstKey,
	// both relative to the beginning.
	KeyNumIdx, FirstKey int
	KeyStep             int // both kinds: the distance between two keys
}

// Range finds the keys from the beginning to lastKey, every step-th
// argument (see FindKeys for limit).
func Range(lastKey, step, limit int) FindKeys {
	return FindKeys{Kind: FindRange, LastKey: lastKey, KeyStep: step, Limit: limit}
}

// KeyNum finds as many keys as the count at keyNumIdx says, from firstKey
// on, every step-th argument.
func KeyNum(keyNumIdx, firstKey, step int) FindKeys {
	return FindKeys{Kind: FindKeyNum, KeyNumIdx: keyNumIdx, FirstKey: firstKey, KeyStep: step}
}

// UnknownFind is a set of keys no rule can find.
func UnknownFind() FindKeys { return FindKeys{Kind: FindUnknown} }

// A KeySpec describes one group of a command's keys: where they are in the
// arguments and what the command does with them. A command's key specs
// are its only description of its keys: COMMAND INFO shows them, COMMAND
// GETKEYS, the cluster router and transaction locking all find keys with
// them.
type KeySpec struct {
	Notes       string // a remark COMMAND INFO shows, if any
	Flags       KeyFlag
	BeginSearch BeginSearch
	FindKeys    FindKeys
}

// A KeyRef is a key found in a command line: its argument index and what
// the command does with it.
type KeyRef struct {
	Pos   int
	Flags KeyFlag
}

// validate panics unless every spec has known kinds and a sane step: key
// specs are written by programmers.
func validateKeySpecs(name string, specs []KeySpec) {
	for i, s := range specs {
		b, f := s.BeginSearch, s.FindKeys
		ok := (b.Kind == BeginIndex && b.Pos > 0 || b.Kind == BeginKeyword && b.Keyword != "" && b.StartFrom != 0 ||
			b.Kind == BeginUnknown) &&
			(f.Kind == FindRange && f.KeyStep > 0 && (f.Limit == 0 || f.LastKey == -1) ||
				f.Kind == FindKeyNum && f.KeyStep > 0 || f.Kind == FindUnknown)
		if !ok {
			panic(fmt.Sprintf("db: command %q: key spec %d is invalid: %+v", name, i, s))
		}
	}
}

// legacyRange derives COMMAND INFO's first key, last key and step from
// specs, as Redis does: the specs that are plain ranges at fixed indexes,
// each following the previous one, make the range; anything else makes the
// keys movable (movable true), and a command without such a range reports
// 0, 0, 0.
func legacyRange(specs []KeySpec) (first, last, step int, movable bool) {
	isRange := func(s KeySpec) bool { return s.BeginSearch.Kind == BeginIndex && s.FindKeys.Kind == FindRange }
	if len(specs) == 0 {
		return 0, 0, 0, false
	}
	if len(specs) == 1 && isRange(specs[0]) {
		s := specs[0]
		first, last = s.BeginSearch.Pos, s.FindKeys.LastKey
		if last >= 0 {
			last += first
		}
		return first, last, s.FindKeys.KeyStep, s.Flags&KeyIncomplete != 0
	}
	first = math.MaxInt
	var lastAbs uint // Redis compares unsigned, so a negative last key wins
	var prevLast uint
	for _, s := range specs {
		if !isRange(s) || s.FindKeys.KeyStep != 1 || prevLast != 0 && prevLast != uint(s.BeginSearch.Pos-1) {
			movable = true
			continue
		}
		if s.Flags&KeyIncomplete != 0 {
			movable = true
		}
		first = min(first, s.BeginSearch.Pos)
		abs := s.FindKeys.LastKey
		if abs >= 0 {
			abs += s.BeginSearch.Pos
		}
		lastAbs = max(lastAbs, uint(abs))
		prevLast = lastAbs
	}
	if first == math.MaxInt {
		return 0, 0, 0, true
	}
	return first, int(lastAbs), 1, movable
}

// specKeyRefs appends the keys c's key specs find in args to dst. ok is
// false when a spec cannot say (an unknown or incomplete spec, a count
// that is not a number, keys beyond the arguments): the keys are then
// dst as it came, and the command's GetKeys has the last word.
func (c *Command) specKeyRefs(dst []KeyRef, args [][]byte) (out []KeyRef, ok bool) {
	n0, argc := len(dst), len(args)
	for _, s := range c.KeySpecs {
		if s.Flags&KeyNotKey != 0 {
			continue
		}
		first := 0
		switch b := s.BeginSearch; b.Kind {
		case BeginIndex:
			first = b.Pos
		case BeginKeyword:
			first = keywordEnd(args, b.Keyword, b.StartFrom)
			if first == 0 {
				continue // no keyword: this spec has no keys here
			}
		default:
			return dst[:n0], false
		}
		var last, step int
		switch f := s.FindKeys; f.Kind {
		case FindRange:
			step = f.KeyStep
			switch {
			case f.LastKey >= 0:
				last = first + f.LastKey
			case f.Limit == 0:
				last = argc + f.LastKey
			default:
				last = first + (argc-first)/f.Limit + f.LastKey
			}
		case FindKeyNum:
			step = f.KeyStep
			if f.KeyNumIdx >= argc || first+f.KeyNumIdx >= argc {
				return dst[:n0], false
			}
			n, isInt := ParseInt(args[first+f.KeyNumIdx])
			if !isInt || n < 0 {
				return dst[:n0], false
			}
			first += f.FirstKey
			last = first + int(int32(n)) - 1 // Redis keeps the count in a C int
		default:
			return dst[:n0], false
		}
		if last >= argc || last < first || first >= argc {
			return dst[:n0], false
		}
		for i := first; i <= last; i += step {
			dst = append(dst, KeyRef{Pos: i, Flags: s.Flags})
		}
		if s.Flags&KeyIncomplete != 0 {
			return dst[:n0], false
		}
	}
	return dst, true
}

// keywordEnd returns the index just after the first argument equal to kw
// (ignoring case), searching from startFrom forwards, or backwards from
// len(args)+startFrom when startFrom is negative; 0 if there is none. The
// command name is never searched.
func keywordEnd(args [][]byte, kw string, startFrom int) int {
	if startFrom > 0 {
		for i := startFrom; i < len(args)-1; i++ {
			if strings.EqualFold(string(args[i]), kw) {
				return i + 1
			}
		}
		return 0
	}
	for i := len(args) + startFrom; i > 1 && i < len(args); i-- {
		if strings.EqualFold(string(args[i]), kw) {
			return i + 1
		}
	}
	return 0
}

// KeyRefs appends to dst the keys of args (a whole command line, name
// included, of a length the arity allows) with their flags, as COMMAND
// GETKEYSANDFLAGS reports them: from the key specs when they are complete
// and their flags fixed, otherwise from GetKeys. No keys means the line
// names none, or is bound to fail with a syntax error.
func (c *Command) KeyRefs(dst []KeyRef, args [][]byte) []KeyRef {
	if c.specsDecide {
		if out, ok := c.specKeyRefs(dst, args); ok {
			return out
		}
	}
	if c.GetKeys != nil {
		return c.GetKeys(dst, args)
	}
	return dst
}

// Keys appends the keys of args (a whole command line, name included, of a
// length the arity allows) to dst and returns it: the keys KeyRefs finds,
// in its order. The slices alias args.
func (c *Command) Keys(dst [][]byte, args [][]byte) [][]byte {
	if c.plainRange { // the legacy range is exact: no need to look further
		last := c.LastKey
		if last < 0 {
			last += len(args)
		}
		if c.FirstKey >= len(args) || last >= len(args) || last < c.FirstKey {
			return dst
		}
		for i := c.FirstKey; i <= last; i += c.Step {
			dst = append(dst, args[i])
		}
		return dst
	}
	var buf [8]KeyRef
	for _, r := range c.KeyRefs(buf[:0], args) {
		dst = append(dst, args[r.Pos])
	}
	return dst
}

// HasKeys reports whether c may name keys at all, which COMMAND GETKEYS
// asks first.
func (c *Command) HasKeys() bool {
	if c.GetKeys != nil {
		return true
	}
	for _, s := range c.KeySpecs {
		if s.Flags&KeyNotKey == 0 {
			return true
		}
	}
	return false
}

// settleKeys completes c's key description at registration: a command
// without key specs that gives FirstKey gets one range spec made of
// FirstKey, LastKey and Step (flags unknown); then the legacy range and
// FlagMovableKeys are derived from the specs.
func (c *Command) settleKeys() {
	if c.KeySpecs == nil && c.FirstKey > 0 {
		last := c.LastKey
		if last >= 0 {
			last -= c.FirstKey
		}
		c.KeySpecs = []KeySpec{{BeginSearch: Index(c.FirstKey), FindKeys: Range(last, max(c.Step, 1), 0)}}
	}
	validateKeySpecs(c.FullName(), c.KeySpecs)
	var movable bool
	c.FirstKey, c.LastKey, c.Step, movable = legacyRange(c.KeySpecs)
	if movable {
		c.Flags |= FlagMovableKeys
	}
	reliable := false // some spec names real keys, none has variable flags
	for _, s := range c.KeySpecs {
		reliable = reliable || s.Flags&KeyNotKey == 0
	}
	for _, s := range c.KeySpecs {
		if s.Flags&KeyVariableFlags != 0 {
			reliable = false
		}
	}
	c.specsDecide = reliable
	// The legacy range gives every key when it was made of all the specs.
	c.plainRange = !movable && c.FirstKey > 0
	for _, s := range c.KeySpecs {
		if s.BeginSearch.Kind != BeginIndex || s.FindKeys.Kind != FindRange || s.FindKeys.Limit > 1 || s.Flags&KeyNotKey != 0 {
			c.plainRange = false
		}
	}
}
