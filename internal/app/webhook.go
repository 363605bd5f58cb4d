package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// WebhookGroups are the groups of event types an endpoint may hear, each
// the first part of the audit actions in it ("user" for "user.create").
func WebhookGroups() []string {
	return []string{"account", "client", "contact", "grant", "idp", "invitation", "job", "notice", "oidc", "org",
		"password", "pat", "relying_party", "review", "scim", "service_request", "session", "sims", "token", "user", "webhook",
		"workflow"}
}

// WebhookTest is the event type of the test message an administrator
// sends to an endpoint to try it.
const WebhookTest = "webhook.test"

var eventTypePattern = regexp.MustCompile(`^([a-z_]+)\.([a-z_]+|\*)$`)

// webhookHears reports whether an endpoint listening for patterns hears
// events of type t.
func webhookHears(patterns []string, t string) bool {
	for _, p := range patterns {
		if p == "*" || p == t || (strings.HasSuffix(p, ".*") && strings.HasPrefix(t, p[:len(p)-1])) {
			return true
		}
	}
	return false
}

// WebhookInput is what an administrator gives an endpoint.
type WebhookInput struct {
	URL         string
	Description string
	// EventTypes are "*", a group such as "user.*", or a type such as
	// "grant.create".
	EventTypes []string
	// Active, if set, turns the endpoint on or off; turning it on again
	// after Tenantry disabled it sends what waited meanwhile.
	Active *bool
}

// checkWebhook normalises and checks in.
func checkWebhook(in *WebhookInput) error {
	var v tenantry.Validation
	in.URL, in.Description = strings.TrimSpace(in.URL), strings.TrimSpace(in.Description)
	if msg := checkWebhookURL(in.URL); msg != "" {
		v.Add("url", "%s", msg)
	}
	if len(in.Description) > 200 {
		v.Add("description", "must have at most 200 characters")
	}
	var types []string
	for _, t := range in.EventTypes {
		for _, p := range strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == ' ' }) {
			if !slices.Contains(types, p) {
				types = append(types, p)
			}
		}
	}
	if len(types) == 0 {
		v.Add("event_types", "give at least one: * for every event, a group such as user.*, or a type such as grant.create")
	}
	for _, p := range types {
		m := eventTypePattern.FindStringSubmatch(p)
		if p != "*" && (m == nil || !slices.Contains(WebhookGroups(), m[1])) {
			v.Add("event_types", "%q is not an event type: use *, one of the groups %s followed by .*, or a type in one",
				p, strings.Join(WebhookGroups(), ", "))
		}
	}
	in.EventTypes = types
	return v.Err()
}

// checkWebhookURL says what is wrong with an endpoint URL, or "". Only
// https leaves the machine; http is for a receiver on the same host.
func checkWebhookURL(s string) string {
	if len(s) > 2000 {
		return "must have at most 2000 characters"
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "must be an absolute URL, such as https://hooks.example.com/tenantry"
	}
	if u.User != nil || u.Fragment != "" {
		return "must have no user name, password or fragment"
	}
	switch u.Scheme {
	case "https":
	case "http":
		if h := u.Hostname(); h != "localhost" && !net.ParseIP(h).IsLoopback() {
			return "must be https (http only for localhost)"
		}
	default:
		return "must be https"
	}
	return ""
}

func webhookSecretContext(id string) string { return "webhook:" + id }

// newWebhookSecret makes a signing secret in the form Standard Webhooks
// libraries read: "whsec_" and 32 random bytes in base64.
func newWebhookSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// webhookOrg loads an org whose webhooks the actor manages: those who
// read its audit log, which is what its endpoints hear.
func (a *App) webhookOrg(ctx context.Context, tx tenantry.Tx, who *Actor, orgID string) (*tenantry.Org, error) {
	org, err := a.mgmtOrg(ctx, tx, who, orgID)
	if err != nil {
		return nil, err
	}
	if !a.MayReadAuditLog(who, org.ID) {
		return nil, forbidden("only those who read this organization's audit log manage its webhooks")
	}
	return org, nil
}

// webhookEndpoint loads an endpoint the actor manages; NotFound for one
// of an org they may not see.
func (a *App) webhookEndpoint(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.WebhookEndpoint, error) {
	if !validID(id) {
		return nil, notFound("webhook endpoint")
	}
	e, err := tx.WebhookEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := a.webhookOrg(ctx, tx, who, e.OrgID); err != nil {
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return nil, notFound("webhook endpoint")
		}
		return nil, err
	}
	return e, nil
}

