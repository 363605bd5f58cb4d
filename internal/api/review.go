package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// AccessReview is a review of the roles held in an organization (B1).
type AccessReview struct {
	ID            string             `json:"id"`
	OrgID         string             `json:"org_id"`
	Title         string             `json:"title"`
	Subtree       bool               `json:"subtree" doc:"The roles held in every organization below are reviewed too"`
	EndUnreviewed bool               `json:"end_unreviewed" doc:"At the due date, roles nobody decided on end"`
	DueAt         time.Time          `json:"due_at"`
	Status        string             `json:"status" enum:"open,closed"`
	StartedBy     string             `json:"started_by" doc:"The id of who started it"`
	CreatedAt     time.Time          `json:"created_at"`
	ClosedAt      time.Time          `json:"closed_at,omitzero"`
	ClosedBy      string             `json:"closed_by,omitempty" doc:"Who closed it; empty when it closed itself at its due date"`
	TimeZone      string             `json:"time_zone,omitempty" doc:"The organization's time zone, in which the portal shows its dates"`
	Roles         int                `json:"roles" doc:"How many roles it lists"`
	Confirmed     int                `json:"confirmed"`
	Revoked       int                `json:"revoked"`
	Items         []AccessReviewItem `json:"items,omitempty" doc:"Every role it lists, on a single review's answer"`
}

