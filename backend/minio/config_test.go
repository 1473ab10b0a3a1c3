package minio_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

func TestParseURL(t *testing.T) {
	cfg, err := minio.ParseURL("minio://AK:S%2Fecret@h1:9000,h2:9000,h3:9000/my-bucket?secure=true&region=eu-1&part_size=32MiB" +
		"&create_bucket=true&ca_file=/etc/ca.pem&concurrency=2&max_attempts=3&attempt_timeout=2s&stall_timeout=9s&max_elapsed=1m")
	require.NoError(t, err)
	assert.Equal(t, []string{"h1:9000", "h2:9000", "h3:9000"}, cfg.Endpoints)
	assert.Equal(t, "AK", cfg.AccessKey)
	assert.Equal(t, "S/ecret", cfg.SecretKey, "percent-encoded secret")
	assert.Equal(t, "my-bucket", cfg.Bucket)
	assert.True(t, cfg.Secure)
	assert.True(t, cfg.CreateBucket)
	assert.Equal(t, "eu-1", cfg.Region)
	assert.EqualValues(t, 32<<20, cfg.PartSize)
	assert.Equal(t, "/etc/ca.pem", cfg.CAFile)
	assert.Equal(t, 2, cfg.Concurrency)
	assert.Equal(t, 3, cfg.Retry.MaxAttempts)
	assert.Equal(t, 2*time.Second, cfg.Retry.AttemptTimeout)
	assert.Equal(t, 9*time.Second, cfg.Retry.StallTimeout)
	assert.Equal(t, time.Minute, cfg.Retry.MaxElapsed)
	assert.NotContains(t, cfg.String(), "ecret")
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg), "ecret")

	for _, bad := range []string{
		"minio://AK:SECRETXYZ@h:9000/",                    // no bucket
		"minio://AK:SECRETXYZ@h:9000/b/c/d",               // not a bucket
		"minio://AK:SECRETXYZ@/bucket",                    // no endpoint
		"minio://AK:SECRETXYZ@h:9000/bucket?secure=maybe", // not a bool
		"minio://AK:SECRETXYZ@h:9000/bucket?part_size=big",
		"minio://AK:SECRETXYZ@h:9000/bucket?colour=red", // unknown parameter
		"minio://AK:@h:9000/bucket",                     // half a credential
		"minio://AK:SECRETXYZ@h:9000/bucket?secure=1&secure=0",
		"minio://AK:SECRETXYZ@h:9000/bucket?max_attempts=0", // 0 is no count: leave it out for the default
	} {
		_, err := minio.ParseURL(bad)
		require.Error(t, err, bad)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, bad)
		assert.NotContains(t, err.Error(), "SECRETXYZ", bad)
	}
	// Configuration errors of Open too.
	for _, bad := range []string{
		"minio://AK:SECRETXYZ@h:9000/bucket?part_size=1MiB", // under 5 MiB
		"minio://AK:SECRETXYZ@h:9000/Bad_Bucket",
		"minio://AK:SECRETXYZ@h:9000/bucket?concurrency=99",
	} {
		_, err := backend.Open(context.Background(), bad)
		require.ErrorIs(t, err, backend.ErrInvalidArgument, bad)
		assert.NotContains(t, err.Error(), "SECRETXYZ", bad)
	}
}

// TestOpenURL opens a store by URL, with the credentials in the URL and
// from each pair of environment variables, and checks that wrong
// credentials are ErrPermission.
func TestOpenURL(t *testing.T) {
	srv := testserver.StartMinIO(t)
	ctx := context.Background()
	bucket := bucketName(t)
	adm := admin(t, srv)
	t.Cleanup(func() { dropBucket(t, adm, bucket) })
	// Neither pair set: the URL's credentials must be the ones used.
	for _, v := range []string{minio.EnvRootUser, minio.EnvRootPassword, minio.EnvAccessKey, minio.EnvSecretKey} {
		t.Setenv(v, "")
	}
	use := func(rawURL, key string) error {
		b, err := backend.Open(ctx, rawURL)
		if err != nil {
			return err
		}
		defer b.Close()
		if _, err := b.Put(ctx, key, strings.NewReader(key), backend.PutOptions{Size: int64(len(key))}); err != nil {
			return err
		}
		rc, _, err := b.Get(ctx, key, backend.WholeObject)
		if err != nil {
			return err
		}
		assert.Equal(t, key, string(readAll(t, rc)))
		return nil
	}
	withCreds := fmt.Sprintf("minio://%s:%s@%s/%s?create_bucket=true", url.PathEscape(srv.AccessKey), url.PathEscape(srv.SecretKey), srv.Endpoint, bucket)
	require.NoError(t, use(withCreds, "from-url"))

	noCreds := fmt.Sprintf("minio://%s/%s", srv.Endpoint, bucket)
	t.Setenv(minio.EnvAccessKey, srv.AccessKey)
	t.Setenv(minio.EnvSecretKey, srv.SecretKey)
	require.NoError(t, use(noCreds, "from-access-key-env"))

	t.Setenv(minio.EnvRootUser, srv.AccessKey)
	t.Setenv(minio.EnvRootPassword, srv.SecretKey)
	t.Setenv(minio.EnvSecretKey, "wrong-secret")
	require.NoError(t, use(noCreds, "from-root-env"), "MINIO_ROOT_* wins over MINIO_ACCESS_KEY")

	t.Setenv(minio.EnvRootPassword, "wrong-secret")
	err := use(noCreds, "wrong")
	require.ErrorIs(t, err, backend.ErrPermission)
	assert.NotContains(t, err.Error(), "wrong-secret")
}

