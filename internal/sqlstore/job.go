package sqlstore

import (
	"context"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const jobColumns = `id, kind, org_id, actor_id, status, total, done, error, instance, started_at, beat_at, finished_at`

func scanJob(row interface{ Scan(...any) error }) (*tenantry.Job, error) {
	var j tenantry.Job
	var started, beat, finished int64
	if err := row.Scan(&j.ID, &j.Kind, &j.OrgID, &j.ActorID, &j.Status, &j.Total, &j.Done, &j.Error, &j.Instance,
		&started, &beat, &finished); err != nil {
		return nil, err
	}
	j.StartedAt, j.BeatAt, j.FinishedAt = fromMicros(started), fromMicros(beat), fromMicros(finished)
	return &j, nil
}

// CreateJob inserts j as running.
func (tx *Tx) CreateJob(ctx context.Context, j *tenantry.Job) error {
	j.Status, j.StartedAt, j.BeatAt = tenantry.JobRunning, tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO jobs (`+jobColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		j.ID, j.Kind, j.OrgID, j.ActorID, j.Status, j.Total, j.Done, j.Error, j.Instance, micros(j.StartedAt),
		micros(j.BeatAt), micros(j.FinishedAt))
	return err
}

// FinishJob records how a running job ended.
func (tx *Tx) FinishJob(ctx context.Context, j *tenantry.Job) error {
	j.FinishedAt = tx.now
	return tx.execOne(ctx, "running job", `UPDATE jobs SET status = $2, done = $3, error = $4, finished_at = $5
		WHERE id = $1 AND status = 'running'`, j.ID, j.Status, j.Done, j.Error, micros(j.FinishedAt))
}

// Job returns one job.
func (tx *Tx) Job(ctx context.Context, id string) (*tenantry.Job, error) {
	j, err := scanJob(tx.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if err != nil {
		return nil, scanOne(err, "job")
	}
	return j, nil
}

// Jobs returns the newest jobs of a kind.
func (tx *Tx) Jobs(ctx context.Context, kind string, limit int) ([]*tenantry.Job, error) {
	return tx.jobs(ctx, `SELECT `+jobColumns+` FROM jobs WHERE kind = $1 ORDER BY started_at DESC, id DESC LIMIT $2`, kind, limit)
}

// BeatJobs records that instance still runs its running jobs.
func (tx *Tx) BeatJobs(ctx context.Context, instance string) error {
	_, err := tx.exec(ctx, `UPDATE jobs SET beat_at = $2 WHERE instance = $1 AND status = 'running'`, instance, micros(tx.now))
	return err
}

// FailStaleJobs marks failed the running jobs whose instance went quiet.
func (tx *Tx) FailStaleJobs(ctx context.Context, before time.Time, reason string) ([]*tenantry.Job, error) {
	stale, err := tx.jobs(ctx, `SELECT `+jobColumns+` FROM jobs WHERE status = 'running' AND beat_at < $1`, micros(before))
	if err != nil {
		return nil, err
	}
	for _, j := range stale {
		j.Status, j.Error = tenantry.JobFailed, reason
		if err := tx.FinishJob(ctx, j); err != nil {
			return nil, err
		}
	}
	return stale, nil
}

func (tx *Tx) jobs(ctx context.Context, q string, args ...any) ([]*tenantry.Job, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, j)
	}
	return out, translate(rows.Err())
}
