package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// Event is one audit record.
type Event struct {
	ID         string         `json:"id"`
	ActorID    string         `json:"actor_id,omitempty"`
	ActorLogin string         `json:"actor_login,omitempty" doc:"The actor's current login; absent once they are deleted"`
	Action     string         `json:"action"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	Details    map[string]any `json:"details,omitempty"`
	IP         string         `json:"ip,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
}

type auditInput struct {
	OrgID  string    `path:"org"`
	Before string    `query:"before" maxLength:"64" doc:"The id of the last event of the previous page"`
	Action string    `query:"action" maxLength:"64" doc:"Action prefix, e.g. user. or sims.transfer"`
	Actor  string    `query:"actor" maxLength:"254" doc:"Only what the person or client with this login did"`
	Target string    `query:"target" maxLength:"64" doc:"Only events about this target id (a user, an org …)"`
	Since  time.Time `query:"since" doc:"Only events at or after this time (RFC 3339)"`
	Until  time.Time `query:"until" doc:"Only events before this time (RFC 3339)"`
	Limit  int       `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type auditOutput struct {
	Body struct {
		Items []Event `json:"items"`
	}
}

func (s *Server) auditRoutes() {
	huma.Register(s.api, op("listAuditEvents", http.MethodGet, "/api/v1/orgs/{org}/events", "Read the audit log (Owners and Admins)", "Audit"),
		func(ctx context.Context, in *auditInput) (*auditOutput, error) {
			list, err := s.app.AuditLog(ctx, actor(ctx), tenantry.EventFilter{OrgID: in.OrgID, Before: in.Before,
				ActionPrefix: in.Action, ActorLogin: in.Actor, TargetID: in.Target, Since: in.Since, Until: in.Until, Limit: in.Limit})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &auditOutput{}
			out.Body.Items = []Event{}
			for _, e := range list {
				out.Body.Items = append(out.Body.Items, Event{ID: e.ID, ActorID: e.ActorID, ActorLogin: e.ActorLogin, Action: e.Action, TargetType: e.TargetType,
					TargetID: e.TargetID, Details: e.Details, IP: e.IP, CreatedAt: e.CreatedAt})
			}
			return out, nil
		})
}
