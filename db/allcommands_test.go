package db

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// commandTemplates are well-formed lines, with their options, for the
// commands whose arguments a random line rarely gets right. The crash test
// replaces each of their arguments in turn with every entry of the pool,
// so the extreme value reaches the code behind the valid ones.
var commandTemplates = []string{
	"SET str v NX GET EX 100",
	"SET str v XX KEEPTTL GET",
	"SET str v PXAT 100000000000000",
	"GETEX str PERSIST",
	"GETEX ttl EXAT 100000000000",
	"GETRANGE str 0 -1",
	"SETRANGE str 3 abc",
	"INCRBY int 10",
	"INCRBYFLOAT float 1.5",
	"LCS str ttl IDX MINMATCHLEN 1 WITHMATCHLEN",
	"LCS str ttl LEN",
	"MSET str a int 2",
	"BITCOUNT str 0 -1 BIT",
	"BITPOS str 1 0 -1 BYTE",
	"BITOP AND dest str int",
	"SETBIT str 7 1",
	"GETBIT str 7",
	"EXPIRE str 100 NX",
	"PEXPIREAT str 100000000000 GT",
	"COPY str dst DB 1 REPLACE",
	"MOVE str 2",
	"SCAN 0 MATCH * COUNT 10 TYPE string",
	"RENAME str str2",
	"OBJECT ENCODING zset",
	"MEMORY USAGE zset SAMPLES 5",
	"SORT list BY w_* GET # GET h_*->f LIMIT 0 10 DESC ALPHA STORE dst",
	"SORT biglist LIMIT 1 5",
	"SORT_RO zset BY nosort GET #",
	"LPOS biglist 3 RANK -2 COUNT 0 MAXLEN 100",
	"LRANGE biglist 0 -1",
	"LINSERT list BEFORE a x",
	"LSET list -1 x",
	"LTRIM biglist 1 -2",
	"LREM biglist -2 3",
	"LMOVE list dst LEFT RIGHT",
	"BLMOVE list dst RIGHT LEFT 0.01",
	"LMPOP 2 list biglist LEFT COUNT 3",
	"BLMPOP 0.01 2 missing list RIGHT COUNT 2",
	"LPOP biglist 5",
	"BLPOP missing list 0.01",
	"HRANDFIELD hash 3 WITHVALUES",
	"HSCAN hash 0 MATCH f* COUNT 2",
	"HINCRBYFLOAT hash f3 2.5",
	"HINCRBY hash f2 5",
	"SRANDMEMBER set -3",
	"SPOP set 2",
	"SSCAN set 0 MATCH * COUNT 100",
	"SINTERCARD 2 set iset LIMIT 1",
	"SMOVE set iset a",
	"ZADD zset NX CH INCR 1 m1",
	"ZADD zset GT CH 1 a 2 b",
	"ZRANGE zset 0 -1 WITHSCORES",
	"ZRANGE zset (1 +inf BYSCORE REV LIMIT 0 10 WITHSCORES",
	"ZRANGE lexz [a (z BYLEX LIMIT 1 3",
	"ZRANGESTORE dst zset 0 10 BYSCORE LIMIT 0 5",
	"ZRANGEBYSCORE zset -inf +inf WITHSCORES LIMIT 0 5",
	"ZREVRANGEBYSCORE zset +inf -inf WITHSCORES LIMIT 1 5",
	"ZRANGEBYLEX lexz - + LIMIT 0 3",
	"ZREVRANGEBYLEX lexz + - LIMIT 0 3",
	"ZREVRANGE zset 0 5 WITHSCORES",
	"ZCOUNT zset (1 10",
	"ZLEXCOUNT lexz [a [c",
	"ZREMRANGEBYRANK zset 0 5",
	"ZREMRANGEBYSCORE zset -inf (0",
	"ZREMRANGEBYLEX lexz [a [c",
	"ZUNIONSTORE dst 2 zset set WEIGHTS 1 2 AGGREGATE MAX",
	"ZINTERSTORE dst 2 zset lexz WEIGHTS 1 inf AGGREGATE SUM",
	"ZDIFFSTORE dst 2 zset lexz",
	"ZUNION 2 zset set WEIGHTS 2 3 AGGREGATE MIN WITHSCORES",
	"ZINTER 2 zset set WITHSCORES",
	"ZDIFF 2 zset lexz WITHSCORES",
	"ZINTERCARD 2 zset set LIMIT 5",
	"ZMPOP 2 missing zset MIN COUNT 3",
	"BZMPOP 0.01 2 missing zset MAX COUNT 2",
	"BZPOPMIN missing zset 0.01",
	"ZPOPMAX zset 3",
	"ZRANDMEMBER zset 5 WITHSCORES",
	"ZINCRBY zset 1.5 m3",
	"ZSCAN zset 0 MATCH m1* COUNT 5",
	"ZRANK zset m5",
	"ZMSCORE zset m1 nope",
	"XADD stream NOMKSTREAM MAXLEN ~ 10 LIMIT 5 * f v",
	"XADD stream MINID = 1-1 3-* f v g w",
	"XTRIM stream MAXLEN = 1",
	"XTRIM stream MINID ~ 2-0 LIMIT 10",
	"XRANGE stream (1-1 + COUNT 2",
	"XREVRANGE stream + (1-1 COUNT 2",
	"XDEL stream 1-1 2-0",
	"XSETID stream 9-9 ENTRIESADDED 10 MAXDELETEDID 1-1",
	"XREAD COUNT 2 BLOCK 10 STREAMS stream missing 0 $",
	"XREADGROUP GROUP g1 c1 COUNT 2 BLOCK 10 NOACK STREAMS stream >",
	"XREADGROUP GROUP g1 c1 STREAMS stream 0",
	"XACK stream g1 1-1 1-2",
	"XPENDING stream g1 IDLE 0 - + 10 c1",
	"XPENDING stream g1",
	"XCLAIM stream g1 c2 0 1-1 1-2 IDLE 5 RETRYCOUNT 3 FORCE JUSTID LASTID 5-0",
	"XCLAIM stream g1 c2 0 2-0 TIME 100",
	"XAUTOCLAIM stream g1 c2 0 - COUNT 5 JUSTID",
	"XGROUP CREATE stream g2 $ MKSTREAM ENTRIESREAD 3",
	"XGROUP SETID stream g1 1-1 ENTRIESREAD 1",
	"XGROUP CREATECONSUMER stream g1 c3",
	"XGROUP DELCONSUMER stream g1 c1",
	"XGROUP DESTROY stream g1",
	"XINFO STREAM stream FULL COUNT 2",
	"XINFO GROUPS stream",
	"XINFO CONSUMERS stream g1",
	"COMMAND GETKEYS XREADGROUP GROUP g c STREAMS a b 0 0",
	"SELECT 1",
	"SWAPDB 0 1",
	"FLUSHDB ASYNC",
	"COMMAND INFO get zadd",
	"COMMAND GETKEYS ZUNIONSTORE dst 2 a b",
	"COMMAND GETKEYS SORT list STORE x",
	"COMMAND GETKEYS LMPOP 2 a b LEFT",
	"COMMAND LIST FILTERBY PATTERN z*",
	"COMMAND DOCS zadd",
}

