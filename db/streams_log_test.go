package db

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"myredis/datastruct/stream"
)

// TestLogArgs: the writes built in one logArgs keep their arguments while
// more are built after them (its text regrowing many times over), and a
// released one starts empty.
func TestLogArgs(t *testing.T) {
	l := getLogArgs()
	var writes [][][]byte
	var want []string
	for i := range 500 {
		l.begin()
		id := stream.ID{Ms: uint64(i), Seq: 7}
		l.add(xclaimName, l.idText(id), l.intText(int64(i)), l.uintText(uint64(i)), l.strText("c"), l.idText(id))
		w := l.write()
		if i%2 == 0 {
			w[2] = l.intText(-1) // replaced, as a trim's threshold is
		}
		writes = append(writes, w)
		n := strconv.Itoa(i)
		if i%2 == 0 {
			want = append(want, "XCLAIM "+n+"-7 -1 "+n+" c "+n+"-7")
		} else {
			want = append(want, "XCLAIM "+n+"-7 "+n+" "+n+" c "+n+"-7")
		}
	}
	for i, w := range writes {
		assert.Equal(t, want[i], string(bytes.Join(w, []byte(" "))))
	}
	l.release()
	l = getLogArgs()
	assert.Empty(t, l.write())
	l.release()
}
