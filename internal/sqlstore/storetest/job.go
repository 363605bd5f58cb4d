package storetest

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

func testJobs(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	mk := func(instance string) *tenantry.Job {
		j := &tenantry.Job{ID: newID(), Kind: "inventory_load", OrgID: acc.ID, ActorID: "op", Total: 10, Instance: instance}
		update(t, s, func(tx tenantry.Tx) error { return tx.CreateJob(ctx, j) })
		clock.Advance(time.Second)
		return j
	}
	done, alive, gone := mk("a"), mk("a"), mk("b")
	update(t, s, func(tx tenantry.Tx) error {
		done.Status, done.Done = tenantry.JobDone, 10
		return tx.FinishJob(ctx, done)
	})
	update(t, s, func(tx tenantry.Tx) error {
		wantCode(t, tx.FinishJob(ctx, done), tenantry.NotFound) // a job ends once
		return nil
	})
	clock.Advance(2 * time.Minute)
	var failed []*tenantry.Job
	update(t, s, func(tx tenantry.Tx) error {
		if err := tx.BeatJobs(ctx, "a"); err != nil {
			return err
		}
		var err error
		failed, err = tx.FailStaleJobs(ctx, tx.Now().Add(-time.Minute), "the instance stopped")
		return err
	})
	if len(failed) != 1 || failed[0].ID != gone.ID {
		t.Fatalf("stale jobs %+v, want only %s", failed, gone.ID)
	}
	s.View(ctx, func(tx tenantry.Tx) error {
		for _, want := range []struct {
			j      *tenantry.Job
			status string
			done   int64
			err    string
		}{{done, tenantry.JobDone, 10, ""}, {alive, tenantry.JobRunning, 0, ""}, {gone, tenantry.JobFailed, 0, "the instance stopped"}} {
			got, err := tx.Job(ctx, want.j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != want.status || got.Done != want.done || got.Error != want.err || got.Total != 10 ||
				got.StartedAt.IsZero() || (got.Status != tenantry.JobRunning) == got.FinishedAt.IsZero() {
				t.Fatalf("job %+v, want status %s done %d error %q", got, want.status, want.done, want.err)
			}
		}
		list, err := tx.Jobs(ctx, "inventory_load", 2)
		if err != nil || len(list) != 2 || list[0].ID != gone.ID || list[1].ID != alive.ID {
			t.Fatalf("newest jobs: %v %v", list, err)
		}
		_, err = tx.Job(ctx, "nope")
		wantCode(t, err, tenantry.NotFound)
		return nil
	})
}
