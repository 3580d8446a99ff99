package db

import "fmt"

// ArgType is the kind of a command argument in COMMAND DOCS.
type ArgType uint8

// Argument types, with Redis's names.
const (
	ArgString    ArgType = iota // "string"
	ArgInteger                  // "integer"
	ArgDouble                   // "double"
	ArgKey                      // "key": a key, described by one of the command's key specs
	ArgPattern                  // "pattern": a glob pattern
	ArgUnixTime                 // "unix-time"
	ArgPureToken                // "pure-token": the token alone
	ArgOneOf                    // "oneof": exactly one of Args
	ArgBlock                    // "block": all of Args, in order
)

var argTypeNames = []string{"string", "integer", "double", "key", "pattern", "unix-time",
	"pure-token", "oneof", "block"}

func (t ArgType) String() string { return argTypeNames[t] }

// ArgFlag qualifies an argument.
type ArgFlag uint8

// Argument flags, in the order COMMAND DOCS lists them.
const (
	ArgOptional      ArgFlag = 1 << iota // may be left out
	ArgMultiple                          // may be repeated
	ArgMultipleToken                     // the token is repeated with each repetition
)

var argFlagNames = []string{"optional", "multiple", "multiple_token"}

// DocFlag marks a command in COMMAND DOCS.
type DocFlag uint8

// Documentation flags, in Redis's order.
const (
	DocDeprecated DocFlag = 1 << iota // kept for old clients; see ReplacedBy
	DocSysCmd                         // meant for nodes and tools, not for applications
)

var docFlagNames = []string{"deprecated", "syscmd"}