// AccessReviewItem is one role a review lists, with its decision: the
// evidence of who held what, since when, and who decided to keep it.
type AccessReviewItem struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	OrgName   string    `json:"org_name"`
	UserID    string    `json:"user_id"`
	Login     string    `json:"login"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind" enum:"human,api,service"`
	Role      string    `json:"role" doc:"ROLE, or ROLE:SERVICE for a role in one service"`
	GrantedAt time.Time `json:"granted_at"`
	GrantedBy string    `json:"granted_by,omitempty" doc:"The login of who gave it"`
	EndsAt    time.Time `json:"ends_at,omitzero" doc:"When the role ends by itself"`
	Decision  string    `json:"decision,omitempty" enum:"confirm,revoke"`
	DecidedBy string    `json:"decided_by,omitempty" doc:"The login of the reviewer"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
	Note      string    `json:"note,omitempty"`
	Outcome   string    `json:"outcome,omitempty" enum:"kept,ended,locked,ended_unreviewed,kept_unreviewed,gone" doc:"kept: confirmed; ended: revoked, the role ended; locked: revoked, and as it was the person's only role they are locked; ended_unreviewed or kept_unreviewed: nobody decided by the due date; gone: it had ended before it was decided"`
	MayDecide bool      `json:"may_decide" doc:"Whether you may confirm or revoke it now"`
	WhyNot    string    `json:"why_not,omitempty" doc:"Who decides instead, when you may not"`
}

func toReview(r *tenantry.AccessReview) AccessReview {
	return AccessReview{ID: r.ID, OrgID: r.OrgID, Title: r.Title, Subtree: r.Subtree, EndUnreviewed: r.EndUnreviewed, DueAt: r.DueAt,
		Status: r.Status, StartedBy: r.CreatedBy, CreatedAt: r.CreatedAt, ClosedAt: r.ClosedAt, ClosedBy: r.ClosedBy,
		Roles: r.Items, Confirmed: r.Confirmed, Revoked: r.Revoked}
}

func toReviewItem(it app.ReviewItem) AccessReviewItem {
	return AccessReviewItem{ID: it.ID, OrgID: it.OrgID, OrgName: it.OrgName, UserID: it.UserID, Login: it.Login, Name: it.Name,
		Kind: string(it.UserKind), Role: app.RoleSpelling(it.Role, it.Service), GrantedAt: it.GrantedAt, GrantedBy: it.GrantedBy,
		EndsAt: it.ExpiresAt, Decision: it.Decision, DecidedBy: it.DecidedByLogin, DecidedAt: it.DecidedAt, Note: it.Note,
		Outcome: it.Outcome, MayDecide: it.MayDecide, WhyNot: it.WhyNot}
}

func toReviewView(v *app.ReviewView) AccessReview {
	out := toReview(v.AccessReview)
	out.TimeZone = v.Zone.String()
	out.Items = make([]AccessReviewItem, 0, len(v.Items))
	for _, it := range v.Items {
		out.Items = append(out.Items, toReviewItem(it))
	}
	return out
}

type reviewOutput struct {
	Body AccessReview
}

type reviewsOutput struct {
	Body struct {
		Items []AccessReview `json:"items"`
	}
}

type reviewInput struct {
	ID string `path:"id"`
}

func (s *Server) reviewRoutes() {
	const tag = "Access reviews"
	start := op("startAccessReview", http.MethodPost, "/api/v1/orgs/{org}/access-reviews", "Start an access review", tag)
	start.DefaultStatus = http.StatusCreated
	start.Errors = append(start.Errors, 409)
	start.Description = "Lists every role in force in the organization (and below it, with subtree) for its administrators to " +
		"confirm or revoke by the due date; each of them is e-mailed. One review of an organization is open at a time. " +
		"Those who see the organization's people and administer roles there (Owner, Admin)."
	huma.Register(s.api, start, func(ctx context.Context, in *struct {
		OrgID string `path:"org"`
		Body  struct {
			Title         string    `json:"title,omitempty" maxLength:"200" doc:"Defaults to the organization's name and today's date"`
			Subtree       bool      `json:"subtree,omitempty" doc:"Review the organizations below too"`
			DueAt         time.Time `json:"due_at" doc:"Every role is decided by then (RFC 3339); between an hour and a year from now"`
			EndUnreviewed bool      `json:"end_unreviewed,omitempty" doc:"At the due date, end the roles nobody decided on (roles nobody in the organization may take, such as Owner, are kept)"`
		}
	}) (*reviewOutput, error) {
		v, err := s.app.StartAccessReview(ctx, actor(ctx), in.OrgID, app.NewAccessReview{Title: in.Body.Title,
			Subtree: in.Body.Subtree, DueAt: in.Body.DueAt, EndUnreviewed: in.Body.EndUnreviewed})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &reviewOutput{Body: toReviewView(v)}, nil
	})

	huma.Register(s.api, op("listAccessReviews", http.MethodGet, "/api/v1/orgs/{org}/access-reviews", "List an organization's access reviews", tag),
		func(ctx context.Context, in *orgInput) (*reviewsOutput, error) {
			list, err := s.app.AccessReviews(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &reviewsOutput{}
			out.Body.Items = make([]AccessReview, 0, len(list))
			for _, r := range list {
				out.Body.Items = append(out.Body.Items, toReview(r))
			}
			return out, nil
		})

	get := op("getAccessReview", http.MethodGet, "/api/v1/access-reviews/{id}", "Read an access review with every role and decision", tag)
	get.Description = "The evidence as JSON: each role with who held it where, who gave it when, the decision, the reviewer, " +
		"the note and the outcome. may_decide says what you may still decide."
	huma.Register(s.api, get, func(ctx context.Context, in *reviewInput) (*reviewOutput, error) {
		v, err := s.app.AccessReview(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &reviewOutput{Body: toReviewView(v)}, nil
	})

	decide := op("decideAccessReviewItem", http.MethodPost, "/api/v1/access-reviews/{id}/items/{item}/decision", "Confirm or revoke one role", tag)
	decide.Errors = append(decide.Errors, 409)
	decide.Description = "confirm keeps the role; revoke ends it at once (a person's only role in their own organization locks " +
		"them instead). Nobody decides on their own access, and only those who may take a role decide on it. A confirmed " +
		"role may still be revoked while the review is open."
	huma.Register(s.api, decide, func(ctx context.Context, in *struct {
		ID   string `path:"id"`
		Item string `path:"item"`
		Body struct {
			Decision string `json:"decision" enum:"confirm,revoke"`
			Note     string `json:"note,omitempty" maxLength:"500" doc:"Why, for the evidence"`
		}
	}) (*struct{ Body AccessReviewItem }, error) {
		it, err := s.app.DecideAccessReview(ctx, actor(ctx), in.ID, in.Item, in.Body.Decision, in.Body.Note)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body AccessReviewItem }{Body: toReviewItem(*it)}, nil
	})

	closeOp := op("closeAccessReview", http.MethodPost, "/api/v1/access-reviews/{id}/close", "Close an access review now", tag)
	closeOp.Errors = append(closeOp.Errors, 409)
	closeOp.Description = "What nobody decided is ended or kept as the review says, as at its due date."
	huma.Register(s.api, closeOp, func(ctx context.Context, in *reviewInput) (*reviewOutput, error) {
		v, err := s.app.CloseAccessReview(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &reviewOutput{Body: toReviewView(v)}, nil
	})

	evidence := op("exportAccessReview", http.MethodGet, "/api/v1/access-reviews/{id}/evidence.csv", "Export an access review as CSV", tag)
	evidence.Description = "One line per role with the review's title, organization, due date and status, for an auditor. " +
		"Times are in the organization's time zone, with their offset."
	huma.Register(s.api, evidence, func(ctx context.Context, in *reviewInput) (*huma.StreamResponse, error) {
		v, err := s.app.AccessReview(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &huma.StreamResponse{Body: func(hc huma.Context) {
			hc.SetHeader("Content-Type", "text/csv; charset=utf-8")
			hc.SetHeader("Content-Disposition", `attachment; filename="access-review-`+v.ID+`.csv"`)
			if err := writeEvidence(csv.NewWriter(hc.BodyWriter()), v); err != nil {
				s.log.ErrorContext(ctx, "access review export cut short", "err", err)
			}
		}}, nil
	})
}

// writeEvidence writes a review as CSV, one line per role.
func writeEvidence(cw *csv.Writer, v *app.ReviewView) error {
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(v.Zone).Format(time.RFC3339)
	}
	cw.Write([]string{"review", "review_id", "organization", "subtree", "status", "due_at", "closed_at", "role_org", "login", "name",
		"kind", "role", "granted_at", "granted_by", "ends_at", "decision", "decided_by", "decided_at", "note", "outcome"})
	for _, it := range v.Items {
		cw.Write([]string{v.Title, v.ID, v.Org.Name, strconv.FormatBool(v.Subtree), v.Status, at(v.DueAt), at(v.ClosedAt),
			it.OrgName, it.Login, it.Name, string(it.UserKind), app.RoleSpelling(it.Role, it.Service), at(it.GrantedAt), it.GrantedBy,
			at(it.ExpiresAt), it.Decision, it.DecidedByLogin, at(it.DecidedAt), it.Note, it.Outcome})
	}
	cw.Flush()
	return cw.Error()
}
