package s3

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// Limits of the S3 multipart protocol (the same on AWS, MinIO and
// versitygw), and the defaults (the MinIO driver's too: internal/s3core).
const (
	MinPartSize        = s3core.MinPartSize
	MaxPartSize        = s3core.MaxPartSize
	MaxParts           = s3core.MaxParts
	MaxObjectSize      = s3core.MaxObjectSize
	DefaultPartSize    = s3core.DefaultPartSize
	DefaultConcurrency = s3core.DefaultConcurrency
	MaxConcurrency     = s3core.MaxConcurrency
	defaultRegion      = s3core.DefaultRegion
)

// Config configures the driver. The zero value of every field but Bucket
// means its default.
type Config struct {
	// Bucket is the bucket that holds the objects. Required.
	Bucket string

	// Region is the bucket's region. Empty: the region of the standard AWS
	// configuration (AWS_REGION, AWS_DEFAULT_REGION, the shared config
	// file), else "us-east-1".
	Region string

	// Endpoint is the base URL of an S3-compatible server, such as
	// "http://127.0.0.1:9000". Empty: AWS S3. It must not carry
	// credentials.
	Endpoint string

	// PathStyle addresses the bucket as a path (http://host/bucket/key)
	// instead of a host name (http://bucket.host/key). MinIO and most
	// self-hosted servers need it.
	PathStyle bool

	// Client is a caller's S3 client; when set, the driver uses it as it
	// is (its endpoint, region, credentials and HTTP client), and Region,
	// Endpoint, PathStyle, Credentials and HTTPClient must be empty. The
	// driver still turns the client's own retries off for its calls (the
	// failover wrapper retries) and asks for checksums only when an
	// operation requires them (every upload carries a hash the server checks: payload.go).
	Client *s3.Client

	// Credentials, when set, are used instead of the standard AWS chain
	// (environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
	// AWS_SESSION_TOKEN, the shared credentials and config files, SSO, web
	// identity, container and EC2 roles) that config.LoadDefaultConfig
	// builds.
	Credentials aws.CredentialsProvider

	// HTTPClient sends the requests; nil: a client of the driver's own
	// (with the AWS configuration's settings, such as AWS_CA_BUNDLE),
	// whose idle connections Close releases. A caller's client is used as
	// it is, and never closed by the driver.
	HTTPClient aws.HTTPClient

	// PartSize is the size of the parts of a multipart upload and the
	// largest object sent with one PutObject. Default DefaultPartSize; at
	// least MinPartSize, at most MaxPartSize. An upload holds at most
	// Concurrency buffers of PartSize bytes, and an object has at most
	// MaxParts parts, so PartSize also caps the object size at
	// PartSize × MaxParts (80,000 MiB with the default).
	PartSize int64

	// Concurrency is the number of parts of one upload being sent at the
	// same time. Default DefaultConcurrency; at most MaxConcurrency.
	Concurrency int

	// CreateBucket creates the bucket when it does not exist (at New).
	CreateBucket bool

	// Retry tunes the retries, backoff and timeouts of New (the failover
	// wrapper, package backend/failover, with the bucket's one endpoint),
	// as on every network driver; NewDriver ignores it. Zero fields take
	// the failover defaults. A Put reads a whole part and then sends it,
	// so StallTimeout must exceed the time to send one part (PartSize).
	Retry failover.Retry
}

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	fail := func(format string, args ...any) (Config, error) {
		return c, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("s3: "+format, args...))
	}
	if c.Bucket == "" {
		return fail("the bucket name is empty")
	}
	if strings.ContainsAny(c.Bucket, "/?#@ ") {
		return fail("bucket name %q contains '/', '?', '#', '@' or a space", c.Bucket)
	}
	if c.Client != nil {
		if c.Region != "" || c.Endpoint != "" || c.PathStyle || c.Credentials != nil || c.HTTPClient != nil {
			return fail("Config.Client is set: Region, Endpoint, PathStyle, Credentials and HTTPClient configure a client the driver builds and must be empty")
		}
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil {
			return fail("endpoint %q does not parse", backend.Redact(c.Endpoint))
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return fail("endpoint %q is not an http:// or https:// URL with a host", u.Redacted())
		}
		if u.User != nil {
			return fail("endpoint %q carries credentials; use Config.Credentials or the AWS environment", u.Redacted())
		}
	}
	var err error
	if c.PartSize, c.Concurrency, err = s3core.PartSettings(c.PartSize, c.Concurrency); err != nil {
		return fail("%v", err)
	}
	return c, nil
}

// String describes the configuration as an s3:// URL that opens it
// again (given the same credentials), without secrets: fmt's %v and %+v
// print this, and so does Driver.String.
func (c Config) String() string {
	q := url.Values{}
	if c.Endpoint != "" {
		q.Set("endpoint", backend.Redact(c.Endpoint))
	}
	if c.PathStyle {
		q.Set("path_style", "true")
	}
	if c.Region != "" {
		q.Set("region", c.Region)
	}
	if len(q) == 0 {
		return "s3://" + c.Bucket
	}
	return "s3://" + c.Bucket + "?" + q.Encode()
}

// GoString keeps %#v from printing the credentials.
func (c Config) GoString() string { return "s3.Config(" + c.String() + ")" }
