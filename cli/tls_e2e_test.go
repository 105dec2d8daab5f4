package main

// End-to-end test of a TLS frontend requiring client certificates: sweep server
// with --tls-cert/--tls-key/--tls-client-ca, a worker configured by environment variables, and
// sweep run by flags, on a namespace and task queue other than the defaults; clients without a
// (valid) certificate, or without TLS, are refused.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// issuer is a certificate authority made for a test.
type issuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string // path of its certificate
}

// newCA makes a self-signed CA and writes its certificate to dir/name.pem.
func newCA(t *testing.T, dir, name string) issuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".pem")
	writePEM(t, path, "CERTIFICATE", der)
	return issuer{cert: cert, key: key, pem: path}
}

// issue makes a certificate for name signed by ca (a server certificate valid for 127.0.0.1
// and localhost, or a client certificate) and writes dir/name.pem and dir/name-key.pem.
func (ca issuer) issue(t *testing.T, dir, name string, server bool) (certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		tmpl.DNSNames = []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	writePEM(t, certPath, "CERTIFICATE", der)
	writePEM(t, keyPath, "PRIVATE KEY", keyDER)
	return certPath, keyPath
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestMutualTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	if err := os.Mkdir(certs, 0o755); err != nil {
		t.Fatal(err)
	}
	ca := newCA(t, certs, "ca")
	serverCert, serverKey := ca.issue(t, certs, "server", true)
	clientCert, clientKey := ca.issue(t, certs, "client", false)
	rogue := newCA(t, certs, "rogue-ca") // a CA the server does not trust
	rogueCert, rogueKey := rogue.issue(t, certs, "rogue", false)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	server, _, serverErr := sweepCmd(ctx, dir, "server", "--state", filepath.Join(dir, "server-state"), "--port", fmt.Sprint(port),
		"--tls-cert", serverCert, "--tls-key", serverKey, "--tls-client-ca", ca.pem, "--namespace", "lab")
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = server.Process.Signal(os.Interrupt); _ = server.Wait() }()
	waitForServer(t, ctx, filepath.Join(dir, "server-state"), server)

	// The worker is configured by the environment alone (flags are checked below), on a
	// namespace and task queue of its own: the sweep completes only if its children and
	// activities follow it there.
	w := exec.CommandContext(ctx, bins.worker)
	w.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+addr, "TEMPORAL_TLS_CA="+ca.pem,
		"TEMPORAL_TLS_CERT="+clientCert, "TEMPORAL_TLS_KEY="+clientKey, "PHASESWEEP_WORKER_CONCURRENCY=1",
		"TEMPORAL_NAMESPACE=lab", "PHASESWEEP_TASK_QUEUE=secure")
	w.Stderr = os.Stderr
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Process.Signal(os.Interrupt); _ = w.Wait() }()

	// Clients without a certificate, with one the server's CA did not sign, and without TLS
	// are refused, each with an error that says so.
	refused := []struct {
		name string
		args []string
		want string
	}{
		{"no certificate", []string{"--tls-ca", ca.pem}, "client certificate"},
		{"foreign certificate", []string{"--tls-ca", ca.pem, "--tls-cert", rogueCert, "--tls-key", rogueKey}, "tls:"},
		{"server not trusted", []string{"--tls-cert", clientCert, "--tls-key", clientKey}, "x509:"},
		{"no TLS", nil, "it may require TLS"},
	}
	for _, r := range refused {
		cmd, stdout, stderr := sweepCmd(ctx, dir, append([]string{"list", "--address", addr}, r.args...)...)
		start := time.Now()
		err := cmd.Run()
		t.Logf("%s: refused after %v: %s", r.name, time.Since(start).Round(time.Millisecond), stderr)
		if err == nil || !strings.Contains(stderr.String(), r.want) {
			t.Errorf("%s: err %v, stdout %q, stderr %q; want a refusal mentioning %q", r.name, err, stdout, stderr, r.want)
		}
	}

	// sweep run by flags; its environment names the rogue certificate, which the flags
	// override (the run would be refused otherwise).
	specText := strings.Replace(e2eSpec, "num: 8", "num: 2", 1) // 12 points
	specPath := writeSpec(t, dir, specText)
	run, stdout, stderr := sweepCmd(ctx, dir, "run", specPath, "--address", addr, "--out", filepath.Join(dir, "out"), "--chunk", "3",
		"--tls-ca", ca.pem, "--tls-cert", clientCert, "--tls-key", clientKey, "--namespace", "lab", "--task-queue", "secure")
	run.Env = append(os.Environ(), "TEMPORAL_TLS_CERT="+rogueCert, "TEMPORAL_TLS_KEY="+rogueKey)
	if err := run.Run(); err != nil {
		t.Fatalf("sweep run over mTLS: %v\n%s\n%s\nserver: %s", err, stdout, stderr, serverErr)
	}
	tab, err := results.ReadFile(filepath.Join(dir, "out", "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	checkTable(t, tab, 12, specText)
}

// waitForServer waits until the sweep server on state records its address, which it does once
// its frontend answers.
func waitForServer(t *testing.T, ctx context.Context, state string, server *exec.Cmd) {
	t.Helper()
	for {
		if _, err := os.Stat(filepath.Join(state, addressFile)); err == nil {
			return
		}
		if ctx.Err() != nil || server.ProcessState != nil {
			t.Fatalf("the server on %s did not come up", state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
