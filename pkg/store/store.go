package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
	"golang.org/x/sync/errgroup"

	// The bucket drivers that Open dispatches to by scheme.
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/gcsblob"
	_ "gocloud.dev/blob/s3blob"
)

// fetchParallel is how many objects Fetch downloads at once.
const fetchParallel = 8

// Store reads and writes objects at locations (see the package comment), keeping each bucket
// it opened for later calls. It is safe for concurrent use; the zero value is not ready: use
// New. A local location goes straight to the filesystem, so that a sweep on local disk writes
// exactly the files it always wrote.
type Store struct {
	mu      sync.Mutex
	buckets map[string]*blob.Bucket // by Location.Bucket
}

// New returns a Store with no bucket open yet.
func New() *Store { return &Store{buckets: map[string]*blob.Bucket{}} }

// Close closes the buckets the store opened.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for k, b := range s.buckets {
		errs = append(errs, b.Close())
		delete(s.buckets, k)
	}
	return errors.Join(errs...)
}

// object is a resolved location: a local path, or a key in an open bucket.
type object struct {
	loc    string
	path   string // local path ("" when in a bucket)
	bucket *blob.Bucket
	key    string
}

// open parses loc and opens its bucket (once per bucket URL). The location may set client
// options (it comes from the user or from a process that checked it), but a plain-http S3
// endpoint needs EnvAllowInsecure in this process's environment: this process's credentials
// are what would travel unencrypted.
func (s *Store) open(ctx context.Context, loc string) (object, error) {
	l, err := Parse(loc)
	if err != nil {
		return object{}, err
	}
	if l.Bucket == "" {
		return object{loc: loc, path: l.Path}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[l.Bucket]
	if !ok {
		insecure, err := InsecureAllowed()
		if err != nil {
			return object{}, err
		}
		if err := CheckEndpoint(loc, Trust{ClientOptions: true, Insecure: insecure}); err != nil {
			return object{}, err
		}
		if b, err = blob.OpenBucket(ctx, l.Bucket); err != nil {
			return object{}, fmt.Errorf("open bucket %s: %w", l.Bucket, err)
		}
		s.buckets[l.Bucket] = b
	}
	return object{loc: loc, bucket: b, key: l.Key}, nil
}

// notFound makes a bucket's not-found error match fs.ErrNotExist, as a missing local file does.
func notFound(err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return fmt.Errorf("%w: %w", fs.ErrNotExist, err)
	}
	return err
}

// Ensure readies the directory location dir to take objects: it creates a local directory
// (and its parents), and checks that a bucket exists and answers with these credentials.
func (s *Store) Ensure(ctx context.Context, dir string) error {
	o, err := s.open(ctx, dir)
	if err != nil {
		return err
	}
	if o.bucket == nil {
		if err := os.MkdirAll(o.path, 0o755); err != nil {
			return fmt.Errorf("create output directory: %w", err)
		}
		return nil
	}
	ok, err := o.bucket.IsAccessible(ctx)
	if err != nil {
		return fmt.Errorf("bucket of %s: %w", dir, err)
	}
	if !ok {
		return fmt.Errorf("bucket of %s does not exist or is not accessible", dir)
	}
	return nil
}

// Exists reports whether an object (or local file) is at loc.
func (s *Store) Exists(ctx context.Context, loc string) (bool, error) {
	o, err := s.open(ctx, loc)
	if err != nil {
		return false, err
	}
	if o.bucket == nil {
		_, err := os.Stat(o.path)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return err == nil, err
	}
	ok, err := o.bucket.Exists(ctx, o.key)
	if err != nil {
		return false, fmt.Errorf("look up %s: %w", loc, err)
	}
	return ok, nil
}

