// Package mail delivers Tenantry's e-mail. Until SMTP delivery lands, the
// Console sender writes each message to the operator's console, apart
// from the structured logs, and the Recorder keeps them for tests.
package mail

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/tenantry/tenantry/internal/app"
)

// Console writes each message to W as plain text: a development mailbox.
type Console struct {
	mu sync.Mutex
	W  io.Writer
}

// Send writes m.
func (c *Console) Send(_ context.Context, m app.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := fmt.Fprintf(c.W, "\n----- mail to %s -----\nSubject: %s\n\n%s----- end of mail -----\n\n",
		m.To, m.Subject, m.Text)
	return err
}

// Recorder keeps every message it is given.
type Recorder struct {
	mu   sync.Mutex
	msgs []app.Message
}

// Send records m.
func (r *Recorder) Send(_ context.Context, m app.Message) error {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	return nil
}

// Messages returns what was sent so far.
func (r *Recorder) Messages() []app.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]app.Message(nil), r.msgs...)
}

// LastTo returns the newest message to the address, if any.
func (r *Recorder) LastTo(addr string) (app.Message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.msgs) - 1; i >= 0; i-- {
		if strings.EqualFold(r.msgs[i].To, addr) {
			return r.msgs[i], true
		}
	}
	return app.Message{}, false
}

// Token returns the one-time token in a message's link.
func Token(m app.Message) string {
	i := strings.Index(m.Text, "token=")
	if i < 0 {
		return ""
	}
	rest := m.Text[i+len("token="):]
	if j := strings.IndexAny(rest, " \r\n"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
