// Package store is where a sweep's shards and merged tables live, for workers that share a
// filesystem or not. A location is a string:
//
//   - a local directory or file path, or file:///abs/path: plain files, each written
//     atomically by its writer (a temp file renamed into place);
//   - s3://bucket/prefix?endpoint=...&region=...&use_path_style=true: Amazon S3 or an
//     S3-compatible server (MinIO), through gocloud.dev/blob/s3blob;
//   - gs://bucket/prefix: Google Cloud Storage, through gocloud.dev/blob/gcsblob.
//
// The path of a URL names the object key (or key prefix, for a directory); its query
// configures the bucket and is carried unchanged by Join, so that the location of every object
// is itself a complete, openable URL. Objects are written whole: a Parquet file is written to a
// local temp file, then uploaded, and the upload commits only when it completes, so a reader
// never sees half an object. Credentials come from the environment as the cloud SDKs read them
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, ~/.aws; GOOGLE_APPLICATION_CREDENTIALS).
//
// Since a URL's query decides where those credentials are sent, CheckEndpoint tells whether a
// location stays within a Trust (a location read from a spec file gets none: no query), and a
// Store opens no bucket whose S3 endpoint is plain http unless EnvAllowInsecure allows it.
package store

import (
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"
)

// Schemes are the URL schemes a location may have; any other string is a local path.
var Schemes = []string{"file", "s3", "gs"}

// IsURL reports whether loc is written as a URL (scheme://...) rather than a local path.
func IsURL(loc string) bool {
	scheme, _, ok := strings.Cut(loc, "://")
	return ok && scheme != "" && !strings.ContainsAny(scheme, `/\.`)
}

// Remote reports whether loc is in object storage (s3:// or gs://), not on a local disk.
func Remote(loc string) bool { return IsURL(loc) && !strings.HasPrefix(loc, "file://") }

// Location is a parsed location: a local path, or an object key in a bucket.
type Location struct {
	// Path is the local path (Bucket is "" then).
	Path string
	// Bucket is the URL that opens the bucket (scheme, bucket name and query), e.g.
	// s3://results?region=us-east-1; "" for a local path.
	Bucket string
	// Key is the object key, or key prefix of a directory, inside Bucket ("" is its root).
	Key string
}

// Parse splits loc into a local path or a bucket and key. A file:// URL must be absolute
// (file:///abs/path) and becomes a local path. An s3:// or gs:// URL needs a bucket name;
// its query may not set prefix or key (the path is the prefix).
func Parse(loc string) (Location, error) {
	if loc == "" {
		return Location{}, fmt.Errorf("empty location")
	}
	if !IsURL(loc) {
		return Location{Path: loc}, nil
	}
	u, err := url.Parse(loc)
	if err != nil {
		return Location{}, fmt.Errorf("location %q: %w", loc, err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return Location{}, fmt.Errorf("location %q: a file URL names a local path, file:///abs/path (host %q is not allowed)", loc, u.Host)
		}
		if !strings.HasPrefix(u.Path, "/") || u.RawQuery != "" {
			return Location{}, fmt.Errorf("location %q: a file URL is file:///abs/path, absolute and without a query", loc)
		}
		return Location{Path: filepath.FromSlash(u.Path)}, nil
	case "s3", "gs":
		if u.Host == "" {
			return Location{}, fmt.Errorf("location %q: no bucket name (want %s://bucket/prefix)", loc, u.Scheme)
		}
		q := u.Query()
		for _, k := range []string{"prefix", "key"} {
			if q.Has(k) {
				return Location{}, fmt.Errorf("location %q: query parameter %q is not allowed: write the prefix as the URL's path (%s://bucket/prefix)", loc, k, u.Scheme)
			}
		}
		bucket := u.Scheme + "://" + u.Host
		if u.RawQuery != "" {
			bucket += "?" + u.RawQuery
		}
		return Location{Bucket: bucket, Key: strings.Trim(path.Clean("/"+u.Path), "/")}, nil
	}
	return Location{}, fmt.Errorf("location %q: unsupported scheme %q (want a directory, or a URL with scheme %s)", loc, u.Scheme, strings.Join(Schemes, ", "))
}

// splitQuery cuts the query off a URL location: "s3://b/p?x=1" -> "s3://b/p", "?x=1".
func splitQuery(loc string) (base, query string) {
	if i := strings.IndexByte(loc, '?'); i >= 0 {
		return loc[:i], loc[i:]
	}
	return loc, ""
}

// Join appends slash-separated path elements to loc. For a local path it is filepath.Join; for
// a URL it extends the path and keeps the query: Join("s3://b/p?region=x", "shards", "a") is
// "s3://b/p/shards/a?region=x".
func Join(loc string, elem ...string) string {
	if !IsURL(loc) {
		return filepath.Join(append([]string{loc}, elem...)...)
	}
	base, query := splitQuery(loc)
	scheme, rest, _ := strings.Cut(base, "://")
	host, p, _ := strings.Cut(rest, "/")
	p = path.Join(append([]string{"/", p}, elem...)...)
	if scheme == "file" {
		return scheme + "://" + host + p + query
	}
	return scheme + "://" + host + strings.TrimSuffix(p, "/") + query
}

// Dir is loc without its last element: filepath.Dir for a local path; for a URL, the parent
// key prefix, with the query kept.
func Dir(loc string) string {
	if !IsURL(loc) {
		return filepath.Dir(loc)
	}
	base, query := splitQuery(loc)
	scheme, rest, _ := strings.Cut(base, "://")
	host, p, _ := strings.Cut(rest, "/")
	p = path.Dir(path.Clean("/" + p))
	if p == "/" && scheme != "file" {
		p = ""
	}
	return scheme + "://" + host + p + query
}

// Base is the last element of loc: filepath.Base for a local path; the last element of a URL's
// path (without the query).
func Base(loc string) string {
	if !IsURL(loc) {
		return filepath.Base(loc)
	}
	base, _ := splitQuery(loc)
	return path.Base(base)
}
