package db

// ttlSample sums the time to live of the keys one active expiry cycle
// sampled in a database and found alive.
type ttlSample struct {
	sum, n int64
}

// add counts a sampled key with deadline at (unix milliseconds) that is
// still alive at now.
func (t *ttlSample) add(at, now int64) {
	if at > now {
		t.sum += at - now
		t.n++
	}
}

// noteTTLs folds one cycle's sample into d's average time to live as Redis
// keeps it: a moving average where each cycle's mean weighs a fiftieth,
// started at the first mean. A cycle that sampled nothing alive leaves it.
func (d *DB) noteTTLs(t ttlSample) {
	if t.n == 0 {
		return
	}
	mean := t.sum / t.n
	avg := d.avgTTL.Load()
	if avg == 0 {
		avg = mean
	}
	d.avgTTL.Store(avg/50*49 + mean/50)
}

// AvgTTL returns the estimated average time to live, in milliseconds, of
// d's keys that carry a deadline, for INFO's keyspace section: the active
// expiry cycle computes it from the keys it samples, as in Redis, and it is
// 0 while d has no such keys (or before the first cycle saw one). Safe for
// concurrent use.
func (d *DB) AvgTTL() int64 { return d.avgTTL.Load() }
