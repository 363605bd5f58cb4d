// Package webhooktest is a customer's webhook receiver for tests: a real
// HTTP server that checks every message's signature with Svix's library,
// an implementation of Standard Webhooks independent of the one Tenantry
// signs with, and that a test can make answer 500 or hang.
package webhooktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	svix "github.com/svix/svix-webhooks/go"
)

// Hook is one webhook a receiver took, as sent.
type Hook struct {
	Header  http.Header
	Payload []byte
	Type    string `json:"type"`
	Data    struct {
		OrgID      string `json:"org_id"`
		TargetID   string `json:"target_id"`
		ActorLogin string `json:"actor_login"`
	} `json:"data"`
}

// Mode is how a receiver answers.
type Mode int

// The modes of a receiver.
const (
	OK   Mode = iota // verify, then 204
	Fail             // 500 with a reason
	Hang             // no answer until the test ends
)

// Receiver is a running webhook endpoint.
type Receiver struct {
	*httptest.Server
	t        testing.TB
	mu       sync.Mutex
	secret   string
	mode     Mode
	got      []Hook
	rejected int
	hang     chan struct{}
}

// Start starts a receiver that verifies with no secret until SetSecret.
func Start(t testing.TB) *Receiver {
	r := &Receiver{t: t, hang: make(chan struct{})}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() { close(r.hang); r.Close() })
	return r
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	mode, secret := r.mode, r.secret
	r.mu.Unlock()
	switch mode {
	case Fail:
		http.Error(w, "boom: the receiver's database is down", http.StatusInternalServerError)
		return
	case Hang:
		select {
		case <-r.hang:
		case <-req.Context().Done():
		}
		return
	}
	wh, err := svix.NewWebhook(secret)
	if err == nil {
		err = wh.Verify(body, req.Header)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.rejected++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	h := Hook{Header: req.Header.Clone(), Payload: body}
	if err := json.Unmarshal(body, &h); err != nil {
		r.t.Errorf("webhook body is not JSON: %s", body)
	}
	r.got = append(r.got, h)
	w.WriteHeader(http.StatusNoContent)
}

// SetSecret sets the secret signatures are checked with.
func (r *Receiver) SetSecret(s string) {
	r.mu.Lock()
	r.secret = s
	r.mu.Unlock()
}

// SetMode sets how the receiver answers from now on.
func (r *Receiver) SetMode(m Mode) {
	r.mu.Lock()
	r.mode = m
	r.mu.Unlock()
}

// Took returns what the receiver took so far and forgets it; a message it
// rejected for its signature fails the test.
func (r *Receiver) Took() []Hook {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rejected > 0 {
		r.t.Fatalf("%d webhooks did not verify with the secret the portal showed", r.rejected)
	}
	out := r.got
	r.got = nil
	return out
}

// Rejected returns how many messages did not verify, and forgets them.
func (r *Receiver) Rejected() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.rejected
	r.rejected = 0
	return n
}

// Types lists hooks as "type@target", sorted: deliveries go out side by
// side, in no order.
func Types(hooks []Hook) string {
	var out []string
	for _, h := range hooks {
		out = append(out, h.Type+"@"+h.Data.TargetID)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}
