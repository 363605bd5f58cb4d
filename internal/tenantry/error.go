// Package tenantry holds Tenantry's domain types, the store contract and
// the one error type every layer speaks. It imports no database and no HTTP
// code.
package tenantry

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Code is a stable, machine-readable error code. The six base codes decide
// how an error is presented (the API maps each to one HTTP status); a
// specific code such as "transfer_not_allowed" names its base code in
// codeKinds.
type Code string

// The base codes.
const (
	Invalid         Code = "invalid"
	Unauthenticated Code = "unauthenticated"
	Forbidden       Code = "forbidden"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	TooMany         Code = "too_many_requests"
	Internal        Code = "internal"
	// Malformed: the request could not be read at all (broken JSON, a
	// form that does not parse).
	Malformed Code = "malformed_request"
	// UnsupportedMediaType: the body's content type is not one the
	// operation takes.
	UnsupportedMediaType Code = "unsupported_media_type"
	// TooLarge: the body is over the operation's limit.
	TooLarge Code = "too_large"
	// Unavailable: a dependency (the database) did not answer; try again.
	Unavailable Code = "unavailable"
)

// Specific codes, each belonging to one base code.
const (
	// PasswordChangeRequired means the user must set a new password first.
	PasswordChangeRequired Code = "password_change_required"
	// TokenInvalid means a one-time token is unknown, used or expired.
	TokenInvalid Code = "token_invalid"
	// InitialOwner means the initial owner of an account cannot be changed.
	InitialOwner Code = "initial_owner"
	// MFARequired means the password was right and the second factor is
	// still to be given (POST /api/v1/session/totp).
	MFARequired Code = "mfa_required"
	// TOTPEnrolmentRequired means the organization requires two-factor
	// sign-in and the user must enrol an authenticator first.
	TOTPEnrolmentRequired Code = "totp_enrolment_required"
	// ReauthenticationRequired means a sensitive change needs the session
	// to prove its user again (password, and TOTP where enrolled).
	ReauthenticationRequired Code = "reauthentication_required"
	// Throttled means too many failed attempts; RetryAfter says when to retry.
	Throttled Code = "throttled"
	// OrgManagementUnavailable: marketplace accounts have no organization management (O5).
	OrgManagementUnavailable Code = "org_management_unavailable"
	// TransferNotAllowed: SIMs move only between an org and its direct parent or child.
	TransferNotAllowed Code = "transfer_not_allowed"
	// OrgNotDeletable: the organization cannot be deleted; Fields name each reason.
	OrgNotDeletable Code = "org_not_deletable"
	// NothingToTransfer: none of the ranges holds a SIM of the source.
	NothingToTransfer Code = "nothing_to_transfer"
)

var codeKinds = map[Code]Code{
	PasswordChangeRequired:   Forbidden,
	TokenInvalid:             Invalid,
	InitialOwner:             Forbidden,
	MFARequired:              Unauthenticated,
	TOTPEnrolmentRequired:    Forbidden,
	ReauthenticationRequired: Forbidden,
	Throttled:                TooMany,
	OrgManagementUnavailable: Forbidden,
	TransferNotAllowed:       Forbidden,
	OrgNotDeletable:          Conflict,
	NothingToTransfer:        Conflict,
}

// Kind returns the base code of c: c itself for a base code.
func (c Code) Kind() Code {
	if k, ok := codeKinds[c]; ok {
		return k
	}
	return c
}

// FieldError names one invalid input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field,omitempty"`
	Line    int    `json:"line,omitempty" doc:"The line of an uploaded file"`
	Code    string `json:"code,omitempty" doc:"A stable reason code, where there is one"`
	Message string `json:"message"`
	// Text is Message before it was put in words, so that a reader of
	// another language gets it in theirs.
	Text Text `json:"-"`
}

// Text is a message before it is put in words: its English format, which
// is the message's id in the catalogue of languages, and the values that
// fill it in. An error among Args is shown as its message in the reader's
// language too, and Words as words.
type Text struct {
	Format string
	Args   []any
}

// Say returns the text of format filled in with args. A message passed
// on whole ("%s" and it) is its own id; with no args, format reads as it
// is written (it has no verbs).
func Say(format string, args ...any) Text {
	if s, ok := onlyString(format, args); ok {
		return Text{Format: s}
	}
	return Text{format, args}
}

func onlyString(format string, args []any) (string, bool) {
	if format != "%s" || len(args) != 1 {
		return "", false
	}
	s, ok := args[0].(string)
	return s, ok
}

