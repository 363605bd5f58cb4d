package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// BenchmarkSCIMList lists an org of 100,000 people over SCIM on loopback
// HTTP, as a directory does: the first page of 100, the last page of 100
// (startIndex 99,901), and a userName filter, each with totalResults.
func BenchmarkSCIMList(b *testing.B) {
	const people = 100_000
	ctx := context.Background()
	for _, be := range sqltest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			token := app.SCIMTokenPrefix + "bench-token-0123456789"
			base := benchServer(b, be, func(db tenantry.Store) error {
				return db.Update(ctx, func(tx tenantry.Tx) error {
					svc := &tenantry.User{ID: "svc", OrgID: "acc", Kind: tenantry.UserService, Status: tenantry.UserActive,
						Login: "scim:acc", FirstName: "SCIM", LastName: "directory", Language: "en"}
					if err := tx.CreateUser(ctx, svc); err != nil {
						return err
					}
					if err := tx.CreateGrant(ctx, &tenantry.Grant{ID: "svc-admin", UserID: "svc", OrgID: "acc", Role: "admin"}); err != nil {
						return err
					}
					if err := tx.PutSCIMConnection(ctx, &tenantry.SCIMConnection{OrgID: "acc", UserID: "svc", TokenHash: auth.HashToken(token),
						TokenHint: "6789", DefaultRole: "read_only", OnDelete: tenantry.SCIMDeactivate}); err != nil {
						return err
					}
					for i := range people {
						login := fmt.Sprintf("u%06d@bench.example", i)
						if err := tx.CreateUser(ctx, &tenantry.User{ID: fmt.Sprintf("u%06d", i), OrgID: "acc", Kind: tenantry.UserHuman,
							Status: tenantry.UserActive, Email: login, Login: login, FirstName: "First", LastName: fmt.Sprintf("L%06d", i),
							Language: "en", ExternalID: fmt.Sprintf("ext-%06d", i), SCIMManaged: true}); err != nil {
							return err
						}
					}
					return nil
				})
			})
			for _, c := range []struct{ name, query string }{
				{"first-100", "startIndex=1&count=100"},
				{"last-100", "startIndex=99901&count=100"},
				{"filter-userName", "filter=" + url.QueryEscape(`userName eq "u050000@bench.example"`)},
			} {
				b.Run(c.name, func(b *testing.B) {
					req, _ := http.NewRequest("GET", base+"/scim/v2/Users?"+c.query, nil)
					req.Header.Set("Authorization", "Bearer "+token)
					b.ReportAllocs()
					cpu := processCPU()
					for b.Loop() {
						res, err := http.DefaultClient.Do(req)
						if err != nil {
							b.Fatal(err)
						}
						body, _ := io.ReadAll(res.Body)
						res.Body.Close()
						if res.StatusCode != 200 || !strings.Contains(string(body), `"totalResults":`) {
							b.Fatalf("%d %s", res.StatusCode, body[:min(len(body), 300)])
						}
					}
					b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
				})
			}
		})
	}
}
