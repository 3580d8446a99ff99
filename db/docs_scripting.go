package db

// The interface of the scripting commands (EVAL, FCALL, SCRIPT, FUNCTION)
// as Redis 7.0 defines it: declared ACL categories, tips, key specs and
// documentation, by full name (see commandSpec). The commands themselves
// live in package scripting, which registers them. History and notes are
// in MyRedis's words.
var scriptingSpecs = map[string]*commandSpec{
	"eval":       scriptCallSpec("script", KeyRW|KeyAccess|KeyUpdate, true, "Depends on the script that is executed."),
	"evalsha":    scriptCallSpec("sha1", KeyRW|KeyAccess|KeyUpdate, false, "Depends on the script that is executed."),
	"eval_ro":    scriptCallSpec("script", KeyRO|KeyAccess, true, "Depends on the script that is executed."),
	"evalsha_ro": scriptCallSpec("sha1", KeyRO|KeyAccess, false, "Depends on the script that is executed."),
	"fcall":      scriptCallSpec("function", KeyRW|KeyAccess|KeyUpdate, true, "Depends on the function that is executed."),
	"fcall_ro":   scriptCallSpec("function", KeyRO|KeyAccess, true, "Depends on the function that is executed."),

	"script": {
		doc: Doc{Complexity: "Depends on subcommand."},
	},
	"script|debug": {
		acl: ACLScripting,
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				oneOf("mode", tokArg("yes", "YES"), tokArg("sync", "SYNC"), tokArg("no", "NO")),
			},
		},
	},
	"script|exists": {
		acl:  ACLScripting,
		tips: []string{"request_policy:all_shards", "response_policy:agg_logical_and"},
		doc: Doc{
			Complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
			Args:       []Arg{strArg("sha1").multi()},
		},
	},
	"script|flush": {
		acl:  ACLScripting,
		tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(N) with N being the number of scripts in cache",
			History:    []History{{"6.2.0", "The ASYNC and SYNC modes."}},
			Args:       []Arg{flushModeArg().since("6.2.0")},
		},
	},
	"script|help": {
		acl: ACLScripting,
		doc: Doc{Complexity: "O(1)"},
	},
	"script|kill": {
		acl:  ACLScripting,
		tips: []string{"request_policy:all_shards", "response_policy:one_succeeded"},
		doc:  Doc{Complexity: "O(1)"},
	},
	"script|load": {
		acl:  ACLScripting,
		tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(N) with N being the length in bytes of the script body.",
			Args:       []Arg{strArg("script")},
		},
	},

	"function": {
		doc: Doc{Complexity: "Depends on subcommand."},
	},
	"function|delete": {
		acl:  ACLScripting,
		tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(1)",
			Args:       []Arg{strArg("library-name")},
		},
	},
	"function|dump": {
		acl: ACLScripting,
		doc: Doc{Complexity: "O(N) where N is the number of functions"},
	},
	"function|flush": {
		acl:  ACLScripting,
		tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(N) where N is the number of functions deleted",
			Args:       []Arg{flushModeArg()},
		},
	},
	"function|help": {
		acl: ACLScripting,
		doc: Doc{Complexity: "O(1)"},
	},
	"function|kill": {
		acl:  ACLScripting,
		tips: []string{"request_policy:all_shards", "response_policy:one_succeeded"},
		doc:  Doc{Complexity: "O(1)"},
	},
	"function|list": {
		acl:  ACLScripting,
		tips: []string{"nondeterministic_output_order"},
		doc: Doc{
			Complexity: "O(N) where N is the number of functions",
			Args: []Arg{
				strArg("library-name-pattern").tok("LIBRARYNAME").opt(),
				tokArg("withcode", "WITHCODE").opt(),
			},
		},
	},
	"function|load": {
		acl:  ACLScripting,
		tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(1) (considering compilation time is redundant)",
			Args: []Arg{
				tokArg("replace", "REPLACE").opt(),
				strArg("function-code"),
			},
		},
	},
	"function|restore": {
		acl:  ACLScripting,
		tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(N) where N is the number of functions on the payload",
			Args: []Arg{
				strArg("serialized-value"),
				oneOf("policy", tokArg("flush", "FLUSH"), tokArg("append", "APPEND"), tokArg("replace", "REPLACE")).opt(),
			},
		},
	},
	"function|stats": {
		acl:  ACLScripting,
		tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		doc:  Doc{Complexity: "O(1)"},
	},
}

// scriptCallSpec is the spec of EVAL, EVALSHA, FCALL and their read-only
// forms: the script (or its SHA1, or the function), numkeys, the keys it
// counts (with flags that assume the worst, RW or RO, since the script's use
// of them is unknown; noted when noted says so), then the arguments.
func scriptCallSpec(first string, flags KeyFlag, noted bool, complexity string) *commandSpec {
	spec := KeySpec{Flags: flags, BeginSearch: Index(2), FindKeys: KeyNum(0, 1, 1)}
	if noted {
		spec.Notes = "The script's use of its keys is unknown, so they are assumed read and written at worst"
		if flags&KeyRO != 0 {
			spec.Notes = "The script's use of its keys is unknown, so they are assumed read at worst"
		}
	}
	return &commandSpec{
		acl:  ACLScripting,
		keys: []KeySpec{spec},
		doc: Doc{
			Complexity: complexity,
			Args: []Arg{
				strArg(first),
				intArg("numkeys"),
				keyArg("key", 0).opt().multi(),
				strArg("arg").opt().multi(),
			},
		},
	}
}

// flushModeArg is the ASYNC|SYNC choice of SCRIPT FLUSH and FUNCTION FLUSH.
func flushModeArg() Arg {
	return oneOf("async", tokArg("async", "ASYNC"), tokArg("sync", "SYNC")).opt()
}
