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

// Rewrite emits RPUSH commands that rebuild the list, front to back.
func (l *listValue) Rewrite(key []byte, emit func(args ...[]byte)) {
	emitChunks(rpushName, key, 1, func(add func(items ...[]byte)) {
		for cur := l.Seek(0); cur.Valid(); cur.Next() {
			add([]byte(cur.Value()))
		}
	}, emit)
}

// Rewrite emits HSET commands that rebuild the hash.
func (h *hashValue) Rewrite(key []byte, emit func(args ...[]byte)) {
	emitChunks(hsetName, key, 2, func(add func(items ...[]byte)) {
		h.forEach(func(p hashPair) bool {
			add(p.field, p.value)
			return true
		})
	}, emit)
}

// Rewrite emits SADD commands that rebuild the set.
func (s *setValue) Rewrite(key []byte, emit func(args ...[]byte)) {
	emitChunks(saddName, key, 1, func(add func(items ...[]byte)) {
		s.ForEach(func(m []byte) bool {
			add(append([]byte(nil), m...))
			return true
		})
	}, emit)
}

// Rewrite emits ZADD commands that rebuild the sorted set. Scores are
// written with 17 significant digits, which read back exactly.
func (s *sortedSet) Rewrite(key []byte, emit func(args ...[]byte)) {
	emitChunks(zaddName, key, 2, func(add func(items ...[]byte)) {
		for n := s.First(); n != nil; n = n.Next() {
			add(resp.FormatDouble(nil, n.Score), []byte(n.Member))
		}
	}, emit)
}
