// Package mailer sends email through an SMTP server: a plain-text body
// with an HTML alternative, one message per connection. The SMTP protocol,
// its TLS and its authentication are github.com/wneessen/go-mail's.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"
)

// TLS is how the connection to the SMTP server is protected.
type TLS string

const (
	// StartTLS connects in plain text and upgrades with STARTTLS, which the
	// server must offer (submission, port 587).
	StartTLS TLS = "starttls"
	// ImplicitTLS speaks TLS from the first byte (port 465).
	ImplicitTLS TLS = "tls"
	// NoTLS sends in plain text: for a mail catcher on the same machine.
	NoTLS TLS = "none"
)

// ParseTLS reads a TLS mode as flags spell it.
func ParseTLS(s string) (TLS, error) {
	switch t := TLS(s); t {
	case StartTLS, ImplicitTLS, NoTLS:
		return t, nil
	}
	return "", fmt.Errorf("unknown SMTP TLS mode %q (known: starttls, tls, none)", s)
}

// Config says where and how to send.
type Config struct {
	// Addr is the SMTP server's host:port.
	Addr string
	// From is the sender's address, for example "Yardstick <yardstick@example.com>".
	From string
	// Username and Password, when Username is set, authenticate with the
	// best mechanism the server offers.
	Username, Password string
	TLS                TLS
	// Timeout bounds connecting and each command; 30 s when 0.
	Timeout time.Duration
}

// Message is one email to one person.
type Message struct {
	To      string
	Subject string
	Text    string // the plain-text body
	HTML    string // an HTML alternative; none when empty
}

// Sender sends messages with one Config.
type Sender struct {
	cfg  Config
	host string
	port int
}

// New checks cfg and returns a sender; nothing is dialled until Send.
func New(cfg Config) (*Sender, error) {
	host, portText, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("SMTP address %q: want host:port", cfg.Addr)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("SMTP address %q: bad port", cfg.Addr)
	}
	if cfg.From == "" {
		return nil, errors.New("SMTP needs a sender address (From)")
	}
	if err := mail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("SMTP sender %q: %w", cfg.From, err)
	}
	if _, err := ParseTLS(string(cfg.TLS)); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{cfg: cfg, host: host, port: port}, nil
}

// Send delivers one message: it is accepted by the server when Send
// returns nil.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return err
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	client, err := mail.NewClient(s.host, s.options()...)
	if err != nil {
		return err
	}
	return client.DialAndSendWithContext(ctx, msg)
}

// options are the client's: the port as given (go-mail would otherwise
// pick one from the TLS mode), the TLS mode, and authentication.
func (s *Sender) options() []mail.Option {
	opts := []mail.Option{mail.WithPort(s.port), mail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case ImplicitTLS:
		opts = append(opts, mail.WithSSL())
	case NoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	return opts
}
