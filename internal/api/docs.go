package api

import (
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// docsPage renders the API reference from the OpenAPI document itself, on
// the server, with no script: it works offline and cannot drift.
var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tenantry API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h2{margin-top:2.5rem;border-bottom:1px solid #ccc}
.op{margin:1.5rem 0;padding:.75rem 1rem;border:1px solid #ddd;border-radius:6px}
.m{display:inline-block;min-width:4.5rem;font-weight:700;font-family:monospace}
code{background:#f3f3f3;padding:0 .2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
</style></head><body>
<h1>{{.Title}} API <small>{{.Version}}</small></h1>
<p>{{.Description}}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">OpenAPI 3.1 (JSON)</a>, <a href="/api/v1/openapi.yaml">YAML</a>.</p>
{{range .Groups}}<h2>{{.Tag}}</h2>
{{range .Ops}}<div class="op" id="{{.ID}}"><span class="m">{{.Method}}</span> <code>{{.Path}}</code> — {{.Summary}}
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Params}}<table><tr><th>Parameter</th><th>In</th><th>Description</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{if .Fields}}<table><tr><th>Body field</th><th>Type</th><th>Description</th></tr>
{{range .Fields}}<tr><td><code>{{.Name}}</code>{{if .Required}} *{{end}}</td><td>{{.Type}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
<p>Responses: {{.Responses}}</p></div>{{end}}{{end}}
</body></html>`))

type docsOp struct {
	ID, Method, Path, Summary, Description, Responses string
	Params                                            []*huma.Param
	Fields                                            []docsField
}

type docsField struct {
	Name, Type, Description string
	Required                bool
}

func (s *Server) docs(w http.ResponseWriter, r *http.Request) {
	oapi := s.api.OpenAPI()
	groups := map[string][]docsOp{}
	for path, item := range oapi.Paths {
		for method, o := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PATCH": item.Patch, "PUT": item.Put, "DELETE": item.Delete} {
			if o == nil {
				continue
			}
			d := docsOp{ID: o.OperationID, Method: method, Path: path, Summary: o.Summary, Description: o.Description, Params: o.Parameters}
			if o.RequestBody != nil {
				if mt := o.RequestBody.Content["application/json"]; mt != nil && mt.Schema != nil {
					d.Fields = schemaFields(oapi.Components.Schemas, mt.Schema, "")
				}
			}
			var codes []string
			for c := range o.Responses {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			d.Responses = strings.Join(codes, ", ")
			tag := "Other"
			if len(o.Tags) > 0 {
				tag = o.Tags[0]
			}
			groups[tag] = append(groups[tag], d)
		}
	}
	type group struct {
		Tag string
		Ops []docsOp
	}
	var gs []group
	for tag, ops := range groups {
		sort.Slice(ops, func(i, j int) bool { return ops[i].Path+ops[i].Method < ops[j].Path+ops[j].Method })
		gs = append(gs, group{tag, ops})
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].Tag < gs[j].Tag })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	docsPage.Execute(w, map[string]any{"Title": oapi.Info.Title, "Version": oapi.Info.Version,
		"Description": oapi.Info.Description, "Groups": gs})
}

// schemaFields flattens an object schema's properties, following $refs
// and naming nested fields with dots.
func schemaFields(reg huma.Registry, sc *huma.Schema, prefix string) []docsField {
	if sc.Ref != "" {
		sc = reg.SchemaFromRef(sc.Ref)
	}
	if sc == nil {
		return nil
	}
	var names []string
	for n := range sc.Properties {
		if n != "$schema" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []docsField
	for _, n := range names {
		p := sc.Properties[n]
		full := p
		if p.Ref != "" {
			full = reg.SchemaFromRef(p.Ref)
		}
		typ := full.Type
		if len(full.Enum) > 0 {
			var vals []string
			for _, e := range full.Enum {
				vals = append(vals, strings.Trim(strings.TrimSpace(toString(e)), `"`))
			}
			typ += " (" + strings.Join(vals, ", ") + ")"
		}
		out = append(out, docsField{Name: prefix + n, Type: typ, Description: full.Description, Required: contains(sc.Required, n)})
		if full.Type == "object" && len(full.Properties) > 0 {
			out = append(out, schemaFields(reg, full, prefix+n+".")...)
		}
	}
	return out
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
