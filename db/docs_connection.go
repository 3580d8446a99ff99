package db

// The interface of the connection and pub/sub commands as Redis 7.0 defines it: declared ACL
// categories, tips, key specs and documentation, by full name (see
// commandSpec). History, notes and replacements are in MyRedis's words.
var connectionSpecs = map[string]*commandSpec{
	"auth": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(N) where N is the number of passwords defined for the user",
			History: []History{
				{"6.0.0", "Takes a username before the password, for ACL users."},
			},
			Args: []Arg{
				strArg("username").opt().since("6.0.0"),
				strArg("password"),
			},
		},
	},
	"client": {
		doc: Doc{
			Complexity: "Depends on subcommand.",
		},
	},
	"client|caching": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				oneOf("mode", tokArg("yes", "YES"), tokArg("no", "NO")),
			},
		},
	},
	"client|getredir": {
		acl: ACLConnection,
		doc: Doc{Complexity: "O(1)"},
	},
	"client|getname": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"client|help": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"client|id": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"client|info": {
		acl:  ACLConnection,
		tips: []string{"nondeterministic_output"},
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"client|kill": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(N) where N is the number of client connections",
			History: []History{
				{"2.8.12", "Filters given as option-value pairs."},
				{"2.8.12", "The ID filter."},
				{"3.2.0", "TYPE accepts master."},
				{"5.0.0", "TYPE replica replaces TYPE slave, which still works."},
				{"6.2.0", "The LADDR filter."},
			},
			Args: []Arg{
				oneOf("filter",
					strArg("ip:port").deprecatedSince("2.8.12"),
					oneOf("new-format",
						intArg("client-id").tok("ID").opt().since("2.8.12"),
						oneOf("normal_master_slave_pubsub",
							tokArg("normal", "NORMAL"),
							tokArg("master", "MASTER").since("3.2.0"),
							tokArg("slave", "SLAVE"),
							tokArg("replica", "REPLICA").since("5.0.0"),
							tokArg("pubsub", "PUBSUB"),
						).tok("TYPE").opt().since("2.8.12"),
						strArg("username").tok("USER").opt(),
						strArg("ip:port").tok("ADDR").opt(),
						strArg("ip:port").tok("LADDR").opt().since("6.2.0"),
						strArg("yes/no").tok("SKIPME").opt(),
					).multi(),
				),
			},
		},
	},
	"client|list": {
		acl:  ACLConnection,
		tips: []string{"nondeterministic_output"},
		doc: Doc{
			Complexity: "O(N) where N is the number of client connections",
			History: []History{
				{"2.8.12", "Each client line has an id field."},
				{"5.0.0", "The TYPE filter."},
				{"6.0.0", "Each client line has a user field."},
				{"6.2.0", "The ID filter, and the argv-mem, tot-mem, laddr and redir fields."},
				{"7.0.0", "The resp, multi-mem, rbs and rbp fields."},
				{"7.0.3", "The ssub field."},
			},
			Args: []Arg{
				oneOf("normal_master_replica_pubsub",
					tokArg("normal", "NORMAL"),
					tokArg("master", "MASTER"),
					tokArg("replica", "REPLICA"),
					tokArg("pubsub", "PUBSUB"),
				).tok("TYPE").opt().since("5.0.0"),
				block("id", intArg("client-id").multi()).tok("ID").opt().since("6.2.0"),
			},
		},
	},
	"client|no-evict": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				oneOf("enabled", tokArg("on", "ON"), tokArg("off", "OFF")),
			},
		},
	},
	// Redis 7.2's: MyRedis has it ahead of 7.0.
	"client|no-touch": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				oneOf("enabled", tokArg("on", "ON"), tokArg("off", "OFF")),
			},
		},
	},
	"client|pause": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"6.2.0", "A mode: WRITE pauses only the commands that may write."},
			},
			Args: []Arg{
				intArg("timeout"),
				oneOf("mode", tokArg("write", "WRITE"), tokArg("all", "ALL")).opt().since("6.2.0"),
			},
		},
	},
	"client|reply": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				oneOf("on_off_skip", tokArg("on", "ON"), tokArg("off", "OFF"), tokArg("skip", "SKIP")),
			},
		},
	},
	// Redis 7.2's: MyRedis has it ahead of 7.0.
	"client|setinfo": {
		acl:  ACLConnection,
		tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				oneOf("attr", strArg("libname").tok("lib-name"), strArg("libver").tok("lib-ver")),
			},
		},
	},
	"client|setname": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				strArg("connection-name"),
			},
		},
	},
	"client|tracking": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1). Some options may introduce additional complexity.",
			Args: []Arg{
				oneOf("status", tokArg("on", "ON"), tokArg("off", "OFF")),
				intArg("client-id").tok("REDIRECT").opt(),
				strArg("prefix").tok("PREFIX").opt().multiTok(),
				tokArg("bcast", "BCAST").opt(),
				tokArg("optin", "OPTIN").opt(),
				tokArg("optout", "OPTOUT").opt(),
				tokArg("noloop", "NOLOOP").opt(),
			},
		},
	},
	"client|trackinginfo": {
		acl: ACLConnection,
		doc: Doc{Complexity: "O(1)"},
	},
	"client|unblock": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(log N) where N is the number of client connections",
			Args: []Arg{
				intArg("client-id"),
				oneOf("timeout_error", tokArg("timeout", "TIMEOUT"), tokArg("error", "ERROR")).opt(),
			},
		},
	},
	"client|unpause": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(N) Where N is the number of paused clients",
		},
	},
	"echo": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				strArg("message"),
			},
		},
	},
	"hello": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
			History: []History{
				{"6.2.0", "The protocol version may be left out; with no arguments at all the reply describes the connection."},
			},
			Args: []Arg{
				block("arguments",
					intArg("protover"),
					block("username_password", strArg("username"), strArg("password")).tok("AUTH").opt(),
					strArg("clientname").tok("SETNAME").opt(),
				).opt(),
			},
		},
	},
	"ping": {
		acl:  ACLConnection,
		tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				strArg("message").opt(),
			},
		},
	},
	"psubscribe": {
		doc: Doc{
			Complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
			Args: []Arg{
				block("pattern", patArg("pattern")).multi(),
			},
		},
	},
	"publish": {
		doc: Doc{
			Complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
			Args: []Arg{
				strArg("channel"),
				strArg("message"),
			},
		},
	},
	"pubsub": {
		doc: Doc{
			Complexity: "Depends on subcommand.",
		},
	},
	"pubsub|channels": {
		doc: Doc{
			Complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
			Args: []Arg{
				patArg("pattern").opt(),
			},
		},
	},
	"pubsub|help": {
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"pubsub|numpat": {
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"pubsub|numsub": {
		doc: Doc{
			Complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
			Args: []Arg{
				strArg("channel").opt().multi(),
			},
		},
	},
	"punsubscribe": {
		doc: Doc{
			Complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
			Args: []Arg{
				patArg("pattern").opt().multi(),
			},
		},
	},
	"quit": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"reset": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"select": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				intArg("index"),
			},
		},
	},
	"subscribe": {
		doc: Doc{
			Complexity: "O(N) where N is the number of channels to subscribe to.",
			Args: []Arg{
				strArg("channel").multi(),
			},
		},
	},
	"unsubscribe": {
		doc: Doc{
			Complexity: "O(N) where N is the number of clients already subscribed to a channel.",
			Args: []Arg{
				strArg("channel").opt().multi(),
			},
		},
	},
}
