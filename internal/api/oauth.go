package api

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/tenantry/tenantry/internal/httpauth"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/httperr"
	"github.com/tenantry/tenantry/internal/oauth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// OAuthRoutes serves the OAuth2 endpoints, which speak RFC 6749's form
// encoding and error bodies rather than the API's JSON problems.
func OAuthRoutes(mux *http.ServeMux, a *app.App, log interface {
	ErrorContext(context.Context, string, ...any)
}) {
	mux.HandleFunc("POST /oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			writeOAuth(w, oauth.ErrInvalidRequest("the body must be application/x-www-form-urlencoded"))
			return
		}
		if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
			if gt == "" {
				writeOAuth(w, oauth.ErrInvalidRequest("grant_type is required"))
			} else {
				writeOAuth(w, oauth.ErrUnsupportedGrant(gt))
			}
			return
		}
		id, secret, ok := clientCredentials(r)
		if !ok {
			writeOAuth(w, oauth.ErrInvalidClient())
			return
		}
		tok, err := a.IssueToken(r.Context(), id, secret, r.PostForm.Get("scope"), httpauth.ClientIP(r))
		if err != nil {
			writeOAuthErr(w, r, log, err)
			return
		}
		body := map[string]any{"access_token": tok.AccessToken, "token_type": "Bearer", "expires_in": tok.ExpiresIn}
		if tok.Scope != "" {
			body["scope"] = tok.Scope
		}
		w.Header().Set("Cache-Control", "no-store")
		WriteJSON(w, http.StatusOK, body)
	})
	mux.HandleFunc("POST /oauth2/introspect", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := formClient(w, r)
		if !ok {
			return
		}
		in, err := a.Introspect(r.Context(), id, secret, r.PostForm.Get("token"), httpauth.ClientIP(r))
		if err != nil {
			writeOAuthErr(w, r, log, err)
			return
		}
		body := map[string]any{"active": in.Active}
		if in.Active {
			body["sub"], body["client_id"], body["org"], body["roles"] = in.Subject, in.ClientID, in.Org, in.Roles
			body["exp"], body["iat"], body["token_type"] = in.Expires.Unix(), in.IssuedAt.Unix(), "Bearer"
			body["iss"], body["aud"], body["jti"] = in.Issuer, in.Audience, in.ID
			if !in.NotBefore.IsZero() {
				body["nbf"] = in.NotBefore.Unix()
			}
			if in.Scope != "" {
				body["scope"] = in.Scope
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		WriteJSON(w, http.StatusOK, body)
	})
	mux.HandleFunc("POST /oauth2/revoke", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := formClient(w, r)
		if !ok {
			return
		}
		if err := a.RevokeToken(r.Context(), id, secret, r.PostForm.Get("token"), httpauth.ClientIP(r)); err != nil {
			writeOAuthErr(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /oauth2/jwks", func(w http.ResponseWriter, r *http.Request) {
		set, err := a.JWKS(r.Context())
		if err != nil {
			writeOAuthErr(w, r, log, err)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=60")
		WriteJSON(w, http.StatusOK, set)
	})
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		iss := a.Issuer()
		WriteJSON(w, http.StatusOK, map[string]any{
			"issuer": iss, "token_endpoint": iss + "/oauth2/token", "jwks_uri": iss + "/oauth2/jwks",
			"introspection_endpoint": iss + "/oauth2/introspect", "revocation_endpoint": iss + "/oauth2/revoke",
			// No authorization endpoint, so no response types: RFC 8414's
			// response_types_supported describes one (docs/security.md).
			"grant_types_supported":                         []string{"client_credentials"},
			"scopes_supported":                              a.Scopes(),
			"token_endpoint_auth_methods_supported":         []string{"client_secret_basic", "client_secret_post"},
			"introspection_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
			"revocation_endpoint_auth_methods_supported":    []string{"client_secret_basic", "client_secret_post"},
			"service_documentation":                         iss + "/api/docs",
		})
	})
}

// formClient parses a form-encoded request and its client credentials,
// answering the error itself when either is missing.
func formClient(w http.ResponseWriter, r *http.Request) (id, secret string, ok bool) {
	if err := r.ParseForm(); err != nil {
		writeOAuth(w, oauth.ErrInvalidRequest("the body must be application/x-www-form-urlencoded"))
		return "", "", false
	}
	if id, secret, ok = clientCredentials(r); !ok {
		writeOAuth(w, oauth.ErrInvalidClient())
	}
	return id, secret, ok
}

