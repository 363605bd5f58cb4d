package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const outboxColumns = `id, idempotency_key, to_addr, subject, text_body, html_body, created_at, due_at,
	attempts, last_error, sent_at, failed_at`

func scanMail(row interface{ Scan(...any) error }) (*tenantry.Mail, error) {
	var m tenantry.Mail
	var created, due, sent, failed int64
	err := row.Scan(&m.ID, &m.Key, &m.To, &m.Subject, &m.Text, &m.HTML, &created, &due, &m.Attempts,
		&m.LastError, &sent, &failed)
	if err != nil {
		return nil, err
	}
	m.CreatedAt, m.DueAt, m.SentAt, m.FailedAt = fromMicros(created), fromMicros(due), fromMicros(sent), fromMicros(failed)
	return &m, nil
}

func (tx *Tx) queryMails(ctx context.Context, query string, args ...any) ([]*tenantry.Mail, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, m)
	}
	return out, translate(rows.Err())
}

// EnqueueMail adds m to the outbox unless its key is there already.
func (tx *Tx) EnqueueMail(ctx context.Context, m *tenantry.Mail) error {
	m.ID, m.CreatedAt = newID(), tx.now
	if m.DueAt.IsZero() {
		m.DueAt = tx.now
	}
	_, err := tx.exec(ctx, `INSERT INTO outbox (id, idempotency_key, to_addr, subject, text_body, html_body, created_at, due_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (idempotency_key) DO NOTHING`,
		m.ID, m.Key, m.To, m.Subject, m.Text, m.HTML, micros(m.CreatedAt), micros(m.DueAt))
	return err
}

// pendingMail is the part of ClaimMail's query after its columns: the due
// messages ($1 is now) in the order of the outbox_pending index, so that
// a claim reads only the rows it takes ($2).
const pendingMail = ` FROM outbox
		WHERE sent_at = 0 AND failed_at = 0 AND due_at <= $1 AND claimed_until <= $1
		ORDER BY due_at, id LIMIT $2`

// ClaimMail leases due messages. On PostgreSQL, SKIP LOCKED lets several
// instances claim at once without waiting for or sharing a row; SQLite's
// one writer makes the select-then-update atomic by itself.
func (tx *Tx) ClaimMail(ctx context.Context, limit int, leaseUntil time.Time) ([]*tenantry.Mail, error) {
	now := micros(tx.now)
	mails, err := tx.queryMails(ctx, `SELECT `+outboxColumns+pendingMail+tx.lockRows(true), now, limit)
	if err != nil || len(mails) == 0 {
		return nil, err
	}
	ids := make([]string, len(mails))
	for i, m := range mails {
		ids[i] = m.ID
		m.Attempts++
	}
	return mails, tx.lease(ctx, "outbox", ids, leaseUntil)
}

// lease claims rows of an outbox table (outbox, webhook_deliveries) until
// leaseUntil and counts an attempt on each.
func (tx *Tx) lease(ctx context.Context, table string, ids []string, leaseUntil time.Time) error {
	args := []any{micros(leaseUntil)}
	var in strings.Builder
	for i, id := range ids {
		if i > 0 {
			in.WriteString(", ")
		}
		args = append(args, id)
		in.WriteString("$" + strconv.Itoa(len(args)))
	}
	_, err := tx.exec(ctx, `UPDATE `+table+` SET claimed_until = $1, attempts = attempts + 1 WHERE id IN (`+in.String()+`)`, args...)
	return err
}

// ReleaseMail ends the claims on messages.
func (tx *Tx) ReleaseMail(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if _, err := tx.exec(ctx, `UPDATE outbox SET claimed_until = 0 WHERE id = $1 AND sent_at = 0`, id); err != nil {
			return err
		}
	}
	return nil
}

// OutboxBacklog counts unsent messages and finds the oldest one's time.
func (tx *Tx) OutboxBacklog(ctx context.Context) (int64, time.Time, error) {
	var n, oldest int64
	err := tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM outbox WHERE sent_at = 0 AND failed_at = 0`).Scan(&n, &oldest)
	return n, fromMicros(oldest), translate(err)
}

// scrubbed replaces the body of a message that is done with: it held a
// live one-time link, which must not outlive its delivery in the database.
const scrubbed = `text_body = '', html_body = ''`

// MailSent records a delivery and drops the body.
func (tx *Tx) MailSent(ctx context.Context, id string) error {
	return tx.execOne(ctx, "message", `UPDATE outbox SET sent_at = $2, last_error = '', `+scrubbed+` WHERE id = $1`, id, micros(tx.now))
}

// MailFailed records a failed attempt, and gives up when retryAt is zero.
func (tx *Tx) MailFailed(ctx context.Context, id, reason string, retryAt time.Time) error {
	if retryAt.IsZero() {
		return tx.execOne(ctx, "message", `UPDATE outbox SET failed_at = $2, last_error = $3, claimed_until = 0, `+scrubbed+` WHERE id = $1`,
			id, micros(tx.now), reason)
	}
	return tx.execOne(ctx, "message", `UPDATE outbox SET due_at = $2, last_error = $3, claimed_until = 0 WHERE id = $1`,
		id, micros(retryAt), reason)
}

// Outbox returns the newest messages.
func (tx *Tx) Outbox(ctx context.Context, limit int) ([]*tenantry.Mail, error) {
	return tx.queryMails(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY id DESC LIMIT $1`, limit)
}

// DeliverToMailbox stores a message in the dev mailbox.
func (tx *Tx) DeliverToMailbox(ctx context.Context, m *tenantry.Mail) error {
	_, err := tx.exec(ctx, `INSERT INTO mailbox (id, outbox_id, to_addr, subject, text_body, html_body, delivered_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, newID(), m.ID, m.To, m.Subject, m.Text, m.HTML, micros(tx.now))
	return err
}

// TrimMailbox removes all but the newest keep messages of the dev mailbox
// (ids grow with time).
func (tx *Tx) TrimMailbox(ctx context.Context, keep int) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM mailbox WHERE id <= (SELECT id FROM mailbox ORDER BY id DESC LIMIT 1 OFFSET $1)`, keep)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}

const mailboxColumns = `id, outbox_id, to_addr, subject, text_body, html_body, delivered_at, delivered_at,
	0, '', delivered_at, 0`

// Mailbox returns the dev mailbox, newest first.
func (tx *Tx) Mailbox(ctx context.Context, limit int) ([]*tenantry.Mail, error) {
	return tx.queryMails(ctx, `SELECT `+mailboxColumns+` FROM mailbox ORDER BY id DESC LIMIT $1`, limit)
}

// MailboxMessage returns one dev mailbox message by id or unique id prefix.
func (tx *Tx) MailboxMessage(ctx context.Context, id string) (*tenantry.Mail, error) {
	mails, err := tx.queryMails(ctx, `SELECT `+mailboxColumns+` FROM mailbox WHERE id >= $1 AND id < $2
		ORDER BY id LIMIT 2`, id, id+prefixEnd)
	switch {
	case err != nil:
		return nil, err
	case len(mails) == 0 || id == "":
		return nil, tenantry.Errorf(tenantry.NotFound, "message not found")
	case len(mails) > 1:
		return nil, tenantry.Errorf(tenantry.Invalid, "id: %q names more than one message; give more of it", id)
	}
	return mails[0], nil
}

// scanOne maps a missing row to NotFound naming what.
func scanOne(err error, what string) error {
	if err == sql.ErrNoRows {
		return tenantry.Errorf(tenantry.NotFound, "%s not found", what)
	}
	return translate(err)
}
