package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

type simsData struct {
	Org       *tenantry.Org
	SIMs      []*tenantry.SIM
	Next      template.URL
	Statuses  []string
	CanExport bool
	Export    string // the API's CSV export, with the same filters
}

// sims is My SIMs: one page of the organization's SIMs with filters, and
// the CSV export the API serves.
func (h *Handler) sims(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, org, err := h.listPage(r, who, "My SIMs", "sims")
	if err != nil {
		return err
	}
	q, ctx := p.Form, r.Context()
	d := &simsData{Org: org, Statuses: tenantry.SIMStatuses, CanExport: h.app.Can(who, policy.SIMsSIMListExport, org.ID)}
	p.Org, p.Data = org.ID, d
	filter := url.Values{}
	for _, k := range []string{"prefix", "status"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			filter.Set(k, v)
		}
	}
	d.Export = "/api/v1/orgs/" + url.PathEscape(org.ID) + "/sims.csv"
	if len(filter) > 0 {
		d.Export += "?" + filter.Encode()
	}
	list, next, err := h.app.ListSIMs(ctx, who, tenantry.SIMFilter{OrgID: org.ID, Prefix: filter.Get("prefix"),
		Status: filter.Get("status"), Cursor: q.Get("cursor"), Limit: 50})
	if err != nil {
		h.fail(w, r, "sims.html", p, err)
		return nil
	}
	d.SIMs = list
	if next != "" {
		filter.Set("org", org.ID)
		filter.Set("cursor", next)
		d.Next = link("/sims", filter)
	}
	h.render(w, r, http.StatusOK, "sims.html", p)
	return nil
}

type rolesData struct {
	Matrix policy.Matrix
	Rows   []matrixRow
	// Mine marks the columns of the viewer's own roles in their org.
	Mine []bool
}

type matrixRow struct {
	Area, Action string
	Admin        bool // a users.administer_* row: who administers whom
	Allowed      []bool
}

// roles shows the permission matrix of the viewer's role catalogue, drawn
// from the same policy data that enforces every request (R4).
func (h *Handler) roles(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Roles", "roles")
	org, err := h.app.Org(r.Context(), who, who.User.OrgID)
	if err != nil {
		return err
	}
	m, err := h.app.RoleMatrix(r.Context(), who, org.Catalogue)
	if err != nil {
		return err
	}
	d := &rolesData{Matrix: m, Mine: make([]bool, len(m.Roles))}
	for i, role := range m.Roles {
		for _, g := range who.Grants {
			d.Mine[i] = d.Mine[i] || (g.OrgID == org.ID && g.Role == role)
		}
	}
	for _, row := range m.Rows {
		area, action, _ := strings.Cut(row.Action, ".")
		mr := matrixRow{Area: area, Action: action, Allowed: row.Allowed}
		if target, ok := policy.AdministerRow(row.Action); ok {
			mr.Admin, mr.Action = true, target
		}
		d.Rows = append(d.Rows, mr)
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "roles.html", p)
	return nil
}

type auditData struct {
	Org    *tenantry.Org
	Events []auditRow
	Next   template.URL
	// Export is the API link that downloads what the filters select,
	// without the format's extension.
	Export string
}

// audit is the audit log, newest first, filtered by action, person,
// target and dates.
func (h *Handler) audit(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, org, err := h.listPage(r, who, "Audit log", "audit")
	if err != nil {
		return err
	}
	q, ctx := p.Form, r.Context()
	d := &auditData{Org: org}
	p.Org, p.Data = org.ID, d
	f := tenantry.EventFilter{OrgID: org.ID, Before: q.Get("before"), ActionPrefix: strings.TrimSpace(q.Get("action")),
		ActorLogin: strings.TrimSpace(q.Get("actor")), TargetID: strings.TrimSpace(q.Get("target")), Limit: 50,
		Subtree: q.Get("subtree") == "on"}
	var bad []tenantry.FieldError
	for _, b := range []struct {
		name string
		dst  *time.Time
		days int
	}{{"since", &f.Since, 0}, {"until", &f.Until, 1}} { // until the end of that day
		if v := strings.TrimSpace(q.Get(b.name)); v != "" {
			// A day is the org's, as the log's times are shown.
			day, err := time.ParseInLocation("2006-01-02", v, p.Zone())
			if err != nil {
				bad = append(bad, tenantry.FieldError{Field: b.name, Message: "give a date such as 2026-11-23"})
				continue
			}
			*b.dst = day.AddDate(0, 0, b.days)
		}
	}
	var events []*tenantry.Event
	if len(bad) > 0 {
		err = &tenantry.Error{Code: tenantry.Invalid, Message: "give dates such as 2026-11-23", Fields: bad}
	} else {
		events, err = h.app.AuditLog(ctx, who, f)
	}
	if err != nil {
		h.fail(w, r, "audit.html", p, err)
		return nil
	}
	names, err := h.app.AuditNames(ctx, who, events)
	if err != nil {
		return err
	}
	d.Events = auditRows(p, events, names, org.ID)
	export := url.Values{}
	for k, api := range map[string]string{"action": "action", "actor": "actor", "target": "target"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			export.Set(api, v)
		}
	}
	if !f.Since.IsZero() {
		export.Set("since", f.Since.Format(time.RFC3339))
	}
	if !f.Until.IsZero() {
		export.Set("until", f.Until.Format(time.RFC3339))
	}
	if f.Subtree {
		export.Set("subtree", "true")
	}
	d.Export = "/api/v1/orgs/" + url.PathEscape(org.ID) + "/events"
	if len(export) > 0 {
		d.Export += "?" + export.Encode()
	}
	if len(events) == f.Limit {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("org", org.ID)
		next.Set("before", events[len(events)-1].ID)
		d.Next = link("/audit", next)
	}
	h.render(w, r, http.StatusOK, "audit.html", p)
	return nil
}

