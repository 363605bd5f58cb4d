package sqlstore

import (
	"context"
	"path/filepath"
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
	d, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// The writer's only connection now refuses to write, as it does on a
	// file system mounted read-only.
	if _, err := d.write.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
		t.Fatal(err)
	}
	err = d.Update(ctx, func(tx tenantry.Tx) error { return tx.PutSetting(ctx, "probe", "x") })
	if tenantry.ErrorCode(err) != tenantry.Unavailable {
		t.Fatalf("a write that cannot commit: %v (code %s)", err, tenantry.ErrorCode(err))
	}
	if err := d.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err) // why a ping cannot be readiness
	}
}