// TestSecretsStayHidden looks for the secret key in everything a user may
// print or log: String and GoString of the backends and the Config, errors
// of every kind, and presigned URLs.
func TestSecretsStayHidden(t *testing.T) {
	srv := testserver.StartMinIO(t)
	ctx := context.Background()
	cfg := baseConfig(t, srv)
	dead := deadEndpoint(t)
	cfg.Endpoints = []string{dead, srv.Endpoint}
	cfg.Retry.AttemptTimeout = 2 * time.Second
	b, err := minio.New(ctx, cfg)
	require.NoError(t, err)
	defer b.Close()
	d, err := minio.NewEndpoint(ctx, cfg, srv.Endpoint)
	require.NoError(t, err)
	defer d.Close()

	var seen []string
	seen = append(seen, fmt.Sprintf("%v|%+v|%#v|%s", b, b, b, b), fmt.Sprintf("%v|%+v|%#v|%s", d, d, d, d),
		fmt.Sprintf("%v|%+v|%#v", cfg, cfg, cfg))
	// Traffic over both endpoints.
	for i := range 4 {
		_, err := b.Put(ctx, fmt.Sprintf("k%d", i), strings.NewReader("v"), backend.PutOptions{Size: 1})
		require.NoError(t, err)
	}
	_, err = b.Stat(ctx, "missing")
	require.ErrorIs(t, err, backend.ErrNotFound)
	seen = append(seen, err.Error())
	url, err := d.Presign(ctx, http.MethodGet, "k0", time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	seen = append(seen, url)

	wrong := cfg
	wrong.SecretKey = "x" + srv.SecretKey
	wrong.Endpoints = []string{srv.Endpoint}
	wrong.CreateBucket = false
	wd, err := minio.NewEndpoint(ctx, wrong, srv.Endpoint)
	require.NoError(t, err)
	defer wd.Close()
	_, err = wd.Stat(ctx, "k0")
	require.ErrorIs(t, err, backend.ErrPermission)
	seen = append(seen, err.Error(), fmt.Sprintf("%+v %#v", err, err))
	_, err = wd.List(ctx, backend.ListOptions{})
	require.ErrorIs(t, err, backend.ErrPermission)
	seen = append(seen, err.Error())

	gone := cfg
	gone.Endpoints = []string{dead}
	gone.CreateBucket = false
	gd, err := minio.NewEndpoint(ctx, gone, dead)
	require.NoError(t, err)
	defer gd.Close()
	_, err = gd.Put(ctx, "k", strings.NewReader("v"), backend.PutOptions{Size: 1})
	require.ErrorIs(t, err, backend.ErrUnavailable)
	seen = append(seen, err.Error())

	_, err = backend.Open(ctx, "minio://ak:"+srv.SecretKey+"@h:1/bucket?bogus=1")
	require.Error(t, err)
	seen = append(seen, err.Error())

	for _, s := range seen {
		assert.NotContains(t, s, srv.SecretKey)
	}
}

// deadEndpoint returns a loopback address where nothing listens.
func deadEndpoint(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestCreateBucket(t *testing.T) {
	srv := testserver.StartMinIO(t)
	ctx := context.Background()
	cfg := baseConfig(t, srv)
	adm := admin(t, srv)

	// Without CreateBucket nothing is created, and the error says how.
	cfg.CreateBucket = false
	d, err := minio.NewEndpoint(ctx, cfg, srv.Endpoint)
	require.NoError(t, err)
	defer d.Close()
	_, err = d.Put(ctx, "k", strings.NewReader("v"), backend.PutOptions{Size: 1})
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Contains(t, err.Error(), "create_bucket=true")
	var er miniogo.ErrorResponse
	require.ErrorAs(t, err, &er, "the native error is reachable")
	assert.Equal(t, "NoSuchBucket", er.Code)
	ok, err := adm.BucketExists(ctx, cfg.Bucket)
	require.NoError(t, err)
	assert.False(t, ok)

	// With it, New creates it; a second New finds it owned and is fine.
	cfg.CreateBucket = true
	for range 2 {
		b, err := minio.New(ctx, cfg)
		require.NoError(t, err)
		require.NoError(t, b.Close())
	}
	ok, err = adm.BucketExists(ctx, cfg.Bucket)
	require.NoError(t, err)
	assert.True(t, ok)

	// Through the first endpoint that answers.
	cfg.Bucket = bucketName(t)
	t.Cleanup(func() { dropBucket(t, adm, cfg.Bucket) })
	cfg.Endpoints = []string{deadEndpoint(t), srv.Endpoint}
	b, err := minio.New(ctx, cfg)
	require.NoError(t, err)
	require.NoError(t, b.Close())
	ok, err = adm.BucketExists(ctx, cfg.Bucket)
	require.NoError(t, err)
	assert.True(t, ok)
}

// TestNewFailsOver checks the wiring of New: endpoints (ellipsis expanded)
// behind the failover wrapper, health per endpoint, capabilities
// forwarded.
func TestNewFailsOver(t *testing.T) {
	srv := testserver.StartMinIO(t)
	ctx := context.Background()
	dead := deadEndpoint(t)
	host, port, _ := net.SplitHostPort(srv.Endpoint)
	// 127.0.0.{1...1} expands to the server itself: the notation works.
	b := openNew(t, srv, func(c *minio.Config) {
		c.Endpoints = []string{dead, strings.Replace(host, "127.0.0.1", "127.0.0.{1...1}", 1) + ":" + port}
		c.Retry.AttemptTimeout = 2 * time.Second
	})
	fb, ok := b.(*failover.Backend)
	require.True(t, ok, "New returns the failover wrapper, got %T", b)
	var names []string
	for _, e := range fb.Endpoints() {
		names = append(names, e.Endpoint)
	}
	assert.Equal(t, []string{dead, srv.Endpoint}, names)

	for i := range 6 {
		key := fmt.Sprintf("fo/%d", i)
		_, err := b.Put(ctx, key, strings.NewReader(key), backend.PutOptions{Size: int64(len(key))})
		require.NoError(t, err, "every put is served by the live endpoint")
	}
	page, err := b.List(ctx, backend.ListOptions{Prefix: "fo/"})
	require.NoError(t, err)
	assert.Len(t, page.Objects, 6)

	hc, ok := backend.As[backend.HealthChecker](b)
	require.True(t, ok)
	hs, err := hc.Health(ctx)
	require.NoError(t, err)
	byName := map[string]backend.EndpointHealth{}
	for _, h := range hs {
		byName[h.Endpoint] = h
	}
	require.Len(t, byName, 2)
	assert.False(t, byName[dead].Live)
	assert.True(t, byName[srv.Endpoint].Live && byName[srv.Endpoint].Ready)

	br, ok := backend.As[backend.BatchRemover](b)
	require.True(t, ok)
	require.NoError(t, br.RemoveMany(ctx, []string{"fo/0", "fo/1"}))
	ps, ok := backend.As[backend.Presigner](b)
	require.True(t, ok)
	u, err := ps.Presign(ctx, http.MethodGet, "fo/2", time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	assert.Contains(t, u, srv.Endpoint, "presigned on the live endpoint")
	lc, ok := backend.As[backend.Lifecycler](b)
	require.True(t, ok)
	require.NoError(t, lc.SetExpiry(ctx, "fo/", 2))
	exp, err := lc.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"fo/": 2}, exp)

	_, err = minio.New(ctx, minio.Config{Bucket: "some-bucket"})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument, "no endpoints")
	_, err = minio.New(ctx, minio.Config{Bucket: "some-bucket", Endpoints: []string{"h{3...1}:9000"}})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument, "bad ellipsis")
	_, err = minio.New(ctx, minio.Config{Bucket: "some-bucket", Endpoints: []string{"ftp://h:9000"}})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument, "bad scheme")
	_, err = minio.New(ctx, minio.Config{Bucket: "some-bucket", Endpoints: []string{"h:9000"}, CAFile: "/nonexistent/ca.pem", Secure: true})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument, "missing CA file")
	resolveErr := errors.New("no such service")
	_, err = minio.New(ctx, minio.Config{Bucket: "some-bucket", Resolve: func(context.Context) ([]string, error) { return nil, resolveErr }})
	assert.ErrorIs(t, err, resolveErr)
}

// TestNewPassesFailoverSettings checks that New hands the backoff settings
// to the failover layer, which checks them before any request.
func TestNewPassesFailoverSettings(t *testing.T) {
	for _, cfg := range []minio.Config{
		{Retry: failover.Retry{BaseDelay: time.Second, MaxDelay: time.Millisecond}},
		{ReprobeMin: time.Minute, ReprobeMax: time.Second},
	} {
		cfg.Endpoints = []string{"127.0.0.1:9"}
		cfg.Bucket = "bucket"
		cfg.AccessKey, cfg.SecretKey = "AK", "SECRETXYZ"
		_, err := minio.New(context.Background(), cfg)
		require.ErrorIs(t, err, backend.ErrInvalidArgument)
		assert.Regexp(t, "MaxDelay|ReprobeMax", err.Error())
	}
}
