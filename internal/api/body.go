package api

import (
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// User is a user as the API shows it. It never carries a password hash or
// any other secret.
type User struct {
	ID               string     `json:"id"`
	OrgID            string     `json:"org_id"`
	Kind             string     `json:"kind" enum:"human,api,service"`
	Status           string     `json:"status" enum:"invited,active,locked"`
	Email            string     `json:"email"`
	Login            string     `json:"login"`
	FirstName        string     `json:"first_name"`
	LastName         string     `json:"last_name"`
	Phone            string     `json:"phone"`
	JobTitle         string     `json:"job_title"`
	Language         string     `json:"language" enum:"en,de"`
	ContactBilling   bool       `json:"contact_billing"`
	ContactTechnical bool       `json:"contact_technical"`
	ContactBusiness  bool       `json:"contact_business"`
	NotifyNews       bool       `json:"notify_news"`
	NotifyAlerts     bool       `json:"notify_alerts"`
	InitialOwner     bool       `json:"initial_owner" doc:"The account's first owner, whom nobody in the tenant can change"`
	TwoFactor        bool       `json:"two_factor" doc:"Whether TOTP two-factor sign-in is on"`
	IdentityProvider string     `json:"identity_provider,omitempty" doc:"The identity provider the person signs in with; absent for a password"`
	ExternalLogin    string     `json:"external_login,omitempty" doc:"What the provider's login claim carries for the person; absent when it is their e-mail"`
	BreakGlass       bool       `json:"break_glass" doc:"Keeps a password where an ancestor requires identity providers"`
	Roles            []Grant    `json:"roles"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	LastSignInAt     *time.Time `json:"last_sign_in_at,omitempty"`
}

// Grant is a role held in an organization.
type Grant struct {
	ID        string     `json:"id"`
	OrgID     string     `json:"org_id"`
	Role      string     `json:"role"`
	Service   string     `json:"service,omitempty" doc:"The one service the role applies to; empty for all"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Org is an organization as the API shows it.
type Org struct {
	ID            string               `json:"id"`
	ParentID      string               `json:"parent_id,omitempty"`
	AccountID     string               `json:"account_id,omitempty"`
	Kind          string               `json:"kind" enum:"platform,account,sub"`
	Type          string               `json:"type,omitempty"`
	Name          string               `json:"name"`
	AccountNumber string               `json:"account_number,omitempty"`
	Number        string               `json:"number,omitempty" doc:"A sub-organization's own number, where its catalogue numbers its type"`
	Status        string               `json:"status" enum:"pending,active"`
	Channel       string               `json:"channel" enum:"direct,marketplace"`
	Settings      tenantry.OrgSettings `json:"settings"`
	SIMCount      int64                `json:"sim_count" doc:"How many SIMs the organization holds"`
	Catalogue     string               `json:"catalogue" doc:"The role catalogue of the organization's account"`
	CreatedAt     time.Time            `json:"created_at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toGrant(g tenantry.Grant) Grant {
	return Grant{ID: g.ID, OrgID: g.OrgID, Role: g.Role, Service: g.Service, ExpiresAt: timePtr(g.ExpiresAt)}
}

func toUser(v *app.UserView) User {
	u := v.User
	out := User{ID: u.ID, OrgID: u.OrgID, Kind: string(u.Kind), Status: string(u.Status), Email: u.Email,
		Login: u.Login, FirstName: u.FirstName, LastName: u.LastName, Phone: u.Phone, JobTitle: u.JobTitle,
		Language: u.Language, ContactBilling: u.ContactBilling, ContactTechnical: u.ContactTechnical,
		ContactBusiness: u.ContactBusiness, NotifyNews: u.NotifyNews, NotifyAlerts: u.NotifyAlerts,
		InitialOwner: u.InitialOwner, TwoFactor: u.TOTPEnabled, IdentityProvider: u.IdPID,
		ExternalLogin: u.ExternalLogin, BreakGlass: u.BreakGlass, Roles: []Grant{}, CreatedAt: u.CreatedAt,
		UpdatedAt: u.UpdatedAt, LastSignInAt: timePtr(u.LastSignInAt)}
	for _, g := range v.Grants {
		out.Roles = append(out.Roles, toGrant(g))
	}
	return out
}

func toOrg(o *tenantry.Org) Org {
	return Org{ID: o.ID, ParentID: o.ParentID, AccountID: o.AccountID, Kind: string(o.Kind), Type: o.Type,
		Name: o.Name, AccountNumber: o.AccountNumber, Number: o.Number, Status: string(o.Status), Channel: string(o.Channel),
		Settings: o.Settings, SIMCount: o.SIMCount, Catalogue: o.Catalogue, CreatedAt: o.CreatedAt}
}

func toOrgs(orgs []*tenantry.Org) []Org {
	out := make([]Org, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, toOrg(o))
	}
	return out
}
