package app_test

import (
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// BenchmarkListUsers lists a 50-row page of one account with 100,000 users,
// filtered by a last-name prefix that 60,000 of them share, on page 1 and
// on page 1,000 (reached by following next_cursor), through the one door:
// policy check, keyset query and the page's roles.
func BenchmarkListUsers(b *testing.B) {
	const users, pageSize = 100_000, 50
	for _, be := range sqltest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			db := be.Open(b, nil)
			a, err := app.New(db, policy.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)), app.DefaultConfig(), nil)
			if err != nil {
				b.Fatal(err)
			}
			orgID := uuid.Must(uuid.NewV7()).String()
			owner := &tenantry.User{ID: uuid.Must(uuid.NewV7()).String(), OrgID: orgID, Kind: tenantry.UserHuman,
				Status: tenantry.UserActive, Email: "owner@bench.example", Login: "owner@bench.example", FirstName: "O", LastName: "Owner", Language: "en"}
			err = db.Update(ctx, func(tx tenantry.Tx) error {
				if err := tx.CreateOrg(ctx, &tenantry.Org{ID: orgID, AccountID: orgID, Kind: tenantry.OrgAccount, Name: "Bench",
					AccountNumber: "900000001", Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect}); err != nil {
					return err
				}
				if err := tx.CreateUser(ctx, owner); err != nil {
					return err
				}
				if err := tx.CreateGrant(ctx, &tenantry.Grant{ID: uuid.Must(uuid.NewV7()).String(), UserID: owner.ID, OrgID: orgID, Role: "owner"}); err != nil {
					return err
				}
				letters := "MMMMMMABCD" // six in ten last names start with M
				for i := 0; i < users; i++ {
					u := &tenantry.User{ID: uuid.Must(uuid.NewV7()).String(), OrgID: orgID, Kind: tenantry.UserHuman,
						Status: tenantry.UserActive, Email: fmt.Sprintf("u%06d@bench.example", i), Login: fmt.Sprintf("u%06d@bench.example", i),
						FirstName: fmt.Sprintf("First%d", i%977), LastName: fmt.Sprintf("%c%05dson", letters[i%10], (i*7919)%100_000), Language: "en"}
					if err := tx.CreateUser(ctx, u); err != nil {
						return err
					}
					if err := tx.CreateGrant(ctx, &tenantry.Grant{ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, OrgID: orgID, Role: "user"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			who := app.NewActorForTest(a, owner, []tenantry.Grant{{OrgID: orgID, Role: "owner"}})
			filter := tenantry.UserFilter{OrgID: orgID, LastName: "m", Sort: tenantry.SortLastName, Limit: pageSize}
			cursor := ""
			for page := 1; page < 1000; page++ {
				f := filter
				f.Cursor = cursor
				_, next, err := a.ListUsers(ctx, who, f)
				if err != nil || next == "" {
					b.Fatalf("page %d: %v", page, err)
				}
				cursor = next
			}
			for _, c := range []struct {
				name   string
				cursor string
			}{{"page1", ""}, {"page1000", cursor}} {
				b.Run(c.name, func(b *testing.B) {
					f := filter
					f.Cursor = c.cursor
					b.ReportAllocs()
					for b.Loop() {
						page, _, err := a.ListUsers(ctx, who, f)
						if err != nil || len(page) != pageSize {
							b.Fatalf("%d rows, %v", len(page), err)
						}
					}
				})
			}
		})
	}
}
