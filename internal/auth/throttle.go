package auth

import "time"

// Throttle is the sign-in throttling policy: every attempt counts as a
// failure before it is evaluated, each failure doubles the wait before the
// next attempt, and Limit consecutive failures lock the key for LockFor.
// A success clears the key. Because the slot is taken before the slow
// check runs, concurrent guesses cannot slip past the limit.
type Throttle struct {
	Limit   int
	Base    time.Duration // the wait after the first failure; 0 counts without slowing down
	Max     time.Duration // the longest wait short of the lock
	LockFor time.Duration
}

// DefaultThrottle locks after 10 failures for 15 minutes.
var DefaultThrottle = Throttle{Limit: 10, Base: 250 * time.Millisecond, Max: 30 * time.Second, LockFor: 15 * time.Minute}

// Reserve takes one attempt for a key with the given consecutive failures
// and earliest next attempt. It returns the key's new state, or ok false
// and how long to wait when no attempt is allowed now.
func (p Throttle) Reserve(failures int, nextAt, now time.Time) (newFailures int, newNextAt time.Time, retryAfter time.Duration, ok bool) {
	if now.Before(nextAt) {
		return failures, nextAt, nextAt.Sub(now), false
	}
	if failures >= p.Limit {
		failures = 0 // the lock has run out
	}
	failures++
	if failures >= p.Limit {
		return failures, now.Add(p.LockFor), 0, true
	}
	if p.Base == 0 {
		// Counted, not slowed down. The zero time (not now) keeps a
		// concurrent transaction that began a moment earlier from seeing
		// a wait that has not started for it.
		return failures, time.Time{}, 0, true
	}
	wait := p.Base << (failures - 1)
	if wait > p.Max || wait <= 0 {
		wait = p.Max
	}
	return failures, now.Add(wait), 0, true
}
