package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"
)

// epochTable is a table whose rows authentication and decisions read on
// every request: a change to it changes the security epoch (see Epoch).
type epochTable struct {
	name string
	// inserts says whether a new row changes the epoch: it must where the
	// table is read as a list (a user's grants) or where its absence is
	// remembered (a token not revoked); a row read only by its key is
	// nowhere remembered before it exists.
	inserts bool
	// ignore are columns written often that nothing cached reads: the time
	// of a sign-in, a session's last request, an org's SIM total.
	ignore []string
}

// epochTables are the tables behind app's cache of authentication state.
var epochTables = []epochTable{
	{name: "users", ignore: []string{"last_sign_in_at", "updated_at"}},
	{name: "grants", inserts: true},
	{name: "orgs", inserts: true, ignore: []string{"sim_count", "sub_seq", "updated_at"}},
	{name: "account_services", inserts: true},
	{name: "sessions", ignore: []string{"last_seen_at"}},
	{name: "personal_tokens"},
	{name: "revoked_tokens", inserts: true},
}

// epochVersion is the migration that adds the security epoch; it is Go,
// not SQL, because SQLite's triggers must name each column they compare.
const epochVersion = 28

// laterEpochTables are tables whose changes move the epoch since a later
// migration, each its own: the grant's cache of a client's secrets
// (app.clientByCredentials) holds only while the epoch stands still, so
// a revoked secret stops granting on every instance at once.
var laterEpochTables = []struct {
	version int64
	table   epochTable
}{
	{31, epochTable{name: "client_secrets", inserts: true}},
}

// epochMigrations are the migrations that make the security epoch and
// its triggers.
func epochMigrations(dialect Dialect) []*goose.Migration {
	out := []*goose.Migration{epochMigration(dialect)}
	for _, l := range laterEpochTables {
		t := l.table
		up := func(ctx context.Context, tx *sql.Tx) error {
			stmts, err := tableTriggers(ctx, tx, dialect, t)
			if err != nil {
				return err
			}
			return execAll(ctx, tx, stmts)
		}
		down := func(ctx context.Context, tx *sql.Tx) error { return execAll(ctx, tx, dropTriggers(dialect, t)) }
		out = append(out, goose.NewGoMigration(l.version, &goose.GoFunc{RunTx: up}, &goose.GoFunc{RunTx: down}))
	}
	return out
}

