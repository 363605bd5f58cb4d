package scim

import (
	"net/http"
	"strings"
)

// serviceProviderConfig says what this SCIM service supports (RFC 7643 §5).
func (s *server) serviceProviderConfig(w http.ResponseWriter, r *http.Request) error {
	write(w, http.StatusOK, map[string]any{
		"schemas":        []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"patch":          map[string]any{"supported": true},
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": maxResults},
		"changePassword": map[string]any{"supported": false},
		"sort":           map[string]any{"supported": false},
		"etag":           map[string]any{"supported": true},
		"authenticationSchemes": []any{map[string]any{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
			"description": "The organization's SCIM token, made on its Security page", "primary": true}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": s.base + "/ServiceProviderConfig"},
	})
	return nil
}

// resourceTypeDocs are the Users and Groups resource types.
func (s *server) resourceTypeDocs() []map[string]any {
	doc := func(name, endpoint, schema, desc string, ext ...map[string]any) map[string]any {
		d := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"},
			"id": name, "name": name, "endpoint": endpoint, "description": desc, "schema": schema,
			"meta": map[string]any{"resourceType": "ResourceType", "location": s.base + "/ResourceTypes/" + name}}
		if len(ext) > 0 {
			d["schemaExtensions"] = ext
		}
		return d
	}
	return []map[string]any{
		doc("User", "/Users", SchemaUser, "The organization's people",
			map[string]any{"schema": SchemaEnterprise, "required": false}),
		doc("Group", "/Groups", SchemaGroup, "The roles the organization's directory may give; members hold the role"),
	}
}

func (s *server) resourceTypes(w http.ResponseWriter, r *http.Request) error {
	docs := s.resourceTypeDocs()
	write(w, http.StatusOK, listResponse(r, docs, len(docs), 1))
	return nil
}

func (s *server) resourceType(w http.ResponseWriter, r *http.Request) error {
	for _, d := range s.resourceTypeDocs() {
		if strings.EqualFold(d["id"].(string), r.PathValue("id")) {
			write(w, http.StatusOK, d)
			return nil
		}
	}
	return &Error{Status: http.StatusNotFound, Detail: "resource types here are User and Group"}
}

// attr describes one attribute of a schema (RFC 7643 §7).
func attr(name, typ, desc string, opts ...string) map[string]any {
	a := map[string]any{"name": name, "type": typ, "description": desc, "multiValued": false, "required": false,
		"caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none"}
	for _, o := range opts {
		switch o {
		case "multi":
			a["multiValued"] = true
		case "required":
			a["required"] = true
		case "exact":
			a["caseExact"] = true
		case "readOnly", "immutable":
			a["mutability"] = o
		case "unique":
			a["uniqueness"] = "server"
		}
	}
	return a
}

// complexAttr is an attribute with sub-attributes.
func complexAttr(name, desc string, subs []map[string]any, opts ...string) map[string]any {
	a := attr(name, "complex", desc, opts...)
	a["subAttributes"] = subs
	return a
}

// schemaDocs are the schemas of the attributes Tenantry keeps.
func (s *server) schemaDocs() []map[string]any {
	doc := func(id, name, desc string, attrs []map[string]any) map[string]any {
		return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"}, "id": id,
			"name": name, "description": desc, "attributes": attrs,
			"meta": map[string]any{"resourceType": "Schema", "location": s.base + "/Schemas/" + id}}
	}
	typed := func(desc string) []map[string]any {
		return []map[string]any{attr("value", "string", desc), attr("type", "string", "work"),
			attr("primary", "boolean", "The value used")}
	}
	return []map[string]any{
		doc(SchemaUser, "User", "A person of the organization", []map[string]any{
			attr("userName", "string", "The person's login, unique across Tenantry", "required", "unique"),
			complexAttr("name", "The person's name", []map[string]any{attr("givenName", "string", "First name", "required"),
				attr("familyName", "string", "Last name", "required"), attr("formatted", "string", "Full name", "readOnly")}),
			attr("displayName", "string", "Full name; split into given and family name where those are missing"),
			complexAttr("emails", "The person's e-mail address: one, of type work", typed("E-mail address"), "multi", "required"),
			complexAttr("phoneNumbers", "The person's phone number, where the organization keeps one", typed("Phone number"), "multi"),
			attr("title", "string", "Job title, where the organization keeps one"),
			attr("preferredLanguage", "string", "en, de or fr; others become en"),
			attr("active", "boolean", "false locks the person: they cannot sign in"),
			complexAttr("groups", "The roles the person holds here", []map[string]any{attr("value", "string", "Group id"),
				attr("display", "string", "Group name")}, "multi", "readOnly"),
		}),
		doc(SchemaGroup, "Group", "A role of the organization: members hold it", []map[string]any{
			attr("displayName", "string", "The role's name; it cannot change", "required", "immutable"),
			complexAttr("members", "The people who hold the role here", []map[string]any{attr("value", "string", "User id", "exact"),
				attr("display", "string", "Login", "readOnly")}, "multi"),
		}),
		doc(SchemaEnterprise, "EnterpriseUser", "Accepted and not kept", []map[string]any{}),
	}
}

func (s *server) schemas(w http.ResponseWriter, r *http.Request) error {
	docs := s.schemaDocs()
	write(w, http.StatusOK, listResponse(r, docs, len(docs), 1))
	return nil
}

func (s *server) schema(w http.ResponseWriter, r *http.Request) error {
	for _, d := range s.schemaDocs() {
		if strings.EqualFold(d["id"].(string), r.PathValue("id")) {
			write(w, http.StatusOK, d)
			return nil
		}
	}
	return &Error{Status: http.StatusNotFound, Detail: "schemas here are " + SchemaUser + ", " + SchemaGroup + " and " + SchemaEnterprise}
}
