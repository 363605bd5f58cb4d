package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/geo/geotest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
)

func TestVersionMigrateBootstrap(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := Main(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		return out.String()
	}
	if got := run("version"); !strings.HasPrefix(got, "tenantry ") || !strings.Contains(got, " go1.") {
		t.Fatalf("version: %q", got)
	}
	t.Setenv("TENANTRY_DB", db)
	if got := run("migrate"); !strings.Contains(got, "00001 applied  00001_foundation.sql") || !strings.Contains(got, "sqlite database is up to date") {
		t.Fatalf("migrate: %q", got)
	}
	got := run("bootstrap", "--public-url", "https://portal.example.com/")
	if !strings.Contains(got, "Created the platform operator") || !strings.Contains(got, "https://portal.example.com/password?token=") {
		t.Fatalf("bootstrap: %q", got)
	}
	if got := run("bootstrap"); strings.Contains(got, "Created") || !strings.Contains(got, "token=") {
		t.Fatalf("second bootstrap: %q", got)
	}
	var errOut bytes.Buffer
	if code := Main(context.Background(), []string{"serve", "--log-level", "loud"}, io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "--log-level") {
		t.Fatalf("bad flag: exit %d, %q", code, errOut.String())
	}
}

// TestServeDemo runs README's first command on a free port, signs in with
// the printed demo password and lists the demo account's users.
// demo is a serve --demo running in the test process.
type demo struct {
	password, account, addr, metrics string
	stop                             context.CancelFunc // SIGTERM
	exit                             chan int
}

// serveDemo starts serve --demo in a fresh directory with args added and
// reads what it prints until it listens.
func serveDemo(t *testing.T, args ...string) *demo {
	t.Helper()
	return serveDemoLogging(t, io.Discard, args...)
}

// serveDemoLogging is serveDemo with the server's log written to logs.
func serveDemoLogging(t *testing.T, logs io.Writer, args ...string) *demo {
	t.Helper()
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	d := &demo{stop: cancel, exit: make(chan int, 1)}
	pr, pw := io.Pipe()
	go func() {
		d.exit <- Main(ctx, append([]string{"serve", "--demo", "--addr", "127.0.0.1:0"}, args...), pw, logs)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	for d.addr == "" && sc.Scan() {
		line := sc.Text()
		if m := regexp.MustCompile(`password\s+(demo-\S+)`).FindStringSubmatch(line); m != nil {
			d.password = m[1]
		}
		if m := regexp.MustCompile(`account ([0-9a-f-]{36})`).FindStringSubmatch(line); m != nil {
			d.account = m[1]
		}
		if m := regexp.MustCompile(`^metrics on (http://\S+)`).FindStringSubmatch(line); m != nil {
			d.metrics = m[1]
		}
		if m := regexp.MustCompile(`on (127\.0\.0\.1:\d+)`).FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, "metrics") {
			d.addr = m[1]
		}
	}
	go io.Copy(io.Discard, pr)
	if d.password == "" || d.account == "" || d.addr == "" {
		t.Fatalf("serve --demo printed no password, account or address")
	}
	t.Cleanup(cancel)
	return d
}

