package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
)

// TestOperatorRecordsWorkflowsOfSubOrganizations is issue 17, item 3: the
// operator's workflow form wanted a pasted organization id, answered "This
// did not work" for a sub-organization although the workflow was made, and
// never listed a sub-organization's workflows. An account's workflows now
// include those of every organization in it, and the form offers them by
// name.
func TestOperatorRecordsWorkflowsOfSubOrganizations(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	depot, _, err := s.App.CreateSubOrg(ctx, s.owner, s.account.ID, app.NewSubOrg{Name: "Depot North",
		Owner: app.NewUser{Email: "dn@acme.example", FirstName: "Dana", LastName: "North"}})
	if err != nil {
		t.Fatal(err)
	}
	op := signedIn(t, s, app.OperatorLogin)
	_, body := op.get("/operator?wf_org=" + s.account.ID)
	form := body[strings.Index(body, `action="/operator/workflows"`):]
	form = form[:strings.Index(form, "</form>")]
	if !strings.Contains(form, `<select id="f-org" name="org"`) || !strings.Contains(form, ">Depot North<") ||
		!strings.Contains(form, ">Acme IoT<") {
		t.Fatalf("the workflow form does not offer the account's organizations by name:\n%s", form)
	}
	res, body := op.post("/operator/workflows", url.Values{"account": {s.account.ID}, "org": {depot.ID}, "kind": {"invoice"}, "title": {"Invoice 2026-12"}})
	if res.Request.URL.Query().Get("wf_org") != s.account.ID || !strings.Contains(body, "Workflow saved.") || strings.Contains(body, "This did not work") {
		t.Fatalf("after recording a sub-organization's workflow (%s):\n%s", res.Request.URL, body)
	}
	list := body[strings.Index(body, `id="workflows"`):]
	if !strings.Contains(list, "Invoice 2026-12") || !strings.Contains(list, "Depot North") {
		t.Fatalf("the account's workflows do not list the sub-organization's:\n%s", list)
	}
}
