package db

// The interface of the cluster commands as Redis 7.0 defines it: declared ACL
// categories, tips, key specs and documentation, by full name (see
// commandSpec). History, notes and replacements are in MyRedis's words.
var clusterSpecs = map[string]*commandSpec{
	"cluster": {
		doc: Doc{
			Complexity: "Depends on subcommand.",
		},
	},
	"cluster|countkeysinslot": {
		doc: Doc{
			Complexity: "O(1)",
			Args: []Arg{
				intArg("slot"),
			},
		},
	},
	"cluster|getkeysinslot": {
		tips: []string{"nondeterministic_output"},
		doc: Doc{
			Complexity: "O(log(N)) where N is the number of requested keys",
			Args: []Arg{
				intArg("slot"),
				intArg("count"),
			},
		},
	},
	"cluster|help": {
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"cluster|info": {
		tips: []string{"nondeterministic_output"},
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"cluster|keyslot": {
		doc: Doc{
			Complexity: "O(N) where N is the number of bytes in the key",
			Args: []Arg{
				strArg("key"),
			},
		},
	},
	"cluster|myid": {
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"cluster|nodes": {
		tips: []string{"nondeterministic_output"},
		doc: Doc{
			Complexity: "O(N) where N is the total number of Cluster nodes",
		},
	},
	// MyRedis's own: the handshake between nodes (see cluster/commands.go).
	"cluster|peercheck": {
		doc: Doc{
			Complexity: "O(N) where N is the number of nodes",
			Flags:      DocSysCmd,
			Args: []Arg{
				strArg("self"),
				strArg("members"),
			},
		},
	},
	"cluster|shards": {
		tips: []string{"nondeterministic_output"},
		doc: Doc{
			Complexity: "O(N) where N is the total number of cluster nodes",
		},
	},
	"cluster|slots": {
		tips: []string{"nondeterministic_output"},
		doc: Doc{
			Complexity:      "O(N) where N is the total number of Cluster nodes",
			Flags:           DocDeprecated,
			DeprecatedSince: "7.0.0",
			ReplacedBy:      "CLUSTER SHARDS",
			History: []History{
				{"4.0.0", "Each node comes with its id."},
				{"7.0.0", "Each node comes with a map of more networking details."},
			},
		},
	},
	"readonly": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
	"readwrite": {
		acl: ACLConnection,
		doc: Doc{
			Complexity: "O(1)",
		},
	},
}
