package minio

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/storeurl"
)

func init() {
	backend.Register("minio", func(ctx context.Context, u *url.URL) (backend.Backend, error) {
		cfg, err := configFromURL(u)
		if err != nil {
			return nil, err
		}
		return New(ctx, cfg)
	})
}

// queryParams are the query parameters a minio:// URL may carry.
var queryParams = []string{
	"secure", "region", "part_size", "concurrency", "create_bucket", "ca_file",
	"max_attempts", "max_elapsed", "attempt_timeout", "stall_timeout",
}

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
	if storeurl.MisplacedUserinfo(u) {
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
	q := u.Query()
	for name, vals := range q {
		if !slices.Contains(queryParams, name) {
			return fail("unknown query parameter %q (known: %s)", name, strings.Join(queryParams, ", "))
		}
		if len(vals) != 1 {
			return fail("query parameter %q is given %d times", name, len(vals))
		}
	}
	var err error
	parseBool := func(name string, dst *bool) {
		if v := q.Get(name); v != "" && err == nil {
			if *dst, err = strconv.ParseBool(v); err != nil {
				err = fmt.Errorf("%s=%q is not a boolean", name, backend.Redact(v))
			}
		}
	}
	parseInt := func(name string, dst *int) {
		if v := q.Get(name); v != "" && err == nil {
			if *dst, err = strconv.Atoi(v); err != nil {
				err = fmt.Errorf("%s=%q is not an integer", name, backend.Redact(v))
			}
		}
	}
	parseDuration := func(name string, dst *time.Duration) {
		if v := q.Get(name); v != "" && err == nil {
			if *dst, err = time.ParseDuration(v); err != nil {
				err = fmt.Errorf("%s=%q is not a duration such as 10s", name, backend.Redact(v))
			}
		}
	}
	parseBool("secure", &cfg.Secure)
	parseBool("create_bucket", &cfg.CreateBucket)
	parseInt("concurrency", &cfg.Concurrency)
	parseInt("max_attempts", &cfg.MaxAttempts)
	parseDuration("max_elapsed", &cfg.MaxElapsed)
	parseDuration("attempt_timeout", &cfg.AttemptTimeout)
	parseDuration("stall_timeout", &cfg.StallTimeout)
	if v := q.Get("part_size"); v != "" && err == nil {
		if cfg.PartSize, err = parseSize(v); err != nil {
			err = fmt.Errorf("part_size=%q: %v", backend.Redact(v), err)
		}
	}
	if err != nil {
		return fail("%v", err)
	}
	cfg.Region = q.Get("region")
	cfg.CAFile = q.Get("ca_file")
	return cfg, nil
}

// parseSize reads a byte count: a number, optionally followed by a binary
// unit (KiB, MiB, GiB, or K, M, G, with or without a trailing B).
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
		{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
	}
	mult := int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("not a positive size such as 16MiB")
	}
	return n * mult, nil
}
