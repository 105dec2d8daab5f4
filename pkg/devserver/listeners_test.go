package devserver

// With mutual TLS, every TCP port the embedded server listens on refuses a client without a
// certificate: the ports its configuration names and any other this process opened while the
// server started (found in /proc/net/tcp).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/primitives"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// operatorPKI is what an operator gives `sweep server` for mutual TLS, made for a test: a
// client CA, a server certificate for 127.0.0.1 signed by it, and a client certificate.
type operatorPKI struct {
	certFile, keyFile, caFile string
	client                    tls.Certificate
	serverCAs                 *x509.CertPool
}

func newOperatorPKI(t *testing.T, dir string) operatorPKI {
	t.Helper()
	ca, err := newAuthority("operator CA")
	if err != nil {
		t.Fatal(err)
	}
	server, err := ca.issue("localhost", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, net.ParseIP("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := ca.issue("lab-worker", []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	if err != nil {
		t.Fatal(err)
	}
	o := operatorPKI{certFile: filepath.Join(dir, "server.pem"), keyFile: filepath.Join(dir, "server-key.pem"),
		caFile: filepath.Join(dir, "ca.pem"), serverCAs: ca.pool()}
	for path, data := range map[string][]byte{o.certFile: server.certPEM, o.keyFile: server.keyPEM, o.caFile: ca.certPEM()} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if o.client, err = tls.X509KeyPair(client.certPEM, client.keyPEM); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestEveryListenerRequiresClientCertificate(t *testing.T) {
	// On every interface, as a lab server: the frontend's two ports listen on 0.0.0.0.
	op, srv, addrs := startTLS(t, "0.0.0.0", true)
	for _, addr := range addrs {
		if addr == dialable(srv.Address()) {
			// The public frontend trusts the operator's client CA, not the internal one.
			probeMutual(t, addr, op.client, op.serverCAs, srv.InternalTLS().Certificates[0])
		} else {
			probeInternal(t, srv, addr, op)
		}
	}
}

// TestTLSWithoutClientCA: with a server certificate and no client CA the frontend takes any
// TLS client, as asked, but the other ports still require the internal certificate.
func TestTLSWithoutClientCA(t *testing.T) {
	op, srv, addrs := startTLS(t, "", false)
	for _, addr := range addrs {
		if addr != srv.Address() {
			probeInternal(t, srv, addr, op)
		} else if err := tlsProbe(addr, nil, op.serverCAs); err != nil {
			t.Errorf("frontend %s without a client CA refused a TLS client without a certificate: %v", addr, err)
		}
	}
}

// startTLS starts a server on ip with the operator's TLS (and client CA when mutual), checks that
// its services work, and returns the addresses (dialable) of the TCP sockets it listens on: those the
// process holds in LISTEN after the start and did not before (every listener of the test
// itself, and of earlier tests, is open before). It checks that every address the server's
// configuration names is among them.
func startTLS(t *testing.T, ip string, mutual bool) (operatorPKI, *Server, []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a server")
	}
	dir := t.TempDir()
	op := newOperatorPKI(t, dir)
	opts := Options{StateDir: filepath.Join(dir, "state"), IP: ip, TLS: TLS{CertFile: op.certFile, KeyFile: op.keyFile}}
	if mutual {
		opts.TLS.ClientCAFile = op.caFile
	}
	before := listeningSockets(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })

	// The services work over their TLS: the system worker polls its per-namespace task queue
	// through the internal frontend (it would not with a certificate the frontend refuses)...
	waitForSystemPoller(t, ctx, srv)
	// ... and no service complained of a certificate or a handshake meanwhile (the log's level
	// is warn: these lines are warnings or errors).
	logText, err := os.ReadFile(filepath.Join(srv.StateDir(), "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(logText), "\n") {
		if l := strings.ToLower(line); strings.Contains(l, "tls") || strings.Contains(l, "certificate") || strings.Contains(l, "handshake") {
			t.Errorf("server log before the probes: %s", line)
		}
	}

	// Addresses are compared as dialable: Go listens on 0.0.0.0 through a dual-stack socket,
	// which /proc/net/tcp6 shows as [::].
	opened, raw := map[string]bool{}, []string{}
	for inode, addr := range listeningSockets(t) {
		if _, ok := before[inode]; !ok {
			opened[dialable(addr)] = true
			raw = append(raw, addr)
		}
	}
	for _, addr := range srv.listens {
		if !opened[dialable(addr)] {
			t.Errorf("configured address %s is not among the sockets the server opened (%v): the scan misses listeners", addr, opened)
		}
	}
	if len(srv.listens) < 10 { // 5 services (frontend, internal-frontend, history, matching, worker) x (gRPC, membership)
		t.Errorf("only %d configured addresses: %v", len(srv.listens), srv.listens)
	}
	addrs := make([]string, 0, len(opened))
	for addr := range opened {
		addrs = append(addrs, addr)
		if !slices.ContainsFunc(srv.listens, func(a string) bool { return dialable(a) == addr }) {
			t.Logf("%s: a listener the configuration does not name", addr)
		}
	}
	slices.Sort(addrs)
	slices.Sort(raw)
	t.Logf("probing %d listeners: %v", len(raw), raw)
	return op, srv, addrs
}

// probeInternal checks that addr, an internal port of srv, takes only the internal certificate:
// not the operator's client certificate, nor none, nor plaintext gRPC.
func probeInternal(t *testing.T, srv *Server, addr string, op operatorPKI) {
	t.Helper()
	internal := srv.InternalTLS()
	probeMutual(t, addr, internal.Certificates[0], internal.RootCAs, op.client)
}

// probeMutual checks that addr serves TLS with a certificate of cas and takes a client with
// right, and that it refuses a TLS client without a certificate, one with wrong, and a
// plaintext gRPC client.
func probeMutual(t *testing.T, addr string, right tls.Certificate, cas *x509.CertPool, wrong tls.Certificate) {
	t.Helper()
	if err := tlsProbe(addr, nil, cas); err == nil || !strings.Contains(err.Error(), "certificate required") {
		t.Errorf("%s: a TLS client without a certificate: %v; want the server's alert \"certificate required\"", addr, err)
	}
	if err := tlsProbe(addr, &wrong, cas); err == nil {
		t.Errorf("%s: accepted a certificate of the wrong CA", addr)
	}
	if err := tlsProbe(addr, &right, cas); err != nil {
		t.Errorf("%s: a TLS client with the right certificate: %v; want a TLS port that accepts it", addr, err)
	}
	if err := plainGRPC(addr); err != nil {
		t.Errorf("%s: %v", addr, err)
	}
}

// dialable is addr with a wildcard host (0.0.0.0, ::) replaced by loopback.
func dialable(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = loopback
	}
	return net.JoinHostPort(host, port)
}

