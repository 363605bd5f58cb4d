// Package load drives a running Tenantry over HTTP on 127.0.0.1 and says
// what it cost: requests a second, latency percentiles and errors (from
// vegeta, used as a library), and, read from /proc, the server's CPU time
// per request and its peak resident memory. Each scenario prepares what it
// needs through the API (clients, tokens, a relying party), attacks at a
// fixed rate for a fixed time, and stops.
package load

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/tenantry/tenantry/internal/sims"
)

// Options say whom to load and how hard.
type Options struct {
	// URL is the server's base URL; only loopback addresses are accepted.
	URL string
	// Password is the demo logins' password (serve --demo prints it):
	// operator and owner@demo.example prepare the scenarios.
	Password string
	// PID is the server's process, for its CPU time and memory; 0 reads
	// nothing.
	PID int
	// Rate is requests a second; Duration how long; Clients how many API
	// clients the grants scenario spreads its requests over.
	Rate     int
	Duration time.Duration
	Clients  int
	// Warmup runs the scenario at a fifth of the rate before measuring.
	Warmup time.Duration
	// SIMs is how many SIMs the transfers scenario loads into the demo
	// account, and Ranges how many ranges each transfer gives them as.
	SIMs, Ranges int
}

// Seed imports n people into the demo owner's account first, in batches
// of 5,000 without mail, so that list pages are measured at a real size.
// It returns how long the import took.
func Seed(ctx context.Context, o Options, n int) (time.Duration, error) {
	if err := loopback(o.URL); err != nil {
		return 0, err
	}
	s := &session{base: strings.TrimRight(o.URL, "/"), http: &http.Client{Timeout: 5 * time.Minute}}
	jar, org, err := s.signIn(ctx, demoOwner, o.Password)
	if err != nil {
		return 0, fmt.Errorf("sign in as %s: %w", demoOwner, err)
	}
	start, run := time.Now(), time.Now().UnixNano()%1e6
	for done := 0; done < n; {
		batch := min(5000, n-done)
		users := make([]map[string]any, 0, batch)
		for i := range batch {
			users = append(users, map[string]any{"email": fmt.Sprintf("seed%d-%07d@load.example", run, done+i),
				"first_name": "Seed", "last_name": fmt.Sprintf("Person%07d", done+i), "roles": []string{"read_only"}})
		}
		if err := s.call(ctx, jar, "", http.MethodPost, "/api/v1/orgs/"+org+"/users/import",
			map[string]any{"users": users, "send_activation": false}, nil); err != nil {
			return 0, err
		}
		done += batch
	}
	return time.Since(start), nil
}

// Scenarios names what Run can do, in the order a full run takes them.
var Scenarios = []string{"grants", "reads", "decisions", "portal", "signins", "transfers", "mixed"}

// Result is one scenario's figures.
type Result struct {
	Scenario  string
	Rate      int
	Requests  uint64
	Achieved  float64 // requests a second actually sent
	Success   float64 // share of 2xx/3xx answers
	P50, P99  time.Duration
	Max       time.Duration
	Codes     map[string]int
	Errors    []string
	ServerCPU time.Duration // user + system, during the measured part
	PeakRSS   int64         // bytes, sampled during the measured part
	HWM       int64         // bytes, the process's peak since it started
}

// CPUPerRequest is the server's CPU time per request measured.
func (r Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.ServerCPU / time.Duration(r.Requests)
}

func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-9s %5d/s asked  %7.0f/s sent  %6d requests  %6.2f%% ok  p50 %-9s p99 %-9s max %-9s",
		r.Scenario, r.Rate, r.Achieved, r.Requests, r.Success*100, round(r.P50), round(r.P99), round(r.Max))
	if r.ServerCPU > 0 {
		fmt.Fprintf(&b, "  server CPU %s/request  peak RSS %d MB (since start %d MB)", round(r.CPUPerRequest()),
			r.PeakRSS>>20, r.HWM>>20)
	}
	if len(r.Codes) > 0 {
		fmt.Fprintf(&b, "  codes %v", r.Codes)
	}
	for i, e := range r.Errors {
		if i == 3 {
			fmt.Fprintf(&b, "\n  … %d more errors", len(r.Errors)-3)
			break
		}
		fmt.Fprintf(&b, "\n  error: %s", e)
	}
	return b.String()
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// Run prepares scenario against the server and measures it.
func Run(ctx context.Context, o Options, scenario string) (Result, error) {
	if err := loopback(o.URL); err != nil {
		return Result{}, err
	}
	o.URL = strings.TrimRight(o.URL, "/")
	s := &session{base: o.URL, http: &http.Client{Timeout: 30 * time.Second}}
	targets, err := s.prepare(ctx, o, scenario)
	if err != nil {
		return Result{}, fmt.Errorf("%s: preparing: %w", scenario, err)
	}
	// An attacker stops for good after one attack: each gets its own.
	attacker := func() *vegeta.Attacker {
		return vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true), vegeta.Workers(8),
			vegeta.Connections(64), vegeta.Redirects(vegeta.NoFollow))
	}
	if o.Warmup > 0 {
		for range attacker().Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: max(1, o.Rate/5), Per: time.Second},
			o.Warmup, scenario+"-warmup") {
		}
	}
	res := Result{Scenario: scenario, Rate: o.Rate}
	stop := make(chan struct{})
	sampled := make(chan int64)
	cpuBefore, _ := cpuTime(o.PID)
	go func() { sampled <- sampleRSS(o.PID, stop) }()
	var m vegeta.Metrics
	for r := range attacker().Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: o.Rate, Per: time.Second},
		o.Duration, scenario) {
		m.Add(r)
	}
	m.Close()
	close(stop)
	res.PeakRSS = <-sampled
	if cpuAfter, err := cpuTime(o.PID); err == nil {
		res.ServerCPU = cpuAfter - cpuBefore
	}
	res.HWM, _ = status(o.PID, "VmHWM:")
	res.Requests, res.Achieved, res.Success = m.Requests, m.Rate, m.Success
	res.P50, res.P99, res.Max = m.Latencies.P50, m.Latencies.P99, m.Latencies.Max
	res.Codes, res.Errors = m.StatusCodes, m.Errors
	return res, nil
}