// clientCredentials reads client_secret_basic or client_secret_post. In
// the Basic header both are form-URL-encoded first (RFC 6749 §2.3.1).
func clientCredentials(r *http.Request) (id, secret string, ok bool) {
	if id, secret, ok = r.BasicAuth(); ok {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		return id, secret, err1 == nil && err2 == nil && id != "" && secret != ""
	}
	id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	return id, secret, id != "" && secret != ""
}

// RefuseOAuth answers an OAuth2 request refused before its handler ran
// in RFC 6749's terms: input at fault is invalid_request, a database that
// did not answer temporarily_unavailable (503).
func RefuseOAuth(w http.ResponseWriter, err error) {
	switch tenantry.ErrorCode(err).Kind() {
	case tenantry.Invalid, tenantry.Malformed:
		writeOAuth(w, oauth.ErrInvalidRequest(tenantry.ErrorMessage(err)))
	case tenantry.Unavailable:
		writeOAuth(w, &oauth.Error{Code: "temporarily_unavailable", Description: tenantry.ErrorMessage(err),
			Status: http.StatusServiceUnavailable, RetryAfter: httperr.RetryUnavailable})
	default:
		writeOAuth(w, &oauth.Error{Code: "server_error", Description: "internal error", Status: http.StatusInternalServerError})
	}
}

// writeOAuth is the one writer of RFC 6749 error bodies.
func writeOAuth(w http.ResponseWriter, e *oauth.Error) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="tenantry"`)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, e.Status, map[string]string{"error": e.Code, "error_description": e.Description})
}

func writeOAuthErr(w http.ResponseWriter, r *http.Request, log interface {
	ErrorContext(context.Context, string, ...any)
}, err error) {
	var oe *oauth.Error
	if errors.As(err, &oe) {
		writeOAuth(w, oe)
		return
	}
	if httperr.ClientGone(r.Context(), err) {
		w.WriteHeader(httperr.StatusClientClosed)
		return
	}
	log.ErrorContext(r.Context(), "oauth", "err", err)
	writeOAuth(w, &oauth.Error{Code: "server_error", Description: "internal error", Status: 500})
}

// WriteJSON writes v as a JSON response with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type createClientInput struct {
	OrgID string `path:"org"`
	Body  struct {
		Kind         string   `json:"kind,omitempty" enum:"api,service" default:"api" doc:"api: an API user; service: a service account"`
		Name         string   `json:"name" maxLength:"50" doc:"client_id becomes ACCOUNTNUMBER_name"`
		ClientSecret string   `json:"client_secret,omitempty" maxLength:"512" doc:"At least 32 characters; leave out to have one generated"`
		Roles        []string `json:"roles,omitempty" maxItems:"20" doc:"Default api_user"`
	}
}

type clientOutput struct {
	Body struct {
		User         User   `json:"user"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret,omitempty" doc:"The generated secret, shown this once; absent when you chose it"`
	}
}

type rotateInput struct {
	UserID string `path:"user"`
	Body   struct {
		ClientSecret   string `json:"client_secret,omitempty" maxLength:"512"`
		OverlapSeconds int    `json:"overlap_seconds,omitempty" minimum:"0" maximum:"2592000" default:"86400" doc:"How long the old secrets keep working"`
	}
}

type secretOutput struct {
	Body struct {
		ClientSecret string `json:"client_secret,omitempty" doc:"The generated secret, shown this once"`
	}
}

type patInput struct {
	Body struct {
		Name          string `json:"name" maxLength:"200"`
		ExpiresInDays int    `json:"expires_in_days" minimum:"1" maximum:"366"`
	}
}

// PersonalToken describes a personal access token, never its value.
type PersonalToken struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

type patOutput struct {
	Body struct {
		PersonalToken
		Token string `json:"token" doc:"Shown this once; send it as Authorization: Bearer"`
	}
}

type patsOutput struct {
	Body struct {
		Items []PersonalToken `json:"items"`
	}
}

