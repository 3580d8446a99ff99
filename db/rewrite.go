package db

import (
	"myredis/resp"
)

// The commands a rewritten collection is rebuilt with.
var (
	rpushName = []byte("RPUSH")
	saddName  = []byte("SADD")
	zaddName  = []byte("ZADD")
)

// Rewrite adds RPUSH commands that rebuild the list, front to back.
func (l *listValue) Rewrite(cw *chunkWriter) {
	cw.Begin(rpushName, 1)
	for cur := l.Seek(0); cur.Valid(); cur.Next() {
		cw.AddString(cur.Value())
	}
	cw.Flush()
}

// Rewrite adds HSET commands that rebuild the hash.
func (h *hashValue) Rewrite(cw *chunkWriter) {
	cw.Begin(hsetName, 2)
	h.forEach(func(p hashPair) bool {
		cw.Add(p.field)
		cw.Add(p.value)
		return true
	})
	cw.Flush()
}

// Rewrite adds SADD commands that rebuild the set.
func (s *setValue) Rewrite(cw *chunkWriter) {
	cw.Begin(saddName, 1)
	s.ForEach(func(m []byte) bool {
		cw.Add(m)
		return true
	})
	cw.Flush()
}

// Rewrite adds ZADD commands that rebuild the sorted set. Scores are
// written with 17 significant digits, which read back exactly.
func (s *sortedSet) Rewrite(cw *chunkWriter) {
	cw.Begin(zaddName, 2)
	var num []byte
	for n := s.First(); n != nil; n = n.Next() {
		num = resp.FormatDouble(num[:0], n.Score)
		cw.Add(num)
		cw.AddString(n.Member)
	}
	cw.Flush()
}
