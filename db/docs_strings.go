package db

// The interface of the string and bitmap commands as Redis 7.0 defines it: declared ACL
// categories, tips, key specs and documentation, by full name (see
// commandSpec). History, notes and replacements are in MyRedis's words.
var stringSpecs = map[string]*commandSpec{
	"append": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRW | KeyInsert, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
			Args: []Arg{
				keyArg("key", 0),
				strArg("value"),
			},
		},
	},
	"bitcount": {
		acl:  ACLBitmap,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N)",
			History: []History{
				{"7.0.0", "The range may be given in bits (BIT) as well as in bytes (BYTE)."},
			},
			Args: []Arg{
				keyArg("key", 0),
				block("index",
					intArg("start"),
					intArg("end"),
					oneOf("index_unit", tokArg("byte", "BYTE"), tokArg("bit", "BIT")).opt().since("7.0.0"),
				).opt(),
			},
		},
	},
	"bitop": {
		acl: ACLBitmap,
		keys: []KeySpec{
			{Flags: KeyOW | KeyUpdate, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(3), FindKeys: Range(-1, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(N)",
			Args: []Arg{
				strArg("operation"),
				keyArg("destkey", 0),
				keyArg("key", 1).multi(),
			},
		},
	},
	"bitpos": {
		acl:  ACLBitmap,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N)",
			History: []History{
				{"7.0.0", "The range may be given in bits (BIT) as well as in bytes (BYTE)."},
			},
			Args: []Arg{
				keyArg("key", 0),
				intArg("bit"),
				block("index",
					intArg("start"),
					block("end_index",
						intArg("end"),
						oneOf("index_unit", tokArg("byte", "BYTE"), tokArg("bit", "BIT")).opt().since("7.0.0"),
					).opt(),
				).opt(),
			},
		},
	},
	"decr": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"decrby": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				intArg("decrement"),
			},
		},
	},
	"get": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"getbit": {
		acl:  ACLBitmap,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				intArg("offset"),
			},
		},
	},
	"getdel": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"getex": {
		acl:  ACLString,
		keys: []KeySpec{{Notes: "RW and UPDATE: the key's expiry may change", Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				oneOf("expiration",
					intArg("seconds").tok("EX"),
					intArg("milliseconds").tok("PX"),
					timeArg("unix-time-seconds").tok("EXAT"),
					timeArg("unix-time-milliseconds").tok("PXAT"),
					tokArg("persist", "PERSIST"),
				).opt(),
			},
		},
	},
	"getrange": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
			Args: []Arg{
				keyArg("key", 0),
				intArg("start"),
				intArg("end"),
			},
		},
	},
	"getset": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity:      "O(1)",
			Flags:           DocDeprecated,
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "SET key value GET",
			Args: []Arg{
				keyArg("key", 0),
				strArg("value"),
			},
		},
	},
	"incr": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"incrby": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				intArg("increment"),
			},
		},
	},
	"incrbyfloat": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				dblArg("increment"),
			},
		},
	},
	"lcs": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(1, 1, 0)}},
		doc: Doc{
			Complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
			Args: []Arg{
				keyArg("key1", 0),
				keyArg("key2", 0),
				tokArg("len", "LEN").opt(),
				tokArg("idx", "IDX").opt(),
				intArg("len").tok("MINMATCHLEN").opt(),
				tokArg("withmatchlen", "WITHMATCHLEN").opt(),
			},
		},
	},
	"mget": {
		acl:  ACLString,
		tips: []string{"request_policy:multi_shard"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(-1, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of keys to retrieve.",
			Args: []Arg{
				keyArg("key", 0).multi(),
			},
		},
	},
	"mset": {
		acl:  ACLString,
		tips: []string{"request_policy:multi_shard", "response_policy:all_succeeded"},
		keys: []KeySpec{{Flags: KeyOW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(-1, 2, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of keys to set.",
			Args: []Arg{
				block("key_value", keyArg("key", 0), strArg("value")).multi(),
			},
		},
	},
	"msetnx": {
		acl:  ACLString,
		tips: []string{"request_policy:multi_shard", "response_policy:agg_min"},
		keys: []KeySpec{{Flags: KeyOW | KeyInsert, BeginSearch: Index(1), FindKeys: Range(-1, 2, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of keys to set.",
			Args: []Arg{
				block("key_value", keyArg("key", 0), strArg("value")).multi(),
			},
		},
	},
	"psetex": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyOW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				intArg("milliseconds"),
				strArg("value"),
			},
		},
	},
	"set": {
		acl:     ACLString,
		keys:    []KeySpec{{Notes: "RW and ACCESS when GET returns the old value", Flags: KeyRW | KeyAccess | KeyUpdate | KeyVariableFlags, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		getKeys: setGetKeys,
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"2.6.12", "The EX and PX expiries and the NX and XX conditions."},
				{"6.0.0", "KEEPTTL, to keep the key's expiry."},
				{"6.2.0", "GET, and the EXAT and PXAT expiries."},
				{"7.0.0", "NX and GET may be given together."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("value"),
				oneOf("condition", tokArg("nx", "NX"), tokArg("xx", "XX")).opt().since("2.6.12"),
				tokArg("get", "GET").opt().since("6.2.0"),
				oneOf("expiration",
					intArg("seconds").tok("EX").since("2.6.12"),
					intArg("milliseconds").tok("PX").since("2.6.12"),
					timeArg("unix-time-seconds").tok("EXAT").since("6.2.0"),
					timeArg("unix-time-milliseconds").tok("PXAT").since("6.2.0"),
					tokArg("keepttl", "KEEPTTL").since("6.0.0"),
				).opt(),
			},
		},
	},
	"setbit": {
		acl:  ACLBitmap,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				intArg("offset"),
				intArg("value"),
			},
		},
	},
	"setex": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyOW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				intArg("seconds"),
				strArg("value"),
			},
		},
	},
	"setnx": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyOW | KeyInsert, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("value"),
			},
		},
	},
	"setrange": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
			Args: []Arg{
				keyArg("key", 0),
				intArg("offset"),
				strArg("value"),
			},
		},
	},
	"strlen": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"substr": {
		acl:  ACLString,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity:      "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
			Flags:           DocDeprecated,
			DeprecatedSince: "2.0.0",
			ReplacedBy:      "GETRANGE",
			Args: []Arg{
				keyArg("key", 0),
				intArg("start"),
				intArg("end"),
			},
		},
	},
}
