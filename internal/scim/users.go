package scim

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// userDoc is a person as a SCIM User resource.
func (s *server) userDoc(u *tenantry.User, grants []tenantry.Grant) map[string]any {
	full := u.FullName()
	doc := map[string]any{
		"schemas":           []any{SchemaUser},
		"id":                u.ID,
		"userName":          u.Login,
		"name":              map[string]any{"givenName": u.FirstName, "familyName": u.LastName, "formatted": full},
		"displayName":       full,
		"preferredLanguage": u.Language,
		"active":            u.Status != tenantry.UserLocked,
	}
	if u.Email != "" {
		doc["emails"] = []any{map[string]any{"value": u.Email, "type": "work", "primary": true}}
	}
	if u.ExternalID != "" {
		doc["externalId"] = u.ExternalID
	}
	if u.Phone != "" {
		doc["phoneNumbers"] = []any{map[string]any{"value": u.Phone, "type": "work", "primary": true}}
	}
	if u.JobTitle != "" {
		doc["title"] = u.JobTitle
	}
	meta := map[string]any{"resourceType": "User", "created": u.CreatedAt.UTC().Format(time.RFC3339),
		"lastModified": u.UpdatedAt.UTC().Format(time.RFC3339), "location": s.base + "/Users/" + u.ID}
	meta["version"] = version(doc) // groups are a view of the grants, not part of the version
	doc["meta"] = meta
	if grants != nil {
		groups := []any{}
		for _, g := range grants {
			id := g.Role
			if g.Service != "" {
				id += ":" + g.Service
			}
			groups = append(groups, map[string]any{"value": id, "display": app.GroupName(g.Role, g.Service),
				"$ref": s.base + "/Groups/" + id, "type": "direct"})
		}
		doc["groups"] = groups
	}
	return doc
}

// viewDoc is the resource of a view, for If-Match checks.
func (s *server) viewDoc(v *app.UserView) map[string]any { return s.userDoc(v.User, nil) }

// person reads a User resource into what the app takes.
func person(doc map[string]any) (app.SCIMPerson, error) {
	var p app.SCIMPerson
	str := func(v any) string {
		s, _ := v.(string)
		return strings.TrimSpace(s)
	}
	p.Login = str(doc["userName"])
	if p.Login == "" {
		return p, badRequest("invalidValue", "userName: required")
	}
	p.ExternalID = str(doc["externalId"])
	p.Email = pick(doc["emails"])
	if p.Email == "" && strings.Contains(p.Login, "@") {
		p.Email = p.Login
	}
	if p.Email == "" {
		return p, badRequest("invalidValue", "emails: give the person's e-mail address (a work or primary value)")
	}
	p.Phone = pick(doc["phoneNumbers"])
	if name, ok := doc["name"].(map[string]any); ok {
		p.FirstName, p.LastName = str(name["givenName"]), str(name["familyName"])
	}
	if p.FirstName == "" || p.LastName == "" {
		// A directory without both parts: split its display name.
		first, last, _ := strings.Cut(str(doc["displayName"]), " ")
		if p.FirstName == "" {
			p.FirstName = strings.TrimSpace(first)
		}
		if p.LastName == "" {
			p.LastName = strings.TrimSpace(last)
		}
	}
	p.JobTitle = str(doc["title"])
	p.Language = str(doc["preferredLanguage"])
	if p.Language == "" {
		p.Language = str(doc["locale"])
	}
	p.Active = true
	if v, ok := doc["active"]; ok && v != nil {
		b, err := boolean(v)
		if err != nil {
			return p, badRequest("invalidValue", "active: %v", err)
		}
		p.Active = b
	}
	return p, nil
}

// readPerson reads a request's User resource.
func readPerson(r *http.Request) (app.SCIMPerson, error) {
	body, err := readBody(r)
	if err != nil {
		return app.SCIMPerson{}, err
	}
	return person(body)
}

// boolean reads a SCIM boolean; Microsoft Entra ID sends "True" and
// "False" as strings.
func boolean(v any) (bool, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, fmt.Errorf("must be true or false, got %v", v)
}

// pick returns the value of a multi-valued attribute's primary entry,
// else its work entry, else its first.
func pick(v any) string {
	var first, work string
	for _, e := range asList(v) {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		val, _ := m["value"].(string)
		val = strings.TrimSpace(val)
		if val == "" {
			continue
		}
		if p, _ := boolean(m["primary"]); p {
			return val
		}
		if t, _ := m["type"].(string); strings.EqualFold(t, "work") && work == "" {
			work = val
		}
		if first == "" {
			first = val
		}
	}
	if work != "" {
		return work
	}
	return first
}

