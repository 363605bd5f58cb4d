package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/mail"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// NewAccount is what an operator gives to open a customer account.
type NewAccount struct {
	Name    string
	Channel tenantry.Channel // "" means direct
	// Catalogue is the account's role catalogue; "" means the
	// deployment's default (Config.Catalogue).
	Catalogue string
	Owner     NewUser // the initial owner; Roles are ignored
}

// CreateAccount opens a customer account: a root organization with a new
// account number, pending until its initial owner, created with it, sets a
// password through the e-mailed activation link. Operators only.
func (a *App) CreateAccount(ctx context.Context, who *Actor, in NewAccount) (*tenantry.Org, *UserView, error) {
	if err := ready(who); err != nil {
		return nil, nil, err
	}
	var v tenantry.Validation
	in.Name = strings.TrimSpace(in.Name)
	checkName(&v, "name", in.Name)
	if in.Channel == "" {
		in.Channel = tenantry.ChannelDirect
	}
	if in.Channel != tenantry.ChannelDirect && in.Channel != tenantry.ChannelMarketplace {
		v.Add("channel", "must be direct or marketplace")
	}
	if in.Catalogue == "" {
		in.Catalogue = a.cfg.Catalogue
	}
	if !slices.Contains(a.policy.Catalogues(), in.Catalogue) {
		v.Add("catalogue", "must be one of %s", strings.Join(a.policy.Catalogues(), ", "))
	}
	validateNewUser(&v, "owner.", &in.Owner, tenantry.OrgSettings{SelfManagedProfile: true})
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	var org *tenantry.Org
	var owner *UserView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		p, err := tx.PlatformOrg(ctx)
		if err != nil {
			return err
		}
		if !a.policy.Allowed(who.Principal(), policy.PlatformAccountsCreate, policy.Target{Org: p.ID}) {
			return forbidden("only platform operators open customer accounts")
		}
		id := newID()
		org = &tenantry.Org{ID: id, AccountID: id, Kind: tenantry.OrgAccount, Name: in.Name,
			Status: tenantry.OrgPending, Channel: in.Channel, Settings: tenantry.OrgSettings{SelfManagedProfile: true},
			Catalogue: in.Catalogue}
		if err := a.createWithAccountNumber(ctx, tx, org); err != nil {
			return err
		}
		if err := event(ctx, tx, who, p.ID, "account.create", "org", org.ID,
			map[string]any{"account_number": org.AccountNumber, "name": org.Name, "catalogue": org.Catalogue}); err != nil {
			return err
		}
		owner, err = a.insertUser(ctx, tx, who, org, in.Owner, []string{a.ownerRole(org)}, true)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return org, owner, nil
}

// ownerRole names the role an org's catalogue gives its initial owner.
func (a *App) ownerRole(o *tenantry.Org) string {
	r, _ := a.policy.AccountOwner(catalogueFor(o)) // the policy checks every customer catalogue has one
	return a.policy.RoleName(r)
}

// createWithAccountNumber inserts an account under a fresh random
// nine-digit account number, drawing again on the rare collision.
func (a *App) createWithAccountNumber(ctx context.Context, tx tenantry.Tx, o *tenantry.Org) error {
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(900_000_000))
		if err != nil {
			return err
		}
		o.AccountNumber = fmt.Sprint(100_000_000 + n.Int64())
		// Probe first: on PostgreSQL a failed INSERT would abort the transaction.
		_, err = tx.AccountByNumber(ctx, o.AccountNumber)
		switch tenantry.ErrorCode(err) {
		case "":
			continue
		case tenantry.NotFound:
			return tx.CreateOrg(ctx, o)
		default:
			return err
		}
	}
}

// Accounts lists customer accounts by account number, after the given one.
// Operators only.
func (a *App) Accounts(ctx context.Context, who *Actor, after string, limit int) ([]*tenantry.Org, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []*tenantry.Org
	err := a.view(ctx, func(tx tenantry.Tx) error {
		p, err := tx.PlatformOrg(ctx)
		if err != nil {
			return err
		}
		if !a.policy.Allowed(who.Principal(), policy.PlatformAccountsSeeAll, policy.Target{Org: p.ID}) {
			return forbidden("only platform operators list customer accounts")
		}
		out, err = tx.Accounts(ctx, after, clampLimit(limit))
		return err
	})
	return out, err
}