// crashSeed returns the seed of the random part of the crash test: 1, or
// MYREDIS_SEED when set, to explore other argument lists.
func crashSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(1)
	if env := os.Getenv("MYREDIS_SEED"); env != "" {
		var err error
		if seed, err = strconv.ParseUint(env, 10, 64); err != nil {
			t.Fatalf("MYREDIS_SEED=%q: %v", env, err)
		}
	}
	t.Logf("seed %d (set MYREDIS_SEED to explore others)", seed)
	return seed
}

// randomLines returns n argument lists for the command named by prefix
// ("get", or "object encoding") of arity arity: mostly of a valid length,
// some one argument short or long, each argument a key, an extreme number,
// an odd string or an option word.
func randomLines(rng *rand.Rand, prefix []string, arity, n int) [][]string {
	out := make([][]string, 0, n)
	for range n {
		size := arity
		if arity < 0 {
			size = -arity + rng.IntN(8)
		}
		if rng.IntN(8) == 0 { // violate the arity
			size += rng.IntN(3) - 1
			if size == arity {
				size++
			}
		}
		line := append([]string(nil), prefix...)
		for len(line) < size {
			var pool []string
			switch r := rng.IntN(100); {
			case r < 35:
				pool = fuzzKeys
			case r < 65:
				pool = extremeNumbers
			case r < 85:
				pool = optionWords
			default:
				pool = extremeStrings
			}
			line = append(line, pool[rng.IntN(len(pool))])
		}
		out = append(out, line)
	}
	return out
}

