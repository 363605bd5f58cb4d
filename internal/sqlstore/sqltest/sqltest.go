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

// OpenSQLite returns a migrated SQLite store in a temporary directory.
func OpenSQLite(t testing.TB, now func() time.Time) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "tenantry.db"), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// OpenPostgres returns a migrated store in a new schema of the database
// named by EnvPostgres; the schema is dropped when the test ends.
func OpenPostgres(t testing.TB, now func() time.Time) *sqlstore.DB {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Fatalf("%s is not set", EnvPostgres)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 8)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sqlstore.Open(context.Background(), u.String(), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if a, err := sql.Open("pgx", dsn); err == nil {
			a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	return db
}

// SecretKey is the sealing key of tests' apps (see internal/seal): fixed,
// so that every app a test opens on one database reads the others'
// secrets. Never a key for a deployment.
var SecretKey = []byte("tenantry-tests-only-not-a-secret")
