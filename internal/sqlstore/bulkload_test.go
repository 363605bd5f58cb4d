package sqlstore

import (
	"context"
	"testing"
)

// TestAfterBulkLoadAnalysesOnPostgres: after a bulk load PostgreSQL has
// statistics of the tables named (pg_class.reltuples is -1 for a table
// never analysed), SQLite is left to plan by its rules (no sqlite_stat1
// is made), and a name that is no table's is refused on both.
func TestAfterBulkLoadAnalysesOnPostgres(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *DB) {
		ctx := context.Background()
		analysed := func() (n int) {
			t.Helper()
			q := `SELECT COUNT(*) FROM pg_class WHERE relname IN ('users', 'grants') AND relkind = 'r' AND reltuples >= 0`
			if d.Dialect() == SQLite {
				q = `SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'`
			}
			if err := d.read.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := analysed(); n != 0 {
			t.Fatalf("before: %d tables with statistics", n)
		}
		if err := d.AfterBulkLoad(ctx, "users", "grants"); err != nil {
			t.Fatal(err)
		}
		want := 2
		if d.Dialect() == SQLite {
			want = 0
		}
		if n := analysed(); n != want {
			t.Errorf("after: %d tables with statistics, want %d", n, want)
		}
		if err := d.AfterBulkLoad(ctx, "users; DROP TABLE users"); err == nil {
			t.Error("a statement passed for a table name")
		}
	})
}
