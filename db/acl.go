package db

// ACLCategory is a set of Redis's ACL command categories. MyRedis has no
// ACL users; the categories are shown by COMMAND INFO and filter COMMAND
// LIST.
type ACLCategory uint32

// The categories, in the order Redis lists them.
const (
	ACLKeyspace ACLCategory = 1 << iota
	ACLRead
	ACLWrite
	ACLSet
	ACLSortedSet
	ACLList
	ACLHash
	ACLString
	ACLBitmap
	ACLHyperLogLog
	ACLGeo
	ACLStream
	ACLPubSub
	ACLAdmin
	ACLFast
	ACLSlow
	ACLBlocking
	ACLDangerous
	ACLConnection
	ACLTransaction
	ACLScripting
)

var aclCategoryNames = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash",
	"string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting"}

// Names returns the categories in a, each with its '@', in Redis's order.
func (a ACLCategory) Names() []string {
	var out []string
	for i, name := range aclCategoryNames {
		if a&(1<<i) != 0 {
			out = append(out, "@"+name)
		}
	}
	return out
}

// ACLCategoryByName returns the category called name (without '@', any
// case), or 0 if there is none.
func ACLCategoryByName(name []byte) ACLCategory {
	for i, n := range aclCategoryNames {
		if EqualFold(name, n) {
			return 1 << i
		}
	}
	return 0
}

// impliedACL returns the categories a command's flags put it in, besides
// those it declares: @write, @read (not for scripting commands), @admin and
// @dangerous, @pubsub, @fast, @blocking, and @slow for every command that
// is not @fast.
func impliedACL(flags Flag, declared ACLCategory) ACLCategory {
	var a ACLCategory
	if flags&FlagWrite != 0 {
		a |= ACLWrite
	}
	if flags&FlagReadonly != 0 && declared&ACLScripting == 0 {
		a |= ACLRead
	}
	if flags&FlagAdmin != 0 {
		a |= ACLAdmin | ACLDangerous
	}
	if flags&FlagPubSub != 0 {
		a |= ACLPubSub
	}
	if flags&FlagFast != 0 {
		a |= ACLFast
	}
	if flags&FlagBlocking != 0 {
		a |= ACLBlocking
	}
	if (declared|a)&ACLFast == 0 {
		a |= ACLSlow
	}
	return a
}
