package web_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestMachinesAreNotPeople is issue 17, item 7: API users and service
// accounts were listed among people, sorted by a last name that was their
// kind ("robot api"), and their pages offered phone, job title, company
// contacts and news. They are listed apart, by their name, and their page
// has a name and roles only; the use case refuses a person's fields too.
func TestMachinesAreNotPeople(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	s.person("zoe@acme.example", "Zoe", "user")
	robot, _, err := s.App.CreateClient(ctx, s.owner, s.account.ID, app.NewClient{Kind: tenantry.UserAPI, Name: "billing-sync"})
	if err != nil {
		t.Fatal(err)
	}
	if robot.LastName != "" {
		t.Fatalf("a machine's last name is %q", robot.LastName)
	}
	b := signedIn(t, s, "olivia@acme.example")
	_, body := b.get("/users")
	people := body[strings.Index(body, `id="user-table"`):]
	machines := people[strings.Index(people, `id="machines"`)+1:]
	people = people[:strings.Index(people, `id="machines"`)]
	if strings.Contains(people, "billing-sync") || !strings.Contains(people, "zoe@acme.example") {
		t.Fatalf("people's table:\n%s", people)
	}
	if !strings.Contains(machines, ">billing-sync</a>") || !strings.Contains(machines, "API user") ||
		!strings.Contains(machines, robot.Login) {
		t.Fatalf("machines' table:\n%s", machines)
	}
	_, body = b.get("/users/" + robot.ID)
	for _, field := range []string{`name="last_name"`, `name="phone"`, `name="job_title"`, `name="contact"`, `name="notify"`, `name="language"`} {
		if strings.Contains(body, field) {
			t.Errorf("a machine's page offers %s", field)
		}
	}
	if !strings.Contains(body, `name="first_name"`) || !strings.Contains(body, "Client secrets") {
		t.Fatalf("a machine's page:\n%s", body)
	}
	// Renamed through its page; a person's fields are refused by the use
	// case, whoever asks.
	if _, body = b.post("/users/"+robot.ID, url.Values{"first_name": {"Billing sync"}}); !strings.Contains(body, "Billing sync") {
		t.Fatalf("renaming a machine:\n%s", body)
	}
	phone, news := "+49 1", true
	_, err = s.App.UpdateUser(ctx, s.owner, robot.ID, app.UserPatch{Phone: &phone, NotifyNews: &news})
	if e := (*tenantry.Error)(nil); !errors.As(err, &e) || len(e.Fields) != 2 || !strings.Contains(e.Fields[0].Message, "people only") {
		t.Fatalf("a machine's phone and news: %v", err)
	}
}

// TestUsersListOffersEachRowsActions is issue 17, item 9: as seeds 002
// and 004 describe, each person's row offers edit, reset password, lock
// and delete (remove, for one invited from elsewhere) to whoever may
// administer them, and each action comes back to the list.
func TestUsersListOffersEachRowsActions(t *testing.T) {
	s := newSite(t)
	nina := s.person("nina@acme.example", "Nina", "user")
	b := signedIn(t, s, "olivia@acme.example")
	_, body := b.get("/users?org=" + s.account.ID)
	row := rowOf(body, "nina@acme.example")
	for _, want := range []string{`href="/users/` + nina.ID + `"`, `action="/users/` + nina.ID + `/reset-password"`,
		`action="/users/` + nina.ID + `/lock"`, `href="/users/` + nina.ID + `/delete"`, `aria-label="Lock Nina Test"`} {
		if !strings.Contains(row, want) {
			t.Errorf("Nina's row lacks %s:\n%s", want, row)
		}
	}
	if own := rowOf(body, "olivia@acme.example"); strings.Contains(own, "/lock") {
		t.Errorf("the viewer's own row offers to lock them:\n%s", own)
	}
	res, body := b.post("/users/"+nina.ID+"/lock", url.Values{"back": {"/users?org=" + s.account.ID}})
	if res.Request.URL.Path != "/users" || !strings.Contains(body, `action="/users/`+nina.ID+`/unlock"`) {
		t.Fatalf("locking from the list: %s\n%s", res.Request.URL, body)
	}
	// Someone who has not activated yet gets the activation link again.
	s.App.CreateUser(t.Context(), s.owner, s.account.ID, app.NewUser{Email: "ivy@acme.example", FirstName: "Ivy", LastName: "Test", Roles: []string{"user"}})
	_, body = b.get("/users?org=" + s.account.ID)
	ivy := rowOf(body, "ivy@acme.example")
	if !strings.Contains(ivy, `aria-label="Re-send the activation link to Ivy Test"`) || strings.Contains(ivy, "/reset-password") {
		t.Fatalf("Ivy's row:\n%s", ivy)
	}
	// Refusing the viewer's own lock, in their language, as one sentence.
	b.post("/lang", url.Values{"lang": {"de"}, "back": {"/"}})
	if _, body = b.post("/users/"+s.owner.User.ID+"/lock", nil); !strings.Contains(body, "Sie können sich nicht selbst sperren") {
		t.Fatalf("locking oneself, in German:\n%s", body)
	}
	b.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
	// Only the list may be come back to.
	if res, _ = b.post("/users/"+nina.ID+"/unlock", url.Values{"back": {"https://evil.example/"}}); res.Request.URL.Path != "/users/"+nina.ID {
		t.Fatalf("unlock with a foreign back went to %s", res.Request.URL)
	}
}
