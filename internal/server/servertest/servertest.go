// Package servertest starts a whole Tenantry for tests: a fresh store, the
// app with cheap (but real) argon2id and signing keys, the HTTP surface on
// loopback, and a real SMTP server receiving its mail through the outbox.
package servertest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/mail"
	"github.com/tenantry/tenantry/internal/mail/smtptest"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/server"
	"github.com/tenantry/tenantry/internal/sqlstore"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/webhook"
)

// Options shape the server.
type Options struct {
	// Backend is the store; the zero value is SQLite.
	Backend sqltest.Backend
	// PublicURL goes into e-mailed links; "" means the server's own
	// address, so that a browser can open them.
	PublicURL string
	// Tune, if set, adjusts the app's configuration.
	Tune func(*app.Config)
	// Now, if set, is the clock of the store and the app.
	Now func() time.Time
	// Log, if set, receives the server's log lines (as text).
	Log io.Writer
	// Copy, if set, is a store whose rows the new server's database
	// starts with (a test's fixture made once, served many times).
	Copy *sqlstore.DB
	// WebhookTimeout bounds one webhook delivery (default 15 s).
	WebhookTimeout time.Duration
	// TrustedProxies are the networks whose forwarding headers name the
	// client's address (a test stands for a client elsewhere).
	TrustedProxies []netip.Prefix
}

// Server is one running Tenantry.
type Server struct {
	URL        string // where it listens
	App        *app.App
	DB         *sqlstore.DB
	SMTP       *smtptest.Server
	Dispatcher *mail.Dispatcher
	// Webhooks sends the webhook outbox when a test drains it; it may
	// reach receivers on loopback.
	Webhooks *webhook.Dispatcher
	t        testing.TB
}

// Start starts a server for the test and stops it when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Backend.Open == nil {
		o.Backend = sqltest.Backends()[0]
	}
	db := o.Backend.Open(t, o.Now)
	if o.Copy != nil {
		if _, err := sqlstore.Copy(context.Background(), o.Copy, db, nil); err != nil {
			t.Fatalf("copy the fixture: %v", err)
		}
	}
	smtp := smtptest.Start(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	hs.Listener.Close()
	hs.Listener = ln
	cfg := app.DefaultConfig()
	cfg.SecretKey = sqltest.SecretKey
	cfg.PublicURL = o.PublicURL
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}
	cfg.Password = auth.Params{Memory: 64, Time: 1, Threads: 1} // real argon2id, cheap for tests
	cfg.IdPAllowPrivate = true                                  // the tests' identity providers listen on loopback
	if o.Now != nil {
		cfg.Now = o.Now
	}
	if o.Tune != nil {
		o.Tune(&cfg)
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	log := slog.New(slog.NewTextHandler(o.Log, nil))
	a, err := app.New(db, policy.Default(), log, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RotateKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: smtp.Host, Port: smtp.Port, TLS: "none", From: "Tenantry <noreply@tenantry.test>"})
	if err != nil {
		t.Fatal(err)
	}
	dispatcher := mail.NewDispatcher(db, tr, log)
	hooks := webhook.New(a, log, webhook.Options{AllowPrivate: true, Timeout: o.WebhookTimeout})
	h, err := server.New(a, log, server.Config{PublicURL: cfg.PublicURL, Mail: dispatcher.Stats, Webhooks: hooks.Stats,
		TrustedProxies: o.TrustedProxies})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = h
	hs.Start()
	t.Cleanup(hs.Close)
	return &Server{URL: "http://" + ln.Addr().String(), App: a, DB: db, SMTP: smtp, Dispatcher: dispatcher, Webhooks: hooks, t: t}
}

// MailTo delivers the outbox and returns the newest message to addr.
func (s *Server) MailTo(addr string) smtptest.Message {
	s.t.Helper()
	s.App.Settle()
	if _, err := s.Dispatcher.Drain(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	m, ok := s.SMTP.LastTo(addr)
	if !ok {
		s.t.Fatalf("no mail to %s", addr)
	}
	return m
}
