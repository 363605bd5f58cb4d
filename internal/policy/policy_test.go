package policy

import (
	"strings"
	"testing"
	"testing/fstest"
)

// want lists, for every action, the 1NCE roles that may do it, as derived
// in docs/roles-1nce.md. It is written out again here on purpose: a change to
// the catalogue file must be a change to this table too.
var want = map[Action]string{
	DashboardSeeAll:               "owner admin user read_only third_party api_user",
	DashboardReorderButton:        "owner admin api_user",
	DashboardLatestOrderWidget:    "owner admin read_only api_user",
	SIMsSeeAll:                    "owner admin user read_only third_party api_user",
	SIMsSIMState:                  "owner admin user api_user",
	SIMsIMEILock:                  "owner admin user api_user",
	SIMsAutoTopUp:                 "owner admin api_user",
	SIMsResetConnectivity:         "owner admin user third_party api_user",
	SIMsSIMListExport:             "owner admin user read_only api_user",
	SIMsReorderTopUp:              "owner admin api_user",
	SIMsSendSMS:                   "owner admin user third_party api_user",
	ConfigurationNetworkSettings:  "owner admin user api_user",
	ConfigurationBreakoutSettings: "owner admin user api_user",
	ConfigurationMonthlyLimit:     "owner admin user api_user",
	ConfigurationIMEILock:         "owner admin user api_user",
	ConfigurationAutoTopUp:        "owner admin api_user",
	ConfigurationDataStreams:      "owner admin user api_user",
	ConfigurationSMSForwarder:     "owner admin user api_user",
	ConfigurationOpenVPN:          "owner admin user api_user",
	ConfigurationManagementAPI:    "owner",
	OSTabAvailable:                "owner admin user read_only api_user",
	AccountSeeAll:                 "owner admin user read_only api_user",
	AccountCustomerData:           "owner admin api_user",
	AccountUserData:               "owner admin user read_only third_party",
	AccountAddNewEmail:            "owner admin",
	AccountBillingShippingAddress: "owner admin api_user",
	AccountPaymentDetails:         "owner admin api_user",
	AccountNotices:                "owner admin",
	OrdersSeeAll:                  "owner admin read_only api_user",
	OrdersDownloadInvoices:        "owner admin read_only api_user",
	OrdersTriggerNewOrder:         "owner admin api_user",
	OrdersDownloadAffectedSIMs:    "owner admin read_only api_user",
	UsersSeeAll:                   "owner admin read_only operator",
	UsersAdministerOwnUser:        "owner admin user read_only third_party operator",
	OrganisationSeeAll:            "owner admin read_only",
	OrganisationAddOrganisation:   "owner admin",
	OrganisationSIMTransfer:       "owner admin api_user",
	PerformanceSeeAll:             "owner admin user read_only third_party api_user",
	SupportSeeAll:                 "owner admin user read_only third_party api_user",
	SupportNewServiceRequest:      "owner admin user third_party api_user",
	APIAccessUse:                  "owner admin api_user",
	PlatformAccountsSeeAll:        "operator",
	PlatformAccountsCreate:        "operator",
	PlatformInventoryLoad:         "operator",
	PlatformWorkflows:             "operator",
	PlatformServiceRequests:       "operator",
	PlatformNotices:               "operator",
	PlatformDecisions:             "operator application",
}

// wantAdminister lists, for every role, the roles it administers (R2).
var wantAdminister = map[string]string{
	"owner":       "admin user api_user read_only third_party",
	"admin":       "user api_user read_only third_party",
	"user":        "",
	"read_only":   "",
	"third_party": "",
	"api_user":    "",
	"operator":    "operator application",
	"application": "",
}

func roleSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

func TestEveryRoleAndActionMatchesTheTable(t *testing.T) {
	p := Default()
	if len(want) != int(numActions) {
		t.Fatalf("expected table has %d actions, the code %d", len(want), numActions)
	}
	roles := append(p.Roles("1nce"), p.Roles("platform")...)
	if len(roles) != 8 {
		t.Fatalf("roles = %d, want 8", len(roles))
	}
	for _, a := range Actions() {
		allowed := roleSet(want[a])
		for _, r := range roles {
			name := p.RoleName(r)
			who := &Principal{ID: "u", Grants: []Grant{{Org: "o1", Role: r}}}
			got := p.Allowed(who, a, Target{Org: "o1"})
			if got != allowed[name] {
				t.Errorf("%s may %s: got %v, want %v", name, a, got, allowed[name])
			}
			if p.Allowed(who, a, Target{Org: "o2"}) {
				t.Errorf("%s in o1 may %s in o2", name, a)
			}
		}
	}
}

