package main

import (
	"fmt"
	"testing"

	"myredis/resp"
)

// BenchmarkServerPipelinedGet measures GET over loopback in batches of 16,
// as redis-benchmark -P 16 sends them, on 4 generators of a fake store.
func BenchmarkServerPipelinedGet(b *testing.B) {
	c := dialTest(b, startTestServer(b, newFakeStore()))
	var batch []byte
	for i := range 16 {
		batch = resp.AppendCommand(batch, [][]byte{[]byte("GET"), fmt.Appendf(nil, "key:%d", i%4)})
	}
	for i := range 4 {
		c.do("SET", fmt.Sprintf("key:%d", i), "0")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += 16 {
		c.send(string(batch))
		for range 16 {
			c.read()
		}
	}
}
