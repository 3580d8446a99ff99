package aof

import (
	"bytes"
	"strconv"
	"testing"

	"myredis/resp"
)

// BenchmarkReplay replays 1M SET commands through a no-op exec and reports
// commands per second (target: at least 1,000,000).
func BenchmarkReplay(b *testing.B) {
	const n = 1_000_000
	var data []byte
	for i := range n {
		data = resp.AppendCommand(data, [][]byte{[]byte("SET"), []byte("key:" + strconv.Itoa(i)), []byte("value-" + strconv.Itoa(i))})
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		cmds, err := Replay(bytes.NewReader(data), func([][]byte) error { return nil })
		if err != nil || cmds != n {
			b.Fatal(cmds, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}

// BenchmarkAppend measures Append from parallel goroutines, the hot path
// under the keyspace's locks (no writer running: it measures the buffer).
func BenchmarkAppend(b *testing.B) {
	a, err := Open(Options{Dir: b.TempDir(), Fsync: FsyncNo})
	if err != nil {
		b.Fatal(err)
	}
	cmd := [][]byte{[]byte("SET"), []byte("key:000000001"), []byte("value-000000001")}
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			a.Append(0, cmd)
			if i%1024 == 0 {
				a.mu.Lock()
				a.buf = a.buf[:0] // stand in for the writer taking the buffer
				a.mu.Unlock()
			}
		}
	})
}

// BenchmarkAppendDurable measures Append+WaitDurable from parallel
// goroutines with the real writer, under each fsync policy.
func BenchmarkAppendDurable(b *testing.B) {
	for _, policy := range []string{FsyncAlways, FsyncEverysec, FsyncNo} {
		b.Run(policy, func(b *testing.B) {
			a, err := Open(Options{Dir: b.TempDir(), Fsync: policy})
			if err != nil {
				b.Fatal(err)
			}
			if err := a.Start(); err != nil {
				b.Fatal(err)
			}
			cmd := [][]byte{[]byte("SET"), []byte("key:000000001"), []byte("value-000000001")}
			b.SetParallelism(50)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := a.WaitDurable(a.Append(0, cmd)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			a.Close()
		})
	}
}