func TestEveryAdministrationPairMatchesTheTable(t *testing.T) {
	p := Default()
	all := append(p.Roles("1nce"), p.Roles("platform")...)
	for _, actor := range all {
		administered := roleSet(wantAdminister[p.RoleName(actor)])
		who := &Principal{ID: "actor", Grants: []Grant{{Org: "o1", Role: actor}}}
		for _, target := range all {
			want := administered[p.RoleName(target)]
			tu := TargetUser{ID: "target", Org: "o1", Roles: []Role{target}}
			if got := p.CanAdminister(who, tu); got != want {
				t.Errorf("%s administers %s: got %v, want %v", p.RoleName(actor), p.RoleName(target), got, want)
			}
			if got := p.CanAssign(who, "o1", target, false); got != want {
				t.Errorf("%s assigns %s: got %v, want %v", p.RoleName(actor), p.RoleName(target), got, want)
			}
			tu.InitialOwner = true
			if p.CanAdminister(who, tu) {
				t.Errorf("%s administers an initial owner", p.RoleName(actor))
			}
			tu.InitialOwner, tu.Org = false, "o2"
			if p.CanAdminister(who, tu) {
				t.Errorf("%s in o1 administers %s in o2", p.RoleName(actor), p.RoleName(target))
			}
		}
	}
}

func TestOwnerMayCreateOwnersButNotPromote(t *testing.T) {
	p := Default()
	owner, _ := p.Role("owner")
	admin, _ := p.Role("admin")
	o := &Principal{ID: "o", Grants: []Grant{{Org: "acc", Role: owner}}}
	a := &Principal{ID: "a", Grants: []Grant{{Org: "acc", Role: admin}}}
	if !p.CanAssign(o, "acc", owner, true) {
		t.Error("an owner cannot create an owner")
	}
	if p.CanAssign(o, "acc", owner, false) {
		t.Error("an owner can promote an existing user to owner")
	}
	if p.CanAssign(a, "acc", owner, true) || p.CanAssign(a, "acc", admin, true) {
		t.Error("an admin can create an owner or an admin")
	}
}

func TestEveryoneEditsOwnProfileButNotOwnRoles(t *testing.T) {
	p := Default()
	for _, r := range p.Roles("1nce") {
		who := &Principal{ID: "me", Grants: []Grant{{Org: "o", Role: r}}}
		self := TargetUser{ID: "me", Org: "o", Roles: []Role{r}}
		want := p.RoleName(r) != "api_user"
		if got := p.CanAdminister(who, self); got != want {
			t.Errorf("%s edits own profile: got %v, want %v", p.RoleName(r), got, want)
		}
		self.InitialOwner = true
		if got := p.CanAdminister(who, self); got != want {
			t.Errorf("initial %s edits own profile: got %v, want %v", p.RoleName(r), got, want)
		}
	}
}

func TestLoadReportsFileAndLine(t *testing.T) {
	cases := map[string]string{
		"catalogue c\nroles a b\nusers.see_all x\n":                "c.txt:3: row users.see_all has 1 cells",
		"catalogue c\nroles a\nnope.action x\n":                    `c.txt:3: unknown action "nope.action"`,
		"catalogue c\nroles a\nusers.see_all y\n":                  `c.txt:3: cell "y"`,
		"catalogue c\nroles a\nassign-on-create b: a\n":            `c.txt:3: unknown role "b"`,
		"users.see_all x\n":                                        "c.txt:1: matrix row before",
		"catalogue c\nroles a\nusers.see_all x\nusers.see_all x\n": "c.txt:4: row users.see_all appears twice",
	}
	for text, wantErr := range cases {
		_, err := Load(fstest.MapFS{"catalogues/c.txt": {Data: []byte(text)}})
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("Load(%q) = %v, want %q", text, err, wantErr)
		}
	}
}

func BenchmarkAllowed(b *testing.B) {
	p := Default()
	admin, _ := p.Role("admin")
	user, _ := p.Role("user")
	who := &Principal{ID: "0193a0c2-6b1e-7c4e-9d7a-2f4b5c6d7e8f", Grants: []Grant{
		{Org: "0193a0c2-6b1e-7c4e-9d7a-000000000001", Role: user},
		{Org: "0193a0c2-6b1e-7c4e-9d7a-000000000002", Role: admin},
	}}
	t := Target{Org: "0193a0c2-6b1e-7c4e-9d7a-000000000002"}
	b.ReportAllocs()
	for b.Loop() {
		if !p.Allowed(who, UsersSeeAll, t) {
			b.Fatal("denied")
		}
	}
}

