package objstore

import (
	"log/slog"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// Option configures a Client when it is made (Open, New, NewClient).
// Per-call options are plain structs (backend.PutOptions), never Options.
type Option func(*options)

// Default stream polling: a reader waiting for a chunk asks the store
// again after defaultPollMin, doubling the pause up to defaultPollMax, so a
// new chunk is seen at most defaultPollMax after its put returned, and an
// idle follower costs at most two small requests per defaultPollMax.
const (
	defaultPollMin = 10 * time.Millisecond
	defaultPollMax = 100 * time.Millisecond
)

type options struct {
	pollMin, pollMax time.Duration
	access, secret   string
	credsSet         bool
	middleware       []func(backend.Backend) backend.Backend
	logger           *slog.Logger
	download         *downloadConfig // WithParallelDownload; nil: the defaults
}

func buildOptions(opts []Option) options {
	o := options{pollMin: defaultPollMin, pollMax: defaultPollMax}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if d := o.download; d != nil {
		// Innermost, so that every middleware stays where the caller put
		// it; get finds it with backend.As.
		o.middleware = append([]func(backend.Backend) backend.Backend{func(b backend.Backend) backend.Backend {
			return &withDownload{Backend: b, conf: d}
		}}, o.middleware...)
	}
	return o
}

// WithPollInterval sets the backoff of stream readers that wait for a chunk
// (GetStreamObjectAtOffset, OpenStream): the first pause is min, each next
// one doubles, up to max. The defaults are 10ms and 100ms: a new chunk is
// seen within 100ms of its put, and an idle reader sends at most two small
// requests per 100ms. A min <= 0 keeps the default minimum; a max smaller
// than min is raised to min.
func WithPollInterval(min, max time.Duration) Option {
	return func(o *options) {
		if min > 0 {
			o.pollMin = min
		}
		o.pollMax = max
		if o.pollMax < o.pollMin {
			o.pollMax = o.pollMin
		}
	}
}

// WithCredentials gives NewClient the access and secret key of the MinIO
// servers. Without it NewClient reads MINIO_ROOT_USER and
// MINIO_ROOT_PASSWORD, else MINIO_ACCESS_KEY and MINIO_SECRET_KEY. Open
// and New ignore it (a URL or a backend carries its own credentials).
func WithCredentials(access, secret string) Option {
	return func(o *options) {
		o.access, o.secret, o.credsSet = access, secret, true
	}
}

// WithMiddleware wraps the client's backend, e.g. with the metrics,
// tracing or logging wrappers. Middlewares apply in the order given: the
// first wraps the driver, the last is the outermost and sees every call
// first. Client.Close closes the outermost backend, which must close the
// one it wraps. A middleware that returns nil is ignored.
func WithMiddleware(mw func(backend.Backend) backend.Backend) Option {
	return func(o *options) {
		if mw != nil {
			o.middleware = append(o.middleware, mw)
		}
	}
}

// WithLogger sets where the client logs what a caller would otherwise not
// see: a stream writer resuming after a dead writer, a stream taken over
// by another writer, a marker left behind. The default discards logs.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		o.logger = l
	}
}

// WithParallelDownload sets how the client reads large objects. A read
// (GetObject, GetObjectWith, GetObjectRange, OpenObject, FS, copies
// between stores, ...) of at least threshold bytes is downloaded in
// segments of segment bytes, up to concurrency of them at once: the first
// request is the one every read makes (so a small object still costs one
// request); the caller reads the first segment from its answer while
// workers fetch the next segments with ranged reads pinned to the ETag of
// that answer (GetOptions.IfMatch). The workers start once the caller has
// read 1 MiB (or segment/8) of it: a reader closed or sought after a few
// bytes costs no segment. The bytes reach the caller in order (whole
// reads are still checked against the stored checksum); a read holds at
// most concurrency segment buffers; an object overwritten or removed
// during the read fails it with ErrChanged, never mixing versions; Close,
// or the end of the context, stops the workers and waits for them.
//
// Without this option, on network drivers: threshold
// DefaultDownloadThreshold (16 MiB), segment DefaultDownloadSegment
// (8 MiB), concurrency DefaultDownloadConcurrency (4), and a read is split
// only when its first response is slow: when its first MiB reached the
// caller slower than 128 MiB/s (a long link, a store that limits each
// connection); a faster one (loopback, a LAN) is read to its end as
// before, since there ranged requests cost the store more than they give.
// On the mem and fs drivers (found through middleware with backend.As)
// reads are not split. See docs/downloads.md and docs/benchmarks.md.
//
// With this option reads of at least threshold bytes are always split,
// on every driver, mem and fs included. A threshold <= 0 or a
// concurrency <= 1 turns splitting off; a segment <= 0 is the default.
// The client's backend (Client.Backend) is then a wrapper of the one
// given, innermost under the WithMiddleware wrappers, that changes no
// call; capabilities are found through it with backend.As.
func WithParallelDownload(threshold, segment int64, concurrency int) Option {
	return func(o *options) {
		o.download = newDownloadConfig(threshold, segment, concurrency)
	}
}
