package sqlstore

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// CreateNotice stores a published notice.
func (tx *Tx) CreateNotice(ctx context.Context, n *tenantry.Notice) error {
	n.CreatedAt = tx.now
	texts, err := json.Marshal(n.Texts)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO notices (id, org_id, target_org, kind, texts, created_by, created_at, recipients)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		n.ID, n.OrgID, n.TargetOrgID, n.Kind, string(texts), n.CreatedBy, micros(n.CreatedAt), n.Recipients)
	return err
}

// Notices returns the newest notices that target one of targets or were
// published by one of publishers.
func (tx *Tx) Notices(ctx context.Context, targets, publishers []string, limit int) ([]*tenantry.Notice, error) {
	var args []any
	in := func(ids []string) string {
		if len(ids) == 0 {
			return "NULL"
		}
		marks := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			marks[i] = "$" + strconv.Itoa(len(args))
		}
		return strings.Join(marks, ", ")
	}
	where := `target_org IN (` + in(targets) + `) OR org_id IN (` + in(publishers) + `)`
	args = append(args, limit)
	rows, err := tx.query(ctx, `SELECT id, org_id, target_org, kind, texts, created_by, created_at, recipients
		FROM notices WHERE `+where+` ORDER BY created_at DESC, id DESC LIMIT `+"$"+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Notice
	for rows.Next() {
		var n tenantry.Notice
		var texts string
		var created int64
		if err := rows.Scan(&n.ID, &n.OrgID, &n.TargetOrgID, &n.Kind, &texts, &n.CreatedBy, &created, &n.Recipients); err != nil {
			return nil, translate(err)
		}
		if err := json.Unmarshal([]byte(texts), &n.Texts); err != nil {
			return nil, err
		}
		n.CreatedAt = fromMicros(created)
		out = append(out, &n)
	}
	return out, translate(rows.Err())
}

// NoticeRecipients returns a page of the subscribed people of root's
// subtree, or of every customer org when root is the platform.
func (tx *Tx) NoticeRecipients(ctx context.Context, root string, kind tenantry.NoticeKind, after string, limit int) ([]*tenantry.User, error) {
	flag := "notify_news"
	if kind == tenantry.NoticeAlert {
		flag = "notify_alerts"
	}
	return tx.queryUsers(ctx, `WITH RECURSIVE tree(tid) AS (
			SELECT id FROM orgs WHERE id = $1 AND kind <> 'platform'
			UNION ALL SELECT id FROM orgs WHERE kind = 'account' AND EXISTS (SELECT 1 FROM orgs p WHERE p.id = $1 AND p.kind = 'platform')
			UNION ALL SELECT o.id FROM orgs o JOIN tree t ON o.parent_id = t.tid)
		SELECT `+userColumns+` FROM users WHERE org_id IN (SELECT tid FROM tree)
		AND kind = 'human' AND status = 'active' AND email <> '' AND `+flag+` AND id > $2
		ORDER BY id LIMIT $3`, root, after, limit)
}
