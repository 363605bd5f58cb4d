// Package idptest runs a real OpenID Provider in the test process, for
// tests of sign-in through a customer's identity provider: zitadel/oidc's
// op package (OpenID-certified) with its example storage and login page,
// on a loopback port, with the people and the client a test gives it.
package idptest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Password is every test person's password at the provider.
const Password = "provider-password-1"

// Person is someone the provider knows.
type Person struct {
	// ID is the subject the provider asserts.
	ID       string
	Username string // what they type at the provider's login page
	Email    string // "" sends no e-mail claim
	// Unverified marks the e-mail as not verified by the provider.
	Unverified bool
	// MFA: the provider asserts a multi-factor sign-in (amr pwd, mfa).
	MFA bool
}

// Provider is a running OpenID Provider.
type Provider struct {
	// Issuer is its issuer URL, http://127.0.0.1:PORT.
	Issuer       string
	ClientID     string
	ClientSecret string
	server       *httptest.Server
}

// Start runs a provider whose one confidential client, ClientID, may send
// people back to redirectURI only. It stops when the test ends.
func Start(t testing.TB, redirectURI string, people ...Person) *Provider {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	users := userStore{}
	for _, p := range people {
		users[p.ID] = p
	}
	p := &Provider{Issuer: issuer, ClientID: "tenantry", ClientSecret: "provider-client-secret", server: srv}
	clients := map[string]*storage.Client{p.ClientID: storage.WebClient(p.ClientID, p.ClientSecret, redirectURI)}
	st := &mfaStorage{Storage: storage.NewStorageWithClients(users, clients), users: users}
	srv.Config.Handler = exampleop.SetupServer(issuer, st, nil, false)
	srv.Config.ErrorLog = nil
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// Stop takes the provider off the network, as an outage would.
func (p *Provider) Stop() { p.server.Close() }

// userStore is the provider's directory.
type userStore map[string]Person

func (u userStore) user(p Person) *storage.User {
	return &storage.User{ID: p.ID, Username: p.Username, Password: Password, FirstName: "Test", LastName: p.ID,
		Email: p.Email, EmailVerified: !p.Unverified, PreferredLanguage: language.English}
}

func (u userStore) GetUserByID(id string) *storage.User {
	if p, ok := u[id]; ok {
		return u.user(p)
	}
	return nil
}

func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, p := range u {
		if p.Username == name {
			return u.user(p)
		}
	}
	return nil
}

func (u userStore) ExampleClientID() string { return "service" }

// mfaStorage asserts amr "mfa" for people marked MFA: the example storage
// knows passwords only.
type mfaStorage struct {
	*storage.Storage
	users userStore
}

type mfaRequest struct {
	op.AuthRequest
}

func (r mfaRequest) GetAMR() []string { return []string{"pwd", "mfa"} }

func (s *mfaStorage) wrap(r op.AuthRequest, err error) (op.AuthRequest, error) {
	if err != nil || !s.users[r.GetSubject()].MFA {
		return r, err
	}
	return mfaRequest{r}, nil
}

func (s *mfaStorage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	return s.wrap(s.Storage.AuthRequestByID(ctx, id))
}

func (s *mfaStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	return s.wrap(s.Storage.AuthRequestByCode(ctx, code))
}

// SignIn follows a browser's way through the provider without a browser:
// from the authorization URL to its login page, the login form posted,
// and back to the redirect URI, which it returns (with code and state, or
// an error) without following it. c must not follow redirects itself.
func SignIn(t testing.TB, c *http.Client, authURL, username, password string) *url.URL {
	t.Helper()
	next := authURL
	for range 10 {
		res, err := c.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK && strings.Contains(res.Request.URL.Path, "/login/username") {
			id := res.Request.URL.Query().Get("authRequestID")
			res, err = c.PostForm(res.Request.URL.Scheme+"://"+res.Request.URL.Host+"/login/username",
				url.Values{"id": {id}, "username": {username}, "password": {password}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
		loc, err := res.Location()
		if err != nil {
			t.Fatalf("the provider answered %s at %s, not a redirect", res.Status, res.Request.URL)
		}
		if !strings.HasPrefix(loc.String(), res.Request.URL.Scheme+"://"+res.Request.URL.Host) {
			return loc // back to the relying party
		}
		next = loc.String()
	}
	t.Fatal("the provider redirected more than 10 times")
	return nil
}
