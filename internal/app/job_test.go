package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestCutOffAndLostLoadsAreRecordedAsFailed is issue 11's item 4: a
// background inventory load cut off when the shutdown's grace period ends,
// or lost with a server that crashed, was gone without a trace (404 after
// the restart, no audit). Now its job says it failed and why, nothing of
// it is loaded, and the audit log has it.
func TestCutOffAndLostLoadsAreRecordedAsFailed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		org, _ := e.account(op, "owner@acme.example")
		iccids := make([]string, 12_000) // more than one chunk of the load's transaction
		for i := range iccids {
			iccids[i] = storetest.ICCID(i)
		}
		var ended error
		job, err := e.app.StartImport(ctx, op, org.ID, "", iccids,
			func(done, total int) { e.app.Interrupt() }, // the grace period ends mid-load
			func(n int, err error) { ended = err })
		e.must(err)
		e.app.Settle()
		if tenantry.ErrorCode(ended) != tenantry.Unavailable {
			t.Fatalf("the cut-off load ended with %v, want unavailable", ended)
		}
		got, err := e.app.Job(ctx, op, job.ID)
		e.must(err)
		if got.Status != tenantry.JobFailed || !strings.HasPrefix(got.Error, "interrupted: the server shut down") ||
			got.Total != 12_000 || got.Done != 0 || got.FinishedAt.IsZero() {
			t.Fatalf("the cut-off load's job: %+v", got)
		}

		// A load whose server was killed stays "running" until the
		// others see its server silent for three heartbeats.
		lost := &tenantry.Job{ID: "lost-load", Kind: app.JobInventoryLoad, OrgID: org.ID, ActorID: op.User.ID,
			Total: 7, Instance: "a killed server"}
		e.must(e.db.Update(ctx, func(tx tenantry.Tx) error { return tx.CreateJob(ctx, lost) }))
		e.must(e.app.KeepJobs(ctx))
		if got, _ := e.app.Job(ctx, op, lost.ID); got.Status != tenantry.JobRunning {
			t.Fatalf("a job whose server beat just now is %s", got.Status)
		}
		e.clock.Advance(app.StaleJobAfter + time.Second)
		e.must(e.app.KeepJobs(ctx))
		got, err = e.app.Job(ctx, op, lost.ID)
		e.must(err)
		if got.Status != tenantry.JobFailed || !strings.Contains(got.Error, "a crash or a kill") {
			t.Fatalf("the lost load's job: %+v", got)
		}
		jobs, err := e.app.Jobs(ctx, op, 10)
		e.must(err)
		if len(jobs) != 2 || jobs[0].ID != lost.ID || jobs[1].ID != job.ID {
			t.Fatalf("the operator's list of loads: %+v", jobs)
		}

		e.must(e.db.View(ctx, func(tx tenantry.Tx) error {
			o, err := tx.Org(ctx, org.ID)
			if err != nil || o.SIMCount != 0 {
				t.Fatalf("the account holds %d SIMs after two failed loads (%v)", o.SIMCount, err)
			}
			events, err := tx.Events(ctx, tenantry.EventFilter{OrgID: org.ID, ActionPrefix: "job.", Limit: 10})
			if err != nil || len(events) != 2 || events[0].TargetID != lost.ID || events[1].TargetID != job.ID ||
				events[1].ActorID != op.User.ID {
				t.Fatalf("audit events of the failed loads: %+v %v", events, err)
			}
			return nil
		}))

		// Only operators see loads.
		_, owner := e.account(op, "other@acme.example")
		if _, err := e.app.Job(ctx, owner, job.ID); tenantry.ErrorCode(err) != tenantry.NotFound {
			t.Fatalf("an owner asked for a load: %v", err)
		}
	})
}
