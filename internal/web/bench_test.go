package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// BenchmarkUserListPage loads the users tab of an account with 100,000
// people over real HTTP on loopback, from 4 concurrent browsers' worth of
// requests, and reports the time to first byte (median and p99) and the
// page weight: the HTML plus its stylesheet and script, uncompressed
// (page-KiB) and as they go to a browser (wire-KiB: the stylesheet and
// script gzipped, the HTML as it is).
//
//	go test ./internal/web -run XXX -bench UserListPage -benchtime 2000x -count 5
func BenchmarkUserListPage(b *testing.B) {
	s := newSite(b)
	ctx := context.Background()
	err := s.DB.Update(ctx, func(tx tenantry.Tx) error {
		for i := range 100_000 {
			u := &tenantry.User{ID: uuid.Must(uuid.NewV7()).String(), OrgID: s.account.ID, Kind: tenantry.UserHuman,
				Status: tenantry.UserActive, Email: fmt.Sprintf("u%06d@bench.example", i), Login: fmt.Sprintf("u%06d@bench.example", i),
				FirstName: fmt.Sprintf("First%d", i%977), LastName: fmt.Sprintf("L%05dson", (i*7919)%100_000), Language: "en"}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			if err := tx.CreateGrant(ctx, &tenantry.Grant{ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, OrgID: s.account.ID, Role: "user"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	form := url.Values{"login": {"olivia@acme.example"}, "password": {password}}
	req, _ := http.NewRequest("POST", s.URL+"/signin", stringsReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()

	page := s.URL + "/users?org=" + s.account.ID
	html := get(b, client, page)
	weight, wire := len(html), len(html)
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, m := range regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(html, -1) {
		weight += len(get(b, client, s.URL+m[1]))
		req, _ := http.NewRequest("GET", s.URL+m[1], nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd") // as Chromium asks
		res, err := raw.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		wire += int(n)
	}
	if n := len(regexp.MustCompile(`<tr>`).FindAllString(html, -1)); n < 50 {
		b.Fatalf("the page lists %d rows, want 50", n)
	}

	const workers = 4
	ttfb := make([]time.Duration, 0, b.N)
	var mu sync.Mutex
	work := make(chan struct{}, b.N)
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	b.ResetTimer()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range work {
				var start time.Time
				var first time.Duration
				trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { first = time.Since(start) }}
				req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "GET", page, nil)
				start = time.Now()
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Errorf("status %d", res.StatusCode)
					return
				}
				mu.Lock()
				ttfb = append(ttfb, first)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(ttfb)
	b.ReportMetric(float64(ttfb[len(ttfb)/2].Microseconds())/1000, "ttfb-p50-ms")
	b.ReportMetric(float64(ttfb[len(ttfb)*99/100].Microseconds())/1000, "ttfb-p99-ms")
	b.ReportMetric(float64(weight)/1024, "page-KiB")
	b.ReportMetric(float64(wire)/1024, "wire-KiB")
}

func get(b *testing.B, c *http.Client, u string) string {
	b.Helper()
	res, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		b.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	return string(body)
}
