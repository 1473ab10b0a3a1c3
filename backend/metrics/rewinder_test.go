package metrics_test

import (
	"context"
	"io"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// rewinder is a backend over mem whose Put reads the body twice when it
// can seek, as a retry layer below the wrapper does, and records whether
// it was given a Seeker.
type rewinder struct {
	*mem.Backend
	sawSeeker bool
}

func (r *rewinder) Put(ctx context.Context, key string, body io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if s, ok := body.(io.Seeker); ok {
		r.sawSeeker = true
		if _, err := io.Copy(io.Discard, body); err != nil {
			return backend.ObjectInfo{}, err
		}
		if _, err := s.Seek(0, io.SeekStart); err != nil {
			return backend.ObjectInfo{}, err
		}
	}
	return r.Backend.Put(ctx, key, body, opts)
}