// loopback refuses a URL that is not on this machine: load runs target
// 127.0.0.1 only.
func loopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("--url %q: give http://127.0.0.1:PORT", raw)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--url %q: load runs only target a loopback address such as 127.0.0.1", raw)
	}
	return nil
}

// session is the HTTP client that prepares a scenario.
type session struct {
	base string
	http *http.Client
}

// call sends a JSON request with a cookie jar (nil for none) or a bearer
// token, and decodes a JSON answer into out.
func (s *session) call(ctx context.Context, jar http.CookieJar, bearer, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	c := *s.http
	c.Jar = jar
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// signIn opens a session for login and returns its cookie jar and org.
func (s *session) signIn(ctx context.Context, login, password string) (http.CookieJar, string, error) {
	jar, _ := cookiejar.New(nil)
	var out struct {
		User struct {
			ID    string `json:"id"`
			OrgID string `json:"org_id"`
		} `json:"user"`
	}
	err := s.call(ctx, jar, "", http.MethodPost, "/api/v1/session", map[string]string{"login": login, "password": password}, &out)
	return jar, out.User.OrgID, err
}

// grant asks the token endpoint for a client's access token.
func (s *session) grant(ctx context.Context, id, secret string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/oauth2/token",
		strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := s.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		return "", fmt.Errorf("token for %s: %s", id, resp.Status)
	}
	return out.AccessToken, nil
}

// client makes an API user in org and returns its credentials; the name
// is made unique, so runs may repeat against one server.
func (s *session) client(ctx context.Context, jar http.CookieJar, org, name string) (string, string, error) {
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	body := map[string]any{"name": fmt.Sprintf("%s-%d", name, time.Now().UnixNano()%1e9)}
	err := s.call(ctx, jar, "", http.MethodPost, "/api/v1/orgs/"+org+"/clients", body, &out)
	return out.ClientID, out.ClientSecret, err
}

const demoOwner = "owner@demo.example"

