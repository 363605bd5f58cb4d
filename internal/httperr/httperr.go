// Package httperr is the one table from Tenantry's error codes to HTTP
// statuses, read by the API's problem documents and the portal's pages.
package httperr

import (
	"net/http"

	"github.com/tenantry/tenantry/internal/tenantry"
)

var statusOf = map[tenantry.Code]int{
	tenantry.Invalid:         http.StatusUnprocessableEntity,
	tenantry.Unauthenticated: http.StatusUnauthorized,
	tenantry.Forbidden:       http.StatusForbidden,
	tenantry.NotFound:        http.StatusNotFound,
	tenantry.Conflict:        http.StatusConflict,
	tenantry.TooMany:         http.StatusTooManyRequests,
	tenantry.Internal:        http.StatusInternalServerError,
}

// Status is the HTTP status of an error with code c (of its kind, for a
// specific code such as initial_owner).
func Status(c tenantry.Code) int {
	if s, ok := statusOf[c.Kind()]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// CodeOf names the code of an HTTP status raised outside the use cases.
func CodeOf(status int) tenantry.Code {
	for c, s := range statusOf {
		if s == status {
			return c
		}
	}
	if status == http.StatusBadRequest {
		return tenantry.Invalid
	}
	return tenantry.Internal
}
