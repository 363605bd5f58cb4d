package web

import (
	"net/http"
	"slices"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/oidcop"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// appSignInData is the page between a person's session and one of the
// portal's applications: pick the org, or continue.
type appSignInData struct {
	Request  string
	Client   string
	Orgs     []*tenantry.Org
	Continue string // the provider's callback, once the request is done
}

// appSignIn finishes an application's sign-in request for the signed-in
// person (issue 14): with one org, at once; with several, the person picks
// one. The way on is a page that continues by itself (meta refresh), not
// a redirect: a form's redirect may not end on another site (CSP
// form-action), and the application is one.
func (h *Handler) appSignIn(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	ctx := r.Context()
	p := h.newPage(r, "Sign in", "")
	p.Bare = true
	if r.Method == http.MethodPost && !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "app_signin.html", p)
		return nil
	}
	id := r.FormValue("request")
	req, err := h.app.OIDCRequest(ctx, id)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return tenantry.Errorf(tenantry.NotFound, "this sign-in request has expired; go back to the application and start again")
	}
	if err != nil {
		return err
	}
	orgs, err := h.app.OIDCOrgs(ctx, who)
	if err != nil {
		return err
	}
	d := &appSignInData{Request: id, Client: req.ClientID, Orgs: orgs}
	p.Data = d
	org := r.FormValue("org")
	if req.OrgID != "" {
		// The application asked for this org: the person must hold a role
		// there; they pick no other.
		org = req.OrgID
		if !slices.ContainsFunc(orgs, func(o *tenantry.Org) bool { return o.ID == org }) {
			return tenantry.Errorf(tenantry.Forbidden, "the application asks you to sign in for an organization where you hold no role")
		}
	}
	if org == "" && len(orgs) == 1 {
		org = orgs[0].ID
	}
	if org == "" || (r.Method == http.MethodGet && len(orgs) > 1 && req.OrgID == "") {
		h.render(w, r, http.StatusOK, "app_signin.html", p)
		return nil
	}
	if err := h.app.CompleteOIDCRequest(ctx, who, id, org); err != nil {
		return err
	}
	d.Continue = oidcop.CallbackPath(id)
	h.render(w, r, http.StatusOK, "app_signin.html", p)
	return nil
}
