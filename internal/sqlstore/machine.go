package sqlstore

import (
	"context"

	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// ClientSecrets returns a user's client secrets, newest first.
func (tx *Tx) ClientSecrets(ctx context.Context, userID string) ([]*tenantry.ClientSecret, error) {
	rows, err := tx.query(ctx, `SELECT id, user_id, hash, created_at, expires_at FROM client_secrets
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.ClientSecret
	for rows.Next() {
		var s tenantry.ClientSecret
		var created, expires int64
		if err := rows.Scan(&s.ID, &s.UserID, &s.Hash, &created, &expires); err != nil {
			return nil, translate(err)
		}
		s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
		out = append(out, &s)
	}
	return out, translate(rows.Err())
}

// AddClientSecret stores a new client secret.
func (tx *Tx) AddClientSecret(ctx context.Context, s *tenantry.ClientSecret) error {
	s.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO client_secrets (id, user_id, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		s.ID, s.UserID, s.Hash, micros(s.CreatedAt), micros(s.ExpiresAt))
	return err
}

// ExpireClientSecrets makes the user's other secrets expire at at.
func (tx *Tx) ExpireClientSecrets(ctx context.Context, userID, exceptID string, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE client_secrets SET expires_at = $3
		WHERE user_id = $1 AND id <> $2 AND (expires_at = 0 OR expires_at > $3)`, userID, exceptID, micros(at))
	return err
}

// DeleteClientSecret removes one secret of a user.
func (tx *Tx) DeleteClientSecret(ctx context.Context, userID, id string) error {
	return tx.execOne(ctx, "client secret", `DELETE FROM client_secrets WHERE user_id = $1 AND id = $2`, userID, id)
}

// SigningKeys returns every stored signing key, newest first.
func (tx *Tx) SigningKeys(ctx context.Context) ([]*tenantry.SigningKey, error) {
	rows, err := tx.query(ctx, `SELECT kid, private_key, public_key, created_at, retire_at, expires_at
		FROM signing_keys ORDER BY created_at DESC, kid DESC`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.SigningKey
	for rows.Next() {
		var k tenantry.SigningKey
		var created, retire, expires int64
		if err := rows.Scan(&k.ID, &k.PrivateKey, &k.PublicKey, &created, &retire, &expires); err != nil {
			return nil, translate(err)
		}
		k.CreatedAt, k.RetireAt, k.ExpiresAt = fromMicros(created), fromMicros(retire), fromMicros(expires)
		out = append(out, &k)
	}
	return out, translate(rows.Err())
}

// AddSigningKey stores a signing key.
func (tx *Tx) AddSigningKey(ctx context.Context, k *tenantry.SigningKey) error {
	_, err := tx.exec(ctx, `INSERT INTO signing_keys (kid, private_key, public_key, created_at, retire_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, k.ID, k.PrivateKey, k.PublicKey, micros(k.CreatedAt), micros(k.RetireAt), micros(k.ExpiresAt))
	return err
}

// RevokeToken records a revoked token id.
func (tx *Tx) RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING`,
		jti, micros(expiresAt))
	return err
}

// TokenRevoked reports whether a token id was revoked.
func (tx *Tx) TokenRevoked(ctx context.Context, jti string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM revoked_tokens WHERE jti = $1`, jti).Scan(&n)
	return n > 0, translate(err)
}

const patColumns = `id, user_id, name, hash, created_at, expires_at`

func scanPAT(row interface{ Scan(...any) error }) (*tenantry.PersonalToken, error) {
	var t tenantry.PersonalToken
	var created, expires int64
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &created, &expires); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &t, nil
}

// CreatePersonalToken stores a personal access token.
func (tx *Tx) CreatePersonalToken(ctx context.Context, t *tenantry.PersonalToken) error {
	t.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO personal_tokens (`+patColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.UserID, t.Name, t.Hash, micros(t.CreatedAt), micros(t.ExpiresAt))
	return err
}

// PersonalTokenByHash returns the token with hash.
func (tx *Tx) PersonalTokenByHash(ctx context.Context, hash string) (*tenantry.PersonalToken, error) {
	t, err := scanPAT(tx.queryRow(ctx, `SELECT `+patColumns+` FROM personal_tokens WHERE hash = $1`, hash))
	if err != nil {
		return nil, scanOne(err, "token")
	}
	return t, nil
}

// PersonalTokens returns a user's tokens.
func (tx *Tx) PersonalTokens(ctx context.Context, userID string) ([]*tenantry.PersonalToken, error) {
	rows, err := tx.query(ctx, `SELECT `+patColumns+` FROM personal_tokens WHERE user_id = $1
		ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.PersonalToken
	for rows.Next() {
		t, err := scanPAT(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, t)
	}
	return out, translate(rows.Err())
}

// DeletePersonalToken removes one token of a user.
func (tx *Tx) DeletePersonalToken(ctx context.Context, userID, id string) error {
	return tx.execOne(ctx, "token", `DELETE FROM personal_tokens WHERE user_id = $1 AND id = $2`, userID, id)
}

// Setting returns a stored setting.
func (tx *Tx) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := tx.queryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if err != nil {
		return "", scanOne(err, "setting")
	}
	return v, nil
}

// PutSettingIfAbsent stores value under key unless one is there already.
func (tx *Tx) PutSettingIfAbsent(ctx context.Context, key, value string) error {
	_, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value)
	return err
}

// PutSetting stores value under key.
func (tx *Tx) PutSetting(ctx context.Context, key, value string) error {
	_, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// SetSigningKeyPrivate replaces the stored private key of kid.
func (tx *Tx) SetSigningKeyPrivate(ctx context.Context, kid, private string) error {
	return tx.execOne(ctx, "signing key", `UPDATE signing_keys SET private_key = $2 WHERE kid = $1`, kid, private)
}
