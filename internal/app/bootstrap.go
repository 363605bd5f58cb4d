package app

import (
	"context"
	"time"

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

// The settings that say which public URL the instances on this database
// serve under, and when one last said so.
const (
	publicURLKey  = "public_url"
	publicSeenKey = "public_url_seen"
)

// PublicURLHeartbeat is how often a serving instance records its public
// URL; another URL recorded within three of these is a live instance.
const PublicURLHeartbeat = 30 * time.Second

// ClaimPublicURL records the public URL this instance serves under. Every
// instance on one database must have the same one (it is the issuer and
// audience of access tokens, and the base of every link), so it refuses
// while another instance has recorded another URL within three
// heartbeats; after that the old instances are gone, and the new URL
// takes over.
func (a *App) ClaimPublicURL(ctx context.Context) error {
	return a.store.Update(ctx, func(tx tenantry.Tx) error {
		now := tx.Now()
		stored, err := tx.Setting(ctx, publicURLKey)
		if err != nil && tenantry.ErrorCode(err) != tenantry.NotFound {
			return err
		}
		if stored != "" && stored != a.cfg.PublicURL {
			if seen, err := tx.Setting(ctx, publicSeenKey); err == nil {
				if at, err := time.Parse(time.RFC3339Nano, seen); err == nil && now.Sub(at) < 3*PublicURLHeartbeat {
					return tenantry.Errorf(tenantry.Conflict, "another instance serves this database as %s (%s ago); every instance "+
						"needs the same --public-url, or tokens issued by one are refused by the other", stored, now.Sub(at).Round(time.Second))
				}
			}
		}
		if err := tx.PutSetting(ctx, publicURLKey, a.cfg.PublicURL); err != nil {
			return err
		}
		return tx.PutSetting(ctx, publicSeenKey, now.UTC().Format(time.RFC3339Nano))
	})
}

// StoredPublicURL returns the public URL serve last recorded in store, or "".
func StoredPublicURL(ctx context.Context, store tenantry.Store) (string, error) {
	var url string
	err := store.View(ctx, func(tx tenantry.Tx) error {
		var err error
		url, err = tx.Setting(ctx, publicURLKey)
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return nil
		}
		return err
	})
	return url, err
}

// RecordPublicURL records the configured public URL unless one is
// recorded already, for commands run beside the server (bootstrap) when
// it has not run yet.
func (a *App) RecordPublicURL(ctx context.Context) error {
	return a.store.Update(ctx, func(tx tenantry.Tx) error { return tx.PutSettingIfAbsent(ctx, publicURLKey, a.cfg.PublicURL) })
}
