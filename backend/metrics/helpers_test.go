package metrics_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// sample returns the value of the series name{labels} in g (a counter's
// or gauge's value, a histogram's sample count) and whether it exists.
// labels must name every label of the series.
func sample(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	mfs, err := g.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; !ok || v != lp.GetValue() {
					continue series
				}
			}
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue(), true
			case m.Gauge != nil:
				return m.GetGauge().GetValue(), true
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount()), true
			}
		}
	}
	return 0, false
}

// value is sample for a series that must exist.
func value(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	v, ok := sample(t, g, name, labels)
	require.Truef(t, ok, "no series %s%v", name, labels)
	return v
}

// ops is the value of objstore_operations_total for backend "b".
func ops(t *testing.T, g prometheus.Gatherer, op, outcome string) float64 {
	t.Helper()
	v, _ := sample(t, g, "objstore_operations_total", map[string]string{"backend": "b", "op": op, "outcome": outcome})
	return v
}
