package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatementJournalSpillsLate: a statement that fires a trigger
// inside a transaction keeps its statement journal in memory up to
// stmtJournalSpill, as configureSQLite asked SQLite (SQLite's own default
// is 64 KiB), and only a larger one goes to a temporary file, which SQLite
// deletes as soon as it has opened it. A driver that opened a connection before Tenantry
// could configure SQLite would fail the first half.
func TestStatementJournalSpillsLate(t *testing.T) {
	ctx := context.Background()
	d := freshSQLite(t)
	for _, s := range []string{
		`CREATE TABLE journal_probe (id INTEGER PRIMARY KEY, v BLOB NOT NULL)`,
		`CREATE TRIGGER journal_probe_bump AFTER UPDATE ON journal_probe BEGIN UPDATE security_epoch SET n = n + 1 WHERE id = 1; END`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600) INSERT INTO journal_probe SELECT i, randomblob(3000) FROM n`,
	} {
		if _, err := d.write.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		rows  int
		spill bool
	}{{20, false}, {100, true}} { // about 90 KiB of pages, then 410 KiB
		tx, err := d.write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The first statement makes the pages part of the transaction,
		// so the second must journal every one of them.
		for range 2 {
			if _, err := tx.ExecContext(ctx, `UPDATE journal_probe SET v = randomblob(3000) WHERE id <= ?`, c.rows); err != nil {
				t.Fatal(err)
			}
		}
		if got := tempFilesOpen(t); got != c.spill {
			t.Errorf("%d rows changed in one statement: a temporary file open is %v, want %v", c.rows, got, c.spill)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
	}
}

// tempFilesOpen says whether this process has a deleted file open, as
// SQLite's temporary files are.
func tempFilesOpen(t *testing.T) bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd here: %v", err)
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasSuffix(target, " (deleted)") {
			return true
		}
	}
	return false
}