// bitNames returns the names of the bits set in f, lowest bit first.
func bitNames[F ~uint8](f F, names []string) []string {
	var out []string
	for i, name := range names {
		if f&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// An Arg is one argument of a command's syntax, as COMMAND DOCS describes
// it and redis-cli prints it in its help and hints.
type Arg struct {
	Name string
	Type ArgType
	// KeySpec is, when Keyed, the index in the command's KeySpecs of the
	// spec that finds this argument's keys: an ArgKey's, or a pattern's
	// whose matches are keys (SORT's BY and GET).
	KeySpec         int
	Keyed           bool
	Token           string // the word that introduces the argument, if any
	Since           string // the version that added the argument, if later than the command
	DeprecatedSince string
	Flags           ArgFlag
	Args            []Arg // the choices of an ArgOneOf, the parts of an ArgBlock
}

// History is one change of a command's behaviour: the version and what
// changed.
type History struct {
	Version, Change string
}

// A Doc is what COMMAND DOCS says of a command besides its summary,
// version and group, which the Command holds.
type Doc struct {
	Complexity      string
	Flags           DocFlag
	DeprecatedSince string
	ReplacedBy      string // what to use instead of a deprecated command
	History         []History
	Args            []Arg
}

// requiredArgs returns the least number of words args take.
func requiredArgs(args []Arg) int {
	n := 0
	for _, a := range args {
		if a.Flags&ArgOptional == 0 {
			n += a.words()
		}
	}
	return n
}

// words returns the least number of words one occurrence of a takes.
func (a Arg) words() int {
	n := 0
	if a.Token != "" && a.Type != ArgPureToken {
		n++ // the token, then the value
	}
	switch a.Type {
	case ArgOneOf:
		least := -1
		for _, c := range a.Args {
			if w := c.words(); least < 0 || w < least {
				least = w
			}
		}
		n += max(least, 0)
	case ArgBlock:
		n += requiredArgs(a.Args)
	default:
		n++
	}
	return n
}

// The constructors below keep the spec tables (docs_*.go) short:
// keyArg("key", 0), strArg("value"), tokArg("nx", "NX"),
// oneOf("condition", …).opt().since("2.6.12").

func keyArg(name string, spec int) Arg {
	return Arg{Name: name, Type: ArgKey, KeySpec: spec, Keyed: true}
}
func strArg(name string) Arg  { return Arg{Name: name, Type: ArgString} }
func intArg(name string) Arg  { return Arg{Name: name, Type: ArgInteger} }
func dblArg(name string) Arg  { return Arg{Name: name, Type: ArgDouble} }
func patArg(name string) Arg  { return Arg{Name: name, Type: ArgPattern} }
func timeArg(name string) Arg { return Arg{Name: name, Type: ArgUnixTime} }

// tokArg is an argument that is its token alone (a pure token).
func tokArg(name, token string) Arg { return Arg{Name: name, Type: ArgPureToken, Token: token} }

func oneOf(name string, choices ...Arg) Arg { return Arg{Name: name, Type: ArgOneOf, Args: choices} }
func block(name string, parts ...Arg) Arg   { return Arg{Name: name, Type: ArgBlock, Args: parts} }

func (a Arg) keySpec(i int) Arg                  { a.KeySpec, a.Keyed = i, true; return a }
func (a Arg) tok(token string) Arg               { a.Token = token; return a }
func (a Arg) opt() Arg                           { a.Flags |= ArgOptional; return a }
func (a Arg) multi() Arg                         { a.Flags |= ArgMultiple; return a }
func (a Arg) multiTok() Arg                      { a.Flags |= ArgMultiple | ArgMultipleToken; return a }
func (a Arg) since(version string) Arg           { a.Since = version; return a }
func (a Arg) deprecatedSince(version string) Arg { a.DeprecatedSince = version; return a }

// A commandSpec is the interface of one Redis command as Redis 7.0 defines
// it, apart from what the registration says (arity, flags, group, version,
// summary, and how MyRedis runs it): its declared ACL categories, tips,
// key specs, the GetKeys its key specs need, and its documentation.
type commandSpec struct {
	acl     ACLCategory
	tips    []string
	keys    []KeySpec
	getKeys func(dst []KeyRef, args [][]byte) []KeyRef
	doc     Doc
}

// specTables are the spec tables of every family, keyed by full name
// ("set", "config|get").
var specTables = []map[string]*commandSpec{stringSpecs, genericSpecs, listSpecs, hashSpecs, setSpecs, streamSpecs,
	zsetSpecs, serverSpecs, connectionSpecs, clusterSpecs, scriptingSpecs}

// builtinSpec returns the spec of the command called fullName, or nil.
func builtinSpec(fullName string) *commandSpec {
	for _, t := range specTables {
		if s := t[fullName]; s != nil {
			return s
		}
	}
	return nil
}

// writeDocs writes cmd's COMMAND DOCS map: summary, since, group,
// complexity, doc flags, deprecation, history, arguments, and the docs of
// its subcommands, each present only when the command has it.
func writeDocs(c *Ctx, cmd *Command) {
	w := c.W
	d := cmd.Doc
	if d == nil {
		d = &Doc{}
	}
	subs := cmd.Subcommands()
	fields := 1 // group
	for _, present := range []bool{cmd.Summary != "", cmd.Since != "", d.Complexity != "", d.Flags != 0,
		d.DeprecatedSince != "", d.ReplacedBy != "", d.History != nil, d.Args != nil, len(subs) > 0} {
		if present {
			fields++
		}
	}
	w.WriteMap(fields)
	str := func(key, value string) {
		if value != "" {
			w.WriteBulkString(key)
			w.WriteBulkString(value)
		}
	}
	str("summary", cmd.Summary)
	str("since", cmd.Since)
	w.WriteBulkString("group")
	w.WriteBulkString(cmd.Group)
	str("complexity", d.Complexity)
	if d.Flags != 0 {
		w.WriteBulkString("doc_flags")
		writeStatusSet(w, bitNames(d.Flags, docFlagNames))
	}
	str("deprecated_since", d.DeprecatedSince)
	str("replaced_by", d.ReplacedBy)
	if d.History != nil {
		w.WriteBulkString("history")
		w.WriteSet(len(d.History))
		for _, h := range d.History {
			w.WriteArray(2)
			w.WriteBulkString(h.Version)
			w.WriteBulkString(h.Change)
		}
	}
	if d.Args != nil {
		w.WriteBulkString("arguments")
		writeArgs(c, d.Args)
	}
	if len(subs) > 0 {
		w.WriteBulkString("subcommands")
		w.WriteMap(len(subs))
		for _, s := range subs {
			w.WriteBulkString(s.FullName())
			writeDocs(c, s)
		}
	}
}

// writeArgs writes an argument list of COMMAND DOCS: a map per argument.
func writeArgs(c *Ctx, args []Arg) {
	w := c.W
	w.WriteArray(len(args))
	for _, a := range args {
		fields := 2 // name, type
		for _, present := range []bool{a.Keyed, a.Token != "", a.Since != "", a.DeprecatedSince != "",
			a.Flags != 0, a.Type == ArgOneOf || a.Type == ArgBlock} {
			if present {
				fields++
			}
		}
		w.WriteMap(fields)
		w.WriteBulkString("name")
		w.WriteBulkString(a.Name)
		w.WriteBulkString("type")
		w.WriteBulkString(a.Type.String())
		if a.Keyed {
			w.WriteBulkString("key_spec_index")
			w.WriteInt(int64(a.KeySpec))
		}
		for _, kv := range [][2]string{{"token", a.Token}, {"since", a.Since}, {"deprecated_since", a.DeprecatedSince}} {
			if kv[1] != "" {
				w.WriteBulkString(kv[0])
				w.WriteBulkString(kv[1])
			}
		}
		if a.Flags != 0 {
			w.WriteBulkString("flags")
			writeStatusSet(w, bitNames(a.Flags, argFlagNames))
		}
		if a.Type == ArgOneOf || a.Type == ArgBlock {
			w.WriteBulkString("arguments")
			writeArgs(c, a.Args)
		}
	}
}

// CheckDoc reports the first disagreement between c's documentation and
// the rest of its description, or nil: an argument pointing at a key spec
// c does not have, a key argument without one, or required arguments that
// do not add up to the arity (a container, or a command whose arguments
// are not documented, has nothing to add up).
func (c *Command) CheckDoc() error {
	if c.Doc == nil {
		return nil
	}
	var check func(args []Arg) error
	check = func(args []Arg) error {
		for _, a := range args {
			switch {
			case a.Type == ArgKey && !a.Keyed:
				return fmt.Errorf("key argument %q has no key spec", a.Name)
			case a.Keyed && (a.KeySpec < 0 || a.KeySpec >= len(c.KeySpecs)):
				return fmt.Errorf("argument %q names key spec %d of %d", a.Name, a.KeySpec, len(c.KeySpecs))
			}
			if err := check(a.Args); err != nil {
				return err
			}
		}
		return nil
	}
	if err := check(c.Doc.Args); err != nil {
		return err
	}
	if c.Doc.Args == nil {
		return nil // undocumented arguments (COMMAND GETKEYS's, in Redis too)
	}
	words := 1 + requiredArgs(c.Doc.Args) // the name
	if c.parent != nil {
		words++
	}
	if words != c.Arity && words != -c.Arity {
		return fmt.Errorf("arity %d, but the required arguments make %d words", c.Arity, words)
	}
	return nil
}
