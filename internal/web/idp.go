package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// idpData is the page of one identity provider: a new one for Org, or
// IdP to change, with what a connection test found.
type idpData struct {
	Org      *tenantry.Org
	IdP      *app.IdPView
	Redirect string // the redirect URI to register with the provider
	Found    []string
}

// idpForm reads the provider form into a patch. The secret is sent only
// when typed: empty keeps the one stored.
func idpForm(p *page) app.IdPPatch {
	str := func(name string) *string { v := p.V(name); return &v }
	list := func(name string) *[]string { v := strings.Fields(strings.ReplaceAll(p.V(name), ",", " ")); return &v }
	on := func(name string) *bool { v := p.V(name) == "on"; return &v }
	patch := app.IdPPatch{Name: str("name"), Issuer: str("issuer"), ClientID: str("client_id"),
		Scopes: list("scopes"), LoginClaim: str("login_claim"), Domains: list("domains"),
		Active: on("active"), TrustMFA: on("trust_mfa")}
	if strings.TrimSpace(p.V("client_secret")) != "" {
		patch.ClientSecret = str("client_secret")
	}
	return patch
}

// fillIdPForm puts a provider's fields into the form, never its secret.
func fillIdPForm(p *page, d *tenantry.IdentityProvider) {
	p.Form.Set("name", d.Name)
	p.Form.Set("issuer", d.Issuer)
	p.Form.Set("client_id", d.ClientID)
	p.Form.Set("scopes", strings.Join(d.Scopes, " "))
	p.Form.Set("login_claim", d.LoginClaim)
	p.Form.Set("domains", strings.Join(d.Domains, " "))
	if d.Active {
		p.Form.Set("active", "on")
	}
	if d.TrustMFA {
		p.Form.Set("trust_mfa", "on")
	}
}

func (h *Handler) redirectURI() string { return h.app.PublicURL() + app.IdPCallbackPath }

// newIdPForm is the form that sets up an identity provider for an org.
func (h *Handler) newIdPForm(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "New identity provider", "orgs")
	o, err := h.app.Org(r.Context(), who, orgParam(r, who))
	if err != nil {
		return err
	}
	if err := h.app.MayChangeSecurity(r.Context(), who, o.ID); err != nil {
		return err
	}
	fillIdPForm(p, &tenantry.IdentityProvider{Scopes: app.DefaultIdPScopes, LoginClaim: "email", Active: true})
	p.Data = &idpData{Org: o, Redirect: h.redirectURI()}
	h.render(w, r, http.StatusOK, "idp.html", p)
	return nil
}

func (h *Handler) createIdP(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "New identity provider", "orgs")
	if !ok {
		return nil
	}
	o, err := h.app.Org(r.Context(), who, p.V("org"))
	if err != nil {
		return err
	}
	p.Data = &idpData{Org: o, Redirect: h.redirectURI()}
	v, err := h.app.CreateIdP(r.Context(), who, o.ID, idpForm(p))
	if err != nil {
		p.Form.Del("client_secret")
		h.fail(w, r, "idp.html", p, err)
		return nil
	}
	redirect(w, r, withFlash("/idps/"+url.PathEscape(v.ID), "saved"))
	return nil
}

// idp is one identity provider's page: its settings, a connection test
// and removal.
func (h *Handler) idp(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	v, err := h.app.IdP(r.Context(), who, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.newPage(r, v.Name, "orgs")
	fillIdPForm(p, v.IdentityProvider)
	p.Data = &idpData{Org: v.Org, IdP: v, Redirect: h.redirectURI()}
	h.render(w, r, http.StatusOK, "idp.html", p)
	return nil
}

func (h *Handler) updateIdP(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	ctx := r.Context()
	v, err := h.app.IdP(ctx, who, r.PathValue("id"))
	if err != nil {
		return err
	}
	p, ok := h.posted(w, r, v.Name, "orgs")
	if !ok {
		return nil
	}
	d := &idpData{Org: v.Org, IdP: v, Redirect: h.redirectURI()}
	p.Data = d
	switch r.PathValue("action") {
	case "":
		if _, err := h.app.UpdateIdP(ctx, who, v.ID, idpForm(p)); err != nil {
			p.Form.Del("client_secret")
			h.fail(w, r, "idp.html", p, err)
			return nil
		}
		redirect(w, r, withFlash("/idps/"+url.PathEscape(v.ID), "saved"))
	case "test":
		fillIdPForm(p, v.IdentityProvider)
		found, err := h.app.TestIdP(ctx, who, v.ID)
		if err != nil {
			h.fail(w, r, "idp.html", p, err)
			return nil
		}
		d.Found = found
		p.Flash = p.T("The provider answered as a sign-in needs it.")
		h.render(w, r, http.StatusOK, "idp.html", p)
	case "delete":
		if err := h.app.DeleteIdP(ctx, who, v.ID); err != nil {
			fillIdPForm(p, v.IdentityProvider)
			h.fail(w, r, "idp.html", p, err)
			return nil
		}
		redirect(w, r, withFlash("/orgs?org="+url.QueryEscape(v.OrgID), "deleted"))
	default:
		return tenantry.Errorf(tenantry.NotFound, "page not found")
	}
	return nil
}
