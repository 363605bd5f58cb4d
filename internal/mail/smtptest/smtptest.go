// Package smtptest runs a real SMTP server (emersion/go-smtp) inside a
// test process and keeps what it receives, decoded, so tests can read the
// links out of the mail people would get.
package smtptest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Message is one received e-mail.
type Message struct {
	From      string
	To        []string
	Subject   string
	MessageID string
	Text      string
	HTML      string
}

// Server is an SMTP server on 127.0.0.1 that keeps every message.
type Server struct {
	Host string
	Port int

	mu       sync.Mutex
	msgs     []Message
	fail     func(n int) bool // whether delivery attempt n fails
	attempts int
}

// Start runs a server until the test ends. fail, if not nil, decides per
// delivery attempt (counted from 1) whether to refuse it with a temporary
// error, as a flaky relay would.
func Start(t testing.TB, fail func(attempt int) bool) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{fail: fail}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = addr.IP.String(), addr.Port
	return s
}

// Messages returns what arrived so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Attempts counts delivery attempts, refused ones included.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// LastTo returns the newest message to addr.
func (s *Server) LastTo(addr string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.msgs) - 1; i >= 0; i-- {
		for _, to := range s.msgs[i].To {
			if strings.EqualFold(to, addr) {
				return s.msgs[i], true
			}
		}
	}
	return Message{}, false
}

// Link returns the first link in a message's text that starts with prefix.
func (m Message) Link(prefix string) string {
	i := strings.Index(m.Text, prefix)
	if i < 0 {
		return ""
	}
	return strings.Fields(m.Text[i:])[0]
}

// Token returns the token= value of the message's first link.
func (m Message) Token() string {
	i := strings.Index(m.Text, "token=")
	if i < 0 {
		return ""
	}
	return strings.Fields(m.Text[i+len("token="):])[0]
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

var errTemporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if s.fail != nil && s.fail(s.attempts) {
		return errTemporary
	}
	m, err := parse(raw)
	if err != nil {
		return err
	}
	m.From, m.To = ss.from, ss.to
	s.msgs = append(s.msgs, m)
	return nil
}

var wordDecoder = mime.WordDecoder{}

func parse(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	subject, err := wordDecoder.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, err
	}
	m := Message{Subject: subject, MessageID: strings.Trim(msg.Header.Get("Message-Id"), "<>")}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return Message{}, err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		body, err := io.ReadAll(msg.Body)
		m.Text = string(body)
		return m, err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return Message{}, err
		}
		body, err := io.ReadAll(p) // quoted-printable is decoded by multipart
		if err != nil {
			return Message{}, err
		}
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			m.Text = strings.ReplaceAll(string(body), "\r\n", "\n")
		case strings.HasPrefix(ct, "text/html"):
			m.HTML = string(body)
		}
	}
}
