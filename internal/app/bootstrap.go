package app

import (
	"context"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// OperatorLogin is the login of the platform operator created at first run.
const OperatorLogin = "operator"

// BootstrapResult says what Bootstrap did.
type BootstrapResult struct {
	Created bool   // the platform and its operator were created now
	Link    string // one-time link to set the operator's password
}

// Bootstrap makes sure the platform organization and its first operator
// exist. When it creates them, or when force is set (the operator lost
// their password), it returns a one-time link to set the operator's
// password; otherwise an operator who has already set one gets no link.
// Only someone with access to the database can call it.
func (a *App) Bootstrap(ctx context.Context, force bool) (*BootstrapResult, error) {
	res := &BootstrapResult{}
	err := a.update(ctx, func(tx tenantry.Tx) error {
		_, err := tx.PlatformOrg(ctx)
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			res.Created = true
			p := &tenantry.Org{ID: newID(), Kind: tenantry.OrgPlatform, Name: "Platform",
				Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect}
			if err := tx.CreateOrg(ctx, p); err != nil {
				return err
			}
			op := &tenantry.User{ID: newID(), OrgID: p.ID, Kind: tenantry.UserHuman, Status: tenantry.UserInvited,
				Login: OperatorLogin, FirstName: "Platform", LastName: "Operator", Language: "en"}
			if err := tx.CreateUser(ctx, op); err != nil {
				return err
			}
			if err := tx.CreateGrant(ctx, &tenantry.Grant{ID: newID(), UserID: op.ID, OrgID: p.ID, Role: "operator"}); err != nil {
				return err
			}
			if err := event(ctx, tx, nil, p.ID, "platform.bootstrap", "user", op.ID, nil); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		op, err := tx.UserByLogin(ctx, OperatorLogin)
		if err != nil {
			return err
		}
		if op.Status != tenantry.UserInvited && !force {
			return nil
		}
		res.Link, err = a.passwordLink(ctx, tx, op)
		return err
	})
	return res, err
}

// PasswordLink returns a one-time link to set the password of the user
// with login, for the command line of someone who holds the database: the
// way back in for an operator who lost their password, and how demo data
// gets its passwords. It never goes through the API.
func (a *App) PasswordLink(ctx context.Context, login string) (string, error) {
	var link string
	err := a.update(ctx, func(tx tenantry.Tx) error {
		u, err := tx.UserByLogin(ctx, login)
		if err != nil {
			return err
		}
		link, err = a.passwordLink(ctx, tx, u)
		return err
	})
	return link, err
}

// passwordLink issues an activation token to an invited user and a reset
// token to anyone else, with its audit event.
func (a *App) passwordLink(ctx context.Context, tx tenantry.Tx, u *tenantry.User) (string, error) {
	purpose := tenantry.TokenActivation
	if u.Status != tenantry.UserInvited {
		purpose = tenantry.TokenReset
	}
	link, _, err := a.issueToken(ctx, tx, u, purpose)
	if err != nil {
		return "", err
	}
	return link, event(ctx, tx, nil, u.OrgID, "user.password_link", "user", u.ID, map[string]any{"via": "cli"})
}
