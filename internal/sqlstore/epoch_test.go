package sqlstore

import (
	"context"
	"regexp"
	"slices"
	"testing"
)

// TestEpochTriggersCompareEveryColumn: SQLite's update triggers name each
// column they compare, as the tables stood when migration 28 ran. A later
// migration that adds a column to one of epochTables must make its
// trigger again, or a change to that column would leave caches stale;
// this test fails until it does. (PostgreSQL's triggers compare whole
// rows.)
func TestEpochTriggersCompareEveryColumn(t *testing.T) {
	ctx := context.Background()
	db := freshSQLite(t)
	tables := slices.Clone(epochTables)
	for _, l := range laterEpochTables {
		tables = append(tables, l.table)
	}
	for _, tb := range tables {
		var sql string
		if err := db.read.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?`,
			tb.name+"_epoch_update").Scan(&sql); err != nil {
			t.Fatalf("%s: %v", tb.name, err)
		}
		cols, err := sqliteColumns(ctx, db.read, tb.name)
		if err != nil {
			t.Fatal(err)
		}
		compares := map[string]bool{}
		for _, m := range regexp.MustCompile(`OLD\.(\w+) IS NOT NEW\.(\w+)`).FindAllStringSubmatch(sql, -1) {
			compares[m[1]] = m[1] == m[2]
		}
		for _, c := range cols {
			if compared := compares[c]; compared == slices.Contains(tb.ignore, c) {
				t.Errorf("%s.%s: compared by the epoch trigger: %v; ignored: %v", tb.name, c, compared, slices.Contains(tb.ignore, c))
			}
		}
	}
}
