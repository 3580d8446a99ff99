package db

import "myredis/datastruct/stream"

// trimArgs are the parsed options of XADD and XTRIM.
type trimArgs struct {
	trim       stream.Trim
	strategy   bool // MAXLEN or MINID was given
	argIdx     int  // the threshold's argument index
	noMkStream bool
	// XADD's ID: idIdx is its argument; given unless "*"; autoSeq for
	// "ms-*".
	idIdx   int
	id      stream.ID
	idGiven bool
	autoSeq bool
}

// parseTrimArgs reads the options of XADD (xadd) or XTRIM from args[2]
// on, as Redis's streamParseAddOrTrimArgsOrReply does, writing the error
// and returning false when they are wrong. While the AOF loads, LIMIT is
// ignored, as Redis ignores it from its master or its AOF: what is logged
// is the exact effect.
func (c *Ctx) parseTrimArgs(xadd bool) (a trimArgs, ok bool) {
	limitGiven := false
	i := 2
	for ; i < len(c.Args); i++ {
		more := len(c.Args) - 1 - i
		opt := c.Args[i]
		switch {
		case xadd && string(opt) == "*":
		case (EqualFold(opt, "maxlen") || EqualFold(opt, "minid")) && more > 0:
			if a.strategy {
				c.W.WriteError(errTrimBoth)
				return a, false
			}
			a.trim.ByMinID = EqualFold(opt, "minid")
			a.trim.Approx = false
			if next := string(c.Args[i+1]); more >= 2 && (next == "~" || next == "=") {
				a.trim.Approx = next == "~"
				i++
			}
			if a.trim.ByMinID {
				id, ok := c.idArg(i+1, 0, true)
				if !ok {
					return a, false
				}
				a.trim.MinID = id
			} else {
				n, ok := c.IntArg(i + 1)
				if !ok {
					return a, false
				}
				if n < 0 {
					c.W.WriteError(errMaxLenNegative)
					return a, false
				}
				a.trim.MaxLen = n
			}
			i++
			a.strategy, a.argIdx = true, i
			continue
		case EqualFold(opt, "limit") && more > 0:
			n, ok := c.IntArg(i + 1)
			if !ok {
				return a, false
			}
			if n < 0 {
				c.W.WriteError(errTrimLimitNeg)
				return a, false
			}
			a.trim.Limit, limitGiven = n, true
			i++
			continue
		case xadd && EqualFold(opt, "nomkstream"):
			a.noMkStream = true
			continue
		case xadd:
			id, autoSeq, ok := stream.ParseID(opt, 0, true, true)
			if !ok {
				c.W.WriteError(errStreamID)
				return a, false
			}
			a.id, a.idGiven, a.autoSeq = id, true, autoSeq
		default:
			c.W.WriteError(ErrSyntax)
			return a, false
		}
		break
	}
	a.idIdx = i
	switch {
	case a.trim.Limit != 0 && !a.strategy:
		c.W.WriteError(errLimitNoTrim)
		return a, false
	case !xadd && !a.strategy:
		c.W.WriteError(errXTrimNoStrategy)
		return a, false
	}
	switch {
	case c.ks.loading.Load():
		a.trim.Limit = 0
	case limitGiven && !a.trim.Approx:
		c.W.WriteError(errLimitExact)
		return a, false
	case !limitGiven && a.trim.Approx:
		// At most 100 nodes' worth, as Redis bounds the work.
		a.trim.Limit = 100 * int64(c.ks.streamNodeLimits().MaxEntries)
		if a.trim.Limit <= 0 {
			a.trim.Limit = 10000
		}
		a.trim.Limit = min(a.trim.Limit, 1000000)
	case !limitGiven:
		a.trim.Limit = 0
	}
	return a, true
}

// apply applies a's trim to s, after XADD or for XTRIM, and returns how
// many entries went. For an approximate trim it rewrites the command's
// arguments in the write l is building as Redis does ("~" becomes "=",
// the threshold the length or first ID reached), so that replay removes
// exactly the same entries.
func (a *trimArgs) apply(s *stream.Stream, l *logArgs) int64 {
	n := s.Trim(a.trim)
	if a.trim.Approx {
		args := l.write()
		args[a.argIdx-1] = equalsWord
		if a.trim.ByMinID {
			args[a.argIdx] = l.idText(s.FirstID())
		} else {
			args[a.argIdx] = l.intText(int64(s.Len()))
		}
	}
	return n
}
