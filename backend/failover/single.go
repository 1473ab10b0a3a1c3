package failover

import (
	"context"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// Single puts the retry layer around the raw driver of a store that has
// one endpoint (s3, gcs, Azure), named endpoint in health reports and
// events: cfg's retry settings, CheckKey and Open (nil: the driver as it
// is) are used; Resolve and Prototype are the driver. Close closes the layer and the driver; String is the driver's,
// and GoString is goName(String()), so that %#v never reads the fields of
// the layer, which its goroutines change, nor prints a secret.
func Single(ctx context.Context, d backend.Backend, endpoint, goName string, cfg Config) (backend.Backend, error) {
	cfg.Resolve = func(context.Context) ([]string, error) { return []string{endpoint}, nil }
	if cfg.Open == nil {
		cfg.Open = func(context.Context, string) (backend.Backend, error) { return d, nil }
	}
	cfg.Prototype = d
	fb, err := New(ctx, cfg)
	if err != nil {
		d.Close()
		return nil, err
	}
	return &single{Backend: fb, d: d, goName: goName}, nil
}

// single is what Single returns: the layer, which forwards the
// capabilities of the driver, named after it.
type single struct {
	*Backend
	d      backend.Backend
	goName string
}

// Close closes the layer and the driver (which the layer closes only once
// it has opened it); it is idempotent as both are.
func (s *single) Close() error {
	err := s.Backend.Close()
	if derr := s.d.Close(); err == nil {
		err = derr
	}
	return err
}

func (s *single) String() string   { return fmt.Sprint(s.d) }
func (s *single) GoString() string { return s.goName + "(" + s.String() + ")" }
