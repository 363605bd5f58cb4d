package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// NoticeText is a notice's title and body in one language.
type NoticeText struct {
	Title string `json:"title" maxLength:"200" doc:"One line"`
	Body  string `json:"body" maxLength:"10000"`
}

// Notice is a published news item or alert.
type Notice struct {
	ID          string                `json:"id"`
	Kind        string                `json:"kind" enum:"news,alert"`
	OrgID       string                `json:"org_id" doc:"The publisher's organization"`
	From        string                `json:"from" doc:"The publisher's name"`
	TargetOrgID string                `json:"target_org_id" doc:"The organization whose subtree it reaches; the platform's reaches every customer"`
	Title       string                `json:"title" doc:"In the language asked for, else English, else the first written"`
	Body        string                `json:"body"`
	Texts       map[string]NoticeText `json:"texts" doc:"Every language it was written in"`
	Recipients  int                   `json:"recipients" doc:"How many subscribed people it was e-mailed to"`
	CreatedAt   time.Time             `json:"created_at"`
}

type publishInput struct {
	OrgID string `path:"org"`
	Body  struct {
		Kind        string                `json:"kind" enum:"news,alert"`
		TargetOrgID string                `json:"target_org_id,omitempty" doc:"This organization (the default) or one below it; for the operator, one customer account or the platform for every customer"`
		Texts       map[string]NoticeText `json:"texts" doc:"Title and body by language (en, de, fr); each recipient gets theirs, else English"`
	}
}

type noticeOutput struct {
	Body Notice
}

type noticesInput struct {
	OrgID string `path:"org"`
	Lang  string `query:"lang" enum:"en,de" default:"en" doc:"The language to show title and body in"`
}

type noticesOutput struct {
	Body struct {
		Items []Notice `json:"items"`
	}
}

func toNotice(v app.NoticeView) Notice {
	out := Notice{ID: v.ID, Kind: string(v.Kind), OrgID: v.OrgID, From: v.From, TargetOrgID: v.TargetOrgID,
		Title: v.Title, Body: v.Body, Texts: map[string]NoticeText{}, Recipients: v.Recipients, CreatedAt: v.CreatedAt}
	for lang, t := range v.Texts {
		out.Texts[lang] = NoticeText(t)
	}
	return out
}

func (s *Server) noticeRoutes() {
	pub := op("publishNotice", http.MethodPost, "/api/v1/orgs/{org}/notices", "Publish news or an alert", "Notices")
	pub.DefaultStatus = http.StatusCreated
	pub.Description = "E-mails it, in the same transaction through the outbox, to every active person of the target's " +
		"subtree who subscribes to news (or alerts), each in their language, and lists it in the portal. " +
		"Owners and Admins (account.notices) publish for their organization; the operator (platform.notices) for every customer."
	huma.Register(s.api, pub, func(ctx context.Context, in *publishInput) (*noticeOutput, error) {
		texts := map[string]tenantry.NoticeText{}
		for lang, t := range in.Body.Texts {
			texts[lang] = tenantry.NoticeText(t)
		}
		n, err := s.app.Publish(ctx, actor(ctx), in.OrgID, app.NewNotice{Kind: tenantry.NoticeKind(in.Body.Kind),
			TargetOrgID: in.Body.TargetOrgID, Texts: texts})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &noticeOutput{Body: toNotice(*n)}, nil
	})

	huma.Register(s.api, op("listNotices", http.MethodGet, "/api/v1/orgs/{org}/notices", "News and alerts that reach an organization", "Notices"),
		func(ctx context.Context, in *noticesInput) (*noticesOutput, error) {
			list, err := s.app.Notices(ctx, actor(ctx), in.OrgID, in.Lang)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &noticesOutput{}
			out.Body.Items = make([]Notice, 0, len(list))
			for _, v := range list {
				out.Body.Items = append(out.Body.Items, toNotice(v))
			}
			return out, nil
		})
}
