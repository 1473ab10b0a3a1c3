package minio

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// Limits of the S3 multipart protocol, which MinIO keeps, and the
// defaults (the S3 driver's too: internal/s3core). An object holds at
// most MaxParts × PartSize bytes.
const (
	MinPartSize        = s3core.MinPartSize
	MaxPartSize        = s3core.MaxPartSize
	DefaultPartSize    = s3core.DefaultPartSize
	DefaultConcurrency = s3core.DefaultConcurrency
	MaxConcurrency     = s3core.MaxConcurrency
	MaxParts           = s3core.MaxParts
	DefaultRegion      = s3core.DefaultRegion
)

// The environment variables that supply credentials when neither the URL
// nor the Config carries any, in this order of preference (the first pair
// of which both variables are set wins). They are the variables a MinIO
// server itself reads, so a client on the server's host finds them.
const (
	EnvRootUser     = "MINIO_ROOT_USER"
	EnvRootPassword = "MINIO_ROOT_PASSWORD"
	EnvAccessKey    = "MINIO_ACCESS_KEY"
	EnvSecretKey    = "MINIO_SECRET_KEY"
)

// Config configures the driver. The zero value of every field but Bucket
// and Endpoints (or Resolve) means its default.
type Config struct {
	// Endpoints are the servers of one MinIO deployment, as "host:port" or
	// "http://host:port" / "https://host:port" (the scheme, when given,
	// decides TLS for that endpoint and overrides Secure). MinIO's
	// ellipsis notation is expanded: "node{1...4}:9000" is node1:9000 to
	// node4:9000, "10.0.0.{1...4}:9000" works too, and "{01...16}" keeps
	// the zero padding.
	Endpoints []string

	// Resolve, when set, is asked for the endpoints instead of Endpoints:
	// by New, and again by the failover wrapper when every endpoint has
	// failed. NewEndpoint ignores it.
	Resolve func(ctx context.Context) ([]string, error)

	// AccessKey, SecretKey and SessionToken are the credentials. When
	// AccessKey and SecretKey are both empty they are read from the
	// environment: MINIO_ROOT_USER / MINIO_ROOT_PASSWORD, else
	// MINIO_ACCESS_KEY / MINIO_SECRET_KEY. With no credentials anywhere,
	// requests are anonymous (a bucket policy must allow them).
	AccessKey, SecretKey, SessionToken string

	// Bucket holds the objects. Required.
	Bucket string

	// Secure talks HTTPS to endpoints given without a scheme.
	Secure bool

	// TLSConfig is the TLS client configuration (cloned); nil: the system
	// roots, TLS 1.2 at least. CAFile adds the PEM certificates of a
	// custom certificate authority to the roots (of TLSConfig if it has
	// RootCAs, else of the system). Both need TLS (Secure or an https://
	// endpoint) and cannot be combined with Transport.
	TLSConfig *tls.Config
	CAFile    string

	// Region is the region the requests are signed for. Default
	// DefaultRegion, which is MinIO's unless MINIO_SITE_REGION says
	// otherwise.
	Region string

	// PartSize is the size of the parts of a multipart upload, and the
	// largest object sent with a single PUT. Default DefaultPartSize; at
	// least MinPartSize, at most MaxPartSize. An upload of unknown size
	// holds Concurrency buffers of PartSize bytes, and an object has at
	// most MaxParts parts: PartSize also caps the size of an object at
	// MaxParts × PartSize (78.1 GiB with the default).
	PartSize int64

	// Concurrency is the number of parts of one upload in flight (read
	// from the source and being sent). Default DefaultConcurrency; an
	// upload's memory is Concurrency × PartSize. At most MaxConcurrency.
	Concurrency int

	// SkipConflictCheck turns off the check that makes Put refuse (with
	// ErrExist) a key that is an ancestor or a descendant of an existing
	// object ("a" and "a/b"), which MinIO would store but never list
	// together. The check costs one HEAD per "/" in the key and one LIST
	// per Put; skip it only when keys never nest.
	SkipConflictCheck bool

	// CreateBucket creates the bucket when it does not exist yet (at New
	// or NewEndpoint); a bucket that already exists is fine.
	CreateBucket bool

	// Transport sends the requests; nil: a transport of the driver's own
	// (like minio-go's default: no transparent decompression, proxies from
	// the environment), whose idle connections Close releases. A caller's
	// transport is never closed by the driver.
	Transport http.RoundTripper

	// Retry tunes the retries, backoff and timeouts of New (package
	// backend/failover), as on every network driver; NewEndpoint ignores
	// it. Zero fields take the failover defaults.
	Retry failover.Retry

	// ReprobeMin and ReprobeMax shape the backoff of the background
	// re-probe of a down endpoint (the first wait, and the cap of the
	// wait between probes); NewEndpoint ignores them. Zero means the
	// failover defaults. They concern a deployment of several endpoints,
	// so they are MinIO's own and not part of Retry.
	ReprobeMin, ReprobeMax time.Duration
}

