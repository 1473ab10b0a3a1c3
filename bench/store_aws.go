package main

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// awsStore is raw aws-sdk-go-v2 used as its documentation shows: PutObject
// and GetObject for objects up to the transfer manager's part size, the
// manager's Uploader and Downloader (defaults: 5 MiB parts, 5 at a time)
// for larger ones and for uploads of unknown size.
type awsStore struct {
	c      *s3.Client
	up     *manager.Uploader
	down   *manager.Downloader
	bucket string
}

// newAWSClient makes an S3 client from the default configuration chain,
// pointed at the server.
func newAWSClient(ctx context.Context, t target) (*s3.Client, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(t.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(t.AccessKey, t.SecretKey, "")),
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	if t.Transport != nil {
		// Set after loading: config.WithHTTPClient fails when
		// AWS_CA_BUNDLE is set (it cannot add the CA to a client of
		// ours), and the CA does not matter to a plain-HTTP server.
		cfg.HTTPClient = &http.Client{Transport: t.Transport}
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(t.URL())
		o.UsePathStyle = true
		// MinIO's answers to ranged GETs carry no checksum, and the SDK
		// would log that on every part: silence it (it costs time, and
		// says nothing about speed).
		o.DisableLogOutputChecksumValidationSkipped = true
	}), nil
}

func openAWS(ctx context.Context, t target) (store, error) {
	c, err := newAWSClient(ctx, t)
	if err != nil {
		return nil, err
	}
	return &awsStore{c: c, up: manager.NewUploader(c), down: manager.NewDownloader(c), bucket: t.Bucket}, nil
}

func (s *awsStore) Name() string { return nameAWS }

func (s *awsStore) Put(ctx context.Context, key string, data []byte) error {
	if len(data) > int(manager.DefaultUploadPartSize) {
		return s.PutUnknown(ctx, key, bytes.NewReader(data))
	}
	_, err := s.c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data))),
	})
	return err
}

func (s *awsStore) PutUnknown(ctx context.Context, key string, r io.Reader) error {
	_, err := s.up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key), Body: r})
	return err
}

func (s *awsStore) Get(ctx context.Context, key string, size int64, w io.Writer) (int64, error) {
	if size > manager.DefaultDownloadPartSize {
		// What a user does for a large object: the Downloader, into a
		// WriterAt (a file, a buffer; here one that discards).
		return s.down.Download(ctx, discardAt{}, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	}
	out, err := s.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
	return drain(w, out.Body, make([]byte, copyBufSize))
}

func (s *awsStore) List(ctx context.Context, prefix string) (int, error) {
	n := 0
	p := s3.NewListObjectsV2Paginator(s.c, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return n, err
		}
		n += len(page.Contents)
	}
	return n, nil
}

// ListDir is the ListObjectsV2 paginator with Delimiter "/".
func (s *awsStore) ListDir(ctx context.Context, prefix string) (objects, prefixes int, err error) {
	p := s3.NewListObjectsV2Paginator(s.c, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return objects, prefixes, err
		}
		objects += len(page.Contents)
		prefixes += len(page.CommonPrefixes)
	}
	return objects, prefixes, nil
}

func (s *awsStore) Close() error { return nil }

// discardAt is an io.WriterAt that keeps nothing.
type discardAt struct{}

func (discardAt) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }
