package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// CreateRelyingParty registers an application's OpenID Connect client.
func (tx *Tx) CreateRelyingParty(ctx context.Context, rp *tenantry.RelyingParty) error {
	rp.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO relying_parties (client_id, user_id, name, public, redirect_uris, logout_uris, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, rp.ClientID, rp.UserID, rp.Name, rp.Public,
		strings.Join(rp.RedirectURIs, "\n"), strings.Join(rp.LogoutURIs, "\n"), micros(rp.CreatedAt))
	return translate(err)
}

// UpdateRelyingParty writes an application's redirect and logout URIs.
func (tx *Tx) UpdateRelyingParty(ctx context.Context, rp *tenantry.RelyingParty) error {
	return tx.execOne(ctx, "application", `UPDATE relying_parties SET redirect_uris = $2, logout_uris = $3 WHERE client_id = $1`,
		rp.ClientID, strings.Join(rp.RedirectURIs, "\n"), strings.Join(rp.LogoutURIs, "\n"))
}

func scanRelyingParty(row interface{ Scan(...any) error }) (*tenantry.RelyingParty, error) {
	var rp tenantry.RelyingParty
	var redirects, logouts string
	var created int64
	if err := row.Scan(&rp.ClientID, &rp.UserID, &rp.Name, &rp.Public, &redirects, &logouts, &created); err != nil {
		return nil, err
	}
	rp.RedirectURIs, rp.LogoutURIs = strings.Fields(redirects), strings.Fields(logouts)
	rp.CreatedAt = fromMicros(created)
	return &rp, nil
}

const rpColumns = `client_id, user_id, name, public, redirect_uris, logout_uris, created_at`

// RelyingParty returns the relying party with clientID.
func (tx *Tx) RelyingParty(ctx context.Context, clientID string) (*tenantry.RelyingParty, error) {
	rp, err := scanRelyingParty(tx.queryRow(ctx, `SELECT `+rpColumns+` FROM relying_parties WHERE client_id = $1`, clientID))
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "relying party not found")
	}
	return rp, translate(err)
}

