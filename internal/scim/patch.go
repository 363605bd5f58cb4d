package scim

import (
	"fmt"
	"net/http"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// canonical spells the attribute names SCIM knows as RFC 7643 does:
// attribute names are case-insensitive, and clients differ.
var canonical = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{"schemas", "id", "externalId", "meta", "userName", "name", "givenName", "familyName",
		"middleName", "formatted", "honorificPrefix", "honorificSuffix", "displayName", "nickName", "profileUrl",
		"title", "userType", "preferredLanguage", "locale", "timezone", "active", "password", "emails",
		"phoneNumbers", "addresses", "groups", "members", "value", "display", "type", "primary", "$ref",
		"Operations", "op", "path", "roles", "entitlements", "ims", "photos", "x509Certificates"} {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// canonicalName returns the canonical spelling of an attribute name.
func canonicalName(k string) string {
	if c, ok := canonical[strings.ToLower(k)]; ok {
		return c
	}
	return k
}

// canonicalMap respells a JSON object's keys, recursively.
func canonicalMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[canonicalName(k)] = canonicalValue(v)
	}
	return out
}

func canonicalValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return canonicalMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = canonicalValue(e)
		}
		return out
	}
	return v
}

// multiValued are the attributes whose values are lists.
var multiValued = map[string]bool{"emails": true, "phoneNumbers": true, "addresses": true, "groups": true,
	"members": true, "roles": true, "entitlements": true, "ims": true, "photos": true, "x509Certificates": true}

// patchOp is one operation of a PATCH request (RFC 7644 §3.5.2).
type patchOp struct {
	Op    string
	Path  string
	Value any
}

// readPatch reads a PATCH request's operations.
func readPatch(r *http.Request) ([]patchOp, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if !hasSchema(body, schemaPatch) {
		return nil, badRequest("invalidSyntax", "schemas: a PATCH body names %s", schemaPatch)
	}
	raw, ok := body["Operations"].([]any)
	if !ok || len(raw) == 0 {
		return nil, badRequest("invalidSyntax", "Operations: give at least one operation")
	}
	ops := make([]patchOp, 0, len(raw))
	for i, r := range raw {
		m, ok := r.(map[string]any)
		if !ok {
			return nil, badRequest("invalidSyntax", "Operations[%d]: must be an object", i)
		}
		op, _ := m["op"].(string)
		path, _ := m["path"].(string)
		o := patchOp{Op: strings.ToLower(op), Path: strings.TrimSpace(path), Value: m["value"]}
		switch {
		case o.Op != "add" && o.Op != "replace" && o.Op != "remove":
			return nil, badRequest("invalidValue", "Operations[%d].op: must be add, replace or remove, got %q", i, op)
		case o.Op == "remove" && o.Path == "":
			return nil, badRequest("noTarget", "Operations[%d].path: remove needs a path", i)
		case o.Op != "remove" && o.Value == nil:
			return nil, badRequest("invalidValue", "Operations[%d].value: %s needs a value", i, o.Op)
		}
		ops = append(ops, o)
	}
	return ops, nil
}

// hasSchema reports whether a body's schemas list names urn.
func hasSchema(body map[string]any, urn string) bool {
	list, _ := body["schemas"].([]any)
	for _, s := range list {
		if str, ok := s.(string); ok && strings.EqualFold(str, urn) {
			return true
		}
	}
	return false
}

// apply applies PATCH operations to a resource's JSON form. Read-only
// attributes (id, meta, groups of a user) and extension attributes it
// does not keep are left alone.
func apply(doc map[string]any, ops []patchOp, readOnly map[string]bool) error {
	for i, o := range ops {
		if err := applyOne(doc, o, readOnly); err != nil {
			if e, ok := err.(*Error); ok {
				e.Detail = fmt.Sprintf("Operations[%d]: %s", i, e.Detail)
			}
			return err
		}
	}
	return nil
}

