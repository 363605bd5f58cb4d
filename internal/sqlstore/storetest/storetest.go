// Package storetest is the conformance and tenant-isolation suite that
// every tenantry.Store must pass.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// Clock is a settable clock for the store under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at a fixed time.
func NewClock() *Clock {
	return &Clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Run runs the suite; newStore returns a fresh, empty store reading clock.
func Run(t *testing.T, newStore func(t *testing.T, now func() time.Time) tenantry.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, tenantry.Store, *Clock)
	}{
		{"OrgTree", testOrgTree},
		{"OrgUniqueness", testOrgUniqueness},
		{"OrgPathSubtreeAndNumbers", testOrgPath},
		{"NoticesAndTheirRecipients", testNotices},
		{"UserCRUD", testUserCRUD},
		{"UserUniqueness", testUserUniqueness},
		{"DeleteUserCascades", testDeleteUserCascades},
		{"ListUsersPagesEveryRowOnce", testListUsersPaging},
		{"ListUsersFiltersByPrefix", testListUsersFilters},
		{"ListUsersIsolatesTenants", testListUsersIsolation},
		{"Grants", testGrants},
		{"TokenRedeemsOnce", testTokenOnce},
		{"TokenConcurrentRedemption", testTokenConcurrent},
		{"Sessions", testSessions},
		{"Events", testEvents},
		{"UpdateRollsBackOnError", testRollback},
		{"ViewReadsOneMoment", testViewReadsOneMoment},
		{"Outbox", testOutbox},
		{"OutboxConcurrentClaimsAreDisjoint", testOutboxConcurrentClaims},
		{"Mailbox", testMailbox},
		{"TOTPStepsAndRecoveryCodesWorkOnce", testTOTP},
		{"ThrottleCountsEveryConcurrentFailure", testThrottleCountsEveryConcurrentFailure},
		{"Invitations", testInvitations},
		{"SessionIDs", testSessionIDs},
		{"SIMs", testSIMs},
		{"SIMOwnershipAsRanges", testSIMRanges},
		{"SIMRangesMergeOnlyWhatTheyRead", testSIMRangesMergeOnlyWhatTheyRead},
		{"WorkflowsRequestsContacts", testWorkAndContacts},
		{"MachineCredentials", testMachines},
		{"SweepRemovesWhatRanOut", testSweep},
		{"JobsEndOrGoStale", testJobs},
		{"AccountServices", testAccountServices},
		{"IdentityProvidersAndTheirUsers", testIdentityProviders},
		{"OpenIDProviderRequestsAndRefreshFamilies", testOIDC},
		{"SCIMConnectionsAndPeopleQueries", testSCIM},
		{"SIMHistoryAndIdempotencyKeys", testSIMHistory},
		{"WebhookEndpointsAndDeliveries", testWebhooks},
		{"AccessReviewsAndHoldings", testAccessReviews},
		{"SecurityEpochFollowsWhatAuthenticationReads", testSecurityEpoch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := NewClock()
			tc.fn(t, newStore(t, clock.Now), clock)
		})
	}
}

var ctx = context.Background()

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func update(t *testing.T, s tenantry.Store, fn func(tx tenantry.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code tenantry.Code) {
	t.Helper()
	if got := tenantry.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func mustAccount(t *testing.T, s tenantry.Store, number string) *tenantry.Org {
	t.Helper()
	id := newID()
	o := &tenantry.Org{ID: id, AccountID: id, Kind: tenantry.OrgAccount, Name: "Account " + number,
		AccountNumber: number, Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateOrg(ctx, o) })
	return o
}

func mustUser(t *testing.T, s tenantry.Store, org, first, last string) *tenantry.User {
	t.Helper()
	email := fmt.Sprintf("%s.%s.%s@example.com", first, last, newID()[24:])
	u := &tenantry.User{ID: newID(), OrgID: org, Kind: tenantry.UserHuman, Status: tenantry.UserActive,
		Email: email, Login: email, FirstName: first, LastName: last, Language: "en"}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateUser(ctx, u) })
	return u
}

