package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestWritesThatCannotCommitAreUnavailable is issue 11's item 3: on a
// read-only file system (or a full disk) every write was a 500 coded
// internal, and readiness, which only pinged, stayed green. Such a write
// is unavailable (503, its own code), and a ping no longer tells
// readiness: the app's probe commits a write.
func TestWritesThatCannotCommitAreUnavailable(t *testing.T) {
	ctx := context.Background()
	d := freshSQLite(t)
	// The writer's only connection now refuses to write, as it does on a
	// file system mounted read-only.
	if _, err := d.write.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
		t.Fatal(err)
	}
	err := d.Update(ctx, func(tx tenantry.Tx) error { return tx.PutSetting(ctx, "probe", "x") })
	if tenantry.ErrorCode(err) != tenantry.Unavailable {
		t.Fatalf("a write that cannot commit: %v (code %s)", err, tenantry.ErrorCode(err))
	}
	if err := d.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err) // why a ping cannot be readiness
	}
}

// TestPostgresSessionsHaveTimeouts is issue 11's item 6: after a crash the
// dead instance's UPDATE ran on for 16 s holding row locks. Tenantry's
// connections carry a statement and an idle-in-transaction timeout unless
// the URL sets its own.
func TestPostgresSessionsHaveTimeouts(t *testing.T) {
	if os.Getenv("TENANTRY_TEST_POSTGRES") == "" {
		t.Skip("TENANTRY_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	d, err := Open(ctx, os.Getenv("TENANTRY_TEST_POSTGRES"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for setting, want := range map[string]string{"statement_timeout": "1min", "idle_in_transaction_session_timeout": "1min"} {
		var got string
		if err := d.write.QueryRowContext(ctx, "SHOW "+setting).Scan(&got); err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", setting, got, err, want)
		}
	}
	if got := withSessionLimits("postgres://h/db?statement_timeout=5s"); !strings.Contains(got, "statement_timeout=5s") {
		t.Errorf("the URL's own limit was replaced: %s", got)
	}
}

// freshSQLite opens a new SQLite store in the test's directory, closed
// when the test ends.
func freshSQLite(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
