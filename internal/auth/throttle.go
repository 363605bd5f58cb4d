package auth

import "time"

// Throttle is a throttling policy for one kind of key (a login from one
// address, a login from anywhere, an address). An attempt takes a slot
// before it is evaluated, so concurrent guesses cannot slip past Limit; a
// slot taken is not a wait, so correct attempts at once all go through.
// Only an attempt that failed makes the next one wait: nothing for the
// first Free failures, then Base doubling up to Max. Limit consecutive
// attempts lock the key for LockFor. A success gives back its slot or
// clears the key, as the caller decides.
type Throttle struct {
	Limit   int           // attempts that lock the key; 0 never locks
	Free    int           // failures that cost no wait
	Base    time.Duration // the wait after the first failure past Free; 0 never waits
	Max     time.Duration // the longest wait short of the lock
	LockFor time.Duration
	// Window forgets failures when the last attempt is older than it;
	// 0 keeps them until a success or the lock's end.
	Window time.Duration
}

// Count is a key's state: consecutive attempts that did not succeed (those
// in flight included), the earliest next attempt, and the last attempt.
type Count struct {
	Failures int
	NextAt   time.Time
	LastAt   time.Time
}

// DefaultThrottle is for one login from one address: ten failures lock it
// for 15 minutes, with waits from a quarter second to 30 seconds before.
var DefaultThrottle = Throttle{Limit: 10, Base: 250 * time.Millisecond, Max: 30 * time.Second, LockFor: 15 * time.Minute}

// Reserve takes a slot for one attempt. It returns the key's new count, or
// ok false and how long to wait when no attempt is allowed now.
func (p Throttle) Reserve(c Count, now time.Time) (next Count, retryAfter time.Duration, ok bool) {
	if now.Before(c.NextAt) {
		return c, c.NextAt.Sub(now), false
	}
	if p.Window > 0 && !c.LastAt.IsZero() && now.Sub(c.LastAt) > p.Window {
		c.Failures = 0
	}
	if p.Limit > 0 && c.Failures >= p.Limit {
		c.Failures = 0 // the lock has run out
	}
	c.Failures++
	c.LastAt = now
	if p.Limit > 0 && c.Failures >= p.Limit {
		c.NextAt = now.Add(p.LockFor)
	}
	return c, 0, true
}

// Fail records that a reserved attempt failed: the next one waits.
func (p Throttle) Fail(c Count, now time.Time) Count {
	c.LastAt = now
	if p.Limit > 0 && c.Failures >= p.Limit {
		return c // locked when the slot was taken
	}
	past := c.Failures - p.Free
	if p.Base == 0 || past <= 0 {
		return c
	}
	wait := p.Base << (past - 1)
	if wait > p.Max || wait <= 0 || past > 32 {
		wait = p.Max
	}
	if at := now.Add(wait); at.After(c.NextAt) {
		c.NextAt = at
	}
	return c
}

// GiveBack returns the slot of an attempt that succeeded, for a key whose
// other failures a success must not clear (an address shared by many).
func (p Throttle) GiveBack(c Count) Count {
	if c.Failures > 0 {
		c.Failures--
	}
	return c
}