func TestServeDemo(t *testing.T) {
	d := serveDemo(t)
	password, account, addr := d.password, d.account, d.addr
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	base := "http://" + addr
	res, err := c.Post(base+"/api/v1/session", "application/json",
		strings.NewReader(`{"login":"owner@demo.example","password":"`+password+`"}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("sign in: %v %v", res, err)
	}
	res.Body.Close()
	res, err = c.Get(base + "/api/v1/orgs/" + account + "/users")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("list users: %v %v", res, err)
	}
	var body struct{ Items []struct{ Email string } }
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if len(body.Items) != 5 {
		t.Fatalf("demo account has %d users, want 5", len(body.Items))
	}
	res, err = c.Get(base + "/api/v1/orgs/" + account + "/children")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("children: %v %v", res, err)
	}
	var kids struct{ Items []struct{ ID, Name string } }
	json.NewDecoder(res.Body).Decode(&kids)
	res.Body.Close()

	// An account per other seed portal, each with its catalogue.
	for cat, login := range map[string]string{"partner": "owner@partner.demo.example", "cloud": "backup-admin@cloud.demo.example",
		"hosting": "tech@hosting.demo.example"} {
		jar, _ := cookiejar.New(nil)
		pc := &http.Client{Jar: jar}
		res, err := pc.Post(base+"/api/v1/session", "application/json", strings.NewReader(`{"login":"`+login+`","password":"`+password+`"}`))
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("sign in as %s: %v %v", login, res, err)
		}
		res.Body.Close()
		var sess struct {
			OrgID string `json:"org_id"`
		}
		if res, err = pc.Get(base + "/api/v1/session"); err == nil {
			json.NewDecoder(res.Body).Decode(&sess)
			res.Body.Close()
		}
		res, err = pc.Get(base + "/api/v1/orgs/" + sess.OrgID)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s's org: %v %v", login, res, err)
		}
		var org struct{ Catalogue string }
		json.NewDecoder(res.Body).Decode(&org)
		res.Body.Close()
		if org.Catalogue != cat {
			t.Fatalf("%s's account has catalogue %q, want %s", login, org.Catalogue, cat)
		}
	}

	// The SIM commands, as an operator and as the owner, over the API.
	dir := t.TempDir()
	var lines []string
	for i := 0; i < 20; i++ {
		lines = append(lines, storetest.ICCID(i))
	}
	os.WriteFile(filepath.Join(dir, "inventory.txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "down.csv"), []byte(lines[0]+";"+lines[9]+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "broken.csv"), []byte(lines[0]+";"+lines[9]+";\n"+lines[12]+";"+lines[11]+"\n"), 0o600)
	t.Setenv("TENANTRY_PASSWORD", password)
	run := func(want int, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := Main(context.Background(), append(args, "--server", base), &out, &errOut); code != want {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		return out.String() + errOut.String()
	}
	got := run(0, "sims", "import", "--login", "operator", "--account", account, "--file", filepath.Join(dir, "inventory.txt"))
	if !strings.Contains(got, "loaded 20 SIMs") || !strings.Contains(got, "100%") {
		t.Fatalf("import: %q", got)
	}
	to := kids.Items[0].ID
	got = run(0, "sims", "transfer", "--login", "owner@demo.example", "--from", account, "--to", to, "--file", filepath.Join(dir, "down.csv"), "--dry-run")
	if !strings.Contains(got, "dry run: 10 SIMs would move") {
		t.Fatalf("dry run: %q", got)
	}
	got = run(1, "sims", "transfer", "--login", "owner@demo.example", "--from", account, "--to", to, "--file", filepath.Join(dir, "broken.csv"))
	if !strings.Contains(got, "line 1: trailing semicolon") || !strings.Contains(got, "line 2: start is after end") {
		t.Fatalf("broken file: %q", got)
	}
	got = run(0, "sims", "transfer", "--login", "owner@demo.example", "--from", account, "--to", to, "--file", filepath.Join(dir, "down.csv"))
	if !strings.Contains(got, "moved 10 SIMs") {
		t.Fatalf("transfer: %q", got)
	}
	// The same with an Owner's personal access token instead of a password.
	req, _ := http.NewRequest("POST", base+"/api/v1/me/tokens", strings.NewReader(`{"name":"cli","expires_in_days":1}`))
	req.Header.Set("Content-Type", "application/json")
	res, err = c.Do(req)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("pat: %v %v", res, err)
	}
	var pat struct{ Token string }
	json.NewDecoder(res.Body).Decode(&pat)
	res.Body.Close()
	t.Setenv("TENANTRY_TOKEN", pat.Token)
	got = run(0, "sims", "transfer", "--from", to, "--to", account, "--file", filepath.Join(dir, "down.csv"), "--dry-run")
	if !strings.Contains(got, "dry run: 10 SIMs would move") {
		t.Fatalf("transfer with a token: %q", got)
	}

	// People from a spreadsheet's CSV (semicolons), checked whole, then
	// created in batches without activation mail.
	people := "email;first_name;last_name;roles\nana@bulk.example;Ana;Bulk;user\nbo@bulk.example;Bo;Bulk;viewer\n\"cy@bulk.example\";Cy;;read_only\n"
	os.WriteFile(filepath.Join(dir, "bad.csv"), []byte(people), 0o600)
	got = run(1, "users", "import", filepath.Join(dir, "bad.csv"), "--org", account)
	if !strings.Contains(got, `line 3: roles: "viewer" is not a role`) || !strings.Contains(got, "line 4: last_name") {
		t.Fatalf("a file with bad lines: %q", got)
	}
	var many strings.Builder
	many.WriteString("email,first_name,last_name,roles,language\n")
	for i := range 1200 {
		fmt.Fprintf(&many, "p%04d@bulk.example,Person,No%d,user|read_only,de\n", i, i)
	}
	os.WriteFile(filepath.Join(dir, "many.csv"), []byte(many.String()), 0o600)
	got = run(0, "users", "import", filepath.Join(dir, "many.csv"), "--org", account, "--no-mail", "--batch", "500")
	if !strings.Contains(got, "created 1200 people, invited 0") {
		t.Fatalf("import: %q", got)
	}
	got = run(1, "users", "import", filepath.Join(dir, "many.csv"), "--org", account, "--no-mail")
	if !strings.Contains(got, "belongs to this organization already") || !strings.Contains(got, "line 2:") {
		t.Fatalf("the same file again: %q", got)
	}
	d.stop()
	if code := <-d.exit; code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}

// TestStartUpDoesNoHarm is issue 11's item 14: a second serve reset the
// running demo's passwords before failing to bind; bootstrap printed links
// to 127.0.0.1:8080; mistyped schemes became SQLite files; the printed
// placeholder password passed the rules.
func TestStartUpDoesNoHarm(t *testing.T) {
	t.Chdir(t.TempDir())
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), []string{"serve", "--demo", "--addr", busy.Addr().String()}, &out, &errOut); code == 0 ||
		out.Len() > 0 || !strings.Contains(errOut.String(), "listen on") {
		t.Fatalf("serve on a busy address: exit %d, printed %q, %q", code, out.String(), errOut.String())
	}
	if _, err := os.Stat("tenantry-data/tenantry.db"); !os.IsNotExist(err) {
		t.Fatalf("serve on a busy address touched the database: %v", err)
	}
	for _, limit := range []string{"lots", "16MiB"} {
		errOut.Reset()
		if code := Main(context.Background(), []string{"serve", "--memory-limit", limit, "--addr", "127.0.0.1:0"}, io.Discard, &errOut); code == 0 ||
			!strings.Contains(errOut.String(), "--memory-limit: ") {
			t.Fatalf("--memory-limit %s: exit %d, %q", limit, code, errOut.String())
		}
	}
	for _, dsn := range []string{"postgress://localhost/x", "mysql://localhost/x"} {
		errOut.Reset()
		if code := Main(context.Background(), []string{"migrate", "--db", dsn}, io.Discard, &errOut); code == 0 || !strings.Contains(errOut.String(), "unknown scheme") {
			t.Fatalf("%s: exit %d, %q", dsn, code, errOut.String())
		}
	}
	errOut.Reset()
	if code := Main(context.Background(), []string{"bootstrap"}, io.Discard, &errOut); code == 0 || !strings.Contains(errOut.String(), "--public-url") {
		t.Fatalf("bootstrap without a public URL: exit %d, %q", code, errOut.String())
	}
	out.Reset()
	if code := Main(context.Background(), []string{"bootstrap", "--public-url", "https://portal.example.com"}, &out, io.Discard); code != 0 {
		t.Fatal("bootstrap with a public URL")
	}
	placeholder := regexp.MustCompile(`"password":"([^"]*)"`).FindStringSubmatch(out.String())
	if placeholder == nil || auth.ValidatePassword(placeholder[1], 0, auth.Person{}).Format == "" {
		t.Fatalf("the printed placeholder passes the password rules: %q", out.String())
	}
	out.Reset()
	if code := Main(context.Background(), []string{"bootstrap"}, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "https://portal.example.com/password?token=") {
		t.Fatalf("bootstrap without the flag should use the recorded URL: %q", out.String())
	}
	errOut.Reset()
	bad := filepath.Join(t.TempDir(), "file")
	os.WriteFile(bad, nil, 0o400)
	if code := Main(context.Background(), []string{"migrate", "--db", filepath.Join(bad, "x.db")}, io.Discard, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), bad) {
		t.Fatalf("an unusable SQLite path: %q", errOut.String())
	}
}

