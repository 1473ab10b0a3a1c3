package s3_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// server is one S3-compatible server started for a test.
type server struct {
	name      string // "minio" or "versitygw"
	url       string // http://127.0.0.1:PORT
	accessKey string
	secretKey string
	region    string
	admin     *s3.Client // a plain SDK client, to look behind the driver's back
	proc      *testserver.Process
}

// servers are the two independent S3 implementations every test runs on.
var servers = []struct {
	name  string
	start func(t *testing.T) *server
}{
	{"minio", func(t *testing.T) *server {
		m := testserver.StartMinIO(t)
		srv := newServer(t, "minio", m.URL(), m.AccessKey, m.SecretKey, m.Region)
		srv.proc = m.Process
		return srv
	}},
	{"versitygw", func(t *testing.T) *server {
		v := testserver.StartVersityGW(t)
		srv := newServer(t, "versitygw", v.URL(), v.AccessKey, v.SecretKey, v.Region)
		srv.proc = v.Process
		return srv
	}},
}

// forEachServer runs fn as a subtest per server, each with its own server.
func forEachServer(t *testing.T, fn func(t *testing.T, srv *server)) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) { fn(t, s.start(t)) })
	}
}

func newServer(t *testing.T, name, url, ak, sk, region string) *server {
	srv := &server{name: name, url: url, accessKey: ak, secretKey: sk, region: region}
	srv.admin = s3.New(s3.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(ak, sk, ""),
		// Plain requests only: the admin client must not depend on the
		// checksum behaviour under test.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
	})
	// MinIO may answer its readiness probe before it serves S3 requests
	// (503 XMinioServerNotInitialized): wait until it lists buckets.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := srv.admin.ListBuckets(t.Context(), &s3.ListBucketsInput{})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s at %s does not serve S3 requests: %v", name, url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return srv
}

// creds returns the server's credentials as a provider.
func (s *server) creds() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(s.accessKey, s.secretKey, "")
}

// config returns a driver Config for bucket on this server.
func (s *server) config(bucket string) s3drv.Config {
	return s3drv.Config{
		Bucket:      bucket,
		Region:      s.region,
		Endpoint:    s.url,
		PathStyle:   true,
		Credentials: s.creds(),
	}
}

// newBucket creates a bucket with a fresh random name.
func (s *server) newBucket(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "test-" + hex.EncodeToString(b)
	_, err := s.admin.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)})
	require.NoError(t, err, "create bucket %s on %s", name, s.name)
	return name
}

// open returns the driver of New on a fresh bucket, closed at cleanup.
func (s *server) open(t *testing.T, tweak ...func(*s3drv.Config)) (backend.Backend, string) {
	t.Helper()
	bucket := s.newBucket(t)
	cfg := s.config(bucket)
	for _, f := range tweak {
		f(&cfg)
	}
	b, err := s3drv.New(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b, bucket
}

// openRaw returns the raw driver (NewDriver) on a fresh bucket.
func (s *server) openRaw(t *testing.T, tweak ...func(*s3drv.Config)) (*s3drv.Driver, string) {
	t.Helper()
	bucket := s.newBucket(t)
	cfg := s.config(bucket)
	for _, f := range tweak {
		f(&cfg)
	}
	d, err := s3drv.NewDriver(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	return d, bucket
}

// uploads lists the incomplete multipart uploads of bucket.
func (s *server) uploads(t *testing.T, bucket string) []types.MultipartUpload {
	t.Helper()
	out, err := s.admin.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	return out.Uploads
}

// objectExists asks the server directly whether key exists in bucket.
func (s *server) objectExists(t *testing.T, bucket, key string) bool {
	t.Helper()
	_, err := s.admin.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		return true
	}
	var nf *types.NotFound
	require.True(t, errors.As(err, &nf), "HeadObject %s: %v", key, err)
	return false
}
