package failover_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/internal/storeurl"
)

func TestRetryApplyTo(t *testing.T) {
	r := failover.Retry{MaxAttempts: 3, MaxElapsed: time.Minute, AttemptTimeout: 2 * time.Second,
		StallTimeout: 9 * time.Second, BaseDelay: time.Millisecond, MaxDelay: time.Second}
	check := func(string, string) error { return nil }
	c := failover.Config{CheckKey: check, ReprobeMin: time.Hour}
	r.ApplyTo(&c)
	assert.Equal(t, 3, c.MaxAttempts)
	assert.Equal(t, time.Minute, c.MaxElapsed)
	assert.Equal(t, 2*time.Second, c.AttemptTimeout)
	assert.Equal(t, 9*time.Second, c.StallTimeout)
	assert.Equal(t, time.Millisecond, c.BaseDelay)
	assert.Equal(t, time.Second, c.MaxDelay)
	assert.Equal(t, time.Hour, c.ReprobeMin, "other fields are left alone")
	assert.NotNil(t, c.CheckKey)

	// New uses the settings: a Retry-built Config with its own Resolve
	// and Open opens.
	c.Resolve = func(context.Context) ([]string, error) { return []string{"one"}, nil }
	c.Open = func(context.Context, string) (backend.Backend, error) { return nil, nil }
	c.ReprobeMin = 0
	b, err := failover.New(t.Context(), c)
	require.NoError(t, err)
	require.NoError(t, b.Close())
}

func TestRetryValidate(t *testing.T) {
	require.NoError(t, failover.Retry{}.Validate(), "zero: the defaults")
	require.NoError(t, failover.Retry{MaxAttempts: 1, BaseDelay: time.Second, MaxDelay: time.Second}.Validate())
	for name, r := range map[string]failover.Retry{
		"MaxAttempts":    {MaxAttempts: -1},
		"MaxElapsed":     {MaxElapsed: -1},
		"AttemptTimeout": {AttemptTimeout: -time.Second},
		"StallTimeout":   {StallTimeout: -time.Second},
		"BaseDelay":      {BaseDelay: -1},
		"MaxDelay":       {BaseDelay: time.Second, MaxDelay: time.Millisecond},
	} {
		err := r.Validate()
		require.ErrorIs(t, err, backend.ErrInvalidArgument, name)
		assert.Contains(t, err.Error(), name, name)
	}
}

func TestRetryParams(t *testing.T) {
	assert.Equal(t, []string{"attempt_timeout", "max_attempts", "max_elapsed", "stall_timeout"}, failover.RetryParams())
}

func TestRetryParseQuery(t *testing.T) {
	q, err := url.ParseQuery("max_attempts=3&attempt_timeout=2s&stall_timeout=1m30s&max_elapsed=1m&region=eu&other=x")
	require.NoError(t, err)
	var r failover.Retry
	require.NoError(t, r.ParseQuery(q), "other parameters are the driver's")
	assert.Equal(t, failover.Retry{MaxAttempts: 3, AttemptTimeout: 2 * time.Second, StallTimeout: 90 * time.Second, MaxElapsed: time.Minute}, r)

	r = failover.Retry{MaxAttempts: 7}
	require.NoError(t, r.ParseQuery(url.Values{}))
	assert.Equal(t, failover.Retry{MaxAttempts: 7}, r, "absent parameters leave the fields alone")

	for raw, want := range map[string]string{
		"max_attempts=0":               `max_attempts="0": must be a whole number greater than 0`,
		"max_attempts=-1":              `max_attempts="-1": must be a whole number greater than 0`,
		"max_attempts=x":               `max_attempts="x": must be a whole number greater than 0`,
		"max_attempts=":                `max_attempts="": must be a whole number greater than 0`,
		"attempt_timeout=0":            `attempt_timeout="0": must be a duration greater than 0`,
		"stall_timeout=-1s":            `stall_timeout="-1s": must be a duration greater than 0`,
		"max_elapsed=10":               `max_elapsed="10": must be a duration greater than 0`,
		"max_elapsed=x&max_attempts=x": `max_attempts="x"`, // the first by name
	} {
		q, err := url.ParseQuery(raw)
		require.NoError(t, err)
		var r failover.Retry
		err = r.ParseQuery(q)
		require.Error(t, err, raw)
		assert.Contains(t, err.Error(), want, raw)
	}
}

// TestRetryURLParams: the setters fit storeurl.Form.Parse, whose errors
// name the parameter and the URL.
func TestRetryURLParams(t *testing.T) {
	form := storeurl.Form{Scheme: "xs", Driver: "xdrv", Name: "bucket", Credentials: "none"}
	parse := func(raw string) (failover.Retry, error) {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		var r failover.Retry
		params := map[string]storeurl.Param{}
		for name, set := range r.URLParams() {
			params[name] = set
		}
		_, err = form.Parse(u, params)
		return r, err
	}
	r, err := parse("xs://b?max_attempts=2&max_elapsed=5m&attempt_timeout=500ms&stall_timeout=3s")
	require.NoError(t, err)
	assert.Equal(t, failover.Retry{MaxAttempts: 2, MaxElapsed: 5 * time.Minute, AttemptTimeout: 500 * time.Millisecond, StallTimeout: 3 * time.Second}, r)

	_, err = parse("xs://b?stall_timeout=soon")
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), `query parameter stall_timeout="soon": must be a duration greater than 0`)
	_, err = parse("xs://b?base_delay=1s")
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.True(t, strings.Contains(err.Error(), "unknown query parameter"), err.Error())
}
