package web

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// auditRow is one audit event as a person reads it: what happened in
// words, whom or what it was about by name, and its details as sentences.
type auditRow struct {
	*tenantry.Event
	What    string
	Target  string
	Details []string
	Org     string // the org it happened in, where the log spans a subtree
}

// actionText says what each audited action did.
var actionText = map[string]string{
	"account.create":         "Customer account opened",
	"account.services":       "Services changed",
	"client.create":          "API client created",
	"client.secret_revoke":   "Client secret revoked",
	"client.secret_rotate":   "Client secret added",
	"contact.create":         "Company contact added",
	"contact.delete":         "Company contact deleted",
	"contact.update":         "Company contact changed",
	"grant.create":           "Role given",
	"grant.delete":           "Role taken away",
	"idp.create":             "Identity provider set up",
	"idp.delete":             "Identity provider removed",
	"idp.update":             "Identity provider changed",
	"invitation.accept":      "Invitation accepted",
	"invitation.cancel":      "Invitation cancelled",
	"invitation.create":      "Person invited",
	"invitation.resend":      "Invitation sent again",
	"notice.publish":         "News or alert published",
	"oidc.refresh_reused":    "A used refresh token came back: the application's sign-in was ended",
	"oidc.sign_in":           "Signed in to an application",
	"org.create":             "Organization created",
	"org.delete":             "Organization deleted",
	"org.owner_change":       "Owner changed",
	"org.settings":           "Settings changed",
	"password.forgot":        "Password reset asked for",
	"pat.create":             "Personal access token made",
	"pat.delete":             "Personal access token deleted",
	"relying_party.create":   "Application registered",
	"relying_party.update":   "Application's URIs changed",
	"scim.disable":           "SCIM turned off",
	"scim.enable":            "SCIM turned on",
	"scim.token":             "New SCIM token made",
	"scim.update":            "SCIM settings changed",
	"service_request.create": "Service request sent",
	"session.create":         "Signed in",
	"session.delete":         "Signed out",
	"session.delete_others":  "Signed out on every other device",
	"session.idp_failed":     "Sign-in through the identity provider failed",
	"session.reauthenticate": "Confirmed it was them",
	"sims.import":            "SIMs loaded into the inventory",
	"sims.transfer_in":       "SIMs received",
	"sims.transfer_out":      "SIMs given",
	"token.revoke":           "Access token revoked",
	"user.activation_resend": "Activation link sent again",
	"user.create":            "Person created",
	"user.delete":            "Person deleted",
	"user.lock":              "Person locked",
	"user.password_change":   "Password changed",
	"user.password_link":     "Password link sent",
	"user.password_reset":    "Password reset by an administrator",
	"user.password_set":      "Password set",
	"user.profile":           "Own profile changed",
	"user.remove":            "Person removed from the organization",
	"user.sign_in_method":    "Sign-in method changed",
	"user.totp_begin":        "Two-factor sign-in being set up",
	"review.close":           "Access review closed",
	"review.confirm":         "Role confirmed in an access review",
	"review.revoke":          "Role revoked in an access review",
	"review.start":           "Access review started",
	"user.totp_enable":       "Two-factor sign-in turned on",
	"user.unlock":            "Person unlocked",
	"user.update":            "Person changed",
	"webhook.create":         "Webhook endpoint registered",
	"webhook.delete":         "Webhook endpoint removed",
	"webhook.disable":        "Webhook endpoint turned off after a day of failures",
	"webhook.replay":         "Webhook sent again",
	"webhook.secret_rotate":  "New webhook signing secret made",
	"webhook.test":           "Webhook test message",
	"webhook.update":         "Webhook endpoint changed",
	"workflow.close":         "Workflow closed",
	"workflow.create":        "Workflow created",
}

// What says in words what an audited action (or a webhook's event type)
// did; an action without words is shown as it is.
func (p *page) What(action string) string {
	if s, ok := actionText[action]; ok {
		return p.T(s)
	}
	return action
}

// auditRows puts a page of events into words, naming ids from names.
func auditRows(p *page, events []*tenantry.Event, names map[string]string, org string) []auditRow {
	rows := make([]auditRow, 0, len(events))
	for _, e := range events {
		r := auditRow{Event: e, What: p.What(e.Action)}
		r.Target = names[e.TargetID]
		if r.Target == "" {
			r.Target = p.Word(e.TargetType)
		}
		if e.OrgID != org {
			r.Org = names[e.OrgID]
		}
		keys := make([]string, 0, len(e.Details))
		for k := range e.Details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r.Details = append(r.Details, p.Word(k)+": "+detailText(p, e.Details[k], names))
		}
		rows = append(rows, r)
	}
	return rows
}

// codeWord matches the stored words the portal translates (roles,
// statuses), not logins, names or addresses.
var codeWord = regexp.MustCompile(`^[a-z][a-z_]*$`)

// detailText writes a detail's value in words: names for ids, lists
// joined, objects as their fields, never Go's syntax.
func detailText(p *page, v any, names map[string]string) string {
	switch t := v.(type) {
	case nil:
		return "—"
	case string:
		if n, ok := names[t]; ok {
			return n
		}
		if at, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return p.Time(at)
		}
		if codeWord.MatchString(t) {
			return p.Word(t) // a stored word: read_only is "Read only"
		}
		return t
	case bool:
		if t {
			return p.T("yes")
		}
		return p.T("no")
	case float64:
		return fmt.Sprintf("%g", t)
	case []any:
		parts := make([]string, 0, len(t))
		for _, x := range t {
			parts = append(parts, detailText(p, x, names))
		}
		if len(parts) == 0 {
			return p.T("none")
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, p.Word(k)+" "+detailText(p, t[k], names))
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return fmt.Sprint(v)
}
