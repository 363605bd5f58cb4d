package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// OrgTypes are the optional types of a sub-organization (O1).
var OrgTypes = []string{"partner", "folder", "customer", "unit"}

// NewSubOrg is the input of CreateSubOrg, validated as a whole (O2).
type NewSubOrg struct {
	Name string
	Type string
	// SelfManagedProfile gives the child's users phone, job title and
	// company contacts (O6).
	SelfManagedProfile bool
	Owner              NewUser // the new org's owner, invited by e-mail
}

// ChildTypes returns the types a sub-organization of parent may have, and
// whether one is required: its catalogue's "contains" lines, or, where a
// catalogue has none, any of OrgTypes or none (O1).
func (a *App) ChildTypes(parent *tenantry.Org) (types []string, required bool) {
	types, declared := a.policy.ChildTypes(catalogueFor(parent), typeOf(parent))
	if !declared {
		return OrgTypes, false
	}
	return types, true
}

// typeOf is an org's tenant type as "contains" lines name it.
func typeOf(o *tenantry.Org) string {
	if o.Kind == tenantry.OrgAccount {
		return "account"
	}
	return o.Type
}

// checkType adds to v what is wrong with a new child of parent of type t.
func checkType(v *tenantry.Validation, p *policy.Policy, parent *tenantry.Org, t string) {
	types, declared := p.ChildTypes(catalogueFor(parent), typeOf(parent))
	switch {
	case !declared && t != "" && !slices.Contains(OrgTypes, t):
		v.Add("type", "must be one of partner, folder, customer, unit, or empty")
	case declared && len(types) == 0:
		v.Add("type", "no organization is allowed under %s", typeOf(parent))
	case declared && !slices.Contains(types, t):
		v.Add("type", "must be one of %s: the types allowed under %s", strings.Join(types, ", "), typeOf(parent))
	}
}

// number gives a new sub-organization its own number: its account's
// number, a dash and the account's next count.
func (a *App) number(ctx context.Context, tx tenantry.Tx, o *tenantry.Org) error {
	acc, err := tx.Org(ctx, o.AccountID)
	if err != nil {
		return err
	}
	n, err := tx.NextSubNumber(ctx, acc.ID)
	o.Number = fmt.Sprintf("%s-%d", acc.AccountNumber, n)
	return err
}

// noMarketplace refuses organization management in marketplace accounts (O5).
func noMarketplace(o *tenantry.Org) error {
	if o.Channel == tenantry.ChannelMarketplace {
		return tenantry.Errorf(tenantry.OrgManagementUnavailable,
			"organization management is not available for accounts bought through a marketplace")
	}
	return nil
}

// manageable loads an org whose children the actor manages: a member org
// with organisation.add_organisation, outside the marketplace channel.
func (a *App) manageable(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.Org, error) {
	o, err := a.mgmtOrg(ctx, tx, who, id)
	if err != nil {
		return nil, err
	}
	if err := noMarketplace(o); err != nil {
		return nil, err
	}
	if !a.policy.Allowed(who.Principal(), policy.OrganisationAddOrganisation, policy.Target{Org: o.ID}) {
		return nil, a.refused(policy.OrganisationAddOrganisation, o.ID, "you may not manage this organization's sub-organizations")
	}
	return o, nil
}

// MayManageChildren says why the actor may not create and delete o's
// sub-organizations (or switch their customer profile), by the rules
// manageable applies, or nil when they may: for the portal to decide what
// to offer before anyone fills in a form.
func (a *App) MayManageChildren(ctx context.Context, who *Actor, o *tenantry.Org) error {
	if err := ready(who); err != nil {
		return err
	}
	if o.Kind == tenantry.OrgPlatform {
		return forbidden("the platform has no sub-organizations")
	}
	return a.view(ctx, func(tx tenantry.Tx) error {
		_, err := a.manageable(ctx, tx, who, o.ID)
		return err
	})
}

