package app

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// buckets are token-bucket rate limits per key, in this instance's memory
// (the token endpoint must not touch the database to count): each key
// refills at its rate per second up to a second's worth, so a steady flow
// at the rate always passes and only a flow above it is slowed.
type buckets struct {
	mu   sync.Mutex
	keys map[string]*bucket
	// swept is when idle keys were last dropped.
	swept time.Time
}

type bucket struct {
	lim  *rate.Limiter
	used time.Time
}

// maxBuckets bounds the keys held; idle ones go first, and if every key
// is busy the map starts over (a lost count errs towards letting through).
const maxBuckets = 100000

// bucketIdle is how long a key may go unused before it is dropped: by
// then its bucket is full again and forgetting it changes nothing.
const bucketIdle = time.Minute

// take counts one request under every limit at now. When any of them is
// over its rate it takes nothing and returns how many whole seconds to
// wait; else 0. A limit of 0 per second is no limit.
func (b *buckets) take(now time.Time, limits ...limit) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil || len(b.keys) >= maxBuckets && now.Sub(b.swept) < bucketIdle {
		b.keys = map[string]*bucket{}
	}
	if now.Sub(b.swept) >= bucketIdle {
		for k, v := range b.keys {
			if now.Sub(v.used) >= bucketIdle {
				delete(b.keys, k)
			}
		}
		b.swept = now
	}
	reservations := make([]*rate.Reservation, 0, len(limits))
	var wait time.Duration
	for _, l := range limits {
		if l.max <= 0 {
			continue
		}
		k := b.keys[l.key]
		if k == nil || k.lim.Limit() != rate.Limit(l.max) {
			k = &bucket{lim: rate.NewLimiter(rate.Limit(l.max), l.max)}
			b.keys[l.key] = k
		}
		k.used = now
		r := k.lim.ReserveN(now, 1)
		reservations = append(reservations, r)
		wait = max(wait, r.DelayFrom(now))
	}
	if wait == 0 {
		return 0
	}
	for _, r := range reservations {
		r.CancelAt(now)
	}
	return max(1, int(math.Ceil(wait.Seconds())))
}
