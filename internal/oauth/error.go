package oauth

// Error is an RFC 6749 error response; one writer renders it.
type Error struct {
	Code        string // invalid_request, invalid_client, invalid_grant, invalid_scope, unsupported_grant_type, ...
	Description string
	Status      int
	RetryAfter  int // seconds, for 429
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

// The errors the token endpoint answers with.
func ErrInvalidRequest(d string) *Error {
	return &Error{Code: "invalid_request", Description: d, Status: 400}
}

// ErrInvalidClient is a bad, unknown or disabled client.
func ErrInvalidClient() *Error {
	return &Error{Code: "invalid_client", Description: "client authentication failed", Status: 401}
}

// ErrUnsupportedGrant names a grant type Tenantry does not issue.
func ErrUnsupportedGrant(g string) *Error {
	return &Error{Code: "unsupported_grant_type", Description: "only client_credentials is supported, not " + g, Status: 400}
}

// ErrInvalidScope names a scope the client may not have.
func ErrInvalidScope(d string) *Error {
	return &Error{Code: "invalid_scope", Description: d, Status: 400}
}

// ErrUnauthorizedClient refuses a client something it may not do.
func ErrUnauthorizedClient(d string) *Error {
	return &Error{Code: "unauthorized_client", Description: d, Status: 400}
}

// ErrSlowDown is a rate-limited client or address.
func ErrSlowDown(retry int) *Error {
	return &Error{Code: "slow_down", Description: "too many requests; retry later", Status: 429, RetryAfter: retry}
}
