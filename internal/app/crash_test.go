package app_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/sqlstore"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
)

const crashEnv = "TENANTRY_CRASH_CHILD"

func openCrashApp(t testing.TB, path string) (*sqlstore.DB, *app.App) {
	db, err := sqlstore.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.SecretKey = sqltest.SecretKey
	cfg.Password = auth.Params{Memory: 64, Time: 1, Threads: 1}
	a, err := app.New(db, policy.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db, a
}

// TestCrashChild is the child process of TestTransfersSurviveSIGKILL: it
// moves SIMs back and forth until it is killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		return // only ever run as the child
	}
	_, a := openCrashApp(t, path)
	owner := signInAs(t, a, "owner@crash.example")
	var acc, child string
	fmt.Sscan(os.Getenv(crashEnv+"_ORGS"), &acc, &child)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	fmt.Println("ready")
	for {
		from, to := acc, child
		if rng.IntN(2) == 0 {
			from, to = child, acc
		}
		var ranges []sims.Range
		for k := 0; k < 1+rng.IntN(4); k++ {
			s := k*500 + rng.IntN(400)
			ranges = append(ranges, sims.Range{Start: storetest.ICCID(s), End: storetest.ICCID(s + rng.IntN(99))})
		}
		_, _ = a.Transfer(context.Background(), owner, app.TransferRequest{From: from, To: to, Ranges: ranges})
	}
}

func signInAs(t testing.TB, a *app.App, login string) *app.Actor {
	res, err := a.SignIn(context.Background(), login, pw, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	who, err := a.Authenticate(context.Background(), res.Token, "")
	if err != nil {
		t.Fatal(err)
	}
	return who
}

// TestTransfersSurviveSIGKILL kills a process in the middle of transfers
// 50 times; after each kill the database is whole: SIM totals add up per
// org, every committed transfer is in the audit log, and SQLite's
// integrity check passes.
func TestTransfersSurviveSIGKILL(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		return
	}
	t.Parallel() // its own file and processes; the kills overlap other tests
	path := filepath.Join(t.TempDir(), "crash.db")
	db, a := openCrashApp(t, path)
	res, err := a.Bootstrap(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, app: a}
	e.must(a.SetPassword(ctx, token(res.Link), pw, ""))
	op := e.signIn("operator")
	acc, owner := e.account(op, "owner@crash.example")
	child, _, err := a.CreateSubOrg(ctx, owner, acc.ID, app.NewSubOrg{Name: "Child", Owner: app.NewUser{Email: "c@crash.example", FirstName: "C", LastName: "O"}})
	e.must(err)
	e.activate("c@crash.example")
	var all []string
	for i := 0; i < 2000; i++ {
		all = append(all, storetest.ICCID(i))
	}
	_, err = a.ImportSIMs(ctx, op, acc.ID, "", all, nil)
	e.must(err)
	db.Close()

	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 50; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), crashEnv+"="+path, crashEnv+"_ORGS="+acc.ID+" "+child.ID)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: child said %q", round, line)
		}
		// The random point: let it work for up to 60 ms, then SIGKILL.
		time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		checkCrashInvariants(t, path, acc.ID, child.ID, len(all))
	}
}

func checkCrashInvariants(t *testing.T, path, acc, child string, total int) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	// Every SIM lies in exactly one range of ownership, and each range
	// holds as many SIMs as it says.
	var overlaps, miscounted, uncovered int64
	raw.QueryRow(`SELECT COUNT(*) FROM sim_ranges a JOIN sim_ranges b ON a.digits = b.digits
		AND a.start_iccid < b.start_iccid AND b.start_iccid <= a.end_iccid`).Scan(&overlaps)
	raw.QueryRow(`SELECT COUNT(*) FROM sim_ranges r WHERE sim_count <> (SELECT COUNT(*) FROM sims s
		WHERE s.iccid >= r.start_iccid AND s.iccid <= r.end_iccid AND length(s.iccid) = r.digits)`).Scan(&miscounted)
	raw.QueryRow(`SELECT COUNT(*) FROM sims s WHERE NOT EXISTS (SELECT 1 FROM sim_ranges r
		WHERE r.digits = length(s.iccid) AND s.iccid >= r.start_iccid AND s.iccid <= r.end_iccid)`).Scan(&uncovered)
	if overlaps+miscounted+uncovered != 0 {
		t.Fatalf("ranges: %d overlapping, %d miscounted, %d SIMs in none", overlaps, miscounted, uncovered)
	}
	var sum int64
	for _, org := range []string{acc, child} {
		var counted, kept int64
		raw.QueryRow(`SELECT COALESCE(SUM(sim_count), 0) FROM sim_ranges WHERE org_id = ?`, org).Scan(&counted)
		raw.QueryRow(`SELECT sim_count FROM orgs WHERE id = ?`, org).Scan(&kept)
		if counted != kept {
			t.Fatalf("org %s holds %d SIMs but its total says %d", org, counted, kept)
		}
		sum += counted
	}
	if sum != int64(total) {
		t.Fatalf("%d SIMs in all, want %d", sum, total)
	}
	var missing int
	var transfers int
	raw.QueryRow(`SELECT COUNT(*) FROM transfers`).Scan(&transfers)
	err = raw.QueryRow(`SELECT COUNT(*) FROM transfers WHERE id NOT IN
		(SELECT json_extract(details, '$.transfer') FROM events WHERE action = 'sims.transfer_out')`).Scan(&missing)
	if err != nil || missing != 0 {
		t.Fatalf("%d of %d committed transfers missing from the audit log (%v)", missing, transfers, err)
	}
	t.Logf("%d transfers committed so far, all in the audit log", transfers)
	var orphans int
	raw.QueryRow(`SELECT COUNT(*) FROM sim_ranges r WHERE r.transfer_id <> '' AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.id = r.transfer_id)`).Scan(&orphans)
	if orphans != 0 {
		t.Fatalf("%d ranges of SIMs name a transfer that does not exist", orphans)
	}
}
