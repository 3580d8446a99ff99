package db

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lookupLine finds the command of a line given as one string.
func lookupLine(t *testing.T, tab *Table, line string) (*Command, [][]byte) {
	t.Helper()
	args := toArgs(strings.Fields(line))
	cmd, errMsg := tab.Lookup(args)
	require.NotNil(t, cmd, "%s: %s", line, errMsg)
	return cmd, args
}

// refString renders key references as "key:FLAG,FLAG key2:".
func refString(args [][]byte, refs []KeyRef) string {
	var parts []string
	for _, r := range refs {
		parts = append(parts, string(args[r.Pos])+":"+strings.Join(r.Flags.Names(), ","))
	}
	return strings.Join(parts, " ")
}

func TestLegacyRange(t *testing.T) {
	tab := NewTable()
	for _, tc := range []struct {
		name              string
		first, last, step int
		movable           bool
	}{
		{"get", 1, 1, 1, false},
		{"mset", 1, -1, 2, false},
		{"smove", 1, 2, 1, false}, // two specs, glued
		{"bitop", 2, -1, 1, false},
		{"blpop", 1, -2, 1, false},
		{"lcs", 1, 2, 1, false},
		{"zunionstore", 1, 1, 1, true}, // the sources follow a count
		{"zunion", 0, 0, 0, true},
		{"sintercard", 0, 0, 0, true},
		{"lmpop", 0, 0, 0, true},
		{"sort", 1, 1, 1, true}, // STORE moves
		{"dbsize", 0, 0, 0, false},
	} {
		cmd := tab.Get([]byte(tc.name))
		require.NotNil(t, cmd, tc.name)
		assert.Equal(t, []int{tc.first, tc.last, tc.step}, []int{cmd.FirstKey, cmd.LastKey, cmd.Step}, tc.name)
		assert.Equal(t, tc.movable, cmd.Flags&FlagMovableKeys != 0, tc.name)
	}
	usage := tab.Get([]byte("memory")).subs["usage"]
	assert.Equal(t, []int{2, 2, 1}, []int{usage.FirstKey, usage.LastKey, usage.Step})
}

func TestKeyRefs(t *testing.T) {
	tab := NewTable()
	for _, tc := range []struct{ line, want string }{
		{"GET k", "k:RO,access"},
		{"SET k v", "k:OW,update"}, // variable flags: SET's GetKeys decides
		{"SET k v EX 10 get", "k:RW,access,update"},
		{"MSET a 1 b 2", "a:OW,update b:OW,update"},
		{"SMOVE a b m", "a:RW,access,delete b:RW,insert"},
		{"ZUNIONSTORE d 2 a b WEIGHTS 1 2", "d:OW,update a:RO,access b:RO,access"},
		{"ZUNIONSTORE d 2x a b", "a: b: d:"}, // the count read as C's atoi does
		{"ZUNIONSTORE d 3 a b", ""},
		{"ZUNION 0 a", ""},
		{"LMPOP 2 a b LEFT", "a:RW,access,delete b:RW,access,delete"},
		{"BLMPOP 0 1 a LEFT", "a:RW,access,delete"},
		{"SINTERCARD 2 a b LIMIT 1", "a:RO,access b:RO,access"},
		{"SORT k BY p GET g STORE d LIMIT 0 1", "k:RO,access d:OW,update"},
		{"SORT k GET store STORE d", "k:RO,access d:OW,update"},
		{"SORT k STORE d1 STORE d2", "k:RO,access d2:OW,update"},
		{"SORT_RO k BY p", "k:RO,access"},
		{"BLPOP a b 0", "a:RW,access,delete b:RW,access,delete"},
		{"OBJECT ENCODING k", "k:RO"},
		{"DBSIZE", ""},
	} {
		cmd, args := lookupLine(t, tab, tc.line)
		assert.Equal(t, tc.want, refString(args, cmd.KeyRefs(nil, args)), tc.line)
	}
}

// TestKeysAgreesWithKeyRefs checks the fast path of Keys against KeyRefs
// for random lines of every command.
func TestKeysAgreesWithKeyRefs(t *testing.T) {
	tab := NewTable()
	rng := rand.New(rand.NewPCG(crashSeed(t), 0))
	for _, name := range commandLines(tab) {
		cmd := tab.Get([]byte(name[0]))
		if len(name) > 1 {
			cmd = cmd.subs[name[1]]
		}
		for _, line := range randomLines(rng, name, cmd.Arity, 50) {
			args := toArgs(line)
			if !arityOK(cmd.Arity, len(args)) {
				continue
			}
			var want []string
			for _, r := range cmd.KeyRefs(nil, args) {
				want = append(want, string(args[r.Pos]))
			}
			var got []string
			for _, k := range cmd.Keys(nil, args) {
				got = append(got, string(k))
			}
			require.Equal(t, want, got, "%q", line)
		}
	}
}

