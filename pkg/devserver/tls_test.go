package devserver

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTLSCheck(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not PEM"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		tls  TLS
		want string // "" for no error
	}{
		{TLS{}, ""},
		{TLS{CertFile: "c.pem"}, "--tls-cert and --tls-key go together"},
		{TLS{KeyFile: "k.pem"}, "--tls-cert and --tls-key go together"},
		{TLS{ClientCAFile: "ca.pem"}, "--tls-client-ca needs --tls-cert and --tls-key"},
		{TLS{CertFile: junk, KeyFile: junk}, "--tls-cert " + junk},
	}
	for _, c := range cases {
		err := c.tls.check()
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: error %v, want %q", c.tls, err, c.want)
		}
	}
	if plain := (TLS{}).rootTLS(nil); plain.Frontend.Server.CertFile != "" || plain.Internode.Server.CertData != "" {
		t.Error("a plain server has TLS")
	}
	internal, err := newInternalPKI()
	if err != nil {
		t.Fatal(err)
	}
	// With a client CA the frontend requires client certificates (mutual TLS).
	root := TLS{CertFile: "c", KeyFile: "k", ClientCAFile: "ca"}.rootTLS(internal)
	r := root.Frontend.Server
	if !r.RequireClientAuth || len(r.ClientCAFiles) != 1 || r.ClientCAFiles[0] != "ca" || r.CertFile != "c" || r.KeyFile != "k" {
		t.Errorf("frontend TLS %+v", r)
	}
	// Internal ports require a certificate of the internal CA, not of the operator's.
	in := root.Internode
	ca := b64(internal.ca.certPEM())
	if !in.Server.RequireClientAuth || len(in.Server.ClientCAFiles) != 0 || !slices.Equal(in.Server.ClientCAData, []string{ca}) ||
		in.Server.CertData != b64(internal.node.certPEM) || in.Client.ServerName != internodeName || !slices.Equal(in.Client.RootCAData, []string{ca}) {
		t.Errorf("internode TLS %+v", in)
	}
}

func TestInternalPKI(t *testing.T) {
	internal, err := newInternalPKI()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := internal.clientTLS()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	// The one certificate serves and dials: it must verify as both, for the name the services
	// check and the address they dial.
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		for _, name := range []string{internodeName, loopback} {
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: cfg.RootCAs, DNSName: name, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
				t.Errorf("usage %v, name %s: %v", usage, name, err)
			}
		}
	}
	other, err := newInternalPKI()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: other.ca.pool()}); err == nil {
		t.Error("the certificate verifies against another server's internal CA")
	}
}
