package web_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/tenantry/tenantry/internal/server/servertest"
)

// lockedBuffer is a log sink the server writes from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRefusedPagesAreWholeAndLogNothing is finding 18: the users tab of
// an org one may not see answered truncated HTML and logged a template
// ERROR on every request.
func TestRefusedPagesAreWholeAndLogNothing(t *testing.T) {
	var logs lockedBuffer
	s := newSiteWith(t, servertest.Options{Log: &logs})
	s.person("tom@acme.example", "Tom", "third_party")
	for _, who := range []string{"olivia@acme.example", "tom@acme.example"} {
		b := signedIn(t, s, who)
		for _, path := range []string{"/users?org=" + s.operator.User.OrgID, "/users/" + s.operator.User.ID, "/users?org=nope", "/users", "/users?cursor=!!"} {
			res, body := b.get(path)
			if who == "olivia@acme.example" && path == "/users" {
				continue // her own users tab
			}
			if res.StatusCode < 400 || !strings.Contains(body, "</html>") {
				t.Errorf("%s %s: %d, not a whole page:\n%s", who, path, res.StatusCode, body)
			}
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("refused pages logged errors:\n%s", logs.String())
	}
}
