// Package sims holds the pure rules of SIM cards: what a valid ICCID is,
// what a range of them is, and how a transfer file of ranges is read, with
// a reason and a line number for every line that is wrong. It does no I/O
// beyond the reader it is given.
package sims

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// ICCID lengths allowed by ITU-T E.118 as used by the portals we follow.
const (
	MinLen = 19
	MaxLen = 20
)

// Errors of CheckICCID.
var (
	ErrNotDigits  = errors.New("an ICCID has only digits")
	ErrLength     = fmt.Errorf("an ICCID has %d or %d digits", MinLen, MaxLen)
	ErrCheckDigit = errors.New("the check digit (Luhn) is wrong")
)

// CheckDigits reports whether s has the shape of an ICCID, digits of an
// allowed length, without checking its check digit.
func CheckDigits(s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return ErrNotDigits
		}
	}
	if len(s) < MinLen || len(s) > MaxLen {
		return ErrLength
	}
	return nil
}

// CheckICCID reports what is wrong with s as an ICCID, or nil.
func CheckICCID(s string) error {
	if len(s) < MinLen || len(s) > MaxLen {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return ErrNotDigits
			}
		}
		return ErrLength
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return ErrNotDigits
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	if sum%10 != 0 {
		return ErrCheckDigit
	}
	return nil
}

// WithCheckDigit appends the Luhn check digit to body (18 or 19 digits).
func WithCheckDigit(body string) string {
	sum := 0
	double := true
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return body + string(rune('0'+(10-sum%10)%10))
}

// Range is every ICCID from Start to End inclusive, both of one length.
type Range struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Size is how many valid ICCIDs the range spans: one per body (the digits
// before the check digit) from Start's to End's. It is arithmetic on the
// range alone and says nothing of which SIMs exist. r must be valid.
func (r Range) Size() uint64 {
	body := func(s string) uint64 {
		n, _ := strconv.ParseUint(s[:len(s)-1], 10, 64)
		return n
	}
	return body(r.End) - body(r.Start) + 1
}

// Compare orders ICCIDs as numbers: shorter first, then digit by digit.
func Compare(x, y string) int {
	if len(x) != len(y) {
		return len(x) - len(y)
	}
	return strings.Compare(x, y)
}

// Less orders ranges by start, shorter ICCIDs first.
func (r Range) Less(o Range) bool { return Compare(r.Start, o.Start) < 0 }

// Overlaps reports whether r and o share an ICCID.
func (r Range) Overlaps(o Range) bool {
	return len(r.Start) == len(o.Start) && r.Start <= o.End && o.Start <= r.End
}

// Check reports what is wrong with r; its Format is "" when r is a valid
// range.
func (r Range) Check() tenantry.Text {
	if err := CheckICCID(r.Start); err != nil {
		return tenantry.Say("start: %s", err)
	}
	if err := CheckICCID(r.End); err != nil {
		return tenantry.Say("end: %s", err)
	}
	if len(r.Start) != len(r.End) {
		return tenantry.Say("start and end have different lengths")
	}
	if r.Start > r.End {
		return tenantry.Say("start is after end")
	}
	return tenantry.Text{}
}

// Prev returns the valid ICCID of iccid's length just before it: the one
// whose body is one less. iccid's body must not be zero.
func Prev(iccid string) string { return step(iccid, false) }

// Next returns the valid ICCID of iccid's length just after it: the one
// whose body is one more. iccid's body must not be all nines.
func Next(iccid string) string { return step(iccid, true) }

func step(iccid string, up bool) string {
	b, _ := strconv.ParseUint(iccid[:len(iccid)-1], 10, 64)
	if up {
		b++
	} else {
		b--
	}
	return WithCheckDigit(fmt.Sprintf("%0*d", len(iccid)-1, b))
}
