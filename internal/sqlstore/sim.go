package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// insertChunk bounds the rows of one multi-row INSERT.
const insertChunk = 500

// InsertSIMs adds SIMs in multi-row statements of insertChunk rows.
func (tx *Tx) InsertSIMs(ctx context.Context, orgID, status, loadID string, iccids []string) error {
	now := micros(tx.now)
	for len(iccids) > 0 {
		n := min(len(iccids), insertChunk)
		var q strings.Builder
		q.WriteString(`INSERT INTO sims (iccid, org_id, status, created_at, updated_at, load_id) VALUES `)
		args := make([]any, 0, n+4)
		args = append(args, orgID, status, now, loadID)
		for i, id := range iccids[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			args = append(args, id)
			q.WriteString("($" + strconv.Itoa(len(args)) + ", $1, $2, $3, $3, $4)")
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return err
		}
		iccids = iccids[n:]
	}
	return nil
}

// ExistingSIMs returns those of iccids that exist already.
func (tx *Tx) ExistingSIMs(ctx context.Context, iccids []string) ([]string, error) {
	var out []string
	for len(iccids) > 0 {
		n := min(len(iccids), insertChunk)
		args := make([]any, n)
		ph := make([]string, n)
		for i, id := range iccids[:n] {
			args[i], ph[i] = id, "$"+strconv.Itoa(i+1)
		}
		rows, err := tx.query(ctx, `SELECT iccid FROM sims WHERE iccid IN (`+strings.Join(ph, ", ")+`)`, args...)
		if err != nil {
			return nil, translate(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, translate(err)
			}
			out = append(out, id)
		}
		rows.Close()
		iccids = iccids[n:]
	}
	return out, nil
}

const simColumns = `iccid, org_id, status, transfer_id, created_at, updated_at`

func scanSIM(row interface{ Scan(...any) error }) (*tenantry.SIM, error) {
	var s tenantry.SIM
	var created, updated int64
	if err := row.Scan(&s.ICCID, &s.OrgID, &s.Status, &s.TransferID, &created, &updated); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &s, nil
}

// SIM returns one SIM.
func (tx *Tx) SIM(ctx context.Context, iccid string) (*tenantry.SIM, error) {
	s, err := scanSIM(tx.queryRow(ctx, `SELECT `+simColumns+` FROM sims WHERE iccid = $1`, iccid))
	if err != nil {
		return nil, scanOne(err, "SIM")
	}
	return s, nil
}

// ListSIMs returns one page of an org's SIMs by ICCID. The cursor is the
// last ICCID of the previous page.
func (tx *Tx) ListSIMs(ctx context.Context, f tenantry.SIMFilter) ([]*tenantry.SIM, string, error) {
	args := []any{f.OrgID}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where := "org_id = $1"
	if f.Prefix != "" {
		// ICCIDs are digits, and ':' follows '9'.
		where += " AND iccid >= " + arg(f.Prefix) + " AND iccid < " + arg(f.Prefix+":")
	}
	if f.Status != "" {
		where += " AND status = " + arg(f.Status)
	}
	if f.Cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || sims.CheckDigits(string(after)) != nil {
			return nil, "", tenantry.FieldInvalid("cursor", "not a cursor from this list")
		}
		where += " AND iccid > " + arg(string(after))
	}
	rows, err := tx.query(ctx, `SELECT `+simColumns+` FROM sims WHERE `+where+` ORDER BY iccid LIMIT `+arg(f.Limit+1), args...)
	if err != nil {
		return nil, "", translate(err)
	}
	defer rows.Close()
	var out []*tenantry.SIM
	for rows.Next() {
		s, err := scanSIM(rows)
		if err != nil {
			return nil, "", translate(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(out[f.Limit-1].ICCID))
	}
	return out, next, nil
}

// rangeWhere selects the same-length ICCIDs from start to end: with
// ICCIDs of 19 and 20 digits, text order alone would let a 20-digit one
// fall between two 19-digit ones.
const rangeWhere = `iccid >= $2 AND iccid <= $3 AND length(iccid) = $4`

// CountRange counts the SIMs in a range owned by org.
func (tx *Tx) CountRange(ctx context.Context, orgID, start, end string) (int64, error) {
	var owned int64
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM sims WHERE org_id = $1 AND `+rangeWhere, orgID, start, end, len(start)).Scan(&owned)
	return owned, translate(err)
}

// MoveRange moves a range in one UPDATE. On PostgreSQL a concurrent
// transfer that moved some of these SIMs first is waited for, and the SIMs
// it took no longer match org_id = from, so no SIM moves twice.
func (tx *Tx) MoveRange(ctx context.Context, from, to, transferID, start, end string) (int64, error) {
	res, err := tx.exec(ctx, `UPDATE sims SET org_id = $5, transfer_id = $6, updated_at = $7
		WHERE org_id = $1 AND `+rangeWhere, from, start, end, len(start), to, transferID, micros(tx.now))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}

// CreateTransfer records a transfer with its ranges.
func (tx *Tx) CreateTransfer(ctx context.Context, t *tenantry.Transfer) error {
	t.CreatedAt = tx.now
	if _, err := tx.exec(ctx, `INSERT INTO transfers (id, from_org, to_org, actor_id, sim_count, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, t.ID, t.FromOrg, t.ToOrg, t.ActorID, t.SIMCount, micros(t.CreatedAt)); err != nil {
		return err
	}
	for _, r := range t.Ranges {
		if _, err := tx.exec(ctx, `INSERT INTO transfer_ranges (transfer_id, start_iccid, end_iccid, moved, not_owned)
			VALUES ($1, $2, $3, $4, $5)`, t.ID, r.Start, r.End, r.Moved, r.NotOwned); err != nil {
			return err
		}
	}
	return nil
}

