// Package api serves Tenantry's REST API under /api/v1 with huma, which
// keeps the OpenAPI document and the handlers one thing. Handlers are thin:
// they translate HTTP to calls of the one door, internal/app, and errors to
// RFC 9457 problem documents in one place (problem.go).
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/httpauth"
)

// Version is reported in the OpenAPI document.
var Version = "dev"

// Server is the REST API over one App.
type Server struct {
	app    *app.App
	log    *slog.Logger
	secure bool // cookies get Secure and the __Host- prefix
	api    huma.API
	public string // the public URL
}

// SessionCookie is the name of the session cookie when served over plain
// HTTP; over TLS it carries the __Host- prefix.
const SessionCookie = httpauth.CookieName

// New registers every operation on mux. publicURL decides whether cookies
// are marked Secure: they are when Tenantry is reached over https.
func New(mux *http.ServeMux, a *app.App, log *slog.Logger, publicURL string) *Server {
	s := build(mux, a, log, publicURL, a.Scopes())
	mux.HandleFunc("GET /api/docs", s.docs)
	OAuthRoutes(mux, a, log)
	return s
}

// Document returns the OpenAPI document of a Tenantry at publicURL whose
// tokens may be narrowed to scopes, as GET /api/v1/openapi.json serves it.
func Document(publicURL string, scopes []string) ([]byte, error) {
	s := build(http.NewServeMux(), nil, slog.New(slog.DiscardHandler), publicURL, scopes)
	return json.Marshal(s.api.OpenAPI())
}

// build registers the API's operations on mux; a may be nil for a
// document only.
func build(mux *http.ServeMux, a *app.App, log *slog.Logger, publicURL string, scopeNames []string) *Server {
	cfg := huma.DefaultConfig("Tenantry", Version)
	cfg.Info.Description = "Accounts, users, roles and organizations for B2B customer portals. " +
		"Sign in with POST /api/v1/session; the session cookie authenticates every other call. " +
		"Machines send `Authorization: Bearer` with an access token from POST /oauth2/token (client_credentials; " +
		"form-encoded as RFC 6749 says, so described by /.well-known/oauth-authorization-server rather than here), " +
		"or an Owner's personal access token. Errors are RFC 9457 problem documents with a stable `code`."
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.DocsPath = ""
	cfg.SchemasPath = "/api/v1/schemas"
	// huma's schema links name the host the request named; ours name the
	// public URL, whatever Host or X-Forwarded-Host a client sends.
	cfg.CreateHooks = []func(huma.Config) huma.Config{func(c huma.Config) huma.Config {
		links := huma.NewSchemaLinkTransformer("#/components/schemas/", c.SchemasPath)
		c.OnAddOperation = append(c.OnAddOperation, links.OnAddOperation)
		c.Transformers = append(c.Transformers, func(ctx huma.Context, status string, v any) (any, error) {
			return links.Transform(publicHost{ctx, publicURL}, status, v)
		})
		return c
	}}
	cfg.Servers = []*huma.Server{{URL: publicURL, Description: "This Tenantry (its --public-url)"}}
	scopes := map[string]string{}
	for _, s := range scopeNames {
		scopes[s] = "Narrows the token to this action"
	}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"session": {Type: "apiKey", In: "cookie", Name: SessionCookie},
		"bearer":  {Type: "http", Scheme: "bearer", BearerFormat: "JWT", Description: "An access token from POST /oauth2/token, or an Owner's personal access token"},
		"oauth2": {Type: "oauth2", Description: "API users and service accounts: the client_credentials grant (RFC 6749 §4.4); " +
			"a token without scope carries every permission of the client's roles",
			Flows: &huma.OAuthFlows{ClientCredentials: &huma.OAuthFlow{TokenURL: publicURL + "/oauth2/token", Scopes: scopes}}},
	}
	s := &Server{app: a, log: log, secure: strings.HasPrefix(publicURL, "https://"), public: publicURL}
	s.api = humago.New(mux, cfg)
	s.routes()
	return s
}

// publicHost is a request context whose host is the public URL, for the
// schema links.
type publicHost struct {
	humaContext
	url string
}

// humaContext lets publicHost embed huma.Context, whose Context method
// would clash with an embedded field of that name.
type humaContext interface{ huma.Context }

func (p publicHost) Header(name string) string {
	if http.CanonicalHeaderKey(name) == "X-Forwarded-Host" {
		return p.url
	}
	if http.CanonicalHeaderKey(name) == "Forwarded" {
		return ""
	}
	return p.humaContext.Header(name)
}

// routes is the one table of the API's operations.
func (s *Server) routes() {
	s.sessionRoutes()
	s.accountRoutes()
	s.serviceRoutes()
	s.orgRoutes()
	s.userRoutes()
	s.grantRoutes()
	s.roleRoutes()
	s.meRoutes()
	s.lifecycleRoutes()
	s.invitationRoutes()
	s.subOrgRoutes()
	s.simRoutes()
	s.workRoutes()
	s.clientRoutes()
	s.auditRoutes()
	s.noticeRoutes()
	s.idpRoutes()
	s.decisionRoutes()
	s.providerRoutes()
	s.scimRoutes()
	s.webhookRoutes()
	s.reviewRoutes()
	s.importRoutes()
}

var sessionSecurity = []map[string][]string{{"session": {}}, {"bearer": {}}, {"oauth2": {}}}

// publicSecurity marks an operation that needs no credentials (OpenAPI's
// empty security requirement).
var publicSecurity = []map[string][]string{{}}

// op describes one authenticated operation. 415 is any body that is not
// JSON; 503 a database that did not answer.
func op(id, method, path, summary string, tags ...string) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags,
		Security: sessionSecurity, Errors: []int{400, 401, 403, 404, 415, 422}}
}

func actor(ctx context.Context) *app.Actor { return httpauth.Actor(ctx) }