// CreateWebhook registers an endpoint for the events of an org and the
// orgs below it (B6), and returns its signing secret, shown this once.
func (a *App) CreateWebhook(ctx context.Context, who *Actor, orgID string, in WebhookInput) (*tenantry.WebhookEndpoint, string, error) {
	if err := ready(who); err != nil {
		return nil, "", err
	}
	if err := a.recentAuth(who); err != nil {
		return nil, "", err
	}
	if err := checkWebhook(&in); err != nil {
		return nil, "", err
	}
	secret := newWebhookSecret()
	var e *tenantry.WebhookEndpoint
	err := a.update(ctx, func(tx tenantry.Tx) error {
		org, err := a.webhookOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		existing, err := tx.WebhookEndpoints(ctx, org.ID)
		if err != nil {
			return err
		}
		if len(existing) >= maxWebhooks {
			return tenantry.Errorf(tenantry.Invalid, "an organization has at most %d webhook endpoints: remove one first", maxWebhooks)
		}
		id := newID()
		e = &tenantry.WebhookEndpoint{ID: id, OrgID: org.ID, URL: in.URL, Description: in.Description, EventTypes: in.EventTypes,
			Secret: a.seal.Seal(webhookSecretContext(id), secret), SecretHint: secret[len(secret)-4:], Active: true,
			CreatedBy: who.User.ID}
		if in.Active != nil {
			e.Active = *in.Active
		}
		if err := tx.CreateWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		return event(ctx, tx, who, org.ID, "webhook.create", "webhook", e.ID, map[string]any{"url": e.URL,
			"event_types": strings.Join(e.EventTypes, " ")})
	})
	if err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// maxWebhooks bounds an org's endpoints: each one is a write per event.
const maxWebhooks = 20

// Webhooks lists an org's webhook endpoints.
func (a *App) Webhooks(ctx context.Context, who *Actor, orgID string) ([]*tenantry.WebhookEndpoint, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []*tenantry.WebhookEndpoint
	err := a.view(ctx, func(tx tenantry.Tx) error {
		org, err := a.webhookOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		out, err = tx.WebhookEndpoints(ctx, org.ID)
		return err
	})
	return out, err
}

// Webhook returns one endpoint.
func (a *App) Webhook(ctx context.Context, who *Actor, id string) (*tenantry.WebhookEndpoint, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var e *tenantry.WebhookEndpoint
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		e, err = a.webhookEndpoint(ctx, tx, who, id)
		return err
	})
	return e, err
}

// UpdateWebhook changes an endpoint's URL, description, event types and
// whether it is on. Turning it on clears a failure streak, so it has a
// day again before Tenantry turns it off.
func (a *App) UpdateWebhook(ctx context.Context, who *Actor, id string, in WebhookInput) (*tenantry.WebhookEndpoint, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if err := checkWebhook(&in); err != nil {
		return nil, err
	}
	var e *tenantry.WebhookEndpoint
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		if e, err = a.webhookEndpoint(ctx, tx, who, id); err != nil {
			return err
		}
		e.URL, e.Description, e.EventTypes = in.URL, in.Description, in.EventTypes
		if in.Active != nil && *in.Active != e.Active {
			e.Active = *in.Active
			e.DisabledReason, e.FailingSince = "", time.Time{}
		}
		if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		return event(ctx, tx, who, e.OrgID, "webhook.update", "webhook", e.ID, map[string]any{"url": e.URL,
			"event_types": strings.Join(e.EventTypes, " "), "active": e.Active})
	})
	return e, err
}