// RelyingParties returns every relying party, by name.
func (tx *Tx) RelyingParties(ctx context.Context) ([]*tenantry.RelyingParty, error) {
	rows, err := tx.query(ctx, `SELECT `+rpColumns+` FROM relying_parties ORDER BY name, client_id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.RelyingParty
	for rows.Next() {
		rp, err := scanRelyingParty(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, rp)
	}
	return out, translate(rows.Err())
}

const oidcRequestColumns = `id, client_id, request, user_id, org_id, amr, auth_time, COALESCE(code_hash, ''), created_at, expires_at`

// CreateOIDCRequest stores an authorization request.
func (tx *Tx) CreateOIDCRequest(ctx context.Context, r *tenantry.OIDCRequest) error {
	r.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO oidc_requests (id, client_id, request, user_id, org_id, amr, auth_time, code_hash,
		created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, r.ClientID, r.Request, r.UserID, r.OrgID, strings.Join(r.AMR, " "), micros(r.AuthTime), nullable(r.CodeHash),
		micros(r.CreatedAt), micros(r.ExpiresAt))
	return translate(err)
}

func (tx *Tx) queryOIDCRequest(ctx context.Context, where string, arg any) (*tenantry.OIDCRequest, error) {
	var r tenantry.OIDCRequest
	var amr string
	var auth, created, expires int64
	err := tx.queryRow(ctx, `SELECT `+oidcRequestColumns+` FROM oidc_requests WHERE `+where+` AND expires_at > $2`, arg, micros(tx.now)).
		Scan(&r.ID, &r.ClientID, &r.Request, &r.UserID, &r.OrgID, &amr, &auth, &r.CodeHash, &created, &expires)
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "authorization request not found or expired")
	}
	if err != nil {
		return nil, translate(err)
	}
	r.AMR = strings.Fields(amr)
	r.AuthTime, r.CreatedAt, r.ExpiresAt = fromMicros(auth), fromMicros(created), fromMicros(expires)
	return &r, nil
}

// OIDCRequest returns an unexpired authorization request.
func (tx *Tx) OIDCRequest(ctx context.Context, id string) (*tenantry.OIDCRequest, error) {
	return tx.queryOIDCRequest(ctx, "id = $1", id)
}

// OIDCRequestByCode returns the unexpired request a code was issued for.
func (tx *Tx) OIDCRequestByCode(ctx context.Context, codeHash string) (*tenantry.OIDCRequest, error) {
	return tx.queryOIDCRequest(ctx, "code_hash = $1", codeHash)
}

// UpdateOIDCRequest writes the sign-in's part of r.
func (tx *Tx) UpdateOIDCRequest(ctx context.Context, r *tenantry.OIDCRequest) error {
	return tx.execOne(ctx, "authorization request", `UPDATE oidc_requests SET user_id = $2, org_id = $3, amr = $4,
		auth_time = $5, code_hash = $6, expires_at = $7 WHERE id = $1`,
		r.ID, r.UserID, r.OrgID, strings.Join(r.AMR, " "), micros(r.AuthTime), nullable(r.CodeHash), micros(r.ExpiresAt))
}

// DeleteOIDCRequest removes an authorization request.
func (tx *Tx) DeleteOIDCRequest(ctx context.Context, id string) error {
	_, err := tx.exec(ctx, `DELETE FROM oidc_requests WHERE id = $1`, id)
	return translate(err)
}

// CreateOIDCRefresh stores a refresh token.
func (tx *Tx) CreateOIDCRefresh(ctx context.Context, t *tenantry.OIDCRefresh) error {
	t.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO oidc_refresh_tokens (hash, family, client_id, user_id, org_id, scopes, amr, auth_time,
		used, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		t.Hash, t.Family, t.ClientID, t.UserID, t.OrgID, strings.Join(t.Scopes, " "), strings.Join(t.AMR, " "),
		micros(t.AuthTime), t.Used, micros(t.CreatedAt), micros(t.ExpiresAt))
	return translate(err)
}

// OIDCRefresh returns a refresh token by hash, used or not.
func (tx *Tx) OIDCRefresh(ctx context.Context, hash string) (*tenantry.OIDCRefresh, error) {
	var t tenantry.OIDCRefresh
	var scopes, amr string
	var auth, created, expires int64
	err := tx.queryRow(ctx, `SELECT hash, family, client_id, user_id, org_id, scopes, amr, auth_time, used, created_at, expires_at
		FROM oidc_refresh_tokens WHERE hash = $1`, hash).Scan(&t.Hash, &t.Family, &t.ClientID, &t.UserID, &t.OrgID, &scopes, &amr,
		&auth, &t.Used, &created, &expires)
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "refresh token not found")
	}
	if err != nil {
		return nil, translate(err)
	}
	t.Scopes, t.AMR = strings.Fields(scopes), strings.Fields(amr)
	t.AuthTime, t.CreatedAt, t.ExpiresAt = fromMicros(auth), fromMicros(created), fromMicros(expires)
	return &t, nil
}

// UseOIDCRefresh marks an unused refresh token used.
func (tx *Tx) UseOIDCRefresh(ctx context.Context, hash string) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE oidc_refresh_tokens SET used = TRUE WHERE hash = $1 AND NOT used`, hash)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, translate(err)
}

// EndOIDCRefresh removes a family of refresh tokens, or a user's.
func (tx *Tx) EndOIDCRefresh(ctx context.Context, family, userID, clientID string) error {
	var err error
	switch {
	case family != "":
		_, err = tx.exec(ctx, `DELETE FROM oidc_refresh_tokens WHERE family = $1`, family)
	case clientID != "":
		_, err = tx.exec(ctx, `DELETE FROM oidc_refresh_tokens WHERE user_id = $1 AND client_id = $2`, userID, clientID)
	default:
		_, err = tx.exec(ctx, `DELETE FROM oidc_refresh_tokens WHERE user_id = $1`, userID)
	}
	return translate(err)
}
