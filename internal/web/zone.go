package web

import (
	"context"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// zone returns the time zone in which an org's people read and give end
// and due dates; UTC when the viewer may not read it.
func (h *Handler) zone(ctx context.Context, who *app.Actor, orgID string) *time.Location {
	s, err := h.app.Security(ctx, who, orgID)
	if err != nil || s.TimeZone == nil {
		return time.UTC
	}
	return s.TimeZone
}

// endOf reads an end a person gave in their org's time zone: a date and
// time from a datetime-local field ("2027-03-31T18:00"), or a day alone
// ("2027-03-31"), which means the end of that day. Empty is no end.
func endOf(field, s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, loc); err == nil {
		return t, nil
	}
	if day, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return day.AddDate(0, 0, 1), nil
	}
	return time.Time{}, &tenantry.Error{Code: tenantry.Invalid, Message: field + ": give a date such as 2027-03-31, with a time if you like",
		Fields: []tenantry.FieldError{{Field: field, Message: "give a date such as 2027-03-31, with a time if you like"}}}
}

// zoned writes t in loc with the zone's abbreviation, as the org's people
// read it ("2027-03-31 18:00 CEST").
func zoned(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// Zone is the time zone of the organization the page is about (its own
// setting or its nearest ancestor's), in which the page shows times and
// reads the days given to it; UTC for one signed out. It is read once a
// page, when first asked, so a page without times reads nothing more.
func (p *page) Zone() *time.Location {
	if p.zone == nil {
		p.zone = time.UTC
		if p.zoneOf != nil && p.Org != "" {
			p.zone = p.zoneOf(p.Org)
		}
	}
	return p.zone
}

// Time shows t in the page's zone with the zone's abbreviation
// ("2027-03-31 18:00 CEST"); "" for no time.
func (p *page) Time(t time.Time) string { return zoned(t, p.Zone()) }

// Date shows the day of t in the page's zone; "" for no time.
func (p *page) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.Zone()).Format("2006-01-02")
}