func TestMatrixMirrorsTheFile(t *testing.T) {
	p := Default()
	m := p.Matrix("1nce")
	if len(m.Roles) != 6 || m.Roles[0] != "owner" || len(m.Rows) != 47 {
		t.Fatalf("matrix has %d roles, %d rows", len(m.Roles), len(m.Rows))
	}
	for _, row := range m.Rows {
		if row.Action == "users.administer_admin" && (!row.Allowed[0] || row.Allowed[1]) {
			t.Fatalf("administer_admin row = %v", row.Allowed)
		}
	}
}

func TestScopeNarrowsWhatRolesAllow(t *testing.T) {
	p := Default()
	owner, _ := p.Role("owner")
	who := &Principal{ID: "o", Grants: []Grant{{Org: "o1", Role: owner}}}
	who.LimitTo([]Action{SIMsSeeAll})
	if !p.Allowed(who, SIMsSeeAll, Target{Org: "o1"}) || p.Allowed(who, UsersSeeAll, Target{Org: "o1"}) {
		t.Fatal("scope not applied")
	}
}

func TestPerServiceGrantActsOnlyInItsService(t *testing.T) {
	p, err := Load(fstest.MapFS{"catalogues/x.txt": {Data: []byte(`catalogue x
roles admin
sims.see_all            x
users.see_all           x
users.administer_admin  x
service billing: sims
account-owner admin
`)}, "catalogues/platform.txt": {Data: []byte("catalogue platform\nroles operator\nplatform.workflows x\n")}})
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := p.Role("admin")
	in := func(service string) *Principal {
		return &Principal{ID: "u", Grants: []Grant{{Org: "o", Role: admin, Service: service}}}
	}
	o := Target{Org: "o"}
	if !p.Allowed(in("billing"), SIMsSeeAll, o) || p.Allowed(in("billing"), UsersSeeAll, o) {
		t.Fatal("a billing-only admin must act in billing's areas only")
	}
	if p.Allowed(in("nonexistent"), SIMsSeeAll, o) {
		t.Fatal("a grant for an undefined service must allow nothing")
	}
	if !p.Allowed(in(""), UsersSeeAll, o) {
		t.Fatal("a grant for every service allows the role's actions")
	}
	if p.CanAssign(in("billing"), "o", admin, false) {
		t.Fatal("a per-service grant administers nobody")
	}
	if got := p.Services("x"); len(got) != 1 || got[0] != "billing" {
		t.Fatalf("services: %v", got)
	}
}

func TestOwnerIsForPeopleOnly(t *testing.T) {
	p := Default()
	for _, name := range []string{"owner", "admin", "api_user"} {
		r, _ := p.Role(name)
		if got, want := p.PeopleOnly(r), name == "owner"; got != want {
			t.Errorf("PeopleOnly(%s) = %v, want %v", name, got, want)
		}
	}
}

// TestExplainAgreesWithAllowed: for every role of every catalogue and
// every action, Explain allows exactly what Allowed allows, names the
// grant, and says why it denies.
func TestExplainAgreesWithAllowed(t *testing.T) {
	p := Default()
	for _, cat := range append(p.Catalogues(), platformCatalogue) {
		for _, r := range p.Roles(cat) {
			for _, service := range append([]string{""}, p.Services(cat)...) {
				if p.PerService(r) && service == "" {
					continue
				}
				who := &Principal{ID: "u", Grants: []Grant{{Org: "o", Role: r, Service: service}}}
				for a := range Action(len(p.names)) {
					want := p.Allowed(who, a, Target{Org: "o"})
					why := p.Explain(who, a, Target{Org: "o"})
					if why.Allowed() != want || (want && why.Grant.Role != r) {
						t.Fatalf("%s %s/%s %s: Explain %+v, Allowed %v", cat, p.RoleName(r), service, p.ActionName(a), why, want)
					}
					if !want && why.Reason == Granted {
						t.Fatalf("denied as granted")
					}
					// The same grant one org up gives nothing below it.
					if below := p.Explain(who, a, Target{Org: "child"}); below.Allowed() || (want && below.Reason != AboveOnly) {
						t.Fatalf("%s %s %s in a child: %+v", cat, p.RoleName(r), p.ActionName(a), below)
					}
				}
			}
		}
	}
}