// String is the text in English.
func (t Text) String() string {
	if t.Args == nil {
		return t.Format
	}
	return fmt.Sprintf(t.Format, t.Args...)
}

// Words are codes from data ("change_owner") that a message lists; each
// reads as a word in the reader's language.
type Words []string

// String is the words in English: "change owner, reset 2fa".
func (w Words) String() string {
	out := make([]string, len(w))
	for i, s := range w {
		out[i] = strings.ReplaceAll(s, "_", " ")
	}
	return strings.Join(out, ", ")
}

// Reason is a field error saying t: on a line, in a field or with a code,
// as the caller sets them.
func Reason(t Text) FieldError { return FieldError{Message: t.String(), Text: t} }

// Error is the one error type of Tenantry. Message is safe to show to the
// caller; Err is the private cause, logged but never shown.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error
	// RetryAfter, when set, says how long to wait before trying again.
	RetryAfter time.Duration
	// Action and Org, on a Forbidden error, name the action the policy
	// denied and the org it was asked in, so the refusal can be explained.
	Action, Org string
	// Text is Message before it was put in words, where the message is
	// one (a summary built from Fields has none).
	Text Text
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted public message.
func Errorf(code Code, format string, args ...any) *Error {
	t := Say(format, args...)
	return &Error{Code: code, Message: t.String(), Text: t}
}

// ErrorCode returns the code of err: Internal for an error that is not an
// *Error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the public message of err; "internal error" for an
// error that is not an *Error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// MaxFieldErrors is how many field or line errors an answer lists; a
// binary file as a transfer file is wrong on every line, and the answer
// need not be larger than the file.
const MaxFieldErrors = 100

// CappedFields returns at most MaxFieldErrors of fields, and when it
// leaves some out, a last entry that says how many.
func CappedFields(fields []FieldError) []FieldError {
	if len(fields) <= MaxFieldErrors {
		return fields
	}
	out := append([]FieldError(nil), fields[:MaxFieldErrors]...)
	return append(out, Reason(Say("and %d more not listed", len(fields)-MaxFieldErrors)))
}

// DeadToken is the error for a one-time token (an e-mailed link) that is
// unknown, used, cancelled or expired; which, it does not tell.
func DeadToken() *Error {
	const why = "unknown, already used, cancelled or expired"
	return &Error{Code: TokenInvalid, Message: "token: " + why, Fields: []FieldError{{Field: "token", Message: why, Text: Say(why)}}}
}

// FieldInvalid is an Invalid error about one field.
func FieldInvalid(field, message string) *Error {
	return &Error{Code: Invalid, Message: field + ": " + message, Fields: []FieldError{{Field: field, Message: message, Text: Say(message)}}}
}

// Validation collects field errors so that a request is judged as a whole.
type Validation struct {
	fields []FieldError
}

// Add records that field is invalid for the given reason.
func (v *Validation) Add(field, format string, args ...any) {
	f := Reason(Say(format, args...))
	f.Field = field
	v.fields = append(v.fields, f)
}

// AddText records that field is invalid for the reason t says.
func (v *Validation) AddText(field string, t Text) {
	f := Reason(t)
	f.Field = field
	v.fields = append(v.fields, f)
}

// AddLine records what is wrong with a field on a line of a file.
func (v *Validation) AddLine(line int, field, format string, args ...any) {
	f := Reason(Say(format, args...))
	f.Line, f.Field = line, field
	v.fields = append(v.fields, f)
}

// Merge adds what other found, as found on line of a file.
func (v *Validation) Merge(line int, other *Validation) {
	for _, f := range other.fields {
		f.Line = line
		v.fields = append(v.fields, f)
	}
}

// Len is how many problems v holds.
func (v *Validation) Len() int { return len(v.fields) }

// Err returns nil when nothing was added, else an Invalid *Error listing
// every field.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	msg := v.fields[0].Field + ": " + v.fields[0].Message
	if v.fields[0].Line > 0 {
		msg = fmt.Sprintf("line %d: %s", v.fields[0].Line, msg)
	}
	if len(v.fields) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", msg, len(v.fields)-1)
	}
	return &Error{Code: Invalid, Message: msg, Fields: v.fields}
}

// CleanText reports whether s is valid UTF-8 without control characters
// other than tab, line feed and carriage return: what any text field may
// hold. PostgreSQL refuses NUL in text, and no field of ours means one.
func CleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return false
		}
	}
	return true
}
