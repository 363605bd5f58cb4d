package storetest

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

func testSweep(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	u := mustUser(t, s, acc.ID, "A", "B")
	update(t, s, func(tx tenantry.Tx) error {
		for i, d := range []time.Duration{time.Minute, 2 * time.Hour} {
			h := []string{"old", "live"}[i]
			if err := tx.CreateSession(ctx, &tenantry.Session{Hash: h, UserID: u.ID, ExpiresAt: clock.Now().Add(d)}); err != nil {
				return err
			}
			if err := tx.CreateToken(ctx, &tenantry.OneTimeToken{Hash: h, Purpose: tenantry.TokenReset, UserID: u.ID, ExpiresAt: clock.Now().Add(d)}); err != nil {
				return err
			}
		}
		for _, id := range []string{"job-done", "job-running"} {
			if err := tx.CreateJob(ctx, &tenantry.Job{ID: id, Kind: "inventory_load", OrgID: acc.ID, ActorID: u.ID, Instance: "i"}); err != nil {
				return err
			}
		}
		if err := tx.FinishJob(ctx, &tenantry.Job{ID: "job-done", Status: tenantry.JobDone, Done: 1}); err != nil {
			return err
		}
		return tx.EnqueueMail(ctx, &tenantry.Mail{Key: "k", To: "a@example.com", Subject: "s", Text: "t"})
	})
	update(t, s, func(tx tenantry.Tx) error {
		m, err := tx.ClaimMail(ctx, 1, tx.Now().Add(time.Minute))
		if err != nil {
			return err
		}
		return tx.MailSent(ctx, m[0].ID)
	})
	clock.Advance(time.Hour)
	var removed map[string]int64
	update(t, s, func(tx tenantry.Tx) error {
		var err error
		removed, err = tx.Sweep(ctx, tx.Now().Add(-24*time.Hour), tx.Now().Add(-30*time.Minute))
		return err
	})
	if removed["sessions"] != 1 || removed["tokens"] != 1 || removed["outbox"] != 1 || removed["jobs"] != 1 {
		t.Fatalf("removed %v", removed)
	}
	s.View(ctx, func(tx tenantry.Tx) error {
		if _, err := tx.Session(ctx, "live"); err != nil {
			t.Fatalf("a live session went: %v", err)
		}
		if _, err := tx.Job(ctx, "job-running"); err != nil {
			t.Fatalf("a running job went: %v", err)
		}
		if _, err := tx.Job(ctx, "job-done"); tenantry.ErrorCode(err) != tenantry.NotFound {
			t.Fatalf("a job finished before the cut stayed: %v", err)
		}
		return nil
	})
	// Retention: events older than the cut go, newer stay.
	update(t, s, func(tx tenantry.Tx) error {
		return tx.AddEvent(ctx, &tenantry.Event{OrgID: acc.ID, Action: "user.update"})
	})
	clock.Advance(48 * time.Hour)
	update(t, s, func(tx tenantry.Tx) error {
		return tx.AddEvent(ctx, &tenantry.Event{OrgID: acc.ID, Action: "user.lock"})
	})
	update(t, s, func(tx tenantry.Tx) error {
		n, err := tx.DeleteEventsBefore(ctx, tx.Now().Add(-24*time.Hour))
		if err != nil || n < 1 {
			t.Fatalf("deleted %d old events: %v", n, err)
		}
		left, err := tx.Events(ctx, tenantry.EventFilter{OrgID: acc.ID, Limit: 10})
		if err != nil || len(left) != 1 || left[0].Action != "user.lock" {
			t.Fatalf("left after retention: %v %v", left, err)
		}
		return nil
	})
}