func (s *server) listUsers(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	start, count, err := page(r)
	if err != nil {
		return err
	}
	q := tenantry.UserQuery{Offset: start - 1, Limit: count}
	if raw := strings.TrimSpace(r.URL.Query().Get("filter")); raw != "" {
		f, err := filter.ParseFilter([]byte(raw))
		if err != nil {
			return badRequest("invalidFilter", "filter: %q is not a SCIM filter", raw)
		}
		if q.Match, err = userMatch(f); err != nil {
			return err
		}
	}
	users, total, err := s.a.ProvisionedUsers(r.Context(), who, q)
	if err != nil {
		return err
	}
	docs := make([]map[string]any, len(users))
	for i, u := range users {
		docs[i] = s.userDoc(u, nil)
	}
	write(w, http.StatusOK, listResponse(r, docs, total, start))
	return nil
}

// userAttrs maps SCIM User attributes to what the store filters by.
var userAttrs = map[string]tenantry.UserAttr{
	"id": tenantry.AttrID, "username": tenantry.AttrLogin, "externalid": tenantry.AttrExternalID,
	"emails": tenantry.AttrEmail, "emails.value": tenantry.AttrEmail, "name.givenname": tenantry.AttrFirstName,
	"name.familyname": tenantry.AttrLastName, "title": tenantry.AttrJobTitle, "active": tenantry.AttrActive,
	"meta.created": tenantry.AttrCreated, "meta.lastmodified": tenantry.AttrLastModified,
}

// userMatch turns a SCIM filter on Users into the store's match.
func userMatch(f filter.Expression) (*tenantry.UserMatch, error) {
	switch t := f.(type) {
	case *filter.LogicalExpression:
		l, err := userMatch(t.Left)
		if err != nil {
			return nil, err
		}
		r, err := userMatch(t.Right)
		if err != nil {
			return nil, err
		}
		op := tenantry.MatchAnd
		if t.Operator == filter.OR {
			op = tenantry.MatchOr
		}
		return &tenantry.UserMatch{Op: op, Sub: []tenantry.UserMatch{*l, *r}}, nil
	case *filter.NotExpression:
		m, err := userMatch(t.Expression)
		if err != nil {
			return nil, err
		}
		return &tenantry.UserMatch{Op: tenantry.MatchNot, Sub: []tenantry.UserMatch{*m}}, nil
	case *filter.ValuePath:
		// emails[type eq "work" and value eq "x"]: a person has one
		// e-mail address, of type work and primary.
		if !strings.EqualFold(t.AttributePath.AttributeName, "emails") {
			return nil, badRequest("invalidFilter", "filter: %s[…] cannot be filtered by here; emails[…] can", t.AttributePath.AttributeName)
		}
		return emailMatch(t.ValueFilter)
	case *filter.AttributeExpression:
		key := strings.ToLower(t.AttributePath.AttributeName)
		if t.AttributePath.SubAttribute != nil {
			key += "." + strings.ToLower(*t.AttributePath.SubAttribute)
		}
		attr, ok := userAttrs[key]
		if !ok {
			return nil, badRequest("invalidFilter", "filter: users cannot be filtered by %s; use userName, externalId, emails, name.givenName, name.familyName, title, active, meta.created or meta.lastModified", t.AttributePath)
		}
		m := &tenantry.UserMatch{Op: tenantry.MatchCompare, Attr: attr, Cmp: string(t.Operator), Value: t.CompareValue}
		if t.Operator == filter.PR {
			return m, nil
		}
		switch attr {
		case tenantry.AttrActive:
			b, err := boolean(t.CompareValue)
			if err != nil {
				return nil, badRequest("invalidFilter", "filter: active %v", err)
			}
			m.Value = b
		case tenantry.AttrCreated, tenantry.AttrLastModified:
			s, _ := t.CompareValue.(string)
			at, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return nil, badRequest("invalidFilter", "filter: %s compares with a date and time such as 2026-01-31T09:00:00Z, got %v", t.AttributePath, t.CompareValue)
			}
			m.Value = at
		default:
			s, ok := t.CompareValue.(string)
			if !ok {
				return nil, badRequest("invalidFilter", "filter: %s compares with a quoted string, got %v", t.AttributePath, t.CompareValue)
			}
			m.Value = s
		}
		return m, nil
	}
	return nil, badRequest("invalidFilter", "filter: not understood")
}

