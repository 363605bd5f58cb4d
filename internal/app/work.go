package app

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// WorkflowKinds are the kinds of workflow that block an org's deletion.
var WorkflowKinds = []string{"invoice", "sim_action"}

// CreateWorkflow records an open workflow for an org (P1). Operators only.
func (a *App) CreateWorkflow(ctx context.Context, who *Actor, orgID, kind, title string) (*tenantry.Workflow, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var v tenantry.Validation
	if !slices.Contains(WorkflowKinds, kind) {
		v.Add("kind", "must be invoice or sim_action")
	}
	title = strings.TrimSpace(title)
	checkName(&v, "title", title)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var w *tenantry.Workflow
	err := a.update(ctx, func(tx tenantry.Tx) error {
		if !a.operator(ctx, tx, who, policy.PlatformWorkflows) {
			return forbidden("only platform operators record workflows")
		}
		o, err := tx.Org(ctx, orgID)
		if err != nil {
			return err
		}
		w = &tenantry.Workflow{ID: newID(), OrgID: o.ID, Kind: kind, Title: title, Status: "open", CreatedBy: who.User.ID}
		if err := tx.CreateWorkflow(ctx, w); err != nil {
			return err
		}
		return event(ctx, tx, who, o.ID, "workflow.create", "workflow", w.ID, map[string]any{"kind": kind, "title": title})
	})
	return w, err
}

// CloseWorkflow closes an open workflow. Operators only.
func (a *App) CloseWorkflow(ctx context.Context, who *Actor, id string) (*tenantry.Workflow, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var w *tenantry.Workflow
	err := a.update(ctx, func(tx tenantry.Tx) error {
		if !a.operator(ctx, tx, who, policy.PlatformWorkflows) {
			return forbidden("only platform operators close workflows")
		}
		var err error
		if w, err = tx.Workflow(ctx, id); err != nil {
			return err
		}
		if w.Status == "closed" {
			return nil
		}
		w.Status, w.ClosedAt = "closed", tx.Now()
		if err := tx.UpdateWorkflow(ctx, w); err != nil {
			return err
		}
		return event(ctx, tx, who, w.OrgID, "workflow.close", "workflow", w.ID, nil)
	})
	return w, err
}

// Workflows lists an org's workflows: for its members who may see orders,
// and for operators.
func (a *App) Workflows(ctx context.Context, who *Actor, orgID string) ([]*tenantry.Workflow, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []*tenantry.Workflow
	err := a.view(ctx, func(tx tenantry.Tx) error {
		if !a.operator(ctx, tx, who, policy.PlatformWorkflows) {
			if _, err := a.memberOrg(ctx, tx, who, orgID); err != nil {
				return err
			}
			if !a.policy.Allowed(who.Principal(), policy.OrdersSeeAll, policy.Target{Org: orgID}) {
				return a.refused(policy.OrdersSeeAll, orgID, "you may not see this organization's workflows")
			}
		}
		var err error
		out, err = tx.OrgWorkflows(ctx, orgID, false)
		return err
	})
	return out, err
}

// AccountWorkflows lists the workflows of the account of orgID (the
// account itself or any organization in it) and of every organization in
// it, for the platform's operators, with the organizations of the account
// (itself first, then its subtree, at most TreeLimit) to name them and to
// record new ones for.
func (a *App) AccountWorkflows(ctx context.Context, who *Actor, orgID string) ([]*tenantry.Workflow, []*tenantry.Org, error) {
	if err := ready(who); err != nil {
		return nil, nil, err
	}
	var out []*tenantry.Workflow
	var orgs []*tenantry.Org
	err := a.view(ctx, func(tx tenantry.Tx) error {
		if !a.operator(ctx, tx, who, policy.PlatformWorkflows) {
			return forbidden("only platform operators see every workflow of an account")
		}
		acc, err := tx.Org(ctx, orgID)
		if err != nil {
			return err
		}
		if acc.Kind == tenantry.OrgSub {
			if acc, err = tx.Org(ctx, acc.AccountID); err != nil {
				return err
			}
		}
		if acc.Kind != tenantry.OrgAccount {
			return notFound("customer account")
		}
		below, _, err := tx.Subtree(ctx, acc.ID, TreeLimit)
		if err != nil {
			return err
		}
		orgs = append([]*tenantry.Org{acc}, below...)
		out, err = tx.AccountWorkflows(ctx, acc.ID)
		return err
	})
	return out, orgs, err
}

// Service request kinds.
const (
	RequestChangeOwner = "change_owner"
	// RequestReset2FA asks the operator to remove a person's
	// authenticator, for an Owner (whom nobody in the tenant administers)
	// who lost it along with the recovery codes.
	RequestReset2FA = "reset_2fa"
	RequestOther    = "other"
)

