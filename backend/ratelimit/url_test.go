package ratelimit_test

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/ratelimit"
)

func TestFromURLSplitsOffOurParameters(t *testing.T) {
	cases := []struct {
		in, rest string
		want     ratelimit.Limits
		wrapped  bool
	}{
		{"mem://", "mem://", ratelimit.Limits{}, false},
		{"s3://b?region=eu-west-1", "s3://b?region=eu-west-1", ratelimit.Limits{}, false},
		{"s3://b?region=eu-west-1&read_bytes_per_sec=10MiB", "s3://b?region=eu-west-1",
			ratelimit.Limits{ReadBytes: 10 << 20}, true},
		{"minio://AK:S%2FK@h:9000,h2:9000/b?requests_per_sec=0.5&part_size=16MiB&write_bytes_per_sec=1.5MB/s",
			"minio://AK:S%2FK@h:9000,h2:9000/b?part_size=16MiB", ratelimit.Limits{Requests: 0.5, WriteBytes: 1.5e6}, true},
		{"file:///d?requests_per_sec=20&request_burst=5#frag", "file:///d#frag", ratelimit.Limits{Requests: 20, Burst: 5}, true},
		{"gs://b?write_bytes_per_sec=512K&read_bytes_per_sec=1000000", "gs://b",
			ratelimit.Limits{WriteBytes: 512 << 10, ReadBytes: 1e6}, true},
		{"gs://b?read%5Fbytes%5Fper%5Fsec=2GiB", "gs://b", ratelimit.Limits{ReadBytes: 2 << 30}, true},
		{"mem://x?requests_per_sec=0", "mem://x", ratelimit.Limits{}, true},
		// A password with an unencoded '?' is left alone, as written.
		{"minio://AK:a?b@h/b", "minio://AK:a?b@h/b", ratelimit.Limits{}, false},
	}
	for _, c := range cases {
		rest, wrap, err := ratelimit.FromURL(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.rest, rest, c.in)
		inner := mem.New()
		b := wrap(inner)
		lim, ok := ratelimit.LimiterOf(b)
		assert.Equal(t, c.wrapped, ok, c.in)
		if ok {
			assert.Equal(t, c.want, lim.Limits(), c.in)
			assert.Same(t, inner, b.(backend.Wrapper).Unwrap(), c.in)
		} else {
			assert.Same(t, inner, b, c.in)
		}
	}
}

func TestFromURLRefusesBadValuesNamingTheParameter(t *testing.T) {
	cases := map[string]string{
		"mem://?read_bytes_per_sec=fast":                    `read_bytes_per_sec="fast": not a rate in bytes per second`,
		"mem://?read_bytes_per_sec=-1MiB":                   `read_bytes_per_sec="-1MiB"`,
		"mem://?write_bytes_per_sec=10QB":                   `write_bytes_per_sec="10QB"`,
		"mem://?write_bytes_per_sec=":                       `write_bytes_per_sec="": not a rate`,
		"mem://?requests_per_sec=NaN":                       `requests_per_sec="NaN": not a number of requests per second`,
		"mem://?requests_per_sec=1e3":                       `requests_per_sec="1e3"`,
		"mem://?requests_per_sec=5&requests_per_sec=6":      `requests_per_sec="6": given more than once`,
		"mem://?request_burst=2.5&requests_per_sec=1":       `request_burst="2.5": not a whole number`,
		"mem://?request_burst=3":                            `request_burst needs requests_per_sec`,
		"minio://AK:SECRET@h/b?read_bytes_per_sec=lots":     `"minio://AK:xxxxx@h/b?read_bytes_per_sec=lots"`,
		"s3://b?access_key=XYZSECRET&requests_per_sec=many": `requests_per_sec="many"`,
	}
	for in, want := range cases {
		_, _, err := ratelimit.FromURL(in)
		require.Error(t, err, in)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, in)
		var be *backend.Error
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "open", be.Op)
		assert.Contains(t, err.Error(), want, in)
		assert.NotContains(t, err.Error(), "SECRET", in)

		_, err = objstore.Open(t.Context(), in)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, "objstore.Open: %s", in)
	}
}

// objstore.Open takes the parameters off every URL: the fs driver, which
// refuses unknown parameters, opens the directory, and the client is
// limited.
func TestOpenWithRateLimitParameters(t *testing.T) {
	dir := t.TempDir()
	u := "file://" + filepath.ToSlash(dir) + "?stale_temp_age=1h&requests_per_sec=1000&write_bytes_per_sec=64MiB&read_bytes_per_sec=128MiB"
	c, err := objstore.Open(t.Context(), u)
	require.NoError(t, err)
	defer c.Close()
	lim, ok := ratelimit.LimiterOf(c.Backend())
	require.True(t, ok)
	assert.Equal(t, ratelimit.Limits{Requests: 1000, WriteBytes: 64 << 20, ReadBytes: 128 << 20}, lim.Limits())
	_, err = c.PutObject(t.Context(), "a", bytes.NewReader([]byte("hello")), nil)
	require.NoError(t, err)
	rc, err := c.GetObject(t.Context(), "a")
	require.NoError(t, err)
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	rc.Close()
	assert.Equal(t, "hello", string(data))

	// Without parameters, nothing is wrapped.
	c2, err := objstore.Open(t.Context(), "file://"+filepath.ToSlash(dir))
	require.NoError(t, err)
	defer c2.Close()
	_, ok = ratelimit.LimiterOf(c2.Backend())
	assert.False(t, ok)

	// A misspelt parameter reaches the driver, which names it.
	_, err = objstore.Open(t.Context(), "file://"+filepath.ToSlash(dir)+"?read_byte_per_sec=1MiB")
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "read_byte_per_sec")
}

// The limits of a URL hold, and change at run time through LimiterOf.
func TestURLLimitsHold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := objstore.Open(t.Context(), "mem://?write_bytes_per_sec=100KiB&requests_per_sec=2")
		require.NoError(t, err)
		defer c.Close()
		data := bytes.Repeat([]byte("x"), 300<<10)
		start := time.Now()
		_, err = c.PutObject(t.Context(), "big", bytes.NewReader(data), nil)
		require.NoError(t, err)
		assert.InDelta(t, 3.0, time.Since(start).Seconds(), 0.6, "300 KiB at 100 KiB/s")

		lim, ok := ratelimit.LimiterOf(c.Backend())
		require.True(t, ok)
		lim.SetLimits(ratelimit.Limits{})
		start = time.Now()
		for range 20 {
			_, err := c.StatObject(t.Context(), "big")
			require.NoError(t, err)
		}
		assert.Equal(t, time.Duration(0), time.Since(start), "no limit any more")
	})
}

// LimiterOf finds the limiter under other wrappers, and not where there
// is none.
func TestLimiterOf(t *testing.T) {
	b, lim := ratelimit.New(mem.New(), ratelimit.Options{Limits: ratelimit.Limits{Requests: 3}})
	got, ok := ratelimit.LimiterOf(b)
	require.True(t, ok)
	assert.Same(t, lim, got)
	outer, outerLim := ratelimit.New(b, ratelimit.Options{})
	got, ok = ratelimit.LimiterOf(outer)
	require.True(t, ok)
	assert.Same(t, outerLim, got, "the outermost one")
	_, ok = ratelimit.LimiterOf(mem.New())
	assert.False(t, ok)
	_, ok = ratelimit.LimiterOf(nil)
	assert.False(t, ok)
}
