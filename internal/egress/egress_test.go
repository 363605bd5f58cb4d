package egress

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2001:4860:4860::8888": true, "198.51.100.7": true,
		"127.0.0.1": false, "::1": false, "::ffff:127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false,
		"192.168.1.1": false, "169.254.169.254": false, "100.64.0.1": false, "fc00::1": false, "fe80::1": false,
		"0.0.0.0": false, "::": false, "224.0.0.1": false, "ff02::1": false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestClientReachesOnlyPublicAddresses: a server on loopback is refused,
// with an error that names the address and what the client is for,
// unless private addresses are allowed; a redirect is followed only when
// asked for.
func TestClientReachesOnlyPublicAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/", http.StatusFound)
			return
		}
		w.Write([]byte("inside"))
	}))
	defer srv.Close()

	_, err := Client(Options{Timeout: time.Minute, For: "identity providers"}).Get(srv.URL)
	var refused *NotPublicError
	if !errors.As(err, &refused) || refused.Addr != netip.MustParseAddr("127.0.0.1") {
		t.Fatalf("loopback reached, or refused otherwise: %v", err)
	}
	if want := "127.0.0.1 is not a public address; identity providers are reached only at public ones"; refused.Error() != want {
		t.Errorf("refusal %q, want %q", refused.Error(), want)
	}

	for _, follow := range []bool{false, true} {
		res, err := Client(Options{Timeout: time.Minute, AllowPrivate: true, FollowRedirects: follow}).Get(srv.URL + "/moved")
		if err != nil {
			t.Fatalf("allowed private address: %v", err)
		}
		res.Body.Close()
		if want := map[bool]int{false: http.StatusFound, true: http.StatusOK}[follow]; res.StatusCode != want {
			t.Errorf("FollowRedirects %v: %s, want %d", follow, res.Status, want)
		}
	}
}

// TestProxyOnlyWhenPrivateAllowed: a proxy would dial for the client,
// past the address check, so only a client with no check uses the
// environment's.
func TestProxyOnlyWhenPrivateAllowed(t *testing.T) {
	for _, allow := range []bool{false, true} {
		tr := Client(Options{Timeout: time.Minute, AllowPrivate: allow}).Transport.(*http.Transport)
		if (tr.Proxy != nil) != allow {
			t.Errorf("AllowPrivate %v: proxy set %v", allow, tr.Proxy != nil)
		}
	}
}
