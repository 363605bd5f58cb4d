package app

import (
	"context"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// IdPPatch sets an identity provider's fields (U8); nil leaves a field
// alone. Creating one needs name, issuer, client id and client secret.
type IdPPatch struct {
	Name         *string
	Issuer       *string
	ClientID     *string
	ClientSecret *string // write-only: sealed at rest, never read back
	Scopes       *[]string
	// LoginClaim names the claim matched against the user's e-mail or
	// custom login: email (the default), preferred_username, upn, or any
	// other claim the provider sends.
	LoginClaim *string
	Domains    *[]string
	Active     *bool
	TrustMFA   *bool
}

// IdPView is an identity provider as the API and the portal show it: never
// its secret. Inherited names the ancestor that set it up, for a
// provider an org uses from above.
type IdPView struct {
	*tenantry.IdentityProvider
	Org       *tenantry.Org
	Inherited bool
	Users     int
}

// DefaultIdPScopes are asked for besides openid unless the provider says
// otherwise.
var DefaultIdPScopes = []string{"email", "profile"}

var (
	scopeToken = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,100}$`)
	claimName  = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,100}$`)
	domainName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// idpSecretContext binds a sealed client secret to its provider's row.
func idpSecretContext(id string) string { return "idp-secret:" + id }

// applyIdP validates p and applies it to d; creating says whether the
// required fields must be there.
func (a *App) applyIdP(d *tenantry.IdentityProvider, p IdPPatch, creating bool) (map[string]any, error) {
	var v tenantry.Validation
	changed := map[string]any{}
	str := func(field string, dst *string, src *string, maxLen int, check func(string)) {
		if src == nil {
			if creating && *dst == "" {
				v.Add(field, "is required")
			}
			return
		}
		val := strings.TrimSpace(*src)
		switch {
		case val == "":
			v.Add(field, "is required")
		case len(val) > maxLen:
			v.Add(field, "must have at most %d characters", maxLen)
		case check != nil:
			check(val)
		}
		if val != *dst {
			*dst = val
			changed[field] = val
		}
	}
	str("name", &d.Name, p.Name, 100, nil)
	str("issuer", &d.Issuer, p.Issuer, 500, func(s string) {
		if msg := checkIssuer(s); msg != "" {
			v.Add("issuer", "%s", msg)
		}
	})
	str("client_id", &d.ClientID, p.ClientID, 255, nil)
	if p.ClientSecret != nil {
		secret := strings.TrimSpace(*p.ClientSecret)
		switch {
		case secret == "":
			v.Add("client_secret", "is required")
		case len(secret) > 1024:
			v.Add("client_secret", "must have at most 1024 characters")
		default:
			d.ClientSecret = a.seal.Seal(idpSecretContext(d.ID), secret)
			changed["client_secret"] = "changed"
		}
	} else if creating {
		v.Add("client_secret", "is required")
	}
	if creating && d.LoginClaim == "" && p.LoginClaim == nil {
		d.LoginClaim = "email"
	}
	str("login_claim", &d.LoginClaim, p.LoginClaim, 100, func(s string) {
		if !claimName.MatchString(s) {
			v.Add("login_claim", "must be a claim name such as email, preferred_username or upn")
		}
	})
	if creating && p.Scopes == nil {
		d.Scopes = slices.Clone(DefaultIdPScopes)
	}
	// setList takes the words of src, normalised, once each; norm returns
	// "" for a word to leave out.
	setList := func(field, what string, dst, src *[]string, split func(string) []string, norm func(string) string, valid *regexp.Regexp) {
		if src == nil {
			return
		}
		var out []string
		for _, s := range *src {
			for _, w := range split(s) {
				switch w = norm(w); {
				case w == "" || slices.Contains(out, w):
				case !valid.MatchString(w):
					v.Add(field, "%q is not a %s", w, what)
				default:
					out = append(out, w)
				}
			}
		}
		if !slices.Equal(out, *dst) {
			*dst = out
			changed[field] = strings.Join(out, " ")
		}
	}
	setList("scopes", "scope name", &d.Scopes, p.Scopes, strings.Fields, func(w string) string {
		if w == "openid" { // always asked for
			return ""
		}
		return w
	}, scopeToken)
	setList("domains", "domain name", &d.Domains, p.Domains, func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	}, func(w string) string { return strings.ToLower(strings.TrimPrefix(w, "@")) }, domainName)
	if p.Active != nil && *p.Active != d.Active {
		d.Active = *p.Active
		changed["active"] = d.Active
	}
	if p.TrustMFA != nil && *p.TrustMFA != d.TrustMFA {
		d.TrustMFA = *p.TrustMFA
		changed["trust_mfa"] = d.TrustMFA
	}
	return changed, v.Err()
}

// checkIssuer says what is wrong with an issuer URL, or "". It must be
// https, but for a provider on this machine (loopback), as OAuth 2.0 for
// native apps allows, and carry no query or fragment (OIDC Discovery 4.1).
func checkIssuer(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "must be a URL such as https://login.example.com/realms/acme"
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "must have no query, fragment or credentials"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if host := u.Hostname(); host == "localhost" || net.ParseIP(host).IsLoopback() {
			return ""
		}
	}
	return "must start with https://"
}

