package mail

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// SMTPConfig says how to reach an SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "starttls" (required), "tls" (implicit, usually port 465) or
	// "none" (only for a relay on the same host).
	TLS     string
	From    string
	Timeout time.Duration
}

// SMTP delivers over SMTP with go-mail.
type SMTP struct {
	cfg    SMTPConfig
	client *gomail.Client
}

// NewSMTP checks cfg and prepares a client; it connects per message.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.From == "" {
		return nil, fmt.Errorf("smtp: set the sender address (--mail-from)")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(cfg.Timeout)}
	switch cfg.TLS {
	case "starttls", "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp: --smtp-tls must be starttls, tls or none, not %q", cfg.TLS)
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return &SMTP{cfg: cfg, client: c}, nil
}

// Send delivers m. Its Message-ID derives from the outbox key, so a
// message that is sent again after a crash is recognisably the same.
func (s *SMTP) Send(ctx context.Context, m *tenantry.Mail) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return err
	}
	if err := msg.To(m.To); err != nil {
		return err
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(MessageID(m))
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return s.client.DialAndSendWithContext(ctx, msg)
}

// MessageID is the Message-ID value of m, stable across resends.
func MessageID(m *tenantry.Mail) string {
	return strings.NewReplacer(":", ".", "/", ".").Replace(m.Key) + "@tenantry"
}

// Mailbox keeps messages in the database's dev mailbox, read with
// `tenantry mail list` and `tenantry mail show`, and prints each one on
// Console (if set) so a developer sees links at once.
type Mailbox struct {
	Store   tenantry.Store
	Console io.Writer
	// Keep is how many messages the mailbox holds, the newest; older ones
	// go as new ones come (default MailboxKeep), so a bulk import's
	// activations do not fill the disk.
	Keep int
	mu   sync.Mutex
}

// MailboxKeep is how many messages the dev mailbox keeps by default.
const MailboxKeep = 1000

// Send stores m in the dev mailbox, dropping the oldest beyond Keep.
func (b *Mailbox) Send(ctx context.Context, m *tenantry.Mail) error {
	keep := b.Keep
	if keep <= 0 {
		keep = MailboxKeep
	}
	if err := b.Store.Update(ctx, func(tx tenantry.Tx) error {
		if err := tx.DeliverToMailbox(ctx, m); err != nil {
			return err
		}
		_, err := tx.TrimMailbox(ctx, keep)
		return err
	}); err != nil {
		return err
	}
	if b.Console != nil {
		b.mu.Lock()
		defer b.mu.Unlock()
		fmt.Fprintf(b.Console, "\n----- dev mail to %s -----\nSubject: %s\n\n%s----- end of mail -----\n\n", m.To, m.Subject, m.Text)
	}
	return nil
}
