// Package egress makes the HTTP clients for requests to addresses that
// customers choose (webhook receivers, identity providers): a request
// forgery risk, since a customer's administrator could name an address
// inside the operator's network. Unless private addresses are allowed,
// such a client connects only to public ones, checked on the address
// actually dialled (after DNS, so a name resolving to 127.0.0.1 is
// refused too), and uses no proxy from the environment, which would dial
// for it unchecked. Allowed, it dials as any client does, through the
// environment's proxy (HTTPS_PROXY) if one is set.
package egress

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Options shape a client.
type Options struct {
	// Timeout bounds connecting, the TLS handshake, the answer's head and,
	// for the client, the whole request.
	Timeout time.Duration
	// AllowPrivate lets the client reach loopback and private addresses,
	// for a receiver or provider on the operator's own machine or network,
	// and through the environment's proxy.
	AllowPrivate bool
	// For names what the client reaches, in the refusal: "webhook
	// receivers" or "identity providers".
	For string
	// FollowRedirects, off, returns a redirect as the answer.
	FollowRedirects bool
}

// Client returns a client as o says.
func Client(o Options) *http.Client {
	dialer := &net.Dialer{Timeout: o.Timeout}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       time.Minute,
	}
	if o.AllowPrivate {
		transport.Proxy = http.ProxyFromEnvironment
	} else {
		dialer.Control = publicOnly(o.For)
	}
	c := &http.Client{Transport: transport, Timeout: o.Timeout}
	if !o.FollowRedirects {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

// publicOnly refuses to connect to an address that is not a public one:
// loopback, private, shared (100.64/10), link-local (cloud metadata),
// unspecified, multicast.
func publicOnly(what string) func(network, address string, c syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return err
		}
		if !Public(ip) {
			return &NotPublicError{Addr: ip.Unmap(), For: what}
		}
		return nil
	}
}

// NotPublicError is the refusal to connect to an address that is not a
// public one; errors.As finds it in what the client's request returns.
type NotPublicError struct {
	Addr netip.Addr
	For  string // what the client reaches, as Options.For
}

func (e *NotPublicError) Error() string {
	return fmt.Sprintf("%s is not a public address; %s are reached only at public ones", e.Addr, e.For)
}

// shared is the carrier-grade NAT range (RFC 6598), private in practice.
var shared = netip.MustParsePrefix("100.64.0.0/10")

// Public reports whether ip is a public unicast address.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !shared.Contains(ip)
}