func testOrgTree(t *testing.T, s tenantry.Store, _ *Clock) {
	acc := mustAccount(t, s, "1000001")
	var kids []*tenantry.Org
	update(t, s, func(tx tenantry.Tx) error {
		for _, name := range []string{"Beta", "Alpha"} {
			o := &tenantry.Org{ID: newID(), ParentID: acc.ID, AccountID: acc.ID, Kind: tenantry.OrgSub,
				Type: "customer", Name: name, Status: tenantry.OrgPending, Channel: tenantry.ChannelDirect,
				Settings: tenantry.OrgSettings{SelfManagedProfile: true}}
			if err := tx.CreateOrg(ctx, o); err != nil {
				return err
			}
		}
		var err error
		kids, err = tx.ChildOrgs(ctx, acc.ID)
		return err
	})
	if len(kids) != 2 || kids[0].Name != "Alpha" || kids[1].Name != "Beta" {
		t.Fatalf("children = %+v", kids)
	}
	k := kids[0]
	if k.ParentID != acc.ID || k.AccountID != acc.ID || k.Type != "customer" || !k.Settings.SelfManagedProfile ||
		k.Status != tenantry.OrgPending || k.CreatedAt.IsZero() {
		t.Fatalf("child read back as %+v", k)
	}
	k.Status, k.Settings.Require2FA = tenantry.OrgActive, true
	update(t, s, func(tx tenantry.Tx) error { return tx.UpdateOrg(ctx, k) })
	s.View(ctx, func(tx tenantry.Tx) error {
		got, err := tx.Org(ctx, k.ID)
		if err != nil || got.Status != tenantry.OrgActive || !got.Settings.Require2FA {
			t.Fatalf("after update: %+v, %v", got, err)
		}
		_, err = tx.Org(ctx, newID())
		wantCode(t, err, tenantry.NotFound)
		_, err = tx.PlatformOrg(ctx)
		wantCode(t, err, tenantry.NotFound)
		byNumber, err := tx.AccountByNumber(ctx, "1000001")
		if err != nil || byNumber.ID != acc.ID {
			t.Fatalf("account by number = %+v, %v", byNumber, err)
		}
		_, err = tx.AccountByNumber(ctx, "1000002")
		wantCode(t, err, tenantry.NotFound)
		accs, err := tx.Accounts(ctx, "", 10)
		if err != nil || len(accs) != 1 || accs[0].AccountNumber != "1000001" {
			t.Fatalf("accounts = %v, %v", accs, err)
		}
		return nil
	})
}

func testOrgPath(t *testing.T, s tenantry.Store, _ *Clock) {
	acc := mustAccount(t, s, "7")
	sub := func(parent *tenantry.Org, name string, set tenantry.OrgSettings) *tenantry.Org {
		o := &tenantry.Org{ID: newID(), ParentID: parent.ID, AccountID: acc.ID, Kind: tenantry.OrgSub,
			Name: name, Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect, Settings: set}
		update(t, s, func(tx tenantry.Tx) error {
			n, err := tx.NextSubNumber(ctx, acc.ID)
			o.Number = fmt.Sprintf("7-%d", n)
			if err != nil {
				return err
			}
			return tx.CreateOrg(ctx, o)
		})
		return o
	}
	b := sub(acc, "B", tenantry.OrgSettings{SessionHours: 8, PasswordMinLength: 14})
	a := sub(acc, "A", tenantry.OrgSettings{})
	leaf := sub(b, "Leaf", tenantry.OrgSettings{})
	s.View(ctx, func(tx tenantry.Tx) error {
		path, err := tx.OrgPath(ctx, leaf.ID)
		if err != nil || len(path) != 3 || path[0].ID != leaf.ID || path[1].ID != b.ID || path[2].ID != acc.ID {
			t.Fatalf("path = %v, %v", path, err)
		}
		if path[1].Settings.SessionHours != 8 || path[1].Settings.PasswordMinLength != 14 || path[0].Number != "7-3" {
			t.Fatalf("path read back as %+v / %+v", path[1], path[0])
		}
		_, err = tx.OrgPath(ctx, newID())
		wantCode(t, err, tenantry.NotFound)
		below, depths, err := tx.Subtree(ctx, acc.ID, 10)
		if err != nil || len(below) != 3 || below[0].ID != a.ID || below[1].ID != b.ID || below[2].ID != leaf.ID ||
			!slices.Equal(depths, []int{1, 1, 2}) {
			t.Fatalf("subtree = %v %v, %v", below, depths, err)
		}
		if below, _, _ := tx.Subtree(ctx, acc.ID, 2); len(below) != 2 {
			t.Fatalf("subtree limited to 2 gave %d", len(below))
		}
		return nil
	})
	err := s.Update(ctx, func(tx tenantry.Tx) error {
		return tx.CreateOrg(ctx, &tenantry.Org{ID: newID(), ParentID: acc.ID, AccountID: acc.ID, Kind: tenantry.OrgSub,
			Name: "Twin", Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect, Number: "7-1"})
	})
	wantCode(t, err, tenantry.Conflict)
}

