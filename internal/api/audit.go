package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// Event is one audit record.
type Event struct {
	ID         string         `json:"id"`
	OrgID      string         `json:"org_id"`
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
	// Subtree widens the log to the organizations below.
	Subtree bool `query:"subtree" doc:"Also the events of every organization below this one"`
	Limit   int  `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

func (in *auditInput) filter() tenantry.EventFilter {
	return tenantry.EventFilter{OrgID: in.OrgID, Before: in.Before, ActionPrefix: in.Action, ActorLogin: in.Actor,
		TargetID: in.Target, Since: in.Since, Until: in.Until, Limit: in.Limit, Subtree: in.Subtree}
}

func toEvent(e *tenantry.Event) Event {
	return Event{ID: e.ID, OrgID: e.OrgID, ActorID: e.ActorID, ActorLogin: e.ActorLogin, Action: e.Action, TargetType: e.TargetType,
		TargetID: e.TargetID, Details: e.Details, IP: e.IP, CreatedAt: e.CreatedAt}
}

type auditOutput struct {
	Body struct {
		Items []Event `json:"items"`
	}
}

func (s *Server) auditRoutes() {
	huma.Register(s.api, op("listAuditEvents", http.MethodGet, "/api/v1/orgs/{org}/events", "Read the audit log (Owners and Admins)", "Audit"),
		func(ctx context.Context, in *auditInput) (*auditOutput, error) {
			list, err := s.app.AuditLog(ctx, actor(ctx), in.filter())
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &auditOutput{}
			out.Body.Items = []Event{}
			for _, e := range list {
				out.Body.Items = append(out.Body.Items, toEvent(e))
			}
			return out, nil
		})

	for _, format := range []string{"csv", "jsonl"} {
		export := op("exportAuditEvents"+strings.ToUpper(format[:1])+format[1:], http.MethodGet, "/api/v1/orgs/{org}/events."+format,
			"Export the audit log as "+map[string]string{"csv": "CSV", "jsonl": "JSON Lines"}[format], "Audit")
		export.Description = "Every event that matches the filters, newest first, streamed as it is read: a million events take " +
			"the memory of a thousand. before and limit are ignored. Owners and Admins."
		huma.Register(s.api, export, s.exportAudit(format))
	}
}

// exportAudit streams the audit log in format, csv or jsonl.
func (s *Server) exportAudit(format string) func(context.Context, *auditInput) (*huma.StreamResponse, error) {
	return func(ctx context.Context, in *auditInput) (*huma.StreamResponse, error) {
		export, err := s.app.ExportAudit(ctx, actor(ctx), in.filter())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &huma.StreamResponse{Body: func(hc huma.Context) {
			w := hc.BodyWriter()
			var emit func([]*tenantry.Event) error
			if format == "csv" {
				hc.SetHeader("Content-Type", "text/csv; charset=utf-8")
				hc.SetHeader("Content-Disposition", `attachment; filename="audit.csv"`)
				cw := csv.NewWriter(w)
				cw.Write([]string{"time", "org_id", "action", "actor_login", "actor_id", "target_type", "target_id", "ip", "details"})
				emit = func(batch []*tenantry.Event) error {
					for _, e := range batch {
						details, _ := json.Marshal(e.Details)
						cw.Write([]string{e.CreatedAt.UTC().Format(time.RFC3339Nano), e.OrgID, e.Action, e.ActorLogin, e.ActorID,
							e.TargetType, e.TargetID, e.IP, string(details)})
					}
					cw.Flush()
					return cw.Error()
				}
			} else {
				hc.SetHeader("Content-Type", "application/jsonl")
				hc.SetHeader("Content-Disposition", `attachment; filename="audit.jsonl"`)
				enc := json.NewEncoder(w)
				emit = func(batch []*tenantry.Event) error {
					for _, e := range batch {
						if err := enc.Encode(toEvent(e)); err != nil {
							return err
						}
					}
					return nil
				}
			}
			var err error
			for {
				var batch []*tenantry.Event
				if batch, err = export.Next(ctx); err != nil || len(batch) == 0 {
					break
				}
				if err = emit(batch); err != nil {
					break
				}
			}
			if err != nil {
				// The status is sent; the log says why the body ends early.
				s.log.ErrorContext(ctx, "audit export cut short", "err", err)
			}
		}}, nil
	}
}
