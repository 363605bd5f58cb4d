package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// CreateSession inserts s.
func (tx *Tx) CreateSession(ctx context.Context, s *tenantry.Session) error {
	s.CreatedAt, s.LastSeenAt = tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO sessions (hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.Hash, s.UserID, micros(s.CreatedAt), micros(s.LastSeenAt),
		micros(s.ExpiresAt), s.IP, s.UserAgent)
	return err
}

// Session returns the session with hash.
func (tx *Tx) Session(ctx context.Context, hash string) (*tenantry.Session, error) {
	var s tenantry.Session
	var created, seen, expires int64
	err := tx.tx.QueryRowContext(ctx, `SELECT hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent
		FROM sessions WHERE hash = $1`, hash).Scan(&s.Hash, &s.UserID, &created, &seen, &expires, &s.IP, &s.UserAgent)
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "session not found")
	}
	if err != nil {
		return nil, translate(err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return &s, nil
}

// TouchSession sets a session's last-seen time.
func (tx *Tx) TouchSession(ctx context.Context, hash string, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE hash = $1`, hash, micros(at))
	return err
}

// DeleteSession removes one session.
func (tx *Tx) DeleteSession(ctx context.Context, hash string) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
	return err
}

// DeleteUserSessions removes every session of a user.
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return err
}
