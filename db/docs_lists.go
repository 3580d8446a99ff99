package db

// The interface of the list commands as Redis 7.0 defines it: declared ACL
// categories, tips, key specs and documentation, by full name (see
// commandSpec). History, notes and replacements are in MyRedis's words.
var listSpecs = map[string]*commandSpec{
	"blmove": {
		acl: ACLList,
		keys: []KeySpec{
			{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRW | KeyInsert, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("source", 0),
				keyArg("destination", 1),
				oneOf("wherefrom", tokArg("left", "LEFT"), tokArg("right", "RIGHT")),
				oneOf("whereto", tokArg("left", "LEFT"), tokArg("right", "RIGHT")),
				dblArg("timeout"),
			},
		},
	},
	"blmpop": {
		acl:     ACLList,
		keys:    []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(2), FindKeys: KeyNum(0, 1, 1)}},
		getKeys: numKeysAt2,
		doc: Doc{
			Complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
			Args: []Arg{
				dblArg("timeout"),
				intArg("numkeys"),
				keyArg("key", 0).multi(),
				oneOf("where", tokArg("left", "LEFT"), tokArg("right", "RIGHT")),
				intArg("count").tok("COUNT").opt(),
			},
		},
	},
	"blpop": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(-2, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of provided keys.",
			History: []History{
				{"6.0.0", "The timeout may have a fractional part."},
			},
			Args: []Arg{
				keyArg("key", 0).multi(),
				dblArg("timeout"),
			},
		},
	},
	"brpop": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(-2, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of provided keys.",
			History: []History{
				{"6.0.0", "The timeout may have a fractional part."},
			},
			Args: []Arg{
				keyArg("key", 0).multi(),
				dblArg("timeout"),
			},
		},
	},
	"brpoplpush": {
		acl: ACLList,
		keys: []KeySpec{
			{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRW | KeyInsert, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity:      "O(1)",
			Flags:           DocDeprecated,
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "BLMOVE source destination RIGHT LEFT timeout",
			History: []History{
				{"6.0.0", "The timeout may have a fractional part."},
			},
			Args: []Arg{
				keyArg("source", 0),
				keyArg("destination", 1),
				dblArg("timeout"),
			},
		},
	},
	"lindex": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
			Args: []Arg{
				keyArg("key", 0),
				intArg("index"),
			},
		},
	},
	"linsert": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyInsert, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
			Args: []Arg{
				keyArg("key", 0),
				oneOf("where", tokArg("before", "BEFORE"), tokArg("after", "AFTER")),
				strArg("pivot"),
				strArg("element"),
			},
		},
	},
	"llen": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"lmove": {
		acl: ACLList,
		keys: []KeySpec{
			{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRW | KeyInsert, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("source", 0),
				keyArg("destination", 1),
				oneOf("wherefrom", tokArg("left", "LEFT"), tokArg("right", "RIGHT")),
				oneOf("whereto", tokArg("left", "LEFT"), tokArg("right", "RIGHT")),
			},
		},
	},
	"lmpop": {
		acl:     ACLList,
		keys:    []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: KeyNum(0, 1, 1)}},
		getKeys: numKeysAt1,
		doc: Doc{
			Complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
			Args: []Arg{
				intArg("numkeys"),
				keyArg("key", 0).multi(),
				oneOf("where", tokArg("left", "LEFT"), tokArg("right", "RIGHT")),
				intArg("count").tok("COUNT").opt(),
			},
		},
	},
	"lpop": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of elements returned",
			History: []History{
				{"6.2.0", "The count argument, to pop several elements."},
			},
			Args: []Arg{
				keyArg("key", 0),
				intArg("count").opt().since("6.2.0"),
			},
		},
	},
	"lpos": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
			Args: []Arg{
				keyArg("key", 0),
				strArg("element"),
				intArg("rank").tok("RANK").opt(),
				intArg("num-matches").tok("COUNT").opt(),
				intArg("len").tok("MAXLEN").opt(),
			},
		},
	},
	"lpush": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyInsert, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			History: []History{
				{"2.4.0", "Takes several elements."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("element").multi(),
			},
		},
	},
	"lpushx": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyInsert, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			History: []History{
				{"4.0.0", "Takes several elements."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("element").multi(),
			},
		},
	},
	"lrange": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
			Args: []Arg{
				keyArg("key", 0),
				intArg("start"),
				intArg("stop"),
			},
		},
	},
	"lrem": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
			Args: []Arg{
				keyArg("key", 0),
				intArg("count"),
				strArg("element"),
			},
		},
	},
	"lset": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
			Args: []Arg{
				keyArg("key", 0),
				intArg("index"),
				strArg("element"),
			},
		},
	},
	"ltrim": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of elements to be removed by the operation.",
			Args: []Arg{
				keyArg("key", 0),
				intArg("start"),
				intArg("stop"),
			},
		},
	},
	"rpop": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of elements returned",
			History: []History{
				{"6.2.0", "The count argument, to pop several elements."},
			},
			Args: []Arg{
				keyArg("key", 0),
				intArg("count").opt().since("6.2.0"),
			},
		},
	},
	"rpoplpush": {
		acl: ACLList,
		keys: []KeySpec{
			{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRW | KeyInsert, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity:      "O(1)",
			Flags:           DocDeprecated,
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "LMOVE source destination RIGHT LEFT",
			Args: []Arg{
				keyArg("source", 0),
				keyArg("destination", 1),
			},
		},
	},
	"rpush": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyInsert, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			History: []History{
				{"2.4.0", "Takes several elements."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("element").multi(),
			},
		},
	},
	"rpushx": {
		acl:  ACLList,
		keys: []KeySpec{{Flags: KeyRW | KeyInsert, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			History: []History{
				{"4.0.0", "Takes several elements."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("element").multi(),
			},
		},
	},
}
