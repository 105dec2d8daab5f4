package devserver

import (
	"os"
	"path/filepath"
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
	if (TLS{}).rootTLS().Frontend.Server.CertFile != "" {
		t.Error("a plain server has frontend TLS")
	}
	// With a client CA the frontend requires client certificates (mutual TLS).
	r := TLS{CertFile: "c", KeyFile: "k", ClientCAFile: "ca"}.rootTLS().Frontend.Server
	if !r.RequireClientAuth || len(r.ClientCAFiles) != 1 || r.ClientCAFiles[0] != "ca" || r.CertFile != "c" || r.KeyFile != "k" {
		t.Errorf("frontend TLS %+v", r)
	}
}