// TestShutdownDrainsRequests is issue 11's item 4 over the wire: SIGTERM
// in the middle of an inventory load whose body is still arriving takes
// no new connections, lets the load finish and exits 0 (it cut work at
// 10 s and exited 1). /metrics answers on --metrics-addr only (item 11).
func TestShutdownDrainsRequests(t *testing.T) {
	d := serveDemo(t, "--metrics-addr", "127.0.0.1:0")
	base := "http://" + d.addr
	if d.metrics == "" {
		t.Fatal("serve did not say where its metrics are")
	}
	scrape := func() string {
		t.Helper()
		res, err := http.Get(d.metrics)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("metrics: %v %v", res, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if got := scrape(); !strings.Contains(got, "tenantry_http_requests_in_flight 0") {
		t.Fatalf("metrics on --metrics-addr:\n%s", got)
	}
	if res, err := http.Get(base + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the public address: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Post(base+"/api/v1/session", "application/json",
		strings.NewReader(`{"login":"operator","password":"`+d.password+`"}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("sign in: %v %v", res, err)
	}
	res.Body.Close()
	iccids := make([]string, 5000)
	for i := range iccids {
		iccids[i] = storetest.ICCID(100_000 + i)
	}
	body, _ := json.Marshal(map[string]any{"iccids": iccids})
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", base+"/api/v1/accounts/"+d.account+"/sims", pr)
	req.Header.Set("Content-Type", "application/json")
	type answer struct {
		status int
		body   string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		res, err := c.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		answered <- answer{status: res.StatusCode, body: string(b)}
	}()
	pw.Write(body[:len(body)/2])
	for !strings.Contains(scrape(), "tenantry_http_requests_in_flight 1") {
		// the server has the request in hand before SIGTERM comes
	}
	d.stop()
	for { // the listener closes: no new connections
		conn, err := net.Dial("tcp", d.addr)
		if err != nil {
			break
		}
		conn.Close()
	}
	pw.Write(body[len(body)/2:])
	pw.Close()
	got := <-answered
	if got.err != nil || got.status != http.StatusCreated || !strings.Contains(got.body, `"loaded":5000`) {
		t.Fatalf("the load in progress at SIGTERM: %d %s %v", got.status, got.body, got.err)
	}
	if code := <-d.exit; code != 0 {
		t.Fatalf("serve exited %d after a clean drain", code)
	}
}

// TestMaxConnectionsQueuesTheRest holds a server of --max-connections 2
// at its limit with two kept-alive connections: a third is answered only
// once one of the two closes, and a negative limit is refused.
func TestMaxConnectionsQueuesTheRest(t *testing.T) {
	var errOut bytes.Buffer
	if code := Main(context.Background(), []string{"serve", "--max-connections", "-1", "--db", filepath.Join(t.TempDir(), "t.db")},
		io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "--max-connections: -1 is below 0") {
		t.Fatalf("negative limit: exit %d, %q", code, errOut.String())
	}
	d := serveDemo(t, "--max-connections", "2")
	ask := func(conn net.Conn, r *bufio.Reader) *http.Response {
		t.Helper()
		if _, err := io.WriteString(conn, "GET /readyz HTTP/1.1\r\nHost: tenantry\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	var held []net.Conn
	for range 2 {
		conn, err := net.Dial("tcp", d.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if res := ask(conn, bufio.NewReader(conn)); res.StatusCode != 200 {
			t.Fatalf("connection %d: %s", len(held)+1, res.Status)
		}
		held = append(held, conn)
	}
	third, err := net.Dial("tcp", d.addr) // the system queues it
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if _, err := io.WriteString(third, "GET /readyz HTTP/1.1\r\nHost: tenantry\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// Not answered while two are open (a slow machine only makes this
	// wait pass more easily).
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	r := bufio.NewReader(third)
	if _, err := r.Peek(1); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a third connection was served past the limit: %v", err)
	}
	held[0].Close()
	third.SetReadDeadline(time.Time{})
	res, err := http.ReadResponse(r, nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("the third connection once one closed: %v %v", res, err)
	}
	res.Body.Close()
}

// TestReviewsCommands runs an access review from the command line as an
// Owner would: start one of the demo account, read it, confirm one role
// and revoke another with a note, refuse a decision on their own role,
// export the evidence and close the review.
func TestReviewsCommands(t *testing.T) {
	d := serveDemo(t)
	t.Setenv("TENANTRY_PASSWORD", d.password)
	run := func(want int, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		args = append(args, "--server", "http://"+d.addr, "--login", "owner@demo.example")
		if code := Main(context.Background(), args, &out, &errOut); code != want {
			t.Fatalf("%v: exit %d: %s%s", args, code, out.String(), errOut.String())
		}
		return out.String() + errOut.String()
	}
	if got := run(1, "reviews", "start", "--org", d.account, "--due", "next week"); !strings.Contains(got, `--due: "next week" is neither a time`) {
		t.Fatalf("a bad due date: %q", got)
	}
	// A day is its end in the organization's time zone, as in the portal.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	for _, req := range []struct{ method, path, body string }{
		{"POST", "/api/v1/session", `{"login":"owner@demo.example","password":"` + d.password + `"}`},
		{"PATCH", "/api/v1/orgs/" + d.account + "/settings", `{"time_zone":"Asia/Tokyo"}`},
	} {
		r, _ := http.NewRequest(req.method, "http://"+d.addr+req.path, strings.NewReader(req.body))
		r.Header.Set("Content-Type", "application/json")
		res, err := c.Do(r)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s %s: %v %v", req.method, req.path, res, err)
		}
		res.Body.Close()
	}
	day := time.Now().AddDate(0, 0, 14)
	got := run(0, "reviews", "start", "--org", d.account, "--due", day.Format(time.DateOnly), "--title", "Quarterly review")
	m := regexp.MustCompile(`^started (\S+) "Quarterly review": (\d+) roles to decide by (\S+)\n$`).FindStringSubmatch(got)
	if want := day.AddDate(0, 0, 1).Format(time.DateOnly) + "T00:00:00+09:00"; m == nil || m[2] == "0" || m[3] != want {
		t.Fatalf("start: %q, want the due time %s", got, want)
	}
	due := day.Format(time.DateOnly)
	id := m[1]
	if got := run(1, "reviews", "start", "--org", d.account, "--due", due); !strings.Contains(got, "409") {
		t.Fatalf("a second open review: %q", got)
	}
	if got := run(0, "reviews", "list", "--org", d.account); !strings.Contains(got, id+"  open") || !strings.Contains(got, "Quarterly review") {
		t.Fatalf("list: %q", got)
	}
	show := run(0, "reviews", "show", id)
	var mine, others []string
	for _, line := range strings.Split(show, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) < 3 || f[0] == "ITEM" || f[0] == id:
		case strings.Contains(line, "owner@demo.example"):
			mine = append(mine, f[0])
		case strings.Contains(line, "may decide"):
			others = append(others, f[0])
		}
	}
	if len(mine) == 0 || len(others) < 2 {
		t.Fatalf("show: own roles %v, decidable %v in\n%s", mine, others, show)
	}
	if got := run(0, "reviews", "decide", id, others[0], "confirm"); !strings.HasPrefix(got, "confirm: ") || !strings.Contains(got, "(kept)") {
		t.Fatalf("confirm: %q", got)
	}
	if got := run(0, "reviews", "decide", id, others[1], "revoke", "--note", "left the team"); !strings.HasPrefix(got, "revoke: ") {
		t.Fatalf("revoke: %q", got)
	}
	if got := run(1, "reviews", "decide", id, mine[0], "confirm"); !strings.Contains(got, "403") {
		t.Fatalf("a decision on one's own role: %q", got)
	}
	if got := run(1, "reviews", "decide", id, others[0], "keep"); !strings.Contains(got, `the decision is confirm or revoke, not "keep"`) {
		t.Fatalf("a bad decision: %q", got)
	}
	csv := run(0, "reviews", "evidence", id)
	if !strings.Contains(csv, "Quarterly review") || !strings.Contains(csv, "left the team") || strings.Count(csv, "\n") < 3 {
		t.Fatalf("evidence: %q", csv)
	}
	if got := run(0, "reviews", "close", id); !strings.Contains(got, "closed "+id+": ") || !strings.Contains(got, "1 confirmed, 1 revoked") {
		t.Fatalf("close: %q", got)
	}
	d.stop()
	if code := <-d.exit; code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}

// TestSIGHUPReadsThePlaceDatabaseAgain: an operator's update job renames
// a new place database over the old one and sends SIGHUP; the sessions
// list names the new places without a restart.
func TestSIGHUPReadsThePlaceDatabaseAgain(t *testing.T) {
	city := func(name, country string) geotest.City {
		return geotest.City{Network: "203.0.113.0/24", City: map[string]string{"en": name}, Country: map[string]string{"en": country}}
	}
	path := geotest.Write(t, city("Munich", "Germany"))
	logR, logW := io.Pipe()
	readAgain := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(logR)
		seen := false
		for sc.Scan() {
			if !seen && strings.Contains(sc.Text(), "place database read again") {
				seen = true
				close(readAgain)
			}
		}
	}()
	d := serveDemoLogging(t, logW, "--geoip", path, "--trusted-proxies", "127.0.0.1")
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	base := "http://" + d.addr
	req, _ := http.NewRequest("POST", base+"/api/v1/session", strings.NewReader(`{"login":"owner@demo.example","password":"`+d.password+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	res, err := c.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("sign in: %v %v", res, err)
	}
	res.Body.Close()
	place := func() string {
		t.Helper()
		res, err := c.Get(base + "/api/v1/me/sessions")
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("sessions: %v %v", res, err)
		}
		defer res.Body.Close()
		var body struct{ Items []struct{ Place string } }
		json.NewDecoder(res.Body).Decode(&body)
		if len(body.Items) != 1 {
			t.Fatalf("%d sessions, want 1", len(body.Items))
		}
		return body.Items[0].Place
	}
	if got := place(); got != "Munich, Germany" {
		t.Fatalf("before: %q", got)
	}
	if err := os.Rename(geotest.Write(t, city("Paris", "France")), path); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-readAgain:
	case code := <-d.exit:
		t.Fatalf("serve ended with %d on SIGHUP", code)
	case <-time.After(2 * time.Minute): // a guard, not a wait: the log says when
		t.Fatal("no 'place database read again' in the log after SIGHUP")
	}
	if got := place(); got != "Paris, France" {
		t.Fatalf("after SIGHUP: %q", got)
	}
}
