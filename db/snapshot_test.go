package db

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// keyState describes a key by its type, content and whether it has a TTL,
// through commands, so two keyspaces can be compared.
func keyState(ks *Keyspace, cl *Client, key string) string {
	typ := run(ks, cl, []string{"TYPE", key})
	var content string
	switch typ {
	case "+string\r\n":
		content = run(ks, cl, []string{"GET", key})
	case "+list\r\n":
		content = run(ks, cl, []string{"LRANGE", key, "0", "-1"})
	case "+hash\r\n":
		content = sortedReply(run(ks, cl, []string{"HGETALL", key}))
	case "+set\r\n":
		content = sortedReply(run(ks, cl, []string{"SMEMBERS", key}))
	case "+zset\r\n":
		content = run(ks, cl, []string{"ZRANGE", key, "0", "-1", "WITHSCORES"})
	}
	ttl := run(ks, cl, []string{"PEXPIRETIME", key})
	return typ + content + ttl
}

// sortedReply sorts a reply's lines so unordered collections compare.
func sortedReply(r string) string {
	lines := strings.Split(r, "\r\n")
	slices.Sort(lines)
	return strings.Join(lines, "|")
}

// TestSnapshotIsPointInTime takes a snapshot while writers hammer INCR and
// RPUSH; replaying the snapshot and then the writes logged after its
// rotation must give exactly the live dataset, no write lost or doubled.
func TestSnapshotIsPointInTime(t *testing.T) {
	ks := New(NewTable(), 16)
	setup := &Client{}
	var keys []string
	for i := range 300 {
		k := fmt.Sprintf("k%d", i)
		keys = append(keys, k)
		switch i % 6 {
		case 0:
			run(ks, setup, []string{"SET", k, "v" + k})
		case 1:
			run(ks, setup, []string{"RPUSH", k, "a", "b", "c"})
		case 2:
			run(ks, setup, []string{"HSET", k, "f1", "1", "f2", "2"})
		case 3:
			run(ks, setup, []string{"SADD", k, "x", "y", "7"})
		case 4:
			run(ks, setup, []string{"ZADD", k, "1.5", "m1", "-inf", "m2"})
		case 5:
			run(ks, setup, []string{"SET", k, "ttl", "EX", "1000"})
		}
	}
	big := make([]string, 0, 202)
	big = append(big, "RPUSH", "big")
	for i := range 200 {
		big = append(big, fmt.Sprint(i))
	}
	run(ks, setup, big)
	keys = append(keys, "big")

	var mu sync.Mutex
	var base, incr [][]string
	rotated := false
	record := func(dst *[][]string, args [][]byte) {
		line := make([]string, len(args))
		for i, a := range args {
			line[i] = string(a)
		}
		*dst = append(*dst, line)
	}
	ks.OnWrite(func(db int, args [][]byte) uint64 {
		mu.Lock()
		defer mu.Unlock()
		if rotated {
			record(&incr, args)
		}
		return 0
	})

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &Client{ID: int64(100 + g)}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := keys[(i*7+g)%60*5%len(keys)]
				run(ks, cl, []string{"INCR", fmt.Sprintf("counter%d", i%10)})
				run(ks, cl, []string{"RPUSH", "log" + fmt.Sprint(g), fmt.Sprint(i)})
				run(ks, cl, []string{"APPEND", k + "s", "x"})
			}
		}()
	}
	err := ks.Snapshot(func() {
		mu.Lock()
		rotated = true
		mu.Unlock()
	}, func(db int, args [][]byte) {
		if db != 0 {
			t.Errorf("emit for db %d", db)
		}
		mu.Lock()
		defer mu.Unlock()
		record(&base, args)
	})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range base {
		if cmd[0] == "RPUSH" && len(cmd) > 2+rewriteChunk {
			t.Errorf("a rewritten command has %d elements, more than %d", len(cmd)-2, rewriteChunk)
		}
	}

	t.Logf("snapshot: %d commands; logged after the rotation: %d", len(base), len(incr))
	replayed := New(NewTable(), 16)
	cl := &Client{}
	for _, cmd := range append(base, incr...) {
		if out := run(replayed, cl, cmd); strings.HasPrefix(out, "-") {
			t.Fatalf("replaying %q: %s", cmd, out)
		}
	}
	all := append([]string(nil), keys...)
	for i := range 10 {
		all = append(all, fmt.Sprintf("counter%d", i))
	}
	for g := range 4 {
		all = append(all, fmt.Sprint("log", g))
	}
	for _, k := range keys {
		all = append(all, k+"s")
	}
	live := &Client{}
	for _, k := range all {
		if got, want := keyState(replayed, cl, k), keyState(ks, live, k); got != want {
			t.Errorf("key %s: replayed %q, live %q", k, got, want)
		}
	}
	if got, want := run(replayed, cl, []string{"DBSIZE"}), run(ks, live, []string{"DBSIZE"}); got != want {
		t.Errorf("DBSIZE replayed %s, live %s", got, want)
	}
}
