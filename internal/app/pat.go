package app

import (
	"context"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// PATPrefix starts every personal access token, so secret scanners and
// people can tell one at a glance.
const PATPrefix = "tnt_pat_"

// CreatePersonalToken gives an Owner a token for the Management API (R3),
// shown this once and stored hashed. Only a signed-in person who holds the
// Owner role (configuration.management_api) in their organization may.
func (a *App) CreatePersonalToken(ctx context.Context, who *Actor, name string, ttl time.Duration) (*tenantry.PersonalToken, string, error) {
	if err := ready(who); err != nil {
		return nil, "", err
	}
	if who.Via != ViaSession {
		return nil, "", forbidden("personal access tokens are made in a signed-in session")
	}
	if err := a.MayMakePersonalTokens(who); err != nil {
		return nil, "", err
	}
	if err := a.recentAuth(who); err != nil {
		return nil, "", err
	}
	var v tenantry.Validation
	name = strings.TrimSpace(name)
	checkName(&v, "name", name)
	if ttl <= 0 || ttl > 366*24*time.Hour {
		v.Add("expires_in_days", "must be 1 to 366 days")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	secret, _ := auth.NewToken()
	raw := PATPrefix + secret
	t := &tenantry.PersonalToken{ID: newID(), UserID: who.User.ID, Name: name, Hash: auth.HashToken(raw)}
	err := a.update(ctx, func(tx tenantry.Tx) error {
		t.ExpiresAt = tx.Now().Add(ttl)
		if err := tx.CreatePersonalToken(ctx, t); err != nil {
			return err
		}
		return event(ctx, tx, who, who.User.OrgID, "pat.create", "user", who.User.ID, map[string]any{"name": name, "token": t.ID})
	})
	if err != nil {
		return nil, "", err
	}
	return t, raw, nil
}

// MayMakePersonalTokens says whether the actor may make personal access
// tokens: only Owners reach the Management API (R3).
func (a *App) MayMakePersonalTokens(who *Actor) error {
	if err := ready(who); err != nil {
		return err
	}
	if !a.policy.Allowed(who.Principal(), policy.ConfigurationManagementAPI, policy.Target{Org: who.User.OrgID}) {
		return a.refused(policy.ConfigurationManagementAPI, who.User.OrgID, "only Owners reach the Management API")
	}
	return nil
}

// PersonalTokens lists the actor's personal access tokens (never their values).
func (a *App) PersonalTokens(ctx context.Context, who *Actor) ([]*tenantry.PersonalToken, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if err := person(who); err != nil {
		return nil, err
	}
	var out []*tenantry.PersonalToken
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		out, err = tx.PersonalTokens(ctx, who.User.ID)
		return err
	})
	return out, err
}

// DeletePersonalToken revokes one of the actor's personal access tokens.
func (a *App) DeletePersonalToken(ctx context.Context, who *Actor, id string) error {
	if err := ready(who); err != nil {
		return err
	}
	if err := person(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		if err := tx.DeletePersonalToken(ctx, who.User.ID, id); err != nil {
			return err
		}
		return event(ctx, tx, who, who.User.OrgID, "pat.delete", "user", who.User.ID, map[string]any{"token": id})
	})
}

func (a *App) authenticatePAT(ctx context.Context, raw, ip string) (*Actor, error) {
	unauth := tenantry.Errorf(tenantry.Unauthenticated, "the bearer token is invalid, expired or revoked")
	var who *Actor
	err := a.viewState(ctx, func(tx reader) error {
		t, err := tx.PersonalTokenByHash(ctx, auth.HashToken(raw))
		if err != nil && tenantry.ErrorCode(err) != tenantry.NotFound {
			return err // the database, not the token, is at fault
		}
		if err != nil || !tx.Now().Before(t.ExpiresAt) {
			return unauth
		}
		u, err := tx.User(ctx, t.UserID)
		if err != nil && tenantry.ErrorCode(err) != tenantry.NotFound {
			return err
		}
		if err != nil || u.Status != tenantry.UserActive {
			return unauth
		}
		who, err = a.loadActor(ctx, tx, u)
		return err
	})
	if err != nil {
		return nil, err
	}
	who.Via, who.IP = ViaPAT, ip
	return who, nil
}
