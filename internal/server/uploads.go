package server

import (
	"errors"
	"fmt"
	"mime"
	"net/http"

	"github.com/tenantry/tenantry/internal/httpauth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// MaxUploadBytes bounds a multipart request: the largest file any form of
// Tenantry takes (an operator's inventory file), with room for its fields.
const MaxUploadBytes = 64<<20 + 64<<10

// uploadMemory is how much of an upload is held in memory; the rest of a
// file waits in a temporary file, which uploads removes.
const uploadMemory = 1 << 20

// uploads handles every multipart request before its handler does: one
// without a signed-in actor is refused before its body is read; the body
// is bounded; the form is parsed on the very request the handler gets,
// and its temporary files are removed when the handler returns, whatever
// it did with them.
func uploads(next http.Handler, refuse func(w http.ResponseWriter, r *http.Request, err error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "multipart/form-data" {
			next.ServeHTTP(w, r)
			return
		}
		if httpauth.Actor(r.Context()) == nil {
			w.Header().Set("Connection", "close") // no reason to read what is refused
			refuse(w, r, tenantry.Errorf(tenantry.Unauthenticated, "sign in first"))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes)
		err := r.ParseMultipartForm(uploadMemory)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			refuse(w, r, &tenantry.Error{Code: tenantry.TooLarge,
				Message: fmt.Sprintf("the upload is larger than %d MiB", MaxUploadBytes>>20), Err: err})
			return
		case err != nil:
			refuse(w, r, &tenantry.Error{Code: tenantry.Malformed, Message: "the multipart body could not be read", Err: err})
			return
		}
		next.ServeHTTP(w, r)
	})
}
