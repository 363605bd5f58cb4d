package app

import (
	"context"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// AuditLog returns one page of an org's audit events, newest first (B6),
// narrowed by action prefix ("user." for every user change), actor login,
// target and time. Owners and Admins read it.
func (a *App) AuditLog(ctx context.Context, who *Actor, f tenantry.EventFilter) ([]*tenantry.Event, error) {
	f.Limit = clampLimit(f.Limit)
	return a.auditLog(ctx, who, f)
}

// auditLog is AuditLog with f.Limit as given.
func (a *App) auditLog(ctx context.Context, who *Actor, f tenantry.EventFilter) ([]*tenantry.Event, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return nil, &tenantry.Error{Code: tenantry.Invalid, Message: "until: must be after since",
			Fields: []tenantry.FieldError{{Field: "until", Message: "must be after since"}}}
	}
	if f.Before != "" && !validID(f.Before) {
		return nil, tenantry.FieldInvalid("before", "not an event id from this log")
	}
	orgID := f.OrgID
	var out []*tenantry.Event
	err := a.view(ctx, func(tx tenantry.Tx) error {
		if _, err := a.mgmtOrg(ctx, tx, who, orgID); err != nil {
			return err
		}
		if !a.MayReadAuditLog(who, orgID) {
			return forbidden("only owners and admins read the audit log")
		}
		var err error
		out, err = tx.Events(ctx, f)
		return err
	})
	return out, err
}

// MayReadAuditLog reports whether the actor's roles let them read org's
// audit log: those who see both its customer data and its users.
func (a *App) MayReadAuditLog(who *Actor, org string) bool {
	return a.Can(who, policy.AccountCustomerData, org) && a.Can(who, policy.UsersSeeAll, org)
}

// exportBatch is how many events an export reads at a time.
const exportBatch = 1000

// AuditExport is an export of an org's audit log in progress, read a
// batch at a time, so a million events take the memory of one batch.
type AuditExport struct {
	a     *App
	who   *Actor
	f     tenantry.EventFilter
	first []*tenantry.Event
	done  bool
}

// ExportAudit starts an export of every event of an org's audit log that
// matches f, newest first (f's Before and Limit are ignored). It reads the
// first batch now, so a caller who may not read the log learns it before
// anything is sent.
func (a *App) ExportAudit(ctx context.Context, who *Actor, f tenantry.EventFilter) (*AuditExport, error) {
	f.Before, f.Limit = "", exportBatch
	first, err := a.auditLog(ctx, who, f)
	if err != nil {
		return nil, err
	}
	return &AuditExport{a: a, who: who, f: f, first: first}, nil
}

// Next returns the next batch of events; none at the end.
func (x *AuditExport) Next(ctx context.Context) ([]*tenantry.Event, error) {
	var batch []*tenantry.Event
	switch {
	case x.done:
		return nil, nil
	case x.first != nil:
		batch, x.first = x.first, nil
	default:
		var err error
		if batch, err = x.a.auditLog(ctx, x.who, x.f); err != nil {
			return nil, err
		}
	}
	if len(batch) < exportBatch {
		x.done = true
	}
	if len(batch) > 0 {
		x.f.Before = batch[len(batch)-1].ID
	}
	return batch, nil
}

// AuditNames names what a page of audit events is about, for people to
// read: each user and organization an event targets or names in its
// details, by id, as "First Last (login)" or the org's name. Ids the
// actor may not see, and deleted ones, are left out.
func (a *App) AuditNames(ctx context.Context, who *Actor, events []*tenantry.Event) (map[string]string, error) {
	ids := map[string]bool{}
	for _, e := range events {
		ids[e.TargetID], ids[e.OrgID] = true, true
		for _, v := range e.Details {
			if s, ok := v.(string); ok && validID(s) {
				ids[s] = true
			}
		}
	}
	out := map[string]string{}
	err := a.view(ctx, func(tx tenantry.Tx) error {
		// A page's events are mostly about a few orgs: decide each once.
		orgs := map[string]*tenantry.Org{}
		visible := func(id string) *tenantry.Org {
			o, seen := orgs[id]
			if !seen {
				o, _ = a.visibleOrg(ctx, tx, who, id)
				orgs[id] = o
			}
			return o
		}
		for id := range ids {
			if !validID(id) {
				continue
			}
			if u, err := tx.User(ctx, id); err == nil {
				if visible(u.OrgID) != nil {
					out[id] = personName(u)
				}
			} else if o := visible(id); o != nil {
				out[id] = o.Name
			}
		}
		return nil
	})
	return out, err
}
