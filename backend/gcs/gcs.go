package gcs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
)

var (
	_ backend.Backend      = (*Backend)(nil)
	_ backend.BatchRemover = (*Backend)(nil)
)

const (
	// DefaultChunkSize is the upload buffer of one Put when
	// Config.ChunkSize is 0, the storage library's own default.
	DefaultChunkSize = 16 << 20
	// chunkQuantum is the granularity of resumable upload chunks; the
	// storage library rounds ChunkSize up to a multiple of it.
	chunkQuantum = 256 << 10
	// DefaultRemoveConcurrency is the number of concurrent deletes of
	// RemoveMany when Config.RemoveConcurrency is 0.
	DefaultRemoveConcurrency = 16
)

// Config configures a Backend. The zero value of every field but Bucket
// means the default.
type Config struct {
	// Bucket is the name of the bucket (required).
	Bucket string

	// Client is a caller's client. When set, Endpoint, Anonymous and
	// ClientOptions are ignored, and Close leaves the client open: it
	// stays the caller's to close. Its retry settings are not used: the
	// driver's requests make one attempt each (the client itself is left
	// as it is).
	Client *storage.Client

	// CreateBucket creates the bucket in ProjectID when it does not exist.
	CreateBucket bool
	// ProjectID is the project a created bucket belongs to; empty means
	// $GOOGLE_CLOUD_PROJECT. Only used with CreateBucket.
	ProjectID string

	// ChunkSize is the upload buffer of one Put in bytes: 0 means
	// DefaultChunkSize. It is rounded up to a multiple of 256 KiB. An
	// object larger than it, or of unknown size, is uploaded in chunks of
	// this size (a resumable upload), so a Put holds at most one chunk in
	// memory; a smaller object of known size gets a buffer just large
	// enough for it.
	ChunkSize int

	// Retry tunes the retries, backoff and timeouts of New (the failover
	// layer, package backend/failover, with the bucket as its one
	// endpoint); NewDriver ignores it. Zero fields take the failover
	// defaults. StallTimeout must exceed the time to send one chunk
	// (ChunkSize) to GCS.
	Retry failover.Retry

	// RemoveConcurrency bounds the concurrent deletes of RemoveMany; 0
	// means DefaultRemoveConcurrency.
	RemoveConcurrency int

	// Endpoint overrides the JSON API endpoint, e.g.
	// "http://127.0.0.1:4443/storage/v1/" for an emulator. Empty means the
	// default, or $STORAGE_EMULATOR_HOST when that is set.
	Endpoint string
	// Anonymous sends no credentials (public buckets, emulators).
	Anonymous bool
	// ClientOptions are passed to storage.NewClient after the options
	// above, when New creates the client.
	ClientOptions []option.ClientOption
}

// Backend is the raw driver of a GCS bucket, as NewDriver returns it: one
// attempt per operation, the storage library's own retries off. It is
// safe for concurrent use.
type Backend struct {
	client     *storage.Client
	bucket     *storage.BucketHandle
	name       string
	ownsClient bool
	transport  *http.Transport // the client's, when NewDriver made it; else nil
	chunkSize  int
	removeConc int
	presign    presignConfig // presign.go
	guard      backend.Guard
}

// New returns the Backend of the bucket that cfg names: the raw driver
// (NewDriver) wrapped in backend/failover, with the bucket as its one
// endpoint, which retries transient failures (429, 5xx, refused or reset
// connections) with jittered backoff, bounds each attempt
// (Retry.AttemptTimeout, Retry.StallTimeout), resumes a broken download
// against the same ETag, and sends a put again from byte 0 when its reader
// can seek (a reader that cannot is retried only before its first byte
// left). The storage library's own retries are off, so attempts do not
// multiply. The result also implements backend.BatchRemover,
// backend.Presigner, backend.Copier and backend.Composer.
//
// The configuration is checked first. With cfg.CreateBucket the bucket is
// created now, by NewDriver, in one attempt: a failure fails New (as
// minio.New does), so that a store opened to be created exists once New
// returns.
func New(ctx context.Context, cfg Config) (backend.Backend, error) {
	if err := cfg.Retry.Validate(); err != nil {
		return nil, err
	}
	d, err := NewDriver(ctx, cfg)
	if err != nil {
		return nil, err
	}
	var fc failover.Config
	cfg.Retry.ApplyTo(&fc)
	return failover.Single(ctx, d, d.String(), "gcs.Backend", fc)
}

