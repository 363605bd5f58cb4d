package app

import (
	"context"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// AuditLog returns one page of an org's audit events, newest first (B6):
// before is the last id of the previous page, actionPrefix narrows by
// action ("user." for every user change). Owners and Admins read it.
func (a *App) AuditLog(ctx context.Context, who *Actor, orgID, before, actionPrefix string, limit int) ([]*tenantry.Event, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []*tenantry.Event
	err := a.store.View(ctx, func(tx tenantry.Tx) error {
		if _, err := a.mgmtOrg(ctx, tx, who, orgID); err != nil {
			return err
		}
		p := who.Principal()
		if !a.policy.Allowed(p, policy.AccountCustomerData, policy.Target{Org: orgID}) || !a.policy.Allowed(p, policy.UsersSeeAll, policy.Target{Org: orgID}) {
			return forbidden("only owners and admins read the audit log")
		}
		var err error
		out, err = tx.Events(ctx, orgID, before, actionPrefix, clampLimit(limit))
		return err
	})
	return out, err
}
