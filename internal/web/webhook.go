package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// webhooksData is an org's webhooks page: its endpoints and the form that
// registers another.
type webhooksData struct {
	Org       *tenantry.Org
	Endpoints []*tenantry.WebhookEndpoint
	Groups    []string
}

// webhookData is one endpoint's page: its settings, a secret to show this
// once, and a page of its delivery log.
type webhookData struct {
	Org        *tenantry.Org
	Endpoint   *tenantry.WebhookEndpoint
	Groups     []string
	Secret     string
	Deliveries []*tenantry.WebhookDelivery
	State      string // the log's filter
	Older      string // the link to the next page of the log, "" on the last
	// OldUntil is until when the previous secret signs too; zero when it
	// no longer does.
	OldUntil time.Time
}

// typesForm splits an endpoint's event types into the form's group boxes
// and the text field of single types.
func typesForm(p *page, types []string) {
	var single []string
	for _, t := range types {
		if t == "*" || strings.HasSuffix(t, ".*") {
			p.Form.Add("event_types", t)
		} else {
			single = append(single, t)
		}
	}
	p.Form.Set("single_types", strings.Join(single, " "))
}

// webhookInput reads the form's endpoint settings.
func webhookInput(p *page) app.WebhookInput {
	types := append([]string{}, p.Form["event_types"]...)
	types = append(types, strings.Fields(p.V("single_types"))...)
	return app.WebhookInput{URL: p.V("url"), Description: p.V("description"), EventTypes: types}
}

func (h *Handler) webhooksPage(r *http.Request, who *app.Actor, p *page) (*webhooksData, error) {
	ctx := r.Context()
	o, err := h.app.Org(ctx, who, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	d := &webhooksData{Org: o, Groups: app.WebhookGroups()}
	if d.Endpoints, err = h.app.Webhooks(ctx, who, o.ID); err != nil {
		return nil, err
	}
	p.Data = d
	return d, nil
}

func (h *Handler) webhooks(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Webhooks", "orgs")
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	if _, err := h.webhooksPage(r, who, p); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "webhooks.html", p)
	return nil
}

// createWebhook registers an endpoint and shows its page with the
// secret, this once.
func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Webhooks", "orgs")
	if !ok {
		return nil
	}
	d, err := h.webhooksPage(r, who, p)
	if err != nil {
		return err
	}
	e, secret, err := h.app.CreateWebhook(r.Context(), who, d.Org.ID, webhookInput(p))
	if err != nil {
		h.fail(w, r, "webhooks.html", p, err)
		return nil
	}
	q := h.newPage(r, "Webhook endpoint", "orgs")
	if _, err := h.webhookPage(r, who, q, e.ID); err != nil {
		return err
	}
	q.Data.(*webhookData).Secret = secret
	q.Flash = q.T("Registered. Give the receiver this signing secret now: it is shown this once.")
	h.render(w, r, http.StatusCreated, "webhook.html", q)
	return nil
}

// webhookPage loads an endpoint's page with a page of its delivery log,
// filtered and paged as the query says.
func (h *Handler) webhookPage(r *http.Request, who *app.Actor, p *page, id string) (*webhookData, error) {
	ctx := r.Context()
	e, err := h.app.Webhook(ctx, who, id)
	if err != nil {
		return nil, err
	}
	o, err := h.app.Org(ctx, who, e.OrgID)
	if err != nil {
		return nil, err
	}
	d := &webhookData{Org: o, Endpoint: e, Groups: app.WebhookGroups(), State: r.URL.Query().Get("state")}
	if e.OldSecret != "" && e.OldSecretUntil.After(time.Now()) {
		d.OldUntil = e.OldSecretUntil
	}
	f := tenantry.DeliveryFilter{EndpointID: e.ID, State: d.State, Before: r.URL.Query().Get("before"), Limit: 50}
	if d.Deliveries, err = h.app.WebhookDeliveries(ctx, who, f); err != nil {
		return nil, err
	}
	if len(d.Deliveries) == f.Limit {
		q := url.Values{"before": {d.Deliveries[len(d.Deliveries)-1].ID}}
		if d.State != "" {
			q.Set("state", d.State)
		}
		d.Older = "/webhooks/" + e.ID + "?" + q.Encode()
	}
	if len(p.Form) == 0 {
		p.Form.Set("url", e.URL)
		p.Form.Set("description", e.Description)
		typesForm(p, e.EventTypes)
	}
	p.Data = d
	return d, nil
}

func (h *Handler) webhook(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Webhook endpoint", "orgs")
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	if _, err := h.webhookPage(r, who, p, r.PathValue("id")); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "webhook.html", p)
	return nil
}

// changeWebhook saves an endpoint's settings, turns it on or off, sends a
// test message, makes a new secret, replays a delivery or removes the
// endpoint, as the button pressed says.
func (h *Handler) changeWebhook(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Webhook endpoint", "orgs")
	if !ok {
		return nil
	}
	ctx := r.Context()
	id := r.PathValue("id")
	e, err := h.app.Webhook(ctx, who, id)
	if err != nil {
		return err
	}
	self := "/webhooks/" + url.PathEscape(e.ID)
	done := func(flash string) error {
		redirect(w, r, withFlash(self, flash))
		return nil
	}
	settings := func(active bool) app.WebhookInput {
		in := app.WebhookInput{URL: e.URL, Description: e.Description, EventTypes: e.EventTypes, Active: &active}
		return in
	}
	switch p.V("do") {
	case "save":
		in := webhookInput(p)
		_, err = h.app.UpdateWebhook(ctx, who, e.ID, in)
		if err == nil {
			return done("saved")
		}
	case "enable":
		if _, err = h.app.UpdateWebhook(ctx, who, e.ID, settings(true)); err == nil {
			return done("webhook-on")
		}
	case "disable":
		if _, err = h.app.UpdateWebhook(ctx, who, e.ID, settings(false)); err == nil {
			return done("webhook-off")
		}
	case "test":
		if _, err = h.app.TestWebhook(ctx, who, e.ID); err == nil {
			return done("webhook-test")
		}
	case "replay":
		if _, err = h.app.ReplayWebhook(ctx, who, p.V("delivery")); err == nil {
			return done("webhook-replay")
		}
	case "delete":
		if err = h.app.DeleteWebhook(ctx, who, e.ID); err == nil {
			redirect(w, r, withFlash("/orgs/"+url.PathEscape(e.OrgID)+"/webhooks", "deleted"))
			return nil
		}
	case "rotate":
		keep, convErr := strconv.Atoi(p.V("keep_old_hours"))
		if convErr != nil {
			keep = 24
		}
		var secret string
		if _, secret, err = h.app.RotateWebhookSecret(ctx, who, e.ID, time.Duration(keep)*time.Hour); err == nil {
			q := h.newPage(r, "Webhook endpoint", "orgs")
			if _, err := h.webhookPage(r, who, q, e.ID); err != nil {
				return err
			}
			q.Data.(*webhookData).Secret = secret
			q.Flash = q.T("New secret made. Give it to the receiver now: it is shown this once.")
			h.render(w, r, http.StatusOK, "webhook.html", q)
			return nil
		}
	default:
		return tenantry.Errorf(tenantry.NotFound, "page not found")
	}
	if _, loadErr := h.webhookPage(r, who, p, e.ID); loadErr != nil {
		return loadErr
	}
	h.fail(w, r, "webhook.html", p, err)
	return nil
}
