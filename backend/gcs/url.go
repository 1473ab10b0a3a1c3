package gcs

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/objstore-dev/objstore/backend"
)

// Scheme is the URL scheme of this driver: gs://BUCKET.
const Scheme = "gs"

func init() {
	backend.Register(Scheme, func(ctx context.Context, u *url.URL) (backend.Backend, error) {
		cfg, err := ConfigFromURL(u)
		if err != nil {
			return nil, err
		}
		return New(ctx, cfg)
	})
}

// ConfigFromURL parses a gs:// URL (see the package documentation) into a
// Config. Unknown query parameters are an error.
func ConfigFromURL(u *url.URL) (Config, error) {
	fail := func(err error) (Config, error) {
		return Config{}, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("gcs: URL %q: %w", backend.Redact(u.String()), err))
	}
	if u.Scheme != Scheme {
		return fail(fmt.Errorf("scheme is not %q", Scheme))
	}
	if u.User != nil {
		return fail(errors.New("credentials do not belong in a gs:// URL; use GOOGLE_APPLICATION_CREDENTIALS"))
	}
	if u.Host == "" {
		return fail(errors.New("no bucket: use gs://BUCKET"))
	}
	if u.Path != "" && u.Path != "/" {
		return fail(errors.New("a path is not supported: use gs://BUCKET"))
	}
	cfg := Config{Bucket: u.Host}
	for name, values := range u.Query() {
		if len(values) != 1 {
			return fail(fmt.Errorf("query parameter %q given %d times", name, len(values)))
		}
		v := values[0]
		var err error
		switch name {
		case "create_bucket":
			cfg.CreateBucket, err = strconv.ParseBool(v)
		case "project":
			cfg.ProjectID = v
		case "chunk_size":
			cfg.ChunkSize, err = strconv.Atoi(v)
			if err == nil && cfg.ChunkSize <= 0 {
				err = errors.New("must be positive")
			}
		case "endpoint":
			cfg.Endpoint = v
		case "anonymous":
			cfg.Anonymous, err = strconv.ParseBool(v)
		default:
			return fail(fmt.Errorf("unknown query parameter %q (known: create_bucket, project, chunk_size, endpoint, anonymous)", name))
		}
		if err != nil {
			return fail(fmt.Errorf("query parameter %s=%q: %w", name, v, err))
		}
	}
	return cfg, nil
}
