package db

import (
	"bytes"
	"io"
	"strconv"
	"testing"

	"myredis/resp"
)

// The stream benchmarks of issue #15 inside one process: allocations per
// command are what `make bench-stream` cannot show.

func BenchmarkXAdd(b *testing.B) { benchExec(b, nil, "XADD", "s", "*", "f", "v") }

func BenchmarkXAddMaxLen(b *testing.B) {
	benchExec(b, nil, "XADD", "s", "MAXLEN", "~", "1000", "*", "f", "v")
}

func BenchmarkXRange100(b *testing.B) {
	ks := New(NewTable(), 16)
	cl := &Client{}
	for i := 1; i <= 1000; i++ {
		run(ks, cl, []string{"XADD", "s", strconv.Itoa(i) + "-1", "f", "v"})
	}
	benchLoop(b, ks, cl, "XRANGE", "s", "-", "+", "COUNT", "100")
}

// BenchmarkXReadGroupAck is the consumer loop of BenchmarkStreamConsumers
// per message: 100 XADDs, an XREADGROUP COUNT 100 of them and one XACK of
// their IDs.
func BenchmarkXReadGroupAck(b *testing.B) {
	const batch = 100
	ks := New(NewTable(), 16)
	cl := &Client{}
	run(ks, cl, []string{"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"})
	add := [][]byte{[]byte("XADD"), []byte("s"), nil, []byte("f"), []byte("v")}
	read := [][]byte{[]byte("XREADGROUP"), []byte("GROUP"), []byte("g"), []byte("c"), []byte("COUNT"),
		[]byte(strconv.Itoa(batch)), []byte("STREAMS"), []byte("s"), []byte(">")}
	ack := [][]byte{[]byte("XACK"), []byte("s"), []byte("g")}
	for range batch {
		ack = append(ack, nil)
	}
	addCmd, _ := ks.Table().Lookup(add)
	readCmd, _ := ks.Table().Lookup(read)
	ackCmd, _ := ks.Table().Lookup(ack)
	var reply bytes.Buffer
	w := resp.NewWriter(&reply)
	var seq uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		for j := range batch {
			seq++
			add[2] = strconv.AppendUint(append(add[2][:0], "1-"...), seq, 10)
			ack[3+j] = strconv.AppendUint(append(ack[3+j][:0], "1-"...), seq, 10)
			ks.Exec(cl, addCmd, add, w)
		}
		ks.Exec(cl, readCmd, read, w)
		ks.Exec(cl, ackCmd, ack, w)
		w.Flush()
		if !bytes.HasSuffix(reply.Bytes(), []byte(":"+strconv.Itoa(batch)+"\r\n")) {
			b.Fatalf("XACK: %q", reply.Bytes()[max(reply.Len()-20, 0):])
		}
		reply.Reset()
	}
}

// benchLoop runs cmd b.N times on ks, already set up.
func benchLoop(b *testing.B, ks *Keyspace, cl *Client, cmd ...string) {
	args := make([][]byte, len(cmd))
	for i, a := range cmd {
		args[i] = []byte(a)
	}
	c, errMsg := ks.Table().Lookup(args)
	if c == nil {
		b.Fatal(errMsg)
	}
	w := resp.NewWriter(io.Discard)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ks.Exec(cl, c, args, w)
		if w.Buffered() > 1<<16 {
			w.Flush()
		}
	}
}
