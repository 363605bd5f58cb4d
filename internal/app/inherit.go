package app

import (
	"context"
	"strings"
	"time"
	_ "time/tzdata" // org time zones work where the system has no zoneinfo

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Inherited is one security setting of an org as it is in force (B4): the
// org's own value tightened by every ancestor's, which a child may
// tighten further but never loosen.
type Inherited[T comparable] struct {
	// Value is in force for the org's people.
	Value T
	// Floor is the loosest value the org may set itself: what its
	// ancestors require (or the deployment's bound).
	Floor T
	// By is the ancestor that sets Floor, nil when no ancestor does.
	By *tenantry.Org
}

// Locked reports whether an ancestor decides the setting outright: the
// org can set nothing stricter than what is already in force from above.
func (i Inherited[T]) Locked() bool { return i.By != nil && i.Value == i.Floor }

// Security is an organization's security settings in force (B4).
type Security struct {
	Require2FA Inherited[bool]
	// SessionHours ends a session this long after sign-in.
	SessionHours Inherited[int]
	// PasswordMinLength is the fewest characters of a new password.
	PasswordMinLength Inherited[int]
	// RequireIdP leaves local passwords to break-glass accounts only.
	RequireIdP Inherited[bool]
	// TimeZone is the zone in which the org's dates are read and given:
	// its own, else its nearest ancestor's (TimeZoneBy), else UTC.
	TimeZone   *time.Location
	TimeZoneBy *tenantry.Org
}

// MaxPasswordMinLength bounds the password length an org may require.
const MaxPasswordMinLength = 64

// security folds path (an org first, its ancestors after it, as
// Tx.OrgPath returns it) into the settings in force for path[0]. The
// ancestor nearest the root wins a tie, as it is the one that set the
// rule for everything below.
func (a *App) security(path []*tenantry.Org) Security {
	maxHours := int(a.cfg.SessionMax / time.Hour)
	s := Security{SessionHours: Inherited[int]{Floor: maxHours}, PasswordMinLength: Inherited[int]{Floor: auth.MinPasswordLen}}
	for i := len(path) - 1; i >= 1; i-- {
		up := path[i]
		if up.Settings.Require2FA && !s.Require2FA.Floor {
			s.Require2FA.Floor, s.Require2FA.By = true, up
		}
		if up.Settings.RequireIdP && !s.RequireIdP.Floor {
			s.RequireIdP.Floor, s.RequireIdP.By = true, up
		}
		if h := up.Settings.SessionHours; h > 0 && h < s.SessionHours.Floor {
			s.SessionHours.Floor, s.SessionHours.By = h, up
		}
		if n := up.Settings.PasswordMinLength; n > s.PasswordMinLength.Floor {
			s.PasswordMinLength.Floor, s.PasswordMinLength.By = n, up
		}
	}
	own := path[0].Settings
	s.TimeZone = time.UTC
	for i, o := range path {
		if loc, err := time.LoadLocation(o.Settings.TimeZone); o.Settings.TimeZone != "" && err == nil {
			s.TimeZone = loc
			if i > 0 {
				s.TimeZoneBy = o
			}
			break
		}
	}
	s.Require2FA.Value = s.Require2FA.Floor || own.Require2FA
	s.RequireIdP.Value = s.RequireIdP.Floor || own.RequireIdP
	s.SessionHours.Value = s.SessionHours.Floor
	if own.SessionHours > 0 && own.SessionHours < s.SessionHours.Value {
		s.SessionHours.Value = own.SessionHours
	}
	s.PasswordMinLength.Value = max(s.PasswordMinLength.Floor, own.PasswordMinLength)
	return s
}

// securityOf reads the settings in force for the org with id.
func (a *App) securityOf(ctx context.Context, tx reader, orgID string) (Security, error) {
	path, err := tx.OrgPath(ctx, orgID)
	if err != nil {
		return Security{}, err
	}
	return a.security(path), nil
}

// Security returns the security settings in force for an organization the
// actor may see, with where each comes from.
func (a *App) Security(ctx context.Context, who *Actor, orgID string) (Security, error) {
	if err := ready(who); err != nil {
		return Security{}, err
	}
	var s Security
	err := a.view(ctx, func(tx tenantry.Tx) error {
		o, err := a.visibleOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		s, err = a.securityOf(ctx, tx, o.ID)
		return err
	})
	return s, err
}

// checkSecurity adds to v what in p would loosen what o's ancestors
// require, or lies outside the deployment's bounds.
func checkSecurity(v *tenantry.Validation, s Security, p OrgSettingsPatch) {
	if p.Require2FA != nil && !*p.Require2FA && s.Require2FA.Floor {
		v.Add("require_2fa", "is required by %s for everything below it", s.Require2FA.By.Name)
	}
	if p.RequireIdP != nil && !*p.RequireIdP && s.RequireIdP.Floor {
		v.Add("require_idp", "is required by %s for everything below it", s.RequireIdP.By.Name)
	}
	if h := p.SessionHours; h != nil && *h != 0 {
		switch {
		case *h < 1:
			v.Add("session_hours", "must be at least 1 hour, or 0 to follow the parent")
		case *h > s.SessionHours.Floor && s.SessionHours.By != nil:
			v.Add("session_hours", "must be at most %d: %s allows sessions of at most %d hours", s.SessionHours.Floor, s.SessionHours.By.Name, s.SessionHours.Floor)
		case *h > s.SessionHours.Floor:
			v.Add("session_hours", "must be at most %d, the longest session this deployment allows", s.SessionHours.Floor)
		}
	}
	if n := p.PasswordMinLength; n != nil && *n != 0 {
		switch {
		case *n > MaxPasswordMinLength:
			v.Add("password_min_length", "must be at most %d", MaxPasswordMinLength)
		case *n < s.PasswordMinLength.Floor && s.PasswordMinLength.By != nil:
			v.Add("password_min_length", "must be at least %d: %s requires passwords of at least %d characters", s.PasswordMinLength.Floor, s.PasswordMinLength.By.Name, s.PasswordMinLength.Floor)
		case *n < s.PasswordMinLength.Floor:
			v.Add("password_min_length", "must be at least %d, the shortest password this deployment allows", s.PasswordMinLength.Floor)
		}
	}
}

// zoneOf returns the time zone in which an org's dates are read and given.
func (a *App) zoneOf(ctx context.Context, tx tenantry.Tx, orgID string) (*time.Location, error) {
	s, err := a.securityOf(ctx, tx, orgID)
	return s.TimeZone, err
}

// checkTimeZone checks an org's time zone setting: "" or an IANA name.
func checkTimeZone(v *tenantry.Validation, name string) {
	if name == "" {
		return
	}
	if _, err := time.LoadLocation(name); err != nil || name == "Local" || !strings.Contains(name, "/") && name != "UTC" {
		v.Add("time_zone", "%q is not a time zone: give a name such as Europe/Berlin or America/New_York, or nothing to follow the parent", name)
	}
}

// zoned writes t as the people of an org read it: in its time zone, with
// the zone's abbreviation ("2027-03-31 18:00 CEST").
func zoned(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
