package scim

import (
	"net/http"
	"slices"
	"strings"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/tenantry/tenantry/internal/app"
)

// groupDoc is a group as a SCIM Group resource.
func (s *server) groupDoc(g *app.SCIMGroup) map[string]any {
	doc := map[string]any{"schemas": []any{SchemaGroup}, "id": g.ID, "displayName": g.Name}
	if g.Members != nil {
		members := []any{}
		for _, u := range g.Members {
			members = append(members, map[string]any{"value": u.ID, "display": u.Login,
				"$ref": s.base + "/Users/" + u.ID, "type": "User"})
		}
		doc["members"] = members
	}
	meta := map[string]any{"resourceType": "Group", "location": s.base + "/Groups/" + g.ID}
	meta["version"] = version(doc)
	doc["meta"] = meta
	return doc
}

// wantsMembers reports whether a request's projection keeps members.
func wantsMembers(r *http.Request) bool {
	q := r.URL.Query()
	for _, n := range strings.Split(q.Get("excludedAttributes"), ",") {
		if strings.EqualFold(strings.TrimSpace(n), "members") {
			return false
		}
	}
	if only := q.Get("attributes"); only != "" {
		return slices.ContainsFunc(strings.Split(only, ","), func(n string) bool {
			return strings.HasPrefix(strings.ToLower(strings.TrimSpace(n)), "members")
		})
	}
	return true
}

func (s *server) listGroups(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	start, count, err := page(r)
	if err != nil {
		return err
	}
	var f filter.Expression
	if raw := strings.TrimSpace(r.URL.Query().Get("filter")); raw != "" {
		if f, err = filter.ParseFilter([]byte(raw)); err != nil {
			return badRequest("invalidFilter", "filter: %q is not a SCIM filter", raw)
		}
	}
	// A filter on members needs them, whatever the projection says.
	members := wantsMembers(r) || f != nil && strings.Contains(strings.ToLower(r.URL.Query().Get("filter")), "members")
	groups, err := s.a.SCIMGroups(r.Context(), who, members)
	if err != nil {
		return err
	}
	var docs []map[string]any
	for i := range groups {
		d := s.groupDoc(&groups[i])
		if f == nil || matches(f, d) {
			docs = append(docs, d)
		}
	}
	total := len(docs)
	docs = docs[min(start-1, total):min(start-1+count, total)]
	write(w, http.StatusOK, listResponse(r, docs, total, start))
	return nil
}

func (s *server) getGroup(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	g, err := s.a.SCIMGroup(r.Context(), who, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeResource(w, http.StatusOK, project(r, s.groupDoc(g)))
	return nil
}

// memberIDs are the user ids a members value lists.
func memberIDs(v any) []string {
	var out []string
	for _, e := range asList(v) {
		if m, ok := e.(map[string]any); ok {
			if id, ok := m["value"].(string); ok {
				out = append(out, id)
			}
		}
	}
	return out
}

// findGroup finds the group a create names by its displayName: a group
// is a role, so a directory's new group must be one of the roles.
func (s *server) findGroup(r *http.Request, who *app.Actor, body map[string]any) (*app.SCIMGroup, error) {
	name, _ := body["displayName"].(string)
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, badRequest("invalidValue", "displayName: required")
	}
	groups, err := s.a.SCIMGroups(r.Context(), who, false)
	if err != nil {
		return nil, err
	}
	var names []string
	for i, g := range groups {
		if strings.EqualFold(g.Name, name) || strings.EqualFold(g.ID, name) {
			return &groups[i], nil
		}
		names = append(names, g.Name)
	}
	return nil, badRequest("invalidValue", "displayName: groups here are this organization's roles, and %q is none of them; name one of: %s",
		name, strings.Join(names, ", "))
}

// createGroup maps a directory's new group onto the role of that name
// and adds the members it lists.
func (s *server) createGroup(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	g, err := s.findGroup(r, who, body)
	if err != nil {
		return err
	}
	if g, err = s.a.ChangeSCIMGroup(r.Context(), who, g.ID, memberIDs(body["members"]), nil, false); err != nil {
		return err
	}
	writeResource(w, http.StatusCreated, s.groupDoc(g))
	return nil
}

// checkName refuses a rename: a group's name is its role's.
func checkName(g *app.SCIMGroup, doc map[string]any) error {
	if name, ok := doc["displayName"].(string); ok && !strings.EqualFold(strings.TrimSpace(name), g.Name) &&
		!strings.EqualFold(strings.TrimSpace(name), g.ID) {
		return badRequest("mutability", "displayName: this group is the role %q and keeps its name", g.Name)
	}
	return nil
}

// replaceGroup makes the group's members exactly those listed (Okta's
// style of group push).
func (s *server) replaceGroup(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	g, err := s.a.SCIMGroup(r.Context(), who, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := checkName(g, body); err != nil {
		return err
	}
	if g, err = s.a.ChangeSCIMGroup(r.Context(), who, g.ID, memberIDs(body["members"]), nil, true); err != nil {
		return err
	}
	writeResource(w, http.StatusOK, s.groupDoc(g))
	return nil
}

// groupReadOnly are the Group attributes PATCH leaves alone.
var groupReadOnly = map[string]bool{"id": true, "meta": true, "schemas": true}

// patchGroup applies the operations to the group's members and gives or
// takes the role from the difference.
func (s *server) patchGroup(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	ops, err := readPatch(r)
	if err != nil {
		return err
	}
	g, err := s.a.SCIMGroup(r.Context(), who, r.PathValue("id"))
	if err != nil {
		return err
	}
	doc := s.groupDoc(g)
	before := memberIDs(doc["members"])
	if err := apply(doc, ops, groupReadOnly); err != nil {
		return err
	}
	if err := checkName(g, doc); err != nil {
		return err
	}
	after := memberIDs(doc["members"])
	add, remove := difference(after, before), difference(before, after)
	if g, err = s.a.ChangeSCIMGroup(r.Context(), who, g.ID, add, remove, false); err != nil {
		return err
	}
	writeResource(w, http.StatusOK, s.groupDoc(g))
	return nil
}

// deleteGroup takes the role from every member: the role itself stays,
// as the catalogue defines it.
func (s *server) deleteGroup(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	if _, err := s.a.ChangeSCIMGroup(r.Context(), who, r.PathValue("id"), nil, nil, true); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// difference lists the ids of a that b lacks.
func difference(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, id := range b {
		in[id] = true
	}
	var out []string
	for _, id := range a {
		if !in[id] {
			out = append(out, id)
		}
	}
	return out
}
