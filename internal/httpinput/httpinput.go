// Package httpinput refuses, before any handler runs, request text that no
// field of Tenantry may hold: control characters (other than tab and line
// breaks in JSON strings) and invalid UTF-8, in the path, the query, a
// form body or any string of a JSON body. It names the field at fault, so
// a client learns what to fix, and the databases never see a NUL byte.
package httpinput

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// maxScan bounds the JSON bodies read whole to be checked; larger ones
// pass on unchecked to the handler, whose own limit refuses them.
const maxScan = 8 << 20

// Middleware checks every request and hands a refused one to reject with
// an Invalid error naming the field at fault and what is wrong with it.
func Middleware(next http.Handler, reject func(w http.ResponseWriter, r *http.Request, err error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		field, msg, whole, err := check(r)
		if err != nil {
			reject(w, r, &tenantry.Error{Code: tenantry.Malformed, Message: "the body could not be read", Err: err})
			return
		}
		if field != "" {
			reject(w, r, tenantry.FieldInvalid(field, msg))
			return
		}
		if whole {
			w = bodyInMemory{w}
		}
		next.ServeHTTP(w, r)
	})
}

// bodyInMemory is the writer of a request whose body was read whole here.
// Having hit the body's end, net/http watches the connection for the
// client going away; a read deadline set on it now (huma sets one before
// it reads a body: 5 s by default) would fire during a long handler and
// cancel the request as if the client had gone (499 client_closed in the
// middle of a bulk import). With the body in memory there is nothing left
// to read, so a read deadline is accepted and dropped.
type bodyInMemory struct{ http.ResponseWriter }

// SetReadDeadline drops the deadline: the body is read already.
func (bodyInMemory) SetReadDeadline(time.Time) error { return nil }

// Unwrap gives http.ResponseController the writer for everything else.
func (w bodyInMemory) Unwrap() http.ResponseWriter { return w.ResponseWriter }

const (
	badControl = "must not contain control characters"
	badUTF8    = "must be valid UTF-8"
)

// lineText reports what is wrong with a one-line value: no control
// character at all.
func lineText(s string) string {
	if !utf8.ValidString(s) {
		return badUTF8
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return badControl
		}
	}
	return ""
}

// blockText reports what is wrong with a value that may span lines.
func blockText(s string) string {
	switch {
	case !utf8.ValidString(s):
		return badUTF8
	case !tenantry.CleanText(s):
		return badControl
	}
	return ""
}

// check returns the first field at fault and why, or an error when the
// body cannot be read; whole says it read the body to its end.
func check(r *http.Request) (field, msg string, whole bool, err error) {
	if m := lineText(r.URL.Path); m != "" {
		return "path", m, false, nil
	}
	for k, vs := range r.URL.Query() {
		if m := lineText(k); m != "" {
			return "query", m, false, nil
		}
		for _, v := range vs {
			if m := lineText(v); m != "" {
				return k, m, false, nil
			}
		}
	}
	if r.Body == nil || r.Body == http.NoBody {
		return "", "", false, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return "body", "is not a valid form", false, nil
		}
		for k, vs := range r.PostForm {
			if m := lineText(k); m != "" {
				return "body", m, true, nil
			}
			for _, v := range vs {
				if m := blockText(v); m != "" {
					return k, m, true, nil
				}
			}
		}
		return "", "", true, nil
	case ct == "application/json" || strings.HasSuffix(ct, "+json"):
		buf, err := io.ReadAll(io.LimitReader(r.Body, maxScan+1))
		if err != nil {
			return "", "", false, err
		}
		if len(buf) > maxScan {
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
			return "", "", false, nil
		}
		r.Body = io.NopCloser(bytes.NewReader(buf))
		field, msg = checkJSON(buf)
		return field, msg, true, nil
	}
	return "", "", false, nil
}

// checkJSON walks a JSON document's keys and strings; malformed JSON is
// left to the handler's decoder, which says where it breaks.
func checkJSON(buf []byte) (field, msg string) {
	d := json.NewDecoder(bytes.NewReader(buf))
	type level struct {
		array bool
		index int
		key   string
		isKey bool // in an object, the next string is a key
	}
	var stack []level
	path := func() string {
		var b strings.Builder
		for _, l := range stack {
			switch {
			case l.array:
				b.WriteString("[" + strconv.Itoa(l.index) + "]")
			case l.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			}
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	// value ends one value at the top of the stack.
	value := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].isKey = true
			}
		}
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return "", ""
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, level{isKey: true})
			case '[':
				stack = append(stack, level{array: true})
			default:
				stack = stack[:len(stack)-1]
				value()
			}
		case string:
			if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].isKey {
				if m := lineText(t); m != "" {
					return "body", "a key " + m // never echoed: it is not a field of ours
				}
				stack[n-1].key, stack[n-1].isKey = t, false
				continue
			}
			if m := blockText(t); m != "" {
				return path(), m
			}
			value()
		default:
			value()
		}
	}
}
