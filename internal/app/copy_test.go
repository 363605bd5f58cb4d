package app_test

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/sqlstore"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
)

// TestCopyBetweenSQLiteAndPostgreSQL is issue 11's item 8: a deployment
// that outgrows one machine moves from SQLite to PostgreSQL, and back,
// with every table's rows, and works there.
func TestCopyBetweenSQLiteAndPostgreSQL(t *testing.T) {
	backends := sqltest.Backends()
	if len(backends) < 2 {
		t.Skip("needs PostgreSQL (TENANTRY_TEST_POSTGRES)")
	}
	forEachBackend(t, func(t *testing.T, e *env) {
		if e.db.Dialect() != sqlstore.SQLite {
			return // the source is SQLite; PostgreSQL is the target below
		}
		op := e.operator()
		acc, owner := e.account(op, "o@example.com")
		_, err := e.app.ImportSIMs(ctx, op, acc.ID, "", iccidRange(0, 499), nil)
		e.must(err)
		child, _, err := e.app.CreateSubOrg(ctx, owner, acc.ID, app.NewSubOrg{Name: "Child",
			Owner: app.NewUser{Email: "c@example.com", FirstName: "C", LastName: "O"}})
		e.must(err)
		e.activate("c@example.com")
		_, err = e.app.Transfer(ctx, owner, app.TransferRequest{From: acc.ID, To: child.ID,
			Ranges: []sims.Range{{Start: storetest.ICCID(0), End: storetest.ICCID(99)}}})
		e.must(err)
		_, err = e.app.BeginTOTP(ctx, owner)
		e.must(err)

		pg := backends[1].Open(t, e.clock.Now)
		there, err := sqlstore.Copy(ctx, e.db, pg, nil)
		e.must(err)
		if _, err := sqlstore.Copy(ctx, e.db, pg, nil); err == nil {
			t.Fatal("a copy into a database with users")
		}
		back, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "back.db"), e.clock.Now)
		e.must(err)
		defer back.Close()
		again, err := sqlstore.Copy(ctx, pg, back, nil)
		e.must(err)
		for table, n := range there {
			if again[table] != n {
				t.Errorf("%s: %d rows to PostgreSQL, %d back", table, n, again[table])
			}
		}
		if there["sims"] != 500 || there["users"] < 3 || there["transfers"] != 1 || there["totp"] != 1 {
			t.Fatalf("copied %v", there)
		}
		// Tenantry works on each copy: people sign in.
		for _, db := range []*sqlstore.DB{pg, back} {
			cfg := app.DefaultConfig()
			cfg.SecretKey, cfg.Now = sqltest.SecretKey, e.clock.Now
			a, err := app.New(db, e.app.Policy(), slog.New(slog.DiscardHandler), cfg, nil)
			e.must(err)
			_, err = a.SignIn(ctx, "c@example.com", pw, "", "", "")
			e.must(err)
		}
	})
}

func iccidRange(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, storetest.ICCID(i))
	}
	return out
}
