package sqlstore

import (
	"context"
	"encoding/json"

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
func (tx *Tx) Events(ctx context.Context, orgID, before, actionPrefix string, limit int) ([]*tenantry.Event, error) {
	if before == "" {
		before = prefixEnd
	}
	rows, err := tx.query(ctx, `SELECT id, org_id, actor_id, action, target_type, target_id, details, ip, created_at
		FROM events WHERE org_id = $1 AND id < $2 AND action >= $3 AND action < $4 ORDER BY id DESC LIMIT $5`,
		orgID, before, actionPrefix, actionPrefix+prefixEnd, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Event
	for rows.Next() {
		var e tenantry.Event
		var details string
		var created int64
		if err := rows.Scan(&e.ID, &e.OrgID, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID, &details, &e.IP, &created); err != nil {
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