func testNotices(t *testing.T, s tenantry.Store, _ *Clock) {
	platform := &tenantry.Org{ID: newID(), Kind: tenantry.OrgPlatform, Name: "p", Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateOrg(ctx, platform) })
	acc, other := mustAccount(t, s, "11"), mustAccount(t, s, "12")
	sub := &tenantry.Org{ID: newID(), ParentID: acc.ID, AccountID: acc.ID, Kind: tenantry.OrgSub, Name: "Sub",
		Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateOrg(ctx, sub) })
	subscribe := func(u *tenantry.User, news, alerts bool) *tenantry.User {
		u.NotifyNews, u.NotifyAlerts = news, alerts
		update(t, s, func(tx tenantry.Tx) error { return tx.UpdateUser(ctx, u) })
		return u
	}
	top := subscribe(mustUser(t, s, acc.ID, "Top", "News"), true, false)
	low := subscribe(mustUser(t, s, sub.ID, "Low", "Both"), true, true)
	subscribe(mustUser(t, s, sub.ID, "Low", "None"), false, false)
	far := subscribe(mustUser(t, s, other.ID, "Far", "News"), true, false)
	subscribe(mustUser(t, s, platform.ID, "Op", "News"), true, true)
	ids := func(root string, kind tenantry.NoticeKind) []string {
		var out []string
		s.View(ctx, func(tx tenantry.Tx) error {
			for after := ""; ; {
				page, err := tx.NoticeRecipients(ctx, root, kind, after, 1)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					return nil
				}
				out = append(out, page[0].ID)
				after = page[0].ID
			}
		})
		slices.Sort(out)
		return out
	}
	sorted := func(us ...*tenantry.User) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.ID)
		}
		slices.Sort(out)
		return out
	}
	if got := ids(acc.ID, tenantry.NoticeNews); !slices.Equal(got, sorted(top, low)) {
		t.Fatalf("news to the account's tree: %v", got)
	}
	if got := ids(sub.ID, tenantry.NoticeAlert); !slices.Equal(got, sorted(low)) {
		t.Fatalf("alerts to the sub-org: %v", got)
	}
	if got := ids(platform.ID, tenantry.NoticeNews); !slices.Equal(got, sorted(top, low, far)) {
		t.Fatalf("news to every customer: %v", got)
	}
	n := &tenantry.Notice{ID: newID(), OrgID: acc.ID, TargetOrgID: sub.ID, Kind: tenantry.NoticeAlert, CreatedBy: top.ID,
		Texts: map[string]tenantry.NoticeText{"en": {Title: "Maintenance", Body: "Tonight."}}, Recipients: 1}
	all := &tenantry.Notice{ID: newID(), OrgID: platform.ID, TargetOrgID: platform.ID, Kind: tenantry.NoticeNews, CreatedBy: top.ID,
		Texts: map[string]tenantry.NoticeText{"de": {Title: "Neu", Body: "Hallo."}}}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateNotice(ctx, n) })
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateNotice(ctx, all) })
	s.View(ctx, func(tx tenantry.Tx) error {
		got, err := tx.Notices(ctx, []string{sub.ID, acc.ID, platform.ID}, nil, 10)
		if err != nil || len(got) != 2 || got[0].ID != all.ID || got[1].Texts["en"].Title != "Maintenance" || got[1].Recipients != 1 || got[1].CreatedAt.IsZero() {
			t.Fatalf("notices reaching the sub-org: %+v, %v", got, err)
		}
		got, _ = tx.Notices(ctx, []string{other.ID}, []string{acc.ID}, 10)
		if len(got) != 1 || got[0].ID != n.ID {
			t.Fatalf("notices the account published: %+v", got)
		}
		got, _ = tx.Notices(ctx, []string{other.ID}, nil, 10)
		if len(got) != 0 {
			t.Fatalf("another account sees %+v", got)
		}
		return nil
	})
}

func testOrgUniqueness(t *testing.T, s tenantry.Store, _ *Clock) {
	mustAccount(t, s, "42")
	err := s.Update(ctx, func(tx tenantry.Tx) error {
		id := newID()
		return tx.CreateOrg(ctx, &tenantry.Org{ID: id, AccountID: id, Kind: tenantry.OrgAccount, Name: "x",
			AccountNumber: "42", Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect})
	})
	wantCode(t, err, tenantry.Conflict)
	platform := func(tx tenantry.Tx) error {
		return tx.CreateOrg(ctx, &tenantry.Org{ID: newID(), Kind: tenantry.OrgPlatform, Name: "p",
			Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect})
	}
	update(t, s, platform)
	wantCode(t, s.Update(ctx, platform), tenantry.Conflict)
}

func testUserCRUD(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	u := &tenantry.User{ID: newID(), OrgID: acc.ID, Kind: tenantry.UserHuman, Status: tenantry.UserInvited,
		Email: "Ada@Example.com", Login: "Ada@Example.com", FirstName: "Ada", LastName: "Lovelace",
		Phone: "+44 1", JobTitle: "Analyst", Language: "de", ContactBilling: true, ContactBusiness: true,
		NotifyNews: true, InitialOwner: true, MustChangePassword: true}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateUser(ctx, u) })
	clock.Advance(time.Hour)
	s.View(ctx, func(tx tenantry.Tx) error {
		got, err := tx.UserByLogin(ctx, "ada@example.COM")
		if err != nil {
			t.Fatal(err)
		}
		if *got != *u {
			t.Fatalf("read back\n%+v\nwant\n%+v", got, u)
		}
		owners, err := tx.InitialOwners(ctx, acc.ID)
		if err != nil || len(owners) != 1 || owners[0].ID != u.ID {
			t.Fatalf("initial owners %v %v", owners, err)
		}
		return nil
	})
	u.FirstName, u.Status, u.PasswordHash, u.LastSignInAt = "Augusta", tenantry.UserActive, "hash", clock.Now()
	update(t, s, func(tx tenantry.Tx) error { return tx.UpdateUser(ctx, u) })
	s.View(ctx, func(tx tenantry.Tx) error {
		got, err := tx.User(ctx, u.ID)
		if err != nil || got.FirstName != "Augusta" || got.Status != tenantry.UserActive ||
			got.PasswordHash != "hash" || !got.LastSignInAt.Equal(clock.Now()) || !got.UpdatedAt.Equal(clock.Now()) {
			t.Fatalf("after update: %+v, %v", got, err)
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error { return tx.DeleteUser(ctx, u.ID) })
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { return tx.DeleteUser(ctx, u.ID) }), tenantry.NotFound)
	wantCode(t, s.View(ctx, func(tx tenantry.Tx) error { _, err := tx.User(ctx, u.ID); return err }), tenantry.NotFound)
}

