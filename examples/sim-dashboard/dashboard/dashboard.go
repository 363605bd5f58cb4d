// Package dashboard is an example of one of the portal's other
// applications: a SIM dashboard that signs people in through Tenantry
// (OpenID Connect, with coreos/go-oidc) and asks Tenantry's AuthZEN
// endpoint before showing or doing any action. It knows nothing of roles:
// the catalogue's areas and actions are its vocabulary, Tenantry decides.
package dashboard

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Area is one page of the dashboard: an area of the catalogue and the
// actions it offers. An area is shown when see is allowed.
type Area struct {
	Name    string
	See     string
	Actions []string
}

// Areas are seed 001's portal areas, as the 1nce catalogue names them.
var Areas = []Area{
	{"Dashboard", "dashboard.see_all", []string{"dashboard.reorder_button", "dashboard.latest_order_widget"}},
	{"SIMs", "sims.see_all", []string{"sims.sim_state", "sims.imei_lock", "sims.auto_top_up", "sims.reset_connectivity",
		"sims.sim_list_export", "sims.reorder_top_up", "sims.send_sms"}},
	{"Configuration", "configuration.network_settings", []string{"configuration.network_settings", "configuration.breakout_settings",
		"configuration.monthly_limit", "configuration.imei_lock", "configuration.auto_top_up", "configuration.data_streams",
		"configuration.sms_forwarder", "configuration.openvpn", "configuration.management_api"}},
	{"OS", "os.tab_available", nil},
	{"Orders", "orders.see_all", []string{"orders.download_invoices", "orders.trigger_new_order", "orders.download_affected_sims"}},
	{"Performance", "performance.see_all", nil},
	{"Support", "support.see_all", []string{"support.new_service_request"}},
}

// Config is where Tenantry is and who the dashboard is there.
type Config struct {
	Issuer       string // Tenantry's public URL
	ClientID     string // the application's client id (platform_NAME)
	ClientSecret string
	BaseURL      string // the dashboard's own URL; /callback is its redirect URI
	// HTTPClient, if set, is used to reach Tenantry.
	HTTPClient *http.Client
}

// App is the dashboard.
type App struct {
	cfg      Config
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	decide   string // the AuthZEN evaluations endpoint
	tokens   oauth2.TokenSource
	mu       sync.Mutex
	pending  map[string]pending // by state
	sessions map[string]*session
	pages    *template.Template
}

type pending struct{ nonce, verifier string }

type session struct {
	Subject, Name, Org, IDToken string
}

// New discovers Tenantry (OpenID and AuthZEN metadata) and returns the
// dashboard.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, cfg.HTTPClient)
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}), pending: map[string]pending{},
		sessions: map[string]*session{}, pages: template.Must(template.New("").Parse(pages))}
	a.oauth = oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: cfg.BaseURL + "/callback", Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	var meta struct {
		Evaluations string `json:"access_evaluations_endpoint"`
	}
	if err := a.getJSON(ctx, cfg.Issuer+"/.well-known/authzen-configuration", &meta); err != nil {
		return nil, fmt.Errorf("authzen metadata: %w", err)
	}
	a.decide = meta.Evaluations
	cc := clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.Issuer + "/oauth2/token"}
	a.tokens = cc.TokenSource(context.WithoutCancel(ctx))
	return a, nil
}

func (a *App) client() *http.Client {
	if a.cfg.HTTPClient != nil {
		return a.cfg.HTTPClient
	}
	return http.DefaultClient
}

func (a *App) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := a.client().Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	return json.NewDecoder(res.Body).Decode(v)
}

// Decision is Tenantry's answer to one question.
type Decision struct {
	Decision bool `json:"decision"`
	Context  struct {
		Reason  string `json:"reason"`
		Message string `json:"message"`
	} `json:"context"`
}

// Decide asks Tenantry whether the signed-in person may do each action in
// their org, in one AuthZEN batch.
func (a *App) Decide(ctx context.Context, s *session, actions []string) ([]Decision, error) {
	evals := make([]map[string]any, len(actions))
	for i, act := range actions {
		evals[i] = map[string]any{"action": map[string]any{"name": act}}
	}
	body, _ := json.Marshal(map[string]any{
		"subject":     map[string]any{"type": "user", "id": s.Subject},
		"resource":    map[string]any{"type": "organization", "id": s.Org},
		"evaluations": evals})
	tok, err := a.tokens.Token()
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.decide, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	tok.SetAuthHeader(req)
	res, err := a.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out struct {
		Evaluations []Decision `json:"evaluations"`
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("tenantry answered %s", res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, err
	}
	if len(out.Evaluations) != len(actions) {
		return nil, fmt.Errorf("tenantry answered %d of %d questions", len(out.Evaluations), len(actions))
	}
	return out.Evaluations, nil
}

func random() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ServeHTTP serves the dashboard.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/login":
		a.login(w, r)
	case r.URL.Path == "/callback":
		a.callback(w, r)
	case r.URL.Path == "/logout":
		a.logout(w, r)
	case r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/area/"):
		a.page(w, r)
	case r.URL.Path == "/act" && r.Method == http.MethodPost:
		a.act(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (a *App) login(w http.ResponseWriter, r *http.Request) {
	state, p := random(), pending{nonce: random(), verifier: oauth2.GenerateVerifier()}
	a.mu.Lock()
	a.pending[state] = p
	a.mu.Unlock()
	http.Redirect(w, r, a.oauth.AuthCodeURL(state, oidc.Nonce(p.nonce), oauth2.S256ChallengeOption(p.verifier)), http.StatusFound)
}

func (a *App) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if a.cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, a.cfg.HTTPClient)
	}
	a.mu.Lock()
	p, ok := a.pending[r.URL.Query().Get("state")]
	delete(a.pending, r.URL.Query().Get("state"))
	a.mu.Unlock()
	if !ok {
		http.Error(w, "unknown sign-in; start again", http.StatusBadRequest)
		return
	}
	tok, err := a.oauth.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(p.verifier))
	if err != nil {
		http.Error(w, "sign-in failed: "+err.Error(), http.StatusBadGateway)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := a.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != p.nonce {
		http.Error(w, "the ID token could not be verified", http.StatusUnauthorized)
		return
	}
	var c struct {
		Name string `json:"name"`
		Org  string `json:"org_id"`
	}
	if err := idt.Claims(&c); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	id := random()
	a.mu.Lock()
	a.sessions[id] = &session{Subject: idt.Subject, Name: c.Name, Org: c.Org, IDToken: raw}
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "dash", Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *App) session(r *http.Request) *session {
	c, err := r.Cookie("dash")
	if err != nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessions[c.Value]
}

