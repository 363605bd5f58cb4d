package tenantry

import "time"

// WebhookEndpoint is a URL an organization's administrators registered to
// hear about changes in the org and below it (B6), signed as the Standard
// Webhooks specification says.
type WebhookEndpoint struct {
	ID          string
	OrgID       string
	URL         string
	Description string
	// EventTypes are the patterns of the event types it hears: "*", a
	// group such as "user.*", or one type such as "grant.create".
	EventTypes []string
	// Secret signs every delivery, sealed; OldSecret, also sealed, signs
	// beside it until OldSecretUntil, so receivers can switch over.
	Secret         string
	OldSecret      string
	OldSecretUntil time.Time
	// SecretHint is the secret's last characters, to tell secrets apart.
	SecretHint string
	Active     bool
	// DisabledReason says why Tenantry turned the endpoint off.
	DisabledReason string
	// FailingSince is when deliveries began to fail without a success
	// since; zero while the endpoint answers.
	FailingSince time.Time
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// WebhookDelivery is one event on its way to one endpoint: the outbox row
// of a webhook, written in the transaction of the change, and its log.
type WebhookDelivery struct {
	ID         string
	EndpointID string
	OrgID      string // the endpoint's org
	// MessageID is the webhook-id header: the same on every attempt and on
	// a replay, so a receiver can drop duplicates.
	MessageID string
	EventID   string
	EventType string
	Payload   []byte
	CreatedAt time.Time
	DueAt     time.Time
	Attempts  int
	// LastStatus is the receiver's HTTP status at the last attempt, 0 when
	// it gave none (refused, timed out).
	LastStatus    int
	LastError     string
	LastAttemptAt time.Time
	// LastDuration is how long the last attempt took.
	LastDuration time.Duration
	DeliveredAt  time.Time
	FailedAt     time.Time // given up
}

// WebhookState names where a delivery stands.
func (d *WebhookDelivery) State() string {
	switch {
	case !d.DeliveredAt.IsZero():
		return "delivered"
	case !d.FailedAt.IsZero():
		return "failed"
	case d.Attempts > 0:
		return "retrying"
	}
	return "pending"
}

// WebhookAttempt is the outcome of one attempt to deliver.
type WebhookAttempt struct {
	Status   int
	Error    string // "" when the receiver answered 2xx
	Duration time.Duration
	// RetryAt is when to try again; zero gives the delivery up.
	RetryAt time.Time
}

// DeliveryFilter selects a page of an endpoint's deliveries, newest first.
type DeliveryFilter struct {
	EndpointID string
	State      string // "", "delivered", "failed", "pending" (not yet delivered nor given up)
	Before     string // a delivery id: the page after it
	Limit      int
}
