package failover

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/storeurl"
)

// Retry holds the retry settings of a network driver's New (minio, s3,
// gcs, azblob): every driver's Config has them as its field Retry, and
// every driver's URL takes the same four query parameters (RetryParams).
// Zero fields take the failover defaults (the Default... constants); see
// Config for what each one bounds.
type Retry struct {
	// MaxAttempts is the total number of attempts of one operation
	// (default 5). URL: max_attempts=N.
	MaxAttempts int
	// MaxElapsed: no retry starts once this has passed since the first
	// attempt began (default 60s). URL: max_elapsed=1m.
	MaxElapsed time.Duration
	// AttemptTimeout bounds one attempt of a metadata operation, and the
	// time until a Get has its answer or a Put's body starts to be read
	// (default 10s). URL: attempt_timeout=10s.
	AttemptTimeout time.Duration
	// StallTimeout aborts a transfer without progress for this long
	// (default 30s); it must be longer than a driver needs to send one
	// part or chunk of an upload. URL: stall_timeout=30s.
	StallTimeout time.Duration
	// BaseDelay and MaxDelay shape the jittered exponential backoff
	// between retries (defaults 50ms and 2s). Not URL parameters.
	BaseDelay, MaxDelay time.Duration
}

// ApplyTo copies r into the retry fields of c (MaxAttempts, MaxElapsed,
// AttemptTimeout, StallTimeout, BaseDelay, MaxDelay); c's other fields
// are left as they are.
func (r Retry) ApplyTo(c *Config) {
	c.MaxAttempts = r.MaxAttempts
	c.MaxElapsed = r.MaxElapsed
	c.AttemptTimeout = r.AttemptTimeout
	c.StallTimeout = r.StallTimeout
	c.BaseDelay = r.BaseDelay
	c.MaxDelay = r.MaxDelay
}

// Validate reports, as New would, a negative setting or a MaxDelay
// shorter than BaseDelay: an ErrInvalidArgument for "open", so that a
// driver can refuse its Config before any request.
func (r Retry) Validate() error {
	c := Config{
		Resolve: func(context.Context) ([]string, error) { return nil, nil },
		Open:    func(context.Context, string) (backend.Backend, error) { return nil, nil },
	}
	r.ApplyTo(&c)
	_, err := c.withDefaults()
	return err
}

// RetryParams returns the names of the URL query parameters that set a
// Retry, sorted: attempt_timeout, max_attempts, max_elapsed,
// stall_timeout. A driver adds them to the parameters its URLs accept.
func RetryParams() []string {
	return slices.Sorted(maps.Keys((&Retry{}).URLParams()))
}

// URLParams returns, for each URL query parameter of Retry, the function
// that sets r's field from the parameter's value: max_attempts a whole
// number greater than 0, max_elapsed, attempt_timeout and stall_timeout a
// duration greater than 0 such as 30s or 1m30s (leave a parameter out for
// the default). The functions fit storeurl.Form.Parse; ParseQuery uses
// them for the drivers that read their query themselves.
func (r *Retry) URLParams() map[string]func(value string) error {
	return map[string]func(string) error{
		"max_attempts":    storeurl.PositiveInt(&r.MaxAttempts),
		"max_elapsed":     positiveDuration(&r.MaxElapsed),
		"attempt_timeout": positiveDuration(&r.AttemptTimeout),
		"stall_timeout":   positiveDuration(&r.StallTimeout),
	}
}

// ParseQuery sets r from the retry parameters of q (RetryParams), in the
// order of their names, and ignores every other parameter: checking that
// the query holds only known parameters, each given once, is the
// driver's. The error names the first parameter that does not parse, with
// its value redacted (backend.Redact).
func (r *Retry) ParseQuery(q url.Values) error {
	params := r.URLParams()
	for _, name := range slices.Sorted(maps.Keys(params)) {
		if _, ok := q[name]; !ok {
			continue
		}
		v := q.Get(name)
		if err := params[name](v); err != nil {
			return fmt.Errorf("%s=%q: %w", name, backend.Redact(v), err)
		}
	}
	return nil
}

// positiveDuration is a URL parameter setter for a duration greater
// than 0.
func positiveDuration(dst *time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("must be a duration greater than 0, such as 30s or 1m30s")
		}
		*dst = d
		return nil
	}
}
