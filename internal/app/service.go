package app

import (
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// ServiceSet is what an account offers of its catalogue's services.
type ServiceSet struct {
	Enabled   []string // enabled for the account and its tree, sorted
	Available []string // every service of the catalogue, sorted
}

// Services returns the services of an org's account (seed 003): those
// enabled, which a per-service role there may name, and all its catalogue
// has. Whoever may see the org may read them.
func (a *App) Services(ctx context.Context, who *Actor, orgID string) (ServiceSet, error) {
	if err := ready(who); err != nil {
		return ServiceSet{}, err
	}
	var out ServiceSet
	err := a.view(ctx, func(tx tenantry.Tx) error {
		o, err := a.visibleOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		out, err = a.serviceSet(ctx, tx, o)
		return err
	})
	return out, err
}

func (a *App) serviceSet(ctx context.Context, tx tenantry.Tx, o *tenantry.Org) (ServiceSet, error) {
	enabled, err := tx.AccountServices(ctx, o.AccountID)
	available := a.policy.Services(catalogueFor(o))
	if available == nil {
		available = []string{}
	}
	return ServiceSet{Enabled: enabled, Available: available}, err
}

// SetServices enables exactly the given services of its catalogue for a
// customer account and its whole tree. Operators only. Disabling a
// service takes every role limited to it in the tree, in the same
// transaction; a role for every service (Company administrator) reaches a
// service enabled later without a new grant.
func (a *App) SetServices(ctx context.Context, who *Actor, accountID string, services []string) (ServiceSet, error) {
	if err := ready(who); err != nil {
		return ServiceSet{}, err
	}
	var out ServiceSet
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
		if out, err = a.serviceSet(ctx, tx, acc); err != nil {
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

// checkService adds to v what is wrong with limiting role r in org to
// service ("" for every service): the service must be one of the
// catalogue's and enabled for the org's account, and a per-service role
// must name one (seed 003).
func (a *App) checkService(ctx context.Context, tx tenantry.Tx, v *tenantry.Validation, field string, org *tenantry.Org,
	r policy.Role, service string) error {
	services := a.policy.Services(catalogueFor(org))
	if service == "" && !a.policy.PerService(r) {
		return nil
	}
	if len(services) == 0 {
		v.Add(field, "this organization's roles apply to all it does: it has no services to limit a role to")
		return nil
	}
	enabled, err := tx.AccountServices(ctx, org.AccountID)
	if err != nil {
		return err
	}
	role := a.policy.RoleName(r)
	switch {
	case service == "" && len(enabled) == 0:
		v.Add(field, "%s is given per service, and no service is enabled for this account yet", role)
	case service == "":
		v.Add(field, "%s is given per service: name one, as %s:%s (enabled: %s)", role, role, enabled[0], strings.Join(enabled, ", "))
	case !slices.Contains(services, service):
		v.Add(field, "%q is not a service of this organization; its services are %s", service, strings.Join(services, ", "))
	case !slices.Contains(enabled, service):
		v.Add(field, "the service %s is not enabled for this account (enabled: %s); the platform operator enables services",
			service, listOrNone(enabled))
	}
	return nil
}