// OpenServiceRequest asks the platform operator for something (P2); it
// needs support.new_service_request. A change_owner request names the
// user of the org who should become its owner; a reset_2fa request the
// person whose second factor is to be removed.
func (a *App) OpenServiceRequest(ctx context.Context, who *Actor, orgID, kind, text, newOwnerID string) (*tenantry.ServiceRequest, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var v tenantry.Validation
	text = strings.TrimSpace(text)
	if kind != RequestChangeOwner && kind != RequestReset2FA && kind != RequestOther {
		v.Add("kind", "must be change_owner, reset_2fa or other")
	}
	if text == "" || len(text) > 5000 {
		v.Add("text", "describe the request in 1 to 5,000 characters")
	}
	if kind == RequestChangeOwner && newOwnerID == "" {
		v.Add("new_owner_id", "name the user who should become the owner")
	}
	if kind == RequestReset2FA && newOwnerID == "" {
		v.Add("new_owner_id", "name the person whose two-factor sign-in should be reset")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var r *tenantry.ServiceRequest
	err := a.update(ctx, func(tx tenantry.Tx) error {
		o, err := a.memberOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		if !a.policy.Allowed(who.Principal(), policy.SupportNewServiceRequest, policy.Target{Org: o.ID}) {
			return a.refused(policy.SupportNewServiceRequest, o.ID, "you may not open service requests")
		}
		if kind == RequestReset2FA {
			u, err := tx.User(ctx, newOwnerID)
			if err != nil || u.OrgID != o.ID || u.Kind != tenantry.UserHuman || !u.TOTPEnabled {
				return tenantry.FieldInvalid("new_owner_id", "must be a person of this organization with two-factor sign-in on")
			}
		} else if kind == RequestChangeOwner {
			u, err := tx.User(ctx, newOwnerID)
			if err != nil || u.OrgID != o.ID || u.Kind != tenantry.UserHuman || u.Status != tenantry.UserActive {
				return &tenantry.Error{Code: tenantry.Invalid, Message: "new_owner_id: must be an active person of this organization",
					Fields: []tenantry.FieldError{{Field: "new_owner_id", Message: "must be an active person of this organization"}}}
			}
		} else {
			newOwnerID = ""
		}
		r = &tenantry.ServiceRequest{ID: newID(), OrgID: o.ID, Kind: kind, Text: text, NewOwnerID: newOwnerID,
			Status: "open", CreatedBy: who.User.ID}
		if err := tx.CreateServiceRequest(ctx, r); err != nil {
			return err
		}
		return event(ctx, tx, who, o.ID, "service_request.create", "service_request", r.ID, map[string]any{"kind": kind})
	})
	return r, err
}

// ServiceRequestView is a request with the people it names in words: who
// asked, and whom it is about (the proposed owner, or whose second factor
// is to be reset), each as "First Last (login)", "" for nobody.
type ServiceRequestView struct {
	*tenantry.ServiceRequest
	Requester, Person string
}

// ServiceRequests lists requests: an org's, for its members with
// support.see_all; every org's, for operators (orgID "").
func (a *App) ServiceRequests(ctx context.Context, who *Actor, orgID, status string) ([]ServiceRequestView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []ServiceRequestView
	err := a.view(ctx, func(tx tenantry.Tx) error {
		if orgID == "" {
			if !a.operator(ctx, tx, who, policy.PlatformServiceRequests) {
				return forbidden("only platform operators see every service request")
			}
		} else {
			if _, err := a.memberOrg(ctx, tx, who, orgID); err != nil {
				return err
			}
			if !a.policy.Allowed(who.Principal(), policy.SupportSeeAll, policy.Target{Org: orgID}) {
				return a.refused(policy.SupportSeeAll, orgID, "you may not see this organization's service requests")
			}
		}
		list, err := tx.ServiceRequests(ctx, orgID, status, 200)
		if err != nil {
			return err
		}
		names := map[string]string{"": ""}
		name := func(id string) string {
			if n, ok := names[id]; ok {
				return n
			}
			if u, err := tx.User(ctx, id); err == nil {
				names[id] = personName(u)
			} else {
				names[id] = ""
			}
			return names[id]
		}
		for _, r := range list {
			out = append(out, ServiceRequestView{ServiceRequest: r, Requester: name(r.CreatedBy), Person: name(r.NewOwnerID)})
		}
		return nil
	})
	return out, err
}

// ResolveServiceRequest closes a request (operators only). Accepting a
// change_owner request is the one way an owner is replaced: the named user
// becomes the org's initial owner, and the former initial owner an admin.
func (a *App) ResolveServiceRequest(ctx context.Context, who *Actor, id string, accept bool, resolution string) (*tenantry.ServiceRequest, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var r *tenantry.ServiceRequest
	err := a.update(ctx, func(tx tenantry.Tx) error {
		if !a.operator(ctx, tx, who, policy.PlatformServiceRequests) {
			return forbidden("only platform operators resolve service requests")
		}
		var err error
		if r, err = tx.ServiceRequest(ctx, id); err != nil {
			return err
		}
		if r.Status != "open" {
			return tenantry.Errorf(tenantry.Conflict, "this request is %s already", tenantry.Words{r.Status})
		}
		r.Status, r.Resolution, r.ResolvedBy, r.ResolvedAt = "rejected", strings.TrimSpace(resolution), who.User.ID, tx.Now()
		if accept {
			r.Status = "resolved"
			switch r.Kind {
			case RequestChangeOwner:
				if err := a.changeOwner(ctx, tx, who, r); err != nil {
					return err
				}
			case RequestReset2FA:
				// The operator has checked who asks, out of band; the
				// reset ends the person's sessions and tells them by mail.
				u, err := tx.User(ctx, r.NewOwnerID)
				if err != nil || u.OrgID != r.OrgID {
					return tenantry.Errorf(tenantry.Conflict, "the named person is no longer in this organization")
				}
				if err := a.dropTOTP(ctx, tx, who, u, "user.totp_reset"); err != nil {
					return err
				}
			}
		}
		if err := tx.UpdateServiceRequest(ctx, r); err != nil {
			return err
		}
		if err := a.tellRequester(ctx, tx, r); err != nil {
			return err
		}
		return event(ctx, tx, who, r.OrgID, "service_request."+r.Status, "service_request", r.ID, map[string]any{"kind": r.Kind})
	})
	return r, err
}

// tellRequester e-mails whoever opened r how the operator answered it.
func (a *App) tellRequester(ctx context.Context, tx tenantry.Tx, r *tenantry.ServiceRequest) error {
	u, err := tx.User(ctx, r.CreatedBy)
	if err != nil || u.Status != tenantry.UserActive {
		return nil // gone since: nobody to tell
	}
	kind := notice.RequestRejected
	if r.Status == "resolved" {
		kind = notice.RequestAccepted
	}
	title := r.Text
	if utf8.RuneCountInString(title) > 120 {
		title = string([]rune(title)[:119]) + "…"
	}
	return a.queue(ctx, tx, u.Email, u, kind, r.ID, notice.Data{Title: title, Body: r.Resolution, Link: a.cfg.PublicURL + "/support"})
}

func (a *App) changeOwner(ctx context.Context, tx tenantry.Tx, who *Actor, r *tenantry.ServiceRequest) error {
	org, err := tx.Org(ctx, r.OrgID)
	if err != nil {
		return err
	}
	owner := a.ownerRole(org)
	former := owner // without a former-owner line, a replaced owner keeps the role
	if f, ok := a.policy.FormerOwner(catalogueFor(org)); ok {
		former = a.policy.RoleName(f)
	}
	next, err := tx.User(ctx, r.NewOwnerID)
	if err != nil || next.OrgID != r.OrgID || next.Status != tenantry.UserActive {
		return tenantry.Errorf(tenantry.Conflict, "the named user is no longer an active person of this organization")
	}
	owners, err := tx.InitialOwners(ctx, r.OrgID)
	if err != nil {
		return err
	}
	// Both sides hear of it, each with their role now (P2).
	person := next.FullName()
	tell := func(u *tenantry.User, role string) error {
		return a.queue(ctx, tx, u.Email, u, notice.OwnerChanged, r.ID+":"+u.ID, notice.Data{Org: org.Name, Person: person,
			RoleCodes: []string{role}, Link: a.cfg.PublicURL + "/"})
	}
	for _, u := range owners {
		if u.ID != next.ID {
			u.InitialOwner = false
			if err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
			if err := a.replaceRole(ctx, tx, who, u.ID, r.OrgID, owner, former); err != nil {
				return err
			}
			if err := tell(u, former); err != nil {
				return err
			}
		}
	}
	next.InitialOwner = true
	if err := tx.UpdateUser(ctx, next); err != nil {
		return err
	}
	if err := a.replaceRole(ctx, tx, who, next.ID, r.OrgID, "", owner); err != nil {
		return err
	}
	if err := tell(next, owner); err != nil {
		return err
	}
	return event(ctx, tx, who, r.OrgID, "org.owner_change", "user", next.ID, map[string]any{"service_request": r.ID})
}

// replaceRole takes role old (every role when "") from a user in org and
// gives role new.
func (a *App) replaceRole(ctx context.Context, tx tenantry.Tx, who *Actor, userID, org, old, new string) error {
	gs, err := tx.OrgGrants(ctx, org, []string{userID})
	if err != nil {
		return err
	}
	for _, g := range gs {
		if old == "" || g.Role == old {
			if err := tx.DeleteGrant(ctx, g.ID); err != nil {
				return err
			}
		}
	}
	return tx.CreateGrant(ctx, &tenantry.Grant{ID: newID(), UserID: userID, OrgID: org, Role: new, CreatedBy: who.User.ID})
}
