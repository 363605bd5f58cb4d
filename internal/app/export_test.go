package app

import (
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// NewActorForTest builds an actor without a session, for benchmarks.
func NewActorForTest(a *App, u *tenantry.User, grants []tenantry.Grant) *Actor {
	return a.newActor(u, grants, time.Now())
}
