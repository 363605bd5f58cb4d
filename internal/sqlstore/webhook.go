package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const endpointColumns = `id, org_id, url, description, event_types, secret, secret_hint, old_secret, old_secret_until,
	active, disabled_reason, failing_since, created_by, created_at, updated_at`

func scanEndpoint(row interface{ Scan(...any) error }) (*tenantry.WebhookEndpoint, error) {
	var e tenantry.WebhookEndpoint
	var types string
	var oldUntil, failing, created, updated int64
	err := row.Scan(&e.ID, &e.OrgID, &e.URL, &e.Description, &types, &e.Secret, &e.SecretHint, &e.OldSecret, &oldUntil,
		&e.Active, &e.DisabledReason, &failing, &e.CreatedBy, &created, &updated)
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "webhook endpoint not found")
	}
	if err != nil {
		return nil, translate(err)
	}
	e.EventTypes = strings.Fields(types)
	e.OldSecretUntil, e.FailingSince = fromMicros(oldUntil), fromMicros(failing)
	e.CreatedAt, e.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &e, nil
}

func (tx *Tx) queryEndpoints(ctx context.Context, query string, args ...any) ([]*tenantry.WebhookEndpoint, error) {
	return queryAll(ctx, tx, scanEndpoint, query, args...)
}

// CreateWebhookEndpoint inserts e.
func (tx *Tx) CreateWebhookEndpoint(ctx context.Context, e *tenantry.WebhookEndpoint) error {
	e.CreatedAt, e.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO webhook_endpoints (`+endpointColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		e.ID, e.OrgID, e.URL, e.Description, strings.Join(e.EventTypes, " "), e.Secret, e.SecretHint, e.OldSecret,
		micros(e.OldSecretUntil), e.Active, e.DisabledReason, micros(e.FailingSince), e.CreatedBy, micros(e.CreatedAt),
		micros(e.UpdatedAt))
	return err
}

// UpdateWebhookEndpoint writes e's mutable fields.
func (tx *Tx) UpdateWebhookEndpoint(ctx context.Context, e *tenantry.WebhookEndpoint) error {
	e.UpdatedAt = tx.now
	return tx.execOne(ctx, "webhook endpoint", `UPDATE webhook_endpoints SET url = $2, description = $3, event_types = $4,
		secret = $5, secret_hint = $6, old_secret = $7, old_secret_until = $8, active = $9, disabled_reason = $10,
		failing_since = $11, updated_at = $12 WHERE id = $1`,
		e.ID, e.URL, e.Description, strings.Join(e.EventTypes, " "), e.Secret, e.SecretHint, e.OldSecret,
		micros(e.OldSecretUntil), e.Active, e.DisabledReason, micros(e.FailingSince), micros(e.UpdatedAt))
}

// WebhookEndpoint returns the endpoint with id.
func (tx *Tx) WebhookEndpoint(ctx context.Context, id string) (*tenantry.WebhookEndpoint, error) {
	return scanEndpoint(tx.queryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = $1`, id))
}

