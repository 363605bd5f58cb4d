package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const grantColumns = `id, user_id, org_id, role, service, expires_at, created_at, created_by`

func scanGrant(row interface{ Scan(...any) error }) (tenantry.Grant, error) {
	var g tenantry.Grant
	var expires, created int64
	err := row.Scan(&g.ID, &g.UserID, &g.OrgID, &g.Role, &g.Service, &expires, &created, &g.CreatedBy)
	g.ExpiresAt, g.CreatedAt = fromMicros(expires), fromMicros(created)
	return g, err
}

// CreateGrant inserts g.
func (tx *Tx) CreateGrant(ctx context.Context, g *tenantry.Grant) error {
	g.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO grants (`+grantColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		g.ID, g.UserID, g.OrgID, g.Role, g.Service, micros(g.ExpiresAt), micros(g.CreatedAt), g.CreatedBy)
	if tenantry.ErrorCode(err) == tenantry.Conflict {
		return &tenantry.Error{Code: tenantry.Conflict, Message: "role: the user holds this role here already",
			Fields: []tenantry.FieldError{{Field: "role", Message: "the user holds this role here already"}}, Err: err}
	}
	return err
}

// Grant returns the grant with id.
func (tx *Tx) Grant(ctx context.Context, id string) (*tenantry.Grant, error) {
	g, err := scanGrant(tx.queryRow(ctx, `SELECT `+grantColumns+` FROM grants WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "grant not found")
	}
	if err != nil {
		return nil, translate(err)
	}
	return &g, nil
}

// DeleteGrant removes the grant with id.
func (tx *Tx) DeleteGrant(ctx context.Context, id string) error {
	return tx.execOne(ctx, "grant", `DELETE FROM grants WHERE id = $1`, id)
}

func (tx *Tx) queryGrants(ctx context.Context, query string, args ...any) ([]tenantry.Grant, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []tenantry.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, g)
	}
	return out, translate(rows.Err())
}

// UserGrants returns every grant of a user.
func (tx *Tx) UserGrants(ctx context.Context, userID string) ([]tenantry.Grant, error) {
	return tx.queryGrants(ctx, `SELECT `+grantColumns+` FROM grants WHERE user_id = $1 ORDER BY org_id, role, service`, userID)
}

// OrgGrants returns the grants in an org of the given users.
func (tx *Tx) OrgGrants(ctx context.Context, orgID string, userIDs []string) ([]tenantry.Grant, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	args := []any{orgID}
	var in strings.Builder
	for i, id := range userIDs {
		if i > 0 {
			in.WriteString(", ")
		}
		args = append(args, id)
		in.WriteString("$" + strconv.Itoa(len(args)))
	}
	return tx.queryGrants(ctx, `SELECT `+grantColumns+` FROM grants WHERE org_id = $1 AND user_id IN (`+
		in.String()+`) ORDER BY user_id, role, service`, args...)
}

// EndingGrants returns the grants that end after from and at or before to.
func (tx *Tx) EndingGrants(ctx context.Context, from, to time.Time) ([]tenantry.Grant, error) {
	return tx.queryGrants(ctx, `SELECT `+grantColumns+` FROM grants WHERE expires_at > $1 AND expires_at <= $2
		ORDER BY expires_at, id`, micros(from), micros(to))
}
