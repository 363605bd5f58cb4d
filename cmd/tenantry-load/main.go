// Command tenantry-load runs load scenarios against a Tenantry on this
// machine and reports, per scenario, requests a second, p50/p99 latency,
// errors, and the server's CPU time per request and peak memory:
//
//	go run ./cmd/tenantry-load --spawn "$(go env GOPATH)/bin/tenantry" --scenario all
//	go run ./cmd/tenantry-load --url http://127.0.0.1:8080 --password PW --pid PID --scenario grants --rate 2000
//
// --spawn starts `tenantry serve --demo` on a fresh SQLite file and a free
// port (GOMAXPROCS from --server-procs), and stops it at the end. It
// targets 127.0.0.1 only and every scenario stops by itself.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/load"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tenantry-load:", err)
		os.Exit(1)
	}
}

func run() error {
	var o load.Options
	var spawn, scenarios string
	var procs int
	flag.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "the server to load (loopback only)")
	flag.StringVar(&o.Password, "password", os.Getenv("TENANTRY_PASSWORD"), "the demo logins' password, as serve --demo printed it (env TENANTRY_PASSWORD)")
	flag.IntVar(&o.PID, "pid", 0, "the server's process id, for its CPU time and memory from /proc")
	flag.StringVar(&spawn, "spawn", "", "a tenantry binary to start with serve --demo on a fresh database instead of --url")
	flag.IntVar(&procs, "server-procs", 1, "GOMAXPROCS of a spawned server (0: all cores)")
	flag.StringVar(&scenarios, "scenario", "all", "comma-separated: "+strings.Join(load.Scenarios, ", ")+", or all")
	flag.IntVar(&o.Rate, "rate", 0, "requests a second (default: each scenario's own)")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "how long each scenario runs")
	flag.DurationVar(&o.Warmup, "warmup", 2*time.Second, "a run at a fifth of the rate before measuring")
	flag.IntVar(&o.Clients, "clients", 32, "API clients the grants scenario spreads over")
	flag.IntVar(&o.SIMs, "sims", 100_000, "SIMs the transfers scenario loads into the demo account")
	flag.IntVar(&o.Ranges, "ranges", 100, "ranges each transfer of the transfers scenario gives them as")
	var people int
	flag.IntVar(&people, "people", 0, "first import this many people into the demo account (no mail), so list pages are measured at a real size")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if spawn != "" {
		srv, err := start(ctx, spawn, procs)
		if err != nil {
			return err
		}
		defer srv.stop()
		o.URL, o.Password, o.PID = srv.url, srv.password, srv.cmd.Process.Pid
	}
	if people > 0 {
		took, err := load.Seed(ctx, o, people)
		if err != nil {
			return err
		}
		fmt.Printf("# imported %d people in %s\n", people, took.Round(time.Millisecond))
	}
	names := load.Scenarios
	if scenarios != "all" {
		names = strings.Split(scenarios, ",")
	}
	fmt.Printf("# %s, server pid %d, %s each; load average before: %s\n", o.URL, o.PID, o.Duration, loadavg())
	for _, name := range names {
		oo := o
		if oo.Rate == 0 {
			oo.Rate = defaultRate[name]
		}
		res, err := load.Run(ctx, oo, strings.TrimSpace(name))
		if err != nil {
			return err
		}
		fmt.Println(res)
	}
	fmt.Printf("# load average after: %s\n", loadavg())
	return nil
}

// defaultRate is what each scenario asks a second unless --rate says:
// what one core is expected to carry, sign-ins far fewer (each is an
// argon2id hash by design).
var defaultRate = map[string]int{"grants": 2000, "reads": 1000, "decisions": 1000, "portal": 300, "signins": 20, "transfers": 4, "mixed": 800}

func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// server is a spawned `tenantry serve --demo`.
type server struct {
	cmd      *exec.Cmd
	dir      string
	url      string
	password string
}

func start(ctx context.Context, bin string, procs int) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	dir, err := os.MkdirTemp("", "tenantry-load-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, url: "http://" + addr}
	s.cmd = exec.CommandContext(ctx, bin, "serve", "--demo", "--addr", addr, "--db", filepath.Join(dir, "t.db"), "--log-level", "warn")
	s.cmd.Env = os.Environ()
	if procs > 0 {
		s.cmd.Env = append(s.cmd.Env, "GOMAXPROCS="+strconv.Itoa(procs))
	}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, pw, ok := strings.Cut(sc.Text(), "has the password  "); ok {
				ready <- strings.TrimSpace(pw)
			}
		}
		close(ready)
	}()
	select {
	case pw, ok := <-ready:
		if !ok {
			s.stop()
			return nil, errors.New("the spawned server stopped before its demo data was ready")
		}
		s.password = pw
	case <-time.After(2 * time.Minute):
		s.stop()
		return nil, errors.New("the spawned server's demo data was not ready within 2 minutes")
	}
	return s, nil
}

func (s *server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
		}
	}
	os.RemoveAll(s.dir)
}