// templateValues are the values templateVariants puts in each place of a
// template: the keys, the extreme numbers and the oddest strings (the
// option words go in the random lines).
var templateValues = func() []string {
	v := append(append([]string(nil), fuzzKeys...), extremeNumbers...)
	return append(v, extremeStrings[:22]...)
}()

// templateVariants returns the lines made from the template line by
// replacing each argument after the command name (and subcommand) with
// every entry of templateValues, then by dropping and by repeating each
// argument.
func templateVariants(line []string, prefixLen int) [][]string {
	var out [][]string
	for i := prefixLen; i < len(line); i++ {
		for _, v := range templateValues {
			l := append([]string(nil), line...)
			l[i] = v
			out = append(out, l)
		}
		dropped := append(append([]string(nil), line[:i]...), line[i+1:]...)
		repeated := append(append([]string(nil), line[:i+1]...), line[i:]...)
		out = append(out, dropped, repeated)
	}
	return out
}

// TestAllCommands runs every command and subcommand of the table, with
// argument lists from the pool of extreme values, against the prepared
// keyspace (every type, a key with a TTL and one past its deadline), in
// RESP2 and RESP3, with a client that never blocks. No command may panic,
// and each must answer exactly one well-formed reply. The keyspace is
// prepared again after every few commands that wrote (preparing costs more
// than most commands), so a line may also meet what the lines before it
// left.
func TestAllCommands(t *testing.T) {
	const writesPerReset = 4
	rng := rand.New(rand.NewPCG(crashSeed(t), 0))
	table := NewTable()
	ks := New(table, 16)
	prepareKeyspace(ks)
	failures, ran, skipped, writes := 0, 0, 0, 0
	// try runs lines in order for one client.
	try := func(proto int, lines ...[]string) {
		cl := &Client{ID: 1, NoBlock: true}
		for _, line := range lines {
			args := toArgs(line)
			if tooCostly(args) {
				skipped++
				continue
			}
			ran++
			dirty := ks.Stats().Dirty.Load()
			_, err := execChecked(ks, cl, args, proto)
			if !assert.NoError(t, err, "%s (RESP%d, in a run of %d lines)", showArgs(line), proto, len(lines)) {
				failures++
				require.Less(t, failures, 20, "too many failures")
				ks = New(table, 16)
				prepareKeyspace(ks)
				return
			}
			if ks.Stats().Dirty.Load() != dirty {
				if writes++; writes == writesPerReset {
					prepareKeyspace(ks)
					writes = 0
				}
			}
		}
	}
	for _, name := range commandLines(table) {
		cmd := table.Get([]byte(name[0]))
		if len(name) == 2 {
			cmd = cmd.subs[name[1]]
		}
		for i, line := range randomLines(rng, name, cmd.Arity, 100) {
			try(2+i%2, line)
			// The keys of the line, as the cluster router and
			// transactions find them.
			try(2, append([]string{"COMMAND", "GETKEYS"}, line...))
			if i%4 == 0 { // queued, then run by EXEC
				try(2+i%2, []string{"MULTI"}, line, []string{"EXEC"})
			}
		}
	}
	for _, tmpl := range commandTemplates {
		line := strings.Split(tmpl, " ")
		prefix := 1
		if cmd := table.Get([]byte(line[0])); cmd != nil && len(cmd.subs) > 0 {
			prefix = 2
		}
		for i, l := range templateVariants(line, prefix) {
			try(2+i%2, l)
		}
	}
	t.Logf("%d command lines run, %d skipped as too costly", ran, skipped)
}

// toArgs converts a command line to the byte slices commands take.
func toArgs(line []string) [][]byte {
	args := make([][]byte, len(line))
	for i, a := range line {
		args[i] = []byte(a)
	}
	return args
}
