package app

import (
	"context"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// OrgSettingsPatch changes some of an organization's settings; nil leaves
// a setting alone.
type OrgSettingsPatch struct {
	// Require2FA makes TOTP mandatory for the org's people; the org's own
	// owners and admins decide it. Service accounts and API users are
	// exempt (U7).
	Require2FA *bool
	// SelfManagedProfile gives a sub-organization's users phone, job title
	// and company contacts (O6); only its parent decides it.
	SelfManagedProfile *bool
}

// UpdateOrgSettings changes an organization's settings, all of them or
// none, and returns the organization; an empty patch just reads it.
func (a *App) UpdateOrgSettings(ctx context.Context, who *Actor, orgID string, p OrgSettingsPatch) (*tenantry.Org, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var o *tenantry.Org
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		if o, err = a.visibleOrg(ctx, tx, who, orgID); err != nil {
			return err
		}
		changed := map[string]any{}
		if p.Require2FA != nil && *p.Require2FA != o.Settings.Require2FA {
			if _, err := a.mgmtOrg(ctx, tx, who, o.ID); err != nil {
				return err
			}
			if !a.policy.Allowed(who.Principal(), policy.AccountCustomerData, policy.Target{Org: o.ID}) {
				return forbidden("you may not change this organization's settings")
			}
			o.Settings.Require2FA = *p.Require2FA
			changed["require_2fa"] = *p.Require2FA
		}
		if p.SelfManagedProfile != nil && *p.SelfManagedProfile != o.Settings.SelfManagedProfile {
			if o.Kind != tenantry.OrgSub {
				return forbidden("only a parent switches a sub-organization's customer profile")
			}
			if _, err := a.manageable(ctx, tx, who, o.ParentID); err != nil {
				if tenantry.ErrorCode(err) == tenantry.NotFound {
					return forbidden("only the parent organization switches the customer profile")
				}
				return err
			}
			o.Settings.SelfManagedProfile = *p.SelfManagedProfile
			changed["self_managed_profile"] = *p.SelfManagedProfile
		}
		if len(changed) == 0 {
			return nil
		}
		if err := tx.UpdateOrg(ctx, o); err != nil {
			return err
		}
		return event(ctx, tx, who, o.ID, "org.settings", "org", o.ID, changed)
	})
	return o, err
}
