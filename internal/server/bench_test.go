package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/server"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

const benchPassword = "a long benchmark passphrase"

// BenchmarkSignIn compares a full password sign-in over HTTP on loopback
// (throttle slot, argon2id with the production parameters, session write,
// audit event, cookie) with the raw argon2id check it is built around, in
// one run on the same cores. Each parallel client signs in as a user of
// its own, as people do.
func BenchmarkSignIn(b *testing.B) {
	b.Run("argon2id", func(b *testing.B) {
		// One goroutine per core: the best rate the machine gives.
		hash := auth.HashPassword(benchPassword, auth.DefaultParams)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if ok, _ := auth.CheckPassword(hash, benchPassword); !ok {
					b.Error("mismatch")
				}
			}
		})
	})
	for _, be := range sqltest.Backends() {
		b.Run("http-"+be.Name, func(b *testing.B) {
			const users = 64
			hash := auth.HashPassword(benchPassword, auth.DefaultParams)
			base := benchServer(b, be, func(db tenantry.Store) error {
				return db.Update(context.Background(), func(tx tenantry.Tx) error {
					for i := 0; i < users; i++ {
						login := fmt.Sprintf("u%d@bench.example", i)
						if err := tx.CreateUser(context.Background(), &tenantry.User{ID: fmt.Sprint("u", i), OrgID: "acc", Kind: tenantry.UserHuman,
							Status: tenantry.UserActive, Email: login, Login: login, FirstName: "B", LastName: "U", Language: "en", PasswordHash: hash}); err != nil {
							return err
						}
					}
					return nil
				})
			})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: users}}
			var next atomic.Int32
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				body := fmt.Sprintf(`{"login":"u%d@bench.example","password":%q}`, next.Add(1)-1, benchPassword)
				for pb.Next() {
					res, err := client.Post(base+"/api/v1/session", "application/json", strings.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					msg, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						b.Errorf("status %d: %s", res.StatusCode, msg)
						return
					}
				}
			})
		})
	}
}

// testConfig is the default configuration with the tests' sealing key.
func testConfig() app.Config {
	cfg := app.DefaultConfig()
	cfg.SecretKey = sqltest.SecretKey
	return cfg
}

// benchServer serves Tenantry on loopback over a fresh database of be
// that holds the customer account "acc" and what load writes to it, with
// the planner's statistics refreshed after the load, as autovacuum would
// in time. It returns the server's URL.
func benchServer(b *testing.B, be sqltest.Backend, load func(db tenantry.Store) error) string {
	b.Helper()
	ctx := context.Background()
	db := be.Open(b, nil)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(db, policy.Default(), log, testConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	err = db.Update(ctx, func(tx tenantry.Tx) error {
		return tx.CreateOrg(ctx, &tenantry.Org{ID: "acc", AccountID: "acc", Kind: tenantry.OrgAccount, Name: "Bench",
			AccountNumber: "1", Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect})
	})
	if err == nil {
		err = load(db)
	}
	if err == nil {
		err = db.Analyze(ctx)
	}
	if err != nil {
		b.Fatal(err)
	}
	h, err := server.New(a, log, server.Config{PublicURL: "http://127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return srv.URL
}

// processCPU is the CPU time this process has used, user and system: in a
// loopback benchmark, the server's and the client's, not the database
// server's when that is PostgreSQL.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