// tlsProbe connects to addr over TLS, presenting cert (none when nil) and verifying the server
// against cas (any name: the internal certificate's is not the address's), and reports the
// server's refusal. Under TLS 1.3 the client finishes its handshake before the server checks
// the client's certificate, so a refusal arrives as an alert on the first read; a server that
// accepted waits for the client (or sends gRPC's SETTINGS), and the read times out or returns
// data.
func tlsProbe(addr string, cert *tls.Certificate, cas *x509.CertPool) error {
	cfg := &tls.Config{
		NextProtos: []string{"h2"},
		// The name check is skipped, the chain is not: VerifyConnection verifies it against cas.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			opts := x509.VerifyOptions{Roots: cas, Intermediates: x509.NewCertPool()}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(opts)
			return err
		},
	}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	_, err = conn.Read(make([]byte, 1))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil
	}
	return err
}

// plainGRPC makes a gRPC call to addr without TLS and reports an error if any gRPC server
// answered it, with any status: only a failed transport is a refusal (Unavailable: the server
// closed the connection, as a TLS server does on a plaintext record; DeadlineExceeded: it never
// spoke HTTP/2, as a plain TChannel membership port).
func plainGRPC(addr string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if st, _ := status.FromError(err); err == nil || (st.Code() != codes.Unavailable && st.Code() != codes.DeadlineExceeded) {
		return errors.New("a plaintext gRPC client was answered: status " + st.Code().String() + " " + st.Message())
	}
	return nil
}

// waitForSystemPoller waits until the worker service polls the per-namespace system task queue
// of the default namespace.
func waitForSystemPoller(t *testing.T, ctx context.Context, srv *Server) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: srv.InternalAddress(), Namespace: Namespace, Logger: quietLogger{},
		ConnectionOptions: client.ConnectionOptions{TLS: srv.InternalTLS()}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := c.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
			Namespace:     Namespace,
			TaskQueue:     &taskqueuepb.TaskQueue{Name: primitives.PerNSWorkerTaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			TaskQueueType: enumspb.TASK_QUEUE_TYPE_WORKFLOW,
		})
		if err == nil && len(resp.GetPollers()) > 0 {
			t.Logf("system worker polls %s as %s", primitives.PerNSWorkerTaskQueue, resp.GetPollers()[0].GetIdentity())
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no system worker polls %s after 60 s (last error %v)", primitives.PerNSWorkerTaskQueue, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
