package app

import (
	"context"
	"time"

	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// MailRetention is how long sent mail stays in the outbox and dev mailbox,
// and a finished background job (an inventory load) in the operator's
// list of them.
const MailRetention = 30 * 24 * time.Hour

// Sweep removes expired sessions and tokens, idle throttle rows, used
// idempotency keys, old mail and finished jobs, finished webhook
// deliveries past the log's retention and, with a retention set, old
// audit events; then it queues the warnings of grants that end soon,
// closes the access reviews past their due date and reminds the
// reviewers of those due within a day. Every instance may run it; the
// deletes do not conflict.
func (a *App) Sweep(ctx context.Context) (map[string]int64, error) {
	var out map[string]int64
	err := a.store.Update(ctx, func(tx tenantry.Tx) error {
		now := tx.Now()
		// A throttle row whose wait ended a day ago counts for nothing more.
		var err error
		if out, err = tx.Sweep(ctx, now.Add(-24*time.Hour), now.Add(-MailRetention)); err != nil {
			return err
		}
		if a.cfg.WebhookLogRetention > 0 {
			if out["webhook_deliveries"], err = tx.DeleteWebhookDeliveriesBefore(ctx, now.Add(-a.cfg.WebhookLogRetention)); err != nil {
				return err
			}
		}
		if a.cfg.AuditRetention > 0 {
			out["events"], err = tx.DeleteEventsBefore(ctx, now.Add(-a.cfg.AuditRetention))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	warned, err := a.WarnEndingGrants(ctx)
	out["grant_end_warnings"] = int64(warned)
	if err != nil {
		return out, err
	}
	closed, err := a.CloseDueAccessReviews(ctx)
	out["access_reviews_closed"] = int64(closed)
	if err != nil {
		return out, err
	}
	reminded, err := a.RemindAccessReviews(ctx)
	out["access_review_reminders"] = int64(reminded)
	return out, err
}

// endingWarnings are how long before a grant ends its holder and the
// administrators who may give it again are warned (B1).
var endingWarnings = []struct {
	before time.Duration
	name   string
}{{7 * 24 * time.Hour, "7d"}, {24 * time.Hour, "1d"}}

// WarnEndingGrants e-mails, 7 days and 1 day before a grant ends, the
// person who holds it and the people of its org whose roles administer
// it. Each warning is queued once (the outbox keys it by grant, window
// and recipient), so the hourly sweep may run it as often as it likes.
// It returns how many e-mails it queued or found queued.
func (a *App) WarnEndingGrants(ctx context.Context) (int, error) {
	n := 0
	err := a.update(ctx, func(tx tenantry.Tx) error {
		now := tx.Now()
		for _, w := range endingWarnings {
			grants, err := tx.EndingGrants(ctx, now, now.Add(w.before))
			if err != nil {
				return err
			}
			for _, g := range grants {
				sent, err := a.warnEnding(ctx, tx, g, w.name)
				if err != nil {
					return err
				}
				n += sent
			}
		}
		return nil
	})
	return n, err
}

// warnEnding queues one window's warnings about g.
func (a *App) warnEnding(ctx context.Context, tx tenantry.Tx, g tenantry.Grant, window string) (int, error) {
	holder, err := tx.User(ctx, g.UserID)
	if err != nil {
		return 0, err
	}
	org, err := tx.Org(ctx, g.OrgID)
	if err != nil {
		return 0, err
	}
	r, ok := a.policy.Role(g.Role)
	if !ok {
		return 0, nil
	}
	loc, err := a.zoneOf(ctx, tx, org.ID)
	if err != nil {
		return 0, err
	}
	d := notice.Data{Org: org.Name, RoleCodes: []string{RoleSpelling(g.Role, g.Service)}, When: zoned(g.ExpiresAt, loc),
		Link: a.cfg.PublicURL + "/users/" + holder.ID}
	admins, err := a.peopleWhoseRoles(ctx, tx, org, func(admin policy.Role) bool { return a.policy.Administers(admin, r) })
	if err != nil {
		return 0, err
	}
	recipients := append([]*tenantry.User{holder}, admins...)
	seen := map[string]bool{}
	n := 0
	for _, u := range recipients {
		if seen[u.ID] || u.Status == tenantry.UserLocked {
			continue
		}
		seen[u.ID] = true
		d.Person = holder.FullName()
		if err := a.queue(ctx, tx, u.Email, u, notice.AccessEnding, g.ID+":"+window+":"+u.ID, d); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
