package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// WebhookEndpoint is a registered receiver of an org's events (B6), never
// with its secret.
type WebhookEndpoint struct {
	ID             string    `json:"id"`
	OrgID          string    `json:"org_id"`
	URL            string    `json:"url"`
	Description    string    `json:"description,omitempty"`
	EventTypes     []string  `json:"event_types" doc:"* for every event, a group such as user.*, or a type such as grant.create"`
	Active         bool      `json:"active"`
	DisabledReason string    `json:"disabled_reason,omitempty" doc:"Why Tenantry turned the endpoint off: a day of failed deliveries"`
	FailingSince   time.Time `json:"failing_since,omitzero" doc:"When deliveries began to fail with no success since"`
	SecretHint     string    `json:"secret_hint" doc:"The last characters of the signing secret, to tell secrets apart"`
	OldSecretUntil time.Time `json:"old_secret_until,omitzero" doc:"Until when the previous secret also signs, after a rotation"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func toWebhook(e *tenantry.WebhookEndpoint) WebhookEndpoint {
	out := WebhookEndpoint{ID: e.ID, OrgID: e.OrgID, URL: e.URL, Description: e.Description, EventTypes: e.EventTypes,
		Active: e.Active, DisabledReason: e.DisabledReason, FailingSince: e.FailingSince, SecretHint: e.SecretHint,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	if e.OldSecret != "" && e.OldSecretUntil.After(time.Now()) {
		out.OldSecretUntil = e.OldSecretUntil
	}
	return out
}

// WebhookDelivery is one event on its way to an endpoint, with the
// outcome of its last attempt.
type WebhookDelivery struct {
	ID            string          `json:"id"`
	EndpointID    string          `json:"endpoint_id"`
	MessageID     string          `json:"message_id" doc:"The webhook-id header: the same on every attempt and replay"`
	EventID       string          `json:"event_id" doc:"The audit event it reports"`
	EventType     string          `json:"event_type"`
	State         string          `json:"state" enum:"pending,retrying,delivered,failed"`
	Attempts      int             `json:"attempts"`
	LastStatus    int             `json:"last_status,omitempty" doc:"The receiver's HTTP status at the last attempt"`
	LastError     string          `json:"last_error,omitempty" doc:"What went wrong at the last attempt, in words"`
	LastAttemptAt time.Time       `json:"last_attempt_at,omitzero"`
	LastMillis    int64           `json:"last_duration_ms,omitempty"`
	NextAttemptAt time.Time       `json:"next_attempt_at,omitzero" doc:"When it is tried again, while it is retrying"`
	CreatedAt     time.Time       `json:"created_at"`
	Payload       json.RawMessage `json:"payload,omitempty" doc:"The body sent, on a single delivery's page"`
}

func toDelivery(d *tenantry.WebhookDelivery, payload bool) WebhookDelivery {
	out := WebhookDelivery{ID: d.ID, EndpointID: d.EndpointID, MessageID: d.MessageID, EventID: d.EventID,
		EventType: d.EventType, State: d.State(), Attempts: d.Attempts, LastStatus: d.LastStatus, LastError: d.LastError,
		LastAttemptAt: d.LastAttemptAt, LastMillis: d.LastDuration.Milliseconds(), CreatedAt: d.CreatedAt}
	if s := d.State(); s == "pending" || s == "retrying" {
		out.NextAttemptAt = d.DueAt
	}
	if payload {
		out.Payload = d.Payload
	}
	return out
}

type webhookBody struct {
	URL         string   `json:"url" maxLength:"2000" doc:"https; http only for localhost"`
	Description string   `json:"description,omitempty" maxLength:"200"`
	EventTypes  []string `json:"event_types" maxItems:"50" doc:"* for every event, a group such as user.*, or a type such as grant.create"`
	Active      *bool    `json:"active,omitempty" doc:"Default true; true again after Tenantry turned it off sends what waited"`
}

func (b *webhookBody) toApp() app.WebhookInput {
	return app.WebhookInput{URL: b.URL, Description: b.Description, EventTypes: b.EventTypes, Active: b.Active}
}

type webhookIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

type webhookOutput struct {
	Body WebhookEndpoint
}

type webhookSecretOutput struct {
	Body struct {
		WebhookEndpoint
		Secret string `json:"secret" doc:"The signing secret (whsec_…), shown this once; give it to the receiver"`
	}
}

func (s *Server) webhookRoutes() {
	const tag = "Webhooks"
	create := op("createWebhook", http.MethodPost, "/api/v1/orgs/{org}/webhooks", "Register a webhook endpoint", tag)
	create.DefaultStatus = http.StatusCreated
	create.Description = "The endpoint hears the chosen events of this organization and every organization below it, " +
		"signed as the Standard Webhooks specification says (webhook-id, webhook-timestamp, webhook-signature). " +
		"The answer holds the signing secret, shown this once. Those who read the organization's audit log; " +
		"a session must have signed in recently."
	huma.Register(s.api, create, func(ctx context.Context, in *struct {
		OrgID string `path:"org"`
		Body  webhookBody
	}) (*webhookSecretOutput, error) {
		e, secret, err := s.app.CreateWebhook(ctx, actor(ctx), in.OrgID, in.Body.toApp())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &webhookSecretOutput{}
		out.Body.WebhookEndpoint, out.Body.Secret = toWebhook(e), secret
		return out, nil
	})

	huma.Register(s.api, op("listWebhooks", http.MethodGet, "/api/v1/orgs/{org}/webhooks", "List webhook endpoints", tag),
		func(ctx context.Context, in *orgInput) (*webhooksOutput, error) {
			list, err := s.app.Webhooks(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &webhooksOutput{}
			out.Body.Items = []WebhookEndpoint{}
			for _, e := range list {
				out.Body.Items = append(out.Body.Items, toWebhook(e))
			}
			return out, nil
		})

	huma.Register(s.api, op("getWebhook", http.MethodGet, "/api/v1/webhooks/{id}", "Read a webhook endpoint", tag),
		func(ctx context.Context, in *webhookIDInput) (*webhookOutput, error) {
			e, err := s.app.Webhook(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &webhookOutput{Body: toWebhook(e)}, nil
		})

	update := op("updateWebhook", http.MethodPut, "/api/v1/webhooks/{id}", "Change a webhook endpoint", tag)
	update.Description = "Turning an endpoint on again after Tenantry turned it off sends what waited meanwhile."
	huma.Register(s.api, update, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body webhookBody
	}) (*webhookOutput, error) {
		e, err := s.app.UpdateWebhook(ctx, actor(ctx), in.ID, in.Body.toApp())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &webhookOutput{Body: toWebhook(e)}, nil
	})

	del := op("deleteWebhook", http.MethodDelete, "/api/v1/webhooks/{id}", "Remove a webhook endpoint", tag)
	del.DefaultStatus = http.StatusNoContent
	huma.Register(s.api, del, func(ctx context.Context, in *webhookIDInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.DeleteWebhook(ctx, actor(ctx), in.ID))
	})

	rotate := op("rotateWebhookSecret", http.MethodPost, "/api/v1/webhooks/{id}/secret", "Make a new signing secret", tag)
	rotate.Description = "For keep_old_hours (default 24, at most 168) each message is signed with the old and the new " +
		"secret, so the receiver can switch without missing one; 0 drops the old secret at once."
	huma.Register(s.api, rotate, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body struct {
			KeepOldHours *int `json:"keep_old_hours,omitempty" minimum:"0" maximum:"168"`
		}
	}) (*webhookSecretOutput, error) {
		keep := 24 * time.Hour
		if in.Body.KeepOldHours != nil {
			keep = time.Duration(*in.Body.KeepOldHours) * time.Hour
		}
		e, secret, err := s.app.RotateWebhookSecret(ctx, actor(ctx), in.ID, keep)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &webhookSecretOutput{}
		out.Body.WebhookEndpoint, out.Body.Secret = toWebhook(e), secret
		return out, nil
	})

	test := op("testWebhook", http.MethodPost, "/api/v1/webhooks/{id}/test", "Send a test message", tag)
	test.DefaultStatus = http.StatusAccepted
	test.Description = "Queues a webhook.test message to this endpoint only; its outcome shows in the delivery log."
	huma.Register(s.api, test, func(ctx context.Context, in *webhookIDInput) (*deliveryOutput, error) {
		d, err := s.app.TestWebhook(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &deliveryOutput{Body: toDelivery(d, true)}, nil
	})

	huma.Register(s.api, op("listWebhookDeliveries", http.MethodGet, "/api/v1/webhooks/{id}/deliveries", "Read the delivery log", tag),
		func(ctx context.Context, in *struct {
			ID     string `path:"id" maxLength:"64"`
			State  string `query:"state" enum:"delivered,failed,pending," doc:"Only deliveries in this state (pending: not yet delivered nor given up)"`
			Before string `query:"before" maxLength:"64" doc:"The id of the last delivery of the previous page"`
			Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
		}) (*deliveriesOutput, error) {
			list, err := s.app.WebhookDeliveries(ctx, actor(ctx), tenantry.DeliveryFilter{EndpointID: in.ID,
				State: in.State, Before: in.Before, Limit: in.Limit})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &deliveriesOutput{}
			out.Body.Items = []WebhookDelivery{}
			for _, d := range list {
				out.Body.Items = append(out.Body.Items, toDelivery(d, false))
			}
			return out, nil
		})

	huma.Register(s.api, op("getWebhookDelivery", http.MethodGet, "/api/v1/webhook-deliveries/{id}", "Read one delivery with its payload", tag),
		func(ctx context.Context, in *webhookIDInput) (*deliveryOutput, error) {
			d, err := s.app.WebhookDelivery(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &deliveryOutput{Body: toDelivery(d, true)}, nil
		})

	replay := op("replayWebhookDelivery", http.MethodPost, "/api/v1/webhook-deliveries/{id}/replay", "Send a delivery again", tag)
	replay.DefaultStatus = http.StatusAccepted
	replay.Errors = append(replay.Errors, 409)
	replay.Description = "Sends a delivered or given-up delivery again with the same webhook-id, so a receiver that " +
		"had it can drop the copy. A delivery still on its way is tried again by itself (409)."
	huma.Register(s.api, replay, func(ctx context.Context, in *webhookIDInput) (*deliveryOutput, error) {
		d, err := s.app.ReplayWebhook(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &deliveryOutput{Body: toDelivery(d, false)}, nil
	})
}

type webhooksOutput struct {
	Body struct {
		Items []WebhookEndpoint `json:"items"`
	}
}

type deliveryOutput struct {
	Body WebhookDelivery
}

type deliveriesOutput struct {
	Body struct {
		Items []WebhookDelivery `json:"items"`
	}
}
