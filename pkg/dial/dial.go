package dial

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
)

// Dial connects to the frontend of opts, retrying for up to wait while it does not answer (a
// server that is starting). A refused TLS handshake or credential, or a plain connection that
// the server closes (a TLS server), is not retried: it will not go away. The error names the address and, for a missing client certificate, the flags to
// give.
func Dial(ctx context.Context, opts client.Options, wait time.Duration) (client.Client, error) {
	deadline := time.Now().Add(wait)
	for {
		c, err := client.DialContext(ctx, opts)
		if err == nil {
			return c, nil
		}
		plainRefused := opts.ConnectionOptions.TLS == nil && strings.Contains(err.Error(), "server preface: EOF")
		if permanent(err) || plainRefused || time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("connect to Temporal at %s: %w%s", opts.HostPort, err, hint(err))
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// permanent reports whether a dial error is about security (TLS, certificates, credentials),
// which retrying does not cure.
func permanent(err error) bool {
	msg := err.Error()
	for _, s := range []string{"tls:", "x509:", "certificate", "Unauthenticated", "PermissionDenied", "first record does not look like a TLS handshake"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// hint says what to do about common dial errors.
func hint(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "certificate required") || strings.Contains(msg, "bad certificate"):
		return " (the server requires a client certificate signed by its client CA: give --tls-cert and --tls-key)"
	case strings.Contains(msg, "x509:"):
		return " (the server's certificate is not trusted: give --tls-ca, or --tls-server-name for the name it carries)"
	case strings.Contains(msg, "server preface: EOF"):
		return " (the server closed the connection: it may require TLS; give --tls-ca, and --tls-cert/--tls-key for mutual TLS)"
	case strings.Contains(msg, "first record does not look like a TLS handshake"):
		return " (the server does not speak TLS: drop the --tls-* options)"
	}
	return ""
}
