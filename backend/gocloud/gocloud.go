package gocloud

import (
	"errors"
	"fmt"
	"sync"

	"gocloud.dev/blob"

	"github.com/objstore-dev/objstore/backend"
)

var (
	_ backend.Backend      = (*Backend)(nil)
	_ backend.BatchRemover = (*Backend)(nil)
)

// DefaultRemoveConcurrency is the number of concurrent deletes of
// RemoveMany unless WithRemoveConcurrency says otherwise.
const DefaultRemoveConcurrency = 16

// Backend is a gocloud.dev/blob bucket seen as a backend.Backend. It is
// safe for concurrent use.
type Backend struct {
	bucket *blob.Bucket
	opts   options
	guard  backend.Guard

	closeOnce sync.Once
	closeErr  error
}

type options struct {
	name        string
	own         bool
	keys        KeyCodec
	bufferSize  int
	concurrency int
	removeConc  int
	onClose     []func() error
}

// Option configures New.
type Option func(*options)

// WithName sets what String returns, e.g. "azblob://container". It must
// not contain secrets. The default is "gocloud".
func WithName(name string) Option { return func(o *options) { o.name = name } }

// OwnBucket makes Close of the Backend close the bucket too. Without it
// the bucket stays the caller's: Close leaves it open, and the caller
// closes it after the Backend is done with it.
func OwnBucket() Option { return func(o *options) { o.own = true } }

// WithKeyCodec sets how keys map to the bucket's names (default RawKeys).
func WithKeyCodec(c KeyCodec) Option { return func(o *options) { o.keys = c } }

// WithUploadBuffer sets the buffer size and the number of buffers a Put
// uses (blob.WriterOptions.BufferSize and MaxConcurrency); zero keeps the
// driver's default (Azure: 8 MiB and 5 buffers, so an upload of unknown
// size holds at most 40 MiB).
func WithUploadBuffer(size, concurrency int) Option {
	return func(o *options) { o.bufferSize, o.concurrency = size, concurrency }
}

// WithRemoveConcurrency bounds the concurrent deletes of RemoveMany
// (default DefaultRemoveConcurrency).
func WithRemoveConcurrency(n int) Option { return func(o *options) { o.removeConc = n } }

// onClose adds a function Close runs after closing the bucket (for the
// HTTP client of a bucket this package opened).
func onClose(f func() error) Option { return func(o *options) { o.onClose = append(o.onClose, f) } }

// New returns a Backend on bucket. Unless OwnBucket is given, Close does
// not close the bucket: the caller does, after the Backend's last use.
// New panics on a nil bucket, as a programming error.
func New(bucket *blob.Bucket, opts ...Option) *Backend {
	if bucket == nil {
		panic("gocloud.New: nil *blob.Bucket")
	}
	o := options{name: "gocloud", keys: RawKeys, removeConc: DefaultRemoveConcurrency}
	for _, opt := range opts {
		opt(&o)
	}
	if o.keys == nil {
		o.keys = RawKeys
	}
	if o.removeConc <= 0 {
		o.removeConc = DefaultRemoveConcurrency
	}
	return &Backend{bucket: bucket, opts: o}
}

// Bucket returns the wrapped bucket, for operations this package does not
// cover. Names in it are the encoded keys (see KeyCodec).
func (b *Backend) Bucket() *blob.Bucket { return b.bucket }

// Close marks the Backend closed and, if it owns the bucket, closes the
// bucket. It is idempotent and returns the same error every time.
func (b *Backend) Close() error {
	b.guard.Close()
	b.closeOnce.Do(func() {
		var errs []error
		if b.opts.own {
			if err := b.bucket.Close(); err != nil {
				errs = append(errs, fmt.Errorf("gocloud: close bucket: %w", err))
			}
		}
		for _, f := range b.opts.onClose {
			errs = append(errs, f())
		}
		if err := errors.Join(errs...); err != nil {
			b.closeErr = backend.NewError("close", "", nil, err)
		}
	})
	return b.closeErr
}

// String names the store as WithName set it; never with credentials.
func (b *Backend) String() string { return b.opts.name }
