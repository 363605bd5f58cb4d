package app_test

import (
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/sqlstore"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// TestBackupUnderWritesRestoresWhole is issue 11's item 7: a cp of the
// live SQLite file was corrupt 3 times out of 3. A backup taken while
// users are being created restores to a database that passes
// integrity_check, in which every user has its roles and its audit event,
// and on which Tenantry signs people in.
func TestBackupUnderWritesRestoresWhole(t *testing.T) {
	{
		forEachBackend(t, func(t *testing.T, e *env) {
			if e.db.Dialect() != sqlstore.SQLite {
				return // PostgreSQL is backed up with pg_dump
			}
			op := e.operator()
			acc, owner := e.account(op, "o@example.com")
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 60 {
					if _, err := e.app.CreateUser(ctx, owner, acc.ID, app.NewUser{Email: fmt.Sprintf("u%d@example.com", i),
						FirstName: "U", LastName: "N", Roles: []string{"user"}}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			dir := t.TempDir()
			backup := filepath.Join(dir, "backup.db")
			e.must(e.db.Backup(ctx, backup))
			wg.Wait()
			if err := e.db.Backup(ctx, backup); err == nil {
				t.Fatal("a backup over an existing file")
			}
			restored := filepath.Join(dir, "restored", "tenantry.db")
			e.must(sqlstore.Restore(ctx, backup, restored))
			raw, err := sql.Open("sqlite", "file:"+restored)
			e.must(err)
			defer raw.Close()
			var check string
			var users, withoutRoles, withoutEvent int
			raw.QueryRow(`PRAGMA integrity_check`).Scan(&check)
			raw.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&users)
			raw.QueryRow(`SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.user_id = u.id)`).Scan(&withoutRoles)
			raw.QueryRow(`SELECT COUNT(*) FROM users u WHERE u.login LIKE 'u%@example.com'
				AND NOT EXISTS (SELECT 1 FROM events e WHERE e.action = 'user.create' AND e.target_id = u.id)`).Scan(&withoutEvent)
			if check != "ok" || users < 2 || withoutRoles != 0 || withoutEvent != 0 {
				t.Fatalf("restored: integrity %q, %d users, %d without roles, %d without their event", check, users, withoutRoles, withoutEvent)
			}
			db, err := sqlstore.Open(ctx, restored, e.clock.Now)
			e.must(err)
			defer db.Close()
			cfg := app.DefaultConfig()
			cfg.SecretKey, cfg.Now = sqltest.SecretKey, e.clock.Now
			a, err := app.New(db, policy.Default(), slog.New(slog.DiscardHandler), cfg, nil)
			if err == nil {
				_, err = a.SignIn(ctx, "o@example.com", pw, "", "", "")
			}
			e.must(err)
		})
	}
}
