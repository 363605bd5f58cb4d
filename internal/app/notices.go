package app

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tenantry/tenantry/internal/lang"
	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// NewNotice is a news item or an alert to publish (seed 002).
type NewNotice struct {
	Kind tenantry.NoticeKind
	// TargetOrgID is the org whose subtree it reaches: the publisher's
	// own when empty (the platform's reaches every customer), or one
	// below it (for the operator: one customer account).
	TargetOrgID string
	// Texts holds the title and body per language; a recipient gets
	// their own language, else English, else the first there is.
	Texts map[string]tenantry.NoticeText
}

// Notice lengths, in characters.
const (
	maxNoticeTitle = 200
	maxNoticeBody  = 10_000
)

// recipientPage is how many recipients Publish reads at once.
const recipientPage = 1000

// Publish publishes a news item or an alert from orgID to a subtree and
// e-mails it, through the outbox and in the same transaction, to every
// active person there who subscribes to its kind, each in their language.
// The operator publishes from the platform to every customer or to one
// account; a tenant's Owner or Admin (account.notices) to their org or one
// below it.
// The answer is in the publisher's language.
func (a *App) Publish(ctx context.Context, who *Actor, orgID string, in NewNotice) (*NoticeView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var n *tenantry.Notice
	var from *tenantry.Org
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		if from, err = a.memberOrg(ctx, tx, who, orgID); err != nil {
			return err
		}
		act := policy.AccountNotices
		if from.Kind == tenantry.OrgPlatform {
			act = policy.PlatformNotices
		}
		if !a.policy.Allowed(who.Principal(), act, policy.Target{Org: from.ID}) {
			return a.refused(act, from.ID, "you may not publish news or alerts for this organization")
		}
		if err := a.mgmt(who, from.ID); err != nil {
			return err
		}
		var v tenantry.Validation
		checkNotice(&v, &in)
		if err := v.Err(); err != nil {
			return err
		}
		target, err := a.noticeTarget(ctx, tx, from, in.TargetOrgID)
		if err != nil {
			return err
		}
		n = &tenantry.Notice{ID: newID(), OrgID: from.ID, TargetOrgID: target.ID, Kind: in.Kind, Texts: in.Texts, CreatedBy: who.User.ID}
		for after := ""; ; {
			people, err := tx.NoticeRecipients(ctx, target.ID, n.Kind, after, recipientPage)
			if err != nil {
				return err
			}
			for _, u := range people {
				text := pickText(n.Texts, u.Language)
				kind := notice.News
				if n.Kind == tenantry.NoticeAlert {
					kind = notice.Alert
				}
				if err := a.queue(ctx, tx, u.Email, u, kind, n.ID+":"+u.ID, notice.Data{Org: from.Name,
					Title: text.Title, Body: text.Body, Link: a.cfg.PublicURL + "/news"}); err != nil {
					return err
				}
			}
			n.Recipients += len(people)
			if len(people) < recipientPage {
				break
			}
			after = people[len(people)-1].ID
		}
		if err := tx.CreateNotice(ctx, n); err != nil {
			return err
		}
		return event(ctx, tx, who, from.ID, "notice.publish", "org", target.ID, map[string]any{"kind": n.Kind,
			"title": pickText(n.Texts, "en").Title, "recipients": n.Recipients})
	})
	if err != nil {
		return nil, err
	}
	return &NoticeView{Notice: n, NoticeText: pickText(n.Texts, who.User.Language), From: from.Name}, nil
}

