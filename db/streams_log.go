package db

import (
	"strconv"
	"sync"

	"myredis/datastruct/stream"
)

// The words streams are logged with.
var (
	xaddName        = []byte("XADD")
	xsetidName      = []byte("XSETID")
	xclaimName      = []byte("XCLAIM")
	xgroupName      = []byte("XGROUP")
	createName      = []byte("CREATE")
	createConsName  = []byte("CREATECONSUMER")
	setidName       = []byte("SETID")
	equalsWord      = []byte("=")
	zeroWord        = []byte("0")
	timeWord        = []byte("TIME")
	retryCountWord  = []byte("RETRYCOUNT")
	forceWord       = []byte("FORCE")
	justIDWord      = []byte("JUSTID")
	lastIDWord      = []byte("LASTID")
	entriesReadWord = []byte("ENTRIESREAD")
)

// logArgs builds the arguments of the writes a stream command logs in
// another form than it was sent (XADD with the ID it added, XREADGROUP's
// XCLAIMs), so that logging them allocates nothing once it has grown: the
// write hooks see a write's arguments only during the call (see
// Keyspace.OnWrite), and the writes a command holds back (beginWrites) are
// handed on by endWrites before its Run returns. So a command takes one
// with getLogArgs and releases it once its writes are handed on, and a
// write's arguments stay valid until then. Not safe for concurrent use.
type logArgs struct {
	text []byte   // the bytes of the arguments made here
	args [][]byte // the writes' arguments, one write after the other
	mark int      // where the write being built starts in args
	// The last ID and number made, made again for nothing: XREADGROUP
	// logs each entry's ID as the group's last ID too, and the same
	// delivery time for every entry.
	lastID     stream.ID
	lastIDText []byte
	lastInt    int64
	lastIntTxt []byte
}

var logArgsPool = sync.Pool{New: func() any { return new(logArgs) }}

// maxPooledLogArgs is the most argument slots a released logArgs may hold
// to go back to the pool: a huge batch's buffers are left to the collector.
const maxPooledLogArgs = 1 << 14

// getLogArgs returns an empty logArgs; release it when its writes have been
// handed on.
func getLogArgs() *logArgs { return logArgsPool.Get().(*logArgs) }

// release empties l and gives it back: every write built in it is invalid
// from then on.
func (l *logArgs) release() {
	if cap(l.args) > maxPooledLogArgs || cap(l.text) > 16*maxPooledLogArgs {
		return
	}
	clear(l.args) // holds no command's arguments while pooled
	*l = logArgs{text: l.text[:0], args: l.args[:0]}
	logArgsPool.Put(l)
}

// begin starts a new write.
func (l *logArgs) begin() { l.mark = len(l.args) }

// add appends arguments to the write being built. Those not made by l
// must stay unchanged until l is released.
func (l *logArgs) add(args ...[]byte) { l.args = append(l.args, args...) }

// write returns the write being built. Its arguments may be replaced.
func (l *logArgs) write() [][]byte { return l.args[l.mark:len(l.args):len(l.args)] }

// made returns the text from start on, as an argument.
func (l *logArgs) made(start int) []byte { return l.text[start:len(l.text):len(l.text)] }

// idText returns id as an argument ("ms-seq").
func (l *logArgs) idText(id stream.ID) []byte {
	if l.lastIDText == nil || id != l.lastID {
		start := len(l.text)
		l.text = id.Append(l.text)
		l.lastID, l.lastIDText = id, l.made(start)
	}
	return l.lastIDText
}

// intText returns n as an argument.
func (l *logArgs) intText(n int64) []byte {
	if l.lastIntTxt == nil || n != l.lastInt {
		start := len(l.text)
		l.text = strconv.AppendInt(l.text, n, 10)
		l.lastInt, l.lastIntTxt = n, l.made(start)
	}
	return l.lastIntTxt
}

// uintText returns n as an argument.
func (l *logArgs) uintText(n uint64) []byte {
	start := len(l.text)
	l.text = strconv.AppendUint(l.text, n, 10)
	return l.made(start)
}

// strText returns s as an argument.
func (l *logArgs) strText(s string) []byte {
	start := len(l.text)
	l.text = append(l.text, s...)
	return l.made(start)
}
