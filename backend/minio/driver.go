package minio

import (
	"context"
	"net/http"
	"net/url"

	minio "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/background"
	"github.com/objstore-dev/objstore/internal/s3core"
)

var _ s3core.Driver = (*Driver)(nil) // backend.Backend and every capability of the S3 drivers

// Driver is the raw driver of one MinIO endpoint: every call is one
// attempt (minio-go's own retries are off), so that a retry layer above it
// (New wraps it in backend/failover) decides what to retry and where.
// It is safe for concurrent use.
type Driver struct {
	s3core.Methods // the backend's methods: s3core's engines over uploader, this driver's minio-go requests

	client   *minio.Client
	core     minio.Core
	base     *url.URL // scheme://host:port of the endpoint
	endpoint string   // the endpoint as given
	bucket   string
	region   string
	creds    credentials.Value
	conc     int  // parts of one copy in flight
	conflict bool // check for key conflicts before a Put

	httpClient *http.Client    // for the requests minio-go does not make (health, list)
	closeTr    *http.Transport // the transport to release on Close, if ours
	guard      backend.Guard   // the closed state and the checks before I/O
	up         *s3core.Engine  // puts (internal/s3core, upload.go)

	// Goroutines that outlive a call (retried aborts); Close stops them
	// and waits.
	bg *background.Group
}

// NewEndpoint returns the raw driver of one endpoint of cfg (its Endpoints
// and Resolve are ignored). It creates the bucket when cfg.CreateBucket is
// set; otherwise it does not touch the network. The driver does not retry:
// use New for retries and failover.
func NewEndpoint(ctx context.Context, cfg Config, endpoint string) (*Driver, error) {
	s, err := newSettings(cfg)
	if err != nil {
		return nil, err
	}
	d, err := s.open(endpoint)
	if err != nil {
		return nil, err
	}
	if s.CreateBucket {
		if err := s3core.EnsureBucket(ctx, uploader{d}, d.bucket); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
}

// open makes the driver of one endpoint, with a transport of its own
// unless the Config gave one.
func (s *settings) open(endpoint string) (*Driver, error) {
	base, err := endpointURL(endpoint, s.Secure)
	if err != nil {
		return nil, err
	}
	secure := base.Scheme == "https"
	if !secure && (s.TLSConfig != nil || s.CAFile != "") {
		return nil, errConfig("endpoint %s: TLSConfig or CAFile is set but the endpoint is plain http (set Secure, or use https://)", base.Host)
	}
	transport, own := s.Transport, (*http.Transport)(nil)
	if transport == nil {
		own = newTransport(s.tlsConf)
		transport = own
	}
	transport = retryAfterTransport{transport} // busy answers keep their Retry-After (errors.go)
	creds := credentials.Value{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey, SessionToken: s.SessionToken, SignerType: credentials.SignatureV4}
	if s.AccessKey == "" {
		creds.SignerType = credentials.SignatureAnonymous
	}
	client, err := minio.New(base.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(s.AccessKey, s.SecretKey, s.SessionToken),
		Secure:       secure,
		Transport:    transport,
		Region:       s.Region,
		BucketLookup: minio.BucketLookupPath,
		// One attempt per call: minio-go's default of 10 retries would
		// multiply with the failover wrapper's attempts and hide a dead
		// endpoint for seconds. (MaxRetries 0 means "default"; 1 is one
		// attempt.)
		MaxRetries: 1,
	})
	if err != nil {
		return nil, errConfig("endpoint %s: %v", base.Host, err)
	}
	d := &Driver{
		client:     client,
		core:       minio.Core{Client: client},
		base:       base,
		endpoint:   endpoint,
		bucket:     s.Bucket,
		region:     s.Region,
		creds:      creds,
		conc:       s.Concurrency,
		conflict:   !s.SkipConflictCheck,
		httpClient: &http.Client{Transport: transport, CheckRedirect: noRedirect},
		closeTr:    own,
	}
	d.bg = background.New()
	d.up = &s3core.Engine{PartSize: s.PartSize, Concurrency: s.Concurrency, MaxParts: MaxParts, Background: d.bg}
	d.Methods = s3core.NewMethods(d.up, &d.guard, uploader{d})
	return d, nil
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// check is the guard at the start of every operation: a closed driver
// is ErrClosed, an ended ctx its error (backend.Guard).
func (d *Driver) check(ctx context.Context, op, key string) error {
	return d.guard.Ready(ctx, op, key)
}

// err maps an error of an operation on key (see mapErr).
func (d *Driver) err(op, key string, err error) error { return mapErr(op, d.bucket, key, err) }

// Close marks the driver closed, stops the background retries of failed
// aborts (internal/s3core, abort.go) and waits for them, and releases the idle connections
// of its own transport. Readers returned by Get before Close stay usable until
// they are closed. Close is idempotent.
func (d *Driver) Close() error {
	if !d.guard.Close() {
		return nil
	}
	d.bg.Stop()
	if d.closeTr != nil {
		d.closeTr.CloseIdleConnections()
	}
	return nil
}

// String names the endpoint and the bucket, never the credentials.
func (d *Driver) String() string { return "minio://" + d.base.Host + "/" + d.bucket }

// GoString keeps %#v from printing the credentials.
func (d *Driver) GoString() string { return "minio.Driver(" + d.String() + ")" }

// Endpoint returns the endpoint the driver talks to, as it was given.
func (d *Driver) Endpoint() string { return d.endpoint }

// Bucket returns the bucket the driver stores objects in.
func (d *Driver) Bucket() string { return d.bucket }

// Client returns the minio-go client of the driver, for MinIO operations
// the Backend interface does not cover. It makes one attempt per call.
func (d *Driver) Client() *minio.Client { return d.client }
