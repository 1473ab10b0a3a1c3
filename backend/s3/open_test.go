package s3_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
)

// TestCallerClient checks that a caller's *s3.Client is used as it is,
// with New and NewDriver.
func TestCallerClient(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		bucket := srv.newBucket(t)
		client := s3.New(s3.Options{
			Region:       srv.region,
			BaseEndpoint: aws.String(srv.url),
			UsePathStyle: true,
			Credentials:  srv.creds(),
		})
		b, err := s3drv.New(t.Context(), s3drv.Config{Bucket: bucket, Client: client})
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		_, err = b.Put(t.Context(), "via/caller", strings.NewReader("hello"), backend.PutOptions{Size: 5})
		require.NoError(t, err)
		assert.Equal(t, "hello", string(getAll(t, b, "via/caller")))
		su, err := url.Parse(b.(interface{ String() string }).String())
		require.NoError(t, err)
		assert.Equal(t, "s3://"+bucket, su.Scheme+"://"+su.Host)
		assert.Equal(t, srv.url, su.Query().Get("endpoint"))
		assert.Equal(t, "true", su.Query().Get("path_style"))

		d, err := s3drv.NewDriver(t.Context(), s3drv.Config{Bucket: bucket, Client: client})
		require.NoError(t, err)
		t.Cleanup(func() { d.Close() })
		assert.Same(t, client, d.Client())
		assert.Equal(t, "hello", string(getAll(t, d, "via/caller")))

		_, err = s3drv.NewDriver(t.Context(), s3drv.Config{Bucket: bucket, Client: client, Endpoint: srv.url})
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, "Client and Endpoint together are ambiguous")
	})
}

// TestEnvironmentCredentials opens stores with the credentials of the
// standard AWS environment variables, by typed constructor and by URL
// (which also creates the bucket).
func TestEnvironmentCredentials(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		t.Setenv("AWS_ACCESS_KEY_ID", srv.accessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", srv.secretKey)
		t.Setenv("AWS_REGION", srv.region)

		cfg := srv.config(srv.newBucket(t))
		cfg.Credentials, cfg.Region = nil, ""
		b, err := s3drv.New(t.Context(), cfg)
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		_, err = b.Put(t.Context(), "env", strings.NewReader("env"), backend.PutOptions{Size: 3})
		require.NoError(t, err)

		q := url.Values{"endpoint": {srv.url}, "path_style": {"true"}, "create_bucket": {"true"}, "part_size": {"5MiB"}}
		raw := "s3://made-by-url?" + q.Encode()
		u, err := backend.Open(t.Context(), raw)
		require.NoError(t, err)
		t.Cleanup(func() { u.Close() })
		_, err = u.Put(t.Context(), "url", strings.NewReader("url"), backend.PutOptions{Size: 3})
		require.NoError(t, err, "the URL must create its bucket")
		assert.True(t, srv.objectExists(t, "made-by-url", "url"))
		s := u.(interface{ String() string }).String()
		assert.Contains(t, s, "s3://made-by-url")
		assert.NotContains(t, s, srv.secretKey)

		// Opening again: the bucket exists, which is fine.
		again, err := backend.Open(t.Context(), raw)
		require.NoError(t, err)
		require.NoError(t, again.Close())

		t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
		bad, err := s3drv.NewDriver(t.Context(), cfg)
		require.NoError(t, err)
		t.Cleanup(func() { bad.Close() })
		_, err = bad.Stat(t.Context(), "env")
		assert.ErrorIs(t, err, backend.ErrPermission)
	})
}

// TestParseURL checks the URL parameters without a server.
func TestParseURL(t *testing.T) {
	u, _ := url.Parse("s3://bkt?region=eu-west-1&endpoint=http://127.0.0.1:9000&path_style=true&part_size=16MiB&concurrency=3&create_bucket=1&max_attempts=2&attempt_timeout=3s&stall_timeout=1m&max_elapsed=90s")
	cfg, err := s3drv.ParseURL(u)
	require.NoError(t, err)
	assert.Equal(t, "bkt", cfg.Bucket)
	assert.Equal(t, "eu-west-1", cfg.Region)
	assert.Equal(t, "http://127.0.0.1:9000", cfg.Endpoint)
	assert.True(t, cfg.PathStyle)
	assert.True(t, cfg.CreateBucket)
	assert.EqualValues(t, 16<<20, cfg.PartSize)
	assert.Equal(t, 3, cfg.Concurrency)
	assert.Equal(t, 2, cfg.Retry.MaxAttempts)
	assert.Equal(t, "3s", cfg.Retry.AttemptTimeout.String())
	assert.Equal(t, "1m0s", cfg.Retry.StallTimeout.String())
	assert.Equal(t, "1m30s", cfg.Retry.MaxElapsed.String())

	for _, bad := range []string{
		"s3://",                                                // no bucket
		"s3://bkt/some/path",                                   // a path
		"s3://bkt?regoin=x",                                    // a typo
		"s3://bkt?path_style=maybe",                            // not a bool
		"s3://bkt?part_size=lots",                              // not a size
		"s3://bkt?part_size=1MiB",                              // below 5 MiB (checked by New)
		"s3://bkt?concurrency=-1",                              // negative
		"s3://bkt?region=a&region=b",                           // twice
		"s3://bkt?endpoint=ftp://host",                         // not http(s) (checked by New)
		"s3://AKIDEXAMPLE:s3cr3tpa55@bkt",                      // credentials in the URL
		"s3://bkt?endpoint=http://u:s3cr3tpa55@127.0.0.1:9000", // in the endpoint
	} {
		_, err := backend.Open(context.Background(), bad)
		require.Error(t, err, bad)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, bad)
		assert.NotContains(t, err.Error(), "s3cr3tpa55", "the error shows a password")
	}
}

// TestConfigErrors checks what New refuses before any request.
func TestConfigErrors(t *testing.T) {
	for name, cfg := range map[string]s3drv.Config{
		"no bucket":         {},
		"bucket with slash": {Bucket: "a/b"},
		"part size too big": {Bucket: "b", PartSize: s3drv.MaxPartSize + 1},
		"negative retries":  {Bucket: "b", Retry: failover.Retry{MaxAttempts: -1}},
		"relative endpoint": {Bucket: "b", Endpoint: "127.0.0.1:9000"},
		"negative timeout":  {Bucket: "b", Retry: failover.Retry{AttemptTimeout: -1}},
	} {
		_, err := s3drv.New(context.Background(), cfg)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, name)
	}
}
