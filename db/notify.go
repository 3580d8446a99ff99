package db

import (
	"strconv"
	"strings"
	"sync/atomic"
)

// EventClass is a class of keyspace events, one of the letters of
// notify-keyspace-events.
type EventClass uint16

// The event classes, named by their letters in notify-keyspace-events.
const (
	EventGeneric  EventClass = 1 << iota // g: DEL, EXPIRE, RENAME, ...
	EventString                          // $
	EventList                            // l
	EventSet                             // s
	EventHash                            // h
	EventZSet                            // z
	EventExpired                         // x
	EventEvicted                         // e
	EventNew                             // n: a key is created
	EventKeyspace                        // K: publish on __keyspace@<db>__:<key>
	EventKeyevent                        // E: publish on __keyevent@<db>__:<event>
	EventStream                          // t
)

var eventLetters = map[byte]EventClass{
	'g': EventGeneric, '$': EventString, 'l': EventList, 's': EventSet, 'h': EventHash,
	'z': EventZSet, 'x': EventExpired, 'e': EventEvicted, 'n': EventNew,
	'K': EventKeyspace, 'E': EventKeyevent, 't': EventStream,
}

// ParseEventClasses turns notify-keyspace-events letters into classes; "A"
// stands for "g$lshzxet".
func ParseEventClasses(letters string) EventClass {
	letters = strings.ReplaceAll(letters, "A", "g$lshzxet")
	var c EventClass
	for i := 0; i < len(letters); i++ {
		c |= eventLetters[letters[i]]
	}
	return c
}

// notifier holds the enabled classes and where events go.
type notifier struct {
	classes atomic.Uint32
	publish func(channel, message []byte)
}

// SetNotifications enables the event classes (see ParseEventClasses); the
// server calls it at start and when CONFIG SET changes the setting.
func (ks *Keyspace) SetNotifications(classes EventClass) {
	ks.notify.classes.Store(uint32(classes))
}

// OnNotify sets where keyspace events are published; set before serving.
func (ks *Keyspace) OnNotify(publish func(channel, message []byte)) {
	ks.notify.publish = publish
}

// Notify fires a keyspace event for key in c.DB, as Redis's
// notifyKeyspaceEvent does: on __keyspace@<db>__:<key> with the event as
// message, and on __keyevent@<db>__:<event> with the key as message, each
// when enabled. It costs an atomic load when notifications are off.
func (c *Ctx) Notify(class EventClass, event string, key []byte) {
	c.ks.fire(c.DB.index, class, event, key)
}

func (ks *Keyspace) fire(db int, class EventClass, event string, key []byte) {
	enabled := EventClass(ks.notify.classes.Load())
	if enabled&class == 0 || enabled&(EventKeyspace|EventKeyevent) == 0 || ks.notify.publish == nil || ks.loading.Load() {
		return
	}
	if enabled&EventKeyspace != 0 {
		ch := append([]byte("__keyspace@"), strconv.Itoa(db)...)
		ch = append(append(ch, "__:"...), key...)
		ks.notify.publish(ch, []byte(event))
	}
	if enabled&EventKeyevent != 0 {
		ch := append([]byte("__keyevent@"), strconv.Itoa(db)...)
		ch = append(append(ch, "__:"...), event...)
		ks.notify.publish(ch, key)
	}
}
