package s3

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
	backend.Register("s3", OpenURL)
}

// urlParams are the query parameters of an s3:// URL.
var urlParams = []string{
	"region", "endpoint", "path_style", "part_size", "concurrency", "create_bucket",
	"max_attempts", "attempt_timeout", "stall_timeout", "max_elapsed",
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
	if u.User != nil || storeurl.MisplacedUserinfo(u) {
		return fail("credentials in the URL are not supported: use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared AWS config, or Config.Credentials")
	}
	if u.Host == "" {
		return fail("no bucket: use s3://BUCKET")
	}
	if u.Path != "" && u.Path != "/" {
		return fail("a path after the bucket is not supported")
	}
	cfg := Config{Bucket: u.Host}
	q := u.Query()
	for name, vals := range q {
		if !slices.Contains(urlParams, name) {
			return fail("unknown parameter %q (known: %s)", name, strings.Join(urlParams, ", "))
		}
		if len(vals) != 1 {
			return fail("parameter %q is given %d times", name, len(vals))
		}
	}
	var err error
	cfg.Region = q.Get("region")
	cfg.Endpoint = q.Get("endpoint")
	boolParam := func(name string, dst *bool) error {
		if v := q.Get(name); v != "" {
			b, perr := strconv.ParseBool(v)
			if perr != nil {
				return fmt.Errorf("%s=%q is not a boolean", name, backend.Redact(v))
			}
			*dst = b
		}
		return nil
	}
	intParam := func(name string, dst *int) error {
		if v := q.Get(name); v != "" {
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 0 {
				return fmt.Errorf("%s=%q is not a count", name, backend.Redact(v))
			}
			*dst = n
		}
		return nil
	}
	durParam := func(name string, dst *time.Duration) error {
		if v := q.Get(name); v != "" {
			d, perr := time.ParseDuration(v)
			if perr != nil || d < 0 {
				return fmt.Errorf("%s=%q is not a duration like 30s", name, backend.Redact(v))
			}
			*dst = d
		}
		return nil
	}
	for _, e := range []error{
		boolParam("path_style", &cfg.PathStyle),
		boolParam("create_bucket", &cfg.CreateBucket),
		intParam("concurrency", &cfg.Concurrency),
		intParam("max_attempts", &cfg.Retry.MaxAttempts),
		durParam("attempt_timeout", &cfg.Retry.AttemptTimeout),
		durParam("stall_timeout", &cfg.Retry.StallTimeout),
		durParam("max_elapsed", &cfg.Retry.MaxElapsed),
	} {
		if e != nil {
			return fail("%v", e)
		}
	}
	if v := q.Get("part_size"); v != "" {
		if cfg.PartSize, err = parseSize(v); err != nil {
			return fail("part_size=%q: %v", backend.Redact(v), err)
		}
	}
	return cfg, nil
}

// parseSize parses a byte count: digits with an optional binary unit
// (KiB, MiB, GiB; K, M, G and KB, MB, GB mean the same).
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
		{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30},
	}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("not a size like 8388608 or 8MiB")
	}
	return n * mult, nil
}
