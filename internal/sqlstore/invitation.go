package sqlstore

import (
	"context"
	"strings"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const invitationColumns = `id, org_id, COALESCE(user_id, ''), email, roles, token_hash, status, expires_at, access_until, created_by,
	created_at, updated_at`

func scanInvitation(row interface{ Scan(...any) error }) (*tenantry.Invitation, error) {
	var inv tenantry.Invitation
	var roles string
	var expires, until, created, updated int64
	err := row.Scan(&inv.ID, &inv.OrgID, &inv.UserID, &inv.Email, &roles, &inv.TokenHash, &inv.Status,
		&expires, &until, &inv.CreatedBy, &created, &updated)
	if err != nil {
		return nil, err
	}
	if roles != "" {
		inv.Roles = strings.Split(roles, ",")
	}
	inv.ExpiresAt, inv.AccessUntil = fromMicros(expires), fromMicros(until)
	inv.CreatedAt, inv.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &inv, nil
}

// CreateInvitation inserts inv.
func (tx *Tx) CreateInvitation(ctx context.Context, inv *tenantry.Invitation) error {
	inv.CreatedAt, inv.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO invitations (id, org_id, user_id, email, roles, token_hash, status, expires_at,
			access_until, created_by, created_at, updated_at)
		VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, $8, $9, $10, $11, $12)`, inv.ID, inv.OrgID, inv.UserID, inv.Email,
		strings.Join(inv.Roles, ","), inv.TokenHash, inv.Status, micros(inv.ExpiresAt), micros(inv.AccessUntil), inv.CreatedBy,
		micros(inv.CreatedAt), micros(inv.UpdatedAt))
	if tenantry.ErrorCode(err) == tenantry.Conflict {
		return &tenantry.Error{Code: tenantry.Conflict, Message: "email: an invitation for this person is pending already; re-send or cancel it",
			Fields: []tenantry.FieldError{{Field: "email", Message: "an invitation for this person is pending already"}}, Err: err}
	}
	return err
}

func (tx *Tx) queryInvitation(ctx context.Context, query string, arg string) (*tenantry.Invitation, error) {
	inv, err := scanInvitation(tx.queryRow(ctx, query, arg))
	if err != nil {
		return nil, scanOne(err, "invitation")
	}
	return inv, nil
}

// Invitation returns the invitation with id.
func (tx *Tx) Invitation(ctx context.Context, id string) (*tenantry.Invitation, error) {
	return tx.queryInvitation(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE id = $1`, id)
}

// InvitationByToken returns the invitation whose token hash matches.
func (tx *Tx) InvitationByToken(ctx context.Context, tokenHash string) (*tenantry.Invitation, error) {
	return tx.queryInvitation(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE token_hash = $1`, tokenHash)
}

// UpdateInvitation writes status, token hash, expiry and user.
func (tx *Tx) UpdateInvitation(ctx context.Context, inv *tenantry.Invitation) error {
	inv.UpdatedAt = tx.now
	return tx.execOne(ctx, "invitation", `UPDATE invitations SET status = $2, token_hash = $3, expires_at = $4, updated_at = $5,
		user_id = NULLIF($6, '') WHERE id = $1`, inv.ID, inv.Status, inv.TokenHash, micros(inv.ExpiresAt), micros(inv.UpdatedAt), inv.UserID)
}

// OrgInvitations returns an org's invitations, newest first.
func (tx *Tx) OrgInvitations(ctx context.Context, orgID string) ([]*tenantry.Invitation, error) {
	rows, err := tx.query(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE org_id = $1
		ORDER BY created_at DESC, id DESC LIMIT 500`, orgID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, inv)
	}
	return out, translate(rows.Err())
}
