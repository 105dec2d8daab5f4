package devserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// internodeName is the DNS name in the internal certificate, and the name the server's own
// clients verify in it, whatever address they dial.
const internodeName = "internode.phasesweep.invalid"

// authority is a certificate authority held in memory.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

// keyPair is a certificate (signed by an authority) and its private key, as PEM.
type keyPair struct {
	certPEM, keyPEM []byte
}

// validity of the certificates made here: from an hour ago (clocks of other processes may lag a
// little) for ten years (a lab server runs for months; the key of an internal CA lives only in
// the memory of the process that made it, so it cannot leak through a file).
const (
	backdate = time.Hour
	lifetime = 10 * 365 * 24 * time.Hour
)

// newAuthority makes a self-signed ECDSA P-256 CA named name.
func newAuthority(name string) (authority, error) {
	tmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, key, err := sign(tmpl, authority{})
	if err != nil {
		return authority{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return authority{}, fmt.Errorf("devserver: read back CA %q: %w", name, err)
	}
	return authority{cert: cert, key: key, der: der}, nil
}

// issue makes an ECDSA P-256 certificate for name signed by a, valid for the given extended
// key usages and, as a server, for the DNS name name and the addresses ips.
func (a authority) issue(name string, usage []x509.ExtKeyUsage, ips ...net.IP) (keyPair, error) {
	tmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: name}, DNSNames: []string{name}, IPAddresses: ips,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: usage,
	}
	der, key, err := sign(tmpl, a)
	if err != nil {
		return keyPair{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return keyPair{}, fmt.Errorf("devserver: encode the key of %q: %w", name, err)
	}
	return keyPair{certPEM: pemBlock("CERTIFICATE", der), keyPEM: pemBlock("PRIVATE KEY", keyDER)}, nil
}

// sign completes tmpl (a random serial, the validity) and signs it, with a fresh key, by
// parent, or by that key itself when parent is the zero authority; it returns the certificate
// (DER) and its key.
func sign(tmpl *x509.Certificate, parent authority) ([]byte, *ecdsa.PrivateKey, error) {
	name := tmpl.Subject.CommonName
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("devserver: generate the key of %q: %w", name, err)
	}
	// A 128-bit random serial (RFC 5280 allows up to 20 octets).
	if tmpl.SerialNumber, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128)); err != nil {
		return nil, nil, fmt.Errorf("devserver: draw a serial number for %q: %w", name, err)
	}
	now := time.Now()
	tmpl.NotBefore, tmpl.NotAfter = now.Add(-backdate), now.Add(lifetime)
	issuer, issuerKey := parent.cert, parent.key
	if issuer == nil {
		issuer, issuerKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &key.PublicKey, issuerKey)
	if err != nil {
		return nil, nil, fmt.Errorf("devserver: sign the certificate of %q: %w", name, err)
	}
	return der, key, nil
}

// certPEM is the CA's certificate as PEM.
func (a authority) certPEM() []byte { return pemBlock("CERTIFICATE", a.der) }

// pool is a certificate pool holding only a.
func (a authority) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.cert)
	return p
}

// pemBlock is der as one PEM block of type kind.
func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

// b64 is PEM data the way Temporal's TLS settings (CertData, KeyData, ClientCAData,
// RootCAData) take it: base64 (standard encoding) of the PEM text.
func b64(pem []byte) string { return base64.StdEncoding.EncodeToString(pem) }

// internalPKI is the identity of the server's services towards each other: a CA made at start
// and kept in memory, and one certificate it signed, which every service presents both as a
// TLS server (history, matching, the worker service, the internal frontend, membership) and
// as a client of the others. The CA of the operator's clients (TLS.ClientCAFile) is not
// involved: a client certificate it signed opens the public frontend, never an internal port,
// and the internal certificate does not open the public frontend.
type internalPKI struct {
	ca   authority
	node keyPair
}

// newInternalPKI makes a fresh internal CA and the services' certificate, valid for
// internodeName and for the loopback address the services listen on.
func newInternalPKI() (*internalPKI, error) {
	ca, err := newAuthority("phasesweep internal CA")
	if err != nil {
		return nil, err
	}
	node, err := ca.issue(internodeName, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, net.ParseIP(loopback))
	if err != nil {
		return nil, err
	}
	return &internalPKI{ca: ca, node: node}, nil
}

// clientTLS is the TLS configuration of a client inside this process dialing an internal port
// (the internal frontend): it presents the services' certificate and trusts only the internal
// CA.
func (p *internalPKI) clientTLS() (*tls.Config, error) {
	cert, err := tls.X509KeyPair(p.node.certPEM, p.node.keyPEM)
	if err != nil {
		return nil, fmt.Errorf("devserver: load the internal certificate: %w", err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      p.ca.pool(),
		ServerName:   internodeName,
		MinVersion:   tls.VersionTLS12,
	}, nil
}