// Put writes the object at loc whole: write is called with a local path to write the content
// to, as a new file. For a local location that path is loc itself (write must then replace it
// atomically, as results.WriteFile does); for an object it is a temp file, uploaded when write
// returns and removed after. The upload commits only once complete, so a failed Put leaves any
// earlier object at loc as it was.
func (s *Store) Put(ctx context.Context, loc string, write func(path string) error) error {
	o, err := s.open(ctx, loc)
	if err != nil {
		return err
	}
	if o.bucket == nil {
		return write(o.path)
	}
	tmp, err := os.MkdirTemp("", "phasesweep-put-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, Base(loc))
	if err := write(path); err != nil {
		return err
	}
	return upload(ctx, o, path)
}

// upload copies the local file path to o's key; a failed copy aborts the object.
func upload(ctx context.Context, o object, path string) (err error) {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := o.bucket.NewWriter(ctx, o.key, &blob.WriterOptions{ContentType: contentType(o.key)})
	if err != nil {
		return fmt.Errorf("upload %s: %w", o.loc, err)
	}
	if _, err := w.ReadFrom(f); err != nil {
		cancel() // a writer closed after its context is cancelled discards the object
		_ = w.Close()
		return fmt.Errorf("upload %s: %w", o.loc, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("upload %s: %w", o.loc, err)
	}
	return nil
}

// contentType is the MIME type an object is stored with.
func contentType(key string) string {
	if filepath.Ext(key) == ".parquet" {
		return "application/vnd.apache.parquet"
	}
	return "application/octet-stream"
}

// Fetch makes the objects at locs readable as local files and returns their paths, in the
// order of locs, and a release func that removes any downloaded copy (call it when done, also
// after an error). A local location's path is itself (not checked: reading a missing file
// fails there); an object is downloaded to a temp directory, several at once, and a missing
// one is an error matching fs.ErrNotExist.
func (s *Store) Fetch(ctx context.Context, locs []string) (paths []string, release func(), err error) {
	paths = make([]string, len(locs))
	objs := make([]object, len(locs))
	remote := false
	for i, loc := range locs {
		if objs[i], err = s.open(ctx, loc); err != nil {
			return nil, func() {}, err
		}
		paths[i] = objs[i].path
		remote = remote || objs[i].bucket != nil
	}
	if !remote {
		return paths, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "phasesweep-fetch-")
	if err != nil {
		return nil, func() {}, err
	}
	release = func() { _ = os.RemoveAll(tmp) }
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fetchParallel)
	for i, o := range objs {
		if o.bucket == nil {
			continue
		}
		paths[i] = filepath.Join(tmp, fmt.Sprintf("%06d-%s", i, filepath.Base(o.key)))
		g.Go(func() error { return download(gctx, o, paths[i]) })
	}
	if err := g.Wait(); err != nil {
		release()
		return nil, func() {}, err
	}
	return paths, release, nil
}

// download copies o's object to the new local file path.
func download(ctx context.Context, o object, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if err := o.bucket.Download(ctx, o.key, f, nil); err != nil {
		_ = f.Close()
		return fmt.Errorf("download %s: %w", o.loc, notFound(err))
	}
	return f.Close()
}

// Remove deletes the object at loc; one that is not there is no error.
func (s *Store) Remove(ctx context.Context, loc string) error {
	o, err := s.open(ctx, loc)
	if err != nil {
		return err
	}
	if o.bucket == nil {
		if err := os.Remove(o.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := o.bucket.Delete(ctx, o.key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("delete %s: %w", loc, err)
	}
	return nil
}

// RemoveAll deletes the directory location dir and everything under it (os.RemoveAll; for a
// bucket, every object whose key starts with dir's key and a slash). A missing one is no error.
func (s *Store) RemoveAll(ctx context.Context, dir string) error {
	o, err := s.open(ctx, dir)
	if err != nil {
		return err
	}
	if o.bucket == nil {
		return os.RemoveAll(o.path)
	}
	keys, err := listKeys(ctx, o, "")
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := o.bucket.Delete(ctx, k); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return fmt.Errorf("delete %s: %w", Join(dir, k[len(dirPrefix(o.key)):]), err)
		}
	}
	return nil
}

// List returns the locations of the objects (files) directly in the directory location dir,
// sorted; subdirectories are left out. A missing directory lists nothing.
func (s *Store) List(ctx context.Context, dir string) ([]string, error) {
	o, err := s.open(ctx, dir)
	if err != nil {
		return nil, err
	}
	var names []string
	if o.bucket == nil {
		entries, err := os.ReadDir(o.path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() {
				names = append(names, e.Name())
			}
		}
	} else {
		keys, err := listKeys(ctx, o, "/")
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			names = append(names, k[len(dirPrefix(o.key)):])
		}
	}
	sort.Strings(names)
	locs := make([]string, len(names))
	for i, n := range names {
		locs[i] = Join(dir, n)
	}
	return locs, nil
}

// dirPrefix is the key prefix of the objects in directory key ("" for the bucket's root).
func dirPrefix(key string) string {
	if key == "" {
		return ""
	}
	return key + "/"
}

// listKeys lists the keys of the objects under directory o.key: with delimiter "/", only
// those directly in it; with "", all of them.
func listKeys(ctx context.Context, o object, delimiter string) ([]string, error) {
	it := o.bucket.List(&blob.ListOptions{Prefix: dirPrefix(o.key), Delimiter: delimiter})
	var keys []string
	for {
		obj, err := it.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return keys, nil
			}
			return nil, fmt.Errorf("list %s: %w", o.loc, err)
		}
		if !obj.IsDir {
			keys = append(keys, obj.Key)
		}
	}
}

// CopyToFile copies the object at loc to the local file dst, atomically: a temp file beside
// dst, renamed into place once complete. It creates dst's directory if needed.
func (s *Store) CopyToFile(ctx context.Context, loc, dst string) (err error) {
	paths, release, err := s.Fetch(ctx, []string{loc})
	defer release()
	if err != nil {
		return err
	}
	src, err := os.Open(paths[0])
	if err != nil {
		return err
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = io.Copy(f, src); err != nil {
		return fmt.Errorf("copy %s to %s: %w", loc, dst, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), dst)
}
