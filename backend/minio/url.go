package minio

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
	"github.com/objstore-dev/objstore/internal/storeurl"
	"github.com/objstore-dev/objstore/internal/urlsecret"
)

func init() { backend.Register("minio", storeurl.Opener(configFromURL, New)) }

// ParseURL returns the Config that a minio:// URL describes (see the
// package documentation for the form). Errors never contain the secret.
func ParseURL(rawURL string) (Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Config{}, errConfig("cannot parse the URL %q", backend.Redact(rawURL))
	}
	return configFromURL(u)
}

func configFromURL(u *url.URL) (Config, error) {
	var cfg Config
	fail := func(format string, args ...any) (Config, error) {
		// Redact, not u.Redacted: it hides secret query values and a
		// misplaced password too.
		return Config{}, errConfig("URL %q: %s", backend.Redact(u.String()), fmt.Sprintf(format, args...))
	}
	if !strings.EqualFold(u.Scheme, "minio") {
		return fail("the scheme must be minio")
	}
	if urlsecret.MisplacedUserinfo(u) {
		return fail("%s", "the user part ACCESS:SECRET holds an unencoded '/', '?' or '#', which ends it early: "+
			"special characters of the keys must be percent-encoded ('/' as %2F, '?' as %3F, '#' as %23)")
	}
	if u.Opaque != "" || u.Host == "" {
		return fail("no endpoint; the form is minio://ACCESS:SECRET@host:port[,host:port...]/bucket")
	}
	cfg.Endpoints = strings.Split(u.Host, ",")
	bucket := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/"), "/")
	if bucket == "" || strings.Contains(bucket, "/") {
		return fail("the path must be the bucket name alone, as in minio://host:9000/bucket")
	}
	cfg.Bucket = bucket
	if u.User != nil {
		secret, ok := u.User.Password()
		if u.User.Username() == "" || !ok || secret == "" {
			return fail("the user part must be ACCESS:SECRET (percent-encode special characters), or absent to use the environment")
		}
		cfg.AccessKey, cfg.SecretKey = u.User.Username(), secret
	}
	if u.Fragment != "" {
		return fail("a fragment (#...) is not allowed")
	}
	q, err := s3core.NewQuery(u.Query(), s3core.Params("secure", "ca_file"))
	if err != nil {
		return fail("%v", err)
	}
	cfg.CAFile = q.Get("ca_file")
	q.Bool("secure", &cfg.Secure)
	if err := q.Common(&cfg.Region, &cfg.PartSize, &cfg.Concurrency, &cfg.CreateBucket, &cfg.Retry); err != nil {
		return fail("%v", err)
	}
	return cfg, nil
}
