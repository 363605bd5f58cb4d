// Package webhook sends the webhooks that use cases put in their outbox
// (B6): a dispatcher claims due deliveries, signs each as the Standard
// Webhooks specification says (webhook-id, webhook-timestamp and
// webhook-signature headers, HMAC-SHA256, with the reference library),
// posts it and records the outcome, which the app turns into a retry, a
// given-up delivery or a disabled endpoint. Delivery is at least once; a
// message sent twice carries the same webhook-id.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/egress"
	"github.com/tenantry/tenantry/internal/outbox"
)

// Queue is the webhook outbox, as the app keeps it.
type Queue interface {
	ClaimWebhooks(ctx context.Context, limit int, lease time.Duration) ([]*app.WebhookMessage, error)
	ReleaseWebhooks(ctx context.Context, ids []string) error
	WebhookAttempted(ctx context.Context, m *app.WebhookMessage, status int, failure string, took time.Duration) error
}

// Options tune a dispatcher; the zero value is what serve runs with.
type Options struct {
	// Timeout bounds one delivery, from connecting to the end of the
	// answer's head (default 15 s); a slower receiver fails the attempt.
	Timeout time.Duration
	// AllowPrivate lets deliveries go to loopback and private addresses,
	// for a receiver on the same machine or network. Off, a URL whose
	// host resolves to one fails: webhooks must not reach inside.
	AllowPrivate bool
	// Concurrency is how many deliveries are in flight at once (default
	// 8), so that a slow receiver does not hold up the others.
	Concurrency int
}

// Dispatcher sends the webhook outbox. Several, in one process or in many
// instances on one PostgreSQL, never claim the same delivery at once.
type Dispatcher struct {
	queue  Queue
	client *http.Client
	log    *slog.Logger
	opts   Options
	lease  time.Duration
	loop   outbox.Loop
	now    func() time.Time

	delivered, failed atomic.Int64
}

// Stats counts what a dispatcher did since it started.
type Stats struct {
	Delivered, Failed int64
}

// New returns a dispatcher over q.
func New(q Queue, log *slog.Logger, o Options) *Dispatcher {
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	// A redirect is not followed: the receiver's answer is the URL's.
	client := egress.Client(egress.Options{Timeout: o.Timeout, AllowPrivate: o.AllowPrivate, For: "webhook receivers"})
	return &Dispatcher{queue: q, client: client, log: log, opts: o, lease: o.Timeout + time.Minute,
		loop: outbox.New(), now: time.Now}
}

// Stats returns the dispatcher's counts, for metrics.
func (d *Dispatcher) Stats() Stats {
	return Stats{Delivered: d.delivered.Load(), Failed: d.failed.Load()}
}

// Wake asks a running dispatcher to look at the outbox now.
func (d *Dispatcher) Wake() { d.loop.Wake() }

// Run sends due deliveries whenever woken, and every interval in any
// case, until ctx ends; deliveries in flight then finish.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	d.loop.Run(ctx, interval, d.log, "webhook dispatch", d.Drain)
}

// Drain runs rounds until no delivery is due now, and returns how many
// attempts were made.
func (d *Dispatcher) Drain(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := d.RunOnce(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// RunOnce claims one batch of due deliveries and attempts each, several
// at once, and returns how many it attempted.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	batch, err := d.queue.ClaimWebhooks(ctx, d.opts.Concurrency*4, d.lease)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	slots := make(chan struct{}, d.opts.Concurrency)
	var wg sync.WaitGroup
	var released []string
	for _, m := range batch {
		if ctx.Err() != nil {
			released = append(released, m.ID)
			continue
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			d.Deliver(ctx, m)
		}()
	}
	wg.Wait()
	if len(released) > 0 {
		// Shutting down: give back what was not begun, due at once.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return len(batch) - len(released), d.queue.ReleaseWebhooks(rctx, released)
	}
	return len(batch), nil
}

// Deliver posts one claimed delivery and records the outcome. Once begun,
// a shutdown lets it finish (within the timeout).
func (d *Dispatcher) Deliver(ctx context.Context, m *app.WebhookMessage) {
	ctx = context.WithoutCancel(ctx)
	start := time.Now()
	status, failure := d.post(ctx, m)
	took := time.Since(start)
	if err := d.queue.WebhookAttempted(ctx, m, status, failure, took); err != nil {
		d.log.ErrorContext(ctx, "record webhook attempt", "delivery", m.ID, "err", err)
	}
	if failure != "" {
		d.failed.Add(1)
		d.log.WarnContext(ctx, "webhook not delivered", "delivery", m.ID, "endpoint", m.EndpointID,
			"attempt", m.Attempts, "status", status, "err", failure)
		return
	}
	d.delivered.Add(1)
	d.log.InfoContext(ctx, "webhook delivered", "delivery", m.ID, "endpoint", m.EndpointID, "type", m.EventType,
		"status", status, "ms", took.Milliseconds())
}

// post signs and sends m, and returns the receiver's status and, unless
// it answered 2xx, what went wrong in words.
func (d *Dispatcher) post(ctx context.Context, m *app.WebhookMessage) (int, string) {
	ts := d.now()
	sigs := make([]string, 0, len(m.Secrets))
	for _, s := range m.Secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			return 0, "the endpoint's secret cannot sign: " + err.Error()
		}
		sig, err := wh.Sign(m.MessageID, ts, m.Payload)
		if err != nil {
			return 0, "signing failed: " + err.Error()
		}
		sigs = append(sigs, sig)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Payload))
	if err != nil {
		return 0, "the URL cannot be requested: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tenantry-Webhooks/1")
	req.Header.Set(standardwebhooks.HeaderWebhookID, m.MessageID)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, strings.Join(sigs, " "))
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, describe(err, d.opts.Timeout)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, ""
	}
	msg := "the receiver answered " + resp.Status
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg += " (redirects are not followed: register the final URL)"
	} else if s := strings.TrimSpace(strings.ToValidUTF8(string(snippet), "")); s != "" {
		msg += ": " + s
	}
	return resp.StatusCode, msg
}

// describe says in words why a request got no answer.
func describe(err error, timeout time.Duration) string {
	var netErr net.Error
	switch {
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the receiver refused the connection"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "the host name does not resolve: " + dnsErr.Name
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return "cannot connect: " + opErr.Err.Error()
	}
	return err.Error()
}