func testUserUniqueness(t *testing.T, s tenantry.Store, _ *Clock) {
	a, b := mustAccount(t, s, "1"), mustAccount(t, s, "2")
	mk := func(org, email, login string) error {
		return s.Update(ctx, func(tx tenantry.Tx) error {
			return tx.CreateUser(ctx, &tenantry.User{ID: newID(), OrgID: org, Kind: tenantry.UserHuman,
				Status: tenantry.UserInvited, Email: email, Login: login, FirstName: "F", LastName: "L", Language: "en"})
		})
	}
	if err := mk(a.ID, "x@example.com", "x@example.com"); err != nil {
		t.Fatal(err)
	}
	err := mk(b.ID, "y@example.com", "X@EXAMPLE.com")
	wantCode(t, err, tenantry.Conflict)
	var e *tenantry.Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "login" {
		t.Fatalf("login conflict names %+v", err)
	}
	err = mk(a.ID, "X@example.com", "custom-login")
	if !errors.As(err, &e) || e.Code != tenantry.Conflict || e.Fields[0].Field != "email" {
		t.Fatalf("email conflict: %v", err)
	}
	// The same e-mail in another tenant is fine (U2: unique in its tenant).
	if err := mk(b.ID, "x@example.com", "other-login"); err != nil {
		t.Fatal(err)
	}
	// API users have no e-mail; many may share the empty one.
	for _, login := range []string{"1_a", "1_b"} {
		if err := mk(a.ID, "", login); err != nil {
			t.Fatal(err)
		}
	}
}

func testDeleteUserCascades(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	u := mustUser(t, s, acc.ID, "A", "B")
	update(t, s, func(tx tenantry.Tx) error {
		if err := tx.CreateGrant(ctx, &tenantry.Grant{ID: newID(), UserID: u.ID, OrgID: acc.ID, Role: "owner"}); err != nil {
			return err
		}
		if err := tx.CreateToken(ctx, &tenantry.OneTimeToken{Hash: "h", Purpose: tenantry.TokenActivation, UserID: u.ID, ExpiresAt: clock.Now().Add(time.Hour)}); err != nil {
			return err
		}
		return tx.CreateSession(ctx, &tenantry.Session{Hash: "s", UserID: u.ID, ExpiresAt: clock.Now().Add(time.Hour)})
	})
	update(t, s, func(tx tenantry.Tx) error { return tx.DeleteUser(ctx, u.ID) })
	s.View(ctx, func(tx tenantry.Tx) error {
		g, _ := tx.UserGrants(ctx, u.ID)
		_, serr := tx.Session(ctx, "s")
		if len(g) != 0 || tenantry.ErrorCode(serr) != tenantry.NotFound {
			t.Fatalf("left behind: grants %v, session %v", g, serr)
		}
		return nil
	})
}

