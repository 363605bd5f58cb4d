package httpinput

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

func TestCheckNamesTheFieldAtFault(t *testing.T) {
	for name, c := range map[string]struct {
		target, ctype, body string
		field               string
	}{
		"clean json":          {"/x", "application/json", `{"a":"b\nc","n":[1,{"k":"v"}]}`, ""},
		"nul in json":         {"/x", "application/json", `{"login":"a\u0000b","password":"p"}`, "login"},
		"nested":              {"/x", "application/json", `{"owner":{"email":"e","first_name":"\u0007"}}`, "owner.first_name"},
		"in an array":         {"/x", "application/json", `{"ranges":[{"start":"1"},{"start":"2\u0000"}]}`, "ranges[1].start"},
		"after a nested list": {"/x", "application/json", `{"roles":["a","b"],"name":"\u001b"}`, "name"},
		"key":                 {"/x", "application/json", `{"a\u0000":1}`, "body"},
		"top-level string":    {"/x", "application/json", `"\u0000"`, "body"},
		"malformed is left":   {"/x", "application/json", `{"a":`, ""},
		"query":               {"/x?cursor=a%00b", "", "", "cursor"},
		"invalid utf-8 query": {"/x?q=%ff", "", "", "q"},
		"path":                {"/users/a%00b", "", "", "path"},
		"form":                {"/x", "application/x-www-form-urlencoded", "client_id=a%00b&x=1", "client_id"},
		"form line breaks":    {"/x", "application/x-www-form-urlencoded", "text=a%0D%0Ab", ""},
	} {
		r := httptest.NewRequest("POST", c.target, strings.NewReader(c.body))
		if c.ctype != "" {
			r.Header.Set("Content-Type", c.ctype)
		}
		var got string
		h := Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), func(_ http.ResponseWriter, _ *http.Request, err error) {
			var e *tenantry.Error
			if errors.As(err, &e) && len(e.Fields) == 1 {
				got = e.Fields[0].Field
			}
		})
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != c.field {
			t.Errorf("%s: field %q, want %q", name, got, c.field)
		}
	}
}

// deadlineRecorder is a response writer that records read deadlines set
// on its connection.
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	deadlines int
}

func (d *deadlineRecorder) SetReadDeadline(time.Time) error { d.deadlines++; return nil }

// TestReadDeadlinesAfterTheBodyIsReadAreDropped: once the body is read
// whole here, a read deadline a handler sets (huma sets one before it
// reads a body) must not reach the connection, where it would cancel a
// long request as if its client had gone (a bulk import answered 499
// after 5 s on a busy machine). Without a body, deadlines pass through.
func TestReadDeadlinesAfterTheBodyIsReadAreDropped(t *testing.T) {
	handler := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Fatalf("flush through the wrapper: %v", err)
		}
	}), func(http.ResponseWriter, *http.Request, error) { t.Fatal("refused") })
	for _, c := range []struct {
		name, contentType, body string
		reach                   int
	}{
		{"json", "application/json", `{"users":[{"email":"a@example.com"}]}`, 0},
		{"form", "application/x-www-form-urlencoded", "a=1&b=2", 0},
		{"no body", "", "", 1},
	} {
		rec := &deadlineRecorder{ResponseRecorder: httptest.NewRecorder()}
		req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(c.body))
		if c.body == "" {
			req = httptest.NewRequest(http.MethodGet, "/x", nil)
		}
		req.Header.Set("Content-Type", c.contentType)
		handler.ServeHTTP(rec, req)
		if rec.deadlines != c.reach {
			t.Errorf("%s: %d read deadlines reached the connection, want %d", c.name, rec.deadlines, c.reach)
		}
	}
}
