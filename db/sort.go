package db

import (
	"bytes"
	"cmp"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// errSortScore is SORT's reply when an element (or its BY value) is not a
// number and ALPHA was not given.
const errSortScore = "ERR One or more scores can't be converted into double"

// registerSort adds SORT and SORT_RO.
//
// Locking: with a BY or GET pattern, SORT reads keys it cannot name before
// it has seen the elements, so both commands have FlagOwnLocks and lock for
// themselves once the arguments are parsed: every shard of the database
// when a pattern may read keys, only the sorted key and the destination
// otherwise. Either way the locks are taken at once in the global order and
// held for the whole command, so the result is consistent and there is no
// lock-order deadlock. (Inside MULTI, FlagOwnLocks makes EXEC take the
// keyspace exclusively.)
func registerSort(t *Table) {
	t.Register(&Command{Name: "sort", Arity: -2, Flags: FlagWrite | FlagDenyOOM | FlagOwnLocks,
		Group: "generic", Since: "1.0.0",
		Summary: "Sorts the elements of a list, set or sorted set, optionally storing the result.",
		Run:     func(c *Ctx) { sortCmd(c, false) }})
	t.Register(&Command{Name: "sort_ro", Arity: -2, Flags: FlagReadonly | FlagOwnLocks,
		Group: "generic", Since: "7.0.0",
		Summary: "Sorts the elements of a list, set or sorted set (read-only SORT).",
		Run:     func(c *Ctx) { sortCmd(c, true) }})
}

// sortOptions are SORT's parsed arguments.
type sortOptions struct {
	by     []byte // BY pattern with a '*'; nil sorts by the elements
	noSort bool   // BY pattern without '*': keep the collection's order
	gets   [][]byte
	desc   bool
	alpha  bool
	offset int64 // LIMIT offset; negative counts as 0
	count  int64 // LIMIT count; negative means all
	store  []byte
	// erange: Redis's errno is ERANGE when its numeric sort starts (see
	// sortCmd), so every value it reads as text fails to convert.
	erange bool
	// setOrder: the elements come from a set, in no meaningful order, so
	// ties between equal BY values are broken by the elements.
	setOrder bool
	keyBuf   []byte // scratch space for the keys patterns name
}

// parseSort parses SORT's options (from args[2]) with Redis's rules: an
// option may repeat (the last wins, GETs accumulate) and STORE is a syntax
// error in SORT_RO. It writes the error and returns false on failure.
func (c *Ctx) parseSort(readonly bool) (o sortOptions, ok bool) {
	o.count = -1
	args := c.Args
	for i := 2; i < len(args); i++ {
		left := len(args) - i - 1
		switch a := args[i]; {
		case EqualFold(a, "asc"):
			o.desc = false
		case EqualFold(a, "desc"):
			o.desc = true
		case EqualFold(a, "alpha"):
			o.alpha = true
		case EqualFold(a, "limit") && left >= 2:
			if o.offset, ok = c.IntArg(i + 1); !ok {
				return o, false
			}
			if o.count, ok = c.IntArg(i + 2); !ok {
				return o, false
			}
			i += 2
		case EqualFold(a, "store") && left >= 1 && !readonly:
			o.store = args[i+1]
			i++
		case EqualFold(a, "by") && left >= 1:
			o.by = args[i+1]
			o.noSort = bytes.IndexByte(o.by, '*') < 0
			i++
		case EqualFold(a, "get") && left >= 1:
			o.gets = append(o.gets, args[i+1])
			i++
		default:
			c.W.WriteError(ErrSyntax)
			return o, false
		}
	}
	if o.noSort {
		o.by = nil
	}
	return o, true
}

// lockSort locks what the command will touch (see registerSort) and
// returns the function that unlocks it. Only a pattern with a '*' reads
// other keys ("#" is the element itself).
func (c *Ctx) lockSort(o *sortOptions) (unlock func()) {
	readsOthers := o.by != nil
	for _, g := range o.gets {
		readsOthers = readsOthers || bytes.IndexByte(g, '*') >= 0
	}
	if readsOthers {
		return lockAll(c.DB)
	}
	keys := [][]byte{c.Args[1]}
	if o.store != nil {
		keys = append(keys, o.store)
	}
	shards := c.DB.keys.LockKeys(keys, nil)
	return func() { c.DB.keys.UnlockShards(shards) }
}

// sortItem is one element being sorted and the value it is sorted by.
type sortItem struct {
	elem  string
	score float64 // numeric sort
	by    []byte  // ALPHA with BY: the looked-up value
	found bool    // ALPHA with BY: whether the lookup found a value
}

// sortCmd serves SORT and SORT_RO (readonly).
func sortCmd(c *Ctx, readonly bool) {
	o, ok := c.parseSort(readonly)
	if !ok {
		return
	}
	unlock := c.lockSort(&o)
	defer unlock()

	var src Collection // nil for a missing key
	if e := c.LookupRead(c.Args[1]); e != nil {
		switch v := e.Value.Obj().(type) {
		case *listValue, *setValue:
		case *sortedSet:
			// Redis converts a sorted set it sorts, for good. Reading a
			// listpack's subnormal score back sets errno to ERANGE, which
			// Redis's numeric sort, reading errno without clearing it,
			// then takes for its own conversion failing.
			o.erange = v.IsListpack() && hasSubnormalScore(v)
			// SORT locks for itself, so it accounts for the conversion.
			c.DB.forget(e)
			v.Convert()
			c.DB.account(e)
		default:
			c.W.WriteError(ErrWrongType)
			return
		}
		src = e.Value.Obj()
	}
	// Storing a set in its own (arbitrary) order would not replay the same
	// way, so Redis sorts it as strings instead.
	if _, isSet := src.(*setValue); isSet && o.noSort && o.store != nil {
		o.noSort, o.alpha = false, true
	}
	items, lo, hi := o.load(src)
	if !o.noSort {
		if !c.scoreItems(&o, items) {
			c.W.WriteError(errSortScore)
			return
		}
		slices.SortStableFunc(items, o.compare)
	}
	items = items[lo:hi]
	if o.store == nil {
		c.writeSorted(&o, items)
		return
	}
	c.storeSorted(&o, items)
}

// load returns the elements of src (none if src is nil) and the bounds,
// after sorting, of the part LIMIT selects. With BY nosort a list or sorted
// set yields only that part, already in order (from the end with DESC).
func (o *sortOptions) load(src Collection) (items []sortItem, lo, hi int) {
	if src == nil {
		return nil, 0, 0
	}
	n := src.Len()
	lo, hi = o.limit(n)
	switch v := src.(type) {
	case *listValue:
		if o.noSort {
			return listPart(v, lo, hi, o.desc), 0, hi - lo
		}
		items = make([]sortItem, 0, n)
		if n > 0 {
			for cur := v.Seek(0); cur.Valid(); cur.Next() {
				items = append(items, sortItem{elem: cur.Value()})
			}
		}
	case *setValue:
		o.setOrder = true
		items = make([]sortItem, 0, n)
		v.ForEach(func(m []byte) bool {
			items = append(items, sortItem{elem: string(m)})
			return true
		})
	case *sortedSet:
		if o.noSort {
			return zsetPart(v, lo, hi, o.desc), 0, hi - lo
		}
		items = make([]sortItem, 0, n)
		for nd := v.First(); nd != nil; nd = nd.Next() {
			items = append(items, sortItem{elem: nd.Member})
		}
	}
	return items, lo, hi
}

// limit returns the half-open range [lo, hi) of n sorted elements that
// LIMIT selects: a negative offset counts as 0, a negative count means
// every element from the offset on.
func (o *sortOptions) limit(n int) (lo, hi int) {
	if o.offset >= int64(n) {
		return 0, 0
	}
	lo = int(max(o.offset, 0))
	if o.count < 0 || o.count > int64(n-lo) {
		return lo, n
	}
	return lo, lo + int(o.count)
}

// listPart returns the elements lo to hi-1 of l, counted from the back if
// desc.
func listPart(l *listValue, lo, hi int, desc bool) []sortItem {
	items := make([]sortItem, 0, hi-lo)
	if lo == hi {
		return items
	}
	if desc {
		for cur := l.Seek(l.Len() - 1 - lo); len(items) < hi-lo; cur.Prev() {
			items = append(items, sortItem{elem: cur.Value()})
		}
		return items
	}
	for cur := l.Seek(lo); len(items) < hi-lo; cur.Next() {
		items = append(items, sortItem{elem: cur.Value()})
	}
	return items
}

// zsetPart returns the members of ranks lo to hi-1 of s, counted from the
// highest if desc.
func zsetPart(s *sortedSet, lo, hi int, desc bool) []sortItem {
	items := make([]sortItem, 0, hi-lo)
	if lo == hi {
		return items
	}
	if desc {
		for n := s.ByRank(s.Len() - 1 - lo); len(items) < hi-lo; n = n.Prev() {
			items = append(items, sortItem{elem: n.Member})
		}
		return items
	}
	for n := s.ByRank(lo); len(items) < hi-lo; n = n.Next() {
		items = append(items, sortItem{elem: n.Member})
	}
	return items
}

// scoreItems fills in what each item is sorted by: its BY value, if any,
// and for a numeric sort that value (or the element) as a number. A missing
// BY value sorts as 0, or first with ALPHA. It reports false if a value is
// not a number in a numeric sort (after looking at every item, as Redis
// does).
func (c *Ctx) scoreItems(o *sortOptions, items []sortItem) bool {
	if o.alpha && o.by == nil {
		return true // the elements themselves are compared
	}
	allOK := true
	for i := range items {
		it := &items[i]
		val, intObj := stringBytes(it.elem), false
		if o.by != nil {
			if val, it.found, intObj = c.lookupPatternObj(o, o.by, it.elem); !it.found {
				continue
			}
		}
		if o.alpha {
			it.by = val
			continue
		}
		var ok bool
		if it.score, ok = parseSortScore(val); !ok || o.erange && !intObj {
			allOK = false
		}
	}
	return allOK
}

// compare orders two items as SORT does: numerically by score, ties broken
// by the elements' bytes, or with ALPHA byte-wise by element or BY value
// (missing values first). Equal BY values keep the collection's order (the
// sort is stable, as glibc's qsort is for Redis), except that a set's
// elements, which have no order of their own, are compared. So the result,
// and a replayed SORT ... STORE, is deterministic. DESC reverses the order
// but not the ties kept.
//
// Redis compares ALPHA strings with strcoll in the server's locale when not
// storing; byte order is what it gives in the C and C.UTF-8 locales.
func (o *sortOptions) compare(a, b sortItem) int {
	r, byElem := 0, true
	switch {
	case !o.alpha:
		r = cmp.Compare(a.score, b.score) // never NaN
	case o.by != nil:
		switch {
		case a.found && b.found:
			r = bytes.Compare(a.by, b.by)
		case a.found:
			r = 1
		case b.found:
			r = -1
		}
		byElem = o.setOrder
	}
	if r == 0 && byElem {
		r = strings.Compare(a.elem, b.elem)
	}
	if o.desc {
		return -r
	}
	return r
}

// hasSubnormalScore reports whether a score of s is subnormal: Redis's
// listpack holds it as text that C's strtod reads back with ERANGE.
func hasSubnormalScore(s *sortedSet) bool {
	for n := s.First(); n != nil; n = n.Next() {
		if n.Score != 0 && math.Abs(n.Score) < 0x1p-1022 {
			return true
		}
	}
	return false
}

// lookupPattern resolves a BY or GET pattern for elem as Redis does: "#" is
// the element itself; otherwise the first '*' is replaced by elem to name a
// string key, or, when "->field" follows the '*', a hash key whose field is
// read. A pattern without '*', a missing key or field, or a key of another
// kind gives false. The value is valid while the locks are held and the
// keyspace unchanged.
func (c *Ctx) lookupPattern(o *sortOptions, pattern []byte, elem string) ([]byte, bool) {
	v, ok, _ := c.lookupPatternObj(o, pattern, elem)
	return v, ok
}

// lookupPatternObj is lookupPattern that also reports whether Redis holds
// the value as an integer object rather than text: a string key's value of
// the int encoding, or an integer in a listpack hash.
func (c *Ctx) lookupPatternObj(o *sortOptions, pattern []byte, elem string) (v []byte, found, intObj bool) {
	if len(pattern) == 1 && pattern[0] == '#' {
		return stringBytes(elem), true, false
	}
	star := bytes.IndexByte(pattern, '*')
	if star < 0 {
		return nil, false, false
	}
	keyEnd, field := len(pattern), []byte(nil)
	if f := bytes.Index(pattern[star+1:], []byte("->")); f >= 0 && star+1+f+2 < len(pattern) {
		keyEnd = star + 1 + f
		field = pattern[keyEnd+2:]
	}
	o.keyBuf = append(append(append(o.keyBuf[:0], pattern[:star]...), elem...), pattern[star+1:keyEnd]...)
	e := c.LookupRead(o.keyBuf)
	switch {
	case e == nil:
		return nil, false, false
	case field != nil:
		if h, ok := e.Value.Obj().(*hashValue); ok {
			v, found = h.get(field, nil)
			_, isInt := ParseInt(v)
			return v, found, found && isInt && h.Encoding() == "listpack"
		}
		return nil, false, false
	case e.Value.Obj() == nil:
		return e.Value.Str(), true, encoding(e) == "int"
	}
	return nil, false, false
}

// writeSorted replies with the sorted items, or with the GET values of each
// (null where a lookup finds nothing).
func (c *Ctx) writeSorted(o *sortOptions, items []sortItem) {
	if len(o.gets) == 0 {
		c.W.WriteArray(len(items))
		for _, it := range items {
			c.W.WriteBulkString(it.elem)
		}
		return
	}
	c.W.WriteArray(len(items) * len(o.gets))
	for _, it := range items {
		for _, g := range o.gets {
			if v, ok := c.lookupPattern(o, g, it.elem); ok {
				c.W.WriteBulk(v)
			} else {
				c.W.WriteNull()
			}
		}
	}
}

// storeSorted stores the sorted items, or their GET values ("" where a
// lookup finds nothing), as a list at the destination, replacing whatever
// was there (and its TTL), or deletes the destination when the result is
// empty; it replies with the list's length. The command is logged as sent:
// it replays to the same result.
func (c *Ctx) storeSorted(o *sortOptions, items []sortItem) {
	l := &listValue{}
	for _, it := range items {
		if len(o.gets) == 0 {
			l.PushBack(it.elem)
		}
		for _, g := range o.gets {
			v, _ := c.lookupPattern(o, g, it.elem)
			l.PushBack(string(v))
		}
	}
	// SORT locks for itself, so it accounts for the key it stores.
	b := c.ks.openBracketLocked(c.DB, [][]byte{o.store}, nil)
	c.brk = &b
	defer func() {
		b.settle()
		c.brk = nil
	}()
	if l.Len() > 0 {
		c.Store(o.store, CollectionValue(l), false)
		c.Propagate()
		c.Notify(EventList, "sortstore", o.store)
	} else if c.delKey(o.store) {
		c.Propagate()
	}
	c.W.WriteInt(int64(l.Len()))
}

// parseSortScore parses b as SORT reads a number: C's strtod over the
// whole string, so leading whitespace, hexadecimal and "infinity" are
// accepted, and the empty string is 0. The text ends at a NUL byte, as a C
// string does. Like Redis, it refuses NaN and results that overflow or
// inexactly underflow (strtod's ERANGE).
func parseSortScore(b []byte) (float64, bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return 0, true
	}
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	num := b
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if EqualFold(b, "inf") || EqualFold(b, "infinity") {
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	hex := len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')
	var nonZero, ok bool
	if hex {
		nonZero, ok = scanFloat(b[2:], isHexDigit, 'p')
		if ok && bytes.IndexAny(b, "pP") < 0 {
			num = append(slices.Clip(num), "p0"...) // Go needs the exponent
		}
	} else {
		nonZero, ok = scanFloat(b, isDigit, 'e')
	}
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil { // only overflow is left: ERANGE
		return 0, false
	}
	if f == 0 {
		return f, !nonZero
	}
	if math.Abs(f) < 0x1p-1022 { // subnormal: ERANGE unless exact
		r, _ := new(big.Rat).SetString(string(num))
		_, exact := r.Float64()
		return f, exact
	}
	return f, true
}

// scanFloat reports whether b is a whole strtod mantissa of digits (at
// least one, with an optional '.'), followed by an optional exponent
// letter exp (either case), sign and decimal digits; and whether the
// mantissa has a non-zero digit.
func scanFloat(b []byte, digit func(byte) bool, exp byte) (nonZero, ok bool) {
	i, digits, dot := 0, 0, false
	for ; i < len(b); i++ {
		if c := b[i]; digit(c) {
			digits++
			nonZero = nonZero || c != '0'
		} else if c != '.' || dot {
			break
		}
		dot = dot || b[i] == '.'
	}
	if digits == 0 {
		return false, false
	}
	if i == len(b) {
		return nonZero, true
	}
	if b[i]|0x20 != exp {
		return false, false
	}
	i++
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	if i == len(b) {
		return false, false
	}
	for ; i < len(b); i++ {
		if !isDigit(b[i]) {
			return false, false
		}
	}
	return nonZero, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }
