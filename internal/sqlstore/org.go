package sqlstore

import (
	"context"
	"database/sql"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const orgColumns = `id, COALESCE(parent_id, ''), COALESCE(account_id, ''), kind, type, name,
	COALESCE(account_number, ''), status, channel, require_2fa, self_managed_profile, session_hours, password_min_length, require_idp, COALESCE(org_number, ''), sim_count, catalogue, created_at, updated_at,
	time_zone`

// scanOrg reads a row of orgColumns, then any extra columns into extra.
func scanOrg(row interface{ Scan(...any) error }, extra ...any) (*tenantry.Org, error) {
	var o tenantry.Org
	var created, updated int64
	err := row.Scan(append([]any{&o.ID, &o.ParentID, &o.AccountID, &o.Kind, &o.Type, &o.Name, &o.AccountNumber,
		&o.Status, &o.Channel, &o.Settings.Require2FA, &o.Settings.SelfManagedProfile,
		&o.Settings.SessionHours, &o.Settings.PasswordMinLength, &o.Settings.RequireIdP, &o.Number, &o.SIMCount, &o.Catalogue, &created, &updated,
		&o.Settings.TimeZone}, extra...)...)
	if err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &o, nil
}

// CreateOrg inserts o.
func (tx *Tx) CreateOrg(ctx context.Context, o *tenantry.Org) error {
	o.CreatedAt, o.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO orgs (id, parent_id, account_id, kind, type, name, account_number,
		status, channel, require_2fa, self_managed_profile, session_hours, password_min_length, org_number,
		catalogue, created_at, updated_at, require_idp, time_zone)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		o.ID, nullable(o.ParentID), nullable(o.AccountID), o.Kind, o.Type, o.Name, nullable(o.AccountNumber),
		o.Status, o.Channel, o.Settings.Require2FA, o.Settings.SelfManagedProfile, o.Settings.SessionHours,
		o.Settings.PasswordMinLength, nullable(o.Number), o.Catalogue, micros(o.CreatedAt), micros(o.UpdatedAt), o.Settings.RequireIdP,
		o.Settings.TimeZone)
	return err
}

func (tx *Tx) queryOrg(ctx context.Context, query string, args ...any) (*tenantry.Org, error) {
	o, err := scanOrg(tx.queryRow(ctx, query, args...))
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "organization not found")
	}
	return o, translate(err)
}

