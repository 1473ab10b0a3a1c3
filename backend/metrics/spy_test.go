package metrics_test

import (
	"context"
	"io"
	"sync"
	"time"

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

// breaking is a backend over mem whose Get readers fail with err after
// delivering the object's first two bytes.
type breaking struct {
	*mem.Backend
	err error
}

func (b breaking) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	rc, info, err := b.Backend.Get(ctx, key, opts)
	if err != nil {
		return rc, info, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(io.LimitReader(rc, 2), errReader{b.err}), rc}, info, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// full is a backend over mem with every optional capability, so that the
// tests can see each one instrumented.
type full struct {
	*mem.Backend
	mu     sync.Mutex
	expiry map[string]int
}

func newFull() *full { return &full{Backend: mem.New(), expiry: map[string]int{}} }

func (f *full) Health(context.Context) ([]backend.EndpointHealth, error) {
	return []backend.EndpointHealth{{Endpoint: "mem", Live: true, Ready: true}}, nil
}

func (f *full) PresignGet(_ context.Context, key string, _ time.Duration) (string, error) {
	return "https://store.example/" + key + "?X-Amz-Signature=s3cr3t", nil
}

func (f *full) PresignPut(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if err := backend.ValidateKey("presign-put", key); err != nil {
		return "", err
	}
	return f.PresignGet(ctx, key, expiry)
}

func (f *full) SetExpiry(_ context.Context, prefix string, days int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expiry[prefix] = days
	return nil
}

func (f *full) Expiry(context.Context) (map[string]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.expiry {
		out[k] = v
	}
	return out, nil
}