// emailMatch turns the filter inside emails[…] into the store's match.
func emailMatch(f filter.Expression) (*tenantry.UserMatch, error) {
	always := &tenantry.UserMatch{Op: tenantry.MatchCompare, Attr: tenantry.AttrActive, Cmp: "pr"}
	never := &tenantry.UserMatch{Op: tenantry.MatchNot, Sub: []tenantry.UserMatch{*always}}
	switch t := f.(type) {
	case *filter.LogicalExpression, *filter.NotExpression:
		var subs []filter.Expression
		op := tenantry.MatchNot
		if l, ok := t.(*filter.LogicalExpression); ok {
			subs, op = []filter.Expression{l.Left, l.Right}, tenantry.MatchAnd
			if l.Operator == filter.OR {
				op = tenantry.MatchOr
			}
		} else {
			subs = []filter.Expression{t.(*filter.NotExpression).Expression}
		}
		m := &tenantry.UserMatch{Op: op}
		for _, s := range subs {
			x, err := emailMatch(s)
			if err != nil {
				return nil, err
			}
			m.Sub = append(m.Sub, *x)
		}
		return m, nil
	case *filter.AttributeExpression:
		switch strings.ToLower(t.AttributePath.AttributeName) {
		case "value":
			return userMatch(&filter.AttributeExpression{AttributePath: filter.AttributePath{AttributeName: "emails"},
				Operator: t.Operator, CompareValue: t.CompareValue})
		case "type":
			if compare("work", t.Operator, t.CompareValue) || t.Operator == filter.PR {
				return always, nil
			}
			return never, nil
		case "primary":
			if compare(true, t.Operator, t.CompareValue) || t.Operator == filter.PR {
				return always, nil
			}
			return never, nil
		}
	}
	return nil, badRequest("invalidFilter", "filter: emails[…] filters by value, type and primary")
}

func (s *server) getUser(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	v, err := s.a.ProvisionedUser(r.Context(), who, r.PathValue("id"))
	if err != nil {
		return err
	}
	doc := s.userDoc(v.User, v.Grants)
	if m := r.Header.Get("If-None-Match"); m != "" && sameVersion(doc["meta"].(map[string]any)["version"].(string), m) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	writeResource(w, http.StatusOK, project(r, doc))
	return nil
}

func (s *server) createUser(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, err := readPerson(r)
	if err != nil {
		return err
	}
	v, err := s.a.ProvisionUser(r.Context(), who, p)
	if err != nil {
		return err
	}
	writeResource(w, http.StatusCreated, s.userDoc(v.User, v.Grants))
	return nil
}

func (s *server) replaceUser(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, err := readPerson(r)
	if err != nil {
		return err
	}
	v, err := s.a.ReplaceProvisioned(r.Context(), who, r.PathValue("id"), p, ifMatch(r, s.viewDoc))
	if err != nil {
		return err
	}
	writeResource(w, http.StatusOK, s.userDoc(v.User, v.Grants))
	return nil
}

// userReadOnly are the User attributes PATCH leaves alone.
var userReadOnly = map[string]bool{"id": true, "meta": true, "groups": true, "schemas": true}

// patchUser applies the operations to the person as stored and writes
// the result, provided nobody changed them meanwhile; it reads again and
// retries where someone did.
func (s *server) patchUser(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	ops, err := readPatch(r)
	if err != nil {
		return err
	}
	id, precondition := r.PathValue("id"), ifMatch(r, s.viewDoc)
	for attempt := 0; ; attempt++ {
		v, err := s.a.ProvisionedUser(r.Context(), who, id)
		if err != nil {
			return err
		}
		if precondition != nil {
			if err := precondition(v); err != nil {
				return err
			}
		}
		doc := s.userDoc(v.User, nil)
		read := doc["meta"].(map[string]any)["version"].(string)
		if err := apply(doc, ops, userReadOnly); err != nil {
			return err
		}
		p, err := person(doc)
		if err != nil {
			return err
		}
		unchanged := func(now *app.UserView) error {
			if version(s.viewDoc(now)) != read {
				return errChanged
			}
			return nil
		}
		v, err = s.a.ReplaceProvisioned(r.Context(), who, id, p, unchanged)
		if errors.Is(err, errChanged) && attempt < 3 {
			continue
		}
		if err != nil {
			return err
		}
		writeResource(w, http.StatusOK, s.userDoc(v.User, v.Grants))
		return nil
	}
}

// errChanged says a person changed between a PATCH's read and its write.
var errChanged = &Error{Status: http.StatusConflict, Detail: "the resource kept changing while this PATCH applied; send it again"}

func (s *server) deleteUser(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	if err := s.a.DeprovisionUser(r.Context(), who, r.PathValue("id"), ifMatch(r, s.viewDoc)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
