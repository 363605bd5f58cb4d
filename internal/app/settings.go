package app

import (
	"context"
	"slices"
	"strings"
	"time"

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
	// SessionHours ends sessions of the org's people (and of everyone
	// below it) this long after sign-in; 0 follows the parent (B4).
	SessionHours *int
	// PasswordMinLength is the fewest characters of a new password for
	// the org's people and everyone below; 0 follows the parent (B4).
	PasswordMinLength *int
	// RequireIdP leaves the org's people and everyone below it only the
	// sign-in through an identity provider, but for the break-glass
	// accounts the org names (B4).
	RequireIdP *bool
	// TimeZone is the IANA zone of the org's dates; "" follows the parent.
	TimeZone *string
}

// securityOrg loads an org whose security settings (2FA, sessions,
// passwords, identity providers) the actor may change.
func (a *App) securityOrg(ctx context.Context, tx tenantry.Tx, who *Actor, orgID string) (*tenantry.Org, error) {
	o, err := a.mgmtOrg(ctx, tx, who, orgID)
	if err != nil {
		return nil, err
	}
	if !a.policy.Allowed(who.Principal(), policy.AccountCustomerData, policy.Target{Org: o.ID}) {
		return nil, a.refused(policy.AccountCustomerData, o.ID, "you may not change this organization's security settings")
	}
	return o, nil
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
		if p.Require2FA != nil || p.SessionHours != nil || p.PasswordMinLength != nil || p.RequireIdP != nil || p.TimeZone != nil {
			if _, err := a.securityOrg(ctx, tx, who, o.ID); err != nil {
				return err
			}
			s, err := a.securityOf(ctx, tx, o.ID)
			if err != nil {
				return err
			}
			var v tenantry.Validation
			checkSecurity(&v, s, p)
			if p.TimeZone != nil {
				*p.TimeZone = strings.TrimSpace(*p.TimeZone)
				checkTimeZone(&v, *p.TimeZone)
			}
			if err := v.Err(); err != nil {
				return err
			}
		}
		if p.Require2FA != nil && *p.Require2FA != o.Settings.Require2FA {
			o.Settings.Require2FA = *p.Require2FA
			changed["require_2fa"] = *p.Require2FA
		}
		if p.RequireIdP != nil && *p.RequireIdP != o.Settings.RequireIdP {
			if *p.RequireIdP && who.User.IdPID == "" && !who.User.BreakGlass {
				// The actor would lock themselves out if the rule reaches them.
				path, err := tx.OrgPath(ctx, who.User.OrgID)
				if err != nil {
					return err
				}
				if slices.ContainsFunc(path, func(up *tenantry.Org) bool { return up.ID == o.ID }) {
					var v tenantry.Validation
					v.Add("require_idp", "you sign in with a password: make yourself a break-glass account first, or this rule would lock you out")
					return v.Err()
				}
			}
			o.Settings.RequireIdP = *p.RequireIdP
			changed["require_idp"] = *p.RequireIdP
		}
		if p.SessionHours != nil && *p.SessionHours != o.Settings.SessionHours {
			o.Settings.SessionHours = *p.SessionHours
			changed["session_hours"] = *p.SessionHours
			if h := *p.SessionHours; h > 0 {
				if err := tx.CapSessions(ctx, o.ID, time.Duration(h)*time.Hour); err != nil {
					return err
				}
			}
		}
		if p.PasswordMinLength != nil && *p.PasswordMinLength != o.Settings.PasswordMinLength {
			o.Settings.PasswordMinLength = *p.PasswordMinLength
			changed["password_min_length"] = *p.PasswordMinLength
		}
		if p.TimeZone != nil && *p.TimeZone != o.Settings.TimeZone {
			o.Settings.TimeZone = *p.TimeZone
			changed["time_zone"] = *p.TimeZone
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
