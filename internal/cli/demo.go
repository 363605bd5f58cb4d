package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/mail"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/sqlstore"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// demoAccount is the name of the customer account --demo seeds.
const demoAccount = "Demo Mobility GmbH"

var demoPeople = []struct {
	email, first, last, role string
}{
	{"admin@demo.example", "Adam", "Admin", "admin"},
	{"user@demo.example", "Ulla", "User", "user"},
	{"readonly@demo.example", "Rita", "Reader", "read_only"},
	{"partner@demo.example", "Theo", "Third", "third_party"},
}

const demoOwner = "owner@demo.example"

// demoPortals are the other seed portals --demo opens an account of, one
// per catalogue: an owner, people with that catalogue's roles and, where
// the catalogue has them, services and a typed sub-organization.
var demoPortals = []struct {
	catalogue, name, shows string
	owner                  string
	people                 [][2]string // e-mail, role (ROLE:SERVICE for a service role)
	services               []string
	child                  [3]string // name, type, owner's e-mail
}{
	{"partner", "Demo Charging Partner AG", "e-mobility partner portal, twelve roles (seed 002)", "owner@partner.demo.example",
		[][2]string{{"contracts@partner.demo.example", "power_user_business_contracts"}, {"monitor@partner.demo.example", "standard_user_monitoring"}},
		nil, [3]string{"Demo Sub-partner", "partner", "sub@partner.demo.example"}},
	{"cloud", "Demo Cloud Reseller", "cloud services, per-service roles (seed 003)", "owner@cloud.demo.example",
		[][2]string{{"unit-admin@cloud.demo.example", "unit_admin"}, {"backup-admin@cloud.demo.example", "service_admin:backup"}},
		[]string{"backup", "file_sync_share"}, [3]string{"Demo Customer Beta", "customer", "beta@cloud.demo.example"}},
	{"hosting", "Demo Hosting Kunde", "hosting customer portal, Master user (seed 004)", "owner@hosting.demo.example",
		[][2]string{{"tech@hosting.demo.example", "technical"}, {"finance@hosting.demo.example", "financial"}},
		nil, [3]string{}},
}

