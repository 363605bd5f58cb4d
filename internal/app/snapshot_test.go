package app_test

import (
	"context"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestSnapshotReadsOneMoment: the use cases a page runs in one snapshot
// see the data as of one moment, each still checking who asks; work they
// leave to run after answering reads on its own once the snapshot is over.
func TestSnapshotReadsOneMoment(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "owner@acme.example")
		_, stranger := e.account(op, "owner@globex.example")
		people := tenantry.UserFilter{OrgID: acc.ID}
		ended := make(chan struct{})
		var later error
		err := e.app.Snapshot(ctx, func(ctx context.Context) error {
			before, _, err := e.app.ListUsers(ctx, owner, people)
			if err != nil {
				return err
			}
			// Committed while the page reads: not on this page.
			if _, err := e.app.CreateUser(context.Background(), owner, acc.ID,
				app.NewUser{Email: "new@acme.example", FirstName: "N", LastName: "W", Roles: []string{"user"}}); err != nil {
				return err
			}
			after, _, err := e.app.ListUsers(ctx, owner, people)
			if err != nil {
				return err
			}
			if len(after) != len(before) {
				t.Errorf("one snapshot listed %d people, then %d", len(before), len(after))
			}
			if _, err := e.app.Org(ctx, stranger, acc.ID); tenantry.ErrorCode(err).Kind() != tenantry.NotFound {
				t.Errorf("another account's owner read the org in a snapshot: %v", err)
			}
			e.app.Go(ctx, "read after answering", func(ctx context.Context) error {
				<-ended
				_, _, later = e.app.ListUsers(ctx, owner, people)
				return nil
			})
			return nil
		})
		close(ended)
		e.must(err)
		e.app.Settle()
		if later != nil {
			t.Errorf("work started in a snapshot read after it: %v", later)
		}
		now, _, err := e.app.ListUsers(ctx, owner, people)
		e.must(err)
		if len(now) != 2 {
			t.Errorf("after the snapshot: %d people, want the owner and the new one", len(now))
		}
	})
}
