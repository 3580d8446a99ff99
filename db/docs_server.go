package db

// The interface of the server and transaction commands as Redis 7.0 defines it: declared ACL
// categories, tips, key specs and documentation, by full name (see
// commandSpec). History, notes and replacements are in MyRedis's words.
var serverSpecs = map[string]*commandSpec{
	"bgrewriteaof": {
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"command": {
		acl:  ACLConnection,
		tips: []string{"nondeterministic_output_order"},
		doc: Doc{
			Complexity: "O(N) where N is the total number of Redis commands",
		},
	},
	"command|count": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"command|docs": {
		acl:  ACLConnection,
		tips: []string{"nondeterministic_output_order"},
		doc: Doc{
			Complexity: "O(N) where N is the number of commands to look up",
			Args: []Arg{
				strArg("command-name").opt().multi(),
			},
		},
	},
	"command|getkeys": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(N) where N is the number of arguments to the command",
		},
	},
	"command|getkeysandflags": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(N) where N is the number of arguments to the command",
		},
	},
	"command|help": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"command|info": {
		acl:  ACLConnection,
		tips: []string{"nondeterministic_output_order"},
		doc: Doc{
			Complexity: "O(N) where N is the number of commands to look up",
			History: []History{
				{"7.0.0", "With no name, describes every command."},
			},
			Args: []Arg{
				strArg("command-name").opt().multi(),
			},
		},
	},
	"command|list": {
		acl:  ACLConnection,
		tips: []string{"nondeterministic_output_order"},
		doc: Doc{
			Complexity: "O(N) where N is the total number of Redis commands",
			Args: []Arg{
				oneOf("filterby",
					strArg("module-name").tok("MODULE"),
					strArg("category").tok("ACLCAT"),
					patArg("pattern").tok("PATTERN"),
				).tok("FILTERBY").opt(),
			},
		},
	},
	"config": {
		doc: Doc{
			Complexity: "Depends on subcommand.",
		},
	},
	"config|get": {
		doc: Doc{
			Complexity: "O(N) when N is the number of configuration parameters provided",
			History: []History{
				{"7.0.0", "Takes several patterns at once."},
			},
			Args: []Arg{
				block("parameter", strArg("parameter")).multi(),
			},
		},
	},
	"config|help": {
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"config|resetstat": {
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"config|rewrite": {
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"config|set": {
		tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(N) when N is the number of configuration parameters provided",
			History: []History{
				{"7.0.0", "Takes several parameter-value pairs at once."},
			},
			Args: []Arg{
				block("parameter_value", strArg("parameter"), strArg("value")).multi(),
			},
		},
	},
	"dbsize": {
		acl:  ACLKeyspace,
		tips: []string{"request_policy:all_shards", "response_policy:agg_sum"},
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"discard": {
		acl: ACLTransaction,
		doc: Doc{
			Complexity: "O(N), when N is the number of queued commands",
		},
	},
	"exec": {
		acl: ACLTransaction,
		doc: Doc{
			Complexity: "Depends on commands in the transaction",
		},
	},
	"flushall": {
		acl:  ACLKeyspace | ACLDangerous,
		tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(N) where N is the total number of keys in all databases",
			History: []History{
				{"4.0.0", "The ASYNC mode."},
				{"6.2.0", "The SYNC mode."},
			},
			Args: []Arg{
				oneOf("async",
					tokArg("async", "ASYNC").since("4.0.0"),
					tokArg("sync", "SYNC").since("6.2.0"),
				).opt(),
			},
		},
	},
	"flushdb": {
		acl:  ACLKeyspace | ACLDangerous,
		tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(N) where N is the number of keys in the selected database",
			History: []History{
				{"4.0.0", "The ASYNC mode."},
				{"6.2.0", "The SYNC mode."},
			},
			Args: []Arg{
				oneOf("async",
					tokArg("async", "ASYNC").since("4.0.0"),
					tokArg("sync", "SYNC").since("6.2.0"),
				).opt(),
			},
		},
	},
	"info": {
		acl:  ACLDangerous,
		tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"7.0.0", "Takes several sections."},
			},
			Args: []Arg{
				strArg("section").opt().multi(),
			},
		},
	},
	"lastsave": {
		acl:  ACLAdmin | ACLDangerous,
		tips: []string{"nondeterministic_output"},
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"memory": {
		doc: Doc{
			Complexity: "Depends on subcommand.",
		},
	},
	"memory|help": {
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"memory|stats": {
		tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		doc:  Doc{Complexity: "O(1)"},
	},
	"memory|doctor": {
		tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		doc:  Doc{Complexity: "O(1)"},
	},
	"memory|malloc-stats": {
		tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		doc:  Doc{Complexity: "Depends on how much memory is allocated, could be slow"},
	},
	"memory|purge": {
		tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		doc:  Doc{Complexity: "Depends on how much memory is allocated, could be slow"},
	},
	"memory|usage": {
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(2), FindKeys: Range(0, 1, 0)}},
		doc: Doc{
			Complexity: "O(N) where N is the number of samples.",
			Args: []Arg{
				keyArg("key", 0),
				intArg("count").tok("SAMPLES").opt(),
			},
		},
	},
	"monitor": {
		doc: Doc{},
	},
	"multi": {
		acl: ACLTransaction,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"shutdown": {
		doc: Doc{
			Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
			History: []History{
				{"7.0.0", "The NOW, FORCE and ABORT options."},
			},
			Args: []Arg{
				oneOf("nosave_save", tokArg("nosave", "NOSAVE"), tokArg("save", "SAVE")).opt(),
				tokArg("now", "NOW").opt().since("7.0.0"),
				tokArg("force", "FORCE").opt().since("7.0.0"),
				tokArg("abort", "ABORT").opt().since("7.0.0"),
			},
		},
	},
	"slowlog": {
		doc: Doc{
			Complexity: "Depends on subcommand.",
		},
	},
	"slowlog|get": {
		tips: []string{"request_policy:all_nodes", "nondeterministic_output"},
		doc: Doc{
			Complexity: "O(N) where N is the number of entries returned",
			History: []History{
				{"4.0.0", "Each entry names the client: its address and name."},
			},
			Args: []Arg{
				intArg("count").opt(),
			},
		},
	},
	"slowlog|help": {
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"slowlog|len": {
		tips: []string{"request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"},
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"slowlog|reset": {
		tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(N) where N is the number of entries in the slowlog",
		},
	},
	"swapdb": {
		acl: ACLKeyspace | ACLDangerous,
		doc: Doc{
			Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
			Args: []Arg{
				intArg("index1"),
				intArg("index2"),
			},
		},
	},
	"time": {
		tips: []string{"nondeterministic_output"},
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"unwatch": {
		acl: ACLTransaction,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"watch": {
		acl:  ACLTransaction,
		keys: []KeySpec{{Flags: KeyRO, BeginSearch: Index(1), FindKeys: Range(-1, 1, 0)}},
		doc: Doc{
			Complexity: "O(1) for every key.",
			Args: []Arg{
				keyArg("key", 0).multi(),
			},
		},
	},
}
