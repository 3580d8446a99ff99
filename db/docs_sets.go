package db

// The interface of the set commands as Redis 7.0 defines it: declared ACL
// categories, tips, key specs and documentation, by full name (see
// commandSpec). History, notes and replacements are in MyRedis's words.
var setSpecs = map[string]*commandSpec{
	"sadd": {
		acl:  ACLSet,
		keys: []KeySpec{{Flags: KeyRW | KeyInsert, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			History: []History{
				{"2.4.0", "Takes several members."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("member").multi(),
			},
		},
	},
	"scard": {
		acl:  ACLSet,
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"sdiff": {
		acl:  ACLSet,
		tips: []string{"nondeterministic_output_order"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(-1, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the total number of elements in all given sets.",
			Args: []Arg{
				keyArg("key", 0).multi(),
			},
		},
	},
	"sdiffstore": {
		acl: ACLSet,
		keys: []KeySpec{
			{Flags: KeyOW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(2), FindKeys: Range(-1, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(N) where N is the total number of elements in all given sets.",
			Args: []Arg{
				keyArg("destination", 0),
				keyArg("key", 1).multi(),
			},
		},
	},
	"sinter": {
		acl:  ACLSet,
		tips: []string{"nondeterministic_output_order"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(-1, 1, 0)}},
		doc: Doc{
			Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
			Args: []Arg{
				keyArg("key", 0).multi(),
			},
		},
	},
	"sintercard": {
		acl:     ACLSet,
		keys:    []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: KeyNum(0, 1, 1)}},
		getKeys: numKeysAt1,
		doc: Doc{
			Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
			Args: []Arg{
				intArg("numkeys"),
				keyArg("key", 0).multi(),
				intArg("limit").tok("LIMIT").opt(),
			},
		},
	},
	"sinterstore": {
		acl: ACLSet,
		keys: []KeySpec{
			{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(2), FindKeys: Range(-1, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
			Args: []Arg{
				keyArg("destination", 0),
				keyArg("key", 1).multi(),
			},
		},
	},
	"sismember": {
		acl:  ACLSet,
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("member"),
			},
		},
	},
	"smembers": {
		acl:  ACLSet,
		tips: []string{"nondeterministic_output_order"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the set cardinality.",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"smismember": {
		acl:  ACLSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of elements being checked for membership",
			Args: []Arg{
				keyArg("key", 0),
				strArg("member").multi(),
			},
		},
	},
	"smove": {
		acl: ACLSet,
		keys: []KeySpec{
			{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRW | KeyInsert, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("source", 0),
				keyArg("destination", 1),
				strArg("member"),
			},
		},
	},
	"spop": {
		acl:  ACLSet,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
			History: []History{
				{"3.2.0", "The count argument."},
			},
			Args: []Arg{
				keyArg("key", 0),
				intArg("count").opt().since("3.2.0"),
			},
		},
	},
	"srandmember": {
		acl:  ACLSet,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
			History: []History{
				{"2.6.0", "The count argument."},
			},
			Args: []Arg{
				keyArg("key", 0),
				intArg("count").opt().since("2.6.0"),
			},
		},
	},
	"srem": {
		acl:  ACLSet,
		keys: []KeySpec{{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of members to be removed.",
			History: []History{
				{"2.4.0", "Takes several members."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("member").multi(),
			},
		},
	},
	"sscan": {
		acl:  ACLSet,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
			Args: []Arg{
				keyArg("key", 0),
				intArg("cursor"),
				patArg("pattern").tok("MATCH").opt(),
				intArg("count").tok("COUNT").opt(),
			},
		},
	},
	"sunion": {
		acl:  ACLSet,
		tips: []string{"nondeterministic_output_order"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(-1, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the total number of elements in all given sets.",
			Args: []Arg{
				keyArg("key", 0).multi(),
			},
		},
	},
	"sunionstore": {
		acl: ACLSet,
		keys: []KeySpec{
			{Flags: KeyOW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(2), FindKeys: Range(-1, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(N) where N is the total number of elements in all given sets.",
			Args: []Arg{
				keyArg("destination", 0),
				keyArg("key", 1).multi(),
			},
		},
	},
}
