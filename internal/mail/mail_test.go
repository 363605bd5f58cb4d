package mail_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/tenantry/tenantry/internal/mail"
	"github.com/tenantry/tenantry/internal/mail/smtptest"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

var ctx = context.Background()

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func smtpTo(t *testing.T, srv *smtptest.Server) *mail.SMTP {
	t.Helper()
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "Tenantry <noreply@tenantry.test>"})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func enqueue(t *testing.T, s tenantry.Store, m *tenantry.Mail) {
	t.Helper()
	if err := s.Update(ctx, func(tx tenantry.Tx) error { return tx.EnqueueMail(ctx, m) }); err != nil {
		t.Fatal(err)
	}
}

func TestSMTPDeliversTextAndHTML(t *testing.T) {
	db := sqltest.OpenSQLite(t, nil)
	srv := smtptest.Start(t, nil)
	d := mail.NewDispatcher(db, smtpTo(t, srv), quiet)
	enqueue(t, db, &tenantry.Mail{Key: "activation:abc", To: "jörg@example.com", Subject: "Legen Sie Ihr Passwort fest – jetzt",
		Text: "Hallo Jörg,\n\nhttps://portal.example.com/password?token=abc\n", HTML: "<p>Hallo Jörg</p>"})
	if n, err := d.Drain(ctx); err != nil || n != 1 {
		t.Fatalf("drain: %d %v", n, err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.Subject != "Legen Sie Ihr Passwort fest – jetzt" || m.Token() != "abc" || !strings.Contains(m.HTML, "Hallo Jörg") ||
		m.MessageID != "activation.abc@tenantry" || m.To[0] != "jörg@example.com" {
		t.Fatalf("received %+v", m)
	}
	if n, _ := d.Drain(ctx); n != 0 || len(srv.Messages()) != 1 {
		t.Fatal("a sent message went out again")
	}
}

// TestDispatcherDeliversEveryCommittedMessageOnce: the use cases commit 60
// messages and roll back 10; one dispatcher dies after claiming, another
// dies after sending but before recording it, and the relay refuses 30% of
// attempts. In the end every committed message has arrived, none of the
// rolled-back work has, and a message that arrived twice arrived the same
// both times.
func TestDispatcherDeliversEveryCommittedMessageOnce(t *testing.T) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			clock := storetest.NewClock()
			db := b.Open(t, clock.Now)
			rng := rand.New(rand.NewPCG(1, 2))
			var mu sync.Mutex
			srv := smtptest.Start(t, func(int) bool { mu.Lock(); defer mu.Unlock(); return rng.Float64() < 0.3 })
			tr := smtpTo(t, srv)

			want := map[string]string{}
			for i := 0; i < 60; i++ {
				key := fmt.Sprintf("activation:%02d", i)
				want[key] = fmt.Sprintf("body %d", i)
				enqueue(t, db, &tenantry.Mail{Key: key, To: fmt.Sprintf("u%d@example.com", i), Subject: "s", Text: want[key]})
			}
			boom := fmt.Errorf("use case failed")
			err := db.Update(ctx, func(tx tenantry.Tx) error {
				for i := 0; i < 10; i++ {
					if err := tx.EnqueueMail(ctx, &tenantry.Mail{Key: fmt.Sprintf("rolled-back:%d", i), To: "x@example.com", Subject: "s", Text: "never"}); err != nil {
						return err
					}
				}
				return boom
			})
			if err != boom {
				t.Fatal(err)
			}

			// Dispatcher 1 claims a batch and dies before sending.
			dead := mail.NewDispatcher(db, tr, quiet)
			if batch, err := dead.Claim(ctx); err != nil || len(batch) != 20 {
				t.Fatalf("claim: %d %v", len(batch), err)
			}
			// Dispatcher 2 sends a batch and dies before recording it.
			half := mail.NewDispatcher(db, tr, quiet)
			batch, err := half.Claim(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range batch {
				tr.Send(ctx, m)
			}
			// The survivor sends the rest, and the dead ones' batches once
			// their leases run out, retrying refused attempts with backoff.
			live := mail.NewDispatcher(db, tr, quiet)
			for round := 0; round < 200; round++ {
				if _, err := live.Drain(ctx); err != nil {
					t.Fatal(err)
				}
				var pending int
				db.View(ctx, func(tx tenantry.Tx) error {
					all, err := tx.Outbox(ctx, 1000)
					for _, m := range all {
						if m.SentAt.IsZero() && m.FailedAt.IsZero() {
							pending++
						}
						if !m.FailedAt.IsZero() {
							t.Errorf("gave up on %s: %s", m.Key, m.LastError)
						}
					}
					return err
				})
				if pending == 0 {
					break
				}
				clock.Advance(live.Lease)
			}
			got := map[string]string{}
			for _, m := range srv.Messages() {
				if strings.Contains(m.Text, "never") {
					t.Fatalf("rolled-back message arrived: %+v", m)
				}
				text := strings.TrimSpace(m.Text)
				if prev, twice := got[m.MessageID]; twice && prev != text {
					t.Fatalf("%s arrived twice with different content: %q, %q", m.MessageID, prev, text)
				}
				got[m.MessageID] = text
			}
			for key, body := range want {
				id := strings.Replace(key, ":", ".", 1) + "@tenantry"
				if got[id] != body {
					t.Fatalf("%s: got %q, want %q (%d distinct arrived)", key, got[id], body, len(got))
				}
			}
			if len(got) != 60 {
				t.Fatalf("%d distinct messages arrived, want 60", len(got))
			}
			t.Logf("%d attempts, %d arrivals for 60 messages", srv.Attempts(), len(srv.Messages()))
		})
	}
}

func TestMailboxKeepsDevMail(t *testing.T) {
	db := sqltest.OpenSQLite(t, nil)
	var console strings.Builder
	d := mail.NewDispatcher(db, &mail.Mailbox{Store: db, Console: &console}, quiet)
	enqueue(t, db, &tenantry.Mail{Key: "k", To: "a@example.com", Subject: "Hello", Text: "see http://x/password?token=t\n"})
	if n, err := d.Drain(ctx); n != 1 || err != nil {
		t.Fatalf("drain %d %v", n, err)
	}
	db.View(ctx, func(tx tenantry.Tx) error {
		box, err := tx.Mailbox(ctx, 10)
		if err != nil || len(box) != 1 || box[0].Subject != "Hello" {
			t.Fatalf("mailbox %v %v", box, err)
		}
		return nil
	})
	if !strings.Contains(console.String(), "token=t") {
		t.Fatalf("console: %q", console.String())
	}
}
