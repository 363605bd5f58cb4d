package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"
	"golang.org/x/net/netutil"

	"github.com/tenantry/tenantry/internal/api"
	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/geo"
	"github.com/tenantry/tenantry/internal/server"
	"github.com/tenantry/tenantry/internal/webhook"
)

func serveCmd(s *settings) *cobra.Command {
	var demo bool
	var trustedProxies []string
	var metricsAddr, debugAddr string
	var webhookPrivate bool
	var grace time.Duration
	var memoryLimit string
	var maxConns int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Tenantry server",
		Long: "Run the Tenantry server. On an empty database it creates the platform operator and prints a\n" +
			"one-time link to set their password. With --demo it also seeds a customer account with users\n" +
			"and sub-organizations and prints how to sign in.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			proxies, err := parseProxies(trustedProxies)
			if err != nil {
				return err
			}
			if maxConns < 0 {
				return fmt.Errorf("--max-connections: %d is below 0 (0 for no limit)", maxConns)
			}
			restore, err := setMemoryLimit(memoryLimit)
			if err != nil {
				return err
			}
			defer restore()
			// Take the address first: a second serve on a busy address
			// must fail before it writes anything or prints a link.
			ln, err := net.Listen("tcp", s.addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", s.addr, err)
			}
			defer ln.Close()
			s.addr = ln.Addr().String() // with port 0, links name the port taken
			if maxConns > 0 {
				// Past the limit a connection waits in the system's queue
				// until one closes, instead of each costing the server a
				// goroutine and its buffers: at 8,000 grants a second on
				// one core, 17,000 connections took 213 MB and served a
				// tenth of what the core can (docs/BENCHMARKS.md).
				ln = netutil.LimitListener(ln, maxConns)
			}
			w, err := s.open(ctx, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer w.db.Close()
			db, a, log := w.db, w.app, w.log
			if err := a.ClaimPublicURL(ctx); err != nil {
				return err
			}
			res, err := a.Bootstrap(ctx, false)
			if err != nil {
				return err
			}
			if demo {
				if err := seedDemo(ctx, db, a, out, s.public()); err != nil {
					return fmt.Errorf("demo data: %w", err)
				}
			} else {
				printOperatorLink(out, res, s.public())
			}
			api.Version = Version
			w.webhooks = webhook.New(a, log, webhook.Options{AllowPrivate: webhookPrivate})
			scfg := server.Config{PublicURL: s.public(), TrustedProxies: proxies, Mail: w.dispatcher.Stats,
				Webhooks: w.webhooks.Stats}
			var metricsSrv *http.Server
			if metricsAddr != "" {
				mln, err := net.Listen("tcp", metricsAddr)
				if err != nil {
					return fmt.Errorf("listen on %s for metrics: %w", metricsAddr, err)
				}
				scfg.MetricsMux = http.NewServeMux()
				metricsSrv = &http.Server{Handler: scfg.MetricsMux, ReadHeaderTimeout: 10 * time.Second}
				fmt.Fprintf(out, "metrics on http://%s/metrics\n", mln.Addr())
				go metricsSrv.Serve(mln)
				defer metricsSrv.Close()
			}
			if debugAddr != "" {
				// net/http/pprof on an address of its own, off by default:
				// profiles show request contents' costs, not for the public.
				dln, err := net.Listen("tcp", debugAddr)
				if err != nil {
					return fmt.Errorf("listen on %s for profiling: %w", debugAddr, err)
				}
				dmux := http.NewServeMux()
				dmux.HandleFunc("/debug/pprof/", pprof.Index)
				dmux.HandleFunc("/debug/pprof/profile", pprof.Profile)
				dmux.HandleFunc("/debug/pprof/trace", pprof.Trace)
				dmux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
				dmux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
				debugSrv := &http.Server{Handler: dmux, ReadHeaderTimeout: 10 * time.Second}
				fmt.Fprintf(out, "profiling on http://%s/debug/pprof/\n", dln.Addr())
				go debugSrv.Serve(dln)
				defer debugSrv.Close()
			}
			handler, err := server.New(a, log, scfg)
			if err != nil {
				return err
			}
			srv := &http.Server{
				Handler:           handler,
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       60 * time.Second,
				WriteTimeout:      60 * time.Second,
				IdleTimeout:       120 * time.Second,
				MaxHeaderBytes:    64 << 10,
			}
			if w.places != nil { // before it says it listens: a SIGHUP from then on is heard
				watchPlaces(ctx, w.places, log)
			}
			fmt.Fprintf(out, "Tenantry %s on %s (%s): open the portal at %s/ (API docs at %s/api/docs)\n", Version, ln.Addr(), db.Dialect(), s.public(), s.public())
			log.Info("listening", "addr", ln.Addr().String(), "db", string(db.Dialect()))
			if err := a.RotateKeys(ctx); err != nil {
				return fmt.Errorf("signing keys: %w", err)
			}
			every(ctx, time.Hour, func() { // every instance keeps a signing key in force
				if err := a.RotateKeys(ctx); err != nil {
					log.Error("rotate signing keys", "err", err)
				}
				if swept, err := a.Sweep(ctx); err != nil {
					log.Error("sweep", "err", err)
				} else {
					log.Info("swept expired rows", "removed", swept)
				}
			})
			keepJobs := func() { // jobs lost with their instance are recorded as failed
				if err := a.KeepJobs(ctx); err != nil && ctx.Err() == nil {
					log.Error("background jobs", "err", err)
				}
			}
			keepJobs()
			every(ctx, app.PublicURLHeartbeat, func() { // tell other instances which public URL this one serves
				if err := a.ClaimPublicURL(ctx); err != nil && ctx.Err() == nil {
					log.Error("public URL", "err", err)
				}
				keepJobs()
			})
			dispatched := make(chan struct{})
			go func() {
				defer close(dispatched)
				var both sync.WaitGroup
				both.Go(func() { w.dispatcher.Run(ctx, 5*time.Second) })
				both.Go(func() { w.webhooks.Run(ctx, 5*time.Second) })
				both.Wait()
			}()
			// What starting made and dropped (the migrations parsed, the API's
			// schemas built, the demo's password hashes) goes back to the
			// system now, not at the collector's leisure.
			debug.FreeOSMemory()
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			// Drain: no new connections; requests in progress (a long
			// transfer) finish within the grace period, as do the work they
			// left and the e-mail being sent.
			log.Info("shutting down", "grace", grace.String())
			shutdown, cancel := context.WithTimeout(context.Background(), grace)
			defer cancel()
			err = srv.Shutdown(shutdown)
			settled := make(chan struct{})
			go func() { w.app.Settle(); close(settled) }()
			select {
			case <-settled:
			case <-shutdown.Done():
				// Work still running is cut off; it records that it was
				// (a load's job says "interrupted"), which takes a moment.
				log.Error("background work still running when the grace period ended is cut off")
				w.app.Interrupt()
				select {
				case <-settled:
				case <-time.After(5 * time.Second):
				}
				if err == nil {
					err = errors.New("background work was cut off")
				}
			}
			select {
			case <-dispatched:
			case <-shutdown.Done():
			}
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("work still running when the grace period ended was cut off", "err", err)
				return fmt.Errorf("shutdown: %w", err)
			}
			log.Info("stopped")
			return nil
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "seed a demo customer account and print how to sign in")
	cmd.Flags().StringVar(&s.geoip, "geoip", "", "a place database in MaxMind's format (GeoLite2 or DB-IP, City or Country, .mmdb) "+
		"to show where sessions were started, read again when the file is replaced (looked at every 10 minutes) and on SIGHUP; "+
		"none is shipped, and without it only addresses are shown (env TENANTRY_GEOIP)")
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", "serve /metrics on this address only (e.g. 127.0.0.1:9090), "+
		"not on --addr (env TENANTRY_METRICS_ADDR)")
	cmd.Flags().StringVar(&debugAddr, "debug-addr", "", "serve net/http/pprof on this address only (e.g. 127.0.0.1:6060); "+
		"off by default (env TENANTRY_DEBUG_ADDR)")
	cmd.Flags().BoolVar(&webhookPrivate, "webhook-allow-private", false, "let webhooks go to loopback and private "+
		"addresses, for a receiver on this machine or network; off, only public addresses are reached (env TENANTRY_WEBHOOK_ALLOW_PRIVATE)")
	cmd.Flags().StringVar(&memoryLimit, "memory-limit", "auto", "the Go runtime's soft memory limit "+
		"(e.g. 256MiB, 1GiB; 0 for none; auto: 48 MiB and 8 MiB per core in use, 56 MiB on one): the collector "+
		"runs more often near it, so that sign-in bursts, each password hash taking 7 MiB, do not pile up "+
		"garbage; GOMEMLIMIT, if set, wins (env TENANTRY_MEMORY_LIMIT)")
	cmd.Flags().IntVar(&maxConns, "max-connections", 1024, "connections served at once; more wait in the system's "+
		"queue until one closes, so an overload costs time, not memory (0 for no limit; env TENANTRY_MAX_CONNECTIONS)")
	cmd.Flags().BoolVar(&s.idpPrivate, "idp-allow-private", false, "let organizations' identity providers be reached at "+
		"loopback and private addresses, for a provider on this machine or network; off, an issuer that resolves to one "+
		"is refused (env TENANTRY_IDP_ALLOW_PRIVATE)")
	cmd.Flags().DurationVar(&grace, "shutdown-grace", 30*time.Second, "on SIGTERM, how long requests in progress, "+
		"background work and the e-mail being sent may take to finish (env TENANTRY_SHUTDOWN_GRACE)")
	cmd.Flags().StringSliceVar(&trustedProxies, "trusted-proxies", nil,
		"networks (CIDRs or addresses, comma-separated) of the reverse proxies whose Forwarded/X-Forwarded-For "+
			"headers name the client's address; without it the peer address counts (env TENANTRY_TRUSTED_PROXIES)")
	return cmd
}

