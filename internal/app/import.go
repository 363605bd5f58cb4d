package app

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// MaxPeopleImport is the most people one import takes: a larger file goes in
// batches, each all or nothing.
const MaxPeopleImport = 10000

// ImportRow is one person of a bulk import and the line of the file (or
// the position in the request) it came from, which errors name.
type ImportRow struct {
	Line int
	NewUser
}

// ImportResult says what an import did.
type ImportResult struct {
	// Created counts the people made here; Invited those whose login
	// exists in another organization, invited instead as CreateUser does.
	Created, Invited int
}

// ImportUsers creates many people in one organization at once, each with
// their roles, with or without activation e-mails: all of them in one
// transaction, or none. Every line is checked before anything is written,
// and each problem names its line and field. The actor must be allowed
// what CreateUser needs for each person.
func (a *App) ImportUsers(ctx context.Context, who *Actor, orgID string, rows []ImportRow, sendMail bool) (*ImportResult, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var res *ImportResult
	ctx = withListeners(ctx) // thousands of audited creations, one read of who hears them
	err := a.update(ctx, func(tx tenantry.Tx) error {
		res = &ImportResult{}
		org, err := a.mgmtOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		var v tenantry.Validation
		switch {
		case len(rows) == 0:
			v.Add("users", "give at least one person")
		case len(rows) > MaxPeopleImport:
			v.Add("users", "at most %d people at once: send the rest in another batch", MaxPeopleImport)
		}
		if err := v.Err(); err != nil {
			return err
		}
		logins, emails := map[string]int{}, map[string]int{}
		for i := range rows {
			r := &rows[i]
			if r.Line == 0 {
				r.Line = i + 1
			}
			var rv tenantry.Validation
			validateNewUser(&rv, "", &r.NewUser, org.Settings)
			if len(r.Roles) == 0 {
				rv.Add("roles", "give at least one role")
			} else if r.Roles, err = a.assignableRoles(ctx, tx, &rv, who, org, r.Roles, true, tenantry.UserHuman); err != nil {
				return err
			}
			if !r.RolesUntil.IsZero() && !r.RolesUntil.After(tx.Now()) {
				rv.Add("roles_until", "must be in the future")
			}
			if first, ok := logins[strings.ToLower(r.Login)]; ok && r.Login != "" {
				rv.Add("login", "%s is on line %d already", r.Login, first)
			} else {
				logins[strings.ToLower(r.Login)] = r.Line
			}
			if first, ok := emails[strings.ToLower(r.Email)]; ok && r.Email != "" {
				rv.Add("email", "%s is on line %d already", r.Email, first)
			} else {
				emails[strings.ToLower(r.Email)] = r.Line
			}
			v.Merge(r.Line, &rv)
			if v.Len() >= 100 {
				v.AddLine(r.Line, "", "stopped after 100 problems: mend these first")
				break
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		for i := range rows {
			r := &rows[i]
			r.Quiet = !sendMail
			other, err := tx.UserByLogin(ctx, r.Login)
			switch {
			case err == nil && other.OrgID == org.ID:
				v.AddLine(r.Line, "login", "%s belongs to this organization already", r.Login)
				continue
			case err == nil:
				// As CreateUser: saying the login is taken elsewhere
				// would tell which addresses have logins in other
				// tenants (finding 13), so the person is invited.
				if _, err := a.invite(ctx, tx, who, org, r.Login, r.Roles, r.RolesUntil); err != nil {
					return atLine(r.Line, err)
				}
				res.Invited++
				continue
			case tenantry.ErrorCode(err) != tenantry.NotFound:
				return err
			}
			if v.Len() > 0 {
				continue // only look for more problems; nothing will be kept
			}
			if _, err := a.insertUser(ctx, tx, who, org, r.NewUser, r.Roles, false); err != nil {
				return atLine(r.Line, err)
			}
			res.Created++
		}
		return v.Err()
	})
	if err == nil && res.Created >= bulkLoad {
		a.refreshStatistics(ctx)
	}
	return res, err
}

// bulkLoad is how many people one import must create for the planner's
// statistics to be refreshed after it: on PostgreSQL, 100,000 people
// imported with autovacuum off (or before it came round) left the
// portal's users tab planned for one row, 190 ms a page instead of 0.15.
const bulkLoad = 1000

// refreshStatistics has the store refresh its statistics of the tables a
// people import fills, in the background: imports that end while it runs
// make it run once more afterwards, not once each.
func (a *App) refreshStatistics(ctx context.Context) {
	if a.loads.Add(1) > 1 {
		return // the refresh running now runs again for this load
	}
	a.Go(ctx, "refresh statistics after an import", func(ctx context.Context) error {
		for {
			n := a.loads.Load()
			if err := a.store.AfterBulkLoad(ctx, "users", "grants"); err != nil {
				a.loads.Store(0)
				return err
			}
			if a.loads.Add(-n) == 0 {
				return nil
			}
		}
	})
}

// atLine puts a line number on a field error from one person's insert.
func atLine(line int, err error) error {
	var e *tenantry.Error
	if !errors.As(err, &e) || e.Code != tenantry.Invalid && e.Code != tenantry.Conflict {
		return err
	}
	out := *e
	out.Message = fmt.Sprintf("line %d: %s", line, e.Message)
	out.Text = tenantry.Text{}
	out.Fields = nil
	for _, f := range e.Fields {
		f.Line = line
		out.Fields = append(out.Fields, f)
	}
	if len(out.Fields) == 0 {
		out.Fields = []tenantry.FieldError{{Line: line, Message: e.Message, Text: e.Text}}
	}
	return &out
}

// importColumns are the columns a people file may have; email,
// first_name, last_name and roles are required.
var importColumns = []string{"email", "first_name", "last_name", "roles", "login", "language", "phone", "job_title", "roles_until"}

// ReadPeopleCSV reads a people file: a header line naming columns of
// importColumns, then one person per line; roles are separated by spaces
// or "|"; roles_until is RFC 3339 or a date (the end of that day in loc).
// The separator is a comma, or a semicolon as spreadsheets write it in
// much of Europe. Problems name their line.
func ReadPeopleCSV(r io.Reader, loc *time.Location) ([]ImportRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, 32<<20))
	if err != nil {
		return nil, err
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	cr := csv.NewReader(strings.NewReader(text))
	head, _, _ := strings.Cut(text, "\n")
	if strings.Count(head, ";") > strings.Count(head, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	var v tenantry.Validation
	header, err := cr.Read()
	if err != nil {
		return nil, tenantry.FieldInvalid("file", "the first line must name the columns, such as email,first_name,last_name,roles")
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(importColumns, h) {
			v.AddLine(1, "", "unknown column %q: the columns are %s", h, strings.Join(importColumns, ", "))
			continue
		}
		col[h] = i
	}
	for _, need := range importColumns[:4] {
		if _, ok := col[need]; !ok {
			v.AddLine(1, "", "the column %s is missing", need)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var rows []ImportRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				v.AddLine(pe.Line, "", "%v", pe.Err)
				break
			}
			return nil, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := ImportRow{Line: line, NewUser: NewUser{Email: get("email"), FirstName: get("first_name"), LastName: get("last_name"),
			Login: get("login"), Language: get("language"), Phone: get("phone"), JobTitle: get("job_title"),
			Roles: strings.FieldsFunc(get("roles"), func(r rune) bool { return r == ' ' || r == '|' })}}
		if until := get("roles_until"); until != "" {
			t, err := time.Parse(time.RFC3339, until)
			if err != nil {
				var derr error
				if t, derr = time.ParseInLocation("2006-01-02", until, loc); derr == nil {
					t = t.AddDate(0, 0, 1)
				} else {
					v.AddLine(line, "roles_until", "give a date such as 2027-03-31, or a time such as 2027-03-31T18:00:00+02:00")
				}
			}
			row.RolesUntil = t
		}
		rows = append(rows, row)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return rows, nil
}
