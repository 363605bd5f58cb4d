package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// insertChunk bounds the rows of one multi-row INSERT.
const insertChunk = 500

// InsertSIMs adds SIMs: first the ranges that give them to orgID, then
// their rows, in multi-row statements of insertChunk rows. Sorted input
// makes the fewest ranges.
func (tx *Tx) InsertSIMs(ctx context.Context, orgID, status, loadID string, iccids []string) error {
	if err := tx.lockSIMRanges(ctx); err != nil {
		return err
	}
	sorted := slices.Clone(iccids)
	slices.SortFunc(sorted, sims.Compare)
	if err := eachLength(sorted, func(id string) string { return id }, func(group []string) error {
		return tx.giveNewSIMs(ctx, orgID, group)
	}); err != nil {
		return err
	}
	now := micros(tx.now)
	for len(iccids) > 0 {
		n := min(len(iccids), insertChunk)
		var q strings.Builder
		q.WriteString(`INSERT INTO sims (iccid, status, created_at, load_id) VALUES `)
		args := make([]any, 0, n+3)
		args = append(args, status, now, loadID)
		for i, id := range iccids[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			args = append(args, id)
			q.WriteString("($" + strconv.Itoa(len(args)) + ", $1, $2, $3)")
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

// simOfRange is a SIM with what its range says of it.
const simOfRange = `s.iccid, r.org_id, s.status, r.transfer_id, s.created_at, r.updated_at`

func scanSIM(row interface{ Scan(...any) error }) (*tenantry.SIM, error) {
	var s tenantry.SIM
	var created, updated int64
	if err := row.Scan(&s.ICCID, &s.OrgID, &s.Status, &s.TransferID, &created, &updated); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &s, nil
}

// SIM returns one SIM, with the owner of the range that holds it.
func (tx *Tx) SIM(ctx context.Context, iccid string) (*tenantry.SIM, error) {
	s, err := scanSIM(tx.queryRow(ctx, `SELECT `+simOfRange+` FROM sims s, sim_ranges r
		WHERE s.iccid = $1 AND r.digits = $2 AND r.end_iccid >= $1
		  AND r.start_iccid = (SELECT MAX(start_iccid) FROM sim_ranges WHERE digits = $2 AND start_iccid <= $1)`, iccid, len(iccid)))
	if err != nil {
		return nil, scanOne(err, "SIM")
	}
	return s, nil
}

// ListSIMs returns one page of an org's SIMs in the order of their
// numbers (shorter ICCIDs first). The cursor is the last ICCID of the
// previous page. It walks the org's ranges in order, a batch at a time
// (one, as a range mostly fills a page, then twice as many each time),
// and reads each range's SIMs by the primary key until the page is full:
// two index scans that no planner can turn into a sort of every SIM.
func (tx *Tx) ListSIMs(ctx context.Context, f tenantry.SIMFilter) ([]*tenantry.SIM, string, error) {
	after := ""
	if f.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || sims.CheckDigits(string(b)) != nil {
			return nil, "", tenantry.FieldInvalid("cursor", "not a cursor from this list")
		}
		after = string(b)
	}
	simsQuery := `SELECT iccid, status, created_at FROM sims WHERE ` + iccidsIn + ` AND iccid > $4`
	if f.Status != "" {
		simsQuery += ` AND status = $6`
	}
	simsQuery += ` ORDER BY iccid LIMIT $5`
	var out []*tenantry.SIM
	for digits := max(sims.MinLen, len(after)); digits <= sims.MaxLen && len(out) <= f.Limit; digits++ {
		if len(f.Prefix) > digits {
			continue
		}
		from := f.Prefix + strings.Repeat("0", digits-len(f.Prefix))
		to := f.Prefix + strings.Repeat("9", digits-len(f.Prefix))
		past := "" // SIMs up to here are listed
		if len(after) == digits {
			past = after
		}
		for batch := 1; len(out) <= f.Limit; batch = min(2*batch, 64) {
			rs, err := queryAll(ctx, tx, scanSIMRange, `SELECT `+simRangeColumns+` FROM sim_ranges
				WHERE org_id = $1 AND digits = $2 AND end_iccid > $3 AND end_iccid >= $4 AND start_iccid <= $5
				  AND start_iccid >= COALESCE((SELECT MAX(start_iccid) FROM sim_ranges WHERE org_id = $1 AND digits = $2 AND start_iccid <= $6), '')
				ORDER BY start_iccid LIMIT $7`, f.OrgID, digits, past, from, to, max(past, from), batch)
			if err != nil {
				return nil, "", err
			}
			for _, r := range rs {
				args := []any{max(r.start, from), min(r.end, to), digits, past, f.Limit + 1 - len(out)}
				if f.Status != "" {
					args = append(args, f.Status)
				}
				page, err := queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (*tenantry.SIM, error) {
					s := &tenantry.SIM{OrgID: r.org, TransferID: r.transfer, UpdatedAt: fromMicros(r.updated)}
					var created int64
					err := row.Scan(&s.ICCID, &s.Status, &created)
					s.CreatedAt = fromMicros(created)
					return s, err
				}, simsQuery, args...)
				if err != nil {
					return nil, "", err
				}
				out, past = append(out, page...), r.end
				if len(out) > f.Limit {
					break
				}
			}
			if len(rs) < batch {
				break
			}
		}
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(out[f.Limit-1].ICCID))
	}
	return out, next, nil
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