// autoMemoryLimit is --memory-limit auto: room for what a server holds
// at rest and, per core, for a password hash in flight (7 MiB, one per
// core at most) and its garbage: 56 MiB on one core, 64 MiB on two. The
// process's resident memory is this plus what the runtime does not count,
// about 35 MB (the binary's pages, SQLite's page caches), which keeps it
// near 100 MB under every load of the benchmarks, sign-in bursts on two
// cores included (docs/BENCHMARKS.md). A tighter limit costs CPU: at
// 56 MiB on two cores a sign-in burst took 15–20 % more a sign-in.
func autoMemoryLimit() uint64 { return (48 + 8*uint64(runtime.GOMAXPROCS(0))) << 20 }

// setMemoryLimit applies --memory-limit unless GOMEMLIMIT is set, and
// returns what puts the limit before it back (serve runs in tests too).
func setMemoryLimit(limit string) (restore func(), err error) {
	n := autoMemoryLimit()
	if limit != "auto" {
		n, err = humanize.ParseBytes(limit)
	}
	if err != nil {
		return nil, fmt.Errorf("--memory-limit: %q is no size (e.g. 256MiB, 1GiB, auto, or 0 for none)", limit)
	}
	if n != 0 && n < 32<<20 {
		return nil, fmt.Errorf("--memory-limit: %s is below 32MiB, less than Tenantry needs at rest", limit)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok || n == 0 {
		return func() {}, nil
	}
	before := debug.SetMemoryLimit(int64(n))
	return func() { debug.SetMemoryLimit(before) }, nil
}

// parseProxies reads --trusted-proxies: CIDRs, or single addresses.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is neither a CIDR (10.0.0.0/8) nor an address", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// watchPlaces reads the place database again when its file is replaced
// (looked at every ten minutes) or on SIGHUP (at once, replaced or not),
// so the operator's update job (geoipupdate) needs no restart.
func watchPlaces(ctx context.Context, places *geo.DB, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	t := time.NewTicker(10 * time.Minute)
	go func() {
		defer signal.Stop(hup)
		defer t.Stop()
		for {
			force := false
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-hup:
				force = true
			}
			if read, err := places.Reload(force); err != nil {
				log.Error("place database: kept the one in use", "err", err)
			} else if read {
				log.Info("place database read again")
			}
		}
	}()
}

// every runs fn every interval until ctx ends, in its own goroutine.
func every(ctx context.Context, interval time.Duration, fn func()) {
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn()
			}
		}
	}()
}
