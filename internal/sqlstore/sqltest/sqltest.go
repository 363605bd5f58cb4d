// Package sqltest opens fresh, migrated databases for tests: a SQLite file
// in a temporary directory always, and a PostgreSQL schema of its own
// whenever TENANTRY_TEST_POSTGRES holds a DSN.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/sqlstore"
)

// EnvPostgres names the variable that holds the test PostgreSQL DSN.
const EnvPostgres = "TENANTRY_TEST_POSTGRES"

// Backend opens fresh stores of one kind.
type Backend struct {
	Name string
	Open func(t testing.TB, now func() time.Time) *sqlstore.DB
}

// Backends returns SQLite, and PostgreSQL when EnvPostgres is set.
func Backends() []Backend {
	b := []Backend{{Name: "sqlite", Open: OpenSQLite}}
	if os.Getenv(EnvPostgres) != "" {
		b = append(b, Backend{Name: "postgres", Open: OpenPostgres})
	}
	return b
}

// OpenSQLite returns a migrated SQLite store in a temporary directory: a
// copy of a database migrated once per test process, since running the
// migrations (parsing them, above all, under -race) cost more than
// everything else a small test does.
func OpenSQLite(t testing.TB, now func() time.Time) *sqlstore.DB {
	t.Helper()
	tpl, err := sqliteTemplate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tenantry.db")
	if err := os.WriteFile(path, tpl, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(context.Background(), path, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sqliteTemplate returns the bytes of a freshly migrated SQLite database,
// made on first use.
var sqliteTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "tenantry-sqltest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	db, err := sqlstore.Open(context.Background(), path, nil)
	if err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil { // checkpoints the WAL into the file
		return nil, err
	}
	return os.ReadFile(path)
})

// OpenPostgres returns a migrated store in a new database of the server
// named by EnvPostgres, made from a migrated template database (one per
// schema version, kept on the server between runs: CREATE DATABASE …
// TEMPLATE costs a fraction of running the migrations); the database is
// dropped when the test ends.
func OpenPostgres(t testing.TB, now func() time.Time) *sqlstore.DB {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Fatalf("%s is not set", EnvPostgres)
	}
	tpl, err := postgresTemplate(dsn)
	if err != nil {
		t.Fatalf("template database: %v", err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := "tenantry_t_" + hex.EncodeToString(b)
	if err := adminExec(dsn, `CREATE DATABASE `+name+` TEMPLATE `+tpl); err != nil {
		t.Fatalf("create database: %v", err)
	}
	db, err := sqlstore.Open(context.Background(), withDatabase(dsn, name), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		adminExec(dsn, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	})
	return db
}

// postgresTemplate makes, once per process and under an advisory lock
// shared with other test processes, the migrated template database of the
// current schema, unless the server has it already, and returns its name.
func postgresTemplate(dsn string) (string, error) {
	pgTemplate.once.Do(func() { pgTemplate.name, pgTemplate.err = makePostgresTemplate(dsn) })
	return pgTemplate.name, pgTemplate.err
}

var pgTemplate struct {
	once sync.Once
	name string
	err  error
}

func makePostgresTemplate(dsn string) (string, error) {
	name := "tenantry_tpl_" + sqlstore.SchemaID()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	ctx := context.Background()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(727172)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(727172)`)
	var ready bool
	err = conn.QueryRowContext(ctx, `SELECT datistemplate FROM pg_database WHERE datname = $1`, name).Scan(&ready)
	if err == nil && ready {
		return name, nil
	}
	// Absent, or left half-made by a process that died: make it again.
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", err
	}
	db, err := sqlstore.Open(ctx, withDatabase(dsn, name), nil)
	if err != nil {
		return "", err
	}
	if err := db.Close(); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+name+` WITH IS_TEMPLATE true`); err != nil {
		return "", err
	}
	return name, nil
}

// withDatabase returns dsn naming database name, with commits that do not
// wait for the disk: a test's database need not outlive a crash, and
// waiting for fsync made PostgreSQL tests several times slower.
func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

func adminExec(dsn, stmt string) error {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.Exec(stmt)
	return err
}

// SecretKey is the sealing key of tests' apps (see internal/seal): fixed,
// so that every app a test opens on one database reads the others'
// secrets. Never a key for a deployment.
var SecretKey = []byte("tenantry-tests-only-not-a-secret")