// prepare makes what a scenario needs and returns its requests, which
// the attack sends round-robin.
func (s *session) prepare(ctx context.Context, o Options, scenario string) ([]vegeta.Target, error) {
	jar, org, err := s.signIn(ctx, demoOwner, o.Password)
	if err != nil {
		return nil, fmt.Errorf("sign in as %s (give the demo's password): %w", demoOwner, err)
	}
	switch scenario {
	case "grants":
		var out []vegeta.Target
		for i := range max(1, o.Clients) {
			id, secret, err := s.client(ctx, jar, org, fmt.Sprintf("load%02d", i))
			if err != nil {
				return nil, err
			}
			basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
			out = append(out, vegeta.Target{Method: http.MethodPost, URL: s.base + "/oauth2/token",
				Body: []byte("grant_type=client_credentials"), Header: http.Header{"Authorization": {"Basic " + basic},
					"Content-Type": {"application/x-www-form-urlencoded"}}})
		}
		return out, nil
	case "reads":
		// The users list is the Management API: an Owner's personal
		// access token reads it (R3).
		var pat struct {
			Token string `json:"token"`
		}
		if err := s.call(ctx, jar, "", http.MethodPost, "/api/v1/me/tokens",
			map[string]any{"name": fmt.Sprintf("load-%d", time.Now().UnixNano()%1e9), "expires_in_days": 1}, &pat); err != nil {
			return nil, err
		}
		token := pat.Token
		return []vegeta.Target{{Method: http.MethodGet, URL: s.base + "/api/v1/orgs/" + org + "/users?limit=50",
			Header: http.Header{"Authorization": {"Bearer " + token}}}}, nil
	case "decisions":
		return s.decisions(ctx, o, org)
	case "portal":
		return []vegeta.Target{{Method: http.MethodGet, URL: s.base + "/users?org=" + org,
			Header: http.Header{"Cookie": {cookieHeader(jar, s.base)}}}}, nil
	case "signins":
		body, _ := json.Marshal(map[string]string{"login": demoOwner, "password": o.Password})
		return []vegeta.Target{{Method: http.MethodPost, URL: s.base + "/api/v1/session", Body: body,
			Header: http.Header{"Content-Type": {"application/json"}}}}, nil
	case "transfers":
		return s.transfers(ctx, o, jar, org)
	case "mixed":
		// What a portal's day looks like: mostly reads, then pages,
		// decisions and grants.
		var out []vegeta.Target
		for _, part := range []struct {
			scenario string
			weight   int
		}{{"reads", 4}, {"portal", 2}, {"decisions", 2}, {"grants", 2}} {
			oo := o
			oo.Clients = 2
			ts, err := s.prepare(ctx, oo, part.scenario)
			if err != nil {
				return nil, err
			}
			for i := range part.weight {
				out = append(out, ts[i%len(ts)])
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("no scenario %q: choose one of %s", scenario, strings.Join(Scenarios, ", "))
}

// transfers loads o.SIMs new SIMs into the demo account as the operator
// and returns two transfers of them all, given as o.Ranges ranges: down
// to the account's first sub-organization and back up, which the attack
// sends in turn.
func (s *session) transfers(ctx context.Context, o Options, jar http.CookieJar, org string) ([]vegeta.Target, error) {
	total, n := max(1, o.SIMs), max(1, min(o.Ranges, o.SIMs))
	opJar, _, err := s.signIn(ctx, "operator", o.Password)
	if err != nil {
		return nil, fmt.Errorf("sign in as operator: %w", err)
	}
	run := time.Now().UnixNano() % 1e6 // new ICCIDs on every run
	iccids := make([]string, total)
	for i := range iccids {
		iccids[i] = sims.WithCheckDigit(fmt.Sprintf("89492%06d%07d", run, i))
	}
	if err := s.call(ctx, opJar, "", http.MethodPost, "/api/v1/accounts/"+org+"/sims", map[string]any{"iccids": iccids}, nil); err != nil {
		return nil, err
	}
	var kids struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := s.call(ctx, jar, "", http.MethodGet, "/api/v1/orgs/"+org+"/children", nil, &kids); err != nil {
		return nil, err
	}
	if len(kids.Items) == 0 {
		return nil, fmt.Errorf("the demo account has no sub-organization to transfer to")
	}
	var ranges []map[string]string
	per := (total + n - 1) / n
	for i := 0; i < total; i += per {
		ranges = append(ranges, map[string]string{"start": iccids[i], "end": iccids[min(i+per, total)-1]})
	}
	cookie := cookieHeader(jar, s.base)
	var out []vegeta.Target
	for _, way := range [][2]string{{org, kids.Items[0].ID}, {kids.Items[0].ID, org}} {
		body, _ := json.Marshal(map[string]any{"from": way[0], "to": way[1], "ranges": ranges})
		out = append(out, vegeta.Target{Method: http.MethodPost, URL: s.base + "/api/v1/transfers", Body: body,
			Header: http.Header{"Cookie": {cookie}, "Content-Type": {"application/json"}}})
	}
	return out, nil
}

// cookieHeader is the Cookie header a browser would send with jar's cookies.
func cookieHeader(jar http.CookieJar, base string) string {
	u, _ := url.Parse(base)
	var cookies []string
	for _, c := range jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	return strings.Join(cookies, "; ")
}

// decisions registers an application as the operator and asks AuthZEN
// whether the demo owner may see the account's users.
func (s *session) decisions(ctx context.Context, o Options, org string) ([]vegeta.Target, error) {
	opJar, _, err := s.signIn(ctx, "operator", o.Password)
	if err != nil {
		return nil, fmt.Errorf("sign in as operator: %w", err)
	}
	var rp struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	name := fmt.Sprintf("load-%d", time.Now().UnixNano()%1e9)
	if err := s.call(ctx, opJar, "", http.MethodPost, "/api/v1/relying-parties",
		map[string]any{"name": name, "redirect_uris": []string{"http://127.0.0.1:9/cb"}}, &rp); err != nil {
		return nil, err
	}
	token, err := s.grant(ctx, rp.ClientID, rp.ClientSecret)
	if err != nil {
		return nil, err
	}
	jar, _, err := s.signIn(ctx, demoOwner, o.Password)
	if err != nil {
		return nil, err
	}
	var me struct {
		ID string `json:"id"`
	}
	if err := s.call(ctx, jar, "", http.MethodGet, "/api/v1/session", nil, &me); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]any{"subject": map[string]string{"type": "user", "id": me.ID},
		"action": map[string]string{"name": "users.see_all"}, "resource": map[string]string{"type": "organization", "id": org}})
	return []vegeta.Target{{Method: http.MethodPost, URL: s.base + "/access/v1/evaluation", Body: body,
		Header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}}}, nil
}
