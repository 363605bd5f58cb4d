// Package notice writes the e-mails Tenantry sends, in every language of
// the catalogue,
// as plain text and HTML rendered from one definition per message, so the
// two forms never say different things.
package notice

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"

	"github.com/tenantry/tenantry/internal/lang"
)

// Kind names one message.
type Kind string

// The messages.
const (
	Activation      Kind = "activation"
	Invitation      Kind = "invitation"
	InvitationNew   Kind = "invitation_new"
	AdminReset      Kind = "admin_reset"
	ForgotPassword  Kind = "forgot_password"
	PasswordChanged Kind = "password_changed"
	EmailChanged    Kind = "email_changed"
	TOTPEnabled     Kind = "totp_enabled"
	TOTPDisabled    Kind = "totp_disabled"
	News            Kind = "news"
	Alert           Kind = "alert"
	// ActivationIdP welcomes a person who signs in through their
	// organization's identity provider: no password to set.
	ActivationIdP Kind = "activation_idp"
	// AccessEnding warns a role's holder and the administrators who may
	// extend it that a grant with an end date runs out soon (B1).
	AccessEnding Kind = "access_ending"
	// AccessReview asks an org's reviewers to confirm or revoke every
	// role held there by a due date (B1).
	AccessReview Kind = "access_review"
	// AccessReviewReminder tells a reviewer, a day before the due date,
	// how many roles still wait for their decision.
	AccessReviewReminder Kind = "access_review_reminder"
	// WebhookDisabled tells an org's administrators that Tenantry turned
	// off a webhook endpoint whose deliveries kept failing (B6).
	WebhookDisabled Kind = "webhook_disabled"
	// OwnerChanged tells an organization's former and new owner that the
	// operator replaced its owner (P2).
	OwnerChanged Kind = "owner_changed"
	// RequestAccepted and RequestRejected tell whoever opened a service
	// request how the operator answered it.
	RequestAccepted Kind = "request_accepted"
	RequestRejected Kind = "request_rejected"
)

// Data fills a message. Link is always built from the configured public
// URL by the caller, never from a request.
type Data struct {
	Name     string // the recipient's first name
	Login    string
	Org      string // organization name
	Link     string
	Hours    int // how long Link works
	NewEmail string
	// Roles names the roles a message is about; RoleCodes, when set,
	// gives them as codes ("read_only", "user:connectivity"), which the
	// message names in its own language.
	Roles     string
	RoleCodes []string
	When      string
	// Title and Body are a news item's or an alert's, in the recipient's
	// language where the publisher wrote one.
	Title, Body string
	// Provider is the identity provider a person signs in with.
	Provider string
	// Person is whom a message about someone's access is about: the
	// recipient themselves ("you") or another person's name.
	Person string
	// Until is when the access a message offers ends, "" for never.
	Until string
}

// spec is one message in one language: each line is a text/template.
type spec struct {
	subject string
	lines   []string // paragraphs before the action
	action  string   // the label of the link's button; "" for no link
	after   []string // paragraphs after the action
}

type compiled struct {
	subject *template.Template
	lines   []*template.Template
	action  string
	after   []*template.Template
}

// Renderer renders messages. It is immutable and safe for concurrent use.
type Renderer struct {
	msgs   map[string]map[Kind]compiled
	words  *lang.Catalogue
	layout *htmltemplate.Template
}

// New compiles every message in every language of words; an error means
// a broken message.
func New(words *lang.Catalogue) (*Renderer, error) {
	r := &Renderer{msgs: map[string]map[Kind]compiled{}, words: words}
	for _, code := range lang.Codes() {
		r.msgs[code] = map[Kind]compiled{}
		for kind, s := range messages {
			name := code + "/" + string(kind)
			c := compiled{action: words.T(code, s.action)}
			var err error
			if c.subject, err = template.New(name).Option("missingkey=error").Parse(words.T(code, s.subject)); err != nil {
				return nil, err
			}
			for _, group := range []struct {
				src []string
				dst *[]*template.Template
			}{{s.lines, &c.lines}, {s.after, &c.after}} {
				for i, l := range group.src {
					t, err := template.New(fmt.Sprintf("%s/%d", name, i)).Option("missingkey=error").Parse(words.T(code, l))
					if err != nil {
						return nil, err
					}
					*group.dst = append(*group.dst, t)
				}
			}
			r.msgs[code][kind] = c
		}
	}
	var err error
	r.layout, err = htmltemplate.New("layout").Parse(layout)
	return r, err
}

// Message is a rendered e-mail.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// TellsWhen reports whether message kind says when ({{.When}}), so that a
// sender works out the time, in the reader's zone, only for those.
func TellsWhen(kind Kind) bool {
	m := messages[kind]
	for _, t := range append(append([]string{m.subject}, m.lines...), m.after...) {
		if strings.Contains(t, "{{.When}}") {
			return true
		}
	}
	return false
}

// Render writes message kind in lang (English when lang is unknown).
func (r *Renderer) Render(kind Kind, code string, d Data) (Message, error) {
	kinds, ok := r.msgs[code]
	if !ok {
		kinds = r.msgs[lang.English]
	}
	c, ok := kinds[kind]
	if !ok {
		return Message{}, fmt.Errorf("notice: no message %q", kind)
	}
	if len(d.RoleCodes) > 0 {
		names := make([]string, len(d.RoleCodes))
		for i, role := range d.RoleCodes {
			names[i] = r.words.RoleName(code, role)
		}
		d.Roles = strings.Join(names, ", ")
	}
	exec := func(ts []*template.Template) ([]string, error) {
		var out []string
		for _, t := range ts {
			var b bytes.Buffer
			if err := t.Execute(&b, d); err != nil {
				return nil, err
			}
			out = append(out, b.String())
		}
		return out, nil
	}
	subject, err := exec([]*template.Template{c.subject})
	if err != nil {
		return Message{}, err
	}
	lines, err := exec(c.lines)
	if err != nil {
		return Message{}, err
	}
	after, err := exec(c.after)
	if err != nil {
		return Message{}, err
	}
	var text strings.Builder
	for _, l := range lines {
		text.WriteString(l + "\n\n")
	}
	if c.action != "" {
		fmt.Fprintf(&text, "%s:\n%s\n\n", c.action, d.Link)
	}
	for _, l := range after {
		text.WriteString(l + "\n\n")
	}
	text.WriteString("-- \nTenantry\n")
	var html bytes.Buffer
	err = r.layout.Execute(&html, map[string]any{"Subject": subject[0], "Lines": lines, "Action": c.action,
		"Link": d.Link, "After": after, "Lang": code})
	if err != nil {
		return Message{}, err
	}
	return Message{Subject: subject[0], Text: text.String(), HTML: html.String()}, nil
}

const layout = `<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1b1d21;background:#f4f5f7;margin:0;padding:24px">
<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:6px">
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if .Action}}<p><a href="{{.Link}}" style="display:inline-block;background:#0b5cad;color:#ffffff;padding:10px 18px;border-radius:4px;text-decoration:none;font-weight:bold">{{.Action}}</a></p>
<p style="font-size:13px;color:#4a4f57">{{.Link}}</p>
{{end}}{{range .After}}<p>{{.}}</p>
{{end}}<p style="font-size:13px;color:#4a4f57">Tenantry</p>
</div></body></html>
`

// Texts are the English texts of every e-mail: the ids each language of
// the catalogue must have.
func Texts() []string {
	var out []string
	for _, s := range messages {
		out = append(out, s.subject)
		if s.action != "" {
			out = append(out, s.action)
		}
		out = append(out, s.lines...)
		out = append(out, s.after...)
	}
	return out
}
