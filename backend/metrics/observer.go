package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/objstore-dev/objstore/backend"
)

// FailoverObserver implements failover.Observer (by its method set; this
// package does not import failover): it counts retries and failovers and
// keeps a gauge of endpoint health. It is safe for concurrent use.
type FailoverObserver struct {
	name string
	m    observerMetrics
}

// Observer returns a failover.Observer whose metrics are registered on reg
// (nil means prometheus.DefaultRegisterer), labelled backend="failover"
// unless WithName says otherwise. Give it to failover.Config.Observer.
//
// objstore_endpoint_up of an endpoint appears at its first change of
// state: the failover layer reports changes, not the initial state.
func Observer(reg prometheus.Registerer, opts ...Option) *FailoverObserver {
	c := newConfig(opts)
	if reg == nil {
		reg = prometheus.DefaultRegisterer
	}
	if c.name == "" {
		c.name = "failover"
	}
	return &FailoverObserver{name: c.name, m: newObserverMetrics(reg, c.namespace)}
}

// Retry counts one retry of op, labelled with the outcome of the failed
// attempt.
func (o *FailoverObserver) Retry(_ context.Context, op, _, _ string, _ int, err error) {
	o.m.retries.WithLabelValues(o.name, op, Outcome(err)).Inc()
}

// Failover counts one switch of op to another endpoint.
func (o *FailoverObserver) Failover(_ context.Context, op, _, _, _ string, _ error) {
	o.m.failovers.WithLabelValues(o.name, op).Inc()
}

// EndpointState sets objstore_endpoint_up of endpoint to 1 or 0.
func (o *FailoverObserver) EndpointState(endpoint string, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	o.m.up.WithLabelValues(o.name, backend.Redact(endpoint)).Set(v)
}
