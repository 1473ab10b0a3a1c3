package logging

import (
	"context"
	"log/slog"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// FailoverObserver implements failover.Observer (by its method set; this
// package does not import failover): retries at Info, failovers and
// endpoints going down at Warn, endpoints coming back at Info.
type FailoverObserver struct {
	logger *slog.Logger
	name   string
}

// Observer returns a failover.Observer that logs to logger (nil:
// slog.Default()), with backend="failover" unless WithName says otherwise.
// WithSlowThreshold does not apply.
func Observer(logger *slog.Logger, opts ...Option) *FailoverObserver {
	c := config{name: "failover"}
	for _, o := range opts {
		o(&c)
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &FailoverObserver{logger: logger, name: backend.Redact(c.name)}
}

// Retry logs at Info that attempt of op failed on endpoint and will be
// retried. The record is logged with ctx, the operation's context, so
// that a handler can add what it carries (a trace ID, a request ID).
func (o *FailoverObserver) Retry(ctx context.Context, op, key, endpoint string, attempt int, err error) {
	o.log(ctx, slog.LevelInfo, "objstore: retrying", op, key, err,
		slog.String("endpoint", backend.Redact(endpoint)), slog.Int("attempt", attempt))
}

// Failover logs at Warn, with ctx as for Retry, that op moves from one
// endpoint to another.
func (o *FailoverObserver) Failover(ctx context.Context, op, key, from, to string, err error) {
	o.log(ctx, slog.LevelWarn, "objstore: failing over", op, key, err,
		slog.String("from", backend.Redact(from)), slog.String("to", backend.Redact(to)))
}

// EndpointState logs an endpoint going down at Warn, coming back at Info,
// with context.Background(): the change is not about one operation.
func (o *FailoverObserver) EndpointState(endpoint string, up bool) {
	level, msg := slog.LevelWarn, "objstore: endpoint down"
	if up {
		level, msg = slog.LevelInfo, "objstore: endpoint up"
	}
	o.logger.LogAttrs(context.Background(), level, msg,
		slog.String("backend", o.name), slog.String("endpoint", backend.Redact(endpoint)))
}

func (o *FailoverObserver) log(ctx context.Context, level slog.Level, msg, op, key string, err error, extra ...slog.Attr) {
	if !o.logger.Enabled(ctx, level) {
		return
	}
	attrs := append([]slog.Attr{
		slog.String("op", op), slog.String("key", key), slog.String("backend", o.name),
		slog.String("reason", observe.Outcome(err)),
	}, extra...)
	if err != nil {
		attrs = append(attrs, slog.String("error", errText(err)))
	}
	o.logger.LogAttrs(ctx, level, msg, attrs...)
}
