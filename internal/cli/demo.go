package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/google/uuid"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/mail"
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
		return a.SetPassword(ctx, link[strings.Index(link, "token=")+len("token="):], password, "127.0.0.1")
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
		if accountID, err = createDemo(ctx, db, a, op.Actor, setPassword, password); err != nil {
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
	fmt.Fprintf(out, "Sign in:\n  curl -c jar -X POST %s/api/v1/session -H 'Content-Type: application/json' \\\n"+
		"    -d '{\"login\":\"%s\",\"password\":\"%s\"}'\n  curl -b jar %s/api/v1/orgs/%s/users\n",
		public, demoOwner, password, public, accountID)
	return nil
}

func demoLogins() []string {
	var out []string
	for _, p := range demoPeople {
		out = append(out, p.email)
	}
	return out
}

// createDemo opens the demo account as the operator, activates its owner,
// and has the owner create the other people. Sub-organizations are written
// straight to the store until their use case exists.
func createDemo(ctx context.Context, db *sqlstore.DB, a *app.App, operator *app.Actor, setPassword func(string) error, password string) (string, error) {
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
	err = db.Update(ctx, func(tx tenantry.Tx) error {
		parent := acc.ID
		for _, o := range []struct{ name, typ string }{
			{"Demo Partner Süd", "partner"}, {"Demo Customer Alpha", "customer"}, {"Demo Fleet North", "unit"},
		} {
			org := &tenantry.Org{ID: uuid.Must(uuid.NewV7()).String(), ParentID: parent, AccountID: acc.ID,
				Kind: tenantry.OrgSub, Type: o.typ, Name: o.name, Status: tenantry.OrgActive, Channel: acc.Channel}
			if err := tx.CreateOrg(ctx, org); err != nil {
				return err
			}
			if o.typ == "partner" {
				parent = org.ID // the customer sits below the partner
			} else {
				parent = acc.ID
			}
		}
		return nil
	})
	return acc.ID, err
}
