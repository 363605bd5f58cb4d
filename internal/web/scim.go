package web

import (
	"net/http"
	"net/url"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// scimData is an org's SCIM page: its connection (nil while off), the
// choices of its form, and a new token to show this once.
type scimData struct {
	Org      *tenantry.Org
	SCIM     *app.SCIMView
	BaseURL  string
	Roles    []string
	Defaults []string
	IdPs     []app.IdPView
	Token    string
}

// scimPage loads an org's SCIM page; while SCIM is off the form offers to
// turn it on.
func (h *Handler) scimPage(r *http.Request, who *app.Actor, p *page) (*scimData, error) {
	ctx := r.Context()
	o, err := h.app.Org(ctx, who, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	d := &scimData{Org: o, BaseURL: h.app.PublicURL() + "/scim/v2", Roles: h.app.SCIMRoles(who, o)}
	if d.SCIM, err = h.app.SCIM(ctx, who, o.ID); err != nil && tenantry.ErrorCode(err) != tenantry.NotFound {
		return nil, err
	}
	if d.IdPs, err = h.app.IdPs(ctx, who, o.ID); err != nil {
		return nil, err
	}
	if d.SCIM != nil && len(p.Form) == 0 {
		p.Form.Set("role", d.SCIM.Role)
		p.Form.Set("default_role", d.SCIM.DefaultRole)
		p.Form.Set("idp", d.SCIM.IdP)
		p.Form.Set("on_delete", string(d.SCIM.OnDelete))
		if d.SCIM.Exclusive {
			p.Form.Set("exclusive", "on")
		}
	}
	role := p.V("role")
	if role == "" && len(d.Roles) > 0 {
		role = d.Roles[0]
	}
	d.Defaults = h.app.SCIMDefaultRoles(o, role)
	p.Data = d
	return d, nil
}

func (h *Handler) scim(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Provisioning (SCIM)", "orgs")
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	if _, err := h.scimPage(r, who, p); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "scim.html", p)
	return nil
}

// changeSCIM turns SCIM on, saves its settings, makes a new token or
// turns it off, as the button pressed says.
func (h *Handler) changeSCIM(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Provisioning (SCIM)", "orgs")
	if !ok {
		return nil
	}
	d, err := h.scimPage(r, who, p)
	if err != nil {
		return err
	}
	ctx := r.Context()
	in := app.SCIMSettings{Role: p.V("role"), DefaultRole: p.V("default_role"), IdP: p.V("idp"),
		OnDelete: tenantry.SCIMDelete(p.V("on_delete")), Exclusive: p.V("exclusive") == "on"}
	self := "/orgs/" + url.PathEscape(d.Org.ID) + "/scim"
	switch p.V("do") {
	case "enable":
		d.SCIM, d.Token, err = h.app.EnableSCIM(ctx, who, d.Org.ID, in)
	case "save":
		if _, err = h.app.UpdateSCIM(ctx, who, d.Org.ID, in); err == nil {
			redirect(w, r, withFlash(self, "saved"))
			return nil
		}
	case "token":
		d.SCIM, d.Token, err = h.app.RotateSCIMToken(ctx, who, d.Org.ID)
	case "disable":
		if err = h.app.DisableSCIM(ctx, who, d.Org.ID); err == nil {
			redirect(w, r, withFlash(self, "scim-off"))
			return nil
		}
	default:
		return tenantry.Errorf(tenantry.NotFound, "page not found")
	}
	if err != nil {
		h.fail(w, r, "scim.html", p, err)
		return nil
	}
	p.Flash = p.T("Give the directory this URL and token. The token is shown this once.")
	h.render(w, r, http.StatusOK, "scim.html", p)
	return nil
}
