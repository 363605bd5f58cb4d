package storetest

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// testSCIM covers what SCIM provisioning stores: the connection found by
// its token's hash, people selected by a match and paged by offset with
// their total, externalId unique per org, and the holders of a role.
func testSCIM(t *testing.T, s tenantry.Store, clock *Clock) {
	a, b := mustAccount(t, s, "5100001"), mustAccount(t, s, "5100002")
	svc := &tenantry.User{ID: newID(), OrgID: a.ID, Kind: tenantry.UserService, Status: tenantry.UserActive,
		Login: "scim:" + a.ID, FirstName: "SCIM", LastName: "directory", Language: "en"}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateUser(ctx, svc) })
	c := &tenantry.SCIMConnection{OrgID: a.ID, UserID: svc.ID, TokenHash: "h1", TokenHint: "abcd", DefaultRole: "read_only",
		OnDelete: tenantry.SCIMDeactivate, Exclusive: true}
	update(t, s, func(tx tenantry.Tx) error { return tx.PutSCIMConnection(ctx, c) })
	clock.Advance(2 * time.Minute)
	update(t, s, func(tx tenantry.Tx) error {
		got, err := tx.SCIMConnectionByToken(ctx, "h1")
		if err != nil || got.OrgID != a.ID || !got.Exclusive || got.OnDelete != tenantry.SCIMDeactivate || !got.LastUsedAt.IsZero() {
			t.Fatalf("by token: %+v %v", got, err)
		}
		if _, err := tx.SCIMConnectionByToken(ctx, "h2"); tenantry.ErrorCode(err) != tenantry.NotFound {
			t.Fatalf("unknown token: %v", err)
		}
		c.TokenHash = "h2"
		if err := tx.PutSCIMConnection(ctx, c); err != nil {
			return err
		}
		return tx.TouchSCIMConnection(ctx, a.ID)
	})
	update(t, s, func(tx tenantry.Tx) error {
		if _, err := tx.SCIMConnectionByToken(ctx, "h1"); tenantry.ErrorCode(err) != tenantry.NotFound {
			t.Fatalf("the replaced token still finds the connection: %v", err)
		}
		got, err := tx.SCIMConnection(ctx, a.ID)
		if err != nil || got.LastUsedAt.IsZero() || got.TokenHash != "h2" {
			t.Fatalf("after touch: %+v %v", got, err)
		}
		return nil
	})

	ann := mustUser(t, s, a.ID, "Ann", "Alpha")
	bob := mustUser(t, s, a.ID, "Bob", "Beta_x%")
	cid := mustUser(t, s, a.ID, "Cid", "Gamma")
	other := mustUser(t, s, b.ID, "Ann", "Alpha")
	bob.ExternalID, bob.Status = "ext-1", tenantry.UserLocked
	update(t, s, func(tx tenantry.Tx) error { return tx.UpdateUser(ctx, bob) })
	other.ExternalID = "ext-1" // another org may use the same externalId
	update(t, s, func(tx tenantry.Tx) error { return tx.UpdateUser(ctx, other) })
	cid.ExternalID = "ext-1"
	err := s.Update(ctx, func(tx tenantry.Tx) error { return tx.UpdateUser(ctx, cid) })
	if e, ok := err.(*tenantry.Error); !ok || e.Code != tenantry.Conflict || len(e.Fields) != 1 || e.Fields[0].Field != "external_id" {
		t.Fatalf("a second externalId in the org: %v", err)
	}

	cmp := func(attr tenantry.UserAttr, op string, v any) tenantry.UserMatch {
		return tenantry.UserMatch{Op: tenantry.MatchCompare, Attr: attr, Cmp: op, Value: v}
	}
	query := func(m *tenantry.UserMatch, offset, limit int) ([]*tenantry.User, int) {
		t.Helper()
		var out []*tenantry.User
		var total int
		err := s.View(ctx, func(tx tenantry.Tx) error {
			var err error
			out, total, err = tx.QueryUsers(ctx, tenantry.UserQuery{OrgID: a.ID, Match: m, Offset: offset, Limit: limit})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out, total
	}
	ids := func(us []*tenantry.User) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.FirstName)
		}
		return out
	}
	for name, c := range map[string]struct {
		m    *tenantry.UserMatch
		want int
	}{
		"all people, not the service account": {nil, 3},
		"login eq ignores case":               {ptr(cmp(tenantry.AttrLogin, "eq", ann.Login[:3]+"X"+ann.Login[4:])), 0},
		"login eq":                            {ptr(cmp(tenantry.AttrLogin, "eq", ann.Email)), 1},
		"externalId eq":                       {ptr(cmp(tenantry.AttrExternalID, "eq", "ext-1")), 1},
		"last name co with wildcards":         {ptr(cmp(tenantry.AttrLastName, "co", "_x%")), 1},
		"last name co a wildcard only":        {ptr(cmp(tenantry.AttrLastName, "co", "%")), 1},
		"first name sw":                       {ptr(cmp(tenantry.AttrFirstName, "sw", "a")), 1},
		"email ew":                            {ptr(cmp(tenantry.AttrEmail, "ew", "@EXAMPLE.com")), 3},
		"inactive":                            {ptr(cmp(tenantry.AttrActive, "eq", false)), 1},
		"active ne false":                     {ptr(cmp(tenantry.AttrActive, "ne", false)), 2},
		"externalId pr":                       {ptr(cmp(tenantry.AttrExternalID, "pr", nil)), 1},
		"and":                                 {&tenantry.UserMatch{Op: tenantry.MatchAnd, Sub: []tenantry.UserMatch{cmp(tenantry.AttrFirstName, "eq", "ann"), cmp(tenantry.AttrActive, "eq", true)}}, 1},
		"or":                                  {&tenantry.UserMatch{Op: tenantry.MatchOr, Sub: []tenantry.UserMatch{cmp(tenantry.AttrFirstName, "eq", "ann"), cmp(tenantry.AttrFirstName, "eq", "cid")}}, 2},
		"not":                                 {&tenantry.UserMatch{Op: tenantry.MatchNot, Sub: []tenantry.UserMatch{cmp(tenantry.AttrFirstName, "eq", "ann")}}, 2},
		"created before now":                  {ptr(cmp(tenantry.AttrCreated, "le", clock.Now())), 3},
	} {
		if got, total := query(c.m, 0, 10); len(got) != c.want || total != c.want {
			t.Errorf("%s: %v (total %d), want %d", name, ids(got), total, c.want)
		}
	}
	page, total := query(nil, 1, 1)
	if total != 3 || len(page) != 1 || page[0].ID != bob.ID {
		t.Fatalf("second of one per page: %v of %d", ids(page), total)
	}
	if page, total = query(nil, 0, 0); total != 3 || len(page) != 0 {
		t.Fatalf("count only: %v of %d", ids(page), total)
	}
	if err := s.View(ctx, func(tx tenantry.Tx) error {
		_, _, err := tx.QueryUsers(ctx, tenantry.UserQuery{OrgID: a.ID, Match: ptr(cmp(tenantry.AttrCreated, "co", "x")), Limit: 1})
		return err
	}); tenantry.ErrorCode(err) != tenantry.Invalid {
		t.Fatalf("a date compared as text: %v", err)
	}

	update(t, s, func(tx tenantry.Tx) error {
		for _, g := range []*tenantry.Grant{
			{ID: newID(), UserID: ann.ID, OrgID: a.ID, Role: "user"},
			{ID: newID(), UserID: bob.ID, OrgID: a.ID, Role: "user", ExpiresAt: clock.Now().Add(time.Hour)},
			{ID: newID(), UserID: cid.ID, OrgID: a.ID, Role: "user", Service: "compute"},
			{ID: newID(), UserID: svc.ID, OrgID: a.ID, Role: "user"},
		} {
			if err := tx.CreateGrant(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	clock.Advance(2 * time.Hour)
	update(t, s, func(tx tenantry.Tx) error {
		holders, err := tx.RoleHolders(ctx, a.ID, "user", "")
		if err != nil || len(holders) != 1 || holders[0].ID != ann.ID {
			t.Fatalf("holders of user (bob's expired, cid's per service, the service account no person): %v %v", ids(holders), err)
		}
		return tx.DeleteSCIMConnection(ctx, a.ID)
	})
	if err := s.Update(ctx, func(tx tenantry.Tx) error { return tx.DeleteSCIMConnection(ctx, a.ID) }); tenantry.ErrorCode(err) != tenantry.NotFound {
		t.Fatalf("delete twice: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
