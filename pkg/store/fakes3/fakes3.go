// Package fakes3 serves an in-memory S3-protocol server for tests (github.com/johannesboyne/
// gofakes3 with its memory backend, over net/http/httptest), so that code writing to s3://
// locations is tested against the real protocol, as the AWS SDK speaks it, without a network.
package fakes3

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Region is the region the test URLs name (any value works with the fake server).
const Region = "us-east-1"

// Server is a running fake S3 server holding one bucket.
type Server struct {
	Bucket  string
	backend *s3mem.Backend
	http    *httptest.Server

	mu   sync.Mutex
	seen []Request
}

// Request is what the server saw of one request it received.
type Request struct {
	Method, Path string
	Header       http.Header // e.g. Authorization, X-Amz-Security-Token
}

// AllowInsecureEnv is store.EnvAllowInsecure (this package cannot import store, whose tests
// import it): the server speaks plain http, which a store refuses without it.
const AllowInsecureEnv = "PHASESWEEP_ALLOW_INSECURE_ENDPOINT"

// Start serves a fake S3 server with an empty bucket named bucket until the test ends. It
// sets dummy AWS credentials in the environment (t.Setenv) for the SDK to sign with (the fake
// server accepts any), and AllowInsecureEnv=1, since the server is plain http: a test of the
// refusal sets it back to "" after Start.
func Start(t testing.TB, bucket string) *Server {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "phasesweep-test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "phasesweep-test-secret")
	t.Setenv("AWS_REGION", Region)
	t.Setenv(AllowInsecureEnv, "1")
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatalf("create bucket %s: %v", bucket, err)
	}
	s := &Server{Bucket: bucket, backend: backend}
	fake := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	s.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()})
		s.mu.Unlock()
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(s.http.Close)
	return s
}

// Requests returns the requests the server has received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.seen...)
}

// Endpoint is the server's base URL (http://127.0.0.1:port).
func (s *Server) Endpoint() string { return s.http.URL }

// URL is the s3:// location of prefix in the bucket, with the query that points the AWS SDK at
// this server: s3://bucket/prefix?endpoint=...&region=us-east-1&use_path_style=true.
func (s *Server) URL(prefix string) string {
	q := url.Values{"endpoint": {s.http.URL}, "region": {Region}, "use_path_style": {"true"}}
	u := "s3://" + s.Bucket
	if prefix != "" {
		u += "/" + prefix
	}
	return u + "?" + q.Encode()
}

// Keys lists the keys of every object in the bucket, sorted, read from the backend directly
// (not through the S3 protocol).
func (s *Server) Keys(t testing.TB) []string {
	t.Helper()
	list, err := s.backend.ListBucket(s.Bucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatalf("list bucket %s: %v", s.Bucket, err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, o.Key)
	}
	sort.Strings(keys)
	return keys
}
