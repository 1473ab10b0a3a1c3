package s3_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
)

// TestErrors checks that the SDK's errors map to the sentinels, name the
// operation and the key, keep the SDK error reachable with errors.As, and
// never show the secret key.
func TestErrors(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		d, _ := srv.openRaw(t)
		ctx := t.Context()

		_, err := d.Stat(ctx, "missing/key")
		requireKind(t, err, backend.ErrNotFound, "stat", "missing/key")
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "NotFound", apiErr.ErrorCode())
		var respErr *awshttp.ResponseError
		require.ErrorAs(t, err, &respErr)
		assert.Equal(t, 404, respErr.HTTPStatusCode())

		_, _, err = d.Get(ctx, "missing/key", backend.WholeObject)
		requireKind(t, err, backend.ErrNotFound, "get", "missing/key")
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "NoSuchKey", apiErr.ErrorCode())

		_, _, err = d.Get(ctx, "missing/key", backend.GetOptions{Offset: 5, Length: 5})
		requireKind(t, err, backend.ErrNotFound, "get", "missing/key")
		assert.NoError(t, d.Remove(ctx, "missing/key"), "removing a missing key is not an error")

		// Wrong secret: ErrPermission, and the secret is nowhere.
		const wrongSecret = "wrong-secret-0123456789abcdef"
		cfg := srv.config(srv.newBucket(t))
		cfg.Credentials = credentials.NewStaticCredentialsProvider(srv.accessKey, wrongSecret, "")
		bad, err := s3drv.NewDriver(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(func() { bad.Close() })
		_, err = bad.Put(ctx, "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
		requireKind(t, err, backend.ErrPermission, "put", "k")
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, []string{"SignatureDoesNotMatch", "AccessDenied"}, apiErr.ErrorCode())
		assert.NotContains(t, err.Error(), wrongSecret)
		assert.NotContains(t, err.Error(), srv.secretKey)

		// A missing bucket is ErrNotFound too, with the server's code.
		cfg = srv.config("no-such-bucket-here")
		nb, err := s3drv.NewDriver(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(func() { nb.Close() })
		_, err = nb.Put(ctx, "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
		requireKind(t, err, backend.ErrNotFound, "put", "k")
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "NoSuchBucket", apiErr.ErrorCode())
		assert.Error(t, nb.Remove(ctx, "k"), "Remove in a missing bucket is an error, not a missing key")
	})
}

// TestUnreachable checks that a server that refuses connections is
// ErrUnavailable, with the network error reachable.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now
	d, err := s3drv.NewDriver(t.Context(), s3drv.Config{
		Bucket: "b", Endpoint: "http://" + addr, PathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("ak", "sk", ""),
	})
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	_, err = d.Stat(t.Context(), "k")
	requireKind(t, err, backend.ErrUnavailable, "stat", "k")
	var opErr *net.OpError
	assert.ErrorAs(t, err, &opErr)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = d.Stat(ctx, "k")
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, backend.ErrUnavailable, "the caller's own cancellation is not an outage")
}

// requireKind checks the sentinel and that the error is a *backend.Error
// naming op and key.
func requireKind(t *testing.T, err, kind error, op, key string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kind)
	var be *backend.Error
	require.True(t, errors.As(err, &be), "%T is not a *backend.Error", err)
	assert.Equal(t, op, be.Op)
	assert.Equal(t, key, be.Key)
	assert.Contains(t, err.Error(), key)
}