// WebhookEndpoints returns an org's endpoints, oldest first.
func (tx *Tx) WebhookEndpoints(ctx context.Context, orgID string) ([]*tenantry.WebhookEndpoint, error) {
	return tx.queryEndpoints(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE org_id = $1 ORDER BY created_at, id`, orgID)
}

// DeleteWebhookEndpoint removes an endpoint; its deliveries go with it.
func (tx *Tx) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	if _, err := tx.exec(ctx, `DELETE FROM webhook_deliveries WHERE endpoint_id = $1`, id); err != nil {
		return err
	}
	return tx.execOne(ctx, "webhook endpoint", `DELETE FROM webhook_endpoints WHERE id = $1`, id)
}

// WebhookListeners returns the active endpoints of org and the orgs above
// it, in one query: every audited change asks, so it must be cheap when
// there are none.
func (tx *Tx) WebhookListeners(ctx context.Context, orgID string) ([]*tenantry.WebhookEndpoint, error) {
	return tx.queryEndpoints(ctx, `WITH RECURSIVE path(pid) AS (
			SELECT id FROM orgs WHERE id = $1
			UNION ALL SELECT o.parent_id FROM orgs o JOIN path p ON o.id = p.pid WHERE o.parent_id IS NOT NULL)
		SELECT `+endpointColumns+` FROM webhook_endpoints JOIN path ON org_id = pid WHERE active ORDER BY created_at, id`, orgID)
}

const deliveryColumns = `d.id, d.endpoint_id, e.org_id, d.message_id, d.event_id, d.event_type, d.payload, d.created_at,
	d.due_at, d.attempts, d.last_status, d.last_error, d.last_attempt_at, d.last_duration, d.delivered_at, d.failed_at`

func scanDelivery(row interface{ Scan(...any) error }) (*tenantry.WebhookDelivery, error) {
	var d tenantry.WebhookDelivery
	var payload string
	var created, due, last, dur, delivered, failed int64
	err := row.Scan(&d.ID, &d.EndpointID, &d.OrgID, &d.MessageID, &d.EventID, &d.EventType, &payload, &created, &due,
		&d.Attempts, &d.LastStatus, &d.LastError, &last, &dur, &delivered, &failed)
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "webhook delivery not found")
	}
	if err != nil {
		return nil, translate(err)
	}
	d.Payload = []byte(payload)
	d.CreatedAt, d.DueAt, d.LastAttemptAt = fromMicros(created), fromMicros(due), fromMicros(last)
	d.LastDuration = time.Duration(dur) * time.Microsecond
	d.DeliveredAt, d.FailedAt = fromMicros(delivered), fromMicros(failed)
	return &d, nil
}

func (tx *Tx) queryDeliveries(ctx context.Context, query string, args ...any) ([]*tenantry.WebhookDelivery, error) {
	return queryAll(ctx, tx, scanDelivery, query, args...)
}

// EnqueueWebhook adds a delivery to the outbox.
func (tx *Tx) EnqueueWebhook(ctx context.Context, d *tenantry.WebhookDelivery) error {
	if d.ID == "" {
		d.ID = newID()
	}
	d.CreatedAt = tx.now
	if d.DueAt.IsZero() {
		d.DueAt = tx.now
	}
	_, err := tx.exec(ctx, `INSERT INTO webhook_deliveries (id, endpoint_id, message_id, event_id, event_type, payload, created_at, due_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		d.ID, d.EndpointID, d.MessageID, d.EventID, d.EventType, string(d.Payload), micros(d.CreatedAt), micros(d.DueAt))
	return err
}

// pendingDeliveries is the part of ClaimWebhooks' query after its
// columns, read in the order of the webhook_deliveries_pending index.
const pendingDeliveries = ` FROM webhook_deliveries d
		JOIN webhook_endpoints e ON e.id = d.endpoint_id
		WHERE d.delivered_at = 0 AND d.failed_at = 0 AND d.due_at <= $1 AND d.claimed_until <= $1 AND e.active
		ORDER BY d.due_at, d.id LIMIT $2`

// WebhookBacklog counts undelivered deliveries of active endpoints and
// finds the oldest one's time.
func (tx *Tx) WebhookBacklog(ctx context.Context) (int64, time.Time, error) {
	var n, oldest int64
	err := tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(d.created_at), 0) FROM webhook_deliveries d
		JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.delivered_at = 0 AND d.failed_at = 0 AND e.active`).Scan(&n, &oldest)
	return n, fromMicros(oldest), translate(err)
}

// ClaimWebhooks leases due deliveries of active endpoints. As with mail,
// SKIP LOCKED lets PostgreSQL instances claim side by side.
func (tx *Tx) ClaimWebhooks(ctx context.Context, limit int, leaseUntil time.Time) ([]*tenantry.WebhookDelivery, error) {
	now := micros(tx.now)
	lock := ""
	if tx.dialect == Postgres {
		lock = " FOR UPDATE OF d SKIP LOCKED"
	}
	out, err := tx.queryDeliveries(ctx, `SELECT `+deliveryColumns+pendingDeliveries+lock, now, limit)
	if err != nil || len(out) == 0 {
		return nil, err
	}
	ids := make([]string, len(out))
	for i, d := range out {
		ids[i] = d.ID
		d.Attempts++
	}
	return out, tx.lease(ctx, "webhook_deliveries", ids, leaseUntil)
}

// ReleaseWebhooks ends the claims on deliveries.
func (tx *Tx) ReleaseWebhooks(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if _, err := tx.exec(ctx, `UPDATE webhook_deliveries SET claimed_until = 0 WHERE id = $1 AND delivered_at = 0`, id); err != nil {
			return err
		}
	}
	return nil
}

// RecordWebhookAttempt writes an attempt's outcome: on the delivery, and
// on its endpoint, which fails since the first failure after a success.
func (tx *Tx) RecordWebhookAttempt(ctx context.Context, id string, a tenantry.WebhookAttempt) (*tenantry.WebhookEndpoint, error) {
	now := micros(tx.now)
	var err error
	switch {
	case a.Error == "":
		err = tx.execOne(ctx, "webhook delivery", `UPDATE webhook_deliveries SET delivered_at = $2, last_status = $3,
			last_error = '', last_attempt_at = $2, last_duration = $4, claimed_until = 0 WHERE id = $1`,
			id, now, a.Status, a.Duration.Microseconds())
	case a.RetryAt.IsZero():
		err = tx.execOne(ctx, "webhook delivery", `UPDATE webhook_deliveries SET failed_at = $2, last_status = $3,
			last_error = $4, last_attempt_at = $2, last_duration = $5, claimed_until = 0 WHERE id = $1`,
			id, now, a.Status, a.Error, a.Duration.Microseconds())
	default:
		err = tx.execOne(ctx, "webhook delivery", `UPDATE webhook_deliveries SET due_at = $6, last_status = $3,
			last_error = $4, last_attempt_at = $2, last_duration = $5, claimed_until = 0 WHERE id = $1`,
			id, now, a.Status, a.Error, a.Duration.Microseconds(), micros(a.RetryAt))
	}
	if err != nil {
		return nil, err
	}
	if a.Error == "" {
		_, err = tx.exec(ctx, `UPDATE webhook_endpoints SET failing_since = 0
			WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $1) AND failing_since <> 0`, id)
	} else {
		_, err = tx.exec(ctx, `UPDATE webhook_endpoints SET failing_since = $2
			WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $1) AND failing_since = 0`, id, now)
	}
	if err != nil {
		return nil, err
	}
	return scanEndpoint(tx.queryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $1)`, id))
}

