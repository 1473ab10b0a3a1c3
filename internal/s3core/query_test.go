package s3core_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/internal/s3core"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"5242880": 5 << 20,
		"16MiB":   16 << 20,
		"16MB":    16 << 20, // binary, as K and M alone
		"16M":     16 << 20,
		"1GiB":    1 << 30,
		"1G":      1 << 30,
		"64KB":    64 << 10,
		"64K":     64 << 10,
		"100B":    100, // the minio driver's parser took "B", the s3 driver's did not
		" 8MiB ":  8 << 20,
		"8 MiB":   8 << 20,
		"1":       1,
	} {
		got, err := s3core.ParseSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{
		"", "0", "0B", "0MiB", // zero: the s3 driver's parser took it, the minio driver's did not
		"-1MiB", "+5", "lots", "MiB", "1.5MiB", "16mib", "16 M B", "1e6",
		"99999999999999999GiB", "9223372036854775807",
	} {
		_, err := s3core.ParseSize(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestQuery(t *testing.T) {
	known := []string{"b", "n", "d", "size", "s"}
	q, err := s3core.NewQuery(url.Values{"b": {"true"}, "n": {"3"}, "d": {"1m30s"}, "size": {"16MiB"}, "s": {"x"}}, known)
	require.NoError(t, err)
	var (
		b    bool
		n    int
		d    time.Duration
		size int64
	)
	q.Bool("b", &b)
	q.Count("n", &n)
	q.Duration("d", &d)
	q.Size("size", &size)
	require.NoError(t, q.Err())
	assert.True(t, b)
	assert.Equal(t, 3, n)
	assert.Equal(t, 90*time.Second, d)
	assert.EqualValues(t, 16<<20, size)
	assert.Equal(t, "x", q.Get("s"))

	// An absent parameter leaves the destination alone.
	q, err = s3core.NewQuery(url.Values{}, known)
	require.NoError(t, err)
	n = 7
	q.Count("n", &n)
	require.NoError(t, q.Err())
	assert.Equal(t, 7, n)

	for values, want := range map[string]string{
		"colour=red":          `unknown query parameter "colour" (known: b, n, d, size, s)`,
		"n=1&n=2":             `query parameter "n" is given 2 times`,
		"b=maybe":             `b="maybe" is not true or false`,
		"n=-1":                `n="-1" is not a whole number of 0 or more`,
		"n=two":               `n="two" is not a whole number`,
		"d=-1s":               `d="-1s" is not a duration`,
		"d=10":                `d="10" is not a duration`,
		"size=0":              `size="0" is not a size`,
		"size=big":            `size="big" is not a size`,
		"b=maybe&n=-1":        `b="maybe"`, // the first problem
		"d=http://u:SECRET@h": `d="http://u:xxxxx@h"`,
	} {
		v, perr := url.ParseQuery(values)
		require.NoError(t, perr)
		q, err := s3core.NewQuery(v, known)
		if err == nil {
			q.Bool("b", &b)
			q.Count("n", &n)
			q.Duration("d", &d)
			q.Size("size", &size)
			err = q.Err()
		}
		require.Error(t, err, values)
		assert.Contains(t, err.Error(), want, values)
		assert.NotContains(t, err.Error(), "SECRET", values)
	}
}
