package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/objstore-dev/objstore/backend/ratelimit"
)

// RateLimitCollector returns a prometheus.Collector of a rate limiter
// (package backend/ratelimit): its waits, its pauses after busy answers
// and its current limits, read from lim.Stats and lim.Limits at each
// scrape (nothing is counted on the request path). Register it yourself:
//
//	lim, _ := ratelimit.LimiterOf(client.Backend()) // or the Limiter of ratelimit.New
//	reg.MustRegister(metrics.RateLimitCollector(lim, metrics.WithName("captures")))
//
// Its series carry the label backend (WithName; default "ratelimit"), so
// that the collectors of several limiters, with different names, share a
// registry; two with the same name collide (prometheus.AlreadyRegisteredError).
// With the default namespace:
//
//	objstore_ratelimit_waits_total{backend}                  counter: calls and body reads that waited
//	objstore_ratelimit_wait_seconds_total{backend}           counter: their total wait
//	objstore_ratelimit_backoffs_total{backend,source}        counter: busy answers that paused every request;
//	                                                          source is retry_after (the answer's Retry-After) or exponential
//	objstore_ratelimit_backoff_seconds_total{backend}        counter: the sum of those pauses
//	objstore_ratelimit_limit{backend,limit}                  gauge: the current limit per second of requests,
//	                                                          read_bytes and write_bytes; 0 is no limit
func RateLimitCollector(lim *ratelimit.Limiter, opts ...Option) prometheus.Collector {
	c := newConfig(opts)
	if c.name == "" {
		c.name = "ratelimit"
	}
	labels := prometheus.Labels{"backend": c.name}
	desc := func(name, help string, variable ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(c.namespace, "ratelimit", name), help, variable, labels)
	}
	return &rateLimitCollector{
		lim:         lim,
		waits:       desc("waits_total", "Calls and body reads that waited for a rate-limit token or for a pause after a busy answer."),
		waited:      desc("wait_seconds_total", "Total time calls and body reads waited for rate-limit tokens and pauses."),
		backoffs:    desc("backoffs_total", "Busy answers (429, 503, SlowDown) that paused every request, by where the pause came from.", "source"),
		backoffSecs: desc("backoff_seconds_total", "Sum of the pauses after busy answers."),
		limit:       desc("limit", "Current rate limit per second (requests, read_bytes, write_bytes); 0 is no limit.", "limit"),
	}
}

type rateLimitCollector struct {
	lim                                         *ratelimit.Limiter
	waits, waited, backoffs, backoffSecs, limit *prometheus.Desc
}

// Describe sends the descriptors of every series.
func (c *rateLimitCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.waits, c.waited, c.backoffs, c.backoffSecs, c.limit} {
		ch <- d
	}
}

// Collect reads the limiter's totals and limits.
func (c *rateLimitCollector) Collect(ch chan<- prometheus.Metric) {
	st, l := c.lim.Stats(), c.lim.Limits()
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter(c.waits, float64(st.Waits))
	counter(c.waited, st.Waited.Seconds())
	counter(c.backoffs, float64(st.RetryAfter), "retry_after")
	counter(c.backoffs, float64(st.Pauses-st.RetryAfter), "exponential")
	counter(c.backoffSecs, st.PausedBy.Seconds())
	gauge(c.limit, l.Requests, "requests")
	gauge(c.limit, l.ReadBytes, "read_bytes")
	gauge(c.limit, l.WriteBytes, "write_bytes")
}