// CreateIdP sets up an identity provider for an org and its subtree (U8).
// Owners and admins of the org do, like its other security settings.
func (a *App) CreateIdP(ctx context.Context, who *Actor, orgID string, p IdPPatch) (*IdPView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *IdPView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		o, err := a.securityOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		d := &tenantry.IdentityProvider{ID: newID(), OrgID: o.ID}
		changed, err := a.applyIdP(d, p, true)
		if err != nil {
			return err
		}
		if err := tx.CreateIdP(ctx, d); err != nil {
			return err
		}
		view = &IdPView{IdentityProvider: d, Org: o}
		return event(ctx, tx, who, o.ID, "idp.create", "idp", d.ID, changed)
	})
	return view, err
}

// UpdateIdP changes an identity provider. Deactivating it stops new
// sign-ins through it; its users' running sessions end.
func (a *App) UpdateIdP(ctx context.Context, who *Actor, id string, p IdPPatch) (*IdPView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *IdPView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		d, o, err := a.managedIdP(ctx, tx, who, id)
		if err != nil {
			return err
		}
		changed, err := a.applyIdP(d, p, false)
		if err != nil || len(changed) == 0 {
			view = &IdPView{IdentityProvider: d, Org: o}
			return err
		}
		if err := tx.UpdateIdP(ctx, d); err != nil {
			return err
		}
		a.rp.Forget(d.ID)
		if p.Active != nil && !*p.Active {
			if err := tx.EndIdPSessions(ctx, d.ID); err != nil {
				return err
			}
		}
		n, err := tx.CountIdPUsers(ctx, d.ID)
		if err != nil {
			return err
		}
		view = &IdPView{IdentityProvider: d, Org: o, Users: n}
		return event(ctx, tx, who, o.ID, "idp.update", "idp", d.ID, changed)
	})
	return view, err
}

// DeleteIdP removes an identity provider nobody signs in with any more.
func (a *App) DeleteIdP(ctx context.Context, who *Actor, id string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		d, o, err := a.managedIdP(ctx, tx, who, id)
		if err != nil {
			return err
		}
		n, err := tx.CountIdPUsers(ctx, d.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return tenantry.Errorf(tenantry.Conflict, "%d users sign in through %s; give them another sign-in method first, or deactivate it", n, d.Name)
		}
		if err := tx.DeleteIdP(ctx, d.ID); err != nil {
			return err
		}
		a.rp.Forget(d.ID)
		return event(ctx, tx, who, o.ID, "idp.delete", "idp", d.ID, map[string]any{"name": d.Name})
	})
}

// IdP returns one identity provider of an org the actor administers.
func (a *App) IdP(ctx context.Context, who *Actor, id string) (*IdPView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *IdPView
	err := a.view(ctx, func(tx tenantry.Tx) error {
		d, o, err := a.managedIdP(ctx, tx, who, id)
		if err != nil {
			return err
		}
		n, err := tx.CountIdPUsers(ctx, d.ID)
		view = &IdPView{IdentityProvider: d, Org: o, Users: n}
		return err
	})
	return view, err
}

// IdPs returns the identity providers an org's people may sign in with:
// the org's own, or, where it has none, those of its nearest ancestor
// that has some (marked Inherited). Whoever sees the org sees them; the
// secrets stay sealed.
func (a *App) IdPs(ctx context.Context, who *Actor, orgID string) ([]IdPView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []IdPView
	err := a.view(ctx, func(tx tenantry.Tx) error {
		o, err := a.visibleOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		if out, err = a.usableIdPs(ctx, tx, o.ID); err != nil {
			return err
		}
		for i := range out {
			if out[i].Users, err = tx.CountIdPUsers(ctx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// usableIdPs returns the providers of the nearest org on orgID's path
// that has any.
func (a *App) usableIdPs(ctx context.Context, tx tenantry.Tx, orgID string) ([]IdPView, error) {
	path, err := tx.OrgPath(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for i, o := range path {
		ps, err := tx.OrgIdPs(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			continue
		}
		out := make([]IdPView, len(ps))
		for j, p := range ps {
			out[j] = IdPView{IdentityProvider: p, Org: o, Inherited: i > 0}
		}
		return out, nil
	}
	return nil, nil
}

// usableIdP returns the provider with id if orgID's people may use it.
func (a *App) usableIdP(ctx context.Context, tx tenantry.Tx, orgID, id string) (*IdPView, error) {
	ps, err := a.usableIdPs(ctx, tx, orgID)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].ID == id {
			return &ps[i], nil
		}
	}
	return nil, nil
}

// managedIdP loads an identity provider whose org's security settings
// the actor may change.
func (a *App) managedIdP(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.IdentityProvider, *tenantry.Org, error) {
	d, err := tx.IdP(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	o, err := a.securityOrg(ctx, tx, who, d.OrgID)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return nil, nil, notFound("identity provider")
	}
	return d, o, err
}

// MayChangeSecurity says whether the actor may change an org's security
// settings and identity providers, for pages that offer it.
func (a *App) MayChangeSecurity(ctx context.Context, who *Actor, orgID string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.view(ctx, func(tx tenantry.Tx) error {
		_, err := a.securityOrg(ctx, tx, who, orgID)
		return err
	})
}

// PublicURL is the base of every link Tenantry sends and of the redirect
// URI identity providers send people back to.
func (a *App) PublicURL() string { return a.cfg.PublicURL }
