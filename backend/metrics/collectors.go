package metrics

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultNamespace prefixes every metric name unless WithNamespace says
// otherwise.
const DefaultNamespace = "objstore"

// DurationBuckets are the bounds, in seconds, of the latency histogram:
// 1ms to about 65s, by factors of 4.
var DurationBuckets = prometheus.ExponentialBuckets(0.001, 4, 9)

// Option tunes New and RateLimitCollector.
type Option func(*config)

type config struct {
	name      string
	namespace string
}

// WithName sets the value of the "backend" label; the default is the
// inner backend's String() (credentials redacted) for New, and
// "ratelimit" for RateLimitCollector.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithNamespace replaces the "objstore" prefix of the metric names.
func WithNamespace(ns string) Option { return func(c *config) { c.namespace = ns } }

func newConfig(opts []Option) config {
	c := config{namespace: DefaultNamespace}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// opMetrics are the collectors of the Backend wrapper: its operations,
// and the attempts of the retry layer below it (backend.AttemptEvent).
type opMetrics struct {
	ops        *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	uploaded   *prometheus.CounterVec
	downloaded *prometheus.CounterVec
	retries    *prometheus.CounterVec
	failovers  *prometheus.CounterVec
	up         *prometheus.GaugeVec
}

func newOpMetrics(reg prometheus.Registerer, ns string) opMetrics {
	return opMetrics{
		ops: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "operations_total",
			Help: "Object store operations by backend, operation and outcome.",
		}, []string{"backend", "op", "outcome"})),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Name: "operation_duration_seconds",
			Help:    "Latency of object store operations (for get: until the reader is returned).",
			Buckets: DurationBuckets,
		}, []string{"backend", "op"})),
		uploaded: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "uploaded_bytes_total",
			Help: "Bytes read from the readers given to Put (re-reads of a retried Put included).",
		}, []string{"backend"})),
		downloaded: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "downloaded_bytes_total",
			Help: "Bytes delivered by the readers Get returned, added at EOF or Close.",
		}, []string{"backend"})),
		retries: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "retries_total",
			Help: "Retried attempts by backend, operation and the outcome of the failed attempt.",
		}, []string{"backend", "op", "reason"})),
		failovers: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "failovers_total",
			Help: "Attempts sent to another endpoint after a failure.",
		}, []string{"backend", "op"})),
		up: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: ns, Name: "endpoint_up",
			Help: "1 when the endpoint is up, 0 when the failover layer marked it down (set by the call that saw the change).",
		}, []string{"backend", "endpoint"})),
	}
}

// register registers c, or returns the identical collector that an
// earlier wrapper registered, so that wrappers share one registry. Any
// other registration error is a programming error and panics.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	panic("objstore/metrics: " + err.Error())
}
