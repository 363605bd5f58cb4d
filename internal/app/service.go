package app

import (
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Services returns the services enabled for an org's account (seed 003):
// the ones a per-service role there may name. Whoever may see the org may
// read them.
func (a *App) Services(ctx context.Context, who *Actor, orgID string) ([]string, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []string
	err := a.store.View(ctx, func(tx tenantry.Tx) error {
		o, err := a.visibleOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		out, err = tx.AccountServices(ctx, o.AccountID)
		return err
	})
	return out, err
}

// SetServices enables exactly the given services of its catalogue for a
// customer account and its whole tree. Operators only. Disabling a
// service takes every role limited to it in the tree, in the same
// transaction; a role for every service (Company administrator) reaches a
// service enabled later without a new grant.
func (a *App) SetServices(ctx context.Context, who *Actor, accountID string, services []string) ([]string, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []string
	err := a.update(ctx, func(tx tenantry.Tx) error {
		if !a.operator(ctx, tx, who, policy.PlatformAccountsCreate) {
			return forbidden("only platform operators enable services")
		}
		acc, err := tx.Org(ctx, accountID)
		if tenantry.ErrorCode(err) == tenantry.NotFound || (err == nil && acc.Kind != tenantry.OrgAccount) {
			return notFound("customer account")
		}
		if err != nil {
			return err
		}
		offered := a.policy.Services(catalogueFor(acc))
		var v tenantry.Validation
		seen := map[string]bool{}
		for _, s := range services {
			switch {
			case len(offered) == 0:
				v.Add("services", "the %s catalogue has no services", catalogueFor(acc))
			case !slices.Contains(offered, s):
				v.Add("services", "%q is not a service of the %s catalogue; its services are %s", s, catalogueFor(acc),
					strings.Join(offered, ", "))
			case seen[s]:
				v.Add("services", "%q is given twice", s)
			}
			seen[s] = true
		}
		if err := v.Err(); err != nil {
			return err
		}
		before, err := tx.AccountServices(ctx, acc.ID)
		if err != nil {
			return err
		}
		var enabled, disabled []string
		revoked := int64(0)
		for _, s := range before {
			if !seen[s] {
				disabled = append(disabled, s)
				n, err := tx.DeleteServiceGrants(ctx, acc.ID, s)
				if err != nil {
					return err
				}
				revoked += n
			}
		}
		for _, s := range services {
			if !slices.Contains(before, s) {
				enabled = append(enabled, s)
			}
		}
		if err := tx.SetAccountServices(ctx, acc.ID, services); err != nil {
			return err
		}
		if out, err = tx.AccountServices(ctx, acc.ID); err != nil {
			return err
		}
		if len(enabled)+len(disabled) == 0 {
			return nil
		}
		return event(ctx, tx, who, acc.ID, "account.services", "org", acc.ID,
			map[string]any{"enabled": enabled, "disabled": disabled, "roles_revoked": revoked})
	})
	return out, err
}
