package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// collateBytes is the one token the migrations spell differently per
// dialect: the collation that makes text compare bytewise, so lower-cased
// search keys sort and prefix-match the same on both databases.
var collateBytes = map[Dialect]string{
	SQLite:   "COLLATE BINARY",
	Postgres: `COLLATE "C"`,
}

// migrations returns the embedded migrations rendered for dialect.
func migrations(dialect Dialect) (fs.FS, error) {
	out := fstest.MapFS{}
	err := fs.WalkDir(migrationFiles, "migrations", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := migrationFiles.ReadFile(path)
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte("COLLATE_BYTES"), []byte(collateBytes[dialect]))
		out[e.Name()] = &fstest.MapFile{Data: b}
		return nil
	})
	return out, err
}

func (d *DB) provider() (*goose.Provider, error) {
	fsys, err := migrations(d.dialect)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(epochMigrations(d.dialect)...)}
	dialect := goose.DialectSQLite3
	if d.dialect == Postgres {
		dialect = goose.DialectPostgres
		// Instances starting together on one PostgreSQL migrate one at a time.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, d.write, fsys, opts...)
}

// Migrate applies every pending migration.
func (d *DB) Migrate(ctx context.Context) error {
	p, err := d.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", d.dialect, err)
	}
	return nil
}

// MigrationStatus describes one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	Source  string
	Applied bool
}

// Migrations lists every known migration with its state.
func (d *DB) Migrations(ctx context.Context) ([]MigrationStatus, error) {
	p, err := d.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		src := s.Source.Path
		if s.Source.Type == goose.TypeGo {
			src = "security epoch triggers (Go: internal/sqlstore/epoch.go)"
		}
		out = append(out, MigrationStatus{Version: s.Source.Version, Source: src, Applied: s.State == goose.StateApplied})
	}
	return out, nil
}

// SchemaID names the schema the embedded migrations build: a hash of
// their text. Tests key their migrated template databases by it.
func SchemaID() string {
	h := sha256.New()
	fs.WalkDir(migrationFiles, "migrations", func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			b, _ := migrationFiles.ReadFile(path)
			fmt.Fprintf(h, "%s %d\n", path, len(b))
			h.Write(b)
		}
		return nil
	})
	fmt.Fprintf(h, "go %d %v %v\n", epochVersion, epochTables, laterEpochTables)
	return hex.EncodeToString(h.Sum(nil))[:12]
}