func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	s := a.session(r)
	if c, err := r.Cookie("dash"); err == nil {
		a.mu.Lock()
		delete(a.sessions, c.Value)
		a.mu.Unlock()
	}
	if s == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	// RP-initiated logout ends the Tenantry session too.
	http.Redirect(w, r, a.cfg.Issuer+"/oidc/end_session?id_token_hint="+s.IDToken+"&post_logout_redirect_uri="+a.cfg.BaseURL+"/", http.StatusFound)
}

// view is what a page shows.
type view struct {
	Name    string
	Areas   []Area // the areas the person may see
	Area    *Area
	Actions []actionView
	Done    string
	Refused string
}

type actionView struct {
	Name    string
	Allowed bool
	Why     string
}

func (a *App) page(w http.ResponseWriter, r *http.Request) {
	s := a.session(r)
	if s == nil {
		a.pages.ExecuteTemplate(w, "signin", nil)
		return
	}
	v, err := a.view(r.Context(), s, strings.TrimPrefix(r.URL.Path, "/area/"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	v.Done, v.Refused = r.URL.Query().Get("done"), r.URL.Query().Get("refused")
	a.pages.ExecuteTemplate(w, "page", v)
}

// view asks Tenantry which areas the person may see and, on an area's
// page, which of its actions they may do.
func (a *App) view(ctx context.Context, s *session, area string) (*view, error) {
	sees := make([]string, len(Areas))
	for i, ar := range Areas {
		sees[i] = ar.See
	}
	ds, err := a.Decide(ctx, s, sees)
	if err != nil {
		return nil, err
	}
	v := &view{Name: s.Name}
	for i, ar := range Areas {
		if ds[i].Decision {
			v.Areas = append(v.Areas, ar)
			if strings.EqualFold(ar.Name, area) {
				v.Area = &Areas[i]
			}
		}
	}
	if v.Area == nil || len(v.Area.Actions) == 0 {
		return v, nil
	}
	ds, err = a.Decide(ctx, s, v.Area.Actions)
	if err != nil {
		return nil, err
	}
	for i, act := range v.Area.Actions {
		v.Actions = append(v.Actions, actionView{Name: act, Allowed: ds[i].Decision, Why: ds[i].Context.Message})
	}
	return v, nil
}

// act does an action, if Tenantry says the person may: asked again now,
// whatever the page showed.
func (a *App) act(w http.ResponseWriter, r *http.Request) {
	s := a.session(r)
	if s == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	action, area := r.FormValue("action"), r.FormValue("area")
	ds, err := a.Decide(r.Context(), s, []string{action})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	q := "done=" + action
	if !ds[0].Decision {
		q = "refused=" + ds[0].Context.Message
	}
	http.Redirect(w, r, "/area/"+area+"?"+strings.ReplaceAll(q, " ", "+"), http.StatusSeeOther)
}

const pages = `{{define "signin"}}<!doctype html><html lang="en"><title>SIM dashboard</title>
<h1>SIM dashboard</h1><p><a id="signin" href="/login">Sign in with Tenantry</a></p></html>{{end}}
{{define "page"}}<!doctype html><html lang="en"><title>SIM dashboard</title>
<header><span id="who">{{.Name}}</span> · <a id="signout" href="/logout">Sign out</a></header>
<nav><ul id="areas">{{range .Areas}}<li><a href="/area/{{.Name}}">{{.Name}}</a></li>{{end}}</ul></nav>
<main>{{if .Done}}<p id="done">Done: {{.Done}}</p>{{end}}{{if .Refused}}<p id="refused">Tenantry says no: {{.Refused}}</p>{{end}}
{{with .Area}}<h1>{{.Name}}</h1>{{end}}
<ul id="actions">{{$area := .Area}}{{range .Actions}}<li><form method="post" action="/act"><input type="hidden" name="area" value="{{$area.Name}}">
<button name="action" value="{{.Name}}" data-allowed="{{.Allowed}}"{{if not .Allowed}} title="{{.Why}}"{{end}}>{{.Name}}</button>
{{if not .Allowed}}<small>{{.Why}}</small>{{end}}</form></li>{{end}}</ul></main></html>{{end}}`
