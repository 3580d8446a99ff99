package scripting

import (
	"io"
	"runtime"
	"strconv"
	"testing"

	"myredis/db"
	"myredis/resp"
)

// The seckill script of issue #14: check the stock, check the buyer,
// decrement, record the buyer.
const seckillScript = `
local stock = tonumber(redis.call('GET', KEYS[1]) or '0')
if stock <= 0 then return 0 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return -1 end
redis.call('DECR', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
return 1`

// caller runs command lines for one client with reused buffers, as a
// session does, so that the benchmarks measure the engine.
type caller struct {
	ks   *db.Keyspace
	cl   *db.Client
	w    *resp.Writer
	args [][]byte
}

func newCaller(ks *db.Keyspace, id int64) *caller {
	return &caller{ks: ks, cl: &db.Client{ID: id}, w: resp.NewWriter(io.Discard)}
}

func (c *caller) do(args ...[]byte) {
	cmd, _ := c.ks.Table().Lookup(args)
	c.ks.Exec(c.cl, cmd, args, c.w)
	c.w.Reset(io.Discard)
}

func bytesOf(words ...string) [][]byte {
	out := make([][]byte, len(words))
	for i, w := range words {
		out[i] = []byte(w)
	}
	return out
}

func BenchmarkEvalshaReturn1(b *testing.B) {
	ks, _ := newTestEngine(b, Options{})
	c := newCaller(ks, 1)
	c.do(bytesOf("SCRIPT", "LOAD", "return 1")...)
	args := bytesOf("EVALSHA", sha1Hex([]byte("return 1")), "0")
	b.ReportAllocs()
	for b.Loop() {
		c.do(args...)
	}
}

func BenchmarkEvalshaSeckill(b *testing.B) {
	ks, _ := newTestEngine(b, Options{})
	c := newCaller(ks, 1)
	c.do(bytesOf("SET", "stock", "1000000000")...)
	c.do(bytesOf("SCRIPT", "LOAD", seckillScript)...)
	sha := sha1Hex([]byte(seckillScript))
	args := bytesOf("EVALSHA", sha, "2", "stock", "buyers", "")
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		args[5] = strconv.AppendInt(args[5][:0], int64(i%100000), 10)
		c.do(args...)
		i++
	}
}

func BenchmarkFcallSeckill(b *testing.B) {
	ks, _ := newTestEngine(b, Options{})
	c := newCaller(ks, 1)
	c.do(bytesOf("SET", "stock", "1000000000")...)
	c.do(bytesOf("FUNCTION", "LOAD", "#!lua name=seckill\nredis.register_function('buy', function(KEYS, ARGV)"+seckillScript+"\nend)")...)
	args := bytesOf("FCALL", "buy", "2", "stock", "buyers", "")
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		args[5] = strconv.AppendInt(args[5][:0], int64(i%100000), 10)
		c.do(args...)
		i++
	}
}

// BenchmarkEvalshaParallel runs the seckill script from many clients at
// once, each on its own keys (declared mode, concurrently).
func BenchmarkEvalshaParallel(b *testing.B) {
	ks, _ := newTestEngine(b, Options{})
	setup := newCaller(ks, 1)
	setup.do(bytesOf("SCRIPT", "LOAD", seckillScript)...)
	sha := sha1Hex([]byte(seckillScript))
	var id int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		id++
		n := strconv.FormatInt(id, 10)
		c := newCaller(ks, id+1)
		c.do(bytesOf("SET", "stock{"+n+"}", "1000000000")...)
		args := bytesOf("EVALSHA", sha, "2", "stock{"+n+"}", "buyers{"+n+"}", "")
		i := 0
		for pb.Next() {
			args[5] = strconv.AppendInt(args[5][:0], int64(i%1000), 10)
			c.do(args...)
			i++
		}
	})
}

// TestNoHeapGrowth calls a script many times and checks that the live
// heap does not grow with the calls: every call's garbage is collectable
// and the pool keeps one state.
func TestNoHeapGrowth(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	ks, e := newTestEngine(t, Options{})
	c := newCaller(ks, 1)
	c.do(bytesOf("SET", "stock", "1000000000")...)
	c.do(bytesOf("SCRIPT", "LOAD", seckillScript)...)
	args := bytesOf("EVALSHA", sha1Hex([]byte(seckillScript)), "2", "stock", "buyers", "u")
	live := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for range 2000 { // warm up: the pool, the buffers, the buyers set
		c.do(args...)
	}
	before := live()
	for range 50000 {
		c.do(args...)
	}
	after := live()
	if after > before+256<<10 {
		t.Errorf("the heap grew from %d to %d bytes over 50000 calls", before, after)
	}
	if n := e.pool.size(); n != 1 {
		t.Errorf("%d states for calls made one at a time", n)
	}
}
