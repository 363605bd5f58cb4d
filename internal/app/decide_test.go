package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
)

// TestDecisionReasons covers the reasons the API test does not reach
// cheaply: a grant that ran out, a role held for another service, a
// service the account has not enabled (company admin included), and a
// parent's 2FA rule that a person has not met yet.
func TestDecisionReasons(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, _, err := e.app.CreateAccount(ctx, op, app.NewAccount{Name: "Cloudy", Catalogue: "cloud",
			Owner: app.NewUser{Email: "ca@cloudy.example", FirstName: "C", LastName: "A"}})
		e.must(err)
		e.activate("ca@cloudy.example")
		owner := e.signIn("ca@cloudy.example")
		_, err = e.app.SetServices(ctx, op, acc.ID, []string{"backup"})
		e.must(err)
		person := func(email string, roles ...string) string {
			v, err := e.app.CreateUser(ctx, owner, acc.ID, app.NewUser{Email: email, FirstName: "P", LastName: "Q", Roles: roles})
			e.must(err)
			e.activate(email)
			return v.ID
		}
		svc := person("svc@cloudy.example", "service_user:backup")
		temp := person("temp@cloudy.example", "unit_admin")
		_, err = e.app.GrantRole(ctx, owner, temp, app.NewGrant{Role: "company_admin", ExpiresAt: e.clock.Now().Add(time.Hour)})
		e.must(err)
		e.clock.Advance(2 * time.Hour)
		asApp := e.application(op)
		org := app.Resource{Type: app.ResourceOrg, ID: acc.ID}
		for _, tc := range []struct {
			subject, action, reason, says string
		}{
			{svc, "backup.use", "granted", "for the service backup"},
			{svc, "notary.use", "other_service", "for the service backup only"},
			{owner.User.ID, "notary.use", "service_disabled", "the service notary is not enabled for Cloudy"},
			{owner.User.ID, "backup.administer", "granted", "holds company admin"},
			{temp, "account.customer_data", "grant_expired", "the role company admin in Cloudy that allowed account.customer_data ended"},
		} {
			ds, err := e.app.Decide(ctx, asApp, []app.Question{{SubjectType: "user", SubjectID: tc.subject, Action: tc.action, Resource: org}}, nil)
			e.must(err)
			if d := ds[0]; d.Reason != tc.reason || d.Allowed != (tc.reason == "granted") || !strings.Contains(d.Message, tc.says) {
				t.Errorf("%s: %+v", tc.action, d)
			}
		}
		on := true
		_, err = e.app.UpdateOrgSettings(ctx, owner, acc.ID, app.OrgSettingsPatch{Require2FA: &on})
		e.must(err)
		ds, err := e.app.Decide(ctx, asApp, []app.Question{{SubjectType: "user", SubjectID: svc, Action: "backup.use", Resource: org}}, nil)
		e.must(err)
		if d := ds[0]; d.Allowed || d.Reason != "mfa_required" || !strings.Contains(d.Message, "Cloudy requires two-factor sign-in") {
			t.Errorf("the 2FA rule: %+v", ds[0])
		}
	})
}

// application registers an application with the operator and returns it
// as an actor.
func (e *env) application(op *app.Actor) *app.Actor {
	e.t.Helper()
	e.must(e.app.RotateKeys(ctx))
	v, secret, err := e.app.CreateClient(ctx, op, op.User.OrgID, app.NewClient{Name: "dash", Roles: []string{"application"}})
	e.must(err)
	tok, err := e.app.IssueToken(ctx, v.Login, secret, "", "127.0.0.1")
	e.must(err)
	who, err := e.app.AuthenticateBearer(ctx, tok.AccessToken, "127.0.0.1")
	e.must(err)
	return who
}
