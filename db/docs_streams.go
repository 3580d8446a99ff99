package db

// The interface of the stream commands as Redis 7.0 defines it: declared
// ACL categories, tips, key specs and documentation, by full name (see
// commandSpec). History and notes are in MyRedis's words.
var streamSpecs = map[string]*commandSpec{
	"xack": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1) for each message ID processed.",
			Args: []Arg{
				keyArg("key", 0),
				strArg("group"),
				strArg("id").multi(),
			},
		},
	},
	"xadd": {
		acl:  ACLStream,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{
			{Notes: "UPDATE rather than INSERT: XADD may also trim", Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
			History: []History{
				{"6.2.0", "NOMKSTREAM, the MINID strategy and LIMIT were added."},
				{"7.0.0", "Explicit IDs of the form <ms>-* were added."},
			},
			Args: []Arg{
				keyArg("key", 0),
				tokArg("nomkstream", "NOMKSTREAM").opt().since("6.2.0"),
				block("trim", oneOf("strategy", tokArg("maxlen", "MAXLEN"), tokArg("minid", "MINID").since("6.2.0")), oneOf("operator", tokArg("equal", "="), tokArg("approximately", "~")).opt(), strArg("threshold"), intArg("count").tok("LIMIT").opt().since("6.2.0")).opt(),
				oneOf("id_or_auto", tokArg("auto_id", "*"), strArg("id")),
				block("field_value", strArg("field"), strArg("value")).multi(),
			},
		},
	},
	"xautoclaim": {
		acl:  ACLStream,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{
			{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1) if COUNT is small.",
			History: []History{
				{"7.0.0", "The reply gained a third element: the IDs of deleted entries dropped from the PEL."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("group"),
				strArg("consumer"),
				strArg("min-idle-time"),
				strArg("start"),
				intArg("count").tok("COUNT").opt(),
				tokArg("justid", "JUSTID").opt(),
			},
		},
	},
	"xclaim": {
		acl:  ACLStream,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{
			{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
			Args: []Arg{
				keyArg("key", 0),
				strArg("group"),
				strArg("consumer"),
				strArg("min-idle-time"),
				strArg("id").multi(),
				intArg("ms").tok("IDLE").opt(),
				timeArg("unix-time-milliseconds").tok("TIME").opt(),
				intArg("count").tok("RETRYCOUNT").opt(),
				tokArg("force", "FORCE").opt(),
				tokArg("justid", "JUSTID").opt(),
				strArg("id").tok("LASTID").opt(),
			},
		},
	},
	"xdel": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
			Args: []Arg{
				keyArg("key", 0),
				strArg("id").multi(),
			},
		},
	},
	"xgroup|create": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRW | KeyInsert, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"7.0.0", "ENTRIESREAD was added."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("groupname"),
				oneOf("id", strArg("id"), tokArg("new_id", "$")),
				tokArg("mkstream", "MKSTREAM").opt(),
				intArg("entries_read").tok("ENTRIESREAD").opt(),
			},
		},
	},
	"xgroup|createconsumer": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRW | KeyInsert, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("groupname"),
				strArg("consumername"),
			},
		},
	},
	"xgroup|delconsumer": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRW | KeyDelete, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("groupname"),
				strArg("consumername"),
			},
		},
	},
	"xgroup|destroy": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRW | KeyDelete, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
			Args: []Arg{
				keyArg("key", 0),
				strArg("groupname"),
			},
		},
	},
	"xgroup|help": {
		acl: ACLStream,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"xgroup|setid": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRW | KeyUpdate, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"7.0.0", "ENTRIESREAD was added."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("groupname"),
				oneOf("id", strArg("id"), tokArg("new_id", "$")),
				intArg("entries_read").tok("ENTRIESREAD").opt(),
			},
		},
	},
	"xgroup": {
		doc: Doc{
			Complexity: "Depends on subcommand.",
		},
	},
	"xinfo|consumers": {
		acl:  ACLStream,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
				strArg("groupname"),
			},
		},
	},
	"xinfo|groups": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"7.0.0", "The entries-read and lag fields were added."},
			},
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"xinfo|help": {
		acl: ACLStream,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"xinfo|stream": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"6.0.0", "FULL was added."},
				{"7.0.0", "The entries-added, recorded-first-entry-id and max-deleted-entry-id fields, and the groups' entries-read and lag, were added."},
			},
			Args: []Arg{
				keyArg("key", 0),
				block("full", intArg("count").tok("COUNT").opt()).tok("FULL").opt(),
			},
		},
	},
	"xinfo": {
		doc: Doc{
			Complexity: "Depends on subcommand.",
		},
	},
	"xlen": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				keyArg("key", 0),
			},
		},
	},
	"xpending": {
		acl:  ACLStream,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
			History: []History{
				{"6.2.0", "IDLE was added, and the range arguments became exclusive-capable."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("group"),
				block("filters", intArg("min-idle-time").tok("IDLE").opt().since("6.2.0"), strArg("start"), strArg("end"), intArg("count"), strArg("consumer").opt()).opt(),
			},
		},
	},
	"xrange": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
			History: []History{
				{"6.2.0", "Exclusive ranges were added."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("start"),
				strArg("end"),
				intArg("count").tok("COUNT").opt(),
			},
		},
	},
	"xread": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Keyword("STREAMS", 1), FindKeys: Range(-1, 1, 2)},
		},
		doc: Doc{
			Complexity: "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
			Args: []Arg{
				intArg("count").tok("COUNT").opt(),
				intArg("milliseconds").tok("BLOCK").opt(),
				block("streams", keyArg("key", 0).multi(), strArg("id").multi()).tok("STREAMS"),
			},
		},
	},
	"xreadgroup": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Keyword("STREAMS", 4), FindKeys: Range(-1, 1, 2)},
		},
		doc: Doc{
			Complexity: "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
			Args: []Arg{
				block("group_consumer", strArg("group"), strArg("consumer")).tok("GROUP"),
				intArg("count").tok("COUNT").opt(),
				intArg("milliseconds").tok("BLOCK").opt(),
				tokArg("noack", "NOACK").opt(),
				block("streams", keyArg("key", 0).multi(), strArg("id").multi()).tok("STREAMS"),
			},
		},
	},
	"xrevrange": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRO | KeyAccess, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
			History: []History{
				{"6.2.0", "Exclusive ranges were added."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("end"),
				strArg("start"),
				intArg("count").tok("COUNT").opt(),
			},
		},
	},
	"xsetid": {
		acl: ACLStream,
		keys: []KeySpec{
			{Flags: KeyRW | KeyUpdate, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"7.0.0", "ENTRIESADDED and MAXDELETEDID were added."},
			},
			Args: []Arg{
				keyArg("key", 0),
				strArg("last-id"),
				intArg("entries_added").tok("ENTRIESADDED").opt().since("7.0.0"),
				strArg("max_deleted_entry_id").tok("MAXDELETEDID").opt().since("7.0.0"),
			},
		},
	},
	"xtrim": {
		acl:  ACLStream,
		tips: []string{"nondeterministic_output"},
		keys: []KeySpec{
			{Flags: KeyRW | KeyDelete, BeginSearch: Index(1), FindKeys: Range(0, 1, 0)},
		},
		doc: Doc{
			Complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
			History: []History{
				{"6.2.0", "The MINID strategy and LIMIT were added."},
			},
			Args: []Arg{
				keyArg("key", 0),
				block("trim", oneOf("strategy", tokArg("maxlen", "MAXLEN"), tokArg("minid", "MINID").since("6.2.0")), oneOf("operator", tokArg("equal", "="), tokArg("approximately", "~")).opt(), strArg("threshold"), intArg("count").tok("LIMIT").opt().since("6.2.0")),
			},
		},
	},
}