// NewDriver opens the bucket that cfg names and returns the raw driver:
// one attempt per operation (the storage library's own retries are off),
// no timeouts but the caller's context. New wraps it in the retry layer.
// With cfg.CreateBucket it creates the bucket if needed; otherwise it
// makes no request (checking that the bucket exists would need
// storage.buckets.get, a permission that object-only service accounts
// lack). cfg.Retry is ignored.
func NewDriver(ctx context.Context, cfg Config) (*Backend, error) {
	if cfg.Bucket == "" {
		return nil, backend.NewError("open", "", backend.ErrInvalidArgument, errors.New("gcs: bucket name is empty"))
	}
	if cfg.ChunkSize < 0 {
		return nil, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("gcs: chunk size %d is negative", cfg.ChunkSize))
	}
	if cfg.RemoveConcurrency < 0 {
		return nil, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("gcs: remove concurrency %d is negative", cfg.RemoveConcurrency))
	}
	b := &Backend{
		client:     cfg.Client,
		name:       cfg.Bucket,
		chunkSize:  roundUpChunk(cfg.ChunkSize),
		removeConc: cfg.RemoveConcurrency,
		presign:    presignConfigOf(cfg),
	}
	if b.chunkSize == 0 {
		b.chunkSize = DefaultChunkSize
	}
	if b.removeConc == 0 {
		b.removeConc = DefaultRemoveConcurrency
	}
	if b.client == nil {
		var opts []option.ClientOption
		// XML reads (the library's default today, named because the
		// default is to change): only they can read an object stored with
		// Content-Encoding gzip as stored. With JSON reads the library
		// refuses the Accept-Encoding header that ReadCompressed sets
		// (google-cloud-go issue 7786), so GCS transcodes the object or
		// Go's transport decompresses it (get.go).
		opts = append(opts, storage.WithXMLReads())
		if cfg.Endpoint != "" {
			opts = append(opts, option.WithEndpoint(cfg.Endpoint))
		}
		if cfg.Anonymous {
			opts = append(opts, option.WithoutAuthentication())
		}
		if b.transport = ownTransport(cfg); b.transport != nil {
			opts = append(opts, option.WithHTTPClient(&http.Client{Transport: b.transport}))
		}
		opts = append(opts, cfg.ClientOptions...)
		c, err := storage.NewClient(ctx, opts...)
		if err != nil {
			return nil, backend.NewError("open", "", classify(err), fmt.Errorf("gcs: bucket %q: %w", cfg.Bucket, err))
		}
		b.client, b.ownsClient = c, true
	}
	// A bucket handle's retry settings are its own copy: a caller's
	// client keeps its settings.
	b.bucket = b.client.Bucket(cfg.Bucket).Retryer(noRetries()...)
	if cfg.CreateBucket {
		project, err := bucketProject(cfg)
		if err == nil {
			err = b.createBucket(ctx, project)
		}
		if err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}

// noRetries are the retry options of every request of the driver: one
// attempt, whatever the error. RetryNever alone would not do: it keeps
// the library's run loop from retrying, but uploads are sent by the API
// library underneath, which retries a failed request (and each chunk of
// a resumable upload) on 5xx and connection errors until the context
// ends unless it is given an error function; RetryAlways hands it ours,
// which retries nothing. A read whose body breaks is still re-requested
// once per break by the storage library (pinned to its generation): that
// cannot be turned off; when that request fails too, the failover layer
// resumes the read itself.
func noRetries() []storage.RetryOption {
	return []storage.RetryOption{
		storage.WithPolicy(storage.RetryAlways),
		storage.WithErrorFunc(func(error) bool { return false }),
	}
}

