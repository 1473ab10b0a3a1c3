package s3

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
	"github.com/objstore-dev/objstore/internal/urlsecret"
)

func init() {
	backend.Register("s3", OpenURL)
}

// OpenURL opens an s3:// URL with New (see the package documentation for
// the parameters). It is the opener registered for the "s3" scheme.
func OpenURL(ctx context.Context, u *url.URL) (backend.Backend, error) {
	cfg, err := ParseURL(u)
	if err != nil {
		return nil, err
	}
	return New(ctx, cfg)
}

// ParseURL turns an s3:// URL into a Config. Credentials never come from
// the URL (a URL is logged and shown too easily): a URL with a user or
// password is an error, which does not repeat the password.
func ParseURL(u *url.URL) (Config, error) {
	fail := func(format string, args ...any) (Config, error) {
		return Config{}, backend.NewError("open", "", backend.ErrInvalidArgument,
			fmt.Errorf("s3 URL %q: "+format, append([]any{backend.Redact(u.String())}, args...)...))
	}
	if !strings.EqualFold(u.Scheme, "s3") {
		return fail("the scheme is not s3")
	}
	// A password with an unencoded '/' ends the user part early
	// (s3://AK:12/34@bucket): refused like any credentials in the URL.
	if u.User != nil || urlsecret.MisplacedUserinfo(u) {
		return fail("credentials in the URL are not supported: use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared AWS config, or Config.Credentials")
	}
	if u.Host == "" {
		return fail("no bucket: use s3://BUCKET")
	}
	if u.Path != "" && u.Path != "/" {
		return fail("a path after the bucket is not supported")
	}
	q, err := s3core.NewQuery(u.Query(), s3core.Params("endpoint", "path_style"))
	if err != nil {
		return fail("%v", err)
	}
	cfg := Config{Bucket: u.Host, Endpoint: q.Get("endpoint")}
	q.Bool("path_style", &cfg.PathStyle)
	if err := q.Common(&cfg.Region, &cfg.PartSize, &cfg.Concurrency, &cfg.CreateBucket, &cfg.Retry); err != nil {
		return fail("%v", err)
	}
	return cfg, nil
}
