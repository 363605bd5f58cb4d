package sqlstore

import (
	"context"
	"database/sql"
	"unicode/utf8"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// TOTP returns a user's TOTP secret.
func (tx *Tx) TOTP(ctx context.Context, userID string) (*tenantry.TOTP, error) {
	var t tenantry.TOTP
	var created int64
	err := tx.queryRow(ctx, `SELECT user_id, secret, confirmed, last_step, created_at FROM totp WHERE user_id = $1`,
		userID).Scan(&t.UserID, &t.Secret, &t.Confirmed, &t.LastStep, &created)
	if err != nil {
		return nil, scanOne(err, "TOTP")
	}
	t.CreatedAt = fromMicros(created)
	return &t, nil
}

// PutTOTP creates or replaces a user's TOTP secret.
func (tx *Tx) PutTOTP(ctx context.Context, t *tenantry.TOTP) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = tx.now
	}
	_, err := tx.exec(ctx, `INSERT INTO totp (user_id, secret, confirmed, last_step, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, confirmed = excluded.confirmed,
		last_step = excluded.last_step, created_at = excluded.created_at`,
		t.UserID, t.Secret, t.Confirmed, t.LastStep, micros(t.CreatedAt))
	return err
}

// TOTPUserIDs lists the users that have a TOTP secret.
func (tx *Tx) TOTPUserIDs(ctx context.Context) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT user_id FROM totp ORDER BY user_id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		out = append(out, id)
	}
	return out, translate(rows.Err())
}

// UseTOTPStep accepts only a step newer than the last one, in one
// conditional UPDATE.
func (tx *Tx) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	res, err := tx.exec(ctx, `UPDATE totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2`, userID, step)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return translate(err)
	} else if n == 0 {
		return tenantry.Errorf(tenantry.Conflict, "code: already used")
	}
	return nil
}

// DeleteTOTP removes a user's TOTP secret and recovery codes.
func (tx *Tx) DeleteTOTP(ctx context.Context, userID string) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `DELETE FROM totp WHERE user_id = $1`, userID)
	return err
}

// ReplaceRecoveryCodes stores a user's new recovery code hashes.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, hash) VALUES ($1, $2)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// UseRecoveryCode marks an unused code used.
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID, hash string) error {
	return tx.execOne(ctx, "recovery code", `UPDATE recovery_codes SET used_at = $3
		WHERE user_id = $1 AND hash = $2 AND used_at = 0`, userID, hash, micros(tx.now))
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (tx *Tx) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at = 0`, userID).Scan(&n)
	return n, translate(err)
}

// LockThrottle returns key's row, created empty when missing, locked on
// PostgreSQL until the transaction ends.
func (tx *Tx) LockThrottle(ctx context.Context, key string) (*tenantry.Throttle, error) {
	t := tenantry.Throttle{Key: key}
	var next, last int64
	// On PostgreSQL a concurrent success may delete the row between our
	// insert and our select; then insert again.
	for attempt := 0; ; attempt++ {
		if _, err := tx.exec(ctx, `INSERT INTO throttle (key, failures, next_at) VALUES ($1, 0, 0)
			ON CONFLICT (key) DO NOTHING`, key); err != nil {
			return nil, err
		}
		err := tx.queryRow(ctx, `SELECT failures, next_at, last_at FROM throttle WHERE key = $1`+tx.lockRows(false), key).
			Scan(&t.Failures, &next, &last)
		if err == sql.ErrNoRows && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, scanOne(err, "throttle")
		}
		t.NextAt, t.LastAt = fromMicros(next), fromMicros(last)
		return &t, nil
	}
}

// PutThrottle writes a throttle row.
func (tx *Tx) PutThrottle(ctx context.Context, t *tenantry.Throttle) error {
	_, err := tx.exec(ctx, `UPDATE throttle SET failures = $2, next_at = $3, last_at = $4 WHERE key = $1`,
		t.Key, t.Failures, micros(t.NextAt), micros(t.LastAt))
	return err
}

// DeleteThrottlePrefix forgets the failures of every key under prefix.
func (tx *Tx) DeleteThrottlePrefix(ctx context.Context, prefix string) error {
	// substr compares the same way on both databases, whatever the
	// collation; the table is small and this runs on an admin's action.
	_, err := tx.exec(ctx, `DELETE FROM throttle WHERE substr(key, 1, $2) = $1`, prefix, utf8.RuneCountInString(prefix))
	return err
}

// DeleteThrottle forgets a key's failures.
func (tx *Tx) DeleteThrottle(ctx context.Context, key string) error {
	_, err := tx.exec(ctx, `DELETE FROM throttle WHERE key = $1`, key)
	return err
}
