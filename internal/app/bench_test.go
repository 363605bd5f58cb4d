package app_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/sqlstore"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
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
			db, a := benchApp(b, be)
			orgID := uuid.Must(uuid.NewV7()).String()
			owner := &tenantry.User{ID: uuid.Must(uuid.NewV7()).String(), OrgID: orgID, Kind: tenantry.UserHuman,
				Status: tenantry.UserActive, Email: "owner@bench.example", Login: "owner@bench.example", FirstName: "O", LastName: "Owner", Language: "en"}
			err := db.Update(ctx, func(tx tenantry.Tx) error {
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
				// Three API users among the 100,000 people: the users tab
				// lists them apart.
				for i := range 3 {
					if err := tx.CreateUser(ctx, &tenantry.User{ID: uuid.Must(uuid.NewV7()).String(), OrgID: orgID, Kind: tenantry.UserAPI,
						Status: tenantry.UserActive, Login: fmt.Sprintf("900000001_api%d", i), FirstName: fmt.Sprintf("api%d", i)}); err != nil {
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
			machines := tenantry.UserFilter{OrgID: orgID, Kinds: []tenantry.UserKind{tenantry.UserAPI, tenantry.UserService},
				Sort: tenantry.SortFirstName, Limit: 100}
			for _, c := range []struct {
				name   string
				cursor string
				rows   int
			}{{"page1", "", pageSize}, {"page1000", cursor, pageSize}, {"machines", "", 3}} {
				b.Run(c.name, func(b *testing.B) {
					f := filter
					f.Cursor = c.cursor
					if c.name == "machines" {
						f = machines
					}
					b.ReportAllocs()
					for b.Loop() {
						page, _, err := a.ListUsers(ctx, who, f)
						if err != nil || len(page) != c.rows {
							b.Fatalf("%d rows, %v", len(page), err)
						}
					}
				})
			}
		})
	}
}

// benchAccount makes an account with an owner actor and n children.
func benchAccount(b *testing.B, db tenantry.Store, a *app.App, children int) (string, []string, *app.Actor) {
	b.Helper()
	accID := uuid.Must(uuid.NewV7()).String()
	owner := &tenantry.User{ID: uuid.Must(uuid.NewV7()).String(), OrgID: accID, Kind: tenantry.UserHuman,
		Status: tenantry.UserActive, Email: "o@bench.example", Login: "o@bench.example", FirstName: "O", LastName: "O", Language: "en"}
	var kids []string
	err := db.Update(ctx, func(tx tenantry.Tx) error {
		if err := tx.CreateOrg(ctx, &tenantry.Org{ID: accID, AccountID: accID, Kind: tenantry.OrgAccount, Name: "Bench",
			AccountNumber: "900000002", Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect}); err != nil {
			return err
		}
		for i := 0; i < children; i++ {
			id := uuid.Must(uuid.NewV7()).String()
			kids = append(kids, id)
			if err := tx.CreateOrg(ctx, &tenantry.Org{ID: id, ParentID: accID, AccountID: accID, Kind: tenantry.OrgSub,
				Name: fmt.Sprintf("Child %04d", i), Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect}); err != nil {
				return err
			}
		}
		return tx.CreateUser(ctx, owner)
	})
	if err != nil {
		b.Fatal(err)
	}
	return accID, kids, app.NewActorForTest(a, owner, []tenantry.Grant{{OrgID: accID, Role: "owner"}})
}

// BenchmarkTransferMillion moves 1,000,000 SIMs given as 1,000 ranges,
// down to a child and back up on alternate rounds: one op is one whole
// transfer in one transaction. "full" has a SIM for every ICCID of the
// ranges, as cards come from the factory; "sparse" only every other one,
// so splitting a range counts SIMs.
func BenchmarkTransferMillion(b *testing.B) {
	for _, be := range sqltest.Backends() {
		for _, stride := range []int{1, 2} {
			name := map[int]string{1: "full", 2: "sparse"}[stride]
			b.Run(be.Name+"/"+name, func(b *testing.B) {
				benchTransfer(b, be, 1_000_000, stride, 1000)
			})
		}
	}
}

// BenchmarkTransferOneRange moves one range of 100,000 SIMs down to a
// child and back up on alternate rounds.
func BenchmarkTransferOneRange(b *testing.B) {
	for _, be := range sqltest.Backends() {
		b.Run(be.Name, func(b *testing.B) { benchTransfer(b, be, 100_000, 1, 1) })
	}
}

