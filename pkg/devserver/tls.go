package devserver

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"go.temporal.io/server/common/config"
)

// TLS is the frontend's TLS: its identity, and optionally the CA its clients' certificates
// must be signed by (mutual TLS). With TLS the server's other ports use TLS as well, with an
// internal CA of their own (see internalPKI).
type TLS struct {
	// CertFile and KeyFile are PEM files of the server's certificate and private key; both or
	// neither. Clients verify the certificate against the name they dial (or their
	// --tls-server-name), so it must carry that name.
	CertFile, KeyFile string
	// ClientCAFile, when not empty, is a PEM file of the CA that signs client certificates:
	// the frontend then requires and verifies one on every connection.
	ClientCAFile string
}

// enabled reports whether the frontend uses TLS.
func (t TLS) enabled() bool { return t.CertFile != "" }

// check reads the files now, so that a mistake is a clear error rather than a failure deep in
// the server's start.
func (t TLS) check() error {
	switch {
	case t.CertFile == "" && t.KeyFile == "" && t.ClientCAFile == "":
		return nil
	case t.CertFile == "" && t.KeyFile == "":
		return errors.New("devserver: --tls-client-ca needs --tls-cert and --tls-key (the server's own certificate)")
	case t.CertFile == "" || t.KeyFile == "":
		return errors.New("devserver: --tls-cert and --tls-key go together (the server's certificate and its key)")
	}
	if _, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile); err != nil {
		return fmt.Errorf("devserver: --tls-cert %s, --tls-key %s: %w", t.CertFile, t.KeyFile, err)
	}
	if t.ClientCAFile != "" {
		pem, err := os.ReadFile(t.ClientCAFile)
		if err != nil {
			return fmt.Errorf("devserver: --tls-client-ca: %w", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return fmt.Errorf("devserver: --tls-client-ca: %s holds no PEM certificate", t.ClientCAFile)
		}
	}
	return nil
}

// rootTLS is the server's TLS configuration: the frontend serves the operator's certificate
// (and with ClientCAFile requires client certificates that CA signed); every other port (the
// internal frontend, history, matching, the worker service, and membership, with
// dynamicconfig.EnableRingpopTLS) serves internal's certificate and requires the services'
// certificate from internal's CA, which the services present to each other as clients.
func (t TLS) rootTLS(internal *internalPKI) config.RootTLS {
	if !t.enabled() {
		return config.RootTLS{}
	}
	server := config.ServerTLS{CertFile: t.CertFile, KeyFile: t.KeyFile}
	if t.ClientCAFile != "" {
		server.ClientCAFiles = []string{t.ClientCAFile}
		server.RequireClientAuth = true
	}
	ca := []string{b64(internal.ca.certPEM())}
	return config.RootTLS{
		Frontend: config.GroupTLS{Server: server},
		Internode: config.GroupTLS{
			Server: config.ServerTLS{
				CertData: b64(internal.node.certPEM), KeyData: b64(internal.node.keyPEM),
				ClientCAData: ca, RequireClientAuth: true,
			},
			Client: config.ClientTLS{ServerName: internodeName, RootCAData: ca},
		},
	}
}
