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
	f.Limit = clampLimit(f.Limit)
	orgID := f.OrgID
	var out []*tenantry.Event
	err := a.store.View(ctx, func(tx tenantry.Tx) error {
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
