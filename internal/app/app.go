// Package app is Tenantry's one door: every use case of the API, the
// portal and the CLI is a method here. Each takes the acting principal,
// asks the policy about the org that owns the target, validates, changes
// the store in one transaction and writes its audit event in that same
// transaction.
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Message is one e-mail to one person.
type Message struct {
	To      string
	Subject string
	Text    string
}

// Mailer delivers messages after the change that caused them committed.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Config holds the settings of the use cases.
type Config struct {
	// PublicURL is the base of every link Tenantry sends, e.g.
	// "https://portal.example.com"; links never come from request headers.
	PublicURL string
	// ActivationTTL is how long an activation link stays valid.
	ActivationTTL time.Duration
	// SessionIdle ends a session that has not been used for this long.
	SessionIdle time.Duration
	// SessionMax ends a session this long after sign-in, used or not.
	SessionMax time.Duration
	// Password is the argon2id cost of new password hashes.
	Password auth.Params
}

// DefaultConfig returns the settings Tenantry runs with unless told otherwise.
func DefaultConfig() Config {
	return Config{
		PublicURL:     "http://127.0.0.1:8080",
		ActivationTTL: 72 * time.Hour,
		SessionIdle:   30 * time.Minute,
		SessionMax:    12 * time.Hour,
		Password:      auth.DefaultParams,
	}
}

// App is the set of use cases over one store.
type App struct {
	store  tenantry.Store
	policy *policy.Policy
	mailer Mailer
	log    *slog.Logger
	cfg    Config
}

// New returns an App. The mailer receives every e-mail once its change
// has committed.
func New(store tenantry.Store, p *policy.Policy, mailer Mailer, log *slog.Logger, cfg Config) *App {
	return &App{store: store, policy: p, mailer: mailer, log: log, cfg: cfg}
}

// WithMailer returns a copy of a that sends its e-mail to m.
func (a *App) WithMailer(m Mailer) *App {
	c := *a
	c.mailer = m
	return &c
}

// Policy returns the policy the App enforces.
func (a *App) Policy() *policy.Policy { return a.policy }

// Ready checks that the store answers.
func (a *App) Ready(ctx context.Context) error { return a.store.Ping(ctx) }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// send delivers messages queued by a committed transaction. A failure is
// logged, never returned: the change itself has happened.
func (a *App) send(ctx context.Context, msgs []Message) {
	for _, m := range msgs {
		if err := a.mailer.Send(ctx, m); err != nil {
			a.log.ErrorContext(ctx, "send mail", "subject", m.Subject, "err", err)
		}
	}
}

// event writes one audit event in tx.
func event(ctx context.Context, tx tenantry.Tx, who *Actor, org, action, targetType, targetID string, details map[string]any) error {
	e := &tenantry.Event{OrgID: org, Action: action, TargetType: targetType, TargetID: targetID, Details: details}
	if who != nil {
		e.ActorID, e.IP = who.User.ID, who.IP
	}
	return tx.AddEvent(ctx, e)
}

// catalogueFor names the role catalogue that applies in org.
func catalogueFor(o *tenantry.Org) string {
	if o.Kind == tenantry.OrgPlatform {
		return "platform"
	}
	return "1nce"
}

// notFound hides whether an object exists from someone who may not see it.
func notFound(what string) error {
	return tenantry.Errorf(tenantry.NotFound, "%s not found", what)
}

func forbidden(format string, args ...any) error {
	return tenantry.Errorf(tenantry.Forbidden, format, args...)
}
