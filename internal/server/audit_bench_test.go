package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// BenchmarkAuditExport streams an org's audit log of 100,000 and of
// 1,000,000 events as CSV over loopback HTTP, and reports the peak of
// the heap in use while it runs: the export holds one batch at a time,
// so ten times the events must not take ten times the memory.
func BenchmarkAuditExport(b *testing.B) {
	ctx := context.Background()
	for _, be := range sqltest.Backends() {
		for _, n := range []int{100_000, 1_000_000} {
			b.Run(fmt.Sprintf("%s/%d", be.Name, n), func(b *testing.B) {
				token := app.PATPrefix + "bench-audit-export"
				base := benchServer(b, be, func(db tenantry.Store) error {
					err := db.Update(ctx, func(tx tenantry.Tx) error {
						if err := tx.CreateUser(ctx, &tenantry.User{ID: "owner", OrgID: "acc", Kind: tenantry.UserHuman, Status: tenantry.UserActive,
							Email: "o@bench.example", Login: "o@bench.example", FirstName: "O", LastName: "Owner", Language: "en"}); err != nil {
							return err
						}
						if err := tx.CreateGrant(ctx, &tenantry.Grant{ID: "g", UserID: "owner", OrgID: "acc", Role: "owner"}); err != nil {
							return err
						}
						return tx.CreatePersonalToken(ctx, &tenantry.PersonalToken{ID: "pat", UserID: "owner", Name: "bench",
							Hash: auth.HashToken(token), ExpiresAt: time.Now().Add(time.Hour)})
					})
					const batch = 10_000
					for done := 0; err == nil && done < n; done += batch {
						err = db.Update(ctx, func(tx tenantry.Tx) error {
							for i := done; i < done+batch; i++ {
								if err := tx.AddEvent(ctx, &tenantry.Event{OrgID: "acc", ActorID: "owner", Action: "user.update", TargetType: "user",
									TargetID: fmt.Sprintf("u%07d", i), IP: "127.0.0.1", Details: map[string]any{"fields": []string{"first_name", "phone"}}}); err != nil {
									return err
								}
							}
							return nil
						})
					}
					return err
				})
				runtime.GC()
				var peak atomic.Uint64
				stop := make(chan struct{})
				done := make(chan struct{})
				go func() {
					defer close(done)
					var m runtime.MemStats
					for {
						runtime.ReadMemStats(&m)
						if m.HeapInuse > peak.Load() {
							peak.Store(m.HeapInuse)
						}
						select {
						case <-stop:
							return
						case <-time.After(20 * time.Millisecond):
						}
					}
				}()
				var bytes int64
				cpu := processCPU()
				for b.Loop() {
					req, _ := http.NewRequest("GET", base+"/api/v1/orgs/acc/events.csv", nil)
					req.Header.Set("Authorization", "Bearer "+token)
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					if bytes, err = io.Copy(io.Discard, res.Body); err != nil || res.StatusCode != 200 {
						b.Fatalf("%d after %d bytes: %v", res.StatusCode, bytes, err)
					}
					res.Body.Close()
				}
				close(stop)
				<-done
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
				b.ReportMetric(float64(bytes)/(1<<20), "MiB-out")
				b.ReportMetric(float64(processCPU()-cpu)/float64(time.Microsecond)/float64(n)/float64(b.N), "cpu-µs/event")
			})
		}
	}
}