// execAll runs statements in order, saying which one failed.
func execAll(ctx context.Context, tx *sql.Tx, stmts []string) error {
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// epochMigration makes the security epoch: one row whose number changes in
// the same transaction as any row of epochTables, through triggers, so no
// write path can forget it. On PostgreSQL the triggers are deferred to the
// commit, so the one row is locked last and briefly, and the number is the
// id of the last transaction that changed it (written once per
// transaction); on SQLite, with its one writer, it counts.
func epochMigration(dialect Dialect) *goose.Migration {
	up := func(ctx context.Context, tx *sql.Tx) error {
		stmts, err := epochTriggers(ctx, tx, dialect)
		if err != nil {
			return err
		}
		return execAll(ctx, tx, stmts)
	}
	down := func(ctx context.Context, tx *sql.Tx) error {
		var stmts []string
		for _, t := range epochTables {
			stmts = append(stmts, dropTriggers(dialect, t)...)
		}
		if dialect == Postgres {
			stmts = append(stmts, `DROP FUNCTION IF EXISTS security_epoch_bump()`)
		}
		return execAll(ctx, tx, append(stmts, `DROP TABLE security_epoch`))
	}
	return goose.NewGoMigration(epochVersion, &goose.GoFunc{RunTx: up}, &goose.GoFunc{RunTx: down})
}

// dropTriggers returns the statements that drop a table's epoch triggers.
func dropTriggers(dialect Dialect, t epochTable) []string {
	var out []string
	for _, op := range []string{"insert", "update", "delete"} {
		drop := fmt.Sprintf("DROP TRIGGER IF EXISTS %s_epoch_%s", t.name, op)
		if dialect == Postgres {
			drop += " ON " + t.name
		}
		out = append(out, drop)
	}
	return out
}

// epochTriggers returns the statements that make the epoch's row and its
// triggers.
func epochTriggers(ctx context.Context, tx *sql.Tx, dialect Dialect) ([]string, error) {
	out := []string{
		`CREATE TABLE security_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL)`,
		`INSERT INTO security_epoch (id, n) VALUES (1, 0)`,
	}
	if dialect == Postgres {
		// An update that changes only ignored columns (the trigger's
		// arguments) leaves the epoch alone; comparing the rows as JSON
		// covers columns added later too.
		out = append(out, `CREATE FUNCTION security_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - TG_ARGV) = (to_jsonb(NEW) - TG_ARGV) THEN
		RETURN NULL;
	END IF;
	UPDATE security_epoch SET n = txid_current() WHERE n <> txid_current();
	RETURN NULL;
END $$`)
	}
	for _, t := range epochTables {
		stmts, err := tableTriggers(ctx, tx, dialect, t)
		if err != nil {
			return nil, err
		}
		out = append(out, stmts...)
	}
	return out, nil
}

// tableTriggers returns the statements that make a change to t move the
// epoch (on PostgreSQL, through security_epoch_bump).
func tableTriggers(ctx context.Context, tx *sql.Tx, dialect Dialect, t epochTable) ([]string, error) {
	var out []string
	if dialect == Postgres {
		args := make([]string, len(t.ignore))
		for i, c := range t.ignore {
			args[i] = "'" + c + "'"
		}
		ops := map[string]bool{"insert": t.inserts, "update": true, "delete": true}
		for _, op := range []string{"insert", "update", "delete"} {
			if ops[op] {
				out = append(out, fmt.Sprintf(`CREATE CONSTRAINT TRIGGER %s_epoch_%s AFTER %s ON %s
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION security_epoch_bump(%s)`,
					t.name, op, strings.ToUpper(op), t.name, strings.Join(args, ", ")))
			}
		}
		return out, nil
	}
	const bump = `BEGIN UPDATE security_epoch SET n = n + 1 WHERE id = 1; END`
	cols, err := sqliteColumns(ctx, tx, t.name)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, c := range cols {
		if !slices.Contains(t.ignore, c) {
			changed = append(changed, fmt.Sprintf("OLD.%s IS NOT NEW.%s", c, c))
		}
	}
	if t.inserts {
		out = append(out, fmt.Sprintf(`CREATE TRIGGER %s_epoch_insert AFTER INSERT ON %s %s`, t.name, t.name, bump))
	}
	return append(out,
		fmt.Sprintf(`CREATE TRIGGER %s_epoch_update AFTER UPDATE ON %s WHEN %s %s`, t.name, t.name, strings.Join(changed, " OR "), bump),
		fmt.Sprintf(`CREATE TRIGGER %s_epoch_delete AFTER DELETE ON %s %s`, t.name, t.name, bump)), nil
}

// sqliteColumns returns the names of a SQLite table's columns.
func sqliteColumns(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// epochQuery reads the security epoch.
const epochQuery = `SELECT n FROM security_epoch WHERE id = 1`

// Epoch returns the security epoch: a number that changes, in the same
// transaction, with every change to a row of epochTables other than to its
// ignored columns. A cache of those rows read after the epoch was e is
// still true while Epoch returns e, on every instance. It runs outside any
// transaction, so it sees the last commit.
func (d *DB) Epoch(ctx context.Context) (int64, error) {
	c := d.stmts[d.read]
	st := c.lookup(epochQuery)
	var n int64
	var err error
	if st != nil {
		err = st.QueryRowContext(ctx).Scan(&n)
	} else {
		err = d.read.QueryRowContext(ctx, epochQuery).Scan(&n)
		c.prepare(context.WithoutCancel(ctx), d.read)
	}
	return n, translate(err)
}