// visibleOrg loads an org the actor may see: one where they hold a role,
// one below an org where they may see organisations, or any customer
// account for an operator. Others are NotFound, so ids cannot be probed.
func (a *App) visibleOrg(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.Org, error) {
	o, err := tx.Org(ctx, id)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return nil, notFound("organization")
	}
	if err != nil {
		return nil, err
	}
	p := who.Principal()
	switch {
	case a.policy.Member(p, o.ID):
		return o, nil
	case o.ParentID != "":
		from, err := a.seesBelow(ctx, tx, who, o.ParentID)
		if err != nil {
			return nil, err
		}
		if from != "" {
			return o, nil
		}
	case o.Kind == tenantry.OrgAccount && a.operator(ctx, tx, who, policy.PlatformAccountsSeeAll):
		return o, nil
	}
	return nil, notFound("organization")
}

// seesBelow returns the org, id itself or the nearest of its ancestors,
// where the actor may see organisations, and so everything below it; ""
// when there is none. A parent sees its whole subtree, however deep.
func (a *App) seesBelow(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (string, error) {
	p := who.Principal()
	if a.policy.Allowed(p, policy.OrganisationSeeAll, policy.Target{Org: id}) {
		return id, nil
	}
	path, err := tx.OrgPath(ctx, id)
	if err != nil {
		return "", err
	}
	for _, up := range path[1:] {
		if a.policy.Allowed(p, policy.OrganisationSeeAll, policy.Target{Org: up.ID}) {
			return up.ID, nil
		}
	}
	return "", nil
}

// operator reports whether who may do a platform action.
func (a *App) operator(ctx context.Context, tx tenantry.Tx, who *Actor, act policy.Action) bool {
	p, err := tx.PlatformOrg(ctx)
	return err == nil && a.policy.Allowed(who.Principal(), act, policy.Target{Org: p.ID})
}

// Org returns an organization the actor may see.
func (a *App) Org(ctx context.Context, who *Actor, id string) (*tenantry.Org, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var o *tenantry.Org
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		o, err = a.visibleOrg(ctx, tx, who, id)
		return err
	})
	return o, err
}

// ChildOrgs lists an organization's direct children; it needs
// organisation.see_all in that organization or one above it.
func (a *App) ChildOrgs(ctx context.Context, who *Actor, id string) ([]*tenantry.Org, error) {
	tree, err := a.OrgTree(ctx, who, id, 1)
	return tree.Orgs, err
}

// TreeLimit is the most organizations OrgTree returns at once.
const TreeLimit = 1000

// OrgTree is the part of an organization's subtree a viewer sees.
type OrgTree struct {
	// Orgs are the organizations below the root, nearest first and by
	// name within a level; Depths[i] is Orgs[i]'s level (1 for a child).
	Orgs   []*tenantry.Org
	Depths []int
	// Truncated: there are more than TreeLimit.
	Truncated bool
}

// OrgTree returns the organizations below id down to depth levels (0 for
// all), for a viewer who may see organisations there or above (O1).
func (a *App) OrgTree(ctx context.Context, who *Actor, id string, depth int) (OrgTree, error) {
	var out OrgTree
	if err := ready(who); err != nil {
		return out, err
	}
	err := a.view(ctx, func(tx tenantry.Tx) error {
		o, err := a.visibleOrg(ctx, tx, who, id)
		if err != nil {
			return err
		}
		from, err := a.seesBelow(ctx, tx, who, o.ID)
		if err != nil {
			return err
		}
		if from == "" {
			return forbidden("you may not see this organization's sub-organizations")
		}
		if err := noMarketplace(o); err != nil {
			return err
		}
		if err := a.mgmt(who, from); err != nil {
			return err
		}
		if depth == 1 {
			out.Orgs, err = tx.ChildOrgs(ctx, o.ID)
			out.Depths = make([]int, len(out.Orgs))
			for i := range out.Depths {
				out.Depths[i] = 1
			}
			return err
		}
		out.Orgs, out.Depths, err = tx.Subtree(ctx, o.ID, TreeLimit+1)
		if len(out.Orgs) > TreeLimit {
			out.Orgs, out.Depths, out.Truncated = out.Orgs[:TreeLimit], out.Depths[:TreeLimit], true
		}
		for i, d := range out.Depths {
			if depth > 0 && d > depth {
				out.Orgs, out.Depths = out.Orgs[:i], out.Depths[:i]
				break
			}
		}
		return err
	})
	return out, err
}

// Page size bounds of every list.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

const maxNameLen = 200

func checkName(v *tenantry.Validation, field, s string) {
	switch {
	case s == "":
		v.Add(field, "is required")
	case len([]rune(s)) > maxNameLen:
		v.Add(field, "must have at most %d characters", maxNameLen)
	}
}

func checkEmail(v *tenantry.Validation, field, s string) {
	if s == "" {
		v.Add(field, "is required")
		return
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" || len(s) > 254 {
		v.Add(field, "is not an e-mail address like name@example.com")
	}
}
