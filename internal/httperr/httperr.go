// Package httperr is the one table from Tenantry's error codes to HTTP
// statuses, read by the API's problem documents and the portal's pages.
package httperr

import (
	"context"
	"errors"
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

	tenantry.Malformed:            http.StatusBadRequest,
	tenantry.UnsupportedMediaType: http.StatusUnsupportedMediaType,
	tenantry.TooLarge:             http.StatusRequestEntityTooLarge,
	tenantry.Unavailable:          http.StatusServiceUnavailable,
}

// Status is the HTTP status of an error with code c (of its kind, for a
// specific code such as initial_owner).
func Status(c tenantry.Code) int {
	if s, ok := statusOf[c.Kind()]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// StatusClientClosed is what a request whose client went away before the
// answer was ready is counted as (nginx's 499): the client's doing, not a
// server error.
const StatusClientClosed = 499

// RetryUnavailable is the Retry-After, in seconds, of an answer that the
// database was unavailable.
const RetryUnavailable = 5

// ClientGone reports whether err comes from the request's client having
// gone away (its context was cancelled) rather than from a fault of ours.
func ClientGone(ctx context.Context, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled)
}

// CodeOf names the code of an HTTP status raised outside the use cases.
func CodeOf(status int) tenantry.Code {
	for c, s := range statusOf {
		if s == status {
			return c
		}
	}
	return tenantry.Internal
}
