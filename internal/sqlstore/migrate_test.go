package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestSIMOwnershipMigratesToRanges takes a database back to the schema
// where every SIM named its owner, fills it so, and migrates it forward:
// runs of neighbouring SIMs with one owner and one last move become one
// range each, and every SIM reads as before.
func TestSIMOwnershipMigratesToRanges(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *DB) {
		ctx := context.Background()
		p, err := d.provider()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 24); err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := d.write.ExecContext(ctx, placeholders(d.dialect, q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		for _, org := range []string{"a", "b"} {
			exec(`INSERT INTO orgs (id, account_id, kind, name, status, channel, created_at, updated_at)
				VALUES (?, ?, 'account', ?, 'active', 'direct', 1, 1)`, org, org, "Org "+org)
		}
		iccid := func(n int) string { return sims.WithCheckDigit(fmt.Sprintf("894900000000000%03d", n)) }
		// 0-9 a's from a load, 10-14 moved to b by t1, 15-19 a's again
		// by t2, 20-21 b's by t1 once more: four runs.
		owner := func(n int) (org, transfer string, at int64) {
			switch {
			case n < 10:
				return "a", "", 5
			case n < 15:
				return "b", "t1", 7
			case n < 20:
				return "a", "t2", 9
			}
			return "b", "t1", 7
		}
		for n := 0; n < 22; n++ {
			org, transfer, at := owner(n)
			exec(`INSERT INTO sims (iccid, org_id, status, transfer_id, created_at, updated_at, load_id)
				VALUES (?, ?, 'active', ?, 5, ?, 'l1')`, iccid(n), org, transfer, at)
		}
		if err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var ranges int
		if err := d.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM sim_ranges`).Scan(&ranges); err != nil || ranges != 4 {
			t.Fatalf("%d ranges (%v), want 4", ranges, err)
		}
		err = d.View(ctx, func(tx tenantry.Tx) error {
			for n := 0; n < 22; n++ {
				org, transfer, at := owner(n)
				s, err := tx.SIM(ctx, iccid(n))
				if err != nil || s.OrgID != org || s.TransferID != transfer || s.UpdatedAt != fromMicros(at) || s.CreatedAt != fromMicros(5) {
					t.Fatalf("SIM %d: %+v %v", n, s, err)
				}
			}
			page, _, err := tx.ListSIMs(ctx, tenantry.SIMFilter{OrgID: "b", Limit: 50})
			if err != nil || len(page) != 7 || page[0].ICCID != iccid(10) || page[6].ICCID != iccid(21) {
				t.Fatalf("b's SIMs: %d %v", len(page), err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// And back: each SIM names its owner again.
		if _, err := p.DownTo(ctx, 24); err != nil {
			t.Fatal(err)
		}
		var owned int
		if err := d.write.QueryRowContext(ctx, placeholders(d.dialect, `SELECT COUNT(*) FROM sims WHERE org_id = ? AND transfer_id = ?`), "b", "t1").Scan(&owned); err != nil || owned != 7 {
			t.Fatalf("after going back, b owns %d by t1 (%v)", owned, err)
		}
	})
}

// placeholders numbers a query's ? placeholders as $n for PostgreSQL.
func placeholders(d Dialect, q string) string {
	if d != Postgres {
		return q
	}
	var out strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			out.WriteString("$" + strconv.Itoa(n))
			continue
		}
		out.WriteRune(c)
	}
	return out.String()
}

// forEachDatabase runs fn as a subtest on a store opened on a new SQLite
// file and, when TENANTRY_TEST_POSTGRES is set, on a new PostgreSQL
// database; each is closed after fn.
func forEachDatabase(t *testing.T, fn func(t *testing.T, d *DB)) {
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "t.db")}
	if dsn := os.Getenv("TENANTRY_TEST_POSTGRES"); dsn != "" {
		dsns["postgres"] = freshPostgres(t, dsn)
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			d, err := Open(context.Background(), dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			fn(t, d)
		})
	}
}

// freshPostgres creates an empty database on dsn's server for one test and
// returns its DSN; it is dropped when the test ends.
func freshPostgres(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 8)
	rand.Read(b)
	name := "tenantry_m_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if admin, err := sql.Open("pgx", dsn); err == nil {
			admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			admin.Close()
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
