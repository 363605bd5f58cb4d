package app

import (
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// NewActorForTest builds an actor without a session, for benchmarks.
func NewActorForTest(a *App, u *tenantry.User, grants []tenantry.Grant) *Actor {
	return a.newActor(u, grants, time.Now())
}

// HoldLater makes the App keep the work it would run after answering,
// and returns a function that runs what it kept.
func HoldLater(a *App) (release func()) {
	var held []func()
	a.spawn = func(f func()) { held = append(held, f) }
	return func() {
		for _, f := range held {
			f()
		}
		held = nil
	}
}

// DescribeAgent is describeAgent, for its table test.
var DescribeAgent = describeAgent