// checkNotice adds to v what is wrong with a notice's kind and texts.
func checkNotice(v *tenantry.Validation, in *NewNotice) {
	if in.Kind != tenantry.NoticeNews && in.Kind != tenantry.NoticeAlert {
		v.Add("kind", "must be news or alert")
	}
	if len(in.Texts) == 0 {
		v.Add("texts", "give a title and a body in at least one language")
	}
	for code, t := range in.Texts {
		field := "texts." + code
		if !lang.Known(code) {
			v.Add(field, "must be one of %s", strings.Join(lang.Codes(), ", "))
			continue
		}
		t.Title, t.Body = strings.TrimSpace(t.Title), strings.TrimSpace(t.Body)
		in.Texts[code] = t
		switch {
		case t.Title == "":
			v.Add(field+".title", "is required")
		case strings.ContainsAny(t.Title, "\r\n"):
			v.Add(field+".title", "must be one line")
		case utf8.RuneCountInString(t.Title) > maxNoticeTitle:
			v.Add(field+".title", "must have at most 200 characters")
		}
		switch {
		case t.Body == "":
			v.Add(field+".body", "is required")
		case utf8.RuneCountInString(t.Body) > maxNoticeBody:
			v.Add(field+".body", "must have at most 10,000 characters")
		}
	}
}

// noticeTarget loads the org a notice from from reaches: from itself, an
// org below it, or (from the platform) a customer account.
func (a *App) noticeTarget(ctx context.Context, tx tenantry.Tx, from *tenantry.Org, id string) (*tenantry.Org, error) {
	if id == "" || id == from.ID {
		return from, nil
	}
	refuse := &tenantry.Error{Code: tenantry.Invalid, Message: "target_org_id: must be this organization or one below it",
		Fields: []tenantry.FieldError{{Field: "target_org_id", Message: "must be this organization or one below it"}}}
	path, err := tx.OrgPath(ctx, id)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return nil, refuse
	}
	if err != nil {
		return nil, err
	}
	if from.Kind == tenantry.OrgPlatform && path[0].Kind == tenantry.OrgAccount {
		return path[0], nil
	}
	for _, up := range path[1:] {
		if up.ID == from.ID {
			return path[0], nil
		}
	}
	return nil, refuse
}

// pickText is a notice in lang, else in English, else in the first
// language it has.
func pickText(texts map[string]tenantry.NoticeText, lang string) tenantry.NoticeText {
	if t, ok := texts[lang]; ok {
		return t
	}
	if t, ok := texts["en"]; ok {
		return t
	}
	langs := make([]string, 0, len(texts))
	for l := range texts {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	if len(langs) == 0 {
		return tenantry.NoticeText{}
	}
	return texts[langs[0]]
}

// NoticeView is a notice as a reader sees it: in their language.
type NoticeView struct {
	*tenantry.Notice
	tenantry.NoticeText
	From string // the publisher's name
}

// Notices lists the news and alerts that reach an org the actor may see
// (published for it, an org above it, or every customer), newest first,
// with those it published itself for a viewer who may publish there,
// each in lang.
func (a *App) Notices(ctx context.Context, who *Actor, orgID, lang string) ([]NoticeView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []NoticeView
	err := a.view(ctx, func(tx tenantry.Tx) error {
		o, err := a.visibleOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		path, err := tx.OrgPath(ctx, o.ID)
		if err != nil {
			return err
		}
		targets := make([]string, 0, len(path)+1)
		for _, p := range path {
			targets = append(targets, p.ID)
		}
		if p, err := tx.PlatformOrg(ctx); err == nil && o.Kind != tenantry.OrgPlatform {
			targets = append(targets, p.ID)
		}
		var publishers []string
		if a.MayPublish(who, o) {
			publishers = []string{o.ID}
		}
		list, err := tx.Notices(ctx, targets, publishers, 50)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, n := range list {
			if _, ok := names[n.OrgID]; !ok {
				if from, err := tx.Org(ctx, n.OrgID); err == nil {
					names[n.OrgID] = from.Name
				}
			}
			out = append(out, NoticeView{Notice: n, NoticeText: pickText(n.Texts, lang), From: names[n.OrgID]})
		}
		return nil
	})
	return out, err
}

// MayPublish reports whether the actor may publish news and alerts from
// o, for the portal to decide whether to show the form.
func (a *App) MayPublish(who *Actor, o *tenantry.Org) bool {
	act := policy.AccountNotices
	if o.Kind == tenantry.OrgPlatform {
		act = policy.PlatformNotices
	}
	return a.Can(who, act, o.ID)
}