// benchTransfer loads total SIMs, one every stride ICCIDs, and times the
// transfer of all of them given as n ranges.
func benchTransfer(b *testing.B, be sqltest.Backend, total, stride, n int) {
	db, a := benchApp(b, be)
	acc, kids, owner := benchAccount(b, db, a, 1)
	benchLoad(b, db, acc, total, stride)
	var ranges []sims.Range
	per := total / n * stride
	for r := 0; r < n; r++ {
		ranges = append(ranges, sims.Range{Start: storetest.ICCID(r * per), End: storetest.ICCID(r*per + per - 1)})
	}
	from, to := acc, kids[0]
	b.ResetTimer()
	for b.Loop() {
		res, err := a.Transfer(ctx, owner, app.TransferRequest{From: from, To: to, Ranges: ranges})
		if err != nil || res.Moved != int64(total) {
			b.Fatalf("moved %v: %v", res, err)
		}
		from, to = to, from
	}
}

// BenchmarkChildTotals lists 1,000 children with their SIM totals.
func BenchmarkChildTotals(b *testing.B) {
	for _, be := range sqltest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			db, a := benchApp(b, be)
			acc, _, owner := benchAccount(b, db, a, 1000)
			b.ReportAllocs()
			for b.Loop() {
				kids, err := a.ChildOrgs(ctx, owner, acc)
				if err != nil || len(kids) != 1000 {
					b.Fatalf("%d children: %v", len(kids), err)
				}
			}
		})
	}
}

// benchApp opens a fresh store of be and an app over it with the default
// configuration.
func benchApp(b *testing.B, be sqltest.Backend) (*sqlstore.DB, *app.App) {
	b.Helper()
	db := be.Open(b, nil)
	a, err := app.New(db, policy.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)), testConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	return db, a
}

// testConfig is the default configuration with the tests' sealing key.
func testConfig() app.Config {
	cfg := app.DefaultConfig()
	cfg.SecretKey = sqltest.SecretKey
	return cfg
}

// benchLoad gives acc total SIMs, one every stride ICCIDs, in one
// transaction.
func benchLoad(b *testing.B, db *sqlstore.DB, acc string, total, stride int) {
	b.Helper()
	err := db.Update(ctx, func(tx tenantry.Tx) error {
		batch := make([]string, 0, 10_000)
		for i := 0; i < total; i++ {
			batch = append(batch, storetest.ICCID(i*stride))
			if len(batch) == cap(batch) || i == total-1 {
				if err := tx.InsertSIMs(ctx, acc, tenantry.SIMActive, "", batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		return tx.AddSIMCount(ctx, acc, int64(total))
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSIMList reads an account's SIMs after every other range of
// 1,000 of its 1,000,000 went to a child (500 ranges each): the first
// page of 50, a page from the middle, a page by prefix, and the CSV
// export's walk over all 500,000.
func BenchmarkSIMList(b *testing.B) {
	for _, be := range sqltest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			db, a := benchApp(b, be)
			acc, kids, owner := benchAccount(b, db, a, 1)
			benchLoad(b, db, acc, 1_000_000, 1)
			var ranges []sims.Range
			for r := 0; r < 1000; r += 2 {
				ranges = append(ranges, sims.Range{Start: storetest.ICCID(r * 1000), End: storetest.ICCID(r*1000 + 999)})
			}
			if _, err := a.Transfer(ctx, owner, app.TransferRequest{From: acc, To: kids[0], Ranges: ranges}); err != nil {
				b.Fatal(err)
			}
			if err := db.Analyze(ctx); err != nil {
				b.Fatal(err)
			}
			middle := base64.RawURLEncoding.EncodeToString([]byte(storetest.ICCID(500_499)))
			for _, c := range []struct {
				name string
				f    tenantry.SIMFilter
			}{
				{"first", tenantry.SIMFilter{OrgID: acc, Limit: 50}},
				{"middle", tenantry.SIMFilter{OrgID: acc, Limit: 50, Cursor: middle}},
				{"prefix", tenantry.SIMFilter{OrgID: acc, Limit: 50, Prefix: storetest.ICCID(777_000)[:15]}},
			} {
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						list, _, err := a.ListSIMs(ctx, owner, c.f)
						if err != nil || len(list) != 50 {
							b.Fatalf("%d SIMs: %v", len(list), err)
						}
					}
				})
			}
			b.Run("export", func(b *testing.B) {
				for b.Loop() {
					n := 0
					err := a.ExportSIMs(ctx, owner, tenantry.SIMFilter{OrgID: acc}, func(page []*tenantry.SIM) error { n += len(page); return nil })
					if err != nil || n != 500_000 {
						b.Fatalf("exported %d: %v", n, err)
					}
				}
			})
		})
	}
}
