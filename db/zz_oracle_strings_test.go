package db

import (
	"bufio"
	"net"
	"os"
	"testing"

	"myredis/resp"
)

// Temporary: compares the case tables with a real Redis at ORACLE_ADDR.
func TestOracleStrings(t *testing.T) {
	addr := os.Getenv("ORACLE_ADDR")
	if addr == "" {
		t.Skip()
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	bw := bufio.NewWriter(conn)
	rd := resp.NewReader(conn)
	do := func(cmd []string) string {
		args := make([][]byte, len(cmd))
		for i, a := range cmd {
			args[i] = []byte(a)
		}
		bw.Write(resp.AppendCommand(nil, args))
		bw.Flush()
		r, err := rd.ReadReply()
		if err != nil {
			t.Fatal(err)
		}
		return string(r)
	}
	all := append(append([]cmdCase(nil), stringCases...), oracleExtra...)
	for _, tc := range all {
		do([]string{"FLUSHALL"})
		do([]string{"RPUSH", "list", "x"})
		var got string
		for _, c := range tc.cmds {
			got += do(c)
		}
		if got != tc.want {
			t.Errorf("%s:\noracle %q\n  want %q", tc.name, got, tc.want)
		}
	}
}
