// Package scim serves SCIM 2.0 (RFC 7643, RFC 7644) at /scim/v2 for the
// organization whose SCIM token a request carries (B7): its Users are the
// org's people, its Groups the roles the org's directory may give. Filters
// and PATCH paths are parsed by github.com/scim2/filter-parser; every
// change goes through internal/app as the org's SCIM service account, so
// the policy that guards the API guards SCIM too.
package scim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/httpauth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// The schema and message URNs of RFC 7643 and RFC 7644.
const (
	SchemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaError      = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaPatch      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	contentType      = "application/scim+json"
	// maxResults bounds a page of a list.
	maxResults = 1000
	// defaultCount is a page's size when the client names none.
	defaultCount = 100
	// maxBody bounds a request body.
	maxBody = 1 << 20
)

// server answers SCIM requests.
type server struct {
	a    *app.App
	base string // the absolute URL of /scim/v2
	log  *slog.Logger
}

// Mount adds the SCIM endpoints to mux.
func Mount(mux *http.ServeMux, a *app.App, publicURL string, log *slog.Logger) {
	s := &server{a: a, base: strings.TrimRight(publicURL, "/") + "/scim/v2", log: log}
	mux.HandleFunc("GET /scim/v2/ServiceProviderConfig", s.open(s.serviceProviderConfig))
	mux.HandleFunc("GET /scim/v2/ResourceTypes", s.open(s.resourceTypes))
	mux.HandleFunc("GET /scim/v2/ResourceTypes/{id}", s.open(s.resourceType))
	mux.HandleFunc("GET /scim/v2/Schemas", s.open(s.schemas))
	mux.HandleFunc("GET /scim/v2/Schemas/{id}", s.open(s.schema))
	mux.HandleFunc("GET /scim/v2/Users", s.signed(s.listUsers))
	mux.HandleFunc("POST /scim/v2/Users", s.signed(s.createUser))
	mux.HandleFunc("GET /scim/v2/Users/{id}", s.signed(s.getUser))
	mux.HandleFunc("PUT /scim/v2/Users/{id}", s.signed(s.replaceUser))
	mux.HandleFunc("PATCH /scim/v2/Users/{id}", s.signed(s.patchUser))
	mux.HandleFunc("DELETE /scim/v2/Users/{id}", s.signed(s.deleteUser))
	mux.HandleFunc("GET /scim/v2/Groups", s.signed(s.listGroups))
	mux.HandleFunc("POST /scim/v2/Groups", s.signed(s.createGroup))
	mux.HandleFunc("GET /scim/v2/Groups/{id}", s.signed(s.getGroup))
	mux.HandleFunc("PUT /scim/v2/Groups/{id}", s.signed(s.replaceGroup))
	mux.HandleFunc("PATCH /scim/v2/Groups/{id}", s.signed(s.patchGroup))
	mux.HandleFunc("DELETE /scim/v2/Groups/{id}", s.signed(s.deleteGroup))
	mux.HandleFunc("/scim/", s.open(func(w http.ResponseWriter, r *http.Request) error {
		return &Error{Status: http.StatusNotFound, Detail: fmt.Sprintf("%s %s is not a SCIM endpoint here", r.Method, r.URL.Path)}
	}))
}

// Error is a SCIM error (RFC 7644 §3.12).
type Error struct {
	Status int
	Type   string // scimType, "" for none
	Detail string
}

func (e *Error) Error() string { return e.Detail }

// badRequest is a 400 of a SCIM type.
func badRequest(typ, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: typ, Detail: fmt.Sprintf(format, args...)}
}

// open wraps a handler that needs no token.
func (s *server) open(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// signed wraps a handler that needs an org's SCIM token.
func (s *server) signed(h func(http.ResponseWriter, *http.Request, *app.Actor) error) http.HandlerFunc {
	return s.open(func(w http.ResponseWriter, r *http.Request) error {
		who := httpauth.Actor(r.Context())
		if who == nil || who.Via != app.ViaSCIM {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			return &Error{Status: http.StatusUnauthorized,
				Detail: "send the organization's SCIM token as Authorization: Bearer; an administrator makes one on the organization's Security page"}
		}
		return h(w, r, who)
	})
}

// Refuse answers a request a middleware stopped, as a SCIM error.
func Refuse(w http.ResponseWriter, r *http.Request, err error) {
	(&server{}).fail(w, r, err)
}

// scimFields names Tenantry's fields as SCIM attributes in messages.
var scimFields = map[string]string{
	"login": "userName", "email": "emails", "first_name": "name.givenName", "last_name": "name.familyName",
	"phone": "phoneNumbers", "job_title": "title", "language": "preferredLanguage", "external_id": "externalId",
	"members": "members", "roles": "groups",
}

// fail writes err as a SCIM error.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var se *Error
	if !errors.As(err, &se) {
		se = &Error{Detail: tenantry.ErrorMessage(err)}
		var te *tenantry.Error
		if errors.As(err, &te) && len(te.Fields) > 0 {
			var parts []string
			for _, f := range te.Fields {
				name := f.Field
				if n, ok := scimFields[name]; ok {
					name = n
				}
				parts = append(parts, name+": "+f.Message)
			}
			se.Detail = strings.Join(parts, "; ")
		}
		switch code := tenantry.ErrorCode(err); code {
		case tenantry.Invalid:
			se.Status, se.Type = http.StatusBadRequest, "invalidValue"
		case tenantry.Conflict:
			se.Status, se.Type = http.StatusConflict, "uniqueness"
		case tenantry.NotFound:
			se.Status = http.StatusNotFound
		case tenantry.Forbidden, tenantry.InitialOwner:
			se.Status = http.StatusForbidden
		case tenantry.Unauthenticated:
			se.Status = http.StatusUnauthorized
		default:
			se.Status = http.StatusInternalServerError
			if code.Kind() == tenantry.Unavailable {
				se.Status = http.StatusServiceUnavailable
			}
			if s.log != nil {
				s.log.ErrorContext(r.Context(), "scim request failed", "err", err)
			}
			se.Detail = "the request could not be completed; try again shortly"
		}
	}
	body := map[string]any{"schemas": []string{schemaError}, "status": strconv.Itoa(se.Status), "detail": se.Detail}
	if se.Type != "" {
		body["scimType"] = se.Type
	}
	write(w, se.Status, body)
}

