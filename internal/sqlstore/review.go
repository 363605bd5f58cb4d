package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// Holdings returns the roles in force in an org (and below it, with
// subtree) with their holders' and orgs' names.
func (tx *Tx) Holdings(ctx context.Context, orgID string, subtree bool, now time.Time, limit int) ([]tenantry.Holding, error) {
	where := `g.org_id = $1`
	if subtree {
		where = `g.org_id IN (WITH RECURSIVE below(bid) AS (
			SELECT CAST($1 AS TEXT) UNION ALL SELECT o.id FROM orgs o JOIN below b ON o.parent_id = b.bid) SELECT bid FROM below)`
	}
	rows, err := tx.query(ctx, `SELECT g.id, g.user_id, g.org_id, g.role, g.service, g.expires_at, g.created_at, g.created_by,
			u.login, u.first_name, u.last_name, u.kind, o.name, COALESCE(c.login, '')
		FROM grants g JOIN users u ON u.id = g.user_id JOIN orgs o ON o.id = g.org_id
		LEFT JOIN users c ON c.id = g.created_by
		WHERE `+where+` AND (g.expires_at = 0 OR g.expires_at > $2)
		ORDER BY o.name, g.org_id, u.login, g.role, g.service LIMIT $3`, orgID, micros(now), limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []tenantry.Holding
	for rows.Next() {
		var h tenantry.Holding
		var expires, created int64
		if err := rows.Scan(&h.ID, &h.UserID, &h.OrgID, &h.Role, &h.Service, &expires, &created, &h.CreatedBy,
			&h.Login, &h.FirstName, &h.LastName, &h.UserKind, &h.OrgName, &h.GrantedBy); err != nil {
			return nil, translate(err)
		}
		h.ExpiresAt, h.CreatedAt = fromMicros(expires), fromMicros(created)
		out = append(out, h)
	}
	return out, translate(rows.Err())
}

const reviewColumns = `r.id, r.org_id, r.title, r.subtree, r.end_unreviewed, r.due_at, r.status, r.created_by, r.created_at,
	r.closed_at, r.closed_by,
	(SELECT COUNT(*) FROM access_review_items i WHERE i.review_id = r.id),
	(SELECT COUNT(*) FROM access_review_items i WHERE i.review_id = r.id AND i.decision = 'confirm'),
	(SELECT COUNT(*) FROM access_review_items i WHERE i.review_id = r.id AND i.decision = 'revoke')`

func scanReview(row interface{ Scan(...any) error }) (*tenantry.AccessReview, error) {
	var r tenantry.AccessReview
	var due, created, closed int64
	err := row.Scan(&r.ID, &r.OrgID, &r.Title, &r.Subtree, &r.EndUnreviewed, &due, &r.Status, &r.CreatedBy, &created,
		&closed, &r.ClosedBy, &r.Items, &r.Confirmed, &r.Revoked)
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "access review not found")
	}
	if err != nil {
		return nil, translate(err)
	}
	r.DueAt, r.CreatedAt, r.ClosedAt = fromMicros(due), fromMicros(created), fromMicros(closed)
	return &r, nil
}

func (tx *Tx) queryReviews(ctx context.Context, query string, args ...any) ([]*tenantry.AccessReview, error) {
	return queryAll(ctx, tx, scanReview, query, args...)
}

// reviewItemChunk is how many items one INSERT writes: 20 values each,
// well under both databases' limits on parameters.
const reviewItemChunk = 200

