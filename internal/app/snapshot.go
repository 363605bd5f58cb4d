package app

import (
	"context"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// snapshotKey keys the read transaction a Snapshot shares.
type snapshotKey struct{}

// Snapshot runs fn with a context in which every use case that only reads
// runs in one read-only transaction: a page that shows a list, its pending
// invitations and its machines shows them as of one moment, and pays for
// one transaction instead of one each. Each use case still checks the
// acting principal as it would alone. fn must only read: a use case that
// writes runs in a transaction of its own, whose change the snapshot's
// later reads may not see. Within a snapshot, Snapshot runs fn at once.
func (a *App) Snapshot(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(snapshotKey{}).(tenantry.Tx); ok {
		return fn(ctx)
	}
	return a.store.View(ctx, func(tx tenantry.Tx) error {
		return fn(context.WithValue(ctx, snapshotKey{}, tx))
	})
}

// view runs fn, which only reads, in the transaction of ctx's Snapshot,
// or in a read-only transaction of its own.
func (a *App) view(ctx context.Context, fn func(tx tenantry.Tx) error) error {
	if tx, ok := ctx.Value(snapshotKey{}).(tenantry.Tx); ok {
		return fn(tx)
	}
	return a.store.View(ctx, fn)
}