func collect(t *testing.T, s tenantry.Store, f tenantry.UserFilter) []*tenantry.User {
	t.Helper()
	var all []*tenantry.User
	for page := 0; ; page++ {
		var users []*tenantry.User
		var next string
		err := s.View(ctx, func(tx tenantry.Tx) error {
			listed, n, err := tx.ListUsers(ctx, f)
			for _, l := range listed {
				if l.PasswordHash != "" {
					t.Fatalf("a list gave %s's password hash", l.Login)
				}
				users = append(users, l.User)
			}
			next = n
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(users) > f.Limit {
			t.Fatalf("page of %d rows, limit %d", len(users), f.Limit)
		}
		all = append(all, users...)
		if next == "" {
			return all
		}
		if page > 1000 {
			t.Fatal("paging does not end")
		}
		f.Cursor = next
	}
}

func testListUsersPaging(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	names := []string{"Müller", "muller", "Meier", "Zed", "Adams", "Meier", "Ölberg", "adams", "Bo", "Meier", "Xu"}
	for i, n := range names {
		mustUser(t, s, acc.ID, fmt.Sprintf("F%02d", len(names)-i), n)
		clock.Advance(time.Second)
	}
	for _, sort := range tenantry.UserSorts {
		for _, desc := range []bool{false, true} {
			got := collect(t, s, tenantry.UserFilter{OrgID: acc.ID, Sort: sort, Desc: desc, Limit: 3})
			if len(got) != len(names) {
				t.Fatalf("%s desc=%v: %d rows, want %d", sort, desc, len(got), len(names))
			}
			seen := map[string]bool{}
			for i, u := range got {
				if seen[u.ID] {
					t.Fatalf("%s desc=%v: %s twice", sort, desc, u.ID)
				}
				seen[u.ID] = true
				if i > 0 {
					a, b := sortKey(got[i-1], sort), sortKey(u, sort)
					if (!desc && a > b) || (desc && a < b) {
						t.Fatalf("%s desc=%v: %q before %q", sort, desc, a, b)
					}
				}
			}
		}
	}
	err := s.View(ctx, func(tx tenantry.Tx) error {
		_, _, err := tx.ListUsers(ctx, tenantry.UserFilter{OrgID: acc.ID, Sort: tenantry.SortLogin, Cursor: "garbage", Limit: 3})
		return err
	})
	wantCode(t, err, tenantry.Invalid)
}

func sortKey(u *tenantry.User, s tenantry.UserSort) string {
	switch s {
	case tenantry.SortFirstName:
		return strings.ToLower(u.FirstName)
	case tenantry.SortLastName:
		return strings.ToLower(u.LastName)
	case tenantry.SortLogin:
		return strings.ToLower(u.Login)
	case tenantry.SortEmail:
		return strings.ToLower(u.Email)
	}
	return fmt.Sprintf("%020d", u.CreatedAt.UnixMicro())
}

func testListUsersFilters(t *testing.T, s tenantry.Store, _ *Clock) {
	acc := mustAccount(t, s, "1")
	for _, n := range [][2]string{{"Anna", "Müller"}, {"anton", "MÜLLER-Lüdenscheidt"}, {"Bert", "Mueller"}, {"Carl", "Meier"}} {
		mustUser(t, s, acc.ID, n[0], n[1])
	}
	// Machines: a name, no last name (issue 17, item 7).
	for i, k := range []tenantry.UserKind{tenantry.UserAPI, tenantry.UserService, tenantry.UserAPI} {
		u := &tenantry.User{ID: newID(), OrgID: acc.ID, Kind: k, Status: tenantry.UserActive,
			Login: fmt.Sprintf("1_robot%d", i), FirstName: fmt.Sprintf("robot%d", i), Language: "en"}
		update(t, s, func(tx tenantry.Tx) error { return tx.CreateUser(ctx, u) })
	}
	people, machines := []tenantry.UserKind{tenantry.UserHuman}, []tenantry.UserKind{tenantry.UserAPI, tenantry.UserService}
	cases := []struct {
		f    tenantry.UserFilter
		want int
	}{
		{tenantry.UserFilter{LastName: "mü"}, 2},
		{tenantry.UserFilter{LastName: "MÜLLER-"}, 1},
		{tenantry.UserFilter{LastName: "m"}, 4},
		{tenantry.UserFilter{FirstName: "an"}, 2},
		{tenantry.UserFilter{FirstName: "an", LastName: "müller-"}, 1},
		{tenantry.UserFilter{Email: "carl."}, 1},
		{tenantry.UserFilter{Login: "BERT"}, 1},
		{tenantry.UserFilter{LastName: "x"}, 0},
		{tenantry.UserFilter{}, 7},
		{tenantry.UserFilter{Kinds: people}, 4},
		{tenantry.UserFilter{Kinds: machines}, 3},
		{tenantry.UserFilter{Kinds: []tenantry.UserKind{tenantry.UserService}}, 1},
		{tenantry.UserFilter{Kinds: machines, FirstName: "ROBOT"}, 3},
		{tenantry.UserFilter{Kinds: people, FirstName: "robot"}, 0},
	}
	for _, c := range cases {
		c.f.OrgID, c.f.Sort, c.f.Limit = acc.ID, tenantry.SortLastName, 2
		if got := collect(t, s, c.f); len(got) != c.want {
			t.Errorf("%+v: %d rows, want %d", c.f, len(got), c.want)
		}
	}
}

func testListUsersIsolation(t *testing.T, s tenantry.Store, _ *Clock) {
	a, b := mustAccount(t, s, "1"), mustAccount(t, s, "2")
	for i := 0; i < 5; i++ {
		mustUser(t, s, a.ID, "Same", "Name")
		mustUser(t, s, b.ID, "Same", "Name")
	}
	got := collect(t, s, tenantry.UserFilter{OrgID: a.ID, Sort: tenantry.SortLastName, LastName: "name", Limit: 2})
	if len(got) != 5 {
		t.Fatalf("%d rows, want 5", len(got))
	}
	// A person of B linked to A shows in A's list, in order, once; not after Unlink.
	linked := mustUser(t, s, b.ID, "Same", "Nam")
	update(t, s, func(tx tenantry.Tx) error { return tx.Link(ctx, a.ID, linked.ID) })
	for _, desc := range []bool{false, true} {
		got = collect(t, s, tenantry.UserFilter{OrgID: a.ID, Sort: tenantry.SortLastName, LastName: "nam", Desc: desc, Limit: 2})
		if len(got) != 6 || (!desc && got[0].ID != linked.ID) || (desc && got[5].ID != linked.ID) {
			t.Fatalf("with a linked person (desc %v): %d rows", desc, len(got))
		}
	}
	// One more of B with the very name of A's people: the linked and the
	// own come merged by id, as each keeps its ties, page after page.
	twin := mustUser(t, s, b.ID, "Same", "Name")
	update(t, s, func(tx tenantry.Tx) error { return tx.Link(ctx, a.ID, twin.ID) })
	for _, desc := range []bool{false, true} {
		got = collect(t, s, tenantry.UserFilter{OrgID: a.ID, Sort: tenantry.SortLastName, LastName: "name", Desc: desc, Limit: 2})
		byID := func(x, y *tenantry.User) int {
			if desc {
				return strings.Compare(y.ID, x.ID)
			}
			return strings.Compare(x.ID, y.ID)
		}
		if len(got) != 6 || !slices.IsSortedFunc(got, byID) || !slices.ContainsFunc(got, func(u *tenantry.User) bool { return u.ID == twin.ID }) {
			t.Fatalf("with a linked person of the same name (desc %v): %d rows, or not in order of id", desc, len(got))
		}
	}
	update(t, s, func(tx tenantry.Tx) error { return tx.Unlink(ctx, a.ID, twin.ID) })
	update(t, s, func(tx tenantry.Tx) error { return tx.Unlink(ctx, a.ID, linked.ID) })
	if got = collect(t, s, tenantry.UserFilter{OrgID: a.ID, Sort: tenantry.SortLastName, Limit: 2}); len(got) != 5 {
		t.Fatalf("after unlink: %d rows", len(got))
	}
	for _, u := range got {
		if u.OrgID != a.ID {
			t.Fatalf("account A's list shows a user of %s", u.OrgID)
		}
	}
	// A cursor from account A's list shows nothing of B when replayed there.
	var next string
	s.View(ctx, func(tx tenantry.Tx) error {
		_, next, _ = tx.ListUsers(ctx, tenantry.UserFilter{OrgID: a.ID, Sort: tenantry.SortLastName, Limit: 2})
		return nil
	})
	got = collect(t, s, tenantry.UserFilter{OrgID: b.ID, Sort: tenantry.SortLastName, Cursor: next, Limit: 2})
	for _, u := range got {
		if u.OrgID != b.ID {
			t.Fatalf("account B's list shows a user of %s", u.OrgID)
		}
	}
}

func testGrants(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	u := mustUser(t, s, acc.ID, "A", "B")
	g := &tenantry.Grant{ID: newID(), UserID: u.ID, OrgID: acc.ID, Role: "admin", ExpiresAt: clock.Now().Add(time.Hour), CreatedBy: "x"}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateGrant(ctx, g) })
	dup := *g
	dup.ID = newID()
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { return tx.CreateGrant(ctx, &dup) }), tenantry.Conflict)
	svc := dup
	svc.ID, svc.Service = newID(), "connectivity"
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateGrant(ctx, &svc) })
	s.View(ctx, func(tx tenantry.Tx) error {
		gs, err := tx.UserGrants(ctx, u.ID)
		if err != nil || len(gs) != 2 || !gs[0].ExpiresAt.Equal(g.ExpiresAt) || gs[0].CreatedBy != "x" {
			t.Fatalf("grants = %+v, %v", gs, err)
		}
		og, err := tx.OrgGrants(ctx, acc.ID, []string{u.ID, newID()})
		if err != nil || len(og) != 2 {
			t.Fatalf("org grants = %+v, %v", og, err)
		}
		if !gs[0].Active(clock.Now()) || gs[0].Active(clock.Now().Add(2*time.Hour)) {
			t.Fatal("expiry not honoured")
		}
		// A list page carries each person's roles in the listed org, in
		// order of role and service, with their ids and ends.
		page, _, err := tx.ListUsers(ctx, tenantry.UserFilter{OrgID: acc.ID, Sort: tenantry.SortLastName, Limit: 10})
		if err != nil || len(page) != 1 || len(page[0].Grants) != 2 {
			t.Fatalf("listed %+v, %v", page, err)
		}
		for i, lg := range page[0].Grants {
			want := og[i]
			if lg.ID != want.ID || lg.Role != want.Role || lg.Service != want.Service || !lg.ExpiresAt.Equal(want.ExpiresAt) ||
				lg.UserID != u.ID || lg.OrgID != acc.ID {
				t.Fatalf("listed grant %d: %+v, want %+v", i, lg, want)
			}
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error { return tx.DeleteGrant(ctx, g.ID) })
	wantCode(t, s.View(ctx, func(tx tenantry.Tx) error { _, err := tx.Grant(ctx, g.ID); return err }), tenantry.NotFound)
}

func testTokenOnce(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	u := mustUser(t, s, acc.ID, "A", "B")
	update(t, s, func(tx tenantry.Tx) error {
		for _, h := range []string{"a", "b"} {
			if err := tx.CreateToken(ctx, &tenantry.OneTimeToken{Hash: h, Purpose: tenantry.TokenActivation, UserID: u.ID, ExpiresAt: clock.Now().Add(time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	use := func(hash string, p tenantry.TokenPurpose) error {
		return s.Update(ctx, func(tx tenantry.Tx) error {
			tok, err := tx.UseToken(ctx, hash, p)
			if err == nil && tok.UserID != u.ID {
				t.Fatalf("token of %s", tok.UserID)
			}
			return err
		})
	}
	peek := func(hash string, p tenantry.TokenPurpose) error {
		return s.View(ctx, func(tx tenantry.Tx) error {
			tok, err := tx.PeekToken(ctx, hash, p)
			if err == nil && tok.UserID != u.ID {
				t.Fatalf("peeked token of %s", tok.UserID)
			}
			return err
		})
	}
	wantCode(t, use("a", tenantry.TokenReset), tenantry.TokenInvalid)
	wantCode(t, peek("a", tenantry.TokenReset), tenantry.TokenInvalid)
	// Peeking, twice, in a read-only transaction, leaves the token usable.
	for range 2 {
		if err := peek("a", tenantry.TokenActivation); err != nil {
			t.Fatal(err)
		}
	}
	if err := use("a", tenantry.TokenActivation); err != nil {
		t.Fatal(err)
	}
	wantCode(t, use("a", tenantry.TokenActivation), tenantry.TokenInvalid)
	wantCode(t, peek("a", tenantry.TokenActivation), tenantry.TokenInvalid)
	clock.Advance(time.Hour)
	wantCode(t, peek("b", tenantry.TokenActivation), tenantry.TokenInvalid)
	wantCode(t, use("b", tenantry.TokenActivation), tenantry.TokenInvalid)
	wantCode(t, use("nope", tenantry.TokenActivation), tenantry.TokenInvalid)
}

func testTokenConcurrent(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	u := mustUser(t, s, acc.ID, "A", "B")
	update(t, s, func(tx tenantry.Tx) error {
		return tx.CreateToken(ctx, &tenantry.OneTimeToken{Hash: "t", Purpose: tenantry.TokenActivation, UserID: u.ID, ExpiresAt: clock.Now().Add(time.Hour)})
	})
	var ok, invalid atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(tx tenantry.Tx) error { _, err := tx.UseToken(ctx, "t", tenantry.TokenActivation); return err })
			switch tenantry.ErrorCode(err) {
			case "":
				ok.Add(1)
			case tenantry.TokenInvalid, tenantry.Conflict:
				invalid.Add(1)
			default:
				t.Errorf("redeem: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || invalid.Load() != 49 {
		t.Fatalf("%d redemptions succeeded, %d refused; want 1 and 49", ok.Load(), invalid.Load())
	}
}

func testSessions(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	u := mustUser(t, s, acc.ID, "A", "B")
	update(t, s, func(tx tenantry.Tx) error {
		for _, h := range []string{"s1", "s2"} {
			if err := tx.CreateSession(ctx, &tenantry.Session{Hash: h, UserID: u.ID, ExpiresAt: clock.Now().Add(time.Hour), IP: "127.0.0.1", UserAgent: "test"}); err != nil {
				return err
			}
		}
		return nil
	})
	clock.Advance(time.Minute)
	update(t, s, func(tx tenantry.Tx) error { return tx.TouchSession(ctx, "s1", tx.Now()) })
	s.View(ctx, func(tx tenantry.Tx) error {
		got, err := tx.Session(ctx, "s1")
		if err != nil || got.UserID != u.ID || got.IP != "127.0.0.1" || !got.LastSeenAt.Equal(clock.Now()) {
			t.Fatalf("session = %+v, %v", got, err)
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error { return tx.DeleteSession(ctx, "s1") })
	update(t, s, func(tx tenantry.Tx) error { return tx.DeleteUserSessions(ctx, u.ID) })
	wantCode(t, s.View(ctx, func(tx tenantry.Tx) error { _, err := tx.Session(ctx, "s2"); return err }), tenantry.NotFound)
}

func testEvents(t *testing.T, s tenantry.Store, clock *Clock) {
	a, b := mustAccount(t, s, "1"), mustAccount(t, s, "2")
	update(t, s, func(tx tenantry.Tx) error {
		for i := 0; i < 3; i++ {
			if err := tx.AddEvent(ctx, &tenantry.Event{OrgID: a.ID, ActorID: "x", Action: fmt.Sprintf("a%d", i),
				TargetType: "user", TargetID: "t", Details: map[string]any{"n": i}, IP: "::1"}); err != nil {
				return err
			}
		}
		return tx.AddEvent(ctx, &tenantry.Event{OrgID: b.ID, Action: "b", TargetType: "org", TargetID: b.ID})
	})
	clock.Advance(time.Second)
	update(t, s, func(tx tenantry.Tx) error {
		u := &tenantry.User{ID: newID(), OrgID: a.ID, Kind: tenantry.UserHuman, Status: tenantry.UserActive,
			Email: "auditor@example.com", Login: "auditor@example.com", FirstName: "A", LastName: "A", Language: "en"}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return tx.AddEvent(ctx, &tenantry.Event{OrgID: a.ID, ActorID: u.ID, Action: "a3", TargetType: "user", TargetID: "t2"})
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		evs, err := tx.Events(ctx, tenantry.EventFilter{OrgID: a.ID, Limit: 10})
		if err != nil || len(evs) != 4 || evs[0].Action != "a3" || evs[1].Details["n"] != float64(2) || evs[1].IP != "::1" {
			t.Fatalf("events = %+v, %v", evs, err)
		}
		if evs[0].ActorLogin != "auditor@example.com" || evs[1].ActorLogin != "" {
			t.Fatalf("actor logins %q, %q: want the current login, and none for an unknown actor", evs[0].ActorLogin, evs[1].ActorLogin)
		}
		older, _ := tx.Events(ctx, tenantry.EventFilter{OrgID: a.ID, Before: evs[1].ID, Limit: 10})
		only, _ := tx.Events(ctx, tenantry.EventFilter{OrgID: a.ID, ActionPrefix: "a1", Limit: 10})
		if len(older) != 2 || older[0].Action != "a1" || len(only) != 1 || only[0].Action != "a1" {
			t.Fatalf("paged %v, filtered %v", older, only)
		}
		by, _ := tx.Events(ctx, tenantry.EventFilter{OrgID: a.ID, ActorLogin: "auditor@example.com", Limit: 10})
		on, _ := tx.Events(ctx, tenantry.EventFilter{OrgID: a.ID, TargetID: "t2", Limit: 10})
		if len(by) != 1 || by[0].Action != "a3" || len(on) != 1 || on[0].Action != "a3" {
			t.Fatalf("by actor %v, on target %v", by, on)
		}
		at := evs[0].CreatedAt
		since, _ := tx.Events(ctx, tenantry.EventFilter{OrgID: a.ID, Since: at, Limit: 10})
		until, _ := tx.Events(ctx, tenantry.EventFilter{OrgID: a.ID, Until: at, Limit: 10})
		if len(since) != 1 || len(until) != 3 {
			t.Fatalf("since %d, until %d: want 1 and 3", len(since), len(until))
		}
		return nil
	})
}

// testViewReadsOneMoment: what commits while a read-only transaction
// runs is not seen by its later reads, the org it read already included.
func testViewReadsOneMoment(t *testing.T, s tenantry.Store, _ *Clock) {
	acc := mustAccount(t, s, "1")
	mustUser(t, s, acc.ID, "Ada", "Lovelace")
	err := s.View(ctx, func(tx tenantry.Tx) error {
		o, err := tx.Org(ctx, acc.ID)
		if err != nil {
			return err
		}
		n, err := tx.CountUsers(ctx, acc.ID)
		if err != nil {
			return err
		}
		update(t, s, func(w tenantry.Tx) error {
			renamed := *o
			renamed.Name = "Renamed"
			return w.UpdateOrg(ctx, &renamed)
		})
		mustUser(t, s, acc.ID, "Grace", "Hopper")
		again, err := tx.Org(ctx, acc.ID)
		if err != nil {
			return err
		}
		m, err := tx.CountUsers(ctx, acc.ID)
		if err != nil {
			return err
		}
		if again.Name != acc.Name || m != n || n != 1 {
			t.Errorf("read again in one view: org %q and %d users, want %q and %d as first read", again.Name, m, acc.Name, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx tenantry.Tx) error {
		o, _ := tx.Org(ctx, acc.ID)
		if n, _ := tx.CountUsers(ctx, acc.ID); o == nil || o.Name != "Renamed" || n != 2 {
			t.Errorf("the next view: org %v and %d users, want Renamed and 2", o, n)
		}
		return nil
	})
}

func testRollback(t *testing.T, s tenantry.Store, _ *Clock) {
	acc := mustAccount(t, s, "1")
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx tenantry.Tx) error {
		u := &tenantry.User{ID: newID(), OrgID: acc.ID, Kind: tenantry.UserHuman, Status: tenantry.UserActive,
			Email: "r@example.com", Login: "r@example.com", FirstName: "R", LastName: "R", Language: "en"}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	s.View(ctx, func(tx tenantry.Tx) error {
		if n, _ := tx.CountUsers(ctx, acc.ID); n != 0 {
			t.Fatalf("%d users after rollback", n)
		}
		return nil
	})
}