// RotateWebhookSecret gives an endpoint a new signing secret, shown this
// once. For keepOld the old secret signs beside the new one (each message
// carries both signatures), so the receiver can switch without losing a
// message; zero drops the old one at once.
func (a *App) RotateWebhookSecret(ctx context.Context, who *Actor, id string, keepOld time.Duration) (*tenantry.WebhookEndpoint, string, error) {
	if err := ready(who); err != nil {
		return nil, "", err
	}
	if err := a.recentAuth(who); err != nil {
		return nil, "", err
	}
	if keepOld < 0 || keepOld > 7*24*time.Hour {
		return nil, "", tenantry.FieldInvalid("keep_old_hours", "must be between 0 and 168 hours")
	}
	secret := newWebhookSecret()
	var e *tenantry.WebhookEndpoint
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		if e, err = a.webhookEndpoint(ctx, tx, who, id); err != nil {
			return err
		}
		e.OldSecret, e.OldSecretUntil = "", time.Time{}
		if keepOld > 0 {
			e.OldSecret, e.OldSecretUntil = e.Secret, tx.Now().Add(keepOld)
		}
		e.Secret, e.SecretHint = a.seal.Seal(webhookSecretContext(e.ID), secret), secret[len(secret)-4:]
		if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		return event(ctx, tx, who, e.OrgID, "webhook.secret_rotate", "webhook", e.ID,
			map[string]any{"old_secret_signs_until": e.OldSecretUntil.Format(time.RFC3339)})
	})
	if err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// DeleteWebhook removes an endpoint and its delivery log.
func (a *App) DeleteWebhook(ctx context.Context, who *Actor, id string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		e, err := a.webhookEndpoint(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteWebhookEndpoint(ctx, e.ID); err != nil {
			return err
		}
		return event(ctx, tx, who, e.OrgID, "webhook.delete", "webhook", e.ID, map[string]any{"url": e.URL})
	})
}

// WebhookDeliveries returns a page of an endpoint's delivery log, newest
// first.
func (a *App) WebhookDeliveries(ctx context.Context, who *Actor, f tenantry.DeliveryFilter) ([]*tenantry.WebhookDelivery, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	f.Limit = clampLimit(f.Limit)
	if f.Before != "" && !validID(f.Before) {
		return nil, tenantry.FieldInvalid("before", "not a delivery id of this endpoint")
	}
	switch f.State {
	case "", "delivered", "failed", "pending":
	default:
		return nil, tenantry.FieldInvalid("state", "must be delivered, failed or pending")
	}
	var out []*tenantry.WebhookDelivery
	err := a.view(ctx, func(tx tenantry.Tx) error {
		if _, err := a.webhookEndpoint(ctx, tx, who, f.EndpointID); err != nil {
			return err
		}
		var err error
		out, err = tx.WebhookDeliveries(ctx, f)
		return err
	})
	return out, err
}

// webhookDelivery loads a delivery of an endpoint the actor manages.
func (a *App) webhookDelivery(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.WebhookDelivery, error) {
	if !validID(id) {
		return nil, notFound("webhook delivery")
	}
	d, err := tx.WebhookDelivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := a.webhookEndpoint(ctx, tx, who, d.EndpointID); err != nil {
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return nil, notFound("webhook delivery")
		}
		return nil, err
	}
	return d, nil
}

// WebhookDelivery returns one delivery with its payload.
func (a *App) WebhookDelivery(ctx context.Context, who *Actor, id string) (*tenantry.WebhookDelivery, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var d *tenantry.WebhookDelivery
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		d, err = a.webhookDelivery(ctx, tx, who, id)
		return err
	})
	return d, err
}

// ReplayWebhook sends a delivery again, with its webhook-id, so that a
// receiver that had it drops the copy: after a receiver's outage, or to
// send what waited while the endpoint was off.
func (a *App) ReplayWebhook(ctx context.Context, who *Actor, id string) (*tenantry.WebhookDelivery, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var d *tenantry.WebhookDelivery
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		if d, err = a.webhookDelivery(ctx, tx, who, id); err != nil {
			return err
		}
		if d.State() == "pending" || d.State() == "retrying" {
			return tenantry.Errorf(tenantry.Conflict, "this delivery is still on its way: it is tried again by itself")
		}
		if err := tx.RetryWebhook(ctx, d.ID); err != nil {
			return err
		}
		if d, err = tx.WebhookDelivery(ctx, d.ID); err != nil {
			return err
		}
		return event(ctx, tx, who, d.OrgID, "webhook.replay", "webhook", d.EndpointID, map[string]any{"delivery": d.ID,
			"event_type": d.EventType})
	})
	return d, err
}

