package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

const sessionColumns = `id, hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent, pending_mfa, auth_at, amr`

func scanSession(row interface{ Scan(...any) error }) (*tenantry.Session, error) {
	var s tenantry.Session
	var created, seen, expires, authAt int64
	var amr string
	if err := row.Scan(&s.ID, &s.Hash, &s.UserID, &created, &seen, &expires, &s.IP, &s.UserAgent, &s.PendingMFA, &authAt, &amr); err != nil {
		return nil, err
	}
	s.AMR = strings.Fields(amr)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.AuthAt = fromMicros(created), fromMicros(seen), fromMicros(expires), fromMicros(authAt)
	return &s, nil
}

// CreateSession inserts s; it sets s.ID when empty.
func (tx *Tx) CreateSession(ctx context.Context, s *tenantry.Session) error {
	s.CreatedAt, s.LastSeenAt = tx.now, tx.now
	if s.ID == "" {
		s.ID = newID()
	}
	if !s.PendingMFA {
		s.AuthAt = tx.now
	}
	_, err := tx.exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		s.ID, s.Hash, s.UserID, micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt), s.IP, s.UserAgent, s.PendingMFA,
		micros(s.AuthAt), strings.Join(s.AMR, " "))
	return err
}

// Session returns the session with hash.
func (tx *Tx) Session(ctx context.Context, hash string) (*tenantry.Session, error) {
	s, err := scanSession(tx.queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = $1`, hash))
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "session not found")
	}
	return s, translate(err)
}

// UserSessions returns a user's sessions, newest first.
func (tx *Tx) UserSessions(ctx context.Context, userID string) ([]*tenantry.Session, error) {
	rows, err := tx.query(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = $1
		ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, s)
	}
	return out, translate(rows.Err())
}

// CompleteMFA clears a session's pending second factor and records that
// it proved its user now, adding otp to how it did.
func (tx *Tx) CompleteMFA(ctx context.Context, hash string) error {
	return tx.execOne(ctx, "session", `UPDATE sessions SET pending_mfa = FALSE, auth_at = $2,
		amr = CASE WHEN amr = '' THEN 'otp' ELSE amr || ' otp' END WHERE hash = $1`, hash, micros(tx.now))
}

// DeleteSessionByID removes a user's session by its public id.
func (tx *Tx) DeleteSessionByID(ctx context.Context, userID, id string) error {
	return tx.execOne(ctx, "session", `DELETE FROM sessions WHERE user_id = $1 AND id = $2 AND id <> ''`, userID, id)
}

// DeleteOtherSessions removes every session of a user but one.
func (tx *Tx) DeleteOtherSessions(ctx context.Context, userID, keepHash string) (int, error) {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND hash <> $2`, userID, keepHash)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), translate(err)
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

// CapSessions ends the sessions of the people of orgID and of every org
// below it at most maxAge after they began.
func (tx *Tx) CapSessions(ctx context.Context, orgID string, maxAge time.Duration) error {
	_, err := tx.exec(ctx, `WITH RECURSIVE tree(tid) AS (
			SELECT id FROM orgs WHERE id = $1
			UNION ALL SELECT o.id FROM orgs o JOIN tree t ON o.parent_id = t.tid)
		UPDATE sessions SET expires_at = created_at + $2
		WHERE expires_at > created_at + $2 AND user_id IN (SELECT id FROM users WHERE org_id IN (SELECT tid FROM tree))`,
		orgID, maxAge.Microseconds())
	return err
}
