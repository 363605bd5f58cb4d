package sqlstore

import (
	"context"
	"encoding/json"
	"math"
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
	until := int64(math.MaxInt64)
	if !f.Until.IsZero() {
		until = micros(f.Until)
	}
	// One org's log is a seek on (org_id, id); a subtree's is the same
	// condition over the org's descendants too. Two texts, not an OR,
	// so that the planner keeps the seek for the one org.
	orgs := `e.org_id = $1`
	if f.Subtree {
		orgs = `e.org_id IN (WITH RECURSIVE below(bid) AS (
				SELECT CAST($1 AS TEXT) UNION ALL SELECT o.id FROM orgs o JOIN below b ON o.parent_id = b.bid) SELECT bid FROM below)`
	}
	rows, err := tx.query(ctx, `SELECT e.id, e.org_id, e.actor_id, COALESCE(u.login, ''), e.action, e.target_type, e.target_id,
			e.details, e.ip, e.created_at
		FROM events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE `+orgs+`
			AND e.id < $2 AND e.action >= $3 AND e.action < $4
			AND ($5 = '' OR u.login = $5) AND ($6 = '' OR e.target_id = $6)
			AND e.created_at >= $7 AND e.created_at < $8
		ORDER BY e.id DESC LIMIT $9`,
		f.OrgID, f.Before, f.ActionPrefix, f.ActionPrefix+prefixEnd, f.ActorLogin, f.TargetID,
		micros(f.Since), until, f.Limit)
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
