package app

import (
	"context"
	"errors"
	"time"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// JobInventoryLoad is the kind of the portal's background inventory load.
const JobInventoryLoad = "inventory_load"

// The reasons a job that did not end by itself is recorded as failed.
const (
	jobInterrupted = "interrupted: the server shut down before the load finished; nothing was loaded"
	jobLost        = "interrupted: the server running it stopped (a crash or a kill); nothing was loaded"
)

// StaleJobAfter is how long a running job's instance may stay silent
// before KeepJobs records the job as failed: three heartbeats.
const StaleJobAfter = 3 * PublicURLHeartbeat

// StartImport loads SIMs like ImportSIMs, in the background: it records
// the load as a job, returns it at once and runs the load under Go.
// progress hears how far the load got and finished how it ended (nil
// when it loaded). The job's row says how it ended too, so that a load
// cut off by a shutdown, or lost with its server, is seen as failed by
// the operator after a restart (issue 11, item 4).
func (a *App) StartImport(ctx context.Context, who *Actor, accountID, status string, iccids []string,
	progress func(done, total int), finished func(loaded int, err error)) (*tenantry.Job, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	job := &tenantry.Job{ID: newID(), Kind: JobInventoryLoad, OrgID: accountID, ActorID: who.User.ID,
		Total: int64(len(iccids)), Instance: a.instance}
	err := a.update(ctx, func(tx tenantry.Tx) error {
		if _, err := a.loadTarget(ctx, tx, who, accountID); err != nil {
			return err
		}
		return tx.CreateJob(ctx, job)
	})
	if err != nil {
		return nil, err
	}
	a.Go(ctx, "inventory load", func(ctx context.Context) error {
		n, err := a.ImportSIMs(ctx, who, accountID, status, iccids, progress)
		ended := *job
		ended.Status, ended.Done = tenantry.JobDone, int64(n)
		switch {
		case err != nil && ctx.Err() != nil:
			ended.Status, ended.Error = tenantry.JobFailed, jobInterrupted
			err = tenantry.Errorf(tenantry.Unavailable, "%s", jobInterrupted)
		case err != nil:
			ended.Status, ended.Error = tenantry.JobFailed, publicMessage(err)
		}
		// The load's context may be over; recording how it ended is not.
		rec := context.WithoutCancel(ctx)
		rerr := a.update(rec, func(tx tenantry.Tx) error {
			if err := tx.FinishJob(rec, &ended); err != nil {
				return err
			}
			if ended.Error == jobInterrupted {
				return event(rec, tx, who, accountID, "job.interrupted", "job", job.ID,
					map[string]any{"kind": job.Kind, "total": job.Total})
			}
			return nil
		})
		if finished != nil {
			finished(n, err)
		}
		return rerr
	})
	return job, nil
}

// publicMessage is what an error may tell the operator who started a job:
// a use case's own message, or, for an internal fault, a pointer to the log.
func publicMessage(err error) string {
	var e *tenantry.Error
	if errors.As(err, &e) && e.Code != tenantry.Internal {
		return e.Message
	}
	return "the load failed; nothing was loaded (the server log says why)"
}

// Job returns one recorded inventory load. Operators only.
func (a *App) Job(ctx context.Context, who *Actor, id string) (*tenantry.Job, error) {
	var job *tenantry.Job
	err := a.jobsView(ctx, who, func(tx tenantry.Tx) error {
		var err error
		job, err = tx.Job(ctx, id)
		return err
	})
	return job, err
}

// Jobs returns the newest inventory loads, at most limit. Operators only.
func (a *App) Jobs(ctx context.Context, who *Actor, limit int) ([]*tenantry.Job, error) {
	var jobs []*tenantry.Job
	err := a.jobsView(ctx, who, func(tx tenantry.Tx) error {
		var err error
		jobs, err = tx.Jobs(ctx, JobInventoryLoad, limit)
		return err
	})
	return jobs, err
}

func (a *App) jobsView(ctx context.Context, who *Actor, fn func(tx tenantry.Tx) error) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.view(ctx, func(tx tenantry.Tx) error {
		if !a.operator(ctx, tx, who, policy.PlatformInventoryLoad) {
			return notFound("inventory load")
		}
		return fn(tx)
	})
}

// KeepJobs says that this instance still runs its jobs, and records as
// failed, with an audit event, every job whose instance has been silent
// for StaleJobAfter: it crashed or was killed. serve calls it at start
// and with every heartbeat, so on every instance.
func (a *App) KeepJobs(ctx context.Context) error {
	var lost []*tenantry.Job
	err := a.update(ctx, func(tx tenantry.Tx) error {
		if err := tx.BeatJobs(ctx, a.instance); err != nil {
			return err
		}
		var err error
		if lost, err = tx.FailStaleJobs(ctx, tx.Now().Add(-StaleJobAfter), jobLost); err != nil {
			return err
		}
		for _, j := range lost {
			if err := event(ctx, tx, nil, j.OrgID, "job.interrupted", "job", j.ID,
				map[string]any{"kind": j.Kind, "total": j.Total, "lost": true}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, j := range lost {
		a.log.WarnContext(ctx, "a job was lost with its server", "job", j.ID, "kind", j.Kind,
			"silent", a.cfg.Now().Sub(j.BeatAt).Round(time.Second).String())
	}
	return err
}