// CreateSubOrg creates a sub-organization below parentID with its owner
// (O1, O2). It stays pending until that owner sets a password through the
// e-mailed link.
func (a *App) CreateSubOrg(ctx context.Context, who *Actor, parentID string, in NewSubOrg) (*tenantry.Org, *UserView, error) {
	if err := ready(who); err != nil {
		return nil, nil, err
	}
	var org *tenantry.Org
	var owner *UserView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		parent, err := a.manageable(ctx, tx, who, parentID)
		if err != nil {
			return err
		}
		var v tenantry.Validation
		in.Name, in.Type = strings.TrimSpace(in.Name), strings.TrimSpace(in.Type)
		checkName(&v, "name", in.Name)
		checkType(&v, a.policy, parent, in.Type)
		settings := tenantry.OrgSettings{SelfManagedProfile: in.SelfManagedProfile}
		validateNewUser(&v, "owner.", &in.Owner, settings)
		if err := v.Err(); err != nil {
			return err
		}
		if other, err := tx.UserByLogin(ctx, in.Owner.Login); err == nil && other != nil {
			return &tenantry.Error{Code: tenantry.Conflict, Message: "owner.login: this person has a login already; choose another owner or a custom login",
				Fields: []tenantry.FieldError{{Field: "owner.login", Message: "has a login already"}}}
		}
		org = &tenantry.Org{ID: newID(), ParentID: parent.ID, AccountID: parent.AccountID, Kind: tenantry.OrgSub,
			Type: in.Type, Name: in.Name, Status: tenantry.OrgPending, Channel: parent.Channel, Settings: settings,
			Catalogue: parent.Catalogue}
		if a.policy.Numbered(org.Catalogue, org.Type) {
			if err := a.number(ctx, tx, org); err != nil {
				return err
			}
		}
		if err := tx.CreateOrg(ctx, org); err != nil {
			return err
		}
		if err := event(ctx, tx, who, parent.ID, "org.create", "org", org.ID, map[string]any{"name": org.Name, "type": org.Type}); err != nil {
			return err
		}
		owner, err = a.insertUser(ctx, tx, who, org, in.Owner, []string{a.ownerRole(org)}, true)
		return err
	})
	return org, owner, err
}

// DeleteSubOrg deletes a sub-organization (O4): only when it is active,
// holds no SIMs, has no open workflows and no children. Otherwise the
// error lists every blocking reason with its code.
func (a *App) DeleteSubOrg(ctx context.Context, who *Actor, id string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		o, err := a.visibleOrg(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if o.Kind != tenantry.OrgSub {
			return forbidden("only sub-organizations can be deleted here; customer accounts are closed by the platform operator")
		}
		if _, err := a.manageable(ctx, tx, who, o.ParentID); err != nil {
			if tenantry.ErrorCode(err) == tenantry.NotFound {
				return forbidden("only the parent organization's owners and admins delete a sub-organization")
			}
			return err
		}
		var reasons []tenantry.FieldError
		if o.Status == tenantry.OrgPending {
			reasons = append(reasons, a.reason("pending", tenantry.Say("it is not fully created yet: its owner has not set a password")))
		}
		if o.SIMCount > 0 {
			reasons = append(reasons, a.reason("has_sims", tenantry.Say("it holds %d SIMs; transfer them first", o.SIMCount)))
		}
		open, err := tx.OrgWorkflows(ctx, o.ID, true)
		if err != nil {
			return err
		}
		if len(open) > 0 {
			var kinds tenantry.Words
			for _, w := range open {
				if !slices.Contains(kinds, w.Kind) {
					kinds = append(kinds, w.Kind)
				}
			}
			reasons = append(reasons, a.reason("open_workflows", tenantry.Say("it has %d open workflows (%s)", len(open), kinds)))
		}
		kids, err := tx.ChildOrgs(ctx, o.ID)
		if err != nil {
			return err
		}
		if len(kids) > 0 {
			reasons = append(reasons, a.reason("has_children", tenantry.Say("it has %d sub-organizations; delete them first", len(kids))))
		}
		if len(reasons) > 0 {
			msg := "this organization cannot be deleted: " + reasons[0].Message
			for _, r := range reasons[1:] {
				msg += "; " + r.Message
			}
			return &tenantry.Error{Code: tenantry.OrgNotDeletable, Message: msg, Fields: reasons}
		}
		if err := tx.DeleteOrg(ctx, o.ID); err != nil {
			return err
		}
		return event(ctx, tx, who, o.ParentID, "org.delete", "org", o.ID, map[string]any{"name": o.Name})
	})
}
