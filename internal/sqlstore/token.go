package sqlstore

import (
	"context"
	"database/sql"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// CreateToken inserts a one-time token.
func (tx *Tx) CreateToken(ctx context.Context, t *tenantry.OneTimeToken) error {
	t.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO tokens (hash, purpose, user_id, expires_at, used_at, created_at)
		VALUES ($1, $2, $3, $4, 0, $5)`, t.Hash, t.Purpose, t.UserID, micros(t.ExpiresAt), micros(t.CreatedAt))
	return err
}

// UseToken marks a valid token used in one conditional UPDATE, so of two
// concurrent redemptions only one changes the row.
func (tx *Tx) UseToken(ctx context.Context, hash string, purpose tenantry.TokenPurpose) (*tenantry.OneTimeToken, error) {
	res, err := tx.exec(ctx, `UPDATE tokens SET used_at = $3 WHERE hash = $1 AND purpose = $2
		AND used_at = 0 AND expires_at > $3`, hash, purpose, micros(tx.now))
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, translate(err)
	} else if n == 0 {
		return nil, tenantry.DeadToken()
	}
	var t tenantry.OneTimeToken
	var expires, used, created int64
	err = tx.queryRow(ctx, `SELECT hash, purpose, user_id, expires_at, used_at, created_at
		FROM tokens WHERE hash = $1`, hash).Scan(&t.Hash, &t.Purpose, &t.UserID, &expires, &used, &created)
	if err == sql.ErrNoRows {
		return nil, tenantry.DeadToken()
	}
	t.ExpiresAt, t.UsedAt, t.CreatedAt = fromMicros(expires), fromMicros(used), fromMicros(created)
	return &t, translate(err)
}

// PeekToken returns an unused, unexpired token of purpose without using
// it.
func (tx *Tx) PeekToken(ctx context.Context, hash string, purpose tenantry.TokenPurpose) (*tenantry.OneTimeToken, error) {
	var t tenantry.OneTimeToken
	var expires, used, created int64
	err := tx.queryRow(ctx, `SELECT hash, purpose, user_id, expires_at, used_at, created_at FROM tokens
		WHERE hash = $1 AND purpose = $2 AND used_at = 0 AND expires_at > $3`, hash, purpose, micros(tx.now)).
		Scan(&t.Hash, &t.Purpose, &t.UserID, &expires, &used, &created)
	if err == sql.ErrNoRows {
		return nil, tenantry.DeadToken()
	}
	t.ExpiresAt, t.UsedAt, t.CreatedAt = fromMicros(expires), fromMicros(used), fromMicros(created)
	return &t, translate(err)
}

// DeleteUserTokens removes a user's tokens of one purpose.
func (tx *Tx) DeleteUserTokens(ctx context.Context, userID string, purpose tenantry.TokenPurpose) error {
	_, err := tx.exec(ctx, `DELETE FROM tokens WHERE user_id = $1 AND purpose = $2`, userID, purpose)
	return err
}

// DeleteAllUserTokens removes every one-time token of a user.
func (tx *Tx) DeleteAllUserTokens(ctx context.Context, userID string) error {
	_, err := tx.exec(ctx, `DELETE FROM tokens WHERE user_id = $1`, userID)
	return err
}
