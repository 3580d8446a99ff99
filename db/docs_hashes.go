package db

// The interface of the hash commands as Redis 7.0 defines it: declared ACL
// categories, tips, key specs and documentation, by full name (see
// commandSpec). History, notes and replacements are in MyRedis's words.
var hashSpecs = map[string]*commandSpec{
	"hdel": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of fields to be removed.",
			History: []History{
				{"2.4.0", "Takes several fields."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("field").multi(),
			},
		},
	},
	"hexists": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("field"),
			},
		},
	},
	"hget": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("field"),
			},
		},
	},
	"hgetall": {
		acl:  ACLHash,
		tips: []string{"nondeterministic_output_order"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the size of the hash.",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"hincrby": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("field"),
				intArg("increment"),
			},
		},
	},
	"hincrbyfloat": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("field"),
				dblArg("increment"),
			},
		},
	},
	"hkeys": {
		acl:  ACLHash,
		tips: []string{"nondeterministic_output_order"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the size of the hash.",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"hlen": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"hmget": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of fields being requested.",
			Args: []Arg{
				keyArg("key", 0),
				strArg("field").multi(),
			},
		},
	},
	"hmset": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity:      "O(N) where N is the number of fields being set.",
			Flags:           DocDeprecated,
			DeprecatedSince: "4.0.0",
			ReplacedBy:      "HSET with several field-value pairs",
			Args: []Arg{
				keyArg("key", 0),
				block("field_value", strArg("field"), strArg("value")).multi(),
			},
		},
	},
	"hrandfield": {
		acl:  ACLHash,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of fields returned",
			Args: []Arg{
				keyArg("key", 0),
				block("options", intArg("count"), tokArg("withvalues", "WITHVALUES").opt()).opt(),
			},
		},
	},
	"hscan": {
		acl:  ACLHash,
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
	"hset": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
			History: []History{
				{"4.0.0", "Takes several field-value pairs."},
			},
			Args: []Arg{
				keyArg("key", 0),
				block("field_value", strArg("field"), strArg("value")).multi(),
			},
		},
	},
	"hsetnx": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRW | KeyInsert, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("field"),
				strArg("value"),
			},
		},
	},
	"hstrlen": {
		acl:  ACLHash,
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("field"),
			},
		},
	},
	"hvals": {
		acl:  ACLHash,
		tips: []string{"nondeterministic_output_order"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the size of the hash.",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
}
