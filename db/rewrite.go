package db

import (
	"strconv"

	"myredis/datastruct/stream"
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

// Rewrite adds the commands that rebuild the stream as Redis's
// rewriteStreamObject writes them: an XADD per entry (an empty stream is
// made by XADD MAXLEN 0 of an entry 0-1), XSETID with the last ID and the
// counters, then per group XGROUP CREATE with ENTRIESREAD, an XCLAIM per
// pending entry and XGROUP CREATECONSUMER for consumers with none.
func (s *streamValue) Rewrite(cw *chunkWriter) {
	var num []byte
	if s.Len() == 0 {
		cw.emit(xaddName, cw.key, []byte("MAXLEN"), []byte("0"), []byte("0-1"), []byte("x"), []byte("y"))
	}
	s.Range(stream.MinID, stream.MaxID, false, func(id stream.ID, fv [][]byte) bool {
		num = id.Append(num[:0])
		cw.emit(append([][]byte{xaddName, cw.key, num}, fv...)...)
		return true
	})
	cw.emit(xsetidName, cw.key, s.LastID.Append(nil), []byte("ENTRIESADDED"),
		strconv.AppendUint(nil, s.EntriesAdded, 10), []byte("MAXDELETEDID"), s.MaxDeletedID.Append(nil))
	s.ForEachGroup(func(name string, g *stream.Group) {
		group := []byte(name)
		cw.emit(xgroupName, createName, cw.key, group, g.LastID.Append(nil),
			[]byte("ENTRIESREAD"), strconv.AppendInt(nil, g.EntriesRead, 10))
		g.ForEachConsumer(func(cons *stream.Consumer) {
			consName := []byte(cons.Name)
			if cons.PendingCount() == 0 {
				cw.emit(xgroupName, createConsName, cw.key, group, consName)
				return
			}
			cons.PendingRange(stream.MinID, stream.MaxID, func(id stream.ID, p *stream.Pending) bool {
				cw.emit(xclaimName, cw.key, group, consName, []byte("0"), id.Append(nil),
					[]byte("TIME"), strconv.AppendInt(nil, p.DeliveryTime, 10),
					[]byte("RETRYCOUNT"), strconv.AppendUint(nil, p.DeliveryCount, 10),
					[]byte("JUSTID"), []byte("FORCE"))
				return true
			})
		})
	})
}
