package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/server"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// oauthServer starts a real server on loopback with one account, an owner
// and an API client, and returns its URL, the client's credentials and the app.
func oauthServer(b *testing.B, be sqltest.Backend) (string, string, string, *app.App) {
	b.Helper()
	db := be.Open(b, nil)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := app.DefaultConfig()
	cfg.SecretKey = sqltest.SecretKey
	cfg.PublicURL = "http://127.0.0.1"
	cfg.TokenRatePerClient, cfg.TokenRatePerAddress = 0, 0 // the load generator is one client on one address
	a, err := app.New(db, policy.Default(), log, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := a.RotateKeys(ctx); err != nil {
		b.Fatal(err)
	}
	owner := &tenantry.User{ID: "owner", OrgID: "acc", Kind: tenantry.UserHuman, Status: tenantry.UserActive,
		Email: "o@bench.example", Login: "o@bench.example", FirstName: "O", LastName: "O", Language: "en",
		PasswordHash: auth.HashPassword(benchPassword, auth.Params{Memory: 64, Time: 1, Threads: 1})}
	err = db.Update(ctx, func(tx tenantry.Tx) error {
		if err := tx.CreateOrg(ctx, &tenantry.Org{ID: "acc", AccountID: "acc", Kind: tenantry.OrgAccount, Name: "Bench",
			AccountNumber: "123456789", Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect}); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, owner); err != nil {
			return err
		}
		return tx.CreateGrant(ctx, &tenantry.Grant{ID: "g", UserID: "owner", OrgID: "acc", Role: "owner"})
	})
	if err != nil {
		b.Fatal(err)
	}
	signed, err := a.SignIn(ctx, owner.Login, benchPassword, "", "", "")
	if err != nil {
		b.Fatal(err)
	}
	_, secret, err := a.CreateClient(ctx, signed.Actor, "acc", app.NewClient{Name: "load"})
	if err != nil {
		b.Fatal(err)
	}
	h, err := server.New(a, log, server.Config{PublicURL: cfg.PublicURL})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return srv.URL, "123456789_load", secret, a
}

func grant(b *testing.B, c *http.Client, base, id, secret string) string {
	req, _ := http.NewRequest("POST", base+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("grant: %d %s", res.StatusCode, raw)
	}
	s := string(raw)
	i := strings.Index(s, `"access_token":"`) + len(`"access_token":"`)
	return s[i : i+strings.IndexByte(s[i:], '"')]
}

// BenchmarkOAuth is the load run of the token endpoint and of bearer
// requests over HTTP with keep-alive on loopback, on each database. It
// stops by itself after b.N requests per sub-benchmark.
func BenchmarkOAuth(b *testing.B) {
	for _, be := range sqltest.Backends() {
		base, id, secret, _ := oauthServer(b, be)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		b.Run("grant-"+be.Name, func(b *testing.B) {
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					grant(b, client, base, id, secret)
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "grants/s")
		})
		token := grant(b, client, base, id, secret)
		b.Run("bearer-request-"+be.Name, func(b *testing.B) {
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("GET", base+"/api/v1/orgs/acc/sims?limit=1", nil)
					req.Header.Set("Authorization", "Bearer "+token)
					res, err := client.Do(req)
					if err != nil || res.StatusCode != 200 {
						b.Fatalf("bearer request: %v %v", res, err)
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
		b.Run("introspect-"+be.Name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			form := url.Values{"token": {token}}.Encode()
			for b.Loop() {
				start := time.Now()
				req, _ := http.NewRequest("POST", base+"/oauth2/introspect", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(id, secret)
				res, err := client.Do(req)
				if err != nil || res.StatusCode != 200 {
					b.Fatalf("introspect: %v %v", res, err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat = append(lat, time.Since(start))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		})
	}
}
