package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const idpColumns = `id, org_id, name, issuer, client_id, client_secret, scopes, login_claim, domains, active, trust_mfa,
	created_at, updated_at`

func scanIdP(row interface{ Scan(...any) error }) (*tenantry.IdentityProvider, error) {
	var p tenantry.IdentityProvider
	var scopes, domains string
	var created, updated int64
	if err := row.Scan(&p.ID, &p.OrgID, &p.Name, &p.Issuer, &p.ClientID, &p.ClientSecret, &scopes, &p.LoginClaim,
		&domains, &p.Active, &p.TrustMFA, &created, &updated); err != nil {
		return nil, err
	}
	p.Scopes, p.Domains = strings.Fields(scopes), strings.Fields(domains)
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &p, nil
}

// CreateIdP inserts p.
func (tx *Tx) CreateIdP(ctx context.Context, p *tenantry.IdentityProvider) error {
	p.CreatedAt, p.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO identity_providers (`+idpColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		p.ID, p.OrgID, p.Name, p.Issuer, p.ClientID, p.ClientSecret, strings.Join(p.Scopes, " "), p.LoginClaim,
		strings.Join(p.Domains, " "), p.Active, p.TrustMFA, micros(p.CreatedAt), micros(p.UpdatedAt))
	return translate(err)
}

// IdP returns the identity provider with id.
func (tx *Tx) IdP(ctx context.Context, id string) (*tenantry.IdentityProvider, error) {
	p, err := scanIdP(tx.queryRow(ctx, `SELECT `+idpColumns+` FROM identity_providers WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "identity provider not found")
	}
	return p, translate(err)
}

// UpdateIdP writes p's mutable fields.
func (tx *Tx) UpdateIdP(ctx context.Context, p *tenantry.IdentityProvider) error {
	p.UpdatedAt = tx.now
	return tx.execOne(ctx, "identity provider", `UPDATE identity_providers SET name = $2, issuer = $3, client_id = $4,
		client_secret = $5, scopes = $6, login_claim = $7, domains = $8, active = $9, trust_mfa = $10, updated_at = $11
		WHERE id = $1`,
		p.ID, p.Name, p.Issuer, p.ClientID, p.ClientSecret, strings.Join(p.Scopes, " "), p.LoginClaim,
		strings.Join(p.Domains, " "), p.Active, p.TrustMFA, micros(p.UpdatedAt))
}

// DeleteIdP removes the identity provider with id.
func (tx *Tx) DeleteIdP(ctx context.Context, id string) error {
	return tx.execOne(ctx, "identity provider", `DELETE FROM identity_providers WHERE id = $1`, id)
}

// OrgIdPs returns the identity providers an org set up itself, by name.
func (tx *Tx) OrgIdPs(ctx context.Context, orgID string) ([]*tenantry.IdentityProvider, error) {
	rows, err := tx.query(ctx, `SELECT `+idpColumns+` FROM identity_providers WHERE org_id = $1 ORDER BY name, id`, orgID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.IdentityProvider
	for rows.Next() {
		p, err := scanIdP(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// EndIdPSessions ends the sessions of everyone who signs in through an
// identity provider.
func (tx *Tx) EndIdPSessions(ctx context.Context, idpID string) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE idp_id = $1)`, idpID)
	return translate(err)
}