func (s *Server) clientRoutes() {
	create := op("createClient", http.MethodPost, "/api/v1/orgs/{org}/clients", "Create an API user or service account", "Clients")
	create.DefaultStatus = http.StatusCreated
	create.Errors = append(create.Errors, 409)
	create.Description = "Machines authenticate at POST /oauth2/token with client_id and client_secret (client_credentials). " +
		"A generated secret is shown once; secrets are stored as keyed hashes."
	huma.Register(s.api, create, func(ctx context.Context, in *createClientInput) (*clientOutput, error) {
		v, secret, err := s.app.CreateClient(ctx, actor(ctx), in.OrgID, app.NewClient{Kind: tenantry.UserKind(in.Body.Kind),
			Name: in.Body.Name, Secret: in.Body.ClientSecret, Roles: in.Body.Roles})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &clientOutput{}
		out.Body.User, out.Body.ClientID, out.Body.ClientSecret = toUser(v), v.Login, secret
		return out, nil
	})
	rot := op("rotateClientSecret", http.MethodPost, "/api/v1/users/{user}/secrets", "Add a new client secret; old ones expire after an overlap", "Clients")
	rot.DefaultStatus = http.StatusCreated
	rot.Description = "The new secret works at once. The old ones keep working for overlap_seconds, and end then (within " +
		"2 seconds more on other instances, which cache clients that long)."
	huma.Register(s.api, rot, func(ctx context.Context, in *rotateInput) (*secretOutput, error) {
		secret, err := s.app.RotateClientSecret(ctx, actor(ctx), in.UserID, in.Body.ClientSecret, time.Duration(in.Body.OverlapSeconds)*time.Second)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &secretOutput{}
		out.Body.ClientSecret = secret
		return out, nil
	})
	type secretBody struct {
		ID        string     `json:"id"`
		CreatedAt time.Time  `json:"created_at"`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"Set on old secrets after a rotation"`
	}
	type secretsOutput struct {
		Body struct {
			Items []secretBody `json:"items"`
		}
	}
	huma.Register(s.api, op("listClientSecrets", http.MethodGet, "/api/v1/users/{user}/secrets", "List a client's secrets (never their values)", "Clients"),
		func(ctx context.Context, in *userInput) (*secretsOutput, error) {
			list, err := s.app.ClientSecrets(ctx, actor(ctx), in.UserID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &secretsOutput{}
			out.Body.Items = []secretBody{}
			for _, sc := range list {
				out.Body.Items = append(out.Body.Items, secretBody{ID: sc.ID, CreatedAt: sc.CreatedAt, ExpiresAt: timePtr(sc.ExpiresAt)})
			}
			return out, nil
		})
	type revokeSecretInput struct {
		UserID   string `path:"user"`
		SecretID string `path:"secret"`
	}
	rs := op("revokeClientSecret", http.MethodDelete, "/api/v1/users/{user}/secrets/{secret}", "Revoke a client secret now", "Clients")
	rs.DefaultStatus = http.StatusNoContent
	rs.Errors = append(rs.Errors, 409)
	rs.Description = "The secret stops granting tokens at once on this instance and within 2 seconds on every other " +
		"instance on the same database (each keeps a 2-second cache of clients for the token endpoint). Tokens already " +
		"issued stay valid until they expire; lock the client to end them at once."
	huma.Register(s.api, rs, func(ctx context.Context, in *revokeSecretInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.RevokeClientSecret(ctx, actor(ctx), in.UserID, in.SecretID))
	})

	pat := op("createPersonalToken", http.MethodPost, "/api/v1/me/tokens", "Create a personal access token for the Management API (Owners)", "Me")
	pat.DefaultStatus = http.StatusCreated
	huma.Register(s.api, pat, func(ctx context.Context, in *patInput) (*patOutput, error) {
		t, raw, err := s.app.CreatePersonalToken(ctx, actor(ctx), in.Body.Name, time.Duration(in.Body.ExpiresInDays)*24*time.Hour)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &patOutput{}
		out.Body.PersonalToken = PersonalToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}
		out.Body.Token = raw
		return out, nil
	})
	huma.Register(s.api, op("listPersonalTokens", http.MethodGet, "/api/v1/me/tokens", "List your personal access tokens", "Me"),
		func(ctx context.Context, _ *struct{}) (*patsOutput, error) {
			list, err := s.app.PersonalTokens(ctx, actor(ctx))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &patsOutput{}
			out.Body.Items = []PersonalToken{}
			for _, t := range list {
				out.Body.Items = append(out.Body.Items, PersonalToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt})
			}
			return out, nil
		})
	del := op("deletePersonalToken", http.MethodDelete, "/api/v1/me/tokens/{id}", "Revoke a personal access token", "Me")
	del.DefaultStatus = http.StatusNoContent
	huma.Register(s.api, del, func(ctx context.Context, in *idInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.DeletePersonalToken(ctx, actor(ctx), in.ID))
	})
}
