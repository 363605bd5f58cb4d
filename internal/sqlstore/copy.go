package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// copyOrder lists every table of the schema, each after the tables it
// refers to. A table the migrations add must be added here; Copy refuses
// to run while the source has a table this list lacks.
var copyOrder = []string{
	"orgs", "identity_providers", "users", "grants", "tokens", "sessions", "events", "outbox", "mailbox", "totp", "recovery_codes",
	"throttle", "invitations", "transfers", "transfer_ranges", "sims", "sim_ranges", "workflows", "service_requests", "contacts",
	"client_secrets", "signing_keys", "revoked_tokens", "personal_tokens", "settings", "links", "jobs", "account_services", "notices", "relying_parties", "oidc_requests", "oidc_refresh_tokens", "scim_connections", "sim_loads", "idempotency_keys",
	"webhook_endpoints", "webhook_deliveries", "access_reviews", "access_review_items",
}

// copyOrderBy orders rows where a table refers to itself: an org after
// its parent, which was created first.
var copyOrderBy = map[string]string{"orgs": " ORDER BY created_at, id"}

// Copy copies every row of from into to, which must be empty and on the
// same migrations (Open migrates both), in one transaction of to: all or
// nothing. It moves a deployment from SQLite to PostgreSQL when one
// machine is no longer enough, or back. It returns each table's row count.
func Copy(ctx context.Context, from, to *DB, progress func(table string, rows int64)) (map[string]int64, error) {
	tables, err := from.tables(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, t := range copyOrder {
		known[t] = true
	}
	for _, t := range tables {
		if !known[t] {
			return nil, fmt.Errorf("copy: the table %s is not in sqlstore's copy order", t)
		}
	}
	var users int64
	if err := to.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
		return nil, translate(err)
	}
	if users > 0 {
		return nil, fmt.Errorf("copy: the target database has %d users already; copy only into an empty one", users)
	}
	counts := map[string]int64{}
	tx, err := to.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(err)
	}
	defer tx.Rollback()
	for _, table := range copyOrder {
		n, err := copyTable(ctx, from, to, tx, table, progress)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", table, err)
		}
		counts[table] = n
	}
	if err := tx.Commit(); err != nil {
		return nil, translate(err)
	}
	return counts, nil
}

// tables lists the schema's tables but goose's own and the security
// epoch, which each database keeps for itself (copying rows changes it).
func (d *DB) tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if d.dialect == Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := d.read.QueryContext(ctx, q)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if name != "goose_db_version" && name != "security_epoch" {
			out = append(out, name)
		}
	}
	return out, rows.Err()
}

// booleans lists a PostgreSQL table's boolean columns: SQLite keeps them
// as integers, which PostgreSQL does not take for a boolean.
func (d *DB) booleans(ctx context.Context, table string) (map[string]bool, error) {
	out := map[string]bool{}
	if d.dialect != Postgres {
		return out, nil
	}
	rows, err := d.read.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND data_type = 'boolean'`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out[c] = true
	}
	return out, rows.Err()
}

// copyBatch is how many rows one INSERT carries.
const copyBatch = 200

func copyTable(ctx context.Context, from, to *DB, tx *sql.Tx, table string, progress func(string, int64)) (int64, error) {
	rows, err := from.read.QueryContext(ctx, `SELECT * FROM `+table+copyOrderBy[table])
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	bools, err := to.booleans(ctx, table)
	if err != nil {
		return 0, err
	}
	var n int64
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		for r := 0; r < len(args)/len(cols); r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				b.WriteString("$" + strconv.Itoa(r*len(cols)+c+1))
			}
			b.WriteByte(')')
		}
		_, err := tx.ExecContext(ctx, b.String(), args...)
		args = args[:0]
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range cols {
			if i64, ok := vals[i].(int64); ok && bools[c] {
				vals[i] = i64 != 0
			}
		}
		args = append(args, vals...)
		n++
		if n%copyBatch == 0 {
			if err := flush(); err != nil {
				return n, err
			}
			if progress != nil {
				progress(table, n)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	if progress != nil {
		progress(table, n)
	}
	return n, nil
}