// Org returns the organization with id.
func (tx *Tx) Org(ctx context.Context, id string) (*tenantry.Org, error) {
	if tx.orgs != nil { // a read-only transaction reads each org once
		tx.orgsMu.Lock()
		defer tx.orgsMu.Unlock()
		if o, ok := tx.orgs[id]; ok {
			return &o, nil
		}
	}
	o, err := tx.queryOrg(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = $1`, id)
	if err == nil && tx.orgs != nil {
		tx.orgs[id] = *o
	}
	return o, err
}

// PlatformOrg returns the platform organization.
func (tx *Tx) PlatformOrg(ctx context.Context) (*tenantry.Org, error) {
	return tx.queryOrg(ctx, `SELECT `+orgColumns+` FROM orgs WHERE kind = 'platform'`)
}

// AccountByNumber returns the customer account with that number.
func (tx *Tx) AccountByNumber(ctx context.Context, number string) (*tenantry.Org, error) {
	return tx.queryOrg(ctx, `SELECT `+orgColumns+` FROM orgs WHERE account_number = $1`, number)
}

// UpdateOrg writes o's mutable fields.
func (tx *Tx) UpdateOrg(ctx context.Context, o *tenantry.Org) error {
	o.UpdatedAt = tx.now
	return tx.execOne(ctx, "organization", `UPDATE orgs SET name = $2, type = $3, status = $4, channel = $5,
		require_2fa = $6, self_managed_profile = $7, session_hours = $8, password_min_length = $9, updated_at = $10,
		require_idp = $11, time_zone = $12 WHERE id = $1`,
		o.ID, o.Name, o.Type, o.Status, o.Channel, o.Settings.Require2FA, o.Settings.SelfManagedProfile,
		o.Settings.SessionHours, o.Settings.PasswordMinLength, micros(o.UpdatedAt), o.Settings.RequireIdP, o.Settings.TimeZone)
}

func (tx *Tx) queryOrgs(ctx context.Context, query string, args ...any) ([]*tenantry.Org, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, o)
	}
	return out, translate(rows.Err())
}

// ChildOrgs returns the direct children of parentID.
func (tx *Tx) ChildOrgs(ctx context.Context, parentID string) ([]*tenantry.Org, error) {
	return tx.queryOrgs(ctx, `SELECT `+orgColumns+` FROM orgs WHERE parent_id = $1 ORDER BY name, id`, parentID)
}

// OrgPath returns the organization with id and its ancestors, the org
// first and its account (or the platform) last.
func (tx *Tx) OrgPath(ctx context.Context, id string) ([]*tenantry.Org, error) {
	out, err := tx.queryOrgs(ctx, `WITH RECURSIVE path(pid, pdepth) AS (
			SELECT id, 0 FROM orgs WHERE id = $1
			UNION ALL SELECT o.parent_id, p.pdepth + 1 FROM orgs o JOIN path p ON o.id = p.pid WHERE o.parent_id IS NOT NULL)
		SELECT `+orgColumns+` FROM path JOIN orgs ON id = pid ORDER BY pdepth`, id)
	if err == nil && len(out) == 0 {
		return nil, tenantry.Errorf(tenantry.NotFound, "organization not found")
	}
	return out, err
}

// Subtree returns up to limit organizations below id, nearest first and
// by name within a level, with each one's depth below id (1 for a child).
func (tx *Tx) Subtree(ctx context.Context, id string, limit int) ([]*tenantry.Org, []int, error) {
	rows, err := tx.query(ctx, `WITH RECURSIVE below(bid, bdepth) AS (
			SELECT id, 1 FROM orgs WHERE parent_id = $1
			UNION ALL SELECT o.id, b.bdepth + 1 FROM orgs o JOIN below b ON o.parent_id = b.bid)
		SELECT `+orgColumns+`, bdepth FROM below JOIN orgs ON id = bid
		ORDER BY bdepth, name, id LIMIT $2`, id, limit)
	if err != nil {
		return nil, nil, translate(err)
	}
	defer rows.Close()
	var orgs []*tenantry.Org
	var depths []int
	for rows.Next() {
		var d int
		o, err := scanOrg(rows, &d)
		if err != nil {
			return nil, nil, translate(err)
		}
		orgs, depths = append(orgs, o), append(depths, d)
	}
	return orgs, depths, translate(rows.Err())
}

// NextSubNumber counts one more numbered sub-organization of an account
// and returns the count.
func (tx *Tx) NextSubNumber(ctx context.Context, accountID string) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `UPDATE orgs SET sub_seq = sub_seq + 1 WHERE id = $1 RETURNING sub_seq`, accountID).Scan(&n)
	if err == sql.ErrNoRows {
		return 0, tenantry.Errorf(tenantry.NotFound, "organization not found")
	}
	return n, translate(err)
}

// Accounts returns customer accounts after the given account number.
func (tx *Tx) Accounts(ctx context.Context, after string, limit int) ([]*tenantry.Org, error) {
	return tx.queryOrgs(ctx, `SELECT `+orgColumns+` FROM orgs WHERE kind = 'account' AND account_number > $1
		ORDER BY account_number LIMIT $2`, after, limit)
}

// DeleteOrg removes an organization and what belongs to it.
func (tx *Tx) DeleteOrg(ctx context.Context, id string) error {
	for _, q := range []string{
		`DELETE FROM grants WHERE org_id = $1`,
		`DELETE FROM links WHERE org_id = $1`,
		`DELETE FROM invitations WHERE org_id = $1`,
		`DELETE FROM contacts WHERE org_id = $1`,
		`DELETE FROM workflows WHERE org_id = $1`,
		`DELETE FROM service_requests WHERE org_id = $1`,
		`DELETE FROM account_services WHERE account_id = $1`,
		`DELETE FROM users WHERE org_id = $1`,
	} {
		if _, err := tx.exec(ctx, q, id); err != nil {
			return err
		}
	}
	return tx.execOne(ctx, "organization", `DELETE FROM orgs WHERE id = $1`, id)
}

// AddSIMCount changes an org's SIM total.
func (tx *Tx) AddSIMCount(ctx context.Context, orgID string, delta int64) error {
	return tx.execOne(ctx, "organization", `UPDATE orgs SET sim_count = sim_count + $2 WHERE id = $1`, orgID, delta)
}