// write writes v as SCIM JSON.
func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeResource writes a resource with its ETag.
func writeResource(w http.ResponseWriter, status int, doc map[string]any) {
	if m, ok := doc["meta"].(map[string]any); ok {
		if v, ok := m["version"].(string); ok {
			w.Header().Set("ETag", v)
		}
		if status == http.StatusCreated {
			w.Header().Set("Location", m["location"].(string))
		}
	}
	write(w, status, doc)
}

// readBody decodes a request body into a JSON object with canonical
// attribute names.
func readBody(r *http.Request) (map[string]any, error) {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, badRequest("invalidSyntax", "the body could not be read: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, badRequest("invalidSyntax", "the body is not a JSON object: %v", err)
	}
	return canonicalMap(doc), nil
}

// version is the weak ETag of a resource: a digest of what it says,
// without its meta.
func version(doc map[string]any) string {
	meta := doc["meta"]
	delete(doc, "meta")
	b, _ := json.Marshal(doc)
	if meta != nil {
		doc["meta"] = meta
	}
	sum := sha256.Sum256(b)
	return `W/"` + hex.EncodeToString(sum[:8]) + `"`
}

// ifMatch returns the check of an If-Match header against the stored
// resource's version, or nil where there is none (or "*").
func ifMatch(r *http.Request, doc func(*app.UserView) map[string]any) func(*app.UserView) error {
	want := strings.TrimSpace(r.Header.Get("If-Match"))
	if want == "" || want == "*" {
		return nil
	}
	return func(v *app.UserView) error {
		if !sameVersion(version(doc(v)), want) {
			return &Error{Status: http.StatusPreconditionFailed, Detail: "the resource changed since you read it (If-Match does not match its ETag); read it again"}
		}
		return nil
	}
}

// sameVersion compares ETags, weak or strong.
func sameVersion(a, b string) bool {
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, one := range strings.Split(b, ",") {
		if strip(one) == strip(a) {
			return true
		}
	}
	return false
}

// page reads startIndex and count (RFC 7644 §3.4.2.4).
func page(r *http.Request) (start, count int, err error) {
	start, count = 1, defaultCount
	q := r.URL.Query()
	if v := q.Get("startIndex"); v != "" {
		if start, err = strconv.Atoi(v); err != nil {
			return 0, 0, badRequest("invalidValue", "startIndex: must be a whole number, got %q", v)
		}
	}
	if v := q.Get("count"); v != "" {
		if count, err = strconv.Atoi(v); err != nil {
			return 0, 0, badRequest("invalidValue", "count: must be a whole number, got %q", v)
		}
	}
	return max(start, 1), min(max(count, 0), maxResults), nil
}

// listResponse is a ListResponse of docs projected by the request's
// attributes and excludedAttributes.
func listResponse(r *http.Request, docs []map[string]any, total, start int) map[string]any {
	res := make([]map[string]any, 0, len(docs))
	for _, d := range docs {
		res = append(res, project(r, d))
	}
	return map[string]any{"schemas": []string{schemaList}, "totalResults": total, "startIndex": start,
		"itemsPerPage": len(res), "Resources": res}
}

// project keeps the attributes a request asks for (RFC 7644 §3.9); id,
// schemas and meta are always returned.
func project(r *http.Request, doc map[string]any) map[string]any {
	q := r.URL.Query()
	names := func(key string) map[string]bool {
		v := q.Get(key)
		if v == "" {
			return nil
		}
		out := map[string]bool{}
		for _, n := range strings.Split(v, ",") {
			n = strings.TrimSpace(n)
			if i := strings.LastIndex(n, ":"); i >= 0 { // a URN-qualified name
				n = n[i+1:]
			}
			n, _, _ = strings.Cut(n, ".")
			out[strings.ToLower(n)] = true
		}
		return out
	}
	only, except := names("attributes"), names("excludedAttributes")
	if only == nil && except == nil {
		return doc
	}
	out := map[string]any{}
	for k, v := range doc {
		always := k == "id" || k == "schemas" || k == "meta"
		lk := strings.ToLower(k)
		if always || (only == nil || only[lk]) && !except[lk] {
			out[k] = v
		}
	}
	return out
}