// bucketProject returns the project of a bucket to create:
// Config.ProjectID, else $GOOGLE_CLOUD_PROJECT.
func bucketProject(cfg Config) (string, error) {
	project := cfg.ProjectID
	if project == "" {
		project = os.Getenv("GOOGLE_CLOUD_PROJECT")
	}
	if project == "" {
		return "", backend.NewError("open", "", backend.ErrInvalidArgument,
			fmt.Errorf("gcs: creating bucket %q needs a project: set Config.ProjectID, ?project=ID or $GOOGLE_CLOUD_PROJECT", cfg.Bucket))
	}
	return project, nil
}

// createBucket creates the bucket in project; one that exists already
// (HTTP 409) is fine, whoever created it.
func (b *Backend) createBucket(ctx context.Context, project string) error {
	err := b.bucket.Create(ctx, project, nil)
	var gerr *googleapi.Error
	if err == nil || errors.As(err, &gerr) && gerr.Code == http.StatusConflict {
		return nil
	}
	return backend.NewError("open", "", classify(err), fmt.Errorf("gcs: create bucket %q: %w", b.name, err))
}

// ownTransport returns an HTTP transport for a client NewDriver makes that
// sends no credentials (Anonymous, or an emulator named by
// STORAGE_EMULATOR_HOST) and gets no ClientOptions of the caller, or nil.
// Close closes the idle connections of that transport, so that a closed
// Backend leaves no connection behind. The library's own transport cannot
// be reached for that: its wrappers do not pass CloseIdleConnections on.
// A client with credentials keeps the library's transport (which adds
// them), whose idle connections end after its idle timeout (90s).
func ownTransport(cfg Config) *http.Transport {
	if !cfg.Anonymous && os.Getenv("STORAGE_EMULATOR_HOST") == "" || len(cfg.ClientOptions) > 0 {
		return nil
	}
	def, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil
	}
	t := def.Clone()
	t.MaxIdleConnsPerHost = 100 // as the library's own transport has it
	return t
}

// roundUpChunk rounds n up to a multiple of chunkQuantum, as the storage
// library would, so that the buffer we plan for is the one it allocates.
func roundUpChunk(n int) int {
	if n <= 0 {
		return 0
	}
	return (n + chunkQuantum - 1) / chunkQuantum * chunkQuantum
}

// Client returns the storage client the backend uses, for operations this
// package does not cover. It must not be closed while the Backend is in
// use.
func (b *Backend) Client() *storage.Client { return b.client }

// Bucket returns the name of the bucket.
func (b *Backend) Bucket() string { return b.name }

// Close closes the storage client if NewDriver created it, and then the
// idle connections of the transport NewDriver made for it (see ownTransport); a
// caller's client is left open. Close is idempotent.
func (b *Backend) Close() error {
	if !b.guard.Close() {
		return nil
	}
	if b.transport != nil {
		defer b.transport.CloseIdleConnections()
	}
	if b.ownsClient {
		if err := b.client.Close(); err != nil {
			return backend.NewError("close", "", nil, err)
		}
	}
	return nil
}

// String names the bucket; it never contains credentials.
func (b *Backend) String() string { return "gs://" + b.name }

// String describes the configuration as a gs:// URL, without its
// credentials or client options (which may hold an API key); fmt's %v and
// %+v print this.
func (c Config) String() string {
	s := "gs://" + c.Bucket
	if c.Endpoint != "" {
		s += "?endpoint=" + backend.Redact(c.Endpoint)
	}
	return s
}

// GoString keeps %#v from printing the client options.
func (c Config) GoString() string { return "gcs.Config(" + c.String() + ")" }