// TestScriptShapedKeys registers a command shaped like EVAL (a script, a
// count of keys, the keys, then arguments), as Redis 7.0 describes it, to
// show that such commands fit the table: keys, flags, movable keys, and a
// count of 0 that is no error.
func TestScriptShapedKeys(t *testing.T) {
	tab := &Table{cmds: map[string]*Command{}}
	registerCommand(tab)
	tab.Register(&Command{Name: "evalish", Arity: -3, Flags: FlagNoScript | FlagNoMandatoryKeys, Group: "scripting",
		KeySpecs: []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, BeginSearch: Index(2), FindKeys: KeyNum(0, 1, 1)}},
		GetKeys:  numKeysAt2, ACL: ACLScripting, Run: func(*Ctx) {}})
	cmd := tab.Get([]byte("evalish"))
	assert.True(t, cmd.HasKeys())
	assert.NotZero(t, cmd.Flags&FlagMovableKeys)
	assert.Equal(t, []int{0, 0, 0}, []int{cmd.FirstKey, cmd.LastKey, cmd.Step})
	assert.Equal(t, []string{"@slow", "@scripting"}, cmd.ACL.Names())

	args := toArgs(strings.Fields("EVALISH script 2 a b x y"))
	assert.Equal(t, "a:RW,access,update b:RW,access,update", refString(args, cmd.KeyRefs(nil, args)))
	args = toArgs(strings.Fields("EVALISH script 0 x"))
	assert.Empty(t, cmd.KeyRefs(nil, args))

	ks := New(tab, 1)
	assert.Equal(t, "*0\r\n", run(ks, &Client{}, []string{"COMMAND", "GETKEYS", "EVALISH", "s", "0"}))
}

func TestCommandGetKeysErrors(t *testing.T) {
	runCases(t, []cmdCase{
		{"unknown command", [][]string{{"COMMAND", "GETKEYS", "NOSUCH", "k"}}, "-ERR Invalid command specified\r\n"},
		{"unknown subcommand", [][]string{{"COMMAND", "GETKEYS", "OBJECT", "NOSUCH", "k"}}, "-ERR Invalid command specified\r\n"},
		{"no keys", [][]string{{"COMMAND", "GETKEYS", "PING", "x"}}, "-ERR The command has no key arguments\r\n"},
		{"container", [][]string{{"COMMAND", "GETKEYS", "OBJECT", "x"}}, "-ERR Invalid command specified\r\n"},
		{"arity", [][]string{{"COMMAND", "GETKEYS", "GET", "a", "b"}}, "-ERR Invalid number of arguments specified for command\r\n"},
		{"bad count", [][]string{{"COMMAND", "GETKEYS", "ZUNION", "0", "a"}}, "-ERR Invalid arguments specified for command\r\n"},
		{"subcommand", [][]string{{"COMMAND", "GETKEYSANDFLAGS", "object", "encoding", "k"}}, "*1\r\n*2\r\n$1\r\nk\r\n*1\r\n+RO\r\n"},
	})
}

func TestCommandInfoShape(t *testing.T) {
	runCases(t, []cmdCase{
		{"unknown name is null", [][]string{{"COMMAND", "INFO", "nosuch", "get|x", "object|encoding|x"}}, "*3\r\n$-1\r\n$-1\r\n$-1\r\n"},
		{"get", [][]string{{"COMMAND", "INFO", "GET"}}, "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n" +
			"*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n" +
			"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n" +
			"$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
			"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n" +
			"*0\r\n"},
		{"docs of unknown names are left out", [][]string{{"COMMAND", "DOCS", "nosuch"}}, "*0\r\n"},
	})
}

func TestCommandList(t *testing.T) {
	ks := New(NewTable(), 16)
	list := func(args ...string) string { return run(ks, &Client{}, append([]string{"COMMAND", "LIST"}, args...)) }
	assert.Equal(t, "*2\r\n$11\r\nobject|freq\r\n$11\r\nobject|help\r\n", list("FILTERBY", "PATTERN", "OBJECT|[fh]*"))
	assert.Equal(t, "*0\r\n", list("FILTERBY", "ACLCAT", "nosuch"))
	assert.Equal(t, "*0\r\n", list("FILTERBY", "MODULE", "x"))
	assert.Contains(t, list("FILTERBY", "ACLCAT", "SortedSet"), "$4\r\nzadd\r\n")
	assert.Equal(t, "-ERR syntax error\r\n", list("FILTERBY", "NAME", "x"))
	assert.Equal(t, "-ERR syntax error\r\n", list("x"))
}

func TestCAtoi(t *testing.T) {
	for in, want := range map[string]int{"": 0, "12": 12, " 7x": 7, "-3": -3, "+4": 4, "x1": 0,
		"4294967297": 1, "99999999999999999999": -1, "-99999999999999999999": 0} {
		assert.Equal(t, want, cAtoi([]byte(in)), in)
	}
}
