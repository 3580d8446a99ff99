package db

// The interface of the generic key commands as Redis 7.0 defines it: declared ACL
// categories, tips, key specs and documentation, by full name (see
// commandSpec). History, notes and replacements are in MyRedis's words.
var genericSpecs = map[string]*commandSpec{
	"copy": {
		acl: ACLKeyspace,
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyOW | KeyUpdate, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
			Args: []Arg{
				keyArg("source", 0),
				keyArg("destination", 1),
				intArg("destination-db").tok("DB").opt(),
				tokArg("replace", "REPLACE").opt(),
			},
		},
	},
	"del": {
		acl:  ACLKeyspace,
		tips: []string{"request_policy:multi_shard", "response_policy:agg_sum"},
		keys: []KeySpec{{Flags: KeyRM | KeyDelete, BeginSearch: Index(1), FindKeys: Range(-1, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
			Args: []Arg{
				keyArg("key", 0).multi(),
			},
		},
	},
	"exists": {
		acl:  ACLKeyspace,
		tips: []string{"request_policy:multi_shard", "response_policy:agg_sum"},
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(-1, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of keys to check.",
			History: []History{
				{"3.0.3", "Takes several keys and counts the existing ones."},
			},
			Args: []Arg{
				keyArg("key", 0).multi(),
			},
		},
	},
	"expire": {
		acl:  ACLKeyspace,
		keys: []KeySpec{{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"7.0.0", "The NX, XX, GT and LT conditions."},
			},
			Args: []Arg{
				keyArg("key", 0),
				intArg("seconds"),
				oneOf("condition",
					tokArg("nx", "NX"),
					tokArg("xx", "XX"),
					tokArg("gt", "GT"),
					tokArg("lt", "LT"),
				).opt().since("7.0.0"),
			},
		},
	},
	"expireat": {
		acl:  ACLKeyspace,
		keys: []KeySpec{{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"7.0.0", "The NX, XX, GT and LT conditions."},
			},
			Args: []Arg{
				keyArg("key", 0),
				timeArg("unix-time-seconds"),
				oneOf("condition",
					tokArg("nx", "NX"),
					tokArg("xx", "XX"),
					tokArg("gt", "GT"),
					tokArg("lt", "LT"),
				).opt().since("7.0.0"),
			},
		},
	},
	"expiretime": {
		acl:  ACLKeyspace,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"keys": {
		acl:  ACLKeyspace | ACLDangerous,
		tips: []string{"request_policy:all_shards", "nondeterministic_output_order"},
		doc: Doc{
			Complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
			Args: []Arg{
				patArg("pattern"),
			},
		},
	},
	"move": {
		acl:  ACLKeyspace,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				intArg("db"),
			},
		},
	},
	"object": {
		doc: Doc{
			Complexity: "Depends on subcommand.",
		},
	},
	"object|encoding": {
		acl:  ACLKeyspace,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"object|freq": {
		acl:  ACLKeyspace,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"object|help": {
		acl: ACLKeyspace,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"object|idletime": {
		acl:  ACLKeyspace,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"object|refcount": {
		acl:  ACLKeyspace,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"persist": {
		acl:  ACLKeyspace,
		keys: []KeySpec{{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"pexpire": {
		acl:  ACLKeyspace,
		keys: []KeySpec{{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"7.0.0", "The NX, XX, GT and LT conditions."},
			},
			Args: []Arg{
				keyArg("key", 0),
				intArg("milliseconds"),
				oneOf("condition",
					tokArg("nx", "NX"),
					tokArg("xx", "XX"),
					tokArg("gt", "GT"),
					tokArg("lt", "LT"),
				).opt().since("7.0.0"),
			},
		},
	},
	"pexpireat": {
		acl:  ACLKeyspace,
		keys: []KeySpec{{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"7.0.0", "The NX, XX, GT and LT conditions."},
			},
			Args: []Arg{
				keyArg("key", 0),
				timeArg("unix-time-milliseconds"),
				oneOf("condition",
					tokArg("nx", "NX"),
					tokArg("xx", "XX"),
					tokArg("gt", "GT"),
					tokArg("lt", "LT"),
				).opt().since("7.0.0"),
			},
		},
	},
	"pexpiretime": {
		acl:  ACLKeyspace,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"pttl": {
		acl:  ACLKeyspace,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"2.8.0", "Replies -2 for a missing key (it used to be -1)."},
			},
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"randomkey": {
		acl:  ACLKeyspace,
		tips: []string{"request_policy:all_shards", "nondeterministic_output"},
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"rename": {
		acl: ACLKeyspace,
		keys: []KeySpec{
			{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyOW | KeyUpdate, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				keyArg("newkey", 1),
			},
		},
	},
	"renamenx": {
		acl: ACLKeyspace,
		keys: []KeySpec{
			{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyOW | KeyInsert, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"3.2.0", "Renaming a key to its own name is no longer an error."},
			},
			Args: []Arg{
				keyArg("key", 0),
				keyArg("newkey", 1),
			},
		},
	},
	"scan": {
		acl:  ACLKeyspace,
		tips: []string{"nondeterministic_output", "request_policy:special"},
		doc: Doc{
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
			History: []History{
				{"6.0.0", "The TYPE filter."},
			},
			Args: []Arg{
				intArg("cursor"),
				patArg("pattern").tok("MATCH").opt(),
				intArg("count").tok("COUNT").opt(),
				strArg("type").tok("TYPE").opt().since("6.0.0"),
			},
		},
	},
	"sort": {
		acl: ACLSet | ACLSortedSet | ACLList | ACLDangerous,
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Notes: "BY and GET patterns name keys made from the sorted elements, unknown in advance", Flags: KeyRO | KeyAccess, BeginSearch: UnknownBegin(), FindKeys: UnknownFind()},
			{Notes: "STORE's destination: the option may come anywhere among the others", Flags: KeyOW | KeyUpdate, BeginSearch: UnknownBegin(), FindKeys: UnknownFind()},
		},
		getKeys: sortGetKeys,
		doc: Doc{
			Complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
			Args: []Arg{
				keyArg("key", 0),
				patArg("pattern").keySpec(1).tok("BY").opt(),
				block("offset_count", intArg("offset"), intArg("count")).tok("LIMIT").opt(),
				patArg("pattern").keySpec(1).tok("GET").opt().multiTok(),
				oneOf("order", tokArg("asc", "ASC"), tokArg("desc", "DESC")).opt(),
				tokArg("sorting", "ALPHA").opt(),
				keyArg("destination", 2).tok("STORE").opt(),
			},
		},
	},
	"sort_ro": {
		acl: ACLSet | ACLSortedSet | ACLList | ACLDangerous,
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Notes: "BY and GET patterns name keys made from the sorted elements, unknown in advance", Flags: KeyRO | KeyAccess, BeginSearch: UnknownBegin(), FindKeys: UnknownFind()},
		},
		getKeys: sortROGetKeys,
		doc: Doc{
			Complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
			Args: []Arg{
				keyArg("key", 0),
				patArg("pattern").keySpec(1).tok("BY").opt(),
				block("offset_count", intArg("offset"), intArg("count")).tok("LIMIT").opt(),
				patArg("pattern").keySpec(1).tok("GET").opt().multiTok(),
				oneOf("order", tokArg("asc", "ASC"), tokArg("desc", "DESC")).opt(),
				tokArg("sorting", "ALPHA").opt(),
			},
		},
	},
	"touch": {
		acl:  ACLKeyspace,
		tips: []string{"request_policy:multi_shard", "response_policy:agg_sum"},
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(-1, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of keys that will be touched.",
			Args: []Arg{
				keyArg("key", 0).multi(),
			},
		},
	},
	"ttl": {
		acl:  ACLKeyspace,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"2.8.0", "Replies -2 for a missing key (it used to be -1)."},
			},
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"type": {
		acl:  ACLKeyspace,
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"unlink": {
		acl:  ACLKeyspace,
		tips: []string{"request_policy:multi_shard", "response_policy:agg_sum"},
		keys: []KeySpec{{Flags: KeyRM | KeyDelete, BeginSearch: Index(1), FindKeys: Range(-1, 1, 0)}},
		doc: Doc{
			Complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
			Args: []Arg{
				keyArg("key", 0).multi(),
			},
		},
	},
}