// Transfers returns the transfers from or to an org, newest first.
func (tx *Tx) Transfers(ctx context.Context, orgID string, limit int) ([]*tenantry.Transfer, error) {
	rows, err := tx.query(ctx, `SELECT id, from_org, to_org, actor_id, sim_count, created_at FROM transfers
		WHERE from_org = $1 OR to_org = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, translate(err)
	}
	var out []*tenantry.Transfer
	for rows.Next() {
		var t tenantry.Transfer
		var created int64
		if err := rows.Scan(&t.ID, &t.FromOrg, &t.ToOrg, &t.ActorID, &t.SIMCount, &created); err != nil {
			rows.Close()
			return nil, translate(err)
		}
		t.CreatedAt = fromMicros(created)
		out = append(out, &t)
	}
	rows.Close()
	for _, t := range out {
		rr, err := tx.query(ctx, `SELECT start_iccid, end_iccid, moved, not_owned FROM transfer_ranges
			WHERE transfer_id = $1 ORDER BY length(start_iccid), start_iccid`, t.ID)
		if err != nil {
			return nil, translate(err)
		}
		for rr.Next() {
			var r tenantry.TransferRange
			if err := rr.Scan(&r.Start, &r.End, &r.Moved, &r.NotOwned); err != nil {
				rr.Close()
				return nil, translate(err)
			}
			t.Ranges = append(t.Ranges, r)
		}
		rr.Close()
	}
	return out, nil
}

// CreateSIMLoad records an inventory load.
func (tx *Tx) CreateSIMLoad(ctx context.Context, l *tenantry.SIMLoad) error {
	l.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO sim_loads (id, org_id, actor_id, status, sim_count, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, l.ID, l.OrgID, l.ActorID, l.Status, l.SIMCount, micros(l.CreatedAt))
	return err
}

// SIMHistory returns the load that brought a SIM and the transfers with a
// range that holds it, oldest first.
func (tx *Tx) SIMHistory(ctx context.Context, iccid string) (*tenantry.SIMLoad, []*tenantry.Transfer, error) {
	var load *tenantry.SIMLoad
	var l tenantry.SIMLoad
	var created int64
	err := tx.queryRow(ctx, `SELECT l.id, l.org_id, l.actor_id, l.status, l.sim_count, l.created_at
		FROM sims s JOIN sim_loads l ON l.id = s.load_id WHERE s.iccid = $1`, iccid).
		Scan(&l.ID, &l.OrgID, &l.ActorID, &l.Status, &l.SIMCount, &created)
	switch {
	case err == nil:
		l.CreatedAt = fromMicros(created)
		load = &l
	case err != sql.ErrNoRows:
		return nil, nil, translate(err)
	}
	rows, err := tx.query(ctx, `SELECT t.id, t.from_org, t.to_org, t.actor_id, t.sim_count, t.created_at,
			r.start_iccid, r.end_iccid, r.moved, r.not_owned
		FROM transfer_ranges r JOIN transfers t ON t.id = r.transfer_id
		WHERE r.start_iccid <= $1 AND r.end_iccid >= $1 AND length(r.start_iccid) = length($1)
		ORDER BY t.created_at, t.id`, iccid)
	if err != nil {
		return nil, nil, translate(err)
	}
	defer rows.Close()
	var out []*tenantry.Transfer
	for rows.Next() {
		var t tenantry.Transfer
		var r tenantry.TransferRange
		if err := rows.Scan(&t.ID, &t.FromOrg, &t.ToOrg, &t.ActorID, &t.SIMCount, &created, &r.Start, &r.End, &r.Moved, &r.NotOwned); err != nil {
			return nil, nil, translate(err)
		}
		t.CreatedAt, t.Ranges = fromMicros(created), []tenantry.TransferRange{r}
		out = append(out, &t)
	}
	return load, out, translate(rows.Err())
}

// IdempotentResponse returns what the actor's request with key answered.
func (tx *Tx) IdempotentResponse(ctx context.Context, actorID, key string) (*tenantry.IdempotentResponse, error) {
	r := tenantry.IdempotentResponse{ActorID: actorID, Key: key}
	var created int64
	err := tx.queryRow(ctx, `SELECT operation, request_hash, response, created_at FROM idempotency_keys
		WHERE actor_id = $1 AND key = $2`, actorID, key).Scan(&r.Operation, &r.RequestHash, &r.Response, &created)
	if err == sql.ErrNoRows {
		return nil, tenantry.Errorf(tenantry.NotFound, "no request with this Idempotency-Key")
	}
	if err != nil {
		return nil, translate(err)
	}
	r.CreatedAt = fromMicros(created)
	return &r, nil
}

// PutIdempotentResponse keeps a request's answer.
func (tx *Tx) PutIdempotentResponse(ctx context.Context, r *tenantry.IdempotentResponse) error {
	r.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO idempotency_keys (actor_id, key, operation, request_hash, response, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.ActorID, r.Key, r.Operation, r.RequestHash, r.Response, micros(r.CreatedAt))
	return err
}
