package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of a SQLite database to path while it
// is in use (VACUUM INTO: one read transaction, so writes that commit
// meanwhile are either wholly in the copy or not at all). path must not
// exist. PostgreSQL is backed up with pg_dump (see PgDumpCommand).
func (d *DB) Backup(ctx context.Context, path string) error {
	if d.dialect != SQLite {
		return errors.New("backup: PostgreSQL is backed up with pg_dump; see 'tenantry backup --help'")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists already; choose a new file", path)
	}
	// A connection of its own: the readers may not write, and the writer
	// must stay free for the server's writes while the copy is made.
	conn, err := sql.Open("sqlite", d.base)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// PgDumpCommand is the command that backs up the PostgreSQL database of
// dsn into a custom-format archive file, for pg_restore.
func PgDumpCommand(dsn, file string) string {
	return fmt.Sprintf("pg_dump --format=custom --no-owner --file=%q %q", file, redactDSN(dsn))
}

// Restore replaces the SQLite database at dbPath with the backup at from,
// after checking that the backup is whole (integrity_check) and bringing
// it up to this version's migrations. Serve must be stopped: the old
// file is renamed aside (dbPath + ".before-restore"), not deleted.
func Restore(ctx context.Context, from, dbPath string) error {
	if IsPostgres(dbPath) {
		return errors.New("restore: PostgreSQL is restored with pg_restore; see 'tenantry restore --help'")
	}
	src, err := sql.Open("sqlite", "file:"+from+"?mode=ro")
	if err != nil {
		return err
	}
	var check string
	err = src.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check)
	src.Close()
	if err != nil {
		return fmt.Errorf("restore: %s is not a SQLite database: %w", from, err)
	}
	if check != "ok" {
		return fmt.Errorf("restore: %s is damaged: %s", from, check)
	}
	// Copy beside the target, migrate the copy (a backup of an older
	// version is brought up to date; a newer one is refused), then swap.
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return err
	}
	tmp := dbPath + ".restoring"
	os.Remove(tmp)
	if err := copyFile(from, tmp); err != nil {
		return err
	}
	restored, err := Open(ctx, tmp, nil)
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := restored.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		restored.Close()
		return err
	}
	restored.Close()
	if _, err := os.Stat(dbPath); err == nil {
		if err := os.Rename(dbPath, dbPath+".before-restore"); err != nil {
			return err
		}
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(dbPath + suffix)
		os.Remove(tmp + suffix)
	}
	return os.Rename(tmp, dbPath)
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("restore: read %s: %w", from, err)
	}
	return os.WriteFile(to, b, 0o600)
}
