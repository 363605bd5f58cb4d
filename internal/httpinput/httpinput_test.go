package httpinput

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
