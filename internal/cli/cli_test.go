package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/auth"
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
func TestServeDemo(t *testing.T) {
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0"}, pw, io.Discard)
		pw.Close()
	}()
	var password, account, addr string
	sc := bufio.NewScanner(pr)
	for addr == "" && sc.Scan() {
		line := sc.Text()
		if m := regexp.MustCompile(`password\s+(demo-\S+)`).FindStringSubmatch(line); m != nil {
			password = m[1]
		}
		if m := regexp.MustCompile(`account ([0-9a-f-]{36})`).FindStringSubmatch(line); m != nil {
			account = m[1]
		}
		if m := regexp.MustCompile(`on (127\.0\.0\.1:\d+)`).FindStringSubmatch(line); m != nil {
			addr = m[1]
		}
	}
	go io.Copy(io.Discard, pr)
	if password == "" || account == "" || addr == "" {
		t.Fatalf("serve --demo printed no password, account or address")
	}
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
	cancel()
	if code := <-done; code != 0 {
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
	if placeholder == nil || auth.ValidatePassword(placeholder[1]) == "" {
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
