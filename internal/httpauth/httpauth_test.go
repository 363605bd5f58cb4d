package httpauth

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestClientAddrTrustsOnlyConfiguredProxies is finding 7: behind a proxy
// every client shared one address, so one attacker locked out all
// sign-ins. Forwarded headers name the client only when the peer is a
// trusted proxy, read from the nearest hop.
func TestClientAddrTrustsOnlyConfiguredProxies(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for name, c := range map[string]struct {
		peer    string
		headers map[string]string
		proxies []netip.Prefix
		want    string
	}{
		"no proxies configured": {"10.1.1.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.9"}, nil, "10.1.1.1"},
		"untrusted peer forges": {"198.51.100.7:5000", map[string]string{"X-Forwarded-For": "203.0.113.9"}, proxies, "198.51.100.7"},
		"trusted proxy":         {"10.1.1.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.9"}, proxies, "203.0.113.9"},
		"client prepends a lie": {"10.1.1.1:5000", map[string]string{"X-Forwarded-For": "1.2.3.4, 203.0.113.9"}, proxies, "203.0.113.9"},
		"two proxies":           {"10.1.1.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.9, 10.2.2.2"}, proxies, "203.0.113.9"},
		"forwarded wins":        {"10.1.1.1:5000", map[string]string{"Forwarded": `for="[2001:db8::7]:4711";proto=https`, "X-Forwarded-For": "1.2.3.4"}, proxies, "2001:db8::7"},
		"forwarded with port":   {"10.1.1.1:5000", map[string]string{"Forwarded": "for=203.0.113.9:1234, for=10.3.3.3"}, proxies, "203.0.113.9"},
		"garbage hop":           {"10.1.1.1:5000", map[string]string{"X-Forwarded-For": "not-an-ip"}, proxies, "10.1.1.1"},
		"ipv6 proxy":            {"[fd00::1]:5000", map[string]string{"X-Forwarded-For": "203.0.113.9"}, proxies, "203.0.113.9"},
		"only proxies in chain": {"10.1.1.1:5000", map[string]string{"X-Forwarded-For": "10.9.9.9"}, proxies, "10.9.9.9"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for k, v := range c.headers {
			r.Header.Set(k, v)
		}
		if got := ClientAddr(r, c.proxies); got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}