type supportData struct {
	Org      *tenantry.Org
	Requests []app.ServiceRequestView
	CanOpen  bool
	// Candidates may become the owner: active people here who are not it
	// already; TwoFactor are the others whose second factor may be reset.
	Candidates, TwoFactor []*app.UserView
}

// OrgName is the name of the organization id among orgs, else the id.
func (p *page) OrgName(orgs []*tenantry.Org, id string) string {
	for _, o := range orgs {
		if o.ID == id {
			return o.Name
		}
	}
	return id
}

// RequestSubject says what a service request asks for and whom it is
// about: "Change owner: Ada Lovelace (ada@…) to become the owner".
func (p *page) RequestSubject(v app.ServiceRequestView) string {
	switch {
	case v.Person == "":
		return p.Word(v.Kind)
	case v.Kind == app.RequestChangeOwner:
		return p.F("%s: %s to become the owner", p.Word(v.Kind), v.Person)
	default:
		return p.F("%s: %s", p.Word(v.Kind), v.Person)
	}
}

// support lists the organization's service requests and opens new ones.
func (h *Handler) support(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Support", "support")
	d, err := h.supportData(r, who, p)
	if err != nil {
		return err
	}
	p.Data = d
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	h.render(w, r, http.StatusOK, "support.html", p)
	return nil
}

func (h *Handler) supportData(r *http.Request, who *app.Actor, p *page) (*supportData, error) {
	ctx := r.Context()
	org, err := h.app.Org(ctx, who, orgParam(r, who))
	if err != nil {
		return nil, err
	}
	p.Org = org.ID
	list, err := h.app.ServiceRequests(ctx, who, org.ID, "")
	if err != nil {
		return nil, err
	}
	d := &supportData{Org: org, Requests: list, CanOpen: h.app.Can(who, policy.SupportNewServiceRequest, org.ID)}
	if d.CanOpen && h.app.Can(who, policy.UsersSeeAll, org.ID) {
		if people, _, err := h.app.ListUsers(ctx, who, tenantry.UserFilter{OrgID: org.ID, Limit: 200}); err == nil {
			for _, v := range people {
				if v.Kind != tenantry.UserHuman || v.Org != v.OrgID {
					continue
				}
				if v.Status == tenantry.UserActive && !v.InitialOwner {
					d.Candidates = append(d.Candidates, v)
				}
				if v.TOTPEnabled && v.ID != who.User.ID {
					d.TwoFactor = append(d.TwoFactor, v)
				}
			}
		}
	}
	return d, nil
}

func (h *Handler) openRequest(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Support", "support")
	if !ok {
		return nil
	}
	d, err := h.supportData(r, who, p)
	if err != nil {
		return err
	}
	p.Data = d
	newOwner := ""
	switch p.V("kind") {
	case app.RequestChangeOwner:
		newOwner = p.V("new_owner_id")
	case app.RequestReset2FA:
		newOwner = p.V("reset_person_id")
	}
	if _, err := h.app.OpenServiceRequest(r.Context(), who, d.Org.ID, p.V("kind"), p.V("text"), newOwner); err != nil {
		h.fail(w, r, "support.html", p, err)
		return nil
	}
	redirect(w, r, withFlash("/support?org="+url.QueryEscape(d.Org.ID), "requested"))
	return nil
}

// simHistoryData is one SIM's page: its state and history (B5).
type simHistoryData struct {
	SIM     *tenantry.SIM
	History []app.SIMEvent
}

// simHistory shows one SIM: where it was loaded and every transfer that
// moved it.
func (h *Handler) simHistory(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	sim, events, err := h.app.SIMHistory(r.Context(), who, r.PathValue("iccid"))
	if err != nil {
		return err
	}
	p := h.newPage(r, sim.ICCID, "sims")
	p.Org, p.Data = sim.OrgID, &simHistoryData{SIM: sim, History: events}
	h.render(w, r, http.StatusOK, "sim.html", p)
	return nil
}