func applyOne(doc map[string]any, o patchOp, readOnly map[string]bool) error {
	if o.Path == "" {
		value, ok := canonicalValue(o.Value).(map[string]any)
		if !ok {
			return badRequest("invalidValue", "value: without a path, the value is an object of attributes")
		}
		for k, v := range value {
			if strings.HasPrefix(strings.ToLower(k), "urn:") {
				continue // an extension's attributes: not kept here
			}
			// Some clients send "name.givenName" as a key.
			if err := applyOne(doc, patchOp{Op: o.Op, Path: k, Value: v}, readOnly); err != nil {
				return err
			}
		}
		return nil
	}
	p, err := filter.ParsePath([]byte(o.Path))
	if err != nil {
		return badRequest("invalidPath", "path: %q is not a SCIM path", o.Path)
	}
	if p.AttributePath.URIPrefix != nil && !strings.EqualFold(*p.AttributePath.URIPrefix, SchemaUser) &&
		!strings.EqualFold(*p.AttributePath.URIPrefix, SchemaGroup) {
		return nil // an extension's attribute: not kept here
	}
	name := canonicalName(p.AttributePath.AttributeName)
	if readOnly[name] {
		return nil
	}
	sub := ""
	if p.AttributePath.SubAttribute != nil {
		sub = canonicalName(*p.AttributePath.SubAttribute)
	}
	if p.SubAttribute != nil {
		sub = canonicalName(*p.SubAttribute)
	}
	value := canonicalValue(o.Value)
	if p.ValueExpression != nil {
		return applyFiltered(doc, o.Op, name, p.ValueExpression, sub, value)
	}
	if sub != "" && !multiValued[name] {
		m, _ := doc[name].(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		if o.Op == "remove" {
			delete(m, sub)
		} else {
			m[sub] = value
		}
		doc[name] = m
		return nil
	}
	switch {
	case o.Op == "remove" && multiValued[name] && value != nil:
		// Entra removes members by value: {"path":"members","value":[{"value":"id"}]}.
		drop := map[string]bool{}
		for _, v := range asList(value) {
			if m, ok := v.(map[string]any); ok {
				drop[fmt.Sprint(m["value"])] = true
			}
		}
		var keep []any
		for _, e := range asList(doc[name]) {
			if m, ok := e.(map[string]any); !ok || !drop[fmt.Sprint(m["value"])] {
				keep = append(keep, e)
			}
		}
		doc[name] = keep
	case o.Op == "remove":
		delete(doc, name)
	case o.Op == "add" && multiValued[name]:
		doc[name] = append(asList(doc[name]), asList(value)...)
	case o.Op == "add" && isMap(value) && isMap(doc[name]):
		m := doc[name].(map[string]any)
		for k, v := range value.(map[string]any) {
			m[k] = v
		}
	default:
		if multiValued[name] {
			value = asList(value)
		}
		doc[name] = value
	}
	return nil
}

// applyFiltered applies an operation to the values of a multi-valued
// attribute that match a filter: emails[type eq "work"].value. Replacing
// or adding where none matches adds a value made from the filter's eq
// terms, as Microsoft Entra ID expects.
func applyFiltered(doc map[string]any, op, name string, f filter.Expression, sub string, value any) error {
	list := asList(doc[name])
	var out []any
	matched := false
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok || !matches(f, m) {
			out = append(out, e)
			continue
		}
		matched = true
		switch {
		case op == "remove" && sub == "":
			continue // the value goes
		case op == "remove":
			delete(m, sub)
		case sub != "":
			m[sub] = value
		case isMap(value):
			for k, v := range value.(map[string]any) {
				m[k] = v
			}
		default:
			return badRequest("invalidValue", "value: %s[…] takes an object or a sub-attribute", name)
		}
		out = append(out, m)
	}
	if !matched && op != "remove" {
		m := eqTerms(f)
		if sub != "" {
			m[sub] = value
		} else if v, ok := value.(map[string]any); ok {
			for k, x := range v {
				m[k] = x
			}
		}
		out = append(out, m)
	}
	doc[name] = out
	return nil
}

// eqTerms returns the attribute values a filter's and-ed eq terms fix.
func eqTerms(f filter.Expression) map[string]any {
	out := map[string]any{}
	var walk func(filter.Expression)
	walk = func(e filter.Expression) {
		switch t := e.(type) {
		case *filter.AttributeExpression:
			if t.Operator == filter.EQ {
				out[canonicalName(t.AttributePath.AttributeName)] = t.CompareValue
			}
		case *filter.LogicalExpression:
			if t.Operator == filter.AND {
				walk(t.Left)
				walk(t.Right)
			}
		}
	}
	walk(f)
	return out
}

// matches evaluates a filter against a JSON object (a resource, or one
// value of a multi-valued attribute). Strings compare case-insensitively.
func matches(f filter.Expression, doc map[string]any) bool {
	switch t := f.(type) {
	case *filter.LogicalExpression:
		if t.Operator == filter.AND {
			return matches(t.Left, doc) && matches(t.Right, doc)
		}
		return matches(t.Left, doc) || matches(t.Right, doc)
	case *filter.NotExpression:
		return !matches(t.Expression, doc)
	case *filter.ValuePath:
		for _, e := range asList(doc[canonicalName(t.AttributePath.AttributeName)]) {
			if m, ok := e.(map[string]any); ok && matches(t.ValueFilter, m) {
				return true
			}
		}
		return false
	case *filter.AttributeExpression:
		vals := attrValues(doc, t.AttributePath)
		if t.Operator == filter.PR {
			return len(vals) > 0
		}
		for _, v := range vals {
			if compare(v, t.Operator, t.CompareValue) {
				return true
			}
		}
	}
	return false
}

// attrValues are the values an attribute path names in doc: name,
// name.sub, or sub of each value of a multi-valued name.
func attrValues(doc map[string]any, p filter.AttributePath) []any {
	v, ok := doc[canonicalName(p.AttributeName)]
	if !ok || v == nil {
		return nil
	}
	if p.SubAttribute == nil {
		if list, ok := v.([]any); ok {
			var out []any
			for _, e := range list { // "members eq x" means their values
				if m, ok := e.(map[string]any); ok {
					out = append(out, m["value"])
				} else {
					out = append(out, e)
				}
			}
			return out
		}
		return []any{v}
	}
	sub := canonicalName(*p.SubAttribute)
	var out []any
	for _, e := range asList(v) {
		if m, ok := e.(map[string]any); ok {
			if x, ok := m[sub]; ok && x != nil {
				out = append(out, x)
			}
		}
	}
	return out
}

// compare applies one SCIM comparison to a value.
func compare(v any, op filter.CompareOperator, want any) bool {
	if b, ok := v.(bool); ok {
		w, ok := want.(bool)
		return ok && (op == filter.EQ && b == w || op == filter.NE && b != w)
	}
	s, w := strings.ToLower(fmt.Sprint(v)), strings.ToLower(fmt.Sprint(want))
	switch op {
	case filter.EQ:
		return s == w
	case filter.NE:
		return s != w
	case filter.CO:
		return strings.Contains(s, w)
	case filter.SW:
		return strings.HasPrefix(s, w)
	case filter.EW:
		return strings.HasSuffix(s, w)
	case filter.GT:
		return s > w
	case filter.GE:
		return s >= w
	case filter.LT:
		return s < w
	case filter.LE:
		return s <= w
	}
	return false
}

func asList(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

func isMap(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}