// CreateAccessReview inserts r and its items.
func (tx *Tx) CreateAccessReview(ctx context.Context, r *tenantry.AccessReview, items []*tenantry.AccessReviewItem) error {
	r.CreatedAt, r.Status = tx.now, tenantry.ReviewOpen
	if _, err := tx.exec(ctx, `INSERT INTO access_reviews (id, org_id, title, subtree, end_unreviewed, due_at, status,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, r.OrgID, r.Title, r.Subtree, r.EndUnreviewed, micros(r.DueAt), r.Status, r.CreatedBy, micros(r.CreatedAt)); err != nil {
		return err
	}
	r.Items = len(items)
	for len(items) > 0 {
		n := min(len(items), reviewItemChunk)
		var q strings.Builder
		q.WriteString(`INSERT INTO access_review_items (id, review_id, grant_id, org_id, org_name, user_id, login, name,
			user_kind, role, service, granted_at, granted_by, expires_at) VALUES `)
		args := make([]any, 0, n*14)
		for i, it := range items[:n] {
			it.ReviewID = r.ID
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j, v := range []any{it.ID, it.ReviewID, it.GrantID, it.OrgID, it.OrgName, it.UserID, it.Login, it.Name,
				string(it.UserKind), it.Role, it.Service, micros(it.GrantedAt), it.GrantedBy, micros(it.ExpiresAt)} {
				if j > 0 {
					q.WriteString(", ")
				}
				args = append(args, v)
				q.WriteString("$" + strconv.Itoa(len(args)))
			}
			q.WriteString(")")
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// AccessReview returns the review with id.
func (tx *Tx) AccessReview(ctx context.Context, id string) (*tenantry.AccessReview, error) {
	return scanReview(tx.queryRow(ctx, `SELECT `+reviewColumns+` FROM access_reviews r WHERE r.id = $1`, id))
}

// AccessReviews returns an org's reviews, newest first.
func (tx *Tx) AccessReviews(ctx context.Context, orgID string) ([]*tenantry.AccessReview, error) {
	return tx.queryReviews(ctx, `SELECT `+reviewColumns+` FROM access_reviews r WHERE r.org_id = $1
		ORDER BY r.created_at DESC, r.id DESC`, orgID)
}

// DueAccessReviews returns the open reviews due at or before at.
func (tx *Tx) DueAccessReviews(ctx context.Context, at time.Time) ([]*tenantry.AccessReview, error) {
	return tx.queryReviews(ctx, `SELECT `+reviewColumns+` FROM access_reviews r WHERE r.status = 'open' AND r.due_at <= $1
		ORDER BY r.due_at, r.id`, micros(at))
}

const reviewItemColumns = `id, review_id, grant_id, org_id, org_name, user_id, login, name, user_kind, role, service,
	granted_at, granted_by, expires_at, decision, decided_by, decided_by_login, decided_at, note, outcome`

func scanReviewItem(row interface{ Scan(...any) error }) (*tenantry.AccessReviewItem, error) {
	var it tenantry.AccessReviewItem
	var granted, expires, decided int64
	err := row.Scan(&it.ID, &it.ReviewID, &it.GrantID, &it.OrgID, &it.OrgName, &it.UserID, &it.Login, &it.Name,
		&it.UserKind, &it.Role, &it.Service, &granted, &it.GrantedBy, &expires, &it.Decision, &it.DecidedBy,
		&it.DecidedByLogin, &decided, &it.Note, &it.Outcome)
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "access review item not found")
	}
	if err != nil {
		return nil, translate(err)
	}
	it.GrantedAt, it.ExpiresAt, it.DecidedAt = fromMicros(granted), fromMicros(expires), fromMicros(decided)
	return &it, nil
}

// AccessReviewItems returns a review's items.
func (tx *Tx) AccessReviewItems(ctx context.Context, reviewID string) ([]*tenantry.AccessReviewItem, error) {
	return queryAll(ctx, tx, scanReviewItem, `SELECT `+reviewItemColumns+` FROM access_review_items WHERE review_id = $1
		ORDER BY org_name, org_id, login, role, service`, reviewID)
}

// AccessReviewItem returns one item of a review.
func (tx *Tx) AccessReviewItem(ctx context.Context, reviewID, itemID string) (*tenantry.AccessReviewItem, error) {
	return scanReviewItem(tx.queryRow(ctx, `SELECT `+reviewItemColumns+` FROM access_review_items
		WHERE review_id = $1 AND id = $2`, reviewID, itemID))
}

// UpdateAccessReviewItem writes an item's decision and outcome.
func (tx *Tx) UpdateAccessReviewItem(ctx context.Context, it *tenantry.AccessReviewItem) error {
	return tx.execOne(ctx, "access review item", `UPDATE access_review_items SET decision = $2, decided_by = $3,
		decided_by_login = $4, decided_at = $5, note = $6, outcome = $7 WHERE id = $1`,
		it.ID, it.Decision, it.DecidedBy, it.DecidedByLogin, micros(it.DecidedAt), it.Note, it.Outcome)
}

// CloseAccessReview marks an open review closed.
func (tx *Tx) CloseAccessReview(ctx context.Context, r *tenantry.AccessReview) error {
	res, err := tx.exec(ctx, `UPDATE access_reviews SET status = 'closed', closed_at = $2, closed_by = $3
		WHERE id = $1 AND status = 'open'`, r.ID, micros(r.ClosedAt), r.ClosedBy)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return translate(err)
	} else if n == 0 {
		return tenantry.Errorf(tenantry.Conflict, "the access review is closed already")
	}
	r.Status = tenantry.ReviewClosed
	return nil
}
