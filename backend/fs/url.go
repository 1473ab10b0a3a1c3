package fs

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

func init() {
	backend.Register("file", openURL)
}

// openURL opens file:///abs/dir, file://localhost/abs/dir and
// file://./rel/dir (see the package doc).
func openURL(_ context.Context, u *url.URL) (backend.Backend, error) {
	dir, err := dirFromURL(u)
	if err != nil {
		return nil, backend.NewError("open", "", backend.ErrInvalidArgument, err)
	}
	var opts []Option
	for name, vals := range u.Query() {
		switch name {
		case "stale_temp_age":
			d, err := time.ParseDuration(vals[len(vals)-1])
			if err != nil {
				return nil, backend.NewError("open", "", backend.ErrInvalidArgument,
					fmt.Errorf("URL %q: stale_temp_age: %w", u.Redacted(), err))
			}
			opts = append(opts, WithStaleTempAge(d))
		case "metadata":
			if v := vals[len(vals)-1]; v != "none" {
				return nil, backend.NewError("open", "", backend.ErrInvalidArgument,
					fmt.Errorf("URL %q: metadata=%q: the only value is none (WithoutMetadata)", u.Redacted(), v))
			}
			opts = append(opts, WithoutMetadata())
		default:
			return nil, backend.NewError("open", "", backend.ErrInvalidArgument,
				fmt.Errorf("URL %q: unknown query parameter %q (known: stale_temp_age, metadata)", u.Redacted(), name))
		}
	}
	return New(dir, opts...)
}

func dirFromURL(u *url.URL) (string, error) {
	if u.Opaque != "" {
		return "", fmt.Errorf("URL %q: write file:///abs/dir or file://./rel/dir", u.Redacted())
	}
	if u.User != nil {
		return "", fmt.Errorf("URL %q: file URLs take no user name or password", u.Redacted())
	}
	switch u.Host {
	case "", "localhost":
		if u.Path == "" {
			return "", fmt.Errorf("URL %q has no directory", u.Redacted())
		}
		return filepath.FromSlash(u.Path), nil
	case ".":
		if u.Path == "" {
			return ".", nil
		}
		return filepath.FromSlash("." + u.Path), nil
	case "..":
		return filepath.FromSlash(".." + u.Path), nil
	}
	return "", fmt.Errorf("URL %q names host %q: write file:///abs/dir for an absolute directory or file://./rel/dir for a relative one",
		u.Redacted(), u.Host)
}
