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
