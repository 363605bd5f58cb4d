package server_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// BenchmarkDecisions is the load run of AuthZEN access evaluations over
// HTTP on loopback: requests paced at 1,000 per second (open loop: each
// latency counts from when its request was due, so a slow answer cannot
// hide the ones queued behind it), on each database, p50/p99 and the
// process's CPU time per decision (server and generator together). Run
// with -cpu 1 for "one core". It stops after b.N decisions.
func BenchmarkDecisions(b *testing.B) {
	for _, be := range sqltest.Backends() {
		base, _, _, a := oauthServer(b, be)
		ctx := context.Background()
		boot, err := a.Bootstrap(ctx, false)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.SetPassword(ctx, boot.Link[strings.Index(boot.Link, "token=")+6:], benchPassword, ""); err != nil {
			b.Fatal(err)
		}
		op, err := a.SignIn(ctx, app.OperatorLogin, benchPassword, "", "", "")
		if err != nil {
			b.Fatal(err)
		}
		v, secret, err := a.CreateClient(ctx, op.Actor, op.Actor.User.OrgID, app.NewClient{Name: "dash", Roles: []string{"application"}})
		if err != nil {
			b.Fatal(err)
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		token := grant(b, client, base, v.Login, secret)
		body := `{"subject":{"type":"user","id":"owner"},"action":{"name":"users.see_all"},"resource":{"type":"organization","id":"acc"}}`
		b.Run("evaluation-"+be.Name, func(b *testing.B) {
			const rate = 1000 // per second
			lat := make([]time.Duration, b.N)
			due := make(chan int, 64)
			var wg sync.WaitGroup
			start := time.Now()
			cpu0 := cpuTime()
			for range 8 {
				wg.Go(func() {
					for i := range due {
						at := start.Add(time.Duration(i) * time.Second / rate)
						req, _ := http.NewRequest("POST", base+"/access/v1/evaluation", strings.NewReader(body))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+token)
						res, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						raw, _ := io.ReadAll(res.Body)
						res.Body.Close()
						if res.StatusCode != 200 || !strings.Contains(string(raw), `"decision":true`) {
							b.Errorf("evaluation: %d %s", res.StatusCode, raw)
							return
						}
						lat[i] = time.Since(at)
					}
				})
			}
			for i := range b.N {
				time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / rate)))
				due <- i
			}
			close(due)
			wg.Wait()
			cpu := cpuTime() - cpu0
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
