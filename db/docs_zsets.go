package db

// The interface of the sorted set commands as Redis 7.0 defines it: declared ACL
// categories, tips, key specs and documentation, by full name (see
// commandSpec). History, notes and replacements are in MyRedis's words.
var zsetSpecs = map[string]*commandSpec{
	"bzmpop": {
		acl:     ACLSortedSet,
		keys:    []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(2), FindKeys: KeyNum(0, 1, 1)}},
		getKeys: numKeysAt2,
		doc: Doc{
			Complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
			Args: []Arg{
				dblArg("timeout"),
				intArg("numkeys"),
				keyArg("key", 0).multi(),
				oneOf("where", tokArg("min", "MIN"), tokArg("max", "MAX")),
				intArg("count").tok("COUNT").opt(),
			},
		},
	},
	"bzpopmax": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(-2, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)) with N being the number of elements in the sorted set.",
			History: []History{
				{"6.0.0", "The timeout may have a fractional part."},
			},
			Args: []Arg{
				keyArg("key", 0).multi(),
				dblArg("timeout"),
			},
		},
	},
	"bzpopmin": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(-2, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)) with N being the number of elements in the sorted set.",
			History: []History{
				{"6.0.0", "The timeout may have a fractional part."},
			},
			Args: []Arg{
				keyArg("key", 0).multi(),
				dblArg("timeout"),
			},
		},
	},
	"zadd": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
			History: []History{
				{"2.4.0", "Takes several score-member pairs."},
				{"3.0.2", "The XX, NX, CH and INCR options."},
				{"6.2.0", "The GT and LT conditions."},
			},
			Args: []Arg{
				keyArg("key", 0),
				oneOf("condition", tokArg("nx", "NX"), tokArg("xx", "XX")).opt().since("3.0.2"),
				oneOf("comparison", tokArg("gt", "GT"), tokArg("lt", "LT")).opt().since("6.2.0"),
				tokArg("change", "CH").opt().since("3.0.2"),
				tokArg("increment", "INCR").opt().since("3.0.2"),
				block("score_member", dblArg("score"), strArg("member")).multi(),
			},
		},
	},
	"zcard": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"zcount": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)) with N being the number of elements in the sorted set.",
			Args: []Arg{
				keyArg("key", 0),
				dblArg("min"),
				dblArg("max"),
			},
		},
	},
	"zdiff": {
		acl:     ACLSortedSet,
		keys:    []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: KeyNum(0, 1, 1)}},
		getKeys: numKeysAt1,
		doc: Doc{
			Complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
			Args: []Arg{
				intArg("numkeys"),
				keyArg("key", 0).multi(),
				tokArg("withscores", "WITHSCORES").opt(),
			},
		},
	},
	"zdiffstore": {
		acl: ACLSortedSet,
		keys: []KeySpec{
			{Flags: KeyOW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(2), FindKeys: KeyNum(0, 1, 1)},
		},
		getKeys: storeNumKeysAt2,
		doc: Doc{
			Complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
			Args: []Arg{
				keyArg("destination", 0),
				intArg("numkeys"),
				keyArg("key", 1).multi(),
			},
		},
	},
	"zincrby": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)) where N is the number of elements in the sorted set.",
			Args: []Arg{
				keyArg("key", 0),
				intArg("increment"),
				strArg("member"),
			},
		},
	},
	"zinter": {
		acl:     ACLSortedSet,
		keys:    []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: KeyNum(0, 1, 1)}},
		getKeys: numKeysAt1,
		doc: Doc{
			Complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
			Args: []Arg{
				intArg("numkeys"),
				keyArg("key", 0).multi(),
				intArg("weight").tok("WEIGHTS").opt().multi(),
				oneOf("aggregate", tokArg("sum", "SUM"), tokArg("min", "MIN"), tokArg("max", "MAX")).tok("AGGREGATE").opt(),
				tokArg("withscores", "WITHSCORES").opt(),
			},
		},
	},
	"zintercard": {
		acl:     ACLSortedSet,
		keys:    []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: KeyNum(0, 1, 1)}},
		getKeys: numKeysAt1,
		doc: Doc{
			Complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
			Args: []Arg{
				intArg("numkeys"),
				keyArg("key", 0).multi(),
				intArg("limit").tok("LIMIT").opt(),
			},
		},
	},
	"zinterstore": {
		acl: ACLSortedSet,
		keys: []KeySpec{
			{Flags: KeyOW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(2), FindKeys: KeyNum(0, 1, 1)},
		},
		getKeys: storeNumKeysAt2,
		doc: Doc{
			Complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
			Args: []Arg{
				keyArg("destination", 0),
				intArg("numkeys"),
				keyArg("key", 1).multi(),
				intArg("weight").tok("WEIGHTS").opt().multi(),
				oneOf("aggregate", tokArg("sum", "SUM"), tokArg("min", "MIN"), tokArg("max", "MAX")).tok("AGGREGATE").opt(),
			},
		},
	},
	"zlexcount": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)) with N being the number of elements in the sorted set.",
			Args: []Arg{
				keyArg("key", 0),
				strArg("min"),
				strArg("max"),
			},
		},
	},
	"zmpop": {
		acl:     ACLSortedSet,
		keys:    []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: KeyNum(0, 1, 1)}},
		getKeys: numKeysAt1,
		doc: Doc{
			Complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
			Args: []Arg{
				intArg("numkeys"),
				keyArg("key", 0).multi(),
				oneOf("where", tokArg("min", "MIN"), tokArg("max", "MAX")),
				intArg("count").tok("COUNT").opt(),
			},
		},
	},
	"zmscore": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of members being requested.",
			Args: []Arg{
				keyArg("key", 0),
				strArg("member").multi(),
			},
		},
	},
	"zpopmax": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
			Args: []Arg{
				keyArg("key", 0),
				intArg("count").opt(),
			},
		},
	},
	"zpopmin": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
			Args: []Arg{
				keyArg("key", 0),
				intArg("count").opt(),
			},
		},
	},
	"zrandmember": {
		acl:  ACLSortedSet,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of elements returned",
			Args: []Arg{
				keyArg("key", 0),
				block("options", intArg("count"), tokArg("withscores", "WITHSCORES").opt()).opt(),
			},
		},
	},
	"zrange": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
			History: []History{
				{"6.2.0", "REV, BYSCORE, BYLEX and LIMIT: one command for every kind of range."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("start"),
				strArg("stop"),
				oneOf("sortby", tokArg("byscore", "BYSCORE"), tokArg("bylex", "BYLEX")).opt().since("6.2.0"),
				tokArg("rev", "REV").opt().since("6.2.0"),
				block("offset_count", intArg("offset"), intArg("count")).tok("LIMIT").opt().since("6.2.0"),
				tokArg("withscores", "WITHSCORES").opt(),
			},
		},
	},
	"zrangebylex": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity:      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
			Flags:           DocDeprecated,
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "ZRANGE key min max BYLEX",
			Args: []Arg{
				keyArg("key", 0),
				strArg("min"),
				strArg("max"),
				block("offset_count", intArg("offset"), intArg("count")).tok("LIMIT").opt(),
			},
		},
	},
	"zrangebyscore": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity:      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
			Flags:           DocDeprecated,
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "ZRANGE key min max BYSCORE",
			History: []History{
				{"2.0.0", "WITHSCORES."},
			},
			Args: []Arg{
				keyArg("key", 0),
				dblArg("min"),
				dblArg("max"),
				tokArg("withscores", "WITHSCORES").opt().since("2.0.0"),
				block("offset_count", intArg("offset"), intArg("count")).tok("LIMIT").opt(),
			},
		},
	},
	"zrangestore": {
		acl: ACLSortedSet,
		keys: []KeySpec{
			{Flags: KeyOW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
			Args: []Arg{
				keyArg("dst", 0),
				keyArg("src", 1),
				strArg("min"),
				strArg("max"),
				oneOf("sortby", tokArg("byscore", "BYSCORE"), tokArg("bylex", "BYLEX")).opt(),
				tokArg("rev", "REV").opt(),
				block("offset_count", intArg("offset"), intArg("count")).tok("LIMIT").opt(),
			},
		},
	},
	"zrank": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N))",
			Args: []Arg{
				keyArg("key", 0),
				strArg("member"),
			},
		},
	},
	"zrem": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
			History: []History{
				{"2.4.0", "Takes several members."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("member").multi(),
			},
		},
	},
	"zremrangebylex": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
			Args: []Arg{
				keyArg("key", 0),
				strArg("min"),
				strArg("max"),
			},
		},
	},
	"zremrangebyrank": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
			Args: []Arg{
				keyArg("key", 0),
				intArg("start"),
				intArg("stop"),
			},
		},
	},
	"zremrangebyscore": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
			Args: []Arg{
				keyArg("key", 0),
				dblArg("min"),
				dblArg("max"),
			},
		},
	},
	"zrevrange": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity:      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
			Flags:           DocDeprecated,
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "ZRANGE key start stop REV",
			Args: []Arg{
				keyArg("key", 0),
				intArg("start"),
				intArg("stop"),
				tokArg("withscores", "WITHSCORES").opt(),
			},
		},
	},
	"zrevrangebylex": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity:      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
			Flags:           DocDeprecated,
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "ZRANGE key max min BYLEX REV",
			Args: []Arg{
				keyArg("key", 0),
				strArg("max"),
				strArg("min"),
				block("offset_count", intArg("offset"), intArg("count")).tok("LIMIT").opt(),
			},
		},
	},
	"zrevrangebyscore": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity:      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
			Flags:           DocDeprecated,
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "ZRANGE key max min BYSCORE REV",
			History: []History{
				{"2.1.6", "min and max may exclude their value, with a '('."},
			},
			Args: []Arg{
				keyArg("key", 0),
				dblArg("max"),
				dblArg("min"),
				tokArg("withscores", "WITHSCORES").opt(),
				block("offset_count", intArg("offset"), intArg("count")).tok("LIMIT").opt(),
			},
		},
	},
	"zrevrank": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(log(N))",
			Args: []Arg{
				keyArg("key", 0),
				strArg("member"),
			},
		},
	},
	"zscan": {
		acl:  ACLSortedSet,
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
	"zscore": {
		acl:  ACLSortedSet,
		keys: []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("member"),
			},
		},
	},
	"zunion": {
		acl:     ACLSortedSet,
		keys:    []KeySpec{{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: KeyNum(0, 1, 1)}},
		getKeys: numKeysAt1,
		doc: Doc{
			Complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
			Args: []Arg{
				intArg("numkeys"),
				keyArg("key", 0).multi(),
				intArg("weight").tok("WEIGHTS").opt().multi(),
				oneOf("aggregate", tokArg("sum", "SUM"), tokArg("min", "MIN"), tokArg("max", "MAX")).tok("AGGREGATE").opt(),
				tokArg("withscores", "WITHSCORES").opt(),
			},
		},
	},
	"zunionstore": {
		acl: ACLSortedSet,
		keys: []KeySpec{
			{Flags: KeyOW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(2), FindKeys: KeyNum(0, 1, 1)},
		},
		getKeys: storeNumKeysAt2,
		doc: Doc{
			Complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
			Args: []Arg{
				keyArg("destination", 0),
				intArg("numkeys"),
				keyArg("key", 1).multi(),
				intArg("weight").tok("WEIGHTS").opt().multi(),
				oneOf("aggregate", tokArg("sum", "SUM"), tokArg("min", "MIN"), tokArg("max", "MAX")).tok("AGGREGATE").opt(),
			},
		},
	},
}
