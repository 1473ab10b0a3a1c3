package objstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
)

// Resolver names the servers of a service: the original client's resolver shape.
// GetURLs returns URLs like "http://host:9000", "https://host:9000" or
// plain "host:9000" (http). It may be asked again later, when every server
// it named has failed, so it can follow servers that move.
type Resolver interface {
	GetURLs(service string) []string
}

// StaticResolver is a Resolver with a fixed list of URLs: GetURLs returns
// a copy of the slice for any service.
type StaticResolver []string

// GetURLs returns the URLs of s, whatever the service.
func (s StaticResolver) GetURLs(string) []string { return slices.Clone(s) }

// newClientTimeout bounds the connection work of NewClient, which has no
// context of its own.
const newClientTimeout = 30 * time.Second

// NewClient is the original client's constructor: a client on the bucket
// "tenant.service" of the MinIO servers that r names for service
// (r.GetURLs(service)). The bucket is created if it does not exist. tenant
// and service are 1 to 62 characters of a-z, 0-9 and '-' that start and
// end with a letter or digit (the bucket name is at most 63 characters).
//
// Credentials come from WithCredentials, else from the environment:
// MINIO_ROOT_USER and MINIO_ROOT_PASSWORD, else MINIO_ACCESS_KEY and
// MINIO_SECRET_KEY. The URLs must all be http (or scheme-less) or all
// https. Requests are spread over the servers, retried and failed over
// (package backend/minio, docs/failover.md), and r is asked again when all
// of them have failed. NewClient fails with ErrUnavailable when no server
// answers within 30 seconds.
func NewClient(tenant, service string, r Resolver, opts ...Option) (*Client, error) {
	const op = "new client"
	bucket, err := bucketName(tenant, service)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, backend.NewError(op, bucket, ErrInvalidArgument, errors.New("resolver is nil"))
	}
	o := buildOptions(opts)
	access, secret, err := minioCredentials(o)
	if err != nil {
		return nil, backend.NewError(op, bucket, ErrInvalidArgument, err)
	}
	endpoints, secure, err := endpointsOf(r.GetURLs(service))
	if err != nil {
		return nil, backend.NewError(op, bucket, nil, fmt.Errorf("servers of service %q: %w", service, err))
	}
	resolve := func(ctx context.Context) ([]string, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		eps, sec, err := endpointsOf(r.GetURLs(service))
		if err == nil && sec != secure {
			err = backend.NewError("resolve", service, ErrInvalidArgument, errors.New("the resolver switched between http and https"))
		}
		return eps, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), newClientTimeout)
	defer cancel()
	b, err := openMinIO(ctx, minioParams{
		endpoints: endpoints,
		resolve:   resolve,
		access:    access,
		secret:    secret,
		bucket:    bucket,
		secure:    secure,
	})
	if err != nil {
		return nil, err
	}
	return New(b, opts...), nil
}

// minioParams is what NewClient hands the MinIO driver.
type minioParams struct {
	endpoints      []string // "host:port"
	resolve        func(ctx context.Context) ([]string, error)
	access, secret string
	bucket         string
	secure         bool
}

// openMinIO opens the bucket on the MinIO servers, creating it if needed:
// the driver spreads requests over the endpoints, retries and fails over
// (backend/failover), and asks resolve again when all of them failed.
func openMinIO(ctx context.Context, p minioParams) (backend.Backend, error) {
	b, err := minio.New(ctx, minio.Config{
		Endpoints:    p.endpoints,
		Resolve:      p.resolve,
		AccessKey:    p.access,
		SecretKey:    p.secret,
		Bucket:       p.bucket,
		Secure:       p.secure,
		CreateBucket: true,
	})
	if err != nil {
		return nil, backend.NewError("new client", p.bucket, nil, err)
	}
	return b, nil
}

// bucketName checks tenant and service and returns "tenant.service".
func bucketName(tenant, service string) (string, error) {
	bucket := tenant + "." + service
	for _, part := range [...]struct{ what, s string }{{"tenant", tenant}, {"service", service}} {
		if err := bucketPartProblem(part.s); err != nil {
			return "", backend.NewError("new client", bucket, ErrInvalidArgument, fmt.Errorf("%s %q: %w", part.what, part.s, err))
		}
	}
	if len(bucket) > 63 {
		return "", backend.NewError("new client", bucket, ErrInvalidArgument,
			fmt.Errorf("bucket name %q is longer than 63 characters", bucket))
	}
	return bucket, nil
}

func bucketPartProblem(s string) error {
	if s == "" {
		return errors.New("is empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (c != '-' || i == 0 || i == len(s)-1) {
			return errors.New("must be a-z, 0-9 and '-', and start and end with a letter or digit")
		}
	}
	return nil
}

// minioCredentials returns the access and secret key from the options or
// the environment. Errors never contain the secret.
func minioCredentials(o options) (access, secret string, err error) {
	if o.credsSet {
		if o.access == "" || o.secret == "" {
			return "", "", errors.New("WithCredentials needs a non-empty access key and secret key")
		}
		return o.access, o.secret, nil
	}
	for _, pair := range [...][2]string{{"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"}, {"MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"}} {
		a, s := os.Getenv(pair[0]), os.Getenv(pair[1])
		if a != "" && s != "" {
			return a, s, nil
		}
	}
	return "", "", errors.New("no MinIO credentials: pass WithCredentials, or set MINIO_ROOT_USER and MINIO_ROOT_PASSWORD (or MINIO_ACCESS_KEY and MINIO_SECRET_KEY)")
}

// endpointsOf turns the resolver's URLs into "host:port" endpoints and
// whether they use https.
func endpointsOf(urls []string) (endpoints []string, secure bool, err error) {
	if len(urls) == 0 {
		return nil, false, backend.NewError("resolve", "", ErrUnavailable, errors.New("the resolver returned no URLs"))
	}
	schemes := map[string]bool{}
	for _, raw := range urls {
		raw = strings.TrimSpace(raw)
		scheme, host := "http", raw
		if strings.Contains(raw, "://") {
			u, err := url.Parse(raw)
			if err != nil {
				return nil, false, backend.NewError("resolve", "", ErrInvalidArgument, fmt.Errorf("cannot parse server URL %q", backend.Redact(raw)))
			}
			scheme, host = strings.ToLower(u.Scheme), u.Host
			switch {
			case scheme != "http" && scheme != "https":
				return nil, false, backend.NewError("resolve", "", ErrInvalidArgument, fmt.Errorf("server URL %q: scheme must be http or https", u.Redacted()))
			case u.User != nil:
				return nil, false, backend.NewError("resolve", "", ErrInvalidArgument, fmt.Errorf("server URL %q: credentials belong in WithCredentials, not in the URL", u.Redacted()))
			case u.Path != "" && u.Path != "/", u.RawQuery != "":
				return nil, false, backend.NewError("resolve", "", ErrInvalidArgument, fmt.Errorf("server URL %q: must have no path or query", u.Redacted()))
			}
		}
		if host == "" || strings.ContainsAny(host, "/@ ") {
			return nil, false, backend.NewError("resolve", "", ErrInvalidArgument, fmt.Errorf("server URL %q has no valid host[:port]", backend.Redact(raw)))
		}
		schemes[scheme] = true
		if !slices.Contains(endpoints, host) {
			endpoints = append(endpoints, host)
		}
	}
	if len(schemes) > 1 {
		return nil, false, backend.NewError("resolve", "", ErrInvalidArgument, errors.New("server URLs mix http and https"))
	}
	return endpoints, schemes["https"], nil
}