// String describes the configuration without its credentials.
func (c Config) String() string {
	eps := strings.Join(c.Endpoints, ",")
	if c.Resolve != nil {
		eps = "resolver"
	}
	return fmt.Sprintf("minio://%s/%s", eps, c.Bucket)
}

// GoString keeps %#v from printing the credentials.
func (c Config) GoString() string { return "minio.Config(" + c.String() + ")" }

// settings is a validated Config with its defaults filled in, shared by
// the endpoints of one New.
type settings struct {
	Config
	tlsConf *tls.Config // the TLS configuration of the driver's own transports
}

// errConfig returns the error of an invalid configuration.
func errConfig(format string, args ...any) error {
	return backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("minio: "+format, args...))
}

// withDefaults validates c and fills in its defaults and credentials. It
// does not touch the network.
func (c Config) withDefaults() (Config, error) {
	if c.Bucket == "" {
		return c, errConfig("the bucket name is empty")
	}
	if err := checkBucketName(c.Bucket); err != nil {
		return c, errConfig("bucket name %q: %v", c.Bucket, err)
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	var err error
	if c.PartSize, c.Concurrency, err = s3core.PartSettings(c.PartSize, c.Concurrency); err != nil {
		return c, errConfig("%v", err)
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return c, errConfig("only one of the access key and the secret key is set")
	}
	if c.AccessKey == "" {
		c.AccessKey, c.SecretKey = credentialsFromEnv()
	}
	if c.Transport != nil && (c.TLSConfig != nil || c.CAFile != "") {
		return c, errConfig("Transport is set: TLSConfig and CAFile configure a transport the driver builds and must be empty")
	}
	if err := c.Retry.Validate(); err != nil {
		return c, err
	}
	if c.ReprobeMin < 0 || c.ReprobeMax < 0 {
		return c, errConfig("negative re-probe setting")
	}
	return c, nil
}

// credentialsFromEnv returns the first pair of credential variables that
// are both set, or empty strings.
func credentialsFromEnv() (access, secret string) {
	for _, pair := range [][2]string{{EnvRootUser, EnvRootPassword}, {EnvAccessKey, EnvSecretKey}} {
		a, s := os.Getenv(pair[0]), os.Getenv(pair[1])
		if a != "" && s != "" {
			return a, s
		}
	}
	return "", ""
}

// checkBucketName applies the S3 bucket naming rules, so that a bad name
// is reported at construction and not as a confusing server error later.
func checkBucketName(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return errors.New("must be 3 to 63 characters long")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return errors.New("may hold only lower-case letters, digits, '.' and '-'")
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return errors.New("must start and end with a letter or digit")
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return errors.New("must not contain '..', '.-' or '-.'")
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// newSettings validates c and prepares what its endpoints share.
func newSettings(c Config) (*settings, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &settings{Config: c}
	if c.Transport == nil {
		if s.tlsConf, err = tlsConfig(c); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// tlsConfig builds the TLS configuration of the driver's own transports:
// TLSConfig (or TLS 1.2 at least with the system roots) plus the
// certificates of CAFile.
func tlsConfig(c Config) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		conf = c.TLSConfig.Clone()
	}
	if c.CAFile == "" {
		return conf, nil
	}
	pem, err := os.ReadFile(c.CAFile)
	if err != nil {
		return nil, errConfig("CA file: %v", err)
	}
	pool := conf.RootCAs
	if pool == nil {
		if pool, err = x509.SystemCertPool(); err != nil {
			pool = x509.NewCertPool()
		}
	} else {
		pool = pool.Clone()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errConfig("CA file %s holds no PEM certificate", c.CAFile)
	}
	conf.RootCAs = pool
	return conf, nil
}

// dialer is the dialer of the driver's own transports.
var dialer = net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}

// newTransport builds a transport of the driver's own, one per endpoint
// (so that closing an endpoint's driver releases its connections): like
// minio-go's default, no transparent gzip and proxies from the
// environment.
func newTransport(tlsConf *tls.Config) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       time.Minute,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 10 * time.Second,
		TLSClientConfig:       tlsConf.Clone(),
		// Objects stored with Content-Encoding: gzip must come back as
		// stored, not decompressed behind the caller's back.
		DisableCompression: true,
	}
}

// endpointURL turns an endpoint ("host:port" or a URL) into the base URL
// of the server, deciding TLS from its scheme or from secure.
func endpointURL(endpoint string, secure bool) (*url.URL, error) {
	raw := endpoint
	if !strings.Contains(raw, "://") {
		scheme := "http"
		if secure {
			scheme = "https"
		}
		raw = scheme + "://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errConfig("endpoint %q does not parse", backend.Redact(endpoint))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errConfig("endpoint %q: scheme must be http or https", u.Redacted())
	case u.Host == "":
		return nil, errConfig("endpoint %q has no host", u.Redacted())
	case u.User != nil:
		return nil, errConfig("endpoint %q carries credentials; use Config.AccessKey and SecretKey", u.Redacted())
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return nil, errConfig("endpoint %q must be host:port, without a path or query", u.Redacted())
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}
