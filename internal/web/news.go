package web

import (
	"net/http"
	"net/url"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/lang"
	"github.com/tenantry/tenantry/internal/tenantry"
)

type newsData struct {
	Org     *tenantry.Org
	Notices []app.NoticeView
	// CanPublish: the viewer may publish from Org; Targets are the orgs
	// a notice may reach, Org first.
	CanPublish bool
	Targets    []orgChoice
	Langs      []string
	// PublishedHere marks the publishers whose recipient counts the
	// viewer may see: the org itself, where they may publish.
	PublishedHere map[string]bool
}

// news lists the news and alerts that reach the organization, and lets
// those who may publish them do so (seed 002).
func (h *Handler) news(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "News and alerts", "news")
	d, err := h.newsData(r, who, p)
	if err != nil {
		return err
	}
	p.Data = d
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	h.render(w, r, http.StatusOK, "news.html", p)
	return nil
}

func (h *Handler) newsData(r *http.Request, who *app.Actor, p *page) (*newsData, error) {
	ctx := r.Context()
	org, err := h.app.Org(ctx, who, orgParam(r, who))
	if err != nil {
		return nil, err
	}
	p.Org = org.ID
	list, err := h.app.Notices(ctx, who, org.ID, p.Lang)
	if err != nil {
		return nil, err
	}
	d := &newsData{Org: org, Notices: list, CanPublish: h.app.MayPublish(who, org), Langs: lang.Codes(),
		PublishedHere: map[string]bool{}}
	d.PublishedHere[org.ID] = d.CanPublish
	if !d.CanPublish {
		return d, nil
	}
	if org.Kind == tenantry.OrgPlatform {
		d.Targets = append(d.Targets, orgChoice{ID: org.ID, Name: p.T("Every customer")})
		accounts, err := h.app.Accounts(ctx, who, "", 200)
		if err != nil {
			return nil, err
		}
		for _, a := range accounts {
			d.Targets = append(d.Targets, orgChoice{ID: a.ID, Name: a.Name + " (" + a.AccountNumber + ")"})
		}
		return d, nil
	}
	d.Targets = append(d.Targets, orgChoice{ID: org.ID, Name: p.F("%s and everything below it", org.Name)})
	if tree, err := h.app.OrgTree(ctx, who, org.ID, 0); err == nil {
		for _, o := range tree.Orgs {
			d.Targets = append(d.Targets, orgChoice{ID: o.ID, Name: p.F("%s and everything below it", o.Name)})
		}
	}
	return d, nil
}

// publish publishes the form's notice from the page's organization.
func (h *Handler) publish(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "News and alerts", "news")
	if !ok {
		return nil
	}
	d, err := h.newsData(r, who, p)
	if err != nil {
		return err
	}
	p.Data = d
	in := app.NewNotice{Kind: tenantry.NoticeKind(p.V("kind")), TargetOrgID: p.V("target"), Texts: map[string]tenantry.NoticeText{}}
	for _, code := range lang.Codes() {
		title, body := p.V("texts."+code+".title"), p.V("texts."+code+".body")
		if title != "" || body != "" {
			in.Texts[code] = tenantry.NoticeText{Title: title, Body: body}
		}
	}
	if _, err := h.app.Publish(r.Context(), who, d.Org.ID, in); err != nil {
		h.fail(w, r, "news.html", p, err)
		return nil
	}
	redirect(w, r, withFlash("/news?org="+url.QueryEscape(d.Org.ID), "published"))
	return nil
}
