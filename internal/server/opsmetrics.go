package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/mail"
	"github.com/tenantry/tenantry/internal/webhook"
)

// opsCollector reads, at each scrape, what an operator pages on: the
// database pools, the outbox's and the webhook deliveries' backlogs and
// their oldest entries' ages, mail and webhook outcomes, sign-in and
// token outcomes, and background work.
type opsCollector struct {
	app   *app.App
	log   *slog.Logger
	mail  func() mail.Stats
	hooks func() webhook.Stats
	descs map[string]*prometheus.Desc
}

func newOpsCollector(a *app.App, log *slog.Logger, cfg Config) *opsCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &opsCollector{app: a, log: log, mail: cfg.Mail, hooks: cfg.Webhooks, descs: map[string]*prometheus.Desc{
		"open":    d("tenantry_db_connections_open", "Open database connections, by pool.", "pool"),
		"inuse":   d("tenantry_db_connections_in_use", "Database connections in use, by pool.", "pool"),
		"waits":   d("tenantry_db_connection_waits_total", "Times a request waited for a database connection, by pool.", "pool"),
		"waited":  d("tenantry_db_connection_wait_seconds_total", "Time requests waited for a database connection, by pool.", "pool"),
		"backlog": d("tenantry_outbox_backlog", "E-mails queued and not yet sent or given up."),
		"oldest":  d("tenantry_outbox_oldest_age_seconds", "How long the oldest unsent e-mail has waited (0 when none)."),
		"outbox":  d("tenantry_outbox_up", "1 when the outbox could be read at this scrape."),
		"mail":    d("tenantry_mail_deliveries_total", "E-mail delivery attempts by this instance, by outcome (sent, failed, given_up).", "outcome"),
		"hooks":   d("tenantry_webhook_deliveries_total", "Webhook delivery attempts by this instance, by outcome (delivered, failed).", "outcome"),
		"hookq":   d("tenantry_webhook_backlog", "Webhook deliveries to active endpoints queued and not yet delivered or given up."),
		"hookage": d("tenantry_webhook_oldest_age_seconds", "How long the oldest undelivered webhook delivery has waited (0 when none)."),
		"signin":  d("tenantry_sign_ins_total", "Password sign-ins, by outcome (ok, mfa_pending, failed, throttled).", "outcome"),
		"tokens":  d("tenantry_token_requests_total", "OAuth2 token requests, by outcome (issued, refused, throttled).", "outcome"),
		"jobs":    d("tenantry_background_jobs", "Work left to run after answering a request that is not done yet."),
	}}
}

func (c *opsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *opsCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(name string, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(c.descs[name], prometheus.GaugeValue, v, labels...)
	}
	counter := func(name string, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(c.descs[name], prometheus.CounterValue, v, labels...)
	}
	for _, p := range c.app.Pools() {
		gauge("open", float64(p.Open), p.Name)
		gauge("inuse", float64(p.InUse), p.Name)
		counter("waits", float64(p.WaitCount), p.Name)
		counter("waited", p.WaitTime.Seconds(), p.Name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, age, err := c.app.OutboxBacklog(ctx)
	if err != nil {
		c.log.Warn("metrics: outbox", "err", err)
		gauge("outbox", 0)
	} else {
		gauge("outbox", 1)
		gauge("backlog", float64(n))
		gauge("oldest", age.Seconds())
	}
	if n, age, err := c.app.WebhookBacklog(ctx); err != nil {
		c.log.Warn("metrics: webhook deliveries", "err", err)
	} else {
		gauge("hookq", float64(n))
		gauge("hookage", age.Seconds())
	}
	if c.mail != nil {
		m := c.mail()
		counter("mail", float64(m.Sent), "sent")
		counter("mail", float64(m.Failed), "failed")
		counter("mail", float64(m.GivenUp), "given_up")
	}
	if c.hooks != nil {
		h := c.hooks()
		counter("hooks", float64(h.Delivered), "delivered")
		counter("hooks", float64(h.Failed), "failed")
	}
	counts := c.app.Counters()
	for outcome, v := range counts.SignIns {
		counter("signin", float64(v), outcome)
	}
	for outcome, v := range counts.Tokens {
		counter("tokens", float64(v), outcome)
	}
	gauge("jobs", float64(counts.Background))
}