// TestWebhook sends a webhook.test message to one endpoint, to try it.
func (a *App) TestWebhook(ctx context.Context, who *Actor, id string) (*tenantry.WebhookDelivery, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var d *tenantry.WebhookDelivery
	err := a.update(ctx, func(tx tenantry.Tx) error {
		e, err := a.webhookEndpoint(ctx, tx, who, id)
		if err != nil {
			return err
		}
		ev := &tenantry.Event{ID: newID(), OrgID: e.OrgID, ActorID: who.User.ID, Action: WebhookTest, TargetType: "webhook",
			TargetID: e.ID, CreatedAt: tx.Now(), Details: map[string]any{"message": "This is a test message from Tenantry."}}
		d, err = enqueueWebhook(ctx, tx, e, ev, who)
		return err
	})
	return d, err
}

// publish puts an audit event in the webhook outbox of every active
// endpoint that hears it: those of its org and the orgs above, in the
// transaction of the change.
func publish(ctx context.Context, tx tenantry.Tx, e *tenantry.Event, who *Actor) error {
	if e.OrgID == "" {
		return nil
	}
	cache, _ := ctx.Value(listenersKey{}).(map[string][]*tenantry.WebhookEndpoint)
	listeners, ok := cache[e.OrgID]
	if !ok {
		var err error
		if listeners, err = tx.WebhookListeners(ctx, e.OrgID); err != nil {
			return err
		}
		if cache != nil {
			cache[e.OrgID] = listeners
		}
	}
	for _, l := range listeners {
		if !webhookHears(l.EventTypes, e.Action) {
			continue
		}
		if _, err := enqueueWebhook(ctx, tx, l, e, who); err != nil {
			return err
		}
	}
	return nil
}

// listenersKey keys a context's cache of webhook listeners by org.
type listenersKey struct{}

// withListeners returns ctx with a cache of the webhook listeners of each
// org, for one transaction that audits many changes (a bulk import) and
// changes no endpoint: publish then reads each org's listeners once.
func withListeners(ctx context.Context) context.Context {
	return context.WithValue(ctx, listenersKey{}, map[string][]*tenantry.WebhookEndpoint{})
}

// WebhookPayload is the body of every webhook, in the Standard Webhooks
// shape: type, timestamp and data.
type WebhookPayload struct {
	Type      string      `json:"type"`
	Timestamp time.Time   `json:"timestamp"`
	Data      WebhookData `json:"data"`
}