// seedDemo creates the demo account through the use cases, the first time,
// and on every start gives the operator and the demo people one fresh
// random password, printed once here.
func seedDemo(ctx context.Context, db *sqlstore.DB, a *app.App, out io.Writer, public string) error {
	b := make([]byte, 12)
	rand.Read(b)
	password := "demo-" + base64.RawURLEncoding.EncodeToString(b)
	setPassword := func(login string) error {
		link, err := a.PasswordLink(ctx, login)
		if err != nil {
			return err
		}
		err = a.SetPassword(ctx, link[strings.Index(link, "token=")+len("token="):], password, "127.0.0.1")
		// Each password hash leaves its memory as garbage (7 MiB; 19 MiB
		// with the parameters before), and with what seeding holds live
		// the collector let several pile up before it ran: the demo's
		// start peaks at 69-84 MB resident without these collections,
		// 63-74 MB with them (113-124 MB with 19 MiB hashes). Twenty
		// collections cost a few milliseconds of start.
		runtime.GC()
		return err
	}
	if err := setPassword(app.OperatorLogin); err != nil {
		return err
	}
	op, err := a.SignIn(ctx, app.OperatorLogin, password, "", "127.0.0.1", "tenantry demo")
	if err != nil {
		return err
	}
	defer a.SignOut(ctx, op.Actor)

	var accountID string
	accounts, err := a.Accounts(ctx, op.Actor, "", app.MaxLimit)
	if err != nil {
		return err
	}
	for _, acc := range accounts {
		if acc.Name == demoAccount {
			accountID = acc.ID
		}
	}
	if accountID == "" {
		if accountID, err = createDemo(ctx, a, op.Actor, setPassword, password); err != nil {
			return err
		}
		if err := createDemoPortals(ctx, a, op.Actor, setPassword, password); err != nil {
			return err
		}
	}
	for _, login := range append([]string{demoOwner}, demoLogins()...) {
		if err := setPassword(login); err != nil {
			return err
		}
	}
	// The demo's own activation mail is spent already: file it in the dev
	// mailbox quietly rather than print dead links.
	quiet := mail.NewDispatcher(db, &mail.Mailbox{Store: db}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := quiet.Drain(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo data is ready. Every demo login below has the password  %s\n", password)
	fmt.Fprintf(out, "  operator                (platform operator)\n  %-23s (owner of %s, account %s)\n", demoOwner, demoAccount, accountID)
	for _, p := range demoPeople {
		fmt.Fprintf(out, "  %-23s (%s)\n", p.email, p.role)
	}
	fmt.Fprintf(out, "Those show the IoT SIM portal (catalogue 1nce, seed 001). The other seed portals, same password:\n")
	for _, d := range demoPortals {
		fmt.Fprintf(out, "  %-32s owner of %s: the %s\n", d.owner, d.name, d.shows)
		for _, p := range d.people {
			fmt.Fprintf(out, "  %-32s (%s)\n", p[0], p[1])
		}
	}
	fmt.Fprintf(out, "Open the portal at %s/ and sign in with one of them, or use the API:\n  curl -c jar -X POST %s/api/v1/session -H 'Content-Type: application/json' \\\n"+
		"    -d '{\"login\":\"%s\",\"password\":\"%s\"}'\n  curl -b jar %s/api/v1/orgs/%s/users\n",
		public, public, demoOwner, password, public, accountID)
	return nil
}

func demoLogins() []string {
	var out []string
	for _, p := range demoPeople {
		out = append(out, p.email)
	}
	for _, d := range demoPortals {
		out = append(out, d.owner)
		for _, p := range d.people {
			out = append(out, p[0])
		}
		if d.child[2] != "" {
			out = append(out, d.child[2])
		}
	}
	return out
}

// createDemoPortals opens an account per other seed portal, through the
// use cases as a person would: the operator opens it (and enables its
// services), its owner creates the people and a sub-organization.
func createDemoPortals(ctx context.Context, a *app.App, operator *app.Actor, setPassword func(string) error, password string) error {
	for _, d := range demoPortals {
		acc, _, err := a.CreateAccount(ctx, operator, app.NewAccount{Name: d.name, Catalogue: d.catalogue,
			Owner: app.NewUser{Email: d.owner, FirstName: "Demo", LastName: "Owner"}})
		if err != nil {
			return fmt.Errorf("%s: %w", d.catalogue, err)
		}
		if len(d.services) > 0 {
			if _, err := a.SetServices(ctx, operator, acc.ID, d.services); err != nil {
				return err
			}
		}
		if err := setPassword(d.owner); err != nil {
			return err
		}
		owner, err := a.SignIn(ctx, d.owner, password, "", "127.0.0.1", "tenantry demo")
		if err != nil {
			return err
		}
		defer a.SignOut(ctx, owner.Actor)
		for _, p := range d.people {
			if _, err := a.CreateUser(ctx, owner.Actor, acc.ID, app.NewUser{Email: p[0], FirstName: "Demo",
				LastName: strings.Split(p[0], "@")[0], Roles: []string{p[1]}}); err != nil {
				return fmt.Errorf("%s: %s: %w", d.catalogue, p[0], err)
			}
		}
		if d.child[0] != "" {
			if _, _, err := a.CreateSubOrg(ctx, owner.Actor, acc.ID, app.NewSubOrg{Name: d.child[0], Type: d.child[1],
				Owner: app.NewUser{Email: d.child[2], FirstName: "Demo", LastName: d.child[0]}}); err != nil {
				return fmt.Errorf("%s: %w", d.catalogue, err)
			}
		}
	}
	return nil
}

// createDemo opens the demo account as the operator, activates its owner,
// has the owner create the other people and three sub-organizations, and
// loads SIMs for the portal's tabs to show.
func createDemo(ctx context.Context, a *app.App, operator *app.Actor, setPassword func(string) error, password string) (string, error) {
	acc, _, err := a.CreateAccount(ctx, operator, app.NewAccount{Name: demoAccount,
		Owner: app.NewUser{Email: demoOwner, FirstName: "Olivia", LastName: "Owner"}})
	if err != nil {
		return "", err
	}
	if err := setPassword(demoOwner); err != nil {
		return "", err
	}
	owner, err := a.SignIn(ctx, demoOwner, password, "", "127.0.0.1", "tenantry demo")
	if err != nil {
		return "", err
	}
	defer a.SignOut(ctx, owner.Actor)
	for _, p := range demoPeople {
		if _, err := a.CreateUser(ctx, owner.Actor, acc.ID, app.NewUser{Email: p.email, FirstName: p.first,
			LastName: p.last, Roles: []string{p.role}}); err != nil {
			return "", err
		}
	}
	// Sub-organizations through the use case, each owner activated, so
	// they are active; a partner with a customer below it, and a unit.
	subs := map[string]string{}
	owners := map[string]*app.Actor{} // who creates below each sub-org: its owner
	for _, o := range []struct{ name, typ, parent, owner string }{
		{"Demo Partner Süd", "partner", "", "partner-owner@demo.example"},
		{"Demo Customer Alpha", "customer", "Demo Partner Süd", "alpha-owner@demo.example"},
		{"Demo Fleet North", "unit", "", "fleet-owner@demo.example"},
	} {
		parent, creator := acc.ID, owner.Actor
		if o.parent != "" {
			parent, creator = subs[o.parent], owners[o.parent]
		}
		org, _, err := a.CreateSubOrg(ctx, creator, parent, app.NewSubOrg{Name: o.name, Type: o.typ,
			SelfManagedProfile: o.typ == "partner",
			Owner:              app.NewUser{Email: o.owner, FirstName: "Demo", LastName: o.name}})
		if err != nil {
			return "", err
		}
		if err := setPassword(o.owner); err != nil {
			return "", err
		}
		sub, err := a.SignIn(ctx, o.owner, password, "", "127.0.0.1", "tenantry demo")
		if err != nil {
			return "", err
		}
		defer a.SignOut(ctx, sub.Actor)
		subs[o.name], owners[o.name] = org.ID, sub.Actor
	}
	// 500 SIMs in the account, 100 of them moved to the fleet, and an open
	// invoice that keeps Demo Customer Alpha from being deleted.
	iccids := make([]string, 500)
	for i := range iccids {
		iccids[i] = sims.WithCheckDigit(fmt.Sprintf("894910000000%07d", i))
	}
	if _, err := a.ImportSIMs(ctx, operator, acc.ID, tenantry.SIMActive, iccids, nil); err != nil {
		return "", err
	}
	if _, err := a.Transfer(ctx, owner.Actor, app.TransferRequest{From: acc.ID, To: subs["Demo Fleet North"],
		Ranges: []sims.Range{{Start: iccids[0], End: iccids[99]}}}); err != nil {
		return "", err
	}
	if _, err := a.CreateWorkflow(ctx, operator, subs["Demo Customer Alpha"], "invoice", "Invoice 2026-11"); err != nil {
		return "", err
	}
	return acc.ID, nil
}
