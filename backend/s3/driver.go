package s3

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/background"
	"github.com/objstore-dev/objstore/internal/s3core"
)

var _ s3core.Driver = (*Driver)(nil) // backend.Backend and every capability of the S3 drivers

// Driver is the raw S3 backend: every operation is one attempt (the SDK's
// own retries are off), and errors are classified into the backend
// sentinels so that a retry layer (New wraps the Driver in
// backend/failover) can decide. It is safe for concurrent use.
type Driver struct {
	s3core.Methods // the backend's methods: s3core's engines over uploader, this driver's aws-sdk-go-v2 requests

	client    *s3.Client
	presign   *s3.PresignClient
	bucket    string
	region    string
	endpoint  string // base URL without credentials, "" for AWS
	pathStyle bool
	conc      int             // parts of one copy in flight
	ownHTTP   *http.Transport // the transport the driver built, nil for a caller's client
	guard     backend.Guard   // the closed state and the checks before I/O
	callOpts  []func(*s3.Options)
	getOpts   []func(*s3.Options) // callOpts and checksumMode, for GetObject
	up        *s3core.Engine      // puts (internal/s3core, upload.go)
	server    atomic.Int32        // serverUnknown, serverMinIO or serverOther

	// Goroutines that outlive a call (aborts retried while the server is
	// away); Close stops them and waits.
	bg *background.Group
}

// NewDriver returns the raw driver for cfg, without retries: use New for
// the driver wrapped in retries, backoff and timeouts. With
// cfg.CreateBucket it creates the bucket if missing (one request).
func NewDriver(ctx context.Context, cfg Config) (*Driver, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	d := &Driver{
		bucket: cfg.Bucket,
		conc:   cfg.Concurrency,
		// Per-call options apply to a caller's client too: one attempt per
		// call (retries belong to the failover layer, so attempts do not
		// multiply), and no checksums of the SDK's own making: the driver
		// sends the CRC32C of every body it uploads itself (put.go,
		// multipart.go; it has the bytes in memory, so the SDK needs no
		// seekable stream or trailer), and the client verifies downloads
		// against the object's (see checksumMode).
		callOpts: []func(*s3.Options){func(o *s3.Options) {
			o.Retryer = aws.NopRetryer{}
			o.RetryMaxAttempts = 0
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
			o.DisableLogOutputChecksumValidationSkipped = true
		}},
	}
	d.bg = background.New()
	d.up = &s3core.Engine{PartSize: cfg.PartSize, Concurrency: cfg.Concurrency, MaxParts: MaxParts, Background: d.bg}
	d.Methods = s3core.NewMethods(d.up, &d.guard, uploader{d})
	if cfg.Client != nil {
		d.client = cfg.Client
		opts := cfg.Client.Options()
		d.region, d.pathStyle = opts.Region, opts.UsePathStyle
		if opts.BaseEndpoint != nil {
			d.endpoint = redactEndpoint(*opts.BaseEndpoint)
		}
	} else {
		if d.client, err = d.buildClient(ctx, cfg); err != nil {
			return nil, err
		}
	}
	// Per call only (a client built here has the options above already):
	// the middleware that learns which server answers (conflict.go).
	sniff := serverSniffer(&d.server)
	d.callOpts = append(d.callOpts, func(o *s3.Options) { o.APIOptions = append(o.APIOptions, sniff) })
	d.getOpts = append(slices.Clip(d.callOpts), checksumMode)
	d.presign = s3.NewPresignClient(d.client, func(po *s3.PresignOptions) {
		po.ClientOptions = append(po.ClientOptions, d.callOpts...)
	})
	if cfg.CreateBucket {
		if err := s3core.EnsureBucket(ctx, uploader{d}, d.bucket); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
}

// checksumMode makes a GetObject ask for the object's checksum
// (x-amz-checksum-mode: ENABLED, signed like every header) without
// setting GetObjectInput.ChecksumMode, which would also turn on the SDK's
// verification of the body: the client verifies every full read (objstore's
// get, with ErrCorrupt on a mismatch), and the SDK would do it a second
// time and fail first, with an error of an unexported type that only its
// text identifies.
func checksumMode(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue(s3core.HeaderMode, s3core.ModeEnabled))
}

// buildClient makes the S3 client from the standard AWS configuration
// chain, overridden by cfg.
func (d *Driver) buildClient(ctx context.Context, cfg Config) (*s3.Client, error) {
	var loadOpts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(cfg.Region))
	}
	if cfg.Credentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(cfg.Credentials))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("s3: loading the AWS configuration: %w", err))
	}
	if cfg.HTTPClient != nil {
		// Used as it is: the caller owns its transport and TLS settings
		// (AWS_CA_BUNDLE does not apply to it; config.LoadDefaultConfig
		// would refuse a plain *http.Client when it is set).
		awsCfg.HTTPClient = cfg.HTTPClient
	} else if bc, ok := awsCfg.HTTPClient.(*awshttp.BuildableClient); ok {
		// The SDK's client, with what the AWS configuration asked of it
		// (AWS_CA_BUNDLE, ...), but on a transport of our own, so that
		// Close can release its idle connections (and their goroutines).
		d.ownHTTP = bc.GetTransport()
		awsCfg.HTTPClient = &http.Client{
			Transport: d.ownHTTP,
			// S3 answers redirects only for a wrong region; following one
			// would send the request to another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if awsCfg.Region == "" {
		awsCfg.Region = defaultRegion
	}
	d.region = awsCfg.Region
	d.endpoint, d.pathStyle = cfg.Endpoint, cfg.PathStyle
	return s3.NewFromConfig(awsCfg, append([]func(*s3.Options){func(o *s3.Options) {
		o.UsePathStyle = cfg.PathStyle
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	}}, d.callOpts...)...), nil
}

// check is the guard at the start of every operation: a closed driver
// is ErrClosed, an ended ctx its error (backend.Guard).
func (d *Driver) check(ctx context.Context, op, key string) error {
	return d.guard.Ready(ctx, op, key)
}

// Close makes every later call fail with ErrClosed, stops the background
// retries of failed aborts (multipart.go) and waits for them, and releases
// the idle connections of the driver's own HTTP client. Calls in progress
// are not interrupted (cancel their contexts for that); a caller's client
// or HTTP client is left alone. Close is idempotent.
func (d *Driver) Close() error {
	if !d.guard.Close() {
		return nil
	}
	d.bg.Stop()
	if d.ownHTTP != nil {
		d.ownHTTP.CloseIdleConnections()
	}
	return nil
}

// String describes the store as Config.String does:
// "s3://bucket?endpoint=...&path_style=true&region=...".
func (d *Driver) String() string {
	return Config{Bucket: d.bucket, Region: d.region, Endpoint: d.endpoint, PathStyle: d.pathStyle}.String()
}

// GoString is what %#v prints: the store as String describes it. fmt
// would otherwise read the fields with reflection, atomics included,
// while requests and background aborts change them (a data race), and
// print the SDK client's configuration.
func (d *Driver) GoString() string { return "s3.Driver(" + d.String() + ")" }

// Client returns the S3 client the driver uses, for operations the
// Backend interface does not offer.
func (d *Driver) Client() *s3.Client { return d.client }

// Bucket returns the bucket name.
func (d *Driver) Bucket() string { return d.bucket }

// redactEndpoint drops any user information from an endpoint URL.
func redactEndpoint(e string) string {
	u, err := url.Parse(e)
	if err != nil {
		return "(unparsable endpoint)"
	}
	u.User = nil
	return u.String()
}
