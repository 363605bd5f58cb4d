package web

import (
	"net/http"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

type servicesData struct {
	Account   *tenantry.Org
	Available []string
	Enabled   map[string]bool
}

// accountServices is the operator's page of an account's services (seed
// 003): a checkbox per service of its catalogue.
func (h *Handler) accountServices(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Services", "operator")
	return h.showServices(w, r, who, p, http.StatusOK, nil)
}

func (h *Handler) setAccountServices(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Services", "operator")
	if !ok {
		return nil
	}
	if _, err := h.app.SetServices(r.Context(), who, r.PathValue("id"), p.Form["services"]); err != nil {
		return h.showServices(w, r, who, p, 0, err)
	}
	redirect(w, r, withFlash("/operator/accounts/"+r.PathValue("id")+"/services", "services"))
	return nil
}

// showServices renders the page, with err beside the checkboxes.
func (h *Handler) showServices(w http.ResponseWriter, r *http.Request, who *app.Actor, p *page, status int, failed error) error {
	ctx := r.Context()
	acc, err := h.app.Org(ctx, who, r.PathValue("id"))
	if err != nil {
		return err
	}
	set, err := h.app.Services(ctx, who, acc.ID)
	if err != nil {
		return err
	}
	d := &servicesData{Account: acc, Available: set.Available, Enabled: map[string]bool{}}
	for _, s := range set.Enabled {
		d.Enabled[s] = true
	}
	p.Data = d
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	if failed != nil {
		h.fail(w, r, "services.html", p, failed)
		return nil
	}
	h.render(w, r, status, "services.html", p)
	return nil
}
