package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// AddEvent appends an audit event.
func (tx *Tx) AddEvent(ctx context.Context, e *tenantry.Event) error {
	e.ID, e.CreatedAt = newID(), tx.now
	details := []byte("{}")
	var err error
	if len(e.Details) > 0 {
		if details, err = json.Marshal(e.Details); err != nil {
			return translate(err)
		}
	}
	_, err = tx.exec(ctx, `INSERT INTO events (id, org_id, actor_id, action, target_type, target_id, details, ip, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.ID, e.OrgID, e.ActorID, e.Action, e.TargetType, e.TargetID,
		string(details), e.IP, micros(e.CreatedAt))
	return err
}

// Events returns an org's audit events, newest first.
func (tx *Tx) Events(ctx context.Context, f tenantry.EventFilter) ([]*tenantry.Event, error) {
	if f.Before == "" {
		f.Before = prefixEnd
	}
	// Only the filters given become conditions: a prepared plan made for
	// "any time" must not walk the created_at index, nor one made for one
	// org the subtree's. One org's log is then a seek on (org_id, id).
	args := []any{f.OrgID, f.Before, f.Limit}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var where strings.Builder
	if f.Subtree {
		where.WriteString(`e.org_id IN (WITH RECURSIVE below(bid) AS (
				SELECT CAST($1 AS TEXT) UNION ALL SELECT o.id FROM orgs o JOIN below b ON o.parent_id = b.bid) SELECT bid FROM below)`)
	} else {
		where.WriteString(`e.org_id = $1`)
	}
	where.WriteString(` AND e.id < $2`)
	if f.ActionPrefix != "" {
		fmt.Fprintf(&where, ` AND e.action >= %s AND e.action < %s`, arg(f.ActionPrefix), arg(f.ActionPrefix+prefixEnd))
	}
	if f.ActorLogin != "" {
		fmt.Fprintf(&where, ` AND u.login = %s`, arg(f.ActorLogin))
	}
	if f.TargetID != "" {
		fmt.Fprintf(&where, ` AND e.target_id = %s`, arg(f.TargetID))
	}
	if !f.Since.IsZero() {
		fmt.Fprintf(&where, ` AND e.created_at >= %s`, arg(micros(f.Since)))
	}
	if !f.Until.IsZero() {
		fmt.Fprintf(&where, ` AND e.created_at < %s`, arg(micros(f.Until)))
	}
	rows, err := tx.query(ctx, `SELECT e.id, e.org_id, e.actor_id, COALESCE(u.login, ''), e.action, e.target_type, e.target_id,
			e.details, e.ip, e.created_at
		FROM events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE `+where.String()+`
		ORDER BY e.id DESC LIMIT $3`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Event
	for rows.Next() {
		var e tenantry.Event
		var details string
		var created int64
		if err := rows.Scan(&e.ID, &e.OrgID, &e.ActorID, &e.ActorLogin, &e.Action, &e.TargetType, &e.TargetID, &details, &e.IP, &created); err != nil {
			return nil, translate(err)
		}
		e.CreatedAt = fromMicros(created)
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return nil, translate(err)
		}
		out = append(out, &e)
	}
	return out, translate(rows.Err())
}

// newID returns a new time-ordered unique id.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// DeleteEventsBefore removes audit events older than t.
func (tx *Tx) DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM events WHERE created_at < $1`, micros(t))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}
