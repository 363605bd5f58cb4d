// Package server assembles Tenantry's HTTP surface: the REST API, health
// and readiness probes, Prometheus metrics, request ids, JSON request logs
// and cross-origin protection, around one App.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tenantry/tenantry/internal/api"
	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/httpauth"
	"github.com/tenantry/tenantry/internal/httpinput"
	"github.com/tenantry/tenantry/internal/mail"
	"github.com/tenantry/tenantry/internal/oidcop"
	"github.com/tenantry/tenantry/internal/scim"
	"github.com/tenantry/tenantry/internal/tenantry"
	"github.com/tenantry/tenantry/internal/web"
	"github.com/tenantry/tenantry/internal/webhook"
)

// Config is what the HTTP surface needs besides the App.
type Config struct {
	PublicURL string
	// TrustedProxies are the networks whose Forwarded and
	// X-Forwarded-For headers name the client's address.
	TrustedProxies []netip.Prefix
	// MetricsMux, if set, serves /metrics instead of the main handler
	// (--metrics-addr), so that metrics need not be public.
	MetricsMux *http.ServeMux
	// Mail, if set, feeds the mail metrics; Webhooks the webhook ones.
	Mail     func() mail.Stats
	Webhooks func() webhook.Stats
}

// New returns the handler that serves everything; it fails when a page
// template does not parse.
func New(a *app.App, log *slog.Logger, cfg Config) (http.Handler, error) {
	mux := http.NewServeMux()
	apiServer := api.New(mux, a, log, cfg.PublicURL)
	portal, err := web.New(mux, a, log, cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	if err := oidcop.Mount(mux, a, cfg.PublicURL, a.DeriveKey("oidc provider")); err != nil {
		return nil, err
	}
	scim.Mount(mux, a, cfg.PublicURL, log)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newOpsCollector(a, log, cfg))
	m := newMetrics(reg)
	metricsMux := mux
	if cfg.MetricsMux != nil {
		metricsMux = cfg.MetricsMux
	}
	metricsMux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.Ready(ctx); err != nil {
			log.ErrorContext(ctx, "not ready", "err", err)
			api.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database cannot commit writes",
				"code": string(tenantry.ErrorCode(err)), "detail": tenantry.ErrorMessage(err)})
			return
		}
		api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]any{"title": "Forbidden", "status": 403, "code": "forbidden",
			"detail": "cross-origin request refused"})
	}))
	// refuse answers a request a middleware stopped, in the terms of the
	// surface it was for.
	refuse := func(w http.ResponseWriter, r *http.Request, err error) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/oauth2/"), strings.HasPrefix(r.URL.Path, "/oidc/"):
			api.RefuseOAuth(w, err)
		case strings.HasPrefix(r.URL.Path, "/scim/"):
			scim.Refuse(w, r, err)
		case strings.HasPrefix(r.URL.Path, "/api/"), strings.HasPrefix(r.URL.Path, "/access/"):
			apiServer.Refuse(w, r, err)
		default:
			portal.Refuse(w, r, err)
		}
	}
	var h http.Handler = notePattern(mux)
	h = uploads(h, refuse)
	h = httpauth.Middleware(a, cfg.TrustedProxies, refuse, h)
	h = cop.Handler(h)
	h = httpinput.Middleware(h, refuse)
	return logRequests(log, m, bufferResponses(h)), nil
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tenantry_http_requests_total",
			Help: "HTTP requests by route pattern and status."}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tenantry_http_request_duration_seconds",
			Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tenantry_http_requests_in_flight",
			Help: "HTTP requests being served now; a shutdown drains them."}),
	}
	reg.MustRegister(m.requests, m.duration, m.inFlight)
	return m
}

type ctxKey int

const reqKey ctxKey = 0

// reqInfo travels in the context: the request id, and the route pattern
// once the mux has matched it.
type reqInfo struct {
	id      string
	pattern string
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if ri, ok := ctx.Value(reqKey).(*reqInfo); ok {
		return ri.id
	}
	return ""
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests gives each request an id (kept from X-Request-Id when it is
// sane), echoes it, and logs one JSON line and the metrics per request.
// It logs the path, never the query string, which may carry tokens.
func logRequests(log *slog.Logger, m *metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		ri := &reqInfo{id: id}
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w}
		ctx := context.WithValue(r.Context(), reqKey, ri)
		next.ServeHTTP(sw, r.WithContext(ctx))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := ri.pattern
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
		log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("route", route), slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
			slog.Duration("duration", elapsed))
	})
}

// notePattern records the mux's matched pattern for logRequests, and
// answers what no route of the API matches as a problem document (404, or
// 405 with Allow), as every other API error is.
func notePattern(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" && (strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/access/")) {
			var allow []string
			for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
				probe := r.Clone(r.Context())
				probe.Method = m
				if _, p := mux.Handler(probe); p != "" {
					allow = append(allow, m)
				}
			}
			status, detail := http.StatusNotFound, "no such API path: see /api/v1/openapi.json"
			if len(allow) > 0 {
				status, detail = http.StatusMethodNotAllowed, "this path takes "+strings.Join(allow, ", ")
				w.Header().Set("Allow", strings.Join(allow, ", "))
			}
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(status), "status": status,
				"code": map[int]string{404: "not_found", 405: "method_not_allowed"}[status], "detail": detail})
			return
		}
		mux.ServeHTTP(w, r)
		if ri, ok := r.Context().Value(reqKey).(*reqInfo); ok {
			ri.pattern = r.Pattern
		}
	})
}

// NewLogger returns a JSON logger that adds each record's request id.
func NewLogger(h slog.Handler) *slog.Logger {
	return slog.New(requestIDHandler{h})
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