// WebhookData is the audit event a webhook reports.
type WebhookData struct {
	EventID    string         `json:"event_id"`
	OrgID      string         `json:"org_id"`
	ActorID    string         `json:"actor_id,omitempty"`
	ActorLogin string         `json:"actor_login,omitempty"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	Details    map[string]any `json:"details,omitempty"`
	IP         string         `json:"ip,omitempty"`
}

func enqueueWebhook(ctx context.Context, tx tenantry.Tx, l *tenantry.WebhookEndpoint, e *tenantry.Event, who *Actor) (*tenantry.WebhookDelivery, error) {
	p := WebhookPayload{Type: e.Action, Timestamp: e.CreatedAt, Data: WebhookData{EventID: e.ID, OrgID: e.OrgID,
		ActorID: e.ActorID, TargetType: e.TargetType, TargetID: e.TargetID, Details: e.Details, IP: e.IP}}
	if who != nil {
		p.Data.ActorLogin = who.User.Login
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	d := &tenantry.WebhookDelivery{EndpointID: l.ID, OrgID: l.OrgID, MessageID: "msg_" + e.ID, EventID: e.ID,
		EventType: e.Action, Payload: body}
	return d, tx.EnqueueWebhook(ctx, d)
}

// WebhookMessage is a claimed delivery with what it takes to send it:
// the endpoint's URL and its signing secrets, opened.
type WebhookMessage struct {
	*tenantry.WebhookDelivery
	URL     string
	Secrets []string
}

// ClaimWebhooks leases up to limit due deliveries for lease, for the
// dispatcher that sends them (internal/webhook).
func (a *App) ClaimWebhooks(ctx context.Context, limit int, lease time.Duration) ([]*WebhookMessage, error) {
	var out []*WebhookMessage
	err := a.store.Update(ctx, func(tx tenantry.Tx) error {
		out = out[:0]
		batch, err := tx.ClaimWebhooks(ctx, limit, tx.Now().Add(lease))
		if err != nil {
			return err
		}
		endpoints := map[string]*tenantry.WebhookEndpoint{}
		for _, d := range batch {
			e, ok := endpoints[d.EndpointID]
			if !ok {
				if e, err = tx.WebhookEndpoint(ctx, d.EndpointID); err != nil {
					return err
				}
				endpoints[d.EndpointID] = e
			}
			m := &WebhookMessage{WebhookDelivery: d, URL: e.URL}
			secret, err := a.seal.Open(webhookSecretContext(e.ID), e.Secret)
			if err != nil {
				return err
			}
			m.Secrets = append(m.Secrets, secret)
			if e.OldSecret != "" && tx.Now().Before(e.OldSecretUntil) {
				old, err := a.seal.Open(webhookSecretContext(e.ID), e.OldSecret)
				if err != nil {
					return err
				}
				m.Secrets = append(m.Secrets, old)
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// ReleaseWebhooks gives claimed deliveries back, due at once.
func (a *App) ReleaseWebhooks(ctx context.Context, ids []string) error {
	return a.store.Update(ctx, func(tx tenantry.Tx) error { return tx.ReleaseWebhooks(ctx, ids) })
}

// WebhookAttempted records one attempt at a delivery: delivered on a 2xx
// status, otherwise tried again after the next wait of the retry
// schedule, or given up after its last. An endpoint whose deliveries have
// failed for cfg.WebhookDisableAfter with no success is turned off, and
// the org's administrators are told by e-mail.
func (a *App) WebhookAttempted(ctx context.Context, m *WebhookMessage, status int, failure string, took time.Duration) error {
	return a.update(ctx, func(tx tenantry.Tx) error {
		at := tenantry.WebhookAttempt{Status: status, Error: failure, Duration: took}
		if failure != "" && m.Attempts <= len(a.cfg.WebhookRetry) {
			at.RetryAt = tx.Now().Add(a.cfg.WebhookRetry[m.Attempts-1])
		}
		e, err := tx.RecordWebhookAttempt(ctx, m.ID, at)
		if err != nil {
			return err
		}
		if failure == "" || !e.Active || e.FailingSince.IsZero() || tx.Now().Sub(e.FailingSince) < a.cfg.WebhookDisableAfter {
			return nil
		}
		return a.disableWebhook(ctx, tx, e, failure)
	})
}

// disableWebhook turns off an endpoint that kept failing and tells those
// who manage it.
func (a *App) disableWebhook(ctx context.Context, tx tenantry.Tx, e *tenantry.WebhookEndpoint, failure string) error {
	loc, err := a.zoneOf(ctx, tx, e.OrgID)
	if err != nil {
		return err
	}
	since := zoned(e.FailingSince, loc)
	e.Active = false
	e.DisabledReason = fmt.Sprintf("every delivery failed since %s; the last: %s", since, failure)
	if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
		return err
	}
	if err := event(ctx, tx, nil, e.OrgID, "webhook.disable", "webhook", e.ID, map[string]any{"url": e.URL,
		"failing_since": since, "reason": failure}); err != nil {
		return err
	}
	org, err := tx.Org(ctx, e.OrgID)
	if err != nil {
		return err
	}
	admins, err := a.peopleWhoseRoles(ctx, tx, org, func(r policy.Role) bool {
		p := &policy.Principal{Grants: []policy.Grant{{Org: org.ID, Role: r}}}
		t := policy.Target{Org: org.ID}
		return a.policy.Allowed(p, policy.AccountCustomerData, t) && a.policy.Allowed(p, policy.UsersSeeAll, t)
	})
	if err != nil {
		return err
	}
	var recipients []*tenantry.User
	if u, err := tx.User(ctx, e.CreatedBy); err == nil {
		recipients = append(recipients, u)
	}
	recipients = append(recipients, admins...)
	seen := map[string]bool{}
	d := notice.Data{Org: org.Name, Title: e.URL, When: since, Body: failure,
		Link: a.cfg.PublicURL + "/webhooks/" + e.ID}
	for _, u := range recipients {
		if seen[u.ID] || u.Status != tenantry.UserActive || u.Kind != tenantry.UserHuman {
			continue
		}
		seen[u.ID] = true
		if err := a.queue(ctx, tx, u.Email, u, notice.WebhookDisabled, e.ID+":"+e.UpdatedAt.String()+":"+u.ID, d); err != nil {
			return err
		}
	}
	return nil
}
