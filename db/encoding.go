package db

import setds "myredis/datastruct/set"

// EncodingLimits are the sizes up to which small hashes, sets and sorted
// sets keep their compact encodings (listpack, intset), Redis 7.0's
// hash-max-listpack-entries and -value, set-max-intset-entries and
// zset-max-listpack-entries and -value. A collection that outgrows a limit
// converts to its big encoding for good, as in Redis.
type EncodingLimits struct {
	HashEntries, HashValue int
	SetIntsetEntries       int
	ZSetEntries, ZSetValue int
}

// DefaultEncodingLimits are Redis 7.0's defaults.
var DefaultEncodingLimits = EncodingLimits{
	HashEntries: 512, HashValue: 64,
	SetIntsetEntries: setds.DefaultMaxIntset,
	ZSetEntries:      128, ZSetValue: 64,
}

// SetEncodingLimits sets the compact encodings' limits, as CONFIG SET of
// the parameters does. Safe to call at any time: later writes follow it,
// and collections already converted stay converted.
func (ks *Keyspace) SetEncodingLimits(l EncodingLimits) {
	ks.encodings.Store(&l)
}

// encodingLimits returns the limits writes follow.
func (ks *Keyspace) encodingLimits() *EncodingLimits {
	if l := ks.encodings.Load(); l != nil {
		return l
	}
	return &DefaultEncodingLimits
}

// limits returns the compact encodings' limits for this command.
func (c *Ctx) limits() *EncodingLimits { return c.ks.encodingLimits() }