// WebhookDelivery returns the delivery with id.
func (tx *Tx) WebhookDelivery(ctx context.Context, id string) (*tenantry.WebhookDelivery, error) {
	return scanDelivery(tx.queryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d
		JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`, id))
}

// WebhookDeliveries returns a page of an endpoint's deliveries, newest
// first (ids are time-ordered).
func (tx *Tx) WebhookDeliveries(ctx context.Context, f tenantry.DeliveryFilter) ([]*tenantry.WebhookDelivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
		WHERE d.endpoint_id = $1`
	args := []any{f.EndpointID}
	switch f.State {
	case "delivered":
		q += ` AND d.delivered_at <> 0`
	case "failed":
		q += ` AND d.failed_at <> 0`
	case "pending":
		q += ` AND d.delivered_at = 0 AND d.failed_at = 0`
	}
	if f.Before != "" {
		args = append(args, f.Before)
		q += ` AND d.id < $` + strconv.Itoa(len(args))
	}
	args = append(args, f.Limit)
	q += ` ORDER BY d.id DESC LIMIT $` + strconv.Itoa(len(args))
	return tx.queryDeliveries(ctx, q, args...)
}

// RetryWebhook makes a delivery due now again.
func (tx *Tx) RetryWebhook(ctx context.Context, id string) error {
	return tx.execOne(ctx, "webhook delivery", `UPDATE webhook_deliveries SET due_at = $2, delivered_at = 0, failed_at = 0,
		claimed_until = 0, attempts = 0 WHERE id = $1`, id, micros(tx.now))
}

// DeleteWebhookDeliveriesBefore removes deliveries delivered or given up
// before t.
func (tx *Tx) DeleteWebhookDeliveriesBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM webhook_deliveries WHERE (delivered_at <> 0 AND delivered_at < $1)
		OR (failed_at <> 0 AND failed_at < $1)`, micros(t))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}
