package app_test

import (
	"testing"

	"github.com/tenantry/tenantry/internal/app"
)

// TestDescribeAgentNamesBrowsersAndSystems: the sessions page names a
// device by browser and system, not by its User-Agent string.
func TestDescribeAgentNamesBrowsersAndSystems(t *testing.T) {
	for ua, want := range map[string][2]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":                         {"Chrome", "Windows"},
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0":               {"Edge", "Windows"},
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15":                      {"Safari", "macOS"},
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0":                                                                  {"Firefox", "Linux"},
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1": {"Safari", "iOS"},
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36":                   {"Chrome", "Android"},
		"Go-http-client/1.1": {"", ""},
		"":                   {"", ""},
	} {
		if b, os := app.DescribeAgent(ua); b != want[0] || os != want[1] {
			t.Errorf("%q: %q on %q, want %q", ua, b, os, want)
		}
	}
}
